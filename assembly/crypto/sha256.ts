// SHA-256 (FIPS 180-4, sections 4.2.2, 5.3.3 and 6.2). One static state, used like sha1.ts:
// init, updates, final; save/load of the chaining value at block boundaries for HMAC.
import { scheduleScratch, swapWords32 } from "./scratch";

export const SHA256_DIGEST_BYTES: i32 = 32;
export const SHA256_BLOCK_BYTES: i32 = 64;
export const SHA256_STATE_BYTES: i32 = 32;

// First 32 bits of the fractional parts of the cube roots of the first 64 primes.
const ROUND_CONSTANTS = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const schedule = scheduleScratch;
const pendingBlock = memory.data(64);

let h0: u32 = 0;
let h1: u32 = 0;
let h2: u32 = 0;
let h3: u32 = 0;
let h4: u32 = 0;
let h5: u32 = 0;
let h6: u32 = 0;
let h7: u32 = 0;
let pendingBytes: i32 = 0;
let totalBytes: u64 = 0;

// The sigma functions nest their rotations (rotr(x ^ rotr(x ^ rotr(x, c), b), a) equals
// rotr(x, a) ^ rotr(x, a + b) ^ rotr(x, a + b + c)) so each is one chain of operations: wasm3
// keeps a chain in its register, where three independent rotations would spill two to the stack.
@inline function bigSigma0(x: u32): u32 {
  return rotr<u32>(x ^ rotr<u32>(x ^ rotr<u32>(x, 9), 11), 2); // rotr 2 ^ rotr 13 ^ rotr 22
}
@inline function bigSigma1(x: u32): u32 {
  return rotr<u32>(x ^ rotr<u32>(x ^ rotr<u32>(x, 14), 5), 6); // rotr 6 ^ rotr 11 ^ rotr 25
}
@inline function smallSigma0(x: u32): u32 {
  return rotr<u32>(x ^ rotr<u32>(x, 11), 7) ^ (x >>> 3); // rotr 7 ^ rotr 18 ^ shr 3
}
@inline function smallSigma1(x: u32): u32 {
  return rotr<u32>(x ^ rotr<u32>(x, 2), 17) ^ (x >>> 10); // rotr 17 ^ rotr 19 ^ shr 10
}

// Byte swap of one word, always inline: with asconfig's shrinkLevel 2, binaryen leaves the
// standard library's bswap<u32> a called function, and this runs 16 times per block.
@inline function swapBytes32(x: u32): u32 {
  return (rotl<u32>(x, 8) & 0x00ff00ff) | (rotr<u32>(x, 8) & 0xff00ff00);
}

