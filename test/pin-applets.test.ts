// The PIN lock through the applets of the real token module (host-sim Token, APDUs and buttons):
// set and remove the PIN over the extension applet with a confirming press; while locked every
// YKOATH and extension command that would reveal or change a credential is refused (6985), LIST
// gives a count only (or nothing with the hide-names option), DEVICE INFO reports the lock; once
// unlocked on the token, CALCULATE equals node:crypto.
import { describe, expect, it } from "vitest";
import { Token, BUTTON_UP, BUTTON_DOWN, BUTTON_OK } from "../host-sim/token.js";
import { SimClock } from "../host-sim/clock.js";
import { frameToText } from "../host-sim/display.js";
import {
  apdu, send, put, list, selectOath, selectExtension, tlv, utf8, concat, parseTlvs, hmac, truncate, counterBytes,
  TAG, INS, EXT, swOf,
} from "./applet-kit.js";

const INS_PIN = 0x50;
const PIN = "86420975";
const SECRET = utf8("12345678901234567890");
const NOW = 1_700_000_000;
const DENIED = 0x6985;

function pinInfo(token: Token): { state: number; triesLeft: number; outcome: number } {
  selectExtension(token);
  const reply = send(token, apdu(0x80, EXT.DEVICE_INFO, 0, 0));
  expect(reply.sw).toBe(0x9000);
  const entry = parseTlvs(reply.data).find((e) => e.tag === 0x08)!;
  return { state: entry.value[0], triesLeft: entry.value[1], outcome: entry.value[2] };
}

// Sets the PIN over the extension applet: the reply waits for OK on the token, then the
// derivation runs from the tick.
function setPinOverUsb(token: Token, pin: string): void {
  selectExtension(token);
  expect(token.apdu(apdu(0x80, INS_PIN, 1, 0, utf8(pin)))).toBeNull();
  token.exports.button(BUTTON_OK, 1);
  token.tick(); // the answer runs on the tick after the press
  expect(swOf(token.responses[token.responses.length - 1])).toBe(0x9000);
  token.exports.button(BUTTON_OK, 0);
  token.advance(2000);
  expect(pinInfo(token)).toEqual({ state: 2, triesLeft: 10, outcome: 5 });
}

function enterPin(token: Token, pin: string): void {
  token.press(BUTTON_OK); // the locked screen asks for the PIN
  for (const char of pin) {
    const digit = Number(char);
    if (digit <= 5) for (let i = 0; i < digit; i++) token.press(BUTTON_UP);
    else for (let i = 0; i < 10 - digit; i++) token.press(BUTTON_DOWN);
    token.press(BUTTON_OK);
  }
  token.press(BUTTON_OK, 900);
  token.advance(3000);
}

function provisioned(): Token {
  const token = new Token({ clock: new SimClock(NOW) });
  expect(token.initStatus).toBe(0);
  selectOath(token);
  expect(put(token, { name: "alice@example.com", secret: SECRET }).sw).toBe(0x9000);
  expect(put(token, { name: "hotp-bob", secret: SECRET, type: "hotp" }).sw).toBe(0x9000);
  return token;
}

function reboot(token: Token): Token {
  const next = new Token({ flash: token.flash, clock: token.clock });
  expect(next.initStatus).toBe(0);
  next.advance(50);
  return next;
}

const calculate = (name: string) => apdu(0x00, INS.CALCULATE, 0, 1, concat(tlv(TAG.NAME, utf8(name)), tlv(TAG.CHALLENGE, counterBytes(Math.floor(NOW / 30)))));

