// fast-check fuzzing of the APDU entry (1e4 cases here; `node scripts/fuzz-apdu.mjs` soaks 1e6):
// every APDU answered with a status word, no trap (a trap or panic throws out of the module), and
// no reply, log line or keyboard report holding marker-secret bytes.
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM script without type declarations
import { runFuzz, containsMarker, MARKER } from "../scripts/fuzz-apdu.mjs";

describe("APDU fuzzing", () => {
  it("the leak detector finds marker bytes (so the check can fail)", () => {
    expect(containsMarker(Uint8Array.from([0x90, ...MARKER.subarray(10, 14), 0x00]))).toBe(true);
    expect(containsMarker(Uint8Array.from([0x90, ...MARKER.subarray(10, 13), 0x00]))).toBe(false);
  });

  it("1e4 random and structured APDUs: 0 traps, 0 leaks, every reply ends in a status word", () => {
    const statusWords: Map<string, number> = runFuzz(10_000, Date.now() % 2 ** 31);
    // The generator reaches past the parsers: successes and the main error classes all occur.
    for (const sw of ["9000", "6700", "6a80", "6b00", "6d00", "6e00", "6984"]) expect(statusWords.get(sw) ?? 0, sw).toBeGreaterThan(0);
  }, 120_000);
});
