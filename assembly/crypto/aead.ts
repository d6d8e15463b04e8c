// ChaCha20-Poly1305 AEAD (RFC 8439 section 2.8), in place. The Poly1305 one-time key is the first
// half of keystream block 0; the data is encrypted from block 1. The tag covers
// aad | pad16 | ciphertext | pad16 | le64(aadBytes) | le64(dataBytes).
// Open verifies the tag before decrypting, so a forged or damaged record is never turned into
// plaintext, not even temporarily.
import { OK, ERR_RANGE, ERR_CORRUPT } from "../status";
import { chacha20Block, chacha20Xor } from "./chacha20";
import { poly1305Init, poly1305Update, poly1305PadToBlock, poly1305Final } from "./poly1305";
import { constantTimeEqual } from "./compare";

export const AEAD_KEY_BYTES: u32 = 32;
export const AEAD_NONCE_BYTES: u32 = 12;
export const AEAD_TAG_BYTES: u32 = 16;

// Keystream block 0 (its first 32 bytes are the Poly1305 key), the computed tag, the lengths block.
const oneTimeKeyBlock = memory.data(64);
const computedTag = memory.data(16);
const lengthsBlock = memory.data(16);

// A buffer must lie inside linear memory (a bad pointer from a caller is a status, not a trap).
@inline
function inMemory(at: usize, bytes: u32): bool {
  return <u64>at + <u64>bytes <= (<u64>memory.size() << 16);
}

function argumentsValid(key: usize, nonce: usize, aad: usize, aadBytes: u32, data: usize, dataBytes: u32, tag: usize): bool {
  return inMemory(key, AEAD_KEY_BYTES) && inMemory(nonce, AEAD_NONCE_BYTES) && inMemory(aad, aadBytes) &&
    inMemory(data, dataBytes) && inMemory(tag, AEAD_TAG_BYTES);
}

// The tag of (aad, ciphertext) under (key, nonce) into computedTag.
function computeTag(key: usize, nonce: usize, aad: usize, aadBytes: u32, ciphertext: usize, ciphertextBytes: u32): void {
  chacha20Block(key, 0, nonce, oneTimeKeyBlock);
  poly1305Init(oneTimeKeyBlock);
  memory.fill(oneTimeKeyBlock, 0, 64);
  poly1305Update(aad, aadBytes);
  poly1305PadToBlock();
  poly1305Update(ciphertext, ciphertextBytes);
  poly1305PadToBlock();
  store<u64>(lengthsBlock, <u64>aadBytes, 0);
  store<u64>(lengthsBlock, <u64>ciphertextBytes, 8);
  poly1305Update(lengthsBlock, 16);
  poly1305Final(computedTag);
}

/**
 * Encrypts `dataBytes` at `data` in place under the 32-byte `key` and 12-byte `nonce`, and writes
 * the 16-byte tag over (`aad`, ciphertext) to `tagOut`. A nonce must never repeat under one key.
 * OK, or ERR_RANGE (nothing changed) when a buffer lies outside memory.
 */
export function aeadSeal(key: usize, nonce: usize, aad: usize, aadBytes: u32, data: usize, dataBytes: u32, tagOut: usize): i32 {
  if (!argumentsValid(key, nonce, aad, aadBytes, data, dataBytes, tagOut)) return ERR_RANGE;
  chacha20Xor(key, 1, nonce, data, dataBytes);
  computeTag(key, nonce, aad, aadBytes, data, dataBytes);
  memory.copy(tagOut, computedTag, 16);
  memory.fill(computedTag, 0, 16);
  return OK;
}

/**
 * Checks the 16-byte `tag` over (`aad`, the ciphertext at `data`) in constant time and, only when
 * it matches, decrypts `dataBytes` at `data` in place. OK; ERR_CORRUPT (data left as ciphertext)
 * for a wrong tag; ERR_RANGE (nothing changed) when a buffer lies outside memory.
 */
export function aeadOpen(key: usize, nonce: usize, aad: usize, aadBytes: u32, data: usize, dataBytes: u32, tag: usize): i32 {
  if (!argumentsValid(key, nonce, aad, aadBytes, data, dataBytes, tag)) return ERR_RANGE;
  computeTag(key, nonce, aad, aadBytes, data, dataBytes);
  const tagMatches = constantTimeEqual(computedTag, tag, 16);
  memory.fill(computedTag, 0, 16);
  if (!tagMatches) return ERR_CORRUPT;
  chacha20Xor(key, 1, nonce, data, dataBytes);
  return OK;
}
