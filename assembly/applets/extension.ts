// The totpkey extension applet (AID F0 74 6F 74 70 6B 65 79 01: category F = proprietary, not
// registered, then "totpkey" and version 1): what YKOATH lacks. Slot-addressed PUT, DELETE and
// MOVE, a slot list with metadata, device info, the clock with its drift report, typing and display
// settings, and a factory reset confirmed by a press on the token. docs/SPEC.md ("APDU applets").
import { host_info } from "../abi";
import {
  SW_OK, SW_WRONG_DATA, SW_WRONG_P1P2, SW_INS_NOT_SUPPORTED, SW_SECURITY_NOT_SATISFIED, SW_CLA_NOT_SUPPORTED,
  SW_WRONG_LENGTH, commandCla, commandIns, commandP1, commandP2, commandData, commandDataBytes,
  replyByte, replyBytes, replyTlv, replyU32, replyCursor, replyAdvance,
} from "./apdu";
import {
  SLOT_COUNT, NAME_MAX_BYTES, KIND_HOTP, slotUsed, slotDelete, slotMove, slotNameCopy, slotKind, slotAlgorithm,
  slotDigits, slotPeriodSeconds, slotFlags, slotsUsedCount, storeUsedBytes, storeCapacityBytes, storeWipe,
  settingGet, settingPut,
} from "../store/index";
import {
  SETTING_KEYBOARD_LAYOUT, SETTING_TYPING_MODE, SETTING_AFTER_CODE, SETTING_DISPLAY_TIMEOUT_SECONDS,
  SETTING_TYPING_PACE_MS,
} from "../store/settings-ids";
import { clockNow, clockSet, clockDriftPpb, clockCalibrationSamples, clockPendingConfirm, CLOCK_PENDING } from "../clock/index";
import { ERR_NO_TIME } from "../status";
import { accessUnlocked, accessResetRecord } from "./access";
import { parseFields, putCredential, fieldPeriod, swForStatus, commandValidate, REPLY_DEFERRED, INS_VALIDATE } from "./oath";
import { STREAM_EXTENSION_SLOTS, streamStart, streamSlot, streamAdvance } from "./stream";
import { touchRequest, TOUCH_REASON_FACTORY_RESET } from "./touch";
import { INS_PIN, extensionPin, replyPinInfo } from "./pin-commands";
import { SW_CONDITIONS_NOT_SATISFIED } from "./apdu";
import { pinOpen, pinAfterWipe } from "../pin";
import { SETTING_PIN_IDLE_LOCK_SECONDS, SETTING_PIN_HIDE_NAMES } from "../store/settings-ids";

export const MODULE_VERSION_MAJOR: u32 = 0;
export const MODULE_VERSION_MINOR: u32 = 1;
export const MODULE_VERSION_PATCH: u32 = 0;

export const CLA_PROPRIETARY: u32 = 0x80;
export const INS_PUT_SLOT: u32 = 0x01;
export const INS_DELETE_SLOT: u32 = 0x02;
export const INS_MOVE_SLOT: u32 = 0x03;
export const INS_LIST_SLOTS: u32 = 0x04;
export const INS_DEVICE_INFO: u32 = 0x10;
export const INS_GET_CLOCK: u32 = 0x20;
export const INS_SET_CLOCK: u32 = 0x21;
export const INS_GET_SETTING: u32 = 0x30;
export const INS_PUT_SETTING: u32 = 0x31;
export const INS_FACTORY_RESET: u32 = 0x40;

const TAG_SLOT_ENTRY: u32 = 0x70;
const HOST_INFO_CAPACITY_BYTES: u32 = 96;
const hostInfo = memory.data(<i32>HOST_INFO_CAPACITY_BYTES);
const nameScratch = memory.data(<i32>NAME_MAX_BYTES);

@inline
function validSlot(slot: u32): bool {
  return slot < SLOT_COUNT;
}

