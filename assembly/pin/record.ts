// The PIN record (store blob BLOB_PIN, docs/SPEC.md "PIN lock"): the PBKDF2 parameters and the
// random data key wrapped (ChaCha20-Poly1305) under the PIN-derived key. The wrap's tag is the PIN
// check: it verifies only under the right PIN's key. AAD = bytes 0..23, so the count and the salt
// cannot be changed without the check failing.
//   0 version (1)   1..3 zero   4..7 iterations (u32 LE)   8..23 salt
//   24..35 nonce    36..67 wrapped data key    68..83 tag
import { OK, ERR_CORRUPT, ERR_NOT_FOUND, ERR_ENTROPY } from "../status";
import { random_fill } from "../abi";
import { settingBlobGet, settingBlobPut } from "../store";
import { BLOB_PIN } from "../store/settings-ids";
import { aeadSeal, aeadOpen } from "../crypto/aead";
import { PBKDF2_ITERATIONS_MAX } from "../crypto/pbkdf2";

export const PIN_RECORD_VERSION: u8 = 1;
export const PIN_RECORD_BYTES: u32 = 84;
export const RECORD_ITERATIONS: usize = 4;
export const RECORD_SALT: usize = 8;
export const PIN_SALT_BYTES: u32 = 16;
const RECORD_AAD_BYTES: u32 = 24;
const RECORD_NONCE: usize = 24;
const RECORD_WRAPPED_KEY: usize = 36;
const RECORD_TAG: usize = 68;
export const DATA_KEY_BYTES: u32 = 32;

/** The record being read or built (no secret: the data key in it is wrapped). */
export const pinRecord = memory.data(<i32>PIN_RECORD_BYTES);

/** Reads the stored record into pinRecord: OK, ERR_NOT_FOUND (no PIN set), ERR_CORRUPT. */
export function pinRecordLoad(): i32 {
  const bytes = settingBlobGet(BLOB_PIN, pinRecord, PIN_RECORD_BYTES);
  if (bytes == ERR_NOT_FOUND) return ERR_NOT_FOUND;
  if (bytes != <i32>PIN_RECORD_BYTES || load<u8>(pinRecord) != PIN_RECORD_VERSION) return ERR_CORRUPT;
  const iterations = load<u32>(pinRecord + RECORD_ITERATIONS);
  if (iterations < 1 || iterations > PBKDF2_ITERATIONS_MAX) return ERR_CORRUPT;
  return OK;
}

export function pinRecordIterations(): u32 {
  return load<u32>(pinRecord + RECORD_ITERATIONS);
}

/** Starts a new record in pinRecord: version, count and a fresh random salt. */
export function pinRecordStart(iterations: u32): i32 {
  memory.fill(pinRecord, 0, PIN_RECORD_BYTES);
  store<u8>(pinRecord, PIN_RECORD_VERSION);
  store<u32>(pinRecord + RECORD_ITERATIONS, iterations);
  if (random_fill(pinRecord + RECORD_SALT, PIN_SALT_BYTES) != 0) return ERR_ENTROPY;
  return OK;
}

/** Wraps `dataKey` under `pinKey` into pinRecord (fresh nonce) and stores the record (one
 *  atomic blob write). OK or a negative status; the store keeps its old record on failure. */
export function pinRecordSealAndStore(pinKey: usize, dataKey: usize): i32 {
  if (random_fill(pinRecord + RECORD_NONCE, 12) != 0) return ERR_ENTROPY;
  memory.copy(pinRecord + RECORD_WRAPPED_KEY, dataKey, DATA_KEY_BYTES);
  const sealed = aeadSeal(pinKey, pinRecord + RECORD_NONCE, pinRecord, RECORD_AAD_BYTES,
    pinRecord + RECORD_WRAPPED_KEY, DATA_KEY_BYTES, pinRecord + RECORD_TAG);
  if (sealed != OK) return sealed;
  return settingBlobPut(BLOB_PIN, pinRecord, PIN_RECORD_BYTES);
}

/** Checks the tag under `pinKey` (constant time) and, only when it matches, copies the data key
 *  to `dataKeyOut`. OK, or ERR_CORRUPT for a wrong PIN. pinRecord keeps the wrapped key. */
export function pinRecordOpen(pinKey: usize, dataKeyOut: usize): i32 {
  memory.copy(dataKeyOut, pinRecord + RECORD_WRAPPED_KEY, DATA_KEY_BYTES);
  const opened = aeadOpen(pinKey, pinRecord + RECORD_NONCE, pinRecord, RECORD_AAD_BYTES, dataKeyOut,
    DATA_KEY_BYTES, pinRecord + RECORD_TAG);
  if (opened != OK) memory.fill(dataKeyOut, 0, DATA_KEY_BYTES);
  return opened;
}
