// An independent oracle for the prepared HMAC key a slot record stores (docs/SPEC.md "Flash
// format"): the SHA-1/256/512 chaining values after one compression of K0 XOR ipad and of K0 XOR
// opad (RFC 2104, FIPS 198-1), as the module stores them: the words H0.. each little-endian (u32
// words for SHA-1/256, u64 for SHA-512), inner then outer. The compression functions follow FIPS
// 180-4; their round constants and initial values are derived here from the primes (integer roots),
// and the test checks them against node:crypto's digests (compress one padded block).
import { createHash } from "node:crypto";

export const HASH_NAMES = ["sha1", "sha256", "sha512"] as const;
export const BLOCK_BYTES = [64, 64, 128] as const;

const MASK64 = (1n << 64n) - 1n;

function primes(count: number): bigint[] {
  const found: bigint[] = [];
  for (let n = 2; found.length < count; n++) if (found.every((p) => n % Number(p) !== 0)) found.push(BigInt(n));
  return found;
}

/** floor(value^(1/degree)) for a non-negative BigInt, by Newton's method. */
function integerRoot(value: bigint, degree: bigint): bigint {
  let x = 1n << (BigInt(value.toString(2).length) / degree + 1n);
  for (;;) {
    const next = ((degree - 1n) * x + value / x ** (degree - 1n)) / degree;
    if (next >= x) return x;
    x = next;
  }
}

/** The first 64 bits of the fractional part of p^(1/degree) for the first `count` primes. */
function fractions64(count: number, degree: bigint): bigint[] {
  return primes(count).map((p) => integerRoot(p << (64n * degree), degree) & MASK64);
}

const K512 = fractions64(80, 3n);
const IV512 = fractions64(8, 2n);
const K256 = Uint32Array.from(K512.slice(0, 64), (k) => Number(k >> 32n));
const IV256 = Uint32Array.from(IV512, (h) => Number(h >> 32n));
const IV1 = Uint32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);

const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;
const rotr = (x: number, n: number) => ((x >>> n) | (x << (32 - n))) >>> 0;
const rotr64 = (x: bigint, n: bigint) => ((x >> n) | (x << (64n - n))) & MASK64;

function sha1Compress(state: Uint32Array, block: Uint8Array): void {
  const view = new DataView(block.buffer, block.byteOffset, 64);
  const w = new Uint32Array(80);
  for (let t = 0; t < 16; t++) w[t] = view.getUint32(4 * t);
  for (let t = 16; t < 80; t++) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  let [a, b, c, d, e] = state;
  for (let t = 0; t < 80; t++) {
    const f = t < 20 ? (b & c) | (~b & d) : t < 40 || t >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
    const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
    const next = (rotl(a, 5) + (f >>> 0) + e + k + w[t]) >>> 0;
    [e, d, c, b, a] = [d, c, rotl(b, 30), a, next];
  }
  [a, b, c, d, e].forEach((v, i) => { state[i] = (state[i] + v) >>> 0; });
}

function sha256Compress(state: Uint32Array, block: Uint8Array): void {
  const view = new DataView(block.buffer, block.byteOffset, 64);
  const w = new Uint32Array(64);
  for (let t = 0; t < 16; t++) w[t] = view.getUint32(4 * t);
  for (let t = 16; t < 64; t++) {
    const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
    const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
    w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
  }
  let [a, b, c, d, e, f, g, h] = state;
  for (let t = 0; t < 64; t++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (((e & f) ^ (~e & g)) >>> 0) + K256[t] + w[t]) >>> 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + (((a & b) ^ (a & c) ^ (b & c)) >>> 0)) >>> 0;
    [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
  }
  [a, b, c, d, e, f, g, h].forEach((v, i) => { state[i] = (state[i] + v) >>> 0; });
}

