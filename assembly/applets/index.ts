// The APDU entry of the module: parses each command, handles SELECT and SEND REMAINING / GET
// RESPONSE, routes the rest to the selected applet (YKOATH or the totpkey extension), and sends
// every reply through apdu_response exactly once, immediately or (after a press on the token)
// from appletsButton / appletsTick. assembly/index.ts calls these four functions.
import {
  SW_OK, SW_WRONG_P1P2, SW_FILE_NOT_FOUND, SW_INS_NOT_SUPPORTED, SW_CLA_NOT_SUPPORTED, SW_CHAINING_UNSUPPORTED,
  SW_CONDITIONS_NOT_SATISFIED, SW_SECURITY_NOT_SATISFIED, SW_WRONG_DATA,
  commandParse, commandCla, commandIns, commandP1, commandP2, commandData, commandDataBytes, commandLe,
  replyClear, replyStagedBytes, replyRemainingPending, sendChunk, sendStatus, STREAM_LOW_WATER_BYTES,
  replyByte, replyTlv,
} from "./apdu";
import {
  oathSelect, oathCommand, oathListEntry, oathCalculateAllEntry, oathCalculateAfterTouch, swForStatus,
  REPLY_DEFERRED, INS_SEND_REMAINING, INS_LIST, INS_CALCULATE, INS_VALIDATE, INS_CALCULATE_ALL,
} from "./oath";
import { extensionCommand, extensionSlotEntry, extensionFactoryResetAfterTouch,
  MODULE_VERSION_MAJOR, MODULE_VERSION_MINOR, MODULE_VERSION_PATCH,
  INS_LIST_SLOTS, INS_DEVICE_INFO, INS_GET_CLOCK, INS_GET_SETTING } from "./extension";
import { STREAM_OATH_LIST, STREAM_OATH_CALCULATE_ALL, STREAM_EXTENSION_SLOTS, streamKind, streamHasMore, streamEnd } from "./stream";
import { touchPendingReason, touchExpired, touchClear, TOUCH_REASON_NONE, TOUCH_REASON_CREDENTIAL, TOUCH_REASON_FACTORY_RESET } from "./touch";
import { extensionPinAfterTouch, extensionPinForget } from "./pin-commands";
import { pinActivity, pinState, PIN_STATE_NONE } from "../pin";
import { now_ms, drop_compiled_code } from "../abi";
import { accessOnSelect, accessLock, accessKeySet, accessAlgorithm, saltCopy, selectChallenge, SALT_BYTES, CHALLENGE_BYTES } from "./access";
import { OK } from "../status";

const APPLET_NONE: u32 = 0;
const APPLET_OATH: u32 = 1;
const APPLET_EXTENSION: u32 = 2;

const INS_SELECT: u32 = 0xa4;
const INS_GET_RESPONSE: u32 = 0xc0;
const BUTTON_OK: u32 = 2;

// YKOATH: A0 00 00 05 27 21 01 (ykman selects these 7 bytes; the full AID adds 01).
const OATH_AID = memory.data<u8>([0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01, 0x01]);
const OATH_AID_SHORT_BYTES: u32 = 7;
const OATH_AID_BYTES: u32 = 8;
// Ours: F0 (proprietary, unregistered) "totpkey" 01.
const EXTENSION_AID = memory.data<u8>([0xf0, 0x74, 0x6f, 0x74, 0x70, 0x6b, 0x65, 0x79, 0x01]);
const EXTENSION_AID_BYTES: u32 = 9;

let selected: u32 = APPLET_NONE;
let deferredLe: u32 = 0;
/** The OK press that answered a touch: its release is ours too. */
let swallowOkRelease: bool = false;
/** A press answered a waiting command (TOUCH_REASON_*): the answer runs at the start of the next
 *  tick, on the code cache the host emptied after the press. TOUCH_REASON_NONE: none due. */
let answerDueReason: u32 = TOUCH_REASON_NONE;

function bytesEqual(a: usize, b: usize, length: u32): bool {
  for (let i: u32 = 0; i < length; i++) {
    if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  }
  return true;
}

function aidIs(aid: usize, aidBytes: u32, minimumBytes: u32, fullBytes: u32): bool {
  return (commandDataBytes == minimumBytes || commandDataBytes == fullBytes) && bytesEqual(commandData, aid, commandDataBytes);
}

