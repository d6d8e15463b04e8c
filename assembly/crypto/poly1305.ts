// Poly1305 (RFC 8439 section 2.5): tag = ((sum of blocks_i * r^(n-i+1)) mod (2^130 - 5) + s) mod 2^128.
// The accumulator h and the clamped r are held as five 26-bit limbs, so a limb product fits in
// 52 bits and a sum of five products (with the 5x reduction factor) in under 60 bits of a u64.
// One static state: init, updates, (pads), final. Final wipes the key and accumulator.

export const POLY1305_KEY_BYTES: u32 = 32;
export const POLY1305_TAG_BYTES: u32 = 16;

const LIMB_MASK: u32 = 0x3ffffff; // 26 bits

// The multipliers of r (clamped), one row of five u32 per output limb k: row k holds, for input
// limb j, r[k - j] when j <= k, else 5 * r[5 + k - j] (2^130 = 5 mod p, so a product that lands at
// limb 5 + k folds back to limb k multiplied by 5). A table walked by a loop instead of 25 products
// written out: on the RP2040, wasm3's C stack deepens with every operation run since a loop head,
// and the written-out block was the deepest run of the PIN paths (docs/wasm3.md).
const multipliers = memory.data(5 * 5 * 4);
// The limbs of one product, before they replace the accumulator.
const productLimbs = memory.data(5 * 4);
// The accumulator.
let h0: u32 = 0, h1: u32 = 0, h2: u32 = 0, h3: u32 = 0, h4: u32 = 0;
// s, the second half of the one-time key, added at the end.
const finalKey = memory.data(16);
// Bytes of a block not yet processed.
const pendingBlock = memory.data(16);
let pendingBytes: u32 = 0;

/** Starts a MAC under the 32-byte one-time key (r = first 16 bytes, s = last 16). */
export function poly1305Init(key: usize): void {
  // Clamp r (section 2.5.1): clear the top 4 bits of bytes 3, 7, 11, 15 and the low 2 bits of
  // bytes 4, 8, 12, as little-endian 32-bit words.
  const t0 = load<u32>(key, 0) & 0x0fffffff;
  const t1 = load<u32>(key, 4) & 0x0ffffffc;
  const t2 = load<u32>(key, 8) & 0x0ffffffc;
  const t3 = load<u32>(key, 12) & 0x0ffffffc;
  // Split the 128-bit r into limbs at bit 0, 26, 52, 78, 104.
  const r0 = t0 & LIMB_MASK;
  const r1 = ((t0 >>> 26) | (t1 << 6)) & LIMB_MASK;
  const r2 = ((t1 >>> 20) | (t2 << 12)) & LIMB_MASK;
  const r3 = ((t2 >>> 14) | (t3 << 18)) & LIMB_MASK;
  const r4 = t3 >>> 8;
  const s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
  const m = multipliers;
  store<u32>(m, r0, 0); store<u32>(m, s4, 4); store<u32>(m, s3, 8); store<u32>(m, s2, 12); store<u32>(m, s1, 16);
  store<u32>(m, r1, 20); store<u32>(m, r0, 24); store<u32>(m, s4, 28); store<u32>(m, s3, 32); store<u32>(m, s2, 36);
  store<u32>(m, r2, 40); store<u32>(m, r1, 44); store<u32>(m, r0, 48); store<u32>(m, s4, 52); store<u32>(m, s3, 56);
  store<u32>(m, r3, 60); store<u32>(m, r2, 64); store<u32>(m, r1, 68); store<u32>(m, r0, 72); store<u32>(m, s4, 76);
  store<u32>(m, r4, 80); store<u32>(m, r3, 84); store<u32>(m, r2, 88); store<u32>(m, r1, 92); store<u32>(m, r0, 96);
  h0 = 0; h1 = 0; h2 = 0; h3 = 0; h4 = 0;
  memory.copy(finalKey, key + 16, 16);
  pendingBytes = 0;
}

// h = (h + block + highBit * 2^128) * r mod p, for each 16-byte block of `data`.
// `highBit` is 1 << 24 (bit 128 in limb 4) for full blocks, 0 for the padded final block.
function processBlocks(data: usize, blockCount: u32, highBit: u32): void {
  let a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
  for (let block: u32 = 0; block < blockCount; block++) {
    const at = data + (<usize>block << 4);
    const m0 = load<u32>(at, 0), m1 = load<u32>(at, 4), m2 = load<u32>(at, 8), m3 = load<u32>(at, 12);
    const b0 = <u64>(a0 + (m0 & LIMB_MASK));
    const b1 = <u64>(a1 + (((m0 >>> 26) | (m1 << 6)) & LIMB_MASK));
    const b2 = <u64>(a2 + (((m1 >>> 20) | (m2 << 12)) & LIMB_MASK));
    const b3 = <u64>(a3 + (((m2 >>> 14) | (m3 << 18)) & LIMB_MASK));
    const b4 = <u64>(a4 + ((m3 >>> 8) | highBit));
    // Schoolbook product, one output limb per iteration, each carried into the next (limb 1 may
    // keep a few extra bits after the fold below; the next product still fits in 64 bits).
    let carry: u64 = 0;
    for (let k: usize = 0; k < 20; k += 4) {
      const row = multipliers + k * 5;
      const d = b0 * <u64>load<u32>(row) + b1 * <u64>load<u32>(row, 4) + b2 * <u64>load<u32>(row, 8) +
        b3 * <u64>load<u32>(row, 12) + b4 * <u64>load<u32>(row, 16) + carry;
      store<u32>(productLimbs + k, <u32>d & LIMB_MASK);
      carry = d >> 26;
    }
    a0 = load<u32>(productLimbs, 0) + <u32>carry * 5;
    a1 = load<u32>(productLimbs, 4) + (a0 >>> 26);
    a0 &= LIMB_MASK;
    a2 = load<u32>(productLimbs, 8);
    a3 = load<u32>(productLimbs, 12);
    a4 = load<u32>(productLimbs, 16);
  }
  h0 = a0; h1 = a1; h2 = a2; h3 = a3; h4 = a4;
}

