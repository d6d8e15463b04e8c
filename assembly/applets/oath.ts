// The YKOATH-compatible OATH applet (the command set ykman and Yubico Authenticator use), on the
// slot store: PUT, DELETE, LIST, RENAME, CALCULATE, CALCULATE ALL, SET CODE, VALIDATE, RESET.
// docs/SPEC.md ("APDU applets") lists the wire format. Handlers return a status word; SW_OK means
// "send what is staged", REPLY_DEFERRED means the reply comes later (a press on the token).
import {
  SW_OK, SW_WRONG_DATA, SW_NO_SUCH_OBJECT, SW_WRONG_P1P2, SW_INS_NOT_SUPPORTED, SW_SECURITY_NOT_SATISFIED,
  SW_NO_SPACE, SW_MEMORY_FAILURE, SW_ALREADY_EXISTS, SW_CONDITIONS_NOT_SATISFIED, SW_UNKNOWN, SW_CLA_NOT_SUPPORTED,
  commandCla, commandIns, commandP1, commandP2, commandData, commandDataBytes,
  replyByte, replyBytes, replyTlv, replyRoom, replyU32,
} from "./apdu";
import { tlvNext, tlvTag, tlvValue, tlvValueBytes, TLV_MALFORMED } from "./tlv";
import {
  SLOT_COUNT, NAME_MAX_BYTES, SECRET_MAX_BYTES, KIND_HOTP, KIND_TOTP, FLAG_TOUCH,
  slotUsed, firstFreeSlot, findSlotByName, slotPut, slotDelete, slotRename, slotNameCopy, slotKind,
  slotAlgorithm, slotDigits, slotPeriodSeconds, slotFlags, slotCounterAdvance, slotHmac,
} from "../store/index";
import { dynamicTruncate, DIGEST_MAX_BYTES, TRUNCATE_INVALID } from "../otp/index";
import { pinOpen, pinHideNames } from "../pin";
import { OK, ERR_RANGE, ERR_ALGORITHM, ERR_KEY_LENGTH, ERR_NAME_LENGTH, ERR_FULL, ERR_NOT_FOUND, ERR_STATE, ERR_NO_TIME } from "../status";
import {
  accessUnlocked, accessOnSelect, accessKeySet, accessAlgorithm, accessValidate, accessSetKey, accessResetRecord,
  saltCopy, selectChallenge, SALT_BYTES, CHALLENGE_BYTES,
} from "./access";
import { STREAM_OATH_LIST, STREAM_OATH_CALCULATE_ALL, STREAM_CHALLENGE_MAX_BYTES, streamStart, streamSetChallenge,
  streamSlot, streamAdvance, streamChallenge, streamChallengeBytes, streamFullResponses } from "./stream";
import { touchRequest, TOUCH_REASON_CREDENTIAL } from "./touch";

export const REPLY_DEFERRED: u32 = 1;

// Tags (YKOATH)
const TAG_NAME: u32 = 0x71;
const TAG_NAME_LIST: u32 = 0x72;
const TAG_KEY: u32 = 0x73;
const TAG_CHALLENGE: u32 = 0x74;
const TAG_RESPONSE: u32 = 0x75;
const TAG_TRUNCATED: u32 = 0x76;
const TAG_HOTP: u32 = 0x77;
const TAG_PROPERTY: u32 = 0x78;
const TAG_VERSION: u32 = 0x79;
const TAG_IMF: u32 = 0x7a;
const TAG_ALGORITHM: u32 = 0x7b;
const TAG_TOUCH: u32 = 0x7c;
const TAG_PERIOD: u32 = 0x7d; // ours (extension PUT SLOT), not YKOATH

// Instructions (YKOATH)
export const INS_PUT: u32 = 0x01;
export const INS_DELETE: u32 = 0x02;
export const INS_SET_CODE: u32 = 0x03;
export const INS_RESET: u32 = 0x04;
export const INS_RENAME: u32 = 0x05;
export const INS_LIST: u32 = 0xa1;
export const INS_CALCULATE: u32 = 0xa2;
export const INS_VALIDATE: u32 = 0xa3;
export const INS_CALCULATE_ALL: u32 = 0xa4;
export const INS_SEND_REMAINING: u32 = 0xa5;

