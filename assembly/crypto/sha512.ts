// SHA-512 (FIPS 180-4, sections 4.2.3, 5.3.5 and 6.4) on 64-bit integer words. One static state,
// used like sha1.ts. Message lengths are counted in bytes as u64 (the 128-bit bit count's high
// word is bytes >> 61).
import { scheduleScratch, swapWords64 } from "./scratch";

export const SHA512_DIGEST_BYTES: i32 = 64;
export const SHA512_BLOCK_BYTES: i32 = 128;
export const SHA512_STATE_BYTES: i32 = 64;

// First 64 bits of the fractional parts of the cube roots of the first 80 primes.
const ROUND_CONSTANTS = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
  0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
  0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
  0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
  0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
  0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
  0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
  0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
  0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
  0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
  0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
  0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]);

const schedule = scheduleScratch;
const pendingBlock = memory.data(128);

let h0: u64 = 0;
let h1: u64 = 0;
let h2: u64 = 0;
let h3: u64 = 0;
let h4: u64 = 0;
let h5: u64 = 0;
let h6: u64 = 0;
let h7: u64 = 0;
let pendingBytes: i32 = 0;
let totalBytes: u64 = 0;

// The sigma functions nest their rotations (rotr(x ^ rotr(x ^ rotr(x, c), b), a) equals
// rotr(x, a) ^ rotr(x, a + b) ^ rotr(x, a + b + c)) so each is one chain of operations: wasm3
// keeps a chain in its register, where three independent rotations would spill two to the stack.
@inline function bigSigma0(x: u64): u64 {
  return rotr<u64>(x ^ rotr<u64>(x ^ rotr<u64>(x, 5), 6), 28); // rotr 28 ^ rotr 34 ^ rotr 39
}
@inline function bigSigma1(x: u64): u64 {
  return rotr<u64>(x ^ rotr<u64>(x ^ rotr<u64>(x, 23), 4), 14); // rotr 14 ^ rotr 18 ^ rotr 41
}
@inline function smallSigma0(x: u64): u64 {
  return rotr<u64>(x ^ rotr<u64>(x, 7), 1) ^ (x >>> 7); // rotr 1 ^ rotr 8 ^ shr 7
}
@inline function smallSigma1(x: u64): u64 {
  return rotr<u64>(x ^ rotr<u64>(x, 42), 19) ^ (x >>> 6); // rotr 19 ^ rotr 61 ^ shr 6
}

// Maj(a, b, c) is b ^ ((a ^ b) & (b ^ c)), where b ^ c is the previous round's a ^ b (kept in x).
// Schedule and constants are addressed through moving pointers with constant offsets. Rounds are
// not unrolled here: SHA-512 is the rare algorithm, and unrolling by eight saved a further 15% of
// wasm3's operations for 4 KiB more wasm3 code pages (x86-64; about half that on the board).
function compress(block: usize): void {
  const w = schedule;
  for (let t: usize = 0; t < 128; t += 8) store<u64>(w + t, bswap<u64>(load<u64>(block + t)));
  // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], with p pointing at W[t-16].
  for (let p = w; p < w + 512; p += 8) {
    store<u64>(p, smallSigma1(load<u64>(p, 112)) + load<u64>(p, 72) + smallSigma0(load<u64>(p, 8)) + load<u64>(p), 128);
  }
  let a = h0;
  let b = h1;
  let c = h2;
  let d = h3;
  let e = h4;
  let f = h5;
  let g = h6;
  let h = h7;
  let x = b ^ c;
  let k = ROUND_CONSTANTS;
  for (let p = w; p < w + 640; p += 8) {
    const t1 = h + bigSigma1(e) + (g ^ (e & (f ^ g))) + load<u64>(k) + load<u64>(p);
    const ab = a ^ b;
    const t2 = bigSigma0(a) + (b ^ (ab & x));
    x = ab;
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    k += 8;
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

export function sha512Init(): void {
  // First 64 bits of the fractional parts of the square roots of the first 8 primes.
  h0 = 0x6a09e667f3bcc908;
  h1 = 0xbb67ae8584caa73b;
  h2 = 0x3c6ef372fe94f82b;
  h3 = 0xa54ff53a5f1d36f1;
  h4 = 0x510e527fade682d1;
  h5 = 0x9b05688c2b3e6c1f;
  h6 = 0x1f83d9abfb41bd6b;
  h7 = 0x5be0cd19137e2179;
  pendingBytes = 0;
  totalBytes = 0;
}

// @cold
export function sha512Update(data: usize, length: u32): void {
  totalBytes += <u64>length;
  let at = data;
  let left = <usize>length;
  if (pendingBytes > 0) {
    const room = <usize>(128 - pendingBytes);
    const take = left < room ? left : room;
    memory.copy(pendingBlock + <usize>pendingBytes, at, take);
    pendingBytes += <i32>take;
    at += take;
    left -= take;
    if (pendingBytes < 128) return;
    compress(pendingBlock);
    pendingBytes = 0;
  }
  while (left >= 128) {
    compress(at);
    at += 128;
    left -= 128;
  }
  if (left > 0) {
    memory.copy(pendingBlock, at, left);
    pendingBytes = <i32>left;
  }
}

/** Pads, processes the last block(s) and writes the 64-byte digest to `digestOut`. */
// @cold
export function sha512Final(digestOut: usize): void {
  store<u8>(pendingBlock + <usize>pendingBytes, 0x80);
  let used = pendingBytes + 1;
  if (used > 112) {
    memory.fill(pendingBlock + <usize>used, 0, <usize>(128 - used));
    compress(pendingBlock);
    used = 0;
  }
  memory.fill(pendingBlock + <usize>used, 0, <usize>(112 - used));
  store<u64>(pendingBlock + 112, bswap<u64>(totalBytes >>> 61));
  store<u64>(pendingBlock + 120, bswap<u64>(totalBytes << 3));
  compress(pendingBlock);
  // Native-order words, byte-swapped by a loop (scratch.ts says why).
  store<u64>(digestOut, h0, 0);
  store<u64>(digestOut, h1, 8);
  store<u64>(digestOut, h2, 16);
  store<u64>(digestOut, h3, 24);
  store<u64>(digestOut, h4, 32);
  store<u64>(digestOut, h5, 40);
  store<u64>(digestOut, h6, 48);
  store<u64>(digestOut, h7, 56);
  swapWords64(digestOut, 64);
  pendingBytes = 0;
}

/** Saves the chaining value; valid only at a block boundary. */
// @cold
export function sha512SaveState(dst: usize): void {
  store<u64>(dst, h0);
  store<u64>(dst + 8, h1);
  store<u64>(dst + 16, h2);
  store<u64>(dst + 24, h3);
  store<u64>(dst + 32, h4);
  store<u64>(dst + 40, h5);
  store<u64>(dst + 48, h6);
  store<u64>(dst + 56, h7);
}

/** Resumes hashing from a saved chaining value after `hashedBytes` (a multiple of 128). */
// @cold
export function sha512LoadState(src: usize, hashedBytes: u64): void {
  h0 = load<u64>(src);
  h1 = load<u64>(src + 8);
  h2 = load<u64>(src + 16);
  h3 = load<u64>(src + 24);
  h4 = load<u64>(src + 32);
  h5 = load<u64>(src + 40);
  h6 = load<u64>(src + 48);
  h7 = load<u64>(src + 56);
  pendingBytes = 0;
  totalBytes = hashedBytes;
}
