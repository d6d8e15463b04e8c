// The RAM index of the store: where each slot's and setting's current record lies, plus the few
// fields a menu needs without touching flash. Secrets and names stay on flash. 22 bytes per slot.
import { SLOT_COUNT, KIND_HOTP } from "./format";
import { SETTING_ID_LIMIT } from "./settings-ids";

// Region-relative offsets of records; 0 means none (offset 0 is a sector header, never a record).
const slotBaseTable = memory.data(<i32>SLOT_COUNT * 4);
const slotCounterRecordTable = memory.data(<i32>SLOT_COUNT * 4);
const slotCounterTable = memory.data(<i32>SLOT_COUNT * 8);
// kind | algorithm << 2 | digits << 4 | periodSeconds << 8 | flags << 16
const slotMetaTable = memory.data(<i32>SLOT_COUNT * 4);
// nameBytes | secretBytes << 8
const slotSizesTable = memory.data(<i32>SLOT_COUNT * 2);
const settingIntTable = memory.data(<i32>SETTING_ID_LIMIT * 4);
const settingBlobTable = memory.data(<i32>SETTING_ID_LIMIT * 4);

export const RAM_INDEX_BYTES: u32 = SLOT_COUNT * 22 + SETTING_ID_LIMIT * 8;

export function clearIndex(): void {
  memory.fill(slotBaseTable, 0, SLOT_COUNT * 4);
  memory.fill(slotCounterRecordTable, 0, SLOT_COUNT * 4);
  memory.fill(slotCounterTable, 0, SLOT_COUNT * 8);
  memory.fill(slotMetaTable, 0, SLOT_COUNT * 4);
  memory.fill(slotSizesTable, 0, SLOT_COUNT * 2);
  memory.fill(settingIntTable, 0, SETTING_ID_LIMIT * 4);
  memory.fill(settingBlobTable, 0, SETTING_ID_LIMIT * 4);
}

// @ts-ignore: decorator
@inline export function slotBase(slot: u32): u32 {
  return load<u32>(slotBaseTable + (<usize>slot << 2));
}
// @ts-ignore: decorator
@inline export function slotCounterRecord(slot: u32): u32 {
  return load<u32>(slotCounterRecordTable + (<usize>slot << 2));
}
// @ts-ignore: decorator
@inline export function setSlotCounterRecord(slot: u32, offset: u32): void {
  store<u32>(slotCounterRecordTable + (<usize>slot << 2), offset);
}
// @ts-ignore: decorator
@inline export function slotCounterValue(slot: u32): u64 {
  return load<u64>(slotCounterTable + (<usize>slot << 3));
}
// @ts-ignore: decorator
@inline export function setSlotCounterValue(slot: u32, counter: u64): void {
  store<u64>(slotCounterTable + (<usize>slot << 3), counter);
}
// @ts-ignore: decorator
@inline export function slotMeta(slot: u32): u32 {
  return load<u32>(slotMetaTable + (<usize>slot << 2));
}
// @ts-ignore: decorator
@inline export function slotNameBytes(slot: u32): u32 {
  return <u32>load<u8>(slotSizesTable + (<usize>slot << 1));
}
// @ts-ignore: decorator
@inline export function slotSecretBytes(slot: u32): u32 {
  return <u32>load<u8>(slotSizesTable + (<usize>slot << 1) + 1);
}

/** Records that `slot` now holds the slot record at `offset` with these fields. */
export function setSlot(slot: u32, offset: u32, meta: u32, nameBytes: u32, secretBytes: u32, counter: u64): void {
  store<u32>(slotBaseTable + (<usize>slot << 2), offset);
  store<u32>(slotMetaTable + (<usize>slot << 2), meta);
  store<u8>(slotSizesTable + (<usize>slot << 1), <u8>nameBytes);
  store<u8>(slotSizesTable + (<usize>slot << 1) + 1, <u8>secretBytes);
  setSlotCounterValue(slot, counter);
  setSlotCounterRecord(slot, 0);
}

/** Moves only the base record of a slot (a compaction copied it; the fields are unchanged). */
export function setSlotBase(slot: u32, offset: u32): void {
  store<u32>(slotBaseTable + (<usize>slot << 2), offset);
}

export function clearSlot(slot: u32): void {
  setSlot(slot, 0, 0, 0, 0, 0);
}

export function packMeta(kind: u32, algorithm: u32, digits: u32, periodSeconds: u32, flags: u32): u32 {
  return (kind & 3) | ((algorithm & 3) << 2) | ((digits & 15) << 4) | ((periodSeconds & 0xff) << 8) | (flags << 16);
}
// @ts-ignore: decorator
@inline export function metaKind(meta: u32): u32 { return meta & 3; }
// @ts-ignore: decorator
@inline export function metaAlgorithm(meta: u32): u32 { return (meta >>> 2) & 3; }
// @ts-ignore: decorator
@inline export function metaDigits(meta: u32): u32 { return (meta >>> 4) & 15; }
// @ts-ignore: decorator
@inline export function metaPeriod(meta: u32): u32 { return (meta >>> 8) & 0xff; }
// @ts-ignore: decorator
@inline export function metaFlags(meta: u32): u32 { return meta >>> 16; }

// @ts-ignore: decorator
@inline export function settingIntRecord(id: u32): u32 {
  return load<u32>(settingIntTable + (<usize>id << 2));
}
// @ts-ignore: decorator
@inline export function setSettingIntRecord(id: u32, offset: u32): void {
  store<u32>(settingIntTable + (<usize>id << 2), offset);
}
// @ts-ignore: decorator
@inline export function settingBlobRecord(id: u32): u32 {
  return load<u32>(settingBlobTable + (<usize>id << 2));
}
// @ts-ignore: decorator
@inline export function setSettingBlobRecord(id: u32, offset: u32): void {
  store<u32>(settingBlobTable + (<usize>id << 2), offset);
}

/** True when `slot` is a HOTP slot (its counter records count against the capacity). */
export function slotIsHotp(slot: u32): bool {
  return metaKind(slotMeta(slot)) == KIND_HOTP;
}
