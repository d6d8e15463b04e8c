// The slot store: 100 write-only credential slots and the device settings, in a log-structured
// region of NOR flash that survives a power cut at any point (docs/SPEC.md, "Flash format").
// Every operation validates its input first and changes nothing on error. No function returns
// secret bytes; codes are computed here (codes.ts) from the secret read off flash.
import { OK, ERR_RANGE, ERR_ALGORITHM, ERR_KEY_LENGTH, ERR_NAME_LENGTH, ERR_FULL, ERR_NOT_FOUND, ERR_STATE, ERR_CORRUPT } from "../status";
import {
  SLOT_COUNT, NAME_MAX_BYTES, SECRET_MAX_BYTES, BLOB_MAX_BYTES, KIND_HOTP, KIND_TOTP, FLAGS_MASK, DIGITS_MIN,
  DIGITS_MAX, PERIOD_SECONDS_MIN, PERIOD_SECONDS_MAX, RECORD_HEADER_BYTES, RECORD_SLOT, RECORD_COUNTER,
  RECORD_DELETE, RECORD_WIPE, RECORD_SETTING_INT, RECORD_SETTING_BLOB, ENCODING_PLAIN, HEADER_PAYLOAD_BYTES,
  HEADER_ENCODING, ENCODING_KEY_PREPARED, SLOT_INDEX, SLOT_VACATES, SLOT_KIND, SLOT_ALGORITHM, SLOT_DIGITS, SLOT_PERIOD, SLOT_FLAGS,
  SLOT_COUNTER, SLOT_NAME_BYTES, SLOT_SECRET_BYTES, SLOT_NAME, SLOT_FIXED_BYTES, NO_SLOT, COUNTER_PAYLOAD_BYTES,
  SETTING_INT_PAYLOAD_BYTES, recordFootprint,
} from "./format";
import { SETTING_ID_LIMIT } from "./settings-ids";
import { sectorCount, sectorState, readFlash, eraseSector, SECTOR_FREE } from "./flash";
import { recordBuffer, appendRecord, headSector, openFreshHead, logCapacityBytes, prepareSpare, compactWhenIdle } from "./log";
import { storeMounted } from "./mount";
import {
  clearIndex, clearSlot, setSlot, packMeta, slotBase, slotMeta, slotNameBytes, slotSecretBytes, slotCounterValue,
  setSlotCounterValue, setSlotCounterRecord, metaKind, metaAlgorithm, metaDigits, metaPeriod, metaFlags,
  settingIntRecord, setSettingIntRecord, settingBlobRecord, setSettingBlobRecord, slotIsHotp, slotNameHash,
  setSlotNameHash, nameHash8, NAME_HASH_UNKNOWN,
} from "./ram";
import { RAM_INDEX_BYTES } from "./ram";
import { FLASH_STATIC_BYTES } from "./flash";
import { LOG_STATIC_BYTES } from "./log";
import { CODES_STATIC_BYTES, writeKeyField } from "./codes";
import { packedKeyBytes } from "../otp";
import { isValidUtf8, loadSlotRecord, scrubRecordBuffer } from "./slot-record";
import { SEAL_OVERHEAD_BYTES } from "./format";
import { storeSealing, storeWritable, sealSlotPayload, sealedEncoding, openSlotRecord, loadSlotName } from "./sealed";

export {
  SLOT_COUNT, NAME_MAX_BYTES, SECRET_MAX_BYTES, BLOB_MAX_BYTES, KIND_HOTP, KIND_TOTP, FLAG_TOUCH,
} from "./format";
export { storeMount } from "./mount";
export { slotTotp, slotHotpNext, slotHmac, slotCounterAdvance } from "./codes";

/** Bytes of static memory the store uses (RAM index, sector table, buffers, key context). */
export const STORE_STATIC_BYTES: u32 = RAM_INDEX_BYTES + FLASH_STATIC_BYTES + LOG_STATIC_BYTES + CODES_STATIC_BYTES;

const PAYLOAD = recordBuffer + <usize>RECORD_HEADER_BYTES;

