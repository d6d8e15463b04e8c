// The OTP layer's contract for bad input: a documented status code (assembly/status.ts), no trap,
// nothing changed. Also the digest sizes and the constant-time comparison's results.
import { describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { CryptoKit, ascii } from "./crypto-kit.js";

const ERR_RANGE = -1n;
const ERR_ALGORITHM = -2;
const ERR_KEY_LENGTH = -3;
const ERR_NO_TIME = -8n;

const kit = new CryptoKit();
const e = kit.exports;
const key = ascii("12345678901234567890");

describe("otp constants", () => {
  it("match notes/interfaces.md", () => {
    expect([e.ALG_SHA1.value, e.ALG_SHA256.value, e.ALG_SHA512.value]).toEqual([1, 2, 3]);
    expect(e.DIGEST_MAX_BYTES.value).toBe(64);
    // algorithm id and reserved word, then two 64-byte chaining values (SHA-512's is the largest)
    expect(e.HMAC_CONTEXT_BYTES.value).toBe(136);
  });

  it("digestBytes: 20/32/64, ERR_ALGORITHM for other ids", () => {
    expect([1, 2, 3].map((a) => e.digestBytes(a))).toEqual([20, 32, 64]);
    for (const bad of [0, 4, 5, 255, 0xffffffff]) expect(e.digestBytes(bad)).toBe(ERR_ALGORITHM);
  });
});

describe("hmacPrepare", () => {
  it("refuses an unknown algorithm and an empty key, leaving the context unchanged", () => {
    expect(kit.prepare(1, key)).toBe(0);
    const before = kit.read(e.contextBuffer(0), e.HMAC_CONTEXT_BYTES.value as number);
    for (const bad of [0, 4, 16, 0xffffffff]) expect(kit.prepare(bad, key)).toBe(ERR_ALGORITHM);
    for (const algorithm of [1, 2, 3]) expect(kit.prepare(algorithm, new Uint8Array(0))).toBe(ERR_KEY_LENGTH);
    expect(kit.read(e.contextBuffer(0), e.HMAC_CONTEXT_BYTES.value as number)).toEqual(before);
    expect(kit.hotp(0n, 6)).toBe(755224n);
  });

  it("accepts a one-byte key and keys far longer than the block", () => {
    expect(kit.prepare(1, Uint8Array.of(7))).toBe(0);
    expect(kit.prepare(3, new Uint8Array(1000).fill(0xaa))).toBe(0);
  });
});

describe("a context that was never prepared", () => {
  it("gives ERR_ALGORITHM from hmacWithContext, hotpWithContext and totpWithContext", () => {
    kit.write(e.contextBuffer(1), new Uint8Array(e.HMAC_CONTEXT_BYTES.value as number));
    expect(kit.hmacWithContext(ascii("x"), 1)).toBe(ERR_ALGORITHM);
    expect(kit.hotp(1n, 6, 1)).toBe(BigInt(ERR_ALGORITHM));
    expect(kit.totp(59n, 30, 6, 1)).toBe(BigInt(ERR_ALGORITHM));
    kit.write(e.contextBuffer(1), Uint8Array.of(9, 0, 0, 0));
    expect(kit.hotp(1n, 6, 1)).toBe(BigInt(ERR_ALGORITHM));
  });
});

describe("digits", () => {
  it("accepts 4..10 digits, each code below 10^digits", () => {
    expect(kit.prepare(1, key)).toBe(0);
    // HOTP count 0 truncates to 1284755224 (RFC 4226 Appendix D)
    for (let digits = 4; digits <= 10; digits++) {
      expect(kit.hotp(0n, digits)).toBe(1284755224n % 10n ** BigInt(digits));
    }
  });

  it("refuses 0..3 and 11+ with ERR_RANGE", () => {
    expect(kit.prepare(1, key)).toBe(0);
    for (const digits of [0, 1, 3, 11, 12, 255, 0xffffffff]) {
      expect(kit.hotp(0n, digits)).toBe(ERR_RANGE);
      expect(kit.totp(59n, 30, digits)).toBe(ERR_RANGE);
    }
  });
});

describe("totpCounter and periods", () => {
  it("divides by periods 1..255 with a floor, for 64-bit times", () => {
    expect(e.totpCounter(0n, 30)).toBe(0n);
    expect(e.totpCounter(29n, 30)).toBe(0n);
    expect(e.totpCounter(30n, 30)).toBe(1n);
    expect(e.totpCounter(1234567n, 1)).toBe(1234567n);
    expect(e.totpCounter(2n ** 31n, 30)).toBe(2n ** 31n / 30n); // 2038-01-19 03:14:08 UTC
    expect(e.totpCounter(2n ** 32n + 5n, 255)).toBe((2n ** 32n + 5n) / 255n);
    expect(e.totpCounter(20000000000n, 60)).toBe(333333333n);
    expect(e.totpCounter(2n ** 63n - 1n, 7)).toBe((2n ** 63n - 1n) / 7n);
  });

  it("refuses period 0 and 256+ with ERR_RANGE, negative times with ERR_NO_TIME", () => {
    for (const period of [0, 256, 1000, 0xffffffff]) {
      expect(e.totpCounter(59n, period)).toBe(ERR_RANGE);
      expect(kit.totp(59n, period, 6)).toBe(ERR_RANGE);
    }
    expect(e.totpCounter(-1n, 30)).toBe(ERR_NO_TIME);
    expect(e.totpCounter(-(2n ** 63n), 30)).toBe(ERR_NO_TIME);
    expect(kit.totp(-30n, 30, 6)).toBe(ERR_NO_TIME);
  });

  it("works right after the 32-bit rollover of 2038 (node:crypto as the oracle)", () => {
    expect(kit.prepare(1, key)).toBe(0);
    for (const time of [2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 20000000000n]) {
      const message = Buffer.alloc(8);
      message.writeBigUInt64BE(time / 30n);
      const digest = createHmac("sha1", key).update(message).digest();
      const offset = digest[19] & 0x0f;
      const expected = BigInt(digest.readUInt32BE(offset) & 0x7fffffff) % 100000000n;
      expect(kit.totp(time, 30, 8)).toBe(expected);
    }
  });

  it("takes counters with the high bit set (64-bit HOTP counters)", () => {
    expect(kit.prepare(1, key)).toBe(0);
    const code = kit.hotp(2n ** 64n - 1n, 6);
    expect(code >= 0n && code < 1000000n).toBe(true);
  });
});

describe("dynamicTruncate", () => {
  it("uses the low nibble of the last byte as the offset and clears the top bit", () => {
    const digest = Buffer.alloc(64, 0xff);
    digest[63] = 0x0f; // offset 15: bytes 15..18
    digest.set([0x80, 0x01, 0x02, 0x03], 15);
    kit.write(kit.io, digest);
    expect(e.dynamicTruncate(kit.io, 64) >>> 0).toBe(0x00010203);
    digest[19] = 0x00;
    digest.set([0x12, 0x34, 0x56, 0x78], 0);
    kit.write(kit.io, digest.subarray(0, 20));
    expect(e.dynamicTruncate(kit.io, 20) >>> 0).toBe(0x12345678);
  });

  it("returns TRUNCATE_INVALID (not a 31-bit value) for digest lengths outside 20..64", () => {
    for (const length of [-1, 0, 4, 19, 65, 1000]) expect(e.dynamicTruncate(kit.io, length) >>> 0).toBe(0xffffffff);
    expect(e.TRUNCATE_INVALID.value >>> 0).toBe(0xffffffff);
  });
});

describe("constantTimeEqual", () => {
  it("is true for equal ranges and false when any byte differs", () => {
    const a = kit.io;
    const b = kit.io + 200;
    const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff));
    kit.write(a, bytes);
    kit.write(b, bytes);
    expect(e.constantTimeEqual(a, b, 100)).toBe(1);
    expect(e.constantTimeEqual(a, b, 0)).toBe(1);
    for (const at of [0, 1, 50, 99]) {
      for (const flip of [0x01, 0x80]) {
        const other = Buffer.from(bytes);
        other[at] ^= flip;
        kit.write(b, other);
        expect(e.constantTimeEqual(a, b, 100)).toBe(0);
        expect(e.constantTimeEqual(a, b, at)).toBe(1);
      }
    }
  });
});
