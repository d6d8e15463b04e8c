// SHA-1 (FIPS 180-4, sections 5.3.1 and 6.1). One static state: a message is hashed by init,
// any number of updates, final; HMAC (hmac.ts) saves and reloads the chaining value at block
// boundaries to reuse precomputed key blocks. Integer only, nothing allocated.

export const SHA1_DIGEST_BYTES: i32 = 20;
export const SHA1_BLOCK_BYTES: i32 = 64;
/** Bytes of a saved chaining value (sha1SaveState / sha1LoadState). */
export const SHA1_STATE_BYTES: i32 = 20;

// The message schedule W0..W79 (FIPS 180-4 6.1.2 step 1), big-endian words converted to native.
const schedule = memory.data(80 * 4);
// A partial block waiting for more input, and the final padding.
const pendingBlock = memory.data(64);

let h0: u32 = 0;
let h1: u32 = 0;
let h2: u32 = 0;
let h3: u32 = 0;
let h4: u32 = 0;
let pendingBytes: i32 = 0;
let totalBytes: u64 = 0;

function compress(block: usize): void {
  const w = schedule;
  for (let t: usize = 0; t < 64; t += 4) store<u32>(w + t, bswap<u32>(load<u32>(block + t)));
  for (let t: usize = 64; t < 320; t += 4) {
    store<u32>(w + t, rotl<u32>(load<u32>(w + t - 12) ^ load<u32>(w + t - 32) ^ load<u32>(w + t - 56) ^ load<u32>(w + t - 64), 1));
  }
  let a = h0;
  let b = h1;
  let c = h2;
  let d = h3;
  let e = h4;
  let t: usize = 0;
  for (; t < 80; t += 4) {
    const next = rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + load<u32>(w + t);
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = next;
  }
  for (; t < 160; t += 4) {
    const next = rotl<u32>(a, 5) + (b ^ c ^ d) + e + 0x6ed9eba1 + load<u32>(w + t);
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = next;
  }
  for (; t < 240; t += 4) {
    const next = rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + load<u32>(w + t);
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = next;
  }
  for (; t < 320; t += 4) {
    const next = rotl<u32>(a, 5) + (b ^ c ^ d) + e + 0xca62c1d6 + load<u32>(w + t);
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = next;
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
  store<u32>(digestOut, bswap<u32>(h0));
  store<u32>(digestOut + 4, bswap<u32>(h1));
  store<u32>(digestOut + 8, bswap<u32>(h2));
  store<u32>(digestOut + 12, bswap<u32>(h3));
  store<u32>(digestOut + 16, bswap<u32>(h4));
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