const TYPE_HOTP: u32 = 0x10;
const TYPE_TOTP: u32 = 0x20;
const PROPERTY_REQUIRE_TOUCH: u32 = 0x02;
const DEFAULT_PERIOD_SECONDS: u32 = 30;
/** The YKOATH version SELECT reports: the feature level ykman checks (rename needs 5.3.1, touch
 *  4.2.6, SHA-512 4.3.1; the 4.4 series would read as FIPS and lose SHA-512). */
const VERSION_MAJOR: u32 = 5;
const VERSION_MINOR: u32 = 4;
const VERSION_PATCH: u32 = 3;

const nameScratch = memory.data(<i32>NAME_MAX_BYTES);
const digest = memory.data(DIGEST_MAX_BYTES);
const counterMessage = memory.data(8);

/** Maps a store/module status to a status word. */
export function swForStatus(status: i32): u32 {
  if (status >= 0) return SW_OK;
  if (status == ERR_RANGE || status == ERR_ALGORITHM || status == ERR_KEY_LENGTH || status == ERR_NAME_LENGTH) return SW_WRONG_DATA;
  if (status == ERR_FULL) return SW_NO_SPACE;
  if (status == ERR_NOT_FOUND) return SW_NO_SUCH_OBJECT;
  if (status == ERR_STATE || status == ERR_NO_TIME) return SW_CONDITIONS_NOT_SATISFIED;
  if (status == -7 || status == -11) return SW_MEMORY_FAILURE; // ERR_FLASH, ERR_CORRUPT
  return SW_UNKNOWN;
}

/**
 * The TOTP period a YKOATH name carries ("60/issuer:account": decimal digits then '/', with
 * something after it); DEFAULT_PERIOD_SECONDS without a prefix; ERR_RANGE for a prefix outside
 * 1..255 (the store's range). HOTP names have no period.
 */
export function periodFromName(name: usize, nameBytes: u32): i32 {
  let value: u32 = 0;
  let digits: u32 = 0;
  while (digits < nameBytes) {
    const c = <u32>load<u8>(name + digits);
    if (c < 0x30 || c > 0x39) break;
    if (value < 100000) value = value * 10 + (c - 0x30);
    digits++;
  }
  if (digits == 0 || digits + 1 >= nameBytes || load<u8>(name + digits) != 0x2f) return <i32>DEFAULT_PERIOD_SECONDS;
  if (value < 1 || value > 255) return ERR_RANGE;
  return <i32>value;
}

// ---- SELECT --------------------------------------------------------------------------------------

export function oathSelect(): u32 {
  const status = accessOnSelect();
  if (status != OK) return swForStatus(status);
  replyByte(TAG_VERSION);
  replyByte(3);
  replyByte(VERSION_MAJOR);
  replyByte(VERSION_MINOR);
  replyByte(VERSION_PATCH);
  replyTlv(TAG_NAME, saltCopy, SALT_BYTES);
  if (accessKeySet()) {
    replyTlv(TAG_CHALLENGE, selectChallenge, CHALLENGE_BYTES);
    replyByte(TAG_ALGORITHM);
    replyByte(1);
    replyByte(accessAlgorithm());
  }
  return SW_OK;
}

// ---- Commands ------------------------------------------------------------------------------------

// Parsed TLV fields of the current command (pointers into the APDU buffer).
let fieldName: usize = 0;
let fieldNameBytes: u32 = 0;
let fieldName2: usize = 0;
let fieldName2Bytes: u32 = 0;
let fieldNameCount: u32 = 0;
let fieldKey: usize = 0;
let fieldKeyBytes: i32 = -1;
let fieldChallenge: usize = 0;
let fieldChallengeBytes: i32 = -1;
let fieldResponse: usize = 0;
let fieldResponseBytes: i32 = -1;
let fieldProperty: i32 = -1;
let fieldImf: usize = 0;
let fieldImfBytes: i32 = -1;
/** Extension PUT SLOT only: the TOTP period as its own field (tag 0x7D, one byte). */
export let fieldPeriod: i32 = -1;

/**
 * Reads the command data as TLVs. Each tag may appear once (the name twice, for RENAME); an
 * unknown tag or a malformed element makes the whole command SW_WRONG_DATA.
 */
