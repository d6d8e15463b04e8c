// The access password shared by both applets (YKOATH SET CODE / VALIDATE): the host derives a key
// from the password (PBKDF2 over the salt SELECT reports) and proves it by HMAC challenge-response;
// the token stores only that key. While a key is set, commands other than SELECT, VALIDATE, RESET
// and SEND REMAINING wait for a successful VALIDATE after the latest SELECT.
//
// Persisted as store blob BLOB_OATH_ACCESS: salt (8), algorithm (1), key bytes (1), key (0..64).
// The key is a secret: it is loaded only to compute an HMAC, then wiped from RAM; no reply carries it.
import { random_fill } from "../abi";
import { OK, ERR_ENTROPY, ERR_NOT_FOUND, ERR_RANGE, ERR_CORRUPT } from "../status";
import { hmacPrepare, hmacWithContext, constantTimeEqual, HMAC_CONTEXT_BYTES, DIGEST_MAX_BYTES, digestBytes } from "../otp/index";
import { settingBlobGet, settingBlobPut } from "../store/index";
import { BLOB_OATH_ACCESS } from "../store/settings-ids";

export const SALT_BYTES: u32 = 8;
export const CHALLENGE_BYTES: u32 = 8;
export const ACCESS_KEY_MAX_BYTES: u32 = 64;
const RECORD_HEADER_BYTES: u32 = SALT_BYTES + 2;
const RECORD_CAPACITY_BYTES: u32 = RECORD_HEADER_BYTES + ACCESS_KEY_MAX_BYTES;

const record = memory.data(<i32>RECORD_CAPACITY_BYTES);
const hmacContext = memory.data(HMAC_CONTEXT_BYTES);
const digest = memory.data(DIGEST_MAX_BYTES);
/** The salt as last loaded (it is public: SELECT reports it). */
export const saltCopy = memory.data(<i32>SALT_BYTES);
/** The challenge SELECT sent, valid for one VALIDATE. */
export const selectChallenge = memory.data(<i32>CHALLENGE_BYTES);

let keySet: bool = false;
let keyAlgorithm: u32 = 0;
let challengeValid: bool = false;
/** True after a successful VALIDATE, or when no key is set. Cleared by every SELECT. */
export let accessUnlocked: bool = true;

/** Writes a fresh record: a new salt, no key. OK, ERR_ENTROPY, or the store's error. */
export function accessResetRecord(): i32 {
  memory.fill(record, 0, <usize>RECORD_CAPACITY_BYTES);
  if (random_fill(record, SALT_BYTES) != 0) return ERR_ENTROPY;
  const status = settingBlobPut(BLOB_OATH_ACCESS, record, RECORD_HEADER_BYTES);
  memory.copy(saltCopy, record, <usize>SALT_BYTES);
  keySet = false;
  accessUnlocked = true;
  challengeValid = false;
  return status < 0 ? status : OK;
}

// Loads the record into `record` (creating one on first use). OK or an error status.
function loadRecord(): i32 {
  memory.fill(record, 0, <usize>RECORD_CAPACITY_BYTES);
  const bytes = settingBlobGet(BLOB_OATH_ACCESS, record, RECORD_CAPACITY_BYTES);
  if (bytes == ERR_NOT_FOUND) return accessResetRecord(); // first use, or after a wipe
  if (bytes < 0) return bytes;
  // A record of the wrong shape is refused rather than replaced: replacing it would drop a
  // password. RESET (which never loads it) writes a fresh one.
  if (<u32>bytes < RECORD_HEADER_BYTES) return ERR_CORRUPT;
  const keyBytes = <u32>load<u8>(record + SALT_BYTES + 1);
  if (keyBytes > ACCESS_KEY_MAX_BYTES || <u32>bytes != RECORD_HEADER_BYTES + keyBytes) return ERR_CORRUPT;
  memory.copy(saltCopy, record, <usize>SALT_BYTES);
  keyAlgorithm = <u32>load<u8>(record + SALT_BYTES);
  keySet = keyBytes > 0;
  return OK;
}

@inline
function wipeRecord(): void {
  memory.fill(record, 0, <usize>RECORD_CAPACITY_BYTES);
}

/** A new session (card reset, another client): the access password must be proven again. */
export function accessLock(): void {
  accessUnlocked = false;
  challengeValid = false;
}

/** Called on every SELECT: reloads the record, locks when a key is set and draws a new challenge.
 *  OK or an error status (no entropy, store failure). */
export function accessOnSelect(): i32 {
  const status = loadRecord();
  wipeRecord();
  if (status != OK) return status;
  accessUnlocked = !keySet;
  challengeValid = false;
  if (keySet) {
    if (random_fill(selectChallenge, CHALLENGE_BYTES) != 0) return ERR_ENTROPY;
    challengeValid = true;
  }
  return OK;
}