// ---- capacity ------------------------------------------------------------------------------------

// While a PIN is set every slot counts as sealed (conservative while plain ones are being sealed).
// `keyFieldBytes` is the stored key field's length (the packed key; a first-form record's raw key).
function slotFootprint(kind: u32, nameBytes: u32, keyFieldBytes: u32): u32 {
  const sealBytes = storeSealing() ? SEAL_OVERHEAD_BYTES : 0;
  const base = recordFootprint(SLOT_FIXED_BYTES + nameBytes + keyFieldBytes + sealBytes);
  return kind == KIND_HOTP ? base + recordFootprint(COUNTER_PAYLOAD_BYTES) : base;
}

/** Bytes the live records count against storeCapacityBytes(), each with its worst-case padding;
 *  a HOTP slot includes room for its counter record. */
export function storeUsedBytes(): u32 {
  let used: u32 = 0;
  for (let slot: u32 = 0; slot < SLOT_COUNT; slot++) {
    if (slotBase(slot) != 0) used += slotFootprint(metaKind(slotMeta(slot)), slotNameBytes(slot), slotSecretBytes(slot));
  }
  for (let id: u32 = 0; id < SETTING_ID_LIMIT; id++) {
    if (settingIntRecord(id) != 0) used += recordFootprint(SETTING_INT_PAYLOAD_BYTES);
    const blob = settingBlobRecord(id);
    if (blob != 0) used += recordFootprint(blobPayloadBytes(blob));
  }
  return used;
}

export function storeCapacityBytes(): u32 {
  return storeMounted ? logCapacityBytes() : 0;
}

// Whether the store can take a change that frees `freedBytes` and adds `addedBytes` of footprint.
function fits(freedBytes: u32, addedBytes: u32): bool {
  return storeUsedBytes() - freedBytes + addedBytes <= logCapacityBytes();
}

function blobPayloadBytes(offset: u32): u32 {
  if (readFlash(offset + <u32>HEADER_PAYLOAD_BYTES, PAYLOAD, 1) < 0) return 1;
  return <u32>load<u8>(PAYLOAD);
}

// ---- slots: queries ------------------------------------------------------------------------------

@inline
export function slotUsed(slot: u32): bool {
  return slot < SLOT_COUNT && slotBase(slot) != 0;
}

export function slotsUsedCount(): u32 {
  let count: u32 = 0;
  for (let slot: u32 = 0; slot < SLOT_COUNT; slot++) if (slotBase(slot) != 0) count++;
  return count;
}

/** The lowest free slot, or ERR_FULL. */
export function firstFreeSlot(): i32 {
  if (!storeMounted) return ERR_STATE;
  for (let slot: u32 = 0; slot < SLOT_COUNT; slot++) if (slotBase(slot) == 0) return <i32>slot;
  return ERR_FULL;
}

/** The lowest slot whose name equals the `nameBytes` bytes at `name`, or ERR_NOT_FOUND. Slots
 *  whose name length or known name hash differ are skipped without reading flash; the others are
 *  compared byte for byte. */
export function findSlotByName(name: usize, nameBytes: u32): i32 {
  if (!storeMounted) return ERR_STATE;
  if (nameBytes == 0 || nameBytes > NAME_MAX_BYTES) return ERR_NOT_FOUND;
  const hash = nameHash8(name, nameBytes);
  for (let slot: u32 = 0; slot < SLOT_COUNT; slot++) {
    if (slotBase(slot) == 0 || slotNameBytes(slot) != nameBytes) continue;
    const known = slotNameHash(slot);
    if (known != NAME_HASH_UNKNOWN && known != hash) continue;
    if (loadSlotName(slot) < 0) continue; // plain name at recordBuffer (sealed: opened, or skipped while locked)
    const same = memory.compare(recordBuffer, name, nameBytes) == 0;
    scrubRecordBuffer();
    if (same) return <i32>slot;
  }
  return ERR_NOT_FOUND;
}

