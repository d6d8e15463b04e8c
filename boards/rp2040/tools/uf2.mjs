#!/usr/bin/env node
// Converts a flat flash image to UF2 (the format the Pico's bootrom mass-storage mode accepts):
// 512-byte blocks, each carrying 256 payload bytes for one flash address, with the RP2040 family id.
// Usage: uf2.mjs <image.bin> <out.uf2> [baseAddress]
import { readFileSync, writeFileSync } from "node:fs";

const MAGIC_START0 = 0x0a324655; // "UF2\n"
const MAGIC_START1 = 0x9e5d5157;
const MAGIC_END = 0x0ab16f30;
const FLAG_FAMILY_ID_PRESENT = 0x00002000;
export const RP2040_FAMILY_ID = 0xe48bff56;
const PAYLOAD_BYTES = 256;
const BLOCK_BYTES = 512;

export function toUf2(image, baseAddress = 0x10000000) {
  const blockCount = Math.ceil(image.length / PAYLOAD_BYTES);
  const out = new Uint8Array(blockCount * BLOCK_BYTES);
  const view = new DataView(out.buffer);
  for (let block = 0; block < blockCount; block++) {
    const at = block * BLOCK_BYTES;
    const payload = image.subarray(block * PAYLOAD_BYTES, (block + 1) * PAYLOAD_BYTES);
    view.setUint32(at + 0, MAGIC_START0, true);
    view.setUint32(at + 4, MAGIC_START1, true);
    view.setUint32(at + 8, FLAG_FAMILY_ID_PRESENT, true);
    view.setUint32(at + 12, baseAddress + block * PAYLOAD_BYTES, true);
    view.setUint32(at + 16, PAYLOAD_BYTES, true);
    view.setUint32(at + 20, block, true);
    view.setUint32(at + 24, blockCount, true);
    view.setUint32(at + 28, RP2040_FAMILY_ID, true);
    out.set(payload, at + 32); // a short last block stays zero-padded
    view.setUint32(at + BLOCK_BYTES - 4, MAGIC_END, true);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [input, output, base] = process.argv.slice(2);
  writeFileSync(output, toUf2(new Uint8Array(readFileSync(input)), base ? Number(base) : undefined));
}
