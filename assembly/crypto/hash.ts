// The three hashes behind one algorithm id, for HMAC and callers that pick the hash at run time.
// The ids match YKOATH's algorithm nibble (otp/index.ts re-exports them as ALG_*).
import { ERR_ALGORITHM } from "../status";
import { sha1Init, sha1Update, sha1Final, sha1SaveState, sha1LoadState } from "./sha1";
import { sha256Init, sha256Update, sha256Final, sha256SaveState, sha256LoadState } from "./sha256";
import { sha512Init, sha512Update, sha512Final, sha512SaveState, sha512LoadState } from "./sha512";

export const HASH_SHA1: u32 = 1;
export const HASH_SHA256: u32 = 2;
export const HASH_SHA512: u32 = 3;
/** The largest digest, block and saved state over all three hashes. */
export const HASH_DIGEST_MAX_BYTES: i32 = 64;
export const HASH_BLOCK_MAX_BYTES: i32 = 128;
export const HASH_STATE_MAX_BYTES: i32 = 64;

@inline
export function isHashAlgorithm(algorithm: u32): bool {
  return algorithm - 1 < 3; // 1..3; 0 wraps to a large value
}

/** 20, 32 or 64; ERR_ALGORITHM for an unknown id. For these three hashes it is also the length of
 *  the chaining value hashSaveState writes (no truncated variant such as SHA-384 is offered). */
@inline
export function hashDigestBytes(algorithm: u32): i32 {
  if (algorithm == HASH_SHA1) return 20;
  if (algorithm == HASH_SHA256) return 32;
  if (algorithm == HASH_SHA512) return 64;
  return ERR_ALGORITHM;
}

/** 64, 64 or 128; ERR_ALGORITHM for an unknown id. */
@inline
export function hashBlockBytes(algorithm: u32): i32 {
  if (algorithm == HASH_SHA1 || algorithm == HASH_SHA256) return 64;
  if (algorithm == HASH_SHA512) return 128;
  return ERR_ALGORITHM;
}

// The functions below assume a valid id (callers check with isHashAlgorithm first).

export function hashInit(algorithm: u32): void {
  if (algorithm == HASH_SHA1) sha1Init();
  else if (algorithm == HASH_SHA256) sha256Init();
  else sha512Init();
}

export function hashUpdate(algorithm: u32, data: usize, length: u32): void {
  if (algorithm == HASH_SHA1) sha1Update(data, length);
  else if (algorithm == HASH_SHA256) sha256Update(data, length);
  else sha512Update(data, length);
}

export function hashFinal(algorithm: u32, digestOut: usize): void {
  if (algorithm == HASH_SHA1) sha1Final(digestOut);
  else if (algorithm == HASH_SHA256) sha256Final(digestOut);
  else sha512Final(digestOut);
}

export function hashSaveState(algorithm: u32, dst: usize): void {
  if (algorithm == HASH_SHA1) sha1SaveState(dst);
  else if (algorithm == HASH_SHA256) sha256SaveState(dst);
  else sha512SaveState(dst);
}

export function hashLoadState(algorithm: u32, src: usize, hashedBytes: u64): void {
  if (algorithm == HASH_SHA1) sha1LoadState(src, hashedBytes);
  else if (algorithm == HASH_SHA256) sha256LoadState(src, hashedBytes);
  else sha512LoadState(src, hashedBytes);
}
