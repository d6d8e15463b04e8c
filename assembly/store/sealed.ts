// Encryption at rest of slot names and keys (docs/SPEC.md "PIN lock"). While a PIN is set
// (sealing on), slot records are written with the ENCODING_SEALED bit: the fixed fields stay plain
// (the index, compaction and counter records need them), name || key field is ChaCha20-Poly1305
// ciphertext under the data key, followed by a random nonce and the tag:
//   fixed 18 bytes | ciphertext (name bytes + key field bytes) | nonce 12 | tag 16
// The key field is the packed prepared key (or a first-form record's raw key); the key-form bit of
// the encoding is independent of sealing and kept when a record is opened.
// AAD: slot, kind, algorithm, digits, period, flags (u16), name bytes, key field bytes, so a
// ciphertext cannot be moved to another slot or read with other parameters. The counter is not
// covered: it changes without the key (counter records, compaction).
// The data key is given by the PIN layer (assembly/pin) while unlocked and forgotten at lock.
import { OK, ERR_STATE, ERR_CORRUPT, ERR_ENTROPY } from "../status";
import { random_fill } from "../abi";
import { aeadSeal, aeadOpen } from "../crypto/aead";
import {
  RECORD_HEADER_BYTES, HEADER_ENCODING, HEADER_PAYLOAD_BYTES, ENCODING_PLAIN, ENCODING_SEALED, ENCODING_MAX,
  SEAL_OVERHEAD_BYTES, encodingSealedOrUnknown,
  SLOT_INDEX, SLOT_KIND, SLOT_NAME_BYTES, SLOT_SECRET_BYTES, SLOT_NAME, SLOT_FIXED_BYTES,
} from "./format";
import { readFlash } from "./flash";
import { recordBuffer, RECORD_BUFFER_BYTES } from "./log";
import {
  slotBase, slotNameBytes, slotNameHash, setSlotNameHash, nameHash8, forgetNameHashes, NAME_HASH_UNKNOWN,
} from "./ram";
import { loadSlotRecord, scrubRecordBuffer } from "./slot-record";
import { sealingOn, setSealingOn } from "./seal-mode";

export { ENCODING_SEALED, SEAL_OVERHEAD_BYTES };
const NONCE_BYTES: u32 = 12;
const AAD_BYTES: u32 = 9;

const dataKey = memory.data(32);
const aad = memory.data(<i32>AAD_BYTES);
let keyLoaded = false;

/** Bytes of static memory used here. */
export const SEALED_STATIC_BYTES: u32 = 32 + AAD_BYTES + 8;

/** The data key to seal and open with (copied), or 0 to forget it (locked). */
export function storeSetDataKey(key: usize): void {
  if (key == 0) {
    memory.fill(dataKey, 0, 32);
    keyLoaded = false;
    forgetNameHashes(); // a sealed name's hash would outlive the key
  } else {
    memory.copy(dataKey, key, 32);
    keyLoaded = true;
  }
}

/** Whether new slot records are sealed (a PIN is set). */
export function storeSetSealing(on: bool): void {
  setSealingOn(on);
}

export function storeSealing(): bool {
  return sealingOn;
}

/** Whether sealed records can be read (the data key is loaded). */
export function storeKeyLoaded(): bool {
  return keyLoaded;
}

/** Whether a slot can be written now: not while a PIN is set and the key is not loaded (locked). */
export function storeWritable(): bool {
  return !sealingOn || keyLoaded;
}

function fillAad(payload: usize): void {
  store<u8>(aad, load<u8>(payload + SLOT_INDEX));
  memory.copy(aad + 1, payload + SLOT_KIND, 6); // kind, algorithm, digits, period, flags
  store<u8>(aad + 7, load<u8>(payload + SLOT_NAME_BYTES));
  store<u8>(aad + 8, load<u8>(payload + SLOT_SECRET_BYTES));
}

/** The sealing bit sealSlotPayload chose for the payload it was last given (the caller adds the
 *  key-form bit). */
export let sealedEncoding: u8 = ENCODING_PLAIN;

/**
 * Prepares the plain slot payload at `payload` (`payloadBytes` long) for writing: sealed in place
 * (the payload grows by SEAL_OVERHEAD_BYTES) while sealing is on, else unchanged. Returns the
 * payload bytes to write (sealedEncoding says how), or ERR_STATE while locked, ERR_ENTROPY.
 */
export function sealSlotPayload(payload: usize, payloadBytes: u32): i32 {
  sealedEncoding = ENCODING_PLAIN;
  if (!sealingOn) return <i32>payloadBytes;
  if (!keyLoaded) return ERR_STATE;
  const dataBytes = payloadBytes - SLOT_FIXED_BYTES;
  const nonce = payload + <usize>payloadBytes;
  if (random_fill(nonce, NONCE_BYTES) != 0) return ERR_ENTROPY;
  fillAad(payload);
  const sealed = aeadSeal(dataKey, nonce, aad, AAD_BYTES, payload + SLOT_NAME, dataBytes, nonce + <usize>NONCE_BYTES);
  if (sealed != OK) return sealed;
  sealedEncoding = ENCODING_SEALED;
  return <i32>(payloadBytes + SEAL_OVERHEAD_BYTES);
}

