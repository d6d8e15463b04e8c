// SHA-256 (FIPS 180-4, sections 4.2.2, 5.3.3 and 6.2). One static state, used like sha1.ts:
// init, updates, final; save/load of the chaining value at block boundaries for HMAC.
import { scheduleScratch } from "./scratch";

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

function compress(block: usize): void {
  const w = schedule;
  for (let t: usize = 0; t < 64; t += 4) store<u32>(w + t, bswap<u32>(load<u32>(block + t)));
  for (let t: usize = 64; t < 256; t += 4) {
    const w15 = load<u32>(w + t - 60);
    const w2 = load<u32>(w + t - 8);
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    store<u32>(w + t, load<u32>(w + t - 64) + s0 + load<u32>(w + t - 28) + s1);
  }
  let a = h0;
  let b = h1;
  let c = h2;
  let d = h3;
  let e = h4;
  let f = h5;
  let g = h6;
  let h = h7;
  for (let t: usize = 0; t < 256; t += 4) {
    const t1 = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) +
      load<u32>(ROUND_CONSTANTS + t) + load<u32>(w + t);
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) | (c & (a | b)));
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
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
  store<u32>(digestOut, bswap<u32>(h0));
  store<u32>(digestOut + 4, bswap<u32>(h1));
  store<u32>(digestOut + 8, bswap<u32>(h2));
  store<u32>(digestOut + 12, bswap<u32>(h3));
  store<u32>(digestOut + 16, bswap<u32>(h4));
  store<u32>(digestOut + 20, bswap<u32>(h5));
  store<u32>(digestOut + 24, bswap<u32>(h6));
  store<u32>(digestOut + 28, bswap<u32>(h7));
  pendingBytes = 0;
}

/** Saves the chaining value; valid only at a block boundary. */
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
