// A minimal stand-in for the RP2040 bootrom, which rp2040js does not ship (it is not ours to copy).
// It holds only what the firmware uses: the magic and the table pointers at 0x10..0x19, the
// table-lookup routine and the flash functions (datasheet 2.8.3). Each routine is the Thumb pair
// `bkpt #n; bx lr`: the breakpoint hands control to the harness, which does the work in
// TypeScript (on the NOR flash model for erase/program), and `bx lr` returns to the caller.
// Boot itself is emulated as the bootrom's flash path does it: check boot2's CRC32, copy it to
// SRAM 0x20041f00 and run it with LR = 0 (boot2 then starts the image through its vector table).

/** Breakpoint numbers of the routines. */
export const ROM_BREAK = {
  tableLookup: 0x10,
  connectInternalFlash: 0x11,
  flashExitXip: 0x12,
  flashRangeErase: 0x13,
  flashRangeProgram: 0x14,
  flashFlushCache: 0x15,
  flashEnterCmdXip: 0x16,
} as const;

const ROUTINES_AT = 0x100;
const FUNCTION_TABLE_AT = 0x200;
const DATA_TABLE_AT = 0x240;
const ROM_BYTES = 16 * 1024;

function code(first: string, second: string): number {
  return first.charCodeAt(0) | (second.charCodeAt(0) << 8);
}

/** The public function table: two-character code -> breakpoint number. */
const FUNCTIONS: Array<[number, number]> = [
  [code("I", "F"), ROM_BREAK.connectInternalFlash],
  [code("E", "X"), ROM_BREAK.flashExitXip],
  [code("R", "E"), ROM_BREAK.flashRangeErase],
  [code("R", "P"), ROM_BREAK.flashRangeProgram],
  [code("F", "C"), ROM_BREAK.flashFlushCache],
  [code("C", "X"), ROM_BREAK.flashEnterCmdXip],
];

/** Address of the routine for breakpoint `n` (Thumb bit clear). */
export function routineAddress(breakNumber: number): number {
  return ROUTINES_AT + (breakNumber - ROM_BREAK.tableLookup) * 4;
}

export function buildBootrom(): Uint32Array {
  const bytes = new Uint8Array(ROM_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set([0x4d, 0x75, 0x01, 0x02], 0x10); // 'M' 'u' 0x01, version 2 (a B2 chip)
  view.setUint16(0x14, FUNCTION_TABLE_AT, true);
  view.setUint16(0x16, DATA_TABLE_AT, true);
  view.setUint16(0x18, routineAddress(ROM_BREAK.tableLookup) | 1, true);
  for (const breakNumber of Object.values(ROM_BREAK)) {
    const at = routineAddress(breakNumber);
    view.setUint16(at, 0xbe00 | breakNumber, true); // bkpt #n
    view.setUint16(at + 2, 0x4770, true); // bx lr
  }
  FUNCTIONS.forEach(([tableCode, breakNumber], index) => {
    view.setUint16(FUNCTION_TABLE_AT + index * 4, tableCode, true);
    view.setUint16(FUNCTION_TABLE_AT + index * 4 + 2, routineAddress(breakNumber) | 1, true);
  });
  // Both tables end with a zero code (already zero); the data table is empty.
  return new Uint32Array(bytes.buffer);
}

/** The table lookup as the ROM does it: walk (code, pointer) halfword pairs until code 0. */
export function lookupRomTable(readUint16: (address: number) => number, table: number, wanted: number): number {
  for (let at = table; ; at += 4) {
    const entryCode = readUint16(at);
    if (entryCode === 0) return 0;
    if (entryCode === wanted) return readUint16(at + 2);
  }
}

/** CRC32 as the bootrom checks boot2: poly 0x04C11DB7, init 0xFFFFFFFF, unreflected, no final XOR. */
export function boot2Crc(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return crc >>> 0;
}