export function parseFields(data: usize, dataBytes: u32, allowProperty: bool, allowPeriod: bool = false): bool {
  fieldNameCount = 0;
  fieldNameBytes = 0;
  fieldName2Bytes = 0;
  fieldKeyBytes = -1;
  fieldChallengeBytes = -1;
  fieldResponseBytes = -1;
  fieldProperty = -1;
  fieldImfBytes = -1;
  fieldPeriod = -1;
  const end = data + <usize>dataBytes;
  let at = data;
  while (at < end) {
    const next = tlvNext(at, end, allowProperty);
    if (next == TLV_MALFORMED) return false;
    const tag = tlvTag;
    if (tag == TAG_NAME) {
      if (fieldNameCount == 0) { fieldName = tlvValue; fieldNameBytes = tlvValueBytes; }
      else if (fieldNameCount == 1) { fieldName2 = tlvValue; fieldName2Bytes = tlvValueBytes; }
      else return false;
      fieldNameCount++;
    } else if (tag == TAG_KEY && fieldKeyBytes < 0) {
      fieldKey = tlvValue; fieldKeyBytes = <i32>tlvValueBytes;
    } else if (tag == TAG_CHALLENGE && fieldChallengeBytes < 0) {
      fieldChallenge = tlvValue; fieldChallengeBytes = <i32>tlvValueBytes;
    } else if (tag == TAG_RESPONSE && fieldResponseBytes < 0) {
      fieldResponse = tlvValue; fieldResponseBytes = <i32>tlvValueBytes;
    } else if (tag == TAG_PROPERTY && allowProperty && fieldProperty < 0) {
      fieldProperty = <i32>load<u8>(tlvValue);
    } else if (tag == TAG_PERIOD && allowPeriod && fieldPeriod < 0 && tlvValueBytes == 1) {
      fieldPeriod = <i32>load<u8>(tlvValue);
    } else if (tag == TAG_IMF && fieldImfBytes < 0) {
      fieldImf = tlvValue; fieldImfBytes = <i32>tlvValueBytes;
    } else {
      return false;
    }
    at = <usize>next;
  }
  return true;
}

@inline
function validName(bytes: u32): bool {
  return bytes >= 1 && bytes <= NAME_MAX_BYTES;
}

/**
 * PUT's key and options checked and stored in `targetSlot`, or (targetSlot < 0) in the slot of the
 * same name or the first free one. `periodOverride` >= 0 replaces the period the name carries
 * (extension PUT SLOT). Shared with the extension applet. Returns a status word.
 */
export function putCredential(targetSlot: i32, periodOverride: i32): u32 {
  if (fieldNameCount != 1 || !validName(fieldNameBytes)) return SW_WRONG_DATA;
  if (fieldKeyBytes < 3) return SW_WRONG_DATA; // type|algorithm, digits, and at least one key byte
  const keyBytes = <u32>fieldKeyBytes - 2;
  if (keyBytes > SECRET_MAX_BYTES) return SW_WRONG_DATA;
  if (fieldChallengeBytes >= 0 || fieldResponseBytes >= 0) return SW_WRONG_DATA;
  const typeAlgorithm = <u32>load<u8>(fieldKey);
  const type = typeAlgorithm & 0xf0;
  const algorithm = typeAlgorithm & 0x0f;
  const digits = <u32>load<u8>(fieldKey + 1);
  let kind: u32 = 0;
  if (type == TYPE_HOTP) kind = KIND_HOTP;
  else if (type == TYPE_TOTP) kind = KIND_TOTP;
  else return SW_WRONG_DATA;
  let flags: u32 = 0;
  if (fieldProperty >= 0) {
    if ((<u32>fieldProperty & ~PROPERTY_REQUIRE_TOUCH) != 0) return SW_WRONG_DATA;
    if ((<u32>fieldProperty & PROPERTY_REQUIRE_TOUCH) != 0) flags |= FLAG_TOUCH;
  }
  let counter: u64 = 0;
  if (fieldImfBytes >= 0) {
    if (fieldImfBytes != 4 || kind != KIND_HOTP) return SW_WRONG_DATA;
    counter = <u64>bswap<u32>(load<u32>(fieldImf));
  }
  let period: i32 = <i32>DEFAULT_PERIOD_SECONDS;
  if (kind == KIND_TOTP) {
    period = periodOverride >= 0 ? periodOverride : periodFromName(fieldName, fieldNameBytes);
    if (period < 1) return SW_WRONG_DATA;
  }
  let slot = targetSlot;
  const existing = findSlotByName(fieldName, fieldNameBytes);
  if (slot < 0) {
    slot = existing >= 0 ? existing : firstFreeSlot();
    if (slot < 0) return swForStatus(slot);
  } else if (existing >= 0 && existing != slot) {
    return SW_ALREADY_EXISTS; // the name belongs to another slot
  }
  const status = slotPut(<u32>slot, fieldName, fieldNameBytes, kind, algorithm, digits, <u32>period, counter, flags,
    fieldKey + 2, keyBytes);
  return swForStatus(status);
}

