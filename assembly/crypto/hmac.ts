// HMAC (RFC 2104, FIPS 198-1) over SHA-1, SHA-256 and SHA-512 with a prepared key context: the
// chaining values after the ipad and opad key blocks are computed once per key, so each MAC costs
// only the message blocks plus one outer block.
//
// Context layout (HMAC_CONTEXT_BYTES): u32 algorithm id at 0 (0 = not prepared), u32 reserved,
// inner chaining value at 8, outer chaining value at 8 + HASH_STATE_MAX_BYTES.
import { OK, ERR_ALGORITHM } from "../status";
import {
  HASH_STATE_MAX_BYTES, HASH_BLOCK_MAX_BYTES, isHashAlgorithm, hashBlockBytes,
  hashDigestBytes, hashInit, hashUpdate, hashFinal, hashSaveState, hashLoadState,
} from "./hash";
import { scheduleScratch, SCHEDULE_BYTES } from "./scratch";

export const HMAC_CONTEXT_BYTES: i32 = 8 + 2 * HASH_STATE_MAX_BYTES;
const INNER_STATE_OFFSET: usize = 8;
const OUTER_STATE_OFFSET: usize = 8 + <usize>HASH_STATE_MAX_BYTES;

// The key padded to a block (K0 of FIPS 198-1), XORed with ipad then opad. Wiped after use.
const keyBlock = memory.data(HASH_BLOCK_MAX_BYTES);
// A context for one-shot hmacCompute.
const oneShotContext = memory.data(HMAC_CONTEXT_BYTES);

@inline
function xorBlock(block: usize, blockBytes: usize, pad: u64): void {
  for (let i: usize = 0; i < blockBytes; i += 8) store<u64>(block + i, load<u64>(block + i) ^ pad);
}

/**
 * Precomputes the inner and outer chaining values of HMAC under `key` (any length, including 0;
 * keys longer than the block are hashed first) into `context`. OK or ERR_ALGORITHM.
 */
export function hmacPrepareContext(algorithm: u32, key: usize, keyBytes: u32, context: usize): i32 {
  if (!isHashAlgorithm(algorithm)) return ERR_ALGORITHM;
  const blockBytes = <usize>hashBlockBytes(algorithm);
  memory.fill(keyBlock, 0, blockBytes);
  if (<usize>keyBytes > blockBytes) {
    hashInit(algorithm);
    hashUpdate(algorithm, key, keyBytes);
    hashFinal(algorithm, keyBlock);
  } else {
    memory.copy(keyBlock, key, <usize>keyBytes);
  }
  xorBlock(keyBlock, blockBytes, 0x3636363636363636);
  hashInit(algorithm);
  hashUpdate(algorithm, keyBlock, <u32>blockBytes);
  hashSaveState(algorithm, context + INNER_STATE_OFFSET);
  xorBlock(keyBlock, blockBytes, 0x3636363636363636 ^ 0x5c5c5c5c5c5c5c5c);
  hashInit(algorithm);
  hashUpdate(algorithm, keyBlock, <u32>blockBytes);
  hashSaveState(algorithm, context + OUTER_STATE_OFFSET);
  memory.fill(keyBlock, 0, <usize>HASH_BLOCK_MAX_BYTES);
  // The hash still holds the outer chaining value and its schedule K0 ^ opad: both key-equivalent,
  // and a put prepares without computing anything after it.
  hashInit(algorithm);
  memory.fill(scheduleScratch, 0, <usize>SCHEDULE_BYTES);
  store<u32>(context, algorithm);
  store<u32>(context, 0, 4);
  return OK;
}

/** Bytes of a prepared key in its packed form (hmacExportKey): the inner and outer chaining
 *  values, 40 (SHA-1), 64 (SHA-256) or 128 (SHA-512); ERR_ALGORITHM for an unknown id. */
export function hmacPackedKeyBytes(algorithm: u32): i32 {
  if (!isHashAlgorithm(algorithm)) return ERR_ALGORITHM;
  return 2 * hashDigestBytes(algorithm);
}

/** Writes the prepared context's key packed to `dst` (inner then outer chaining value, each as
 *  hashSaveState wrote it): its length, or ERR_ALGORITHM for a context that was not prepared. */
export function hmacExportKey(context: usize, dst: usize): i32 {
  const algorithm = load<u32>(context);
  if (!isHashAlgorithm(algorithm)) return ERR_ALGORITHM;
  const stateBytes = <usize>hashDigestBytes(algorithm);
  memory.copy(dst, context + INNER_STATE_OFFSET, stateBytes);
  memory.copy(dst + stateBytes, context + OUTER_STATE_OFFSET, stateBytes);
  return 2 * <i32>stateBytes;
}

/** Makes `context` from a packed key of `algorithm` at `src` (hmacPackedKeyBytes long): OK or
 *  ERR_ALGORITHM. No hashing: this is what saves the two key blocks per MAC. */
export function hmacImportKey(algorithm: u32, src: usize, context: usize): i32 {
  if (!isHashAlgorithm(algorithm)) return ERR_ALGORITHM;
  const stateBytes = <usize>hashDigestBytes(algorithm);
  memory.copy(context + INNER_STATE_OFFSET, src, stateBytes);
  memory.copy(context + OUTER_STATE_OFFSET, src + stateBytes, stateBytes);
  store<u32>(context, algorithm);
  store<u32>(context, 0, 4);
  return OK;
}

/**
 * HMAC of `message` under a prepared context. Writes the digest to `digestOut` (which may overlap
 * `message`) and returns its length, or ERR_ALGORITHM for a context that was not prepared.
 */
export function hmacCompute(context: usize, message: usize, messageBytes: u32, digestOut: usize): i32 {
  const algorithm = load<u32>(context);
  if (!isHashAlgorithm(algorithm)) return ERR_ALGORITHM;
  const blockBytes = <u64>hashBlockBytes(algorithm);
  const digestBytes = hashDigestBytes(algorithm);
  hashLoadState(algorithm, context + INNER_STATE_OFFSET, blockBytes);
  hashUpdate(algorithm, message, messageBytes);
  hashFinal(algorithm, digestOut);
  hashLoadState(algorithm, context + OUTER_STATE_OFFSET, blockBytes);
  hashUpdate(algorithm, digestOut, <u32>digestBytes);
  hashFinal(algorithm, digestOut);
  return digestBytes;
}

/** One-shot HMAC for any key length (including 0): the digest length, or ERR_ALGORITHM. */
export function hmacOneShot(algorithm: u32, key: usize, keyBytes: u32, message: usize, messageBytes: u32, digestOut: usize): i32 {
  const prepared = hmacPrepareContext(algorithm, key, keyBytes, oneShotContext);
  if (prepared < 0) return prepared;
  const result = hmacCompute(oneShotContext, message, messageBytes, digestOut);
  memory.fill(oneShotContext, 0, <usize>HMAC_CONTEXT_BYTES);
  return result;
}