function select(): u32 {
  if (commandP2 != 0x00) return SW_WRONG_P1P2;
  if (aidIs(OATH_AID, OATH_AID_BYTES, OATH_AID_SHORT_BYTES, OATH_AID_BYTES)) {
    const sw = oathSelect();
    selected = sw == SW_OK ? APPLET_OATH : APPLET_NONE;
    return sw;
  }
  if (aidIs(EXTENSION_AID, EXTENSION_AID_BYTES, EXTENSION_AID_BYTES, EXTENSION_AID_BYTES)) {
    const status = accessOnSelect();
    if (status != OK) { selected = APPLET_NONE; return swForStatus(status); }
    selected = APPLET_EXTENSION;
    replyByte(0x79); replyByte(3);
    replyByte(MODULE_VERSION_MAJOR); replyByte(MODULE_VERSION_MINOR); replyByte(MODULE_VERSION_PATCH);
    replyTlv(0x71, saltCopy, SALT_BYTES);
    if (accessKeySet()) {
      replyTlv(0x74, selectChallenge, CHALLENGE_BYTES);
      replyByte(0x7b); replyByte(1); replyByte(accessAlgorithm());
    }
    return SW_OK;
  }
  return SW_FILE_NOT_FOUND; // the current selection stays, as ISO 7816-4 asks
}

// Adds stream entries until a full chunk and a spare one are staged, or the stream ends.
function streamFill(): u32 {
  while (streamHasMore() && replyStagedBytes() < STREAM_LOW_WATER_BYTES) {
    let sw: u32 = SW_OK;
    if (streamKind == STREAM_OATH_LIST) sw = oathListEntry();
    else if (streamKind == STREAM_OATH_CALCULATE_ALL) sw = oathCalculateAllEntry();
    else if (streamKind == STREAM_EXTENSION_SLOTS) sw = extensionSlotEntry();
    else break;
    if (sw != SW_OK) return sw;
  }
  return SW_OK;
}

// Sends a handler's result: staged data (and the stream) for SW_OK, else the bare status word.
function finish(sw: u32, le: u32): void {
  if (sw == SW_OK) sw = streamFill();
  if (sw != SW_OK) {
    streamEnd();
    sendStatus(sw);
    return;
  }
  const more = streamHasMore();
  if (!more) streamEnd();
  sendChunk(le, more, SW_OK);
}

function dispatch(): u32 {
  const cla = commandCla;
  if (cla == 0xff) return SW_CLA_NOT_SUPPORTED; // reserved for PPS, never a command
  if ((cla & 0x10) != 0) return SW_CHAINING_UNSUPPORTED;
  if (cla != 0x00 && cla != 0x80) return SW_CLA_NOT_SUPPORTED;
  // YKOATH's CALCULATE ALL shares INS A4 with SELECT; SELECT by name is the one with P1 04.
  if (commandIns == INS_SELECT && cla == 0 && commandP1 == 0x04) return select();
  if (selected == APPLET_OATH) return oathCommand();
  if (selected == APPLET_EXTENSION) return extensionCommand();
  return SW_INS_NOT_SUPPORTED;
}

/**
 * A new session: the reader powered the card off or reset it, or another client took over. Like a
 * card power cycle, it forgets the selected applet, the proven access password, staged reply data,
 * and a command waiting for a press (whose reply is then never sent).
 */
export function appletsSessionReset(): void {
  selected = APPLET_NONE;
  accessLock();
  touchClear();
  answerDueReason = TOUCH_REASON_NONE;
  streamEnd();
  replyClear();
  deferredLe = 0;
}

/**
 * Whether the APDU of `length` bytes at `buffer` is a routine one that may run on whatever code is
 * compiled: SELECT, GET RESPONSE / SEND REMAINING, and the reading commands of the selected applet
 * (YKOATH LIST, CALCULATE, CALCULATE ALL, VALIDATE; the extension's LIST SLOTS, DEVICE INFO, GET
 * CLOCK, GET SETTING). Not routine: provisioning (writes, PIN, factory reset: rare, each with code of
 * its own), and CALCULATE, CALCULATE ALL, LIST and LIST SLOTS while a PIN is set (every slot and
 * name is sealed: ChaCha20-Poly1305 on top of the rest). Reads the raw header only and changes
 * nothing (a host asks before apdu(); docs/SPEC.md).
 */