function findNamed(): i32 {
  if (fieldNameCount < 1 || !validName(fieldNameBytes)) return ERR_RANGE;
  return findSlotByName(fieldName, fieldNameBytes);
}

// @cold
function oathDelete(): u32 {
  if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (!parseFields(commandData, commandDataBytes, false) || fieldNameCount != 1) return SW_WRONG_DATA;
  const slot = findNamed();
  if (slot < 0) return swForStatus(slot);
  return swForStatus(slotDelete(<u32>slot));
}

function oathRename(): u32 {
  if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (!parseFields(commandData, commandDataBytes, false) || fieldNameCount != 2) return SW_WRONG_DATA;
  if (!validName(fieldName2Bytes)) return SW_WRONG_DATA;
  const slot = findNamed();
  if (slot < 0) return swForStatus(slot);
  const taken = findSlotByName(fieldName2, fieldName2Bytes);
  if (taken >= 0 && taken != slot) return SW_ALREADY_EXISTS;
  // The period lives in the name for YKOATH hosts; a rename may not change it behind the store's back.
  if (slotKind(<u32>slot) == KIND_TOTP && periodFromName(fieldName2, fieldName2Bytes) != <i32>slotPeriodSeconds(<u32>slot)) {
    return SW_WRONG_DATA;
  }
  return swForStatus(slotRename(<u32>slot, fieldName2, fieldName2Bytes));
}

function oathList(): u32 {
  if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (commandDataBytes != 0) return SW_WRONG_DATA;
  streamStart(STREAM_OATH_LIST);
  return SW_OK;
}

/** LIST entry: 72 len (type|algorithm) name. */
export function oathListEntry(): u32 {
  const slot = streamSlot;
  const open = pinOpen();
  const nameBytes = open ? slotNameCopy(slot, nameScratch, NAME_MAX_BYTES) : lockedName(slot);
  if (nameBytes < 0) return swForStatus(nameBytes);
  replyByte(TAG_NAME_LIST);
  replyByte(<u32>nameBytes + 1);
  replyByte(open ? typeByte(slot) | slotAlgorithm(slot) : TYPE_TOTP | 1); // locked: nothing but the count
  replyBytes(nameScratch, <u32>nameBytes);
  streamAdvance();
  return SW_OK;
}

// Locked (PIN): a placeholder "locked-NN" (NN the entry's ordinal) in place of the sealed name.
// @cold
function lockedName(slot: u32): i32 {
  let ordinal: u32 = 1;
  for (let s: u32 = 0; s < slot; s++) if (slotUsed(s)) ordinal++;
  store<u32>(nameScratch, 0x6b636f6c); // "lock"
  store<u16>(nameScratch + 4, 0x6465); // "ed"
  store<u8>(nameScratch + 6, 0x2d); // "-"
  store<u8>(nameScratch + 7, <u8>(0x30 + ordinal / 10 % 10));
  store<u8>(nameScratch + 8, <u8>(0x30 + ordinal % 10));
  if (ordinal < 100) return 9;
  store<u8>(nameScratch + 7, 0x31);
  store<u8>(nameScratch + 8, 0x30);
  store<u8>(nameScratch + 9, 0x30);
  return 10;
}

@inline
function typeByte(slot: u32): u32 {
  return slotKind(slot) == KIND_HOTP ? TYPE_HOTP : TYPE_TOTP;
}

/**
 * The response of one credential into the reply: 76 (digits, 31-bit value) or 75 (digits, HMAC).
 * HOTP advances the stored counter first (slotHotpNext), then answers for the old counter.
 */