// @cold
function putSlot(): u32 {
  if (!validSlot(commandP1) || commandP2 != 0) return SW_WRONG_P1P2;
  if (!parseFields(commandData, commandDataBytes, true, true)) return SW_WRONG_DATA;
  return putCredential(<i32>commandP1, fieldPeriod);
}

// @cold
function deleteSlot(): u32 {
  if (!validSlot(commandP1) || commandP2 != 0) return SW_WRONG_P1P2;
  if (commandDataBytes != 0) return SW_WRONG_DATA;
  return swForStatus(slotDelete(commandP1));
}

// @cold
function moveSlot(): u32 {
  if (!validSlot(commandP1) || !validSlot(commandP2)) return SW_WRONG_P1P2;
  if (commandDataBytes != 0) return SW_WRONG_DATA;
  return swForStatus(slotMove(commandP1, commandP2));
}

function listSlots(): u32 {
  if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (commandDataBytes != 0) return SW_WRONG_DATA;
  streamStart(STREAM_EXTENSION_SLOTS);
  return SW_OK;
}

/** Slot list entry: 70 len slot (type|algorithm) digits period flags name. */
export function extensionSlotEntry(): u32 {
  const slot = streamSlot;
  const nameBytes = slotNameCopy(slot, nameScratch, NAME_MAX_BYTES);
  if (nameBytes < 0) return swForStatus(nameBytes);
  replyByte(TAG_SLOT_ENTRY);
  replyByte(<u32>nameBytes + 5);
  replyByte(slot);
  replyByte((slotKind(slot) == KIND_HOTP ? 0x10 : 0x20) | slotAlgorithm(slot));
  replyByte(slotDigits(slot));
  replyByte(slotKind(slot) == KIND_HOTP ? 0 : slotPeriodSeconds(slot));
  replyByte(slotFlags(slot));
  replyBytes(nameScratch, <u32>nameBytes);
  streamAdvance();
  return SW_OK;
}

function replyI64(value: i64): void {
  replyU32(<u32>(value >> 32));
  replyU32(<u32>value);
}

function deviceInfo(): u32 {
  if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (commandDataBytes != 0) return SW_WRONG_DATA;
  replyByte(0x01);
  replyByte(3);
  replyByte(MODULE_VERSION_MAJOR);
  replyByte(MODULE_VERSION_MINOR);
  replyByte(MODULE_VERSION_PATCH);
  const infoBytes = host_info(hostInfo, HOST_INFO_CAPACITY_BYTES);
  if (infoBytes >= 32) {
    replyTlv(0x02, hostInfo, 32);
    replyTlv(0x03, hostInfo + 32, infoBytes - 32);
  }
  const used = slotsUsedCount();
  replyByte(0x04); replyByte(1); replyByte(used);
  replyByte(0x05); replyByte(1); replyByte(SLOT_COUNT - used);
  replyByte(0x06); replyByte(4); replyU32(storeUsedBytes());
  replyByte(0x07); replyByte(4); replyU32(storeCapacityBytes());
  replyPinInfo();
  return SW_OK;
}

function getClock(): u32 {
  if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (commandDataBytes != 0) return SW_WRONG_DATA;
  const now = clockNow();
  if (now != <i64>ERR_NO_TIME && now >= 0) {
    replyByte(0x01); replyByte(8); replyI64(now);
  }
  replyByte(0x02); replyByte(4); replyU32(<u32><i32>clockDriftPpb());
  replyByte(0x03); replyByte(1); replyByte(<u32>clockCalibrationSamples());
  replyByte(0x04); replyByte(1); replyByte(clockPendingConfirm() ? 1 : 0);
  return SW_OK;
}

