// The RAM index of the store: where each slot's and setting's current record lies, plus the few
// fields a menu needs without touching flash. Secrets and names stay on flash; an 8-bit hash of a
// name lets a lookup by name skip other slots without reading their records. 23 bytes per slot.
import { SLOT_COUNT, KIND_HOTP } from "./format";
import { SETTING_ID_LIMIT } from "./settings-ids";

// Region-relative offsets of records; 0 means none (offset 0 is a sector header, never a record).
const slotBaseTable = memory.data(<i32>SLOT_COUNT * 4);
const slotCounterRecordTable = memory.data(<i32>SLOT_COUNT * 4);
const slotCounterTable = memory.data(<i32>SLOT_COUNT * 8);
// kind | algorithm << 2 | digits << 4 | periodSeconds << 8 | flags << 16
const slotMetaTable = memory.data(<i32>SLOT_COUNT * 4);
// nameBytes | keyFieldBytes << 8
const slotSizesTable = memory.data(<i32>SLOT_COUNT * 2);
// nameHash8 of the slot's name, or NAME_HASH_UNKNOWN until the name was seen (store/index.ts).
const slotNameHashTable = memory.data(<i32>SLOT_COUNT);
const settingIntTable = memory.data(<i32>SETTING_ID_LIMIT * 4);
const settingBlobTable = memory.data(<i32>SETTING_ID_LIMIT * 4);

export const RAM_INDEX_BYTES: u32 = SLOT_COUNT * 23 + SETTING_ID_LIMIT * 8;
/** A name hash not known (never 0 for a name: nameHash8 maps 0 to 1). */
export const NAME_HASH_UNKNOWN: u8 = 0;

export function clearIndex(): void {
  memory.fill(slotBaseTable, 0, SLOT_COUNT * 4);
  memory.fill(slotCounterRecordTable, 0, SLOT_COUNT * 4);
  memory.fill(slotCounterTable, 0, SLOT_COUNT * 8);
  memory.fill(slotMetaTable, 0, SLOT_COUNT * 4);
  memory.fill(slotSizesTable, 0, SLOT_COUNT * 2);
  memory.fill(slotNameHashTable, NAME_HASH_UNKNOWN, SLOT_COUNT);
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

// @ts-ignore: decorator
@inline export function slotNameHash(slot: u32): u8 {
  return load<u8>(slotNameHashTable + <usize>slot);
}
// @ts-ignore: decorator
@inline export function setSlotNameHash(slot: u32, hash: u8): void {
  store<u8>(slotNameHashTable + <usize>slot, hash);
}

/** Forgets every name hash (at lock: a sealed name's hash must not outlive the data key). */
export function forgetNameHashes(): void {
  memory.fill(slotNameHashTable, NAME_HASH_UNKNOWN, SLOT_COUNT);
}

/** Records that `slot` now holds the slot record at `offset` with these fields; its name hash is
 *  unknown until set. */
export function setSlot(slot: u32, offset: u32, meta: u32, nameBytes: u32, keyFieldBytes: u32, counter: u64): void {
  store<u32>(slotBaseTable + (<usize>slot << 2), offset);
  store<u32>(slotMetaTable + (<usize>slot << 2), meta);
  store<u8>(slotSizesTable + (<usize>slot << 1), <u8>nameBytes);
  store<u8>(slotSizesTable + (<usize>slot << 1) + 1, <u8>keyFieldBytes);
  setSlotNameHash(slot, NAME_HASH_UNKNOWN);
  setSlotCounterValue(slot, counter);
  setSlotCounterRecord(slot, 0);
}

/** An 8-bit hash of a name (FNV-1a folded), never NAME_HASH_UNKNOWN. Not secret-safe: names only. */
export function nameHash8(name: usize, nameBytes: u32): u8 {
  let h: u32 = 0x811c9dc5;
  const end = name + <usize>nameBytes;
  for (let at = name; at < end; at++) h = (h ^ <u32>load<u8>(at)) * 0x01000193;
  h ^= h >>> 16;
  h ^= h >>> 8;
  const folded = <u8>h;
  return folded == NAME_HASH_UNKNOWN ? 1 : folded;
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
