// HOTP (RFC 4226) and TOTP (RFC 6238) over HMAC-SHA-1/256/512: the OTP API of
// notes/interfaces.md. Keys are prepared once into a context (the HMAC inner and outer chaining
// values), so a code costs two to four hash blocks. Bad input returns a status code, never traps.
import { ERR_RANGE, ERR_ALGORITHM, ERR_KEY_LENGTH, ERR_NO_TIME } from "../status";
import { HASH_SHA1, HASH_SHA256, HASH_SHA512, HASH_DIGEST_MAX_BYTES, isHashAlgorithm, hashDigestBytes } from "../crypto/hash";
import {
  HMAC_CONTEXT_BYTES as CRYPTO_HMAC_CONTEXT_BYTES, hmacPrepareContext, hmacCompute, hmacPackedKeyBytes, hmacExportKey,
  hmacImportKey,
} from "../crypto/hmac";
import { constantTimeEqual as cryptoConstantTimeEqual } from "../crypto/compare";

export const ALG_SHA1: u32 = HASH_SHA1; // numbering chosen to match YKOATH's algorithm nibble
export const ALG_SHA256: u32 = HASH_SHA256;
export const ALG_SHA512: u32 = HASH_SHA512;
/** Size of a prepared key context (the largest over the algorithms). */
export const HMAC_CONTEXT_BYTES: i32 = CRYPTO_HMAC_CONTEXT_BYTES;
export const DIGEST_MAX_BYTES: i32 = HASH_DIGEST_MAX_BYTES;
export const DIGITS_MIN: u32 = 4;
export const DIGITS_MAX: u32 = 10;
export const PERIOD_SECONDS_MIN: u32 = 1;
export const PERIOD_SECONDS_MAX: u32 = 255;
/** dynamicTruncate's answer for a digest length it cannot truncate (not a 31-bit value). */
export const TRUNCATE_INVALID: u32 = 0xffffffff;

// 10^digits for digits 0..10 (10^10 needs more than 32 bits).
const POWERS_OF_TEN = memory.data<u64>([
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000,
]);
const counterMessage = memory.data(8);
const digestScratch = memory.data(HASH_DIGEST_MAX_BYTES);

/** 20, 32 or 64 for ALG_SHA1/256/512; ERR_ALGORITHM otherwise. */
export function digestBytes(algorithm: u32): i32 {
  return hashDigestBytes(algorithm);
}

/**
 * Prepares `context` (HMAC_CONTEXT_BYTES) for `key`: keys longer than the hash block are hashed
 * first. OK; ERR_ALGORITHM for an unknown algorithm; ERR_KEY_LENGTH for an empty key. On error
 * the context is left unchanged.
 */
export function hmacPrepare(algorithm: u32, key: usize, keyBytes: u32, context: usize): i32 {
  if (!isHashAlgorithm(algorithm)) return ERR_ALGORITHM;
  if (keyBytes == 0) return ERR_KEY_LENGTH;
  return hmacPrepareContext(algorithm, key, keyBytes, context);
}

/** Bytes of a prepared key packed for storage (inner and outer chaining values): 40, 64 or 128
 *  for ALG_SHA1/256/512; ERR_ALGORITHM otherwise. */
export function packedKeyBytes(algorithm: u32): i32 {
  return hmacPackedKeyBytes(algorithm);
}

/** Packs a prepared context's key to `dst` (packedKeyBytes long): its length, or ERR_ALGORITHM
 *  for a context never prepared. The packed key is key-equivalent: treat it as the secret. */
export function packKey(context: usize, dst: usize): i32 {
  return hmacExportKey(context, dst);
}

/** Prepares `context` from a packed key (as packKey wrote it): OK or ERR_ALGORITHM. */
export function unpackKey(algorithm: u32, packed: usize, context: usize): i32 {
  return hmacImportKey(algorithm, packed, context);
}

/** HMAC of `message` under a prepared context; writes the digest, returns its length, or
 *  ERR_ALGORITHM for a context that was never prepared. `digestOut` may overlap `message`. */
export function hmacWithContext(context: usize, message: usize, messageBytes: u32, digestOut: usize): i32 {
  return hmacCompute(context, message, messageBytes, digestOut);
}

/** RFC 4226 section 5.3 dynamic truncation to a 31-bit value; TRUNCATE_INVALID for a digest
 *  length outside 20..DIGEST_MAX_BYTES. */
@inline
export function dynamicTruncate(digest: usize, digestBytes: i32): u32 {
  if (digestBytes < 20 || digestBytes > DIGEST_MAX_BYTES) return TRUNCATE_INVALID;
  const offset = <usize>(load<u8>(digest + <usize>(digestBytes - 1)) & 0x0f);
  return bswap<u32>(load<u32>(digest + offset)) & 0x7fffffff;
}

/** HOTP value of `counter` with 4..10 digits: a code in 0..10^digits - 1 (the caller pads with
 *  leading zeros), ERR_RANGE for digits out of range, ERR_ALGORITHM for an unprepared context. */
export function hotpWithContext(context: usize, counter: u64, digits: u32): i64 {
  if (digits < DIGITS_MIN || digits > DIGITS_MAX) return ERR_RANGE;
  store<u64>(counterMessage, bswap<u64>(counter));
  const length = hmacCompute(context, counterMessage, 8, digestScratch);
  if (length < 0) return length;
  const value = <u64>dynamicTruncate(digestScratch, length);
  return <i64>(value % load<u64>(POWERS_OF_TEN + (<usize>digits << 3)));
}

/** TOTP time step floor(unixSeconds / periodSeconds) for periods 1..255 s: ERR_RANGE for another
 *  period, ERR_NO_TIME for a negative time. */
@inline
export function totpCounter(unixSeconds: i64, periodSeconds: u32): i64 {
  if (periodSeconds < PERIOD_SECONDS_MIN || periodSeconds > PERIOD_SECONDS_MAX) return ERR_RANGE;
  if (unixSeconds < 0) return ERR_NO_TIME;
  return unixSeconds / <i64>periodSeconds;
}

/** TOTP code at `unixSeconds`: the HOTP value of the time step, or the first error of
 *  totpCounter / hotpWithContext. */
export function totpWithContext(context: usize, unixSeconds: i64, periodSeconds: u32, digits: u32): i64 {
  const counter = totpCounter(unixSeconds, periodSeconds);
  if (counter < 0) return counter;
  return hotpWithContext(context, <u64>counter, digits);
}

/** True when the `length` bytes at `a` and `b` are equal; time depends on `length` only. */
@inline
export function constantTimeEqual(a: usize, b: usize, length: u32): bool {
  return cryptoConstantTimeEqual(a, b, length);
}