function sha512Compress(state: bigint[], block: Uint8Array): void {
  const view = new DataView(block.buffer, block.byteOffset, 128);
  const w: bigint[] = [];
  for (let t = 0; t < 16; t++) w.push(view.getBigUint64(8 * t));
  for (let t = 16; t < 80; t++) {
    const s0 = rotr64(w[t - 15], 1n) ^ rotr64(w[t - 15], 8n) ^ (w[t - 15] >> 7n);
    const s1 = rotr64(w[t - 2], 19n) ^ rotr64(w[t - 2], 61n) ^ (w[t - 2] >> 6n);
    w.push((w[t - 16] + s0 + w[t - 7] + s1) & MASK64);
  }
  let [a, b, c, d, e, f, g, h] = state;
  for (let t = 0; t < 80; t++) {
    const ch = (e & f) ^ (~e & MASK64 & g);
    const t1 = (h + (rotr64(e, 14n) ^ rotr64(e, 18n) ^ rotr64(e, 41n)) + ch + K512[t] + w[t]) & MASK64;
    const t2 = ((rotr64(a, 28n) ^ rotr64(a, 34n) ^ rotr64(a, 39n)) + ((a & b) ^ (a & c) ^ (b & c))) & MASK64;
    [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) & MASK64, c, b, a, (t1 + t2) & MASK64];
  }
  [a, b, c, d, e, f, g, h].forEach((v, i) => { state[i] = (state[i] + v) & MASK64; });
}

/**
 * The chaining value after compressing `blocks` (whole blocks of `algorithm` 1..3) from the initial
 * value, as bytes: words little-endian, or big-endian (`bigEndian`, the digest's byte order).
 */
export function chainingValue(algorithm: number, blocks: Uint8Array, bigEndian = false): Uint8Array {
  const blockBytes = BLOCK_BYTES[algorithm - 1];
  if (blocks.length % blockBytes !== 0) throw new RangeError("whole blocks only");
  if (algorithm === 3) {
    const state = [...IV512];
    for (let at = 0; at < blocks.length; at += 128) sha512Compress(state, blocks.subarray(at, at + 128));
    const out = new DataView(new ArrayBuffer(64));
    state.forEach((h, i) => out.setBigUint64(8 * i, h, !bigEndian));
    return new Uint8Array(out.buffer);
  }
  const state = algorithm === 1 ? IV1.slice() : IV256.slice();
  const compress = algorithm === 1 ? sha1Compress : sha256Compress;
  for (let at = 0; at < blocks.length; at += 64) compress(state, blocks.subarray(at, at + 64));
  const out = new DataView(new ArrayBuffer(4 * state.length));
  state.forEach((h, i) => out.setUint32(4 * i, h, !bigEndian));
  return new Uint8Array(out.buffer);
}

/** FIPS 180-4 padding of a message short enough for one block (the oracle's self-check). */
export function paddedBlock(algorithm: number, message: Uint8Array): Uint8Array {
  const blockBytes = BLOCK_BYTES[algorithm - 1];
  const lengthBytes = algorithm === 3 ? 16 : 8;
  if (message.length + 1 + lengthBytes > blockBytes) throw new RangeError("message too long for one block");
  const block = new Uint8Array(blockBytes);
  block.set(message);
  block[message.length] = 0x80;
  new DataView(block.buffer).setBigUint64(blockBytes - 8, BigInt(message.length * 8));
  return block;
}

/** K0 of FIPS 198-1: the key (hashed first when longer than the block), zero-padded to a block. */
export function keyBlock(algorithm: number, key: Uint8Array): Uint8Array {
  const blockBytes = BLOCK_BYTES[algorithm - 1];
  const k = key.length > blockBytes ? new Uint8Array(createHash(HASH_NAMES[algorithm - 1]).update(key).digest()) : key;
  const block = new Uint8Array(blockBytes);
  block.set(k);
  return block;
}

/** What a slot record stores for `key`: inner || outer chaining value (40, 64 or 128 bytes). */
export function preparedKey(algorithm: number, key: Uint8Array): Uint8Array {
  const k0 = keyBlock(algorithm, key);
  const inner = chainingValue(algorithm, k0.map((b) => b ^ 0x36));
  const outer = chainingValue(algorithm, k0.map((b) => b ^ 0x5c));
  const out = new Uint8Array(inner.length + outer.length);
  out.set(inner);
  out.set(outer, inner.length);
  return out;
}