/** Adds `length` bytes to the MAC; any split of a message into updates gives the same tag. */
export function poly1305Update(data: usize, length: u32): void {
  let at = data;
  let left = length;
  if (pendingBytes > 0) {
    let take: u32 = 16 - pendingBytes;
    if (take > left) take = left;
    memory.copy(pendingBlock + pendingBytes, at, take);
    pendingBytes += take;
    at += take;
    left -= take;
    if (pendingBytes < 16) return;
    processBlocks(pendingBlock, 1, 1 << 24);
    pendingBytes = 0;
  }
  const fullBlocks = left >>> 4;
  if (fullBlocks > 0) processBlocks(at, fullBlocks, 1 << 24);
  at += <usize>(fullBlocks << 4);
  left &= 15;
  if (left > 0) {
    memory.copy(pendingBlock, at, left);
    pendingBytes = left;
  }
}

/** Zero-pads the data so far to a multiple of 16 bytes (the pad16 of RFC 8439 section 2.8). */
export function poly1305PadToBlock(): void {
  if (pendingBytes == 0) return;
  memory.fill(pendingBlock + pendingBytes, 0, 16 - pendingBytes);
  processBlocks(pendingBlock, 1, 1 << 24);
  pendingBytes = 0;
}


/** Finishes the MAC: writes the 16-byte tag to `tagOut` and wipes the state. */
export function poly1305Final(tagOut: usize): void {
  if (pendingBytes > 0) {
    // The last partial block gets a 0x01 byte after it (instead of bit 128) and zeros.
    store<u8>(pendingBlock + pendingBytes, 1);
    memory.fill(pendingBlock + pendingBytes + 1, 0, 15 - pendingBytes);
    processBlocks(pendingBlock, 1, 0);
  }
  // Two passes of carries h0 -> h4, the carry out of h4 folded back into h0 (times 5), leave
  // every limb below 2^26 (the second pass can only carry a small h0). A loop, not two copies:
  // on the RP2040 wasm3's C stack deepens with every operation run since a loop head, and this
  // function was the deepest run of the PIN paths (docs/wasm3.md).
  for (let pass = 0; pass < 2; pass++) {
    let c: u32;
    c = h0 >>> 26; h0 &= LIMB_MASK; h1 += c;
    c = h1 >>> 26; h1 &= LIMB_MASK; h2 += c;
    c = h2 >>> 26; h2 &= LIMB_MASK; h3 += c;
    c = h3 >>> 26; h3 &= LIMB_MASK; h4 += c;
    c = h4 >>> 26; h4 &= LIMB_MASK; h0 += c * 5;
  }
  // g = h + 5 - 2^130; when it does not borrow, h >= p and h - p = g is the reduced value.
  let c: u32;
  let g0 = h0 + 5; c = g0 >>> 26; g0 &= LIMB_MASK;
  let g1 = h1 + c; c = g1 >>> 26; g1 &= LIMB_MASK;
  let g2 = h2 + c; c = g2 >>> 26; g2 &= LIMB_MASK;
  let g3 = h3 + c; c = g3 >>> 26; g3 &= LIMB_MASK;
  const g4 = h4 + c - (1 << 26);
  // All ones when g4 did not go negative (use g), else zero (keep h): no branch on secret data.
  const useG: u32 = (g4 >>> 31) - 1;
  const keepH = ~useG;
  const f0 = (h0 & keepH) | (g0 & useG);
  const f1 = (h1 & keepH) | (g1 & useG);
  const f2 = (h2 & keepH) | (g2 & useG);
  const f3 = (h3 & keepH) | (g3 & useG);
  const f4 = (h4 & keepH) | (g4 & useG & LIMB_MASK);
  // Back to four 32-bit words (mod 2^128), then add s with carries.
  const w0 = f0 | (f1 << 26);
  const w1 = (f1 >>> 6) | (f2 << 20);
  const w2 = (f2 >>> 12) | (f3 << 14);
  const w3 = (f3 >>> 18) | (f4 << 8);
  let sum = <u64>w0 + <u64>load<u32>(finalKey, 0);
  store<u32>(tagOut, <u32>sum, 0);
  sum = <u64>w1 + <u64>load<u32>(finalKey, 4) + (sum >> 32);
  store<u32>(tagOut, <u32>sum, 4);
  sum = <u64>w2 + <u64>load<u32>(finalKey, 8) + (sum >> 32);
  store<u32>(tagOut, <u32>sum, 8);
  sum = <u64>w3 + <u64>load<u32>(finalKey, 12) + (sum >> 32);
  store<u32>(tagOut, <u32>sum, 12);
  // Wipe the key and accumulator.
  memory.fill(multipliers, 0, 5 * 5 * 4);
  memory.fill(productLimbs, 0, 5 * 4);
  h0 = 0; h1 = 0; h2 = 0; h3 = 0; h4 = 0;
  memory.fill(finalKey, 0, 16);
  memory.fill(pendingBlock, 0, 16);
  pendingBytes = 0;
}

/** One-shot MAC of `length` bytes at `data` under the 32-byte `key`. */
export function poly1305Mac(key: usize, data: usize, length: u32, tagOut: usize): void {
  poly1305Init(key);
  poly1305Update(data, length);
  poly1305Final(tagOut);
}