/** Copies the slot's name (UTF-8) to `dst`: its length, ERR_NOT_FOUND, or ERR_RANGE when
 *  `capacity` is too small (nothing copied). */
export function slotNameCopy(slot: u32, dst: usize, capacity: u32): i32 {
  if (!slotUsed(slot)) return ERR_NOT_FOUND;
  const nameBytes = slotNameBytes(slot);
  if (capacity < nameBytes) return ERR_RANGE;
  const loaded = loadSlotName(slot); // ERR_STATE for a sealed name while locked
  if (loaded < 0) return loaded;
  memory.copy(dst, recordBuffer, nameBytes);
  scrubRecordBuffer();
  return <i32>nameBytes;
}

// Metadata of an empty or out-of-range slot reads as 0.
@inline
export function slotKind(slot: u32): u32 { return slotUsed(slot) ? metaKind(slotMeta(slot)) : 0; }
@inline
export function slotAlgorithm(slot: u32): u32 { return slotUsed(slot) ? metaAlgorithm(slotMeta(slot)) : 0; }
export function slotDigits(slot: u32): u32 { return slotUsed(slot) ? metaDigits(slotMeta(slot)) : 0; }
export function slotPeriodSeconds(slot: u32): u32 { return slotUsed(slot) ? metaPeriod(slotMeta(slot)) : 0; }
export function slotCounter(slot: u32): u64 { return slotUsed(slot) ? slotCounterValue(slot) : 0; }
export function slotFlags(slot: u32): u32 { return slotUsed(slot) ? metaFlags(slotMeta(slot)) : 0; }

// ---- slots: changes ------------------------------------------------------------------------------

// The first error a put would return, or OK.
function checkPut(slot: u32, nameBytes: u32, kind: u32, algorithm: u32, digits: u32, periodSeconds: u32,
  flags: u32, secretBytes: u32): i32 {
  if (!storeMounted || !storeWritable()) return ERR_STATE; // locked: nothing can be sealed
  if (slot >= SLOT_COUNT) return ERR_RANGE;
  if (nameBytes == 0 || nameBytes > NAME_MAX_BYTES) return ERR_NAME_LENGTH;
  if (secretBytes == 0 || secretBytes > SECRET_MAX_BYTES) return ERR_KEY_LENGTH;
  if (kind != KIND_HOTP && kind != KIND_TOTP) return ERR_RANGE;
  if (algorithm < 1 || algorithm > 3) return ERR_ALGORITHM;
  if (digits < DIGITS_MIN || digits > DIGITS_MAX) return ERR_RANGE;
  if (kind == KIND_TOTP && (periodSeconds < PERIOD_SECONDS_MIN || periodSeconds > PERIOD_SECONDS_MAX)) return ERR_RANGE;
  if ((flags & ~FLAGS_MASK) != 0) return ERR_RANGE;
  return OK;
}

/**
 * Stores a credential in `slot` (new or overwrite) as one record: after a power cut the slot holds
 * either its old or its new content. TOTP slots keep `periodSeconds` (1..255) and no counter; HOTP
 * slots keep `counter` and period 0. The name must be valid UTF-8. The raw key (1..128 bytes) is
 * not stored: the record holds the HMAC key prepared from it (the packed chaining values).
 */
