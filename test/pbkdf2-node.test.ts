// PBKDF2-HMAC-SHA-256 of assembly/crypto/pbkdf2.ts against node:crypto pbkdf2Sync (OpenSSL) on
// random passwords, salts, iteration counts and key lengths, including PIN-shaped inputs.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { pbkdf2Sync } from "node:crypto";
import { AeadKit } from "./aead-kit.js";

const kit = new AeadKit();
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));

describe("PBKDF2-HMAC-SHA-256 vs node:crypto", () => {
  it("agrees on random passwords (0..128 bytes, longer than a block too), salts, counts and lengths", () => {
    fc.assert(
      fc.property(bytes(0, 128), bytes(0, 64), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 64 }), (password, salt, iterations, keyBytes) => {
        const key = kit.pbkdf2(password, salt, iterations, keyBytes);
        expect(Buffer.isBuffer(key) ? key.toString("hex") : key).toBe(pbkdf2Sync(password, salt, iterations, keyBytes, "sha256").toString("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees on PIN-shaped inputs: 6..12 digits, 16-byte salt, 32-byte key, counts up to 20000", () => {
    const pin = fc.stringMatching(/^[0-9]{6,12}$/).map((digits) => Buffer.from(digits, "ascii"));
    fc.assert(
      fc.property(pin, bytes(16, 16), fc.integer({ min: 1000, max: 20000 }), (password, salt, iterations) => {
        const key = kit.pbkdf2(password, salt, iterations, 32) as Buffer;
        expect(key.toString("hex")).toBe(pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("hex"));
      }),
      { numRuns: 30 },
    );
  });
});