describe("PIN lock over the applets (token module)", () => {
  it("locked: count-only LIST, every credential command refused, DEVICE INFO tells; unlocked: codes again", () => {
    const setup = provisioned();
    expect(pinInfo(setup)).toEqual({ state: 0, triesLeft: 10, outcome: 0 });
    setPinOverUsb(setup, PIN);
    const token = reboot(setup);
    expect(pinInfo(token).state).toBe(1);

    selectOath(token);
    expect([...list(token).keys()]).toEqual(["locked-01", "locked-02"]);
    expect(send(token, calculate("alice@example.com")).sw).toBe(DENIED);
    expect(send(token, apdu(0x00, INS.CALCULATE_ALL, 0, 1, tlv(TAG.CHALLENGE, counterBytes(1)))).sw).toBe(DENIED);
    expect(put(token, { name: "mallory", secret: SECRET }).sw).toBe(DENIED);
    expect(send(token, apdu(0x00, INS.DELETE, 0, 0, tlv(TAG.NAME, utf8("hotp-bob")))).sw).toBe(DENIED);
    expect(send(token, apdu(0x00, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("hotp-bob")), tlv(TAG.NAME, utf8("x"))))).sw).toBe(DENIED);
    expect(send(token, apdu(0x00, INS.SET_CODE, 0, 0, tlv(TAG.KEY, [0x21, ...new Uint8Array(16)]))).sw).toBe(DENIED);

    selectExtension(token);
    for (const [ins, p1, p2, data] of [
      [EXT.PUT_SLOT, 5, 0, concat(tlv(TAG.NAME, utf8("m")), tlv(TAG.KEY, [0x21, 6, 1, 2, 3]))],
      [EXT.DELETE_SLOT, 0, 0, new Uint8Array(0)], [EXT.MOVE_SLOT, 0, 9, new Uint8Array(0)],
      [EXT.LIST_SLOTS, 0, 0, new Uint8Array(0)], [EXT.GET_SETTING, 1, 0, new Uint8Array(0)],
      [EXT.PUT_SETTING, 8, 0, Uint8Array.from([0, 0, 0, 0])],
    ] as [number, number, number, Uint8Array][]) {
      expect(send(token, apdu(0x80, ins, p1, p2, data)).sw, `INS ${ins.toString(16)}`).toBe(DENIED);
    }
    expect(send(token, apdu(0x80, INS_PIN, 1, 0, utf8("111111"))).sw).toBe(DENIED); // no change while locked
    expect(send(token, apdu(0x80, INS_PIN, 2, 0)).sw).toBe(DENIED);
    expect(send(token, apdu(0x80, EXT.GET_CLOCK, 0, 0)).sw).toBe(0x9000);
    expect(token.keyboardReports.length).toBe(0);

    enterPin(token, PIN);
    expect(pinInfo(token)).toEqual({ state: 2, triesLeft: 10, outcome: 2 });
    selectOath(token);
    expect([...list(token).keys()]).toEqual(["alice@example.com", "hotp-bob"]);
    const reply = send(token, calculate("alice@example.com"));
    expect(reply.sw).toBe(0x9000);
    const expected = truncate(hmac(1, SECRET, counterBytes(Math.floor(NOW / 30)))) % 1_000_000;
    const value = parseTlvs(reply.data)[0].value;
    expect(new DataView(value.buffer, value.byteOffset + 1, 4).getUint32(0) % 1_000_000).toBe(expected);

    // Lock now over USB: refused again.
    selectExtension(token);
    expect(send(token, apdu(0x80, INS_PIN, 3, 0)).sw).toBe(0x9000);
    selectOath(token);
    expect(send(token, calculate("alice@example.com")).sw).toBe(DENIED);
  });

  it("asks the host to drop compiled code as a derivation starts, as it ends, after the reseal, and as PIN entry closes", () => {
    const token = provisioned();
    const before = token.compiledCodeDropHints;
    // The press that confirms (its answer runs on the next tick), that answer, then the derivation's
    // start, its end and the reseal.
    setPinOverUsb(token, PIN);
    expect(token.compiledCodeDropHints - before).toBe(5);
    token.apdu(apdu(0x80, INS_PIN, 3, 0)); // lock now: no derivation, no hint
    expect(token.compiledCodeDropHints - before).toBe(5);
    enterPin(token, PIN);
    expect(pinInfo(token).state).toBe(2);
    expect(token.compiledCodeDropHints - before).toBe(9); // 3 for the derivation, 1 as the result screen closed
  });

  it("apdu_routine: codes over sealed slots, and any command while the reseal waits for its tick, run on a clean slate", () => {
    const token = provisioned();
    const calculateAll = apdu(0x00, INS.CALCULATE_ALL, 0, 1, tlv(TAG.CHALLENGE, counterBytes(1)));
    selectOath(token);
    expect(token.apduRoutine(calculate("alice@example.com"))).toBe(true);
    expect(token.apduRoutine(calculateAll)).toBe(true);
    // PIN set over USB, ticked by hand up to the end of the derivation: the reseal waits for the next tick.
    selectExtension(token);
    const deviceInfo = apdu(0x80, EXT.DEVICE_INFO, 0, 0);
    expect(token.apdu(apdu(0x80, INS_PIN, 1, 0, utf8(PIN)))).toBeNull();
    token.exports.button(BUTTON_OK, 1);
    token.exports.button(BUTTON_OK, 0);
    // The press confirmed it: the answer (which starts the derivation) waits for the next tick.
    expect(token.apduRoutine(deviceInfo)).toBe(false);
    token.tick();
    expect(token.apduRoutine(deviceInfo)).toBe(true); // deriving: light work per tick
    for (let ticks = 0; token.apduRoutine(deviceInfo); ticks++) {
      expect(ticks).toBeLessThan(10_000);
      token.advance(10);
    }
    expect(pinInfo(token).outcome).not.toBe(5); // asked in the same state: the reseal has not run
    const before = token.compiledCodeDropHints;
    token.exports.button(BUTTON_UP, 1); // a press meanwhile asks for a drop after it too
    expect(token.compiledCodeDropHints - before).toBe(1);
    token.exports.button(BUTTON_UP, 0);
    token.advance(10); // the reseal ran
    expect(token.apduRoutine(deviceInfo)).toBe(true);
    expect(pinInfo(token).outcome).toBe(5);
    // Every slot is sealed now: codes open ChaCha20-Poly1305 too; listing stays routine.
    selectOath(token);
    expect(token.apduRoutine(calculate("alice@example.com"))).toBe(false);
    expect(token.apduRoutine(calculateAll)).toBe(false);
    expect(token.apduRoutine(apdu(0x00, INS.LIST, 0, 0))).toBe(false); // names are sealed too
    expect(token.apduRoutine(apdu(0x00, INS.VALIDATE, 0, 0, Uint8Array.from([0x75, 0])))).toBe(true);
    // Asking changes nothing: every byte of the module's memory is as it was (the buffer wiped after).
    const memory = () => new Uint8Array(token.exports.memory.buffer).slice();
    const untouched = memory();
    for (const command of [calculate("alice@example.com"), calculateAll, apdu(0x80, EXT.PUT_SLOT, 0, 0), apdu(0x00, 0xc0, 0, 0)]) {
      token.apduRoutine(command);
    }
    expect(Buffer.compare(memory(), untouched)).toBe(0);
    expect(send(token, calculateAll).sw).toBe(0x9000);
  });

  it("the hide-names option refuses LIST while locked; a wrong PIN on the token is counted", () => {
    const setup = provisioned();
    setPinOverUsb(setup, PIN);
    selectExtension(setup);
    expect(send(setup, apdu(0x80, EXT.PUT_SETTING, 9, 0, Uint8Array.from([0, 0, 0, 1]))).sw).toBe(0x9000);
    const token = reboot(setup);
    selectOath(token);
    expect(send(token, apdu(0x00, INS.LIST, 0, 0)).sw).toBe(DENIED);
    enterPin(token, "00000000");
    expect(pinInfo(token)).toEqual({ state: 1, triesLeft: 9, outcome: 3 });
  });

  it("removes the PIN over USB after a press, and a factory reset forgets it", () => {
    const token = provisioned();
    setPinOverUsb(token, PIN);
    selectExtension(token);
    expect(token.apdu(apdu(0x80, INS_PIN, 2, 0))).toBeNull();
    token.press(BUTTON_OK);
    expect(swOf(token.responses[token.responses.length - 1])).toBe(0x9000);
    expect(pinInfo(token).state).toBe(0);
    expect(pinInfo(reboot(token)).state).toBe(0);

    setPinOverUsb(token, PIN);
    selectExtension(token);
    expect(token.apdu(apdu(0x80, EXT.FACTORY_RESET, 0xde, 0xad))).toBeNull();
    token.press(BUTTON_OK);
    expect(pinInfo(token).state).toBe(0);
    const after = reboot(token);
    expect(pinInfo(after).state).toBe(0);
    selectOath(after);
    expect(put(after, { name: "fresh", secret: SECRET }).sw).toBe(0x9000);
  });

  it("a press right after lock now, before the next tick, asks for the PIN (not dropped)", () => {
    for (const button of [BUTTON_OK, BUTTON_UP]) {
      const token = provisioned();
      setPinOverUsb(token, PIN);
      selectExtension(token);
      expect(send(token, apdu(0x80, INS_PIN, 3, 0)).sw).toBe(0x9000);
      token.exports.button(button, 1); // no tick between the lock and the press
      token.advance(60);
      token.exports.button(button, 0);
      token.advance(20);
      expect(frameToText(token.lastFrame!)[0], `button ${button}`).toBe("Enter PIN");
      expect(token.keyboardReports.length).toBe(0);
    }
  });
});