export function slotPut(slot: u32, name: usize, nameBytes: u32, kind: u32, algorithm: u32, digits: u32,
  periodSeconds: u32, counter: u64, flags: u32, secret: usize, secretBytes: u32): i32 {
  const invalid = checkPut(slot, nameBytes, kind, algorithm, digits, periodSeconds, flags, secretBytes);
  if (invalid < 0) return invalid;
  if (!isValidUtf8(name, nameBytes)) return ERR_RANGE;
  const fieldBytes = <u32>packedKeyBytes(algorithm);
  const freed = slotBase(slot) != 0 ? slotFootprint(metaKind(slotMeta(slot)), slotNameBytes(slot), slotSecretBytes(slot)) : 0;
  if (!fits(freed, slotFootprint(kind, nameBytes, fieldBytes))) return ERR_FULL;
  const period = kind == KIND_TOTP ? periodSeconds : 0;
  const storedCounter: u64 = kind == KIND_HOTP ? counter : 0;
  store<u8>(PAYLOAD + SLOT_INDEX, <u8>slot);
  store<u8>(PAYLOAD + SLOT_VACATES, NO_SLOT);
  store<u8>(PAYLOAD + SLOT_KIND, <u8>kind);
  store<u8>(PAYLOAD + SLOT_ALGORITHM, <u8>algorithm);
  store<u8>(PAYLOAD + SLOT_DIGITS, <u8>digits);
  store<u8>(PAYLOAD + SLOT_PERIOD, <u8>period);
  store<u16>(PAYLOAD + SLOT_FLAGS, <u16>flags);
  store<u64>(PAYLOAD + SLOT_COUNTER, storedCounter);
  store<u8>(PAYLOAD + SLOT_NAME_BYTES, <u8>nameBytes);
  store<u8>(PAYLOAD + SLOT_SECRET_BYTES, <u8>fieldBytes);
  memory.copy(PAYLOAD + SLOT_NAME, name, nameBytes);
  const written = writeKeyField(algorithm, secret, secretBytes, PAYLOAD + SLOT_NAME + <usize>nameBytes);
  const payloadBytes = written < 0 ? written : sealSlotPayload(PAYLOAD, SLOT_FIXED_BYTES + nameBytes + fieldBytes);
  if (payloadBytes < 0) {
    scrubRecordBuffer();
    return payloadBytes;
  }
  const at = appendRecord(recordBuffer, RECORD_SLOT, <u32>payloadBytes, sealedEncoding | ENCODING_KEY_PREPARED, false);
  scrubRecordBuffer();
  if (at < 0) return at;
  setSlot(slot, <u32>at, packMeta(kind, algorithm, digits, period, flags), nameBytes, fieldBytes, storedCounter);
  setSlotNameHash(slot, nameHash8(name, nameBytes));
  prepareSpare();
  return OK;
}

/** Empties a slot: ERR_NOT_FOUND when it is empty. */
export function slotDelete(slot: u32): i32 {
  if (!storeMounted) return ERR_STATE;
  if (slot >= SLOT_COUNT) return ERR_RANGE;
  if (slotBase(slot) == 0) return ERR_NOT_FOUND;
  store<u8>(PAYLOAD, <u8>slot);
  const at = appendRecord(recordBuffer, RECORD_DELETE, 1, ENCODING_PLAIN, false);
  if (at < 0) return at;
  clearSlot(slot);
  prepareSpare();
  return OK;
}