export function writeResponse(slot: u32, challenge: usize, challengeBytes: u32, fullResponse: bool): u32 {
  let message = challenge;
  let messageBytes = challengeBytes;
  if (slotKind(slot) == KIND_HOTP) {
    const counter = slotCounterAdvance(slot); // persists counter + 1 before anything is answered
    if (counter < 0) return swForStatus(<i32>counter);
    store<u64>(counterMessage, bswap<u64>(<u64>counter));
    message = counterMessage;
    messageBytes = 8;
  }
  const digestBytes = slotHmac(slot, message, messageBytes, digest);
  if (digestBytes < 0) return swForStatus(digestBytes);
  const digits = slotDigits(slot);
  if (fullResponse) {
    replyByte(TAG_RESPONSE);
    replyByte(<u32>digestBytes + 1);
    replyByte(digits);
    replyBytes(digest, <u32>digestBytes);
  } else {
    const value = dynamicTruncate(digest, digestBytes);
    if (value == TRUNCATE_INVALID) return SW_UNKNOWN;
    replyByte(TAG_TRUNCATED);
    replyByte(5);
    replyByte(digits);
    replyU32(value);
  }
  memory.fill(digest, 0, <usize>DIGEST_MAX_BYTES);
  return SW_OK;
}

// A CALCULATE that waits for a press: what to compute when it comes.
let deferredSlot: u32 = 0;
let deferredFull: bool = false;
const deferredChallenge = memory.data(<i32>STREAM_CHALLENGE_MAX_BYTES);
let deferredChallengeBytes: u32 = 0;

function oathCalculate(): u32 {
  if (commandP1 != 0 || commandP2 > 1) return SW_WRONG_P1P2;
  if (!parseFields(commandData, commandDataBytes, false) || fieldNameCount != 1) return SW_WRONG_DATA;
  if (fieldChallengeBytes < 0 || <u32>fieldChallengeBytes > STREAM_CHALLENGE_MAX_BYTES) return SW_WRONG_DATA;
  const slot = findNamed();
  if (slot < 0) return swForStatus(slot);
  const full = commandP2 == 0;
  if ((slotFlags(<u32>slot) & FLAG_TOUCH) != 0) {
    deferredSlot = <u32>slot;
    deferredFull = full;
    memory.copy(deferredChallenge, fieldChallenge, <usize>fieldChallengeBytes);
    deferredChallengeBytes = <u32>fieldChallengeBytes;
    touchRequest(TOUCH_REASON_CREDENTIAL);
    return REPLY_DEFERRED;
  }
  return writeResponse(<u32>slot, fieldChallenge, <u32>fieldChallengeBytes, full);
}

/** The press came: computes the deferred CALCULATE into the reply. */
// @cold
export function oathCalculateAfterTouch(): u32 {
  const sw = writeResponse(deferredSlot, deferredChallenge, deferredChallengeBytes, deferredFull);
  memory.fill(deferredChallenge, 0, <usize>STREAM_CHALLENGE_MAX_BYTES);
  return sw;
}

function oathCalculateAll(): u32 {
  if (commandP1 != 0 || commandP2 > 1) return SW_WRONG_P1P2;
  if (!parseFields(commandData, commandDataBytes, false) || fieldNameCount != 0) return SW_WRONG_DATA;
  if (fieldChallengeBytes < 0 || <u32>fieldChallengeBytes > STREAM_CHALLENGE_MAX_BYTES) return SW_WRONG_DATA;
  if (fieldKeyBytes >= 0 || fieldResponseBytes >= 0 || fieldImfBytes >= 0) return SW_WRONG_DATA;
  streamStart(STREAM_OATH_CALCULATE_ALL);
  streamSetChallenge(fieldChallenge, <u32>fieldChallengeBytes, commandP2 == 0);
  return SW_OK;
}

/** CALCULATE ALL entry: 71 name, then 76/75 for TOTP, 77 (digits) for HOTP, 7C (digits) for touch. */
export function oathCalculateAllEntry(): u32 {
  const slot = streamSlot;
  const nameBytes = slotNameCopy(slot, nameScratch, NAME_MAX_BYTES);
  if (nameBytes < 0) return swForStatus(nameBytes);
  replyTlv(TAG_NAME, nameScratch, <u32>nameBytes);
  if (slotKind(slot) == KIND_HOTP || (slotFlags(slot) & FLAG_TOUCH) != 0) {
    replyByte(slotKind(slot) == KIND_HOTP ? TAG_HOTP : TAG_TOUCH);
    replyByte(1);
    replyByte(slotDigits(slot));
  } else {
    const sw = writeResponse(slot, streamChallenge, streamChallengeBytes, streamFullResponses);
    if (sw != SW_OK) return sw;
  }
  streamAdvance();
  return SW_OK;
}

