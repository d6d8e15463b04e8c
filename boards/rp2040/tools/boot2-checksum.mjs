#!/usr/bin/env node
// Pads a boot2 binary to 252 bytes and appends the CRC32 the RP2040 bootrom checks before running
// it (datasheet 2.8.1.3.1): polynomial 0x04C11DB7, initial value 0xFFFFFFFF, no bit reflection,
// no final XOR (the "CRC-32/MPEG-2" parameters), stored little-endian in bytes 252..255.
// Usage: boot2-checksum.mjs <boot2.bin> <out.bin>
import { readFileSync, writeFileSync } from "node:fs";

export const BOOT2_CODE_BYTES = 252;

export function crc32Mpeg2(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    }
    crc >>>= 0;
  }
  return crc >>> 0;
}

export function withChecksum(code) {
  if (code.length > BOOT2_CODE_BYTES) throw new Error(`boot2 is ${code.length} bytes; at most ${BOOT2_CODE_BYTES}`);
  const out = new Uint8Array(BOOT2_CODE_BYTES + 4);
  out.set(code);
  new DataView(out.buffer).setUint32(BOOT2_CODE_BYTES, crc32Mpeg2(out.subarray(0, BOOT2_CODE_BYTES)), true);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [input, output] = process.argv.slice(2);
  writeFileSync(output, withChecksum(readFileSync(input)));
}
