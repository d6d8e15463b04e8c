// SHA-1 (FIPS 180-4, sections 5.3.1 and 6.1). One static state: a message is hashed by init,
// any number of updates, final; HMAC (hmac.ts) saves and reloads the chaining value at block
// boundaries to reuse precomputed key blocks. Integer only, nothing allocated.
import { scheduleScratch, swapWords32 } from "./scratch";

export const SHA1_DIGEST_BYTES: i32 = 20;
export const SHA1_BLOCK_BYTES: i32 = 64;
/** Bytes of a saved chaining value (sha1SaveState / sha1LoadState). */
export const SHA1_STATE_BYTES: i32 = 20;

// The message schedule W0..W79 (FIPS 180-4 6.1.2 step 1), big-endian words converted to native.
const schedule = scheduleScratch;
// A partial block waiting for more input, and the final padding.
const pendingBlock = memory.data(64);

let h0: u32 = 0;
let h1: u32 = 0;
let h2: u32 = 0;
let h3: u32 = 0;
let h4: u32 = 0;
let pendingBytes: i32 = 0;
let totalBytes: u64 = 0;

// Byte swap of one word, always inline: with asconfig's shrinkLevel 2, binaryen leaves the
// standard library's bswap<u32> a called function, and this runs 16 times per block.
@inline function swapBytes32(x: u32): u32 {
  return (rotl<u32>(x, 8) & 0x00ff00ff) | (rotr<u32>(x, 8) & 0xff00ff00);
}

// Rounds are unrolled by five with the variables renamed instead of shifted (a round writes the
// new `a` over `e`), and the schedule is addressed through a moving pointer with constant offsets:
// both cut operations per round, which is what an interpreter like wasm3 pays for.
function compress(block: usize): void {
  const w = schedule;
  for (let t: usize = 0; t < 64; t += 4) store<u32>(w + t, swapBytes32(load<u32>(block + t)));
  // W[t] = rotl(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16], 1), with p pointing at W[t-16].
  // Four words per iteration: less loop overhead. A word may read one stored just before it.
  for (let p = w; p < w + 256; p += 16) {
    store<u32>(p, rotl<u32>(load<u32>(p, 52) ^ load<u32>(p, 32) ^ load<u32>(p, 8) ^ load<u32>(p), 1), 64);
    store<u32>(p, rotl<u32>(load<u32>(p, 56) ^ load<u32>(p, 36) ^ load<u32>(p, 12) ^ load<u32>(p, 4), 1), 68);
    store<u32>(p, rotl<u32>(load<u32>(p, 60) ^ load<u32>(p, 40) ^ load<u32>(p, 16) ^ load<u32>(p, 8), 1), 72);
    store<u32>(p, rotl<u32>(load<u32>(p, 64) ^ load<u32>(p, 44) ^ load<u32>(p, 20) ^ load<u32>(p, 12), 1), 76);
  }
  let a = h0;
  let b = h1;
  let c = h2;
  let d = h3;
  let e = h4;
  let p = w;
  // Rounds 0-19: Ch(b, c, d) written as d ^ (b & (c ^ d)).
  for (; p < w + 80; p += 20) {
    e += rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999 + load<u32>(p); b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + (c ^ (a & (b ^ c))) + 0x5a827999 + load<u32>(p, 4); a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + (b ^ (e & (a ^ b))) + 0x5a827999 + load<u32>(p, 8); e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + (a ^ (d & (e ^ a))) + 0x5a827999 + load<u32>(p, 12); d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + (e ^ (c & (d ^ e))) + 0x5a827999 + load<u32>(p, 16); c = rotl<u32>(c, 30);
  }
  // Rounds 20-39: Parity.
  for (; p < w + 160; p += 20) {
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + load<u32>(p); b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + load<u32>(p, 4); a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + load<u32>(p, 8); e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + load<u32>(p, 12); d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + load<u32>(p, 16); c = rotl<u32>(c, 30);
  }
  // Rounds 40-59: Maj(b, c, d) written as (b & c) | (d & (b | c)).
  for (; p < w + 240; p += 20) {
    e += rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + load<u32>(p); b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + load<u32>(p, 4); a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + load<u32>(p, 8); e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + load<u32>(p, 12); d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + load<u32>(p, 16); c = rotl<u32>(c, 30);
  }
  // Rounds 60-79: Parity.
  for (; p < w + 320; p += 20) {
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + load<u32>(p); b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + load<u32>(p, 4); a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + load<u32>(p, 8); e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + load<u32>(p, 12); d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + load<u32>(p, 16); c = rotl<u32>(c, 30);
  }
  h0 += a;
  h1 += b;
  h2 += c;
  h3 += d;
  h4 += e;
}

export function sha1Init(): void {
  h0 = 0x67452301;
  h1 = 0xefcdab89;
  h2 = 0x98badcfe;
  h3 = 0x10325476;
  h4 = 0xc3d2e1f0;
  pendingBytes = 0;
  totalBytes = 0;
}

// @cold
export function sha1Update(data: usize, length: u32): void {
  totalBytes += <u64>length;
  let at = data;
  let left = <usize>length;
  if (pendingBytes > 0) {
    const room = <usize>(64 - pendingBytes);
    const take = left < room ? left : room;
    memory.copy(pendingBlock + <usize>pendingBytes, at, take);
    pendingBytes += <i32>take;
    at += take;
    left -= take;
    if (pendingBytes < 64) return;
    compress(pendingBlock);
    pendingBytes = 0;
  }
  while (left >= 64) {
    compress(at);
    at += 64;
    left -= 64;
  }
  if (left > 0) {
    memory.copy(pendingBlock, at, left);
    pendingBytes = <i32>left;
  }
}

/** Pads, processes the last block(s) and writes the 20-byte digest to `digestOut`. */
// @cold
export function sha1Final(digestOut: usize): void {
  store<u8>(pendingBlock + <usize>pendingBytes, 0x80);
  let used = pendingBytes + 1;
  if (used > 56) {
    memory.fill(pendingBlock + <usize>used, 0, <usize>(64 - used));
    compress(pendingBlock);
    used = 0;
  }
  memory.fill(pendingBlock + <usize>used, 0, <usize>(56 - used));
  store<u64>(pendingBlock + 56, bswap<u64>(totalBytes << 3));
  compress(pendingBlock);
  // Native-order words, byte-swapped by a loop (scratch.ts says why).
  store<u32>(digestOut, h0, 0);
  store<u32>(digestOut, h1, 4);
  store<u32>(digestOut, h2, 8);
  store<u32>(digestOut, h3, 12);
  store<u32>(digestOut, h4, 16);
  swapWords32(digestOut, 20);
  pendingBytes = 0;
}

/** Saves the chaining value; valid only at a block boundary (after whole blocks were hashed). */
export function sha1SaveState(dst: usize): void {
  store<u32>(dst, h0);
  store<u32>(dst + 4, h1);
  store<u32>(dst + 8, h2);
  store<u32>(dst + 12, h3);
  store<u32>(dst + 16, h4);
}

/** Resumes hashing from a saved chaining value after `hashedBytes` (a multiple of 64). */
export function sha1LoadState(src: usize, hashedBytes: u64): void {
  h0 = load<u32>(src);
  h1 = load<u32>(src + 4);
  h2 = load<u32>(src + 8);
  h3 = load<u32>(src + 12);
  h4 = load<u32>(src + 16);
  pendingBytes = 0;
  totalBytes = hashedBytes;
}
