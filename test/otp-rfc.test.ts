// HOTP and TOTP against the published vectors: RFC 4226 Appendix D and RFC 6238 Appendix B.
import { describe, expect, it } from "vitest";
import { CryptoKit, ascii } from "./crypto-kit.js";

const kit = new CryptoKit();

describe("RFC 4226 Appendix D (HOTP, HMAC-SHA-1, secret '12345678901234567890')", () => {
  // count: HMAC-SHA-1(secret, count), the truncated 31-bit value, the 6-digit HOTP
  const rows: [string, number, string][] = [
    ["cc93cf18508d94934c64b65d8ba7667fb7cde4b0", 1284755224, "755224"],
    ["75a48a19d4cbe100644e8ac1397eea747a2d33ab", 1094287082, "287082"],
    ["0bacb7fa082fef30782211938bc1c5e70416ff44", 137359152, "359152"],
    ["66c28227d03a2d5529262ff016a1e6ef76557ece", 1726969429, "969429"],
    ["a904c900a64b35909874b33e61c5938a8e15ed1c", 1640338314, "338314"],
    ["a37e783d7b7233c083d4f62926c7a25f238d0316", 868254676, "254676"],
    ["bc9cd28561042c83f219324d3c607256c03272ae", 1918287922, "287922"],
    ["a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", 82162583, "162583"],
    ["1b3c89f65e6c9e883012052823443f048b4332db", 673399871, "399871"],
    ["1637409809a679dc698207310c8c7fc07290d9e5", 645520489, "520489"],
  ];

  it("prepares the key context", () => {
    expect(kit.prepare(1, ascii("12345678901234567890"))).toBe(0);
  });

  rows.forEach(([hmacHex, truncated, code], count) => {
    it(`count ${count}: HMAC, dynamic truncation and the 6-digit code`, () => {
      expect(kit.prepare(1, ascii("12345678901234567890"))).toBe(0);
      const message = Buffer.alloc(8);
      message.writeBigUInt64BE(BigInt(count));
      const digest = kit.hmacWithContext(message);
      expect(Buffer.isBuffer(digest) ? digest.toString("hex") : digest).toBe(hmacHex);
      kit.write(kit.io, Buffer.from(hmacHex, "hex"));
      expect(kit.exports.dynamicTruncate(kit.io, 20) >>> 0).toBe(truncated);
      expect(kit.hotp(BigInt(count), 6).toString().padStart(6, "0")).toBe(code);
    });
  });
});

describe("RFC 6238 Appendix B (TOTP, 30 s steps, 8 digits)", () => {
  const seeds = {
    1: ascii("12345678901234567890"),
    2: ascii("12345678901234567890123456789012"),
    3: ascii("1234567890123456789012345678901234567890123456789012345678901234"),
  };
  // unix time, time step (hex, as in the RFC), SHA-1, SHA-256, SHA-512 codes
  const rows: [bigint, string, string, string, string][] = [
    [59n, "0000000000000001", "94287082", "46119246", "90693936"],
    [1111111109n, "00000000023523EC", "07081804", "68084774", "25091201"],
    [1111111111n, "00000000023523ED", "14050471", "67062674", "99943326"],
    [1234567890n, "000000000273EF07", "89005924", "91819424", "93441116"],
    [2000000000n, "0000000003F940AA", "69279037", "90698825", "38618901"],
    [20000000000n, "0000000027BC86AA", "65353130", "77737706", "47863826"],
  ];

  for (const [time, stepHex, ...codes] of rows) {
    it(`T = ${time}: time step ${stepHex} and the codes for SHA-1, SHA-256, SHA-512`, () => {
      expect(kit.exports.totpCounter(time, 30)).toBe(BigInt(`0x${stepHex}`));
      for (const algorithm of [1, 2, 3] as const) {
        expect(kit.prepare(algorithm, seeds[algorithm])).toBe(0);
        expect(kit.totp(time, 30, 8).toString().padStart(8, "0")).toBe(codes[algorithm - 1]);
        expect(kit.hotp(BigInt(`0x${stepHex}`), 8).toString().padStart(8, "0")).toBe(codes[algorithm - 1]);
      }
    });
  }

  it("keeps two prepared contexts apart", () => {
    expect(kit.prepare(1, seeds[1], 0)).toBe(0);
    expect(kit.prepare(3, seeds[3], 1)).toBe(0);
    expect(kit.totp(59n, 30, 8, 0)).toBe(94287082n);
    expect(kit.totp(59n, 30, 8, 1)).toBe(90693936n);
    expect(kit.totp(1111111109n, 30, 8, 0)).toBe(7081804n);
  });
});