const validateAnswer = memory.data(DIGEST_MAX_BYTES);

/** VALIDATE, shared with the extension applet. */
export function commandValidate(): u32 {
  if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (!parseFields(commandData, commandDataBytes, false) || fieldNameCount != 0) return SW_WRONG_DATA;
  if (fieldResponseBytes <= 0 || fieldChallengeBytes <= 0 || <u32>fieldChallengeBytes > STREAM_CHALLENGE_MAX_BYTES) {
    return SW_WRONG_DATA;
  }
  const answerBytes = accessValidate(fieldResponse, <u32>fieldResponseBytes, fieldChallenge, <u32>fieldChallengeBytes,
    validateAnswer);
  if (answerBytes < 0) return answerBytes == ERR_RANGE || answerBytes == ERR_NOT_FOUND ? SW_NO_SUCH_OBJECT : swForStatus(answerBytes);
  replyTlv(TAG_RESPONSE, validateAnswer, <u32>answerBytes);
  memory.fill(validateAnswer, 0, <usize>DIGEST_MAX_BYTES);
  return SW_OK;
}

function oathSetCode(): u32 {
  if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (!parseFields(commandData, commandDataBytes, false) || fieldNameCount != 0 || fieldKeyBytes < 0) return SW_WRONG_DATA;
  if (fieldKeyBytes == 0) {
    if (fieldChallengeBytes >= 0 || fieldResponseBytes >= 0) return SW_WRONG_DATA;
    return swForStatus(accessSetKey(0, 0, 0, 0, 0, 0, 0));
  }
  if (fieldKeyBytes < 2 || fieldChallengeBytes <= 0 || fieldResponseBytes <= 0) return SW_WRONG_DATA;
  if (<u32>fieldChallengeBytes > STREAM_CHALLENGE_MAX_BYTES) return SW_WRONG_DATA;
  const algorithm = <u32>load<u8>(fieldKey) & 0x0f;
  return swForStatus(accessSetKey(algorithm, fieldKey + 1, <u32>fieldKeyBytes - 1, fieldChallenge,
    <u32>fieldChallengeBytes, fieldResponse, <u32>fieldResponseBytes));
}

/** Deletes every credential and the access key; a new salt. */
export function deleteAllCredentials(): i32 {
  for (let slot: u32 = 0; slot < SLOT_COUNT; slot++) {
    if (!slotUsed(slot)) continue;
    const status = slotDelete(slot);
    if (status < 0) return status;
  }
  return OK;
}

// @cold
function oathReset(): u32 {
  if (commandP1 != 0xde || commandP2 != 0xad) return SW_WRONG_P1P2;
  if (commandDataBytes != 0) return SW_WRONG_DATA;
  const deleted = deleteAllCredentials();
  if (deleted < 0) return swForStatus(deleted);
  return swForStatus(accessResetRecord());
}

/** Runs one OATH command (the applet is selected; CLA already checked). */
export function oathCommand(): u32 {
  const ins = commandIns;
  if (commandCla != 0) return SW_CLA_NOT_SUPPORTED;
  if (ins == INS_RESET) return oathReset();
  if (ins == INS_VALIDATE) return commandValidate();
  const known = ins == INS_PUT || ins == INS_DELETE || ins == INS_SET_CODE || ins == INS_RENAME || ins == INS_LIST ||
    ins == INS_CALCULATE || ins == INS_CALCULATE_ALL;
  if (!known) return SW_INS_NOT_SUPPORTED;
  if (!accessUnlocked) return SW_SECURITY_NOT_SATISFIED;
  if (!pinOpen()) {
    // Locked by the PIN (docs/SPEC.md "PIN lock"): LIST gives a count only (nothing with the
    // hide-names option); no code, no change until the PIN is entered on the token.
    if (ins == INS_LIST && !pinHideNames()) return oathList();
    return SW_CONDITIONS_NOT_SATISFIED;
  }
  if (ins == INS_PUT) {
    if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
    if (!parseFields(commandData, commandDataBytes, true)) return SW_WRONG_DATA;
    return putCredential(-1, -1);
  }
  if (ins == INS_DELETE) return oathDelete();
  if (ins == INS_SET_CODE) return oathSetCode();
  if (ins == INS_RENAME) return oathRename();
  if (ins == INS_LIST) return oathList();
  if (ins == INS_CALCULATE) return oathCalculate();
  return oathCalculateAll();
}