export function appletsApduRoutine(buffer: usize, length: u32): bool {
  if (length < 4) return true; // refused by the parser, with no code of its own
  const cla = <u32>load<u8>(buffer);
  const ins = <u32>load<u8>(buffer + 1);
  if (cla == 0 && ((ins == INS_SELECT && load<u8>(buffer + 2) == 0x04) || ins == INS_GET_RESPONSE)) return true;
  if (selected == APPLET_OATH) {
    if (cla != 0) return false;
    if (ins == INS_CALCULATE || ins == INS_CALCULATE_ALL || ins == INS_LIST) return pinState() == PIN_STATE_NONE;
    return ins == INS_SEND_REMAINING || ins == INS_VALIDATE;
  }
  if (selected == APPLET_EXTENSION) {
    if (cla != 0x80) return false;
    if (ins == INS_LIST_SLOTS) return pinState() == PIN_STATE_NONE;
    return ins == INS_DEVICE_INFO || ins == INS_GET_CLOCK || ins == INS_GET_SETTING;
  }
  return true; // nothing selected: the command is refused
}

/** Processes one APDU of `length` bytes at `buffer`; the buffer is wiped afterwards (it may have
 *  held a secret). */
export function appletsApdu(buffer: usize, length: u32): void {
  // A new command while one waits for a press: the host gave up on it (the ABI forbids this, but a
  // reset reader does it); the waiting command is dropped unanswered.
  if (touchPendingReason() != TOUCH_REASON_NONE) touchClear();
  answerDueReason = TOUCH_REASON_NONE;
  extensionPinForget(); // a PIN waiting for its press never outlives its command
  pinActivity(now_ms()); // a command restarts the PIN's idle time
  const parsed = commandParse(buffer, length);
  if (parsed != SW_OK) {
    streamEnd();
    sendStatus(parsed);
  } else if ((commandIns == INS_GET_RESPONSE || (commandIns == INS_SEND_REMAINING && selected != APPLET_NONE)) &&
             commandCla == 0) {
    if (commandP1 != 0 || commandP2 != 0) {
      streamEnd();
      sendStatus(SW_WRONG_P1P2);
    } else if (!replyRemainingPending()) {
      sendStatus(SW_CONDITIONS_NOT_SATISFIED);
    } else {
      finish(SW_OK, commandLe);
      // The last part of a long answer over sealed slots (CALCULATE ALL, LIST): its first part ran on
      // a clean slate (apdu_routine), and the unsealing code need not outlive the answer.
      if (!replyRemainingPending() && pinState() != PIN_STATE_NONE) drop_compiled_code();
    }
  } else {
    streamEnd();
    replyClear();
    const sw = dispatch();
    if (sw == REPLY_DEFERRED) deferredLe = commandLe;
    else finish(sw, commandLe);
  }
  memory.fill(buffer, 0, <usize>length);
}

/** Called from tick(): answers a command whose press came since the last tick, and ends a wait for
 *  a press that timed out (security status not satisfied, the word ykman reports as a touch timeout). */
export function appletsTick(nowMs: i64): void {
  if (answerDueReason != TOUCH_REASON_NONE) {
    const reason = answerDueReason;
    answerDueReason = TOUCH_REASON_NONE;
    answerTouch(reason);
  } else if (touchExpired(nowMs)) {
    touchClear();
    extensionPinForget();
    sendStatus(SW_SECURITY_NOT_SATISFIED);
  }
}

/** Called from button() before the front panel: returns true when the edge answered a waiting
 *  command (the panel must then ignore it). */
export function appletsButton(id: u32, down: u32): bool {
  if (id != BUTTON_OK) return false;
  if (down == 0 && swallowOkRelease) {
    swallowOkRelease = false;
    return true;
  }
  const reason = touchPendingReason();
  if (down == 0 || reason == TOUCH_REASON_NONE) return false;
  // The answer is heavy work (removing a PIN reopens every slot, a reset wipes the store, a sealed
  // code opens its slot): it runs on the next tick, after the host dropped the code this press ran on.
  touchClear();
  swallowOkRelease = true;
  answerDueReason = reason; // index.ts asks the host for a drop after this press (heavyTickDue)
  return true;
}

// @cold: runs only when a command waited for a press, on the tick after it.
function answerTouch(reason: u32): void {
  replyClear();
  const sw = reason == TOUCH_REASON_CREDENTIAL ? oathCalculateAfterTouch()
    : reason == TOUCH_REASON_FACTORY_RESET ? extensionFactoryResetAfterTouch() : extensionPinAfterTouch(reason);
  finish(sw, deferredLe);
  drop_compiled_code(); // the answer's code is not everyday code
}

/** A press answered a waiting command, and the answer runs on the next tick. */
export function appletsAnswerDue(): bool {
  return answerDueReason != TOUCH_REASON_NONE;
}

/** What a waiting command needs a press for (touch.ts TOUCH_REASON_*), 0 when nothing waits: the
 *  front panel shows a prompt while this is non-zero. */
export function appletsTouchPending(): u32 {
  return touchPendingReason();
}
