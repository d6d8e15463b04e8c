// The extension applet's PIN command (docs/SPEC.md "PIN lock"): set or change the PIN, remove it,
// lock now. Setting and removing wait for a press of OK on the token (a host alone never changes
// the lock); the derivation then runs from the tick and DEVICE INFO reports its outcome.
//   80 50 01 00 <6..12 ASCII digits>   set (no PIN) or change (unlocked)   -> press OK -> 9000
//   80 50 02 00                         remove (unlocked)                   -> press OK -> 9000
//   80 50 03 00                         lock now                            -> 9000
import { SW_OK, SW_WRONG_DATA, SW_WRONG_P1P2, SW_CONDITIONS_NOT_SATISFIED, commandP1, commandP2, commandData, commandDataBytes, replyByte } from "./apdu";
import { swForStatus, REPLY_DEFERRED } from "./oath";
import { touchRequest } from "./touch";
import {
  pinState, pinSetBegin, pinRemove, pinLock, pinTriesLeft, pinOutcome, pinProgressPercent, pinBusy,
  PIN_STATE_LOCKED, PIN_STATE_UNLOCKED, PIN_DIGITS_MIN, PIN_DIGITS_MAX,
} from "../pin";

export const INS_PIN: u32 = 0x50;
/** Touch reasons (touch.ts numbering continued): the panel shows what the press confirms. */
export const TOUCH_REASON_PIN_SET: u32 = 3;
export const TOUCH_REASON_PIN_REMOVE: u32 = 4;
const TAG_PIN_INFO: u32 = 0x08;

const pinScratch = memory.data(<i32>PIN_DIGITS_MAX);
let pinScratchBytes: u32 = 0;

function digitsValid(): bool {
  if (commandDataBytes < PIN_DIGITS_MIN || commandDataBytes > PIN_DIGITS_MAX) return false;
  for (let i: u32 = 0; i < commandDataBytes; i++) {
    const c = <u32>load<u8>(commandData + <usize>i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The PIN command (access already checked). */
export function extensionPin(): u32 {
  if (commandP2 != 0) return SW_WRONG_P1P2;
  if (commandP1 == 3) {
    if (commandDataBytes != 0) return SW_WRONG_DATA;
    pinLock();
    return SW_OK;
  }
  if (commandP1 == 1) {
    if (!digitsValid()) return SW_WRONG_DATA;
    if (pinState() == PIN_STATE_LOCKED || pinBusy()) return SW_CONDITIONS_NOT_SATISFIED;
    memory.fill(pinScratch, 0, PIN_DIGITS_MAX);
    memory.copy(pinScratch, commandData, commandDataBytes);
    pinScratchBytes = commandDataBytes;
    touchRequest(TOUCH_REASON_PIN_SET);
    return REPLY_DEFERRED;
  }
  if (commandP1 == 2) {
    if (commandDataBytes != 0) return SW_WRONG_DATA;
    if (pinState() != PIN_STATE_UNLOCKED || pinBusy()) return SW_CONDITIONS_NOT_SATISFIED; // unlocked only
    touchRequest(TOUCH_REASON_PIN_REMOVE);
    return REPLY_DEFERRED;
  }
  return SW_WRONG_P1P2;
}

/** The press came: starts the PIN set (its outcome in DEVICE INFO), or removes the PIN. */
export function extensionPinAfterTouch(reason: u32): u32 {
  if (reason == TOUCH_REASON_PIN_SET) {
    const begun = pinSetBegin(pinScratch, pinScratchBytes);
    memory.fill(pinScratch, 0, PIN_DIGITS_MAX);
    pinScratchBytes = 0;
    return swForStatus(begun);
  }
  return swForStatus(pinRemove());
}

/** Forgets a PIN waiting for its press (the wait timed out or was dropped). */
export function extensionPinForget(): void {
  memory.fill(pinScratch, 0, PIN_DIGITS_MAX);
  pinScratchBytes = 0;
}

/** DEVICE INFO's PIN entry: 08 04 state (0 none, 1 locked, 2 unlocked) tries-left outcome progress%. */
export function replyPinInfo(): void {
  replyByte(TAG_PIN_INFO);
  replyByte(4);
  replyByte(pinState());
  replyByte(pinTriesLeft());
  replyByte(pinOutcome());
  replyByte(pinProgressPercent());
}
