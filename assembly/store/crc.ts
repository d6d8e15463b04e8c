// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the one zlib and PNG use, with a 16-entry
// table: a 1 KiB byte table would cost too much of the module's single 64 KiB page.
const CRC_NIBBLE_TABLE = memory.data<u32>([
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
  0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
]);

// One nibble of the reflected CRC (the low four bits of crc shifted out).
// @ts-ignore: decorator
@inline function nibble(crc: u32): u32 {
  // The table's address as the load's immediate offset: one operation less per nibble.
  return (crc >>> 4) ^ load<u32>(<usize>(crc & 15) << 2, CRC_NIBBLE_TABLE);
}

/** Continues a CRC-32 over `length` bytes at `data`; start with crc32Begin(), end with crc32End(). */
export function crc32Update(crc: u32, data: usize, length: u32): u32 {
  let at = data;
  const end = data + <usize>length;
  // Aligned data a word at a time (little-endian: the first byte lands in the low bits, as the byte
  // loop takes it): a quarter of the loads and loop steps, which an interpreter pays per operation
  // (the mount checks every record, so this is most of boot on the board).
  if ((at & 3) == 0) {
    const wordsEnd = at + (<usize>length & ~(<usize>3));
    while (at < wordsEnd) {
      crc ^= load<u32>(at);
      crc = nibble(nibble(nibble(nibble(nibble(nibble(nibble(nibble(crc))))))));
      at += 4;
    }
  }
  while (at < end) {
    crc ^= <u32>load<u8>(at);
    crc = nibble(nibble(crc));
    at++;
  }
  return crc;
}

/** CRC-32 of `length` bytes at `data` (the standard check value of "123456789" is 0xCBF43926). */
export function crc32(data: usize, length: u32): u32 {
  return ~crc32Update(0xffffffff, data, length);
}