/**
 * Turns a loaded slot record (header at `record`) into its plain form in place: a sealed one is
 * checked and decrypted (its header then says not sealed, without the overhead; the key-form bit
 * stays). OK; ERR_STATE while locked (nothing decrypted); ERR_CORRUPT for a wrong tag, length or
 * unknown encoding.
 */
export function openSlotRecord(record: usize): i32 {
  const encoding = load<u8>(record + HEADER_ENCODING);
  if (encoding > ENCODING_MAX) return ERR_CORRUPT;
  if ((encoding & ENCODING_SEALED) == 0) return OK;
  if (!keyLoaded) return ERR_STATE;
  const payload = record + <usize>RECORD_HEADER_BYTES;
  const payloadBytes = <u32>load<u8>(record + HEADER_PAYLOAD_BYTES);
  const dataBytes = <u32>load<u8>(payload + SLOT_NAME_BYTES) + <u32>load<u8>(payload + SLOT_SECRET_BYTES);
  if (payloadBytes != SLOT_FIXED_BYTES + dataBytes + SEAL_OVERHEAD_BYTES) return ERR_CORRUPT;
  const nonce = payload + SLOT_NAME + <usize>dataBytes;
  fillAad(payload);
  const opened = aeadOpen(dataKey, nonce, aad, AAD_BYTES, payload + SLOT_NAME, dataBytes, nonce + <usize>NONCE_BYTES);
  if (opened != OK) return ERR_CORRUPT;
  memory.fill(nonce, 0, SEAL_OVERHEAD_BYTES);
  store<u8>(record + HEADER_ENCODING, encoding & ~ENCODING_SEALED);
  store<u8>(record + HEADER_PAYLOAD_BYTES, <u8>(payloadBytes - SEAL_OVERHEAD_BYTES));
  return OK;
}

/** The overhead a slot record of this encoding carries beyond name and secret. */
// @ts-ignore: decorator
@inline export function sealOverhead(encoding: u8): u32 {
  return (encoding & ENCODING_SEALED) != 0 ? SEAL_OVERHEAD_BYTES : 0;
}

// Notes the hash of the name at recordBuffer, once (a LIST or CALCULATE ALL reads every name).
function noteNameHash(slot: u32, nameBytes: u32): void {
  if (slotNameHash(slot) == NAME_HASH_UNKNOWN) setSlotNameHash(slot, nameHash8(recordBuffer, nameBytes));
}

/**
 * Leaves the used slot's plain name at the start of recordBuffer (the rest of the buffer zero, so
 * no secret stays): its length; ERR_STATE for a sealed name while locked; ERR_CORRUPT. The caller
 * scrubs the buffer after use. Notes the name's hash in the RAM index.
 */
export function loadSlotName(slot: u32): i32 {
  const base = slotBase(slot);
  const nameBytes = slotNameBytes(slot);
  if (readFlash(base + <u32>HEADER_ENCODING, recordBuffer, 1) < 0) return ERR_CORRUPT;
  if (!encodingSealedOrUnknown(load<u8>(recordBuffer))) {
    if (readFlash(base + RECORD_HEADER_BYTES + <u32>SLOT_NAME, recordBuffer, nameBytes) < 0) return ERR_CORRUPT;
    noteNameHash(slot, nameBytes);
    return <i32>nameBytes;
  }
  if (!keyLoaded) return ERR_STATE;
  const loaded = loadSlotRecord(slot);
  if (loaded < 0) return loaded;
  const opened = openSlotRecord(recordBuffer);
  if (opened < 0) {
    scrubRecordBuffer();
    return opened;
  }
  memory.copy(recordBuffer, recordBuffer + <usize>RECORD_HEADER_BYTES + SLOT_NAME, nameBytes);
  memory.fill(recordBuffer + <usize>nameBytes, 0, RECORD_BUFFER_BYTES - nameBytes);
  noteNameHash(slot, nameBytes);
  return <i32>nameBytes;
}

/** Whether a used slot's record is sealed and the data key is not loaded (locked): its codes must
 *  be refused before anything is written (a HOTP press persists its counter first). */
export function slotLockedAway(slot: u32): bool {
  if (keyLoaded || !sealingOn) return false;
  if (readFlash(slotBase(slot) + <u32>HEADER_ENCODING, recordBuffer, 1) < 0) return true;
  const sealed = encodingSealedOrUnknown(load<u8>(recordBuffer));
  store<u8>(recordBuffer, 0);
  return sealed;
}