// Rewrites the slot record of `fromSlot` as `toSlot` with a new name (or the same), emptying
// `fromSlot` when they differ, all in one record. The counter goes along; a first-form record's
// raw key is rewritten prepared.
function rewriteSlot(fromSlot: u32, toSlot: u32, name: usize, nameBytes: u32): i32 {
  if (!storeWritable()) return ERR_STATE;
  const loaded = loadSlotRecord(fromSlot);
  if (loaded < 0) return loaded;
  const opened = openSlotRecord(recordBuffer); // from here on the payload is plain
  if (opened < 0) {
    scrubRecordBuffer();
    return opened;
  }
  const oldNameBytes = slotNameBytes(fromSlot);
  const oldFieldBytes = slotSecretBytes(fromSlot);
  const meta = slotMeta(fromSlot);
  const counter = slotCounterValue(fromSlot);
  const keyPrepared = (load<u8>(recordBuffer + HEADER_ENCODING) & ENCODING_KEY_PREPARED) != 0;
  const fieldBytes = keyPrepared ? oldFieldBytes : <u32>packedKeyBytes(metaAlgorithm(meta));
  const freed = slotFootprint(metaKind(meta), oldNameBytes, oldFieldBytes);
  if (!fits(freed, slotFootprint(metaKind(meta), nameBytes, fieldBytes))) {
    scrubRecordBuffer();
    return ERR_FULL;
  }
  const oldField = PAYLOAD + SLOT_NAME + <usize>oldNameBytes;
  const field = PAYLOAD + SLOT_NAME + <usize>nameBytes;
  const written = keyPrepared ? <i32>fieldBytes : writeKeyField(metaAlgorithm(meta), oldField, oldFieldBytes, field);
  if (keyPrepared) memory.copy(field, oldField, fieldBytes);
  if (name != 0) memory.copy(PAYLOAD + SLOT_NAME, name, nameBytes);
  store<u8>(PAYLOAD + SLOT_INDEX, <u8>toSlot);
  store<u8>(PAYLOAD + SLOT_VACATES, fromSlot != toSlot ? <u8>fromSlot : NO_SLOT);
  store<u64>(PAYLOAD + SLOT_COUNTER, counter);
  store<u8>(PAYLOAD + SLOT_NAME_BYTES, <u8>nameBytes);
  store<u8>(PAYLOAD + SLOT_SECRET_BYTES, <u8>fieldBytes);
  // Sealed while a PIN is set.
  const payloadBytes = written < 0 ? written : sealSlotPayload(PAYLOAD, SLOT_FIXED_BYTES + nameBytes + fieldBytes);
  if (payloadBytes < 0) {
    scrubRecordBuffer();
    return payloadBytes;
  }
  const at = appendRecord(recordBuffer, RECORD_SLOT, <u32>payloadBytes, sealedEncoding | ENCODING_KEY_PREPARED, false);
  scrubRecordBuffer();
  if (at < 0) return at;
  const hash = name != 0 ? nameHash8(name, nameBytes) : slotNameHash(fromSlot); // a move keeps the name
  if (fromSlot != toSlot) clearSlot(fromSlot);
  setSlot(toSlot, <u32>at, meta, nameBytes, fieldBytes, counter);
  setSlotNameHash(toSlot, hash);
  prepareSpare();
  return OK;
}

/** Gives a used slot a new name (UTF-8, 1..64 bytes); the credential is unchanged. */
export function slotRename(slot: u32, name: usize, nameBytes: u32): i32 {
  if (!storeMounted) return ERR_STATE;
  if (slot >= SLOT_COUNT) return ERR_RANGE;
  if (nameBytes == 0 || nameBytes > NAME_MAX_BYTES) return ERR_NAME_LENGTH;
  if (!isValidUtf8(name, nameBytes)) return ERR_RANGE;
  if (slotBase(slot) == 0) return ERR_NOT_FOUND;
  return rewriteSlot(slot, slot, name, nameBytes);
}

/** Moves a credential to a free slot in one record: ERR_NOT_FOUND for an empty `fromSlot`,
 *  ERR_STATE when `toSlot` is used (or the same slot). */
export function slotMove(fromSlot: u32, toSlot: u32): i32 {
  if (!storeMounted) return ERR_STATE;
  if (fromSlot >= SLOT_COUNT || toSlot >= SLOT_COUNT) return ERR_RANGE;
  if (slotBase(fromSlot) == 0) return ERR_NOT_FOUND;
  if (slotBase(toSlot) != 0) return ERR_STATE;
  return rewriteSlot(fromSlot, toSlot, 0, slotNameBytes(fromSlot));
}

/**
 * Erases every slot and setting. A wipe record commits it first (a power cut leaves all or
 * nothing); then every other sector is erased, a fresh head opened, and the old head erased, so
 * no secret stays on flash.
 */
export function storeWipe(): i32 {
  if (!storeMounted) return ERR_STATE;
  let oldHead = headSector;
  if (oldHead >= 0) {
    const at = appendRecord(recordBuffer, RECORD_WIPE, 0, ENCODING_PLAIN, true);
    if (at < 0) return at;
    oldHead = headSector; // the wipe record may have opened a new head
  }
  clearIndex();
  for (let s: u32 = 0; s < sectorCount; s++) {
    if (<i32>s == oldHead || sectorState(s) == SECTOR_FREE) continue;
    const erased = eraseSector(s);
    if (erased < 0) return erased;
  }
  if (oldHead < 0) return OK;
  const opened = openFreshHead();
  if (opened < 0) return opened;
  return eraseSector(<u32>oldHead);
}