// @cold
function setClock(): u32 {
  if (commandP1 != 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (commandDataBytes != 8) return SW_WRONG_LENGTH;
  const seconds = <i64>bswap<u64>(load<u64>(commandData));
  const status = clockSet(seconds);
  if (status < 0) return swForStatus(status);
  replyByte(status == CLOCK_PENDING ? 1 : 0);
  return SW_OK;
}

/** Settings a host may read and write here, with their largest value. */
function settingMaximum(id: u32): i32 {
  if (id == SETTING_KEYBOARD_LAYOUT) return 255;
  if (id == SETTING_TYPING_MODE) return 255;
  if (id == SETTING_AFTER_CODE) return 2;
  if (id == SETTING_DISPLAY_TIMEOUT_SECONDS) return 3600;
  if (id == SETTING_TYPING_PACE_MS) return 1000;
  if (id == SETTING_PIN_IDLE_LOCK_SECONDS) return 86400;
  if (id == SETTING_PIN_HIDE_NAMES) return 1;
  return -1;
}

function getSetting(): u32 {
  if (settingMaximum(commandP1) < 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (commandDataBytes != 0) return SW_WRONG_DATA;
  // A stored value is the same whatever default is offered; an unset one is not.
  const first = settingGet(commandP1, 0);
  const second = settingGet(commandP1, 1);
  if (first != second) return 0x6a88; // referenced data not found: never set
  replyU32(<u32>first);
  return SW_OK;
}

// @cold
function putSetting(): u32 {
  const maximum = settingMaximum(commandP1);
  if (maximum < 0 || commandP2 != 0) return SW_WRONG_P1P2;
  if (commandDataBytes != 4) return SW_WRONG_LENGTH;
  const value = <i32>bswap<u32>(load<u32>(commandData));
  if (value < 0 || value > maximum) return SW_WRONG_DATA;
  return swForStatus(settingPut(commandP1, value));
}

// @cold
function factoryReset(): u32 {
  if (commandP1 != 0xde || commandP2 != 0xad) return SW_WRONG_P1P2;
  if (commandDataBytes != 0) return SW_WRONG_DATA;
  touchRequest(TOUCH_REASON_FACTORY_RESET);
  return REPLY_DEFERRED;
}

/** The press came: wipes every slot and setting. */
export function extensionFactoryResetAfterTouch(): u32 {
  const wiped = storeWipe();
  pinAfterWipe(); // the PIN record went with everything else
  if (wiped < 0) return swForStatus(wiped);
  return swForStatus(accessResetRecord()); // a new salt, no password
}

/** Runs one extension command (the applet is selected). */
export function extensionCommand(): u32 {
  const ins = commandIns;
  if (commandCla == 0 && ins == INS_VALIDATE) return commandValidate();
  if (commandCla != CLA_PROPRIETARY) return SW_CLA_NOT_SUPPORTED;
  if (ins == INS_DEVICE_INFO) return deviceInfo();
  if (ins == INS_GET_CLOCK) return getClock();
  if (ins == INS_FACTORY_RESET) return factoryReset();
  const known = ins == INS_PUT_SLOT || ins == INS_DELETE_SLOT || ins == INS_MOVE_SLOT || ins == INS_LIST_SLOTS ||
    ins == INS_SET_CLOCK || ins == INS_GET_SETTING || ins == INS_PUT_SETTING || ins == INS_PIN;
  if (!known) return SW_INS_NOT_SUPPORTED;
  if (!accessUnlocked) return SW_SECURITY_NOT_SATISFIED;
  if (ins == INS_PIN) return extensionPin();
  if (!pinOpen()) return SW_CONDITIONS_NOT_SATISFIED; // locked: DEVICE INFO, clock and reset only
  if (ins == INS_PUT_SLOT) return putSlot();
  if (ins == INS_DELETE_SLOT) return deleteSlot();
  if (ins == INS_MOVE_SLOT) return moveSlot();
  if (ins == INS_LIST_SLOTS) return listSlots();
  if (ins == INS_SET_CLOCK) return setClock();
  if (ins == INS_GET_SETTING) return getSetting();
  return putSetting();
}