export function accessKeySet(): bool {
  return keySet;
}

export function accessAlgorithm(): u32 {
  return keyAlgorithm;
}

// HMAC of `message` under the stored key into `digest`; returns the digest length or <0.
function hmacUnderStoredKey(message: usize, messageBytes: u32): i32 {
  const status = loadRecord();
  if (status != OK) { wipeRecord(); return status; }
  if (!keySet) { wipeRecord(); return ERR_NOT_FOUND; }
  const keyBytes = <u32>load<u8>(record + SALT_BYTES + 1);
  const prepared = hmacPrepare(keyAlgorithm, record + RECORD_HEADER_BYTES, keyBytes, hmacContext);
  wipeRecord();
  if (prepared != OK) return prepared;
  const bytes = hmacWithContext(hmacContext, message, messageBytes, digest);
  memory.fill(hmacContext, 0, <usize>HMAC_CONTEXT_BYTES);
  return bytes;
}

/**
 * VALIDATE: `response` must be the HMAC of the SELECT challenge. On success unlocks and writes the
 * HMAC of the host's `hostChallenge` to `out` (returns its length); ERR_STATE-like failures return
 * ERR_RANGE (wrong response) or ERR_NOT_FOUND (no key or no challenge pending).
 */
export function accessValidate(response: usize, responseBytes: u32, hostChallenge: usize, hostChallengeBytes: u32,
                               out: usize): i32 {
  if (!keySet || !challengeValid) return ERR_NOT_FOUND;
  challengeValid = false; // one attempt per SELECT
  const bytes = hmacUnderStoredKey(selectChallenge, CHALLENGE_BYTES);
  if (bytes < 0) return bytes;
  const matches = <u32>bytes == responseBytes && constantTimeEqual(digest, response, <u32>bytes);
  memory.fill(digest, 0, <usize>DIGEST_MAX_BYTES);
  if (!matches) return ERR_RANGE;
  accessUnlocked = true;
  const answerBytes = hmacUnderStoredKey(hostChallenge, hostChallengeBytes);
  if (answerBytes < 0) return answerBytes;
  memory.copy(out, digest, <usize>answerBytes);
  memory.fill(digest, 0, <usize>DIGEST_MAX_BYTES);
  return answerBytes;
}

/**
 * SET CODE: stores `key` for `algorithm` after checking that `response` is its HMAC of
 * `challenge` (proof that the host derived the key it meant). keyBytes 0 removes the key.
 * OK, ERR_RANGE (bad proof or lengths), ERR_ALGORITHM, or a store error.
 */
export function accessSetKey(algorithm: u32, key: usize, keyBytes: u32, challenge: usize, challengeBytes: u32,
                             response: usize, responseBytes: u32): i32 {
  const status = loadRecord();
  wipeRecord();
  if (status != OK) return status;
  memory.copy(record, saltCopy, <usize>SALT_BYTES);
  if (keyBytes == 0) {
    const removed = settingBlobPut(BLOB_OATH_ACCESS, record, RECORD_HEADER_BYTES);
    if (removed < 0) return removed;
    keySet = false;
    accessUnlocked = true;
    return OK;
  }
  if (keyBytes > ACCESS_KEY_MAX_BYTES) return ERR_RANGE;
  const expectedBytes = digestBytes(algorithm);
  if (expectedBytes < 0) return expectedBytes;
  if (<u32>expectedBytes != responseBytes || challengeBytes == 0) return ERR_RANGE;
  const prepared = hmacPrepare(algorithm, key, keyBytes, hmacContext);
  if (prepared != OK) return prepared;
  hmacWithContext(hmacContext, challenge, challengeBytes, digest);
  memory.fill(hmacContext, 0, <usize>HMAC_CONTEXT_BYTES);
  const proven = constantTimeEqual(digest, response, responseBytes);
  memory.fill(digest, 0, <usize>DIGEST_MAX_BYTES);
  if (!proven) return ERR_RANGE;
  store<u8>(record + SALT_BYTES, <u8>algorithm);
  store<u8>(record + SALT_BYTES + 1, <u8>keyBytes);
  memory.copy(record + RECORD_HEADER_BYTES, key, <usize>keyBytes);
  const written = settingBlobPut(BLOB_OATH_ACCESS, record, RECORD_HEADER_BYTES + keyBytes);
  wipeRecord();
  if (written < 0) return written;
  keySet = true;
  keyAlgorithm = algorithm;
  accessUnlocked = true; // the host that set it knows it (YKOATH keeps the session open)
  return OK;
}
