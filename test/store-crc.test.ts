// The store's record CRCs against an independent CRC-32 (node:zlib): every record the module
// writes carries zlib's CRC of its header and payload. Names of every length mod 4 exercise both
// the word loop and the byte tail of assembly/store/crc.ts.
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEMO_CREDENTIAL, flashWith } from "../host-sim/flash-writer.js";
import { DEFAULT_REGION_BYTES } from "../host-sim/token.js";

const RECORD_ALIGN_BYTES = 16;
const HEADER_CRC = 12;
const HEADER_PAYLOAD_CRC = 8;
const RECORD_HEADER_BYTES = 16;

describe("store record CRC-32", () => {
  it("is zlib's CRC-32 for every record's header and payload", () => {
    const credentials = Array.from({ length: 8 }, (_, slot) => ({ ...DEMO_CREDENTIAL, slot, name: "n".repeat(slot + 1) }));
    const flash = flashWith(credentials);
    const bytes = flash.bytes;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const payloadLengths = new Set<number>();
    for (let at = bytes.length - DEFAULT_REGION_BYTES; at + RECORD_HEADER_BYTES <= bytes.length; at += RECORD_ALIGN_BYTES) {
      if (view.getUint32(at + HEADER_CRC, true) !== crc32(bytes.subarray(at, at + HEADER_CRC))) continue;
      if (bytes.subarray(at, at + RECORD_HEADER_BYTES).every((b) => b === 0xff)) continue;
      const payloadBytes = bytes[at + 1];
      const payload = bytes.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + payloadBytes);
      expect(view.getUint32(at + HEADER_PAYLOAD_CRC, true)).toBe(crc32(payload));
      payloadLengths.add(payloadBytes);
    }
    // One slot record per credential at least, with payload lengths of every residue mod 4.
    expect(new Set([...payloadLengths].map((length) => length % 4)).size).toBe(4);
  });
});