// Rounds are unrolled by four with the variables renamed instead of shifted (a round adds into
// `h`, the next round's `a`), and the two halves of the state swapped after the four. Not by
// eight: on the RP2040, wasm3 deepens the C stack by one frame per operation run since the loop
// head (no tail calls on Thumb-1), and eight rounds were ~4.7 KiB of it (docs/wasm3.md). Maj(a, b, c) is b ^ ((a ^ b) & (b ^ c)), where b ^ c is the previous
// round's a ^ b (kept in x or y, alternately). Schedule and constants are addressed through moving
// pointers with constant offsets. Together these cut the operations wasm3 executes per block.
function compress(block: usize): void {
  const w = schedule;
  for (let t: usize = 0; t < 64; t += 4) store<u32>(w + t, swapBytes32(load<u32>(block + t)));
  // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], with p pointing at W[t-16].
  // Four words per iteration: less loop overhead. A word may read one stored just before it.
  for (let p = w; p < w + 192; p += 16) {
    store<u32>(p, smallSigma1(load<u32>(p, 56)) + load<u32>(p, 36) + smallSigma0(load<u32>(p, 4)) + load<u32>(p), 64);
    store<u32>(p, smallSigma1(load<u32>(p, 60)) + load<u32>(p, 40) + smallSigma0(load<u32>(p, 8)) + load<u32>(p, 4), 68);
    store<u32>(p, smallSigma1(load<u32>(p, 64)) + load<u32>(p, 44) + smallSigma0(load<u32>(p, 12)) + load<u32>(p, 8), 72);
    store<u32>(p, smallSigma1(load<u32>(p, 68)) + load<u32>(p, 48) + smallSigma0(load<u32>(p, 16)) + load<u32>(p, 12), 76);
  }
  let a = h0;
  let b = h1;
  let c = h2;
  let d = h3;
  let e = h4;
  let f = h5;
  let g = h6;
  let h = h7;
  let x: u32 = 0;
  let y = b ^ c;
  let k = ROUND_CONSTANTS;
  for (let p = w; p < w + 256; p += 16) {
    // Ch(e, f, g) as g ^ (e & (f ^ g)).
    h += bigSigma1(e) + (g ^ (e & (f ^ g))) + load<u32>(k) + load<u32>(p);
    d += h;
    x = a ^ b;
    h += bigSigma0(a) + (b ^ (x & y));
    g += bigSigma1(d) + (f ^ (d & (e ^ f))) + load<u32>(k, 4) + load<u32>(p, 4);
    c += g;
    y = h ^ a;
    g += bigSigma0(h) + (a ^ (y & x));
    f += bigSigma1(c) + (e ^ (c & (d ^ e))) + load<u32>(k, 8) + load<u32>(p, 8);
    b += f;
    x = g ^ h;
    f += bigSigma0(g) + (h ^ (x & y));
    e += bigSigma1(b) + (d ^ (b & (c ^ d))) + load<u32>(k, 12) + load<u32>(p, 12);
    a += e;
    y = f ^ g;
    e += bigSigma0(f) + (g ^ (y & x));
    // After four rounds the roles have moved by four: swap the halves so the next iteration's
    // round 0 finds a..h where it expects them (y already holds the new A ^ B).
    let t = a; a = e; e = t;
    t = b; b = f; f = t;
    t = c; c = g; g = t;
    t = d; d = h; h = t;
    k += 16;
  }
  h0 += a;
  h1 += b;
  h2 += c;
  h3 += d;
  h4 += e;
  h5 += f;
  h6 += g;
  h7 += h;
}

export function sha256Init(): void {
  h0 = 0x6a09e667;
  h1 = 0xbb67ae85;
  h2 = 0x3c6ef372;
  h3 = 0xa54ff53a;
  h4 = 0x510e527f;
  h5 = 0x9b05688c;
  h6 = 0x1f83d9ab;
  h7 = 0x5be0cd19;
  pendingBytes = 0;
  totalBytes = 0;
}

// @cold
export function sha256Update(data: usize, length: u32): void {
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

/** Pads, processes the last block(s) and writes the 32-byte digest to `digestOut`. */
// @cold
export function sha256Final(digestOut: usize): void {
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
  store<u32>(digestOut, h5, 20);
  store<u32>(digestOut, h6, 24);
  store<u32>(digestOut, h7, 28);
  swapWords32(digestOut, 32);
  pendingBytes = 0;
}

/** Saves the chaining value; valid only at a block boundary. */
// @cold
export function sha256SaveState(dst: usize): void {
  store<u32>(dst, h0);
  store<u32>(dst + 4, h1);
  store<u32>(dst + 8, h2);
  store<u32>(dst + 12, h3);
  store<u32>(dst + 16, h4);
  store<u32>(dst + 20, h5);
  store<u32>(dst + 24, h6);
  store<u32>(dst + 28, h7);
}

/** Resumes hashing from a saved chaining value after `hashedBytes` (a multiple of 64). */
// @cold
export function sha256LoadState(src: usize, hashedBytes: u64): void {
  h0 = load<u32>(src);
  h1 = load<u32>(src + 4);
  h2 = load<u32>(src + 8);
  h3 = load<u32>(src + 12);
  h4 = load<u32>(src + 16);
  h5 = load<u32>(src + 20);
  h6 = load<u32>(src + 24);
  h7 = load<u32>(src + 28);
  pendingBytes = 0;
  totalBytes = hashedBytes;
}
