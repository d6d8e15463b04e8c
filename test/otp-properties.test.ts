// HOTP/TOTP for random keys, counters, times, periods and digit counts against an oracle built
// from node:crypto's HMAC and the RFC 4226 truncation written out here.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createHmac } from "node:crypto";
import { CryptoKit } from "./crypto-kit.js";

const kit = new CryptoKit();
const NAMES = ["sha1", "sha256", "sha512"] as const;

function referenceHotp(algorithm: number, key: Uint8Array, counter: bigint, digits: number): bigint {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const digest = createHmac(NAMES[algorithm - 1], key).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = digest.readUInt32BE(offset) & 0x7fffffff;
  return BigInt(value) % 10n ** BigInt(digits);
}

const algorithm = fc.constantFrom(1, 2, 3);
const key = fc.uint8Array({ minLength: 1, maxLength: 300 });
const digits = fc.integer({ min: 4, max: 10 });

describe("HOTP vs node:crypto", () => {
  it("matches for random keys and 64-bit counters", () => {
    fc.assert(
      fc.property(algorithm, key, fc.oneof(fc.constantFrom(0n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), digits, (alg, secret, counter, digitCount) => {
        expect(kit.prepare(alg, secret)).toBe(0);
        expect(kit.hotp(counter, digitCount)).toBe(referenceHotp(alg, secret, counter, digitCount));
      }),
      { numRuns: 500 },
    );
  });
});

describe("TOTP vs node:crypto", () => {
  it("matches for random times up to year 292277026596, periods 1..255 and 4..10 digits", () => {
    fc.assert(
      fc.property(
        algorithm,
        key,
        fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 33n }), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n })),
        fc.integer({ min: 1, max: 255 }),
        digits,
        (alg, secret, time, period, digitCount) => {
          expect(kit.prepare(alg, secret)).toBe(0);
          expect(kit.totp(time, period, digitCount)).toBe(referenceHotp(alg, secret, time / BigInt(period), digitCount));
        },
      ),
      { numRuns: 500 },
    );
  });
});
