// A PIN unlock on the full firmware in the emulator, timed as a person sees it: a PIN is set over
// CCID (extension PIN command, confirmed with OK), the token is locked (PIN command P1 3), the PIN is
// entered on the front panel (OK opens the entry; each digit: UP, short OK; OK held 800 ms ends it),
// and the time runs from the release of that long OK to the "Unlocked" frame on the SSD1306.
// The unlock has no APDU of its own (docs/SPEC.md "PIN lock": the panel unlocks).
import { frameToText } from "../host-sim/display.js";
import { EmulatedToken } from "./token.js";
import { CcidClient, HidApduClient, setKeyboardLeds } from "./usb-client.js";

const BUTTON_UP = 0;
const BUTTON_OK = 2;
const EXTENSION_SELECT = "00a4040009f0746f74706b657901";
const OUTCOME_DERIVING = 1;
const OUTCOME_SET = 5;
const PIN_INFO_TAG = 0x08;

export interface PinUnlockTimes {
  /** Release of the entry's long OK to the "Unlocked" frame (emulated microseconds). */
  unlockMicros: number;
  /** Cycles the core executed meanwhile (the rest it slept in WFI). */
  unlockCycles: number;
  /** Progress frames drawn meanwhile. */
  frames: number;
  /** Confirming press of the PIN command to DEVICE INFO's "set" outcome (microseconds). */
  setMicros: number;
  /** While the set's key is derived: the slowest DEVICE INFO over CCID, one over the HID vendor
   *  interface, and the keyboard's LED output report (a control transfer), in microseconds. */
  deriving: { ccidApduMaxMicros: number; hidApduMicros: number; keyboardLedsMicros: number };
}

/** Sets the PIN "1" x digits (6..12), locks, unlocks on the panel; the times of each. */
export function measurePinUnlock(digits = 6, rtcSeconds = 1_796_292_010): PinUnlockTimes {
  const token = new EmulatedToken({ rtcSeconds });
  const board = token.board;
  const ccid = new CcidClient(token.usb);
  ccid.powerOn();
  const transmit = (hex: string): Uint8Array => {
    const reply = ccid.transmit(Uint8Array.from(Buffer.from(hex, "hex")));
    const sw = Buffer.from(reply.subarray(-2)).toString("hex");
    if (sw !== "9000") throw new Error(`APDU ${hex}: ${sw}`);
    return reply;
  };
  const pinInfo = (): number[] => {
    const reply = transmit("80100000");
    for (let at = 0; at + 1 < reply.length - 2; at += 2 + reply[at + 1]) {
      if (reply[at] === PIN_INFO_TAG) return [...reply.subarray(at + 2, at + 2 + reply[at + 1])];
    }
    throw new Error("DEVICE INFO without the PIN state");
  };
  // One account, as on a token in use (the panel then shows it, not an empty list).
  transmit("00a4040007a0000005272101");
  transmit("000100001e710474657374731621063132333435363738393031323334353637383930");
  transmit(EXTENSION_SELECT);

  // Set: the reply waits for OK, pressed from inside the emulation while the host waits.
  const pressAtUs = 100_000;
  const asked = board.micros;
  board.schedule(pressAtUs, () => board.setButton(BUTTON_OK, true));
  board.schedule(pressAtUs + 60_000, () => board.setButton(BUTTON_OK, false));
  transmit(`80500100${digits.toString(16).padStart(2, "0")}${"31".repeat(digits)}`);
  // Polls until the set is done; meanwhile USB must still be served (docs/SPEC.md "PIN lock").
  const deriving = { ccidApduMaxMicros: 0, hidApduMicros: -1, keyboardLedsMicros: -1 };
  const hid = new HidApduClient(token.usb);
  for (;;) {
    const polledAt = board.micros;
    const outcome = pinInfo()[2];
    if (outcome === OUTCOME_SET) break;
    if (outcome !== OUTCOME_DERIVING) throw new Error(`PIN set: outcome ${outcome}`);
    deriving.ccidApduMaxMicros = Math.max(deriving.ccidApduMaxMicros, board.micros - polledAt);
    if (deriving.hidApduMicros < 0) {
      const hidAt = board.micros;
      const reply = hid.transmit(Uint8Array.from(Buffer.from(EXTENSION_SELECT, "hex")));
      if (reply[reply.length - 2] !== 0x90) throw new Error("HID APDU during the derivation refused");
      deriving.hidApduMicros = board.micros - hidAt;
      const ledsAt = board.micros;
      if (setKeyboardLeds(token.usb, 0).status !== "ack") throw new Error("LED report during the derivation not taken");
      deriving.keyboardLedsMicros = board.micros - ledsAt;
    }
    token.run(10);
  }
  if (deriving.hidApduMicros < 0) throw new Error("the set finished before USB could be probed");
  const setMicros = board.micros - asked - pressAtUs;
  transmit("80500300"); // lock now
  if (pinInfo()[0] !== 1) throw new Error("the token did not lock");

  // A person's pause before the first press (a press right after the lock also opens the entry:
  // test/pin-applets.test.ts).
  token.run(500);
  token.press(BUTTON_OK, 60, 300); // any press opens the entry
  for (let digit = 0; digit < digits; digit++) {
    token.press(BUTTON_UP, 60, 100);
    token.press(BUTTON_OK, 60, 200);
  }
  board.setButton(BUTTON_OK, true);
  token.run(900);
  let unlockedAt: { micros: number; cycles: number } | null = null;
  let frames = 0;
  board.display.onFrame = (frame, widthPx, heightPx) => {
    frames++;
    const text = frameToText({ pixels: frame, widthPx, heightPx }).join("\n");
    if (/Wrong PIN|wiped/.test(text)) throw new Error(`unlock failed: ${text}`);
    if (unlockedAt === null && text.includes("Unlocked")) unlockedAt = { micros: board.micros, cycles: board.cycles };
  };
  const start = { micros: board.micros, cycles: board.cycles };
  board.setButton(BUTTON_OK, false);
  if (!token.runUntil(() => unlockedAt !== null, 20_000)) throw new Error("no \"Unlocked\" within 20 s");
  board.display.onFrame = null;
  const end = unlockedAt! as { micros: number; cycles: number };
  return { unlockMicros: end.micros - start.micros, unlockCycles: end.cycles - start.cycles, frames, setMicros, deriving };
}