/**
 * Housekeeping for idle time (call from the tick when no code is being shown or typed): at most one
 * compaction, and only when the log is nearly out of spare sectors, so presses seldom compact; then
 * an erased spare sector made ready if there is none.
 * 1 when it did work, 0 when there was nothing worth doing, or a negative status.
 */
export function storeMaintain(): i32 {
  if (!storeMounted) return ERR_STATE;
  const compacted = compactWhenIdle();
  // Keep an erased sector ready: a press that opens a new head sector then only programs.
  prepareSpare();
  return compacted;
}

// ---- settings ------------------------------------------------------------------------------------

/** The integer setting `id`, or `defaultValue` when it was never set (or on a read failure). */
export function settingGet(id: u32, defaultValue: i32): i32 {
  if (!storeMounted || id >= SETTING_ID_LIMIT) return defaultValue;
  const offset = settingIntRecord(id);
  if (offset == 0) return defaultValue;
  if (readFlash(offset + RECORD_HEADER_BYTES + 1, PAYLOAD, 4) < 0) return defaultValue;
  return load<i32>(PAYLOAD);
}

/** Stores an integer setting (nothing is written when it already holds `value`). */
export function settingPut(id: u32, value: i32): i32 {
  if (!storeMounted) return ERR_STATE;
  if (id >= SETTING_ID_LIMIT) return ERR_RANGE;
  const current = settingIntRecord(id);
  if (current != 0 && settingGet(id, ~value) == value) return OK;
  if (current == 0 && !fits(0, recordFootprint(SETTING_INT_PAYLOAD_BYTES))) return ERR_FULL;
  store<u8>(PAYLOAD, <u8>id);
  store<i32>(PAYLOAD + 1, value);
  const at = appendRecord(recordBuffer, RECORD_SETTING_INT, SETTING_INT_PAYLOAD_BYTES, ENCODING_PLAIN, false);
  if (at < 0) return at;
  setSettingIntRecord(id, <u32>at);
  prepareSpare();
  return OK;
}

/** Copies blob `id` to `dst`: its length, ERR_NOT_FOUND, or ERR_RANGE when it exceeds `capacity`. */
export function settingBlobGet(id: u32, dst: usize, capacity: u32): i32 {
  if (!storeMounted) return ERR_STATE;
  if (id >= SETTING_ID_LIMIT) return ERR_RANGE;
  const offset = settingBlobRecord(id);
  if (offset == 0) return ERR_NOT_FOUND;
  const bytes = blobPayloadBytes(offset) - 1;
  if (bytes > capacity) return ERR_RANGE;
  if (readFlash(offset + RECORD_HEADER_BYTES + 1, dst, bytes) < 0) return ERR_CORRUPT;
  return <i32>bytes;
}

/** Stores blob `id` (up to 128 bytes, as one record); 0 bytes removes it. */
export function settingBlobPut(id: u32, src: usize, bytes: u32): i32 {
  if (!storeMounted) return ERR_STATE;
  if (id >= SETTING_ID_LIMIT || bytes > BLOB_MAX_BYTES) return ERR_RANGE;
  const current = settingBlobRecord(id);
  if (bytes == 0 && current == 0) return OK;
  const freed = current != 0 ? recordFootprint(blobPayloadBytes(current)) : 0;
  if (bytes != 0 && !fits(freed, recordFootprint(1 + bytes))) return ERR_FULL;
  store<u8>(PAYLOAD, <u8>id);
  memory.copy(PAYLOAD + 1, src, bytes);
  const at = appendRecord(recordBuffer, RECORD_SETTING_BLOB, 1 + bytes, ENCODING_PLAIN, false);
  scrubRecordBuffer(); // blobs hold key material (PIN, OATH access key)
  if (at < 0) return at;
  setSettingBlobRecord(id, bytes == 0 ? 0 : <u32>at);
  prepareSpare();
  return OK;
}
