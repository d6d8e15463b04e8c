// Scratch memory shared by the three hashes: the message schedule lives only inside one call of a
// compression function, and no compression runs inside another, so one area serves all three.

/** Room for the largest message schedule: SHA-512's 80 words of 8 bytes. */
export const SCHEDULE_BYTES: i32 = 80 * 8;
export const scheduleScratch = memory.data(SCHEDULE_BYTES, 16);

// Digests are written as native (little-endian) words, then byte-swapped by these loops: swapping
// each word inline made one long run of operations, the deepest C stack wasm3 reached on the
// RP2040 (docs/wasm3.md).

/** Turns `bytes` of little-endian u32 words at `at` into big-endian ones, in place. */
export function swapWords32(at: usize, bytes: usize): void {
  for (const end = at + bytes; at < end; at += 4) store<u32>(at, bswap<u32>(load<u32>(at)));
}

/** Turns `bytes` of little-endian u64 words at `at` into big-endian ones, in place. */
export function swapWords64(at: usize, bytes: usize): void {
  for (const end = at + bytes; at < end; at += 8) store<u64>(at, bswap<u64>(load<u64>(at)));
}
