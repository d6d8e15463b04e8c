// aeadOpen refuses anything it did not seal: any flipped bit in the ciphertext, tag or AAD, a wrong
// key or nonce, a shifted AAD/ciphertext boundary or a truncation gives ERR_CORRUPT and leaves the
// data buffer exactly as given (the plaintext is never released, not even partly). Bad pointers
// give ERR_RANGE without touching anything, and no key material is left in module memory.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createCipheriv } from "node:crypto";
import { AeadKit, OK, ERR_CORRUPT, ERR_RANGE, KEY_AT, NONCE_AT, AAD_AT, DATA_AT, TAG_AT } from "./aead-kit.js";

const kit = new AeadKit();

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
const key = bytes(32, 32);
const nonce = bytes(12, 12);

function flipBit(buffer: Buffer, bit: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

function expectRefused(k: Buffer, n: Buffer, aad: Buffer, ciphertext: Buffer, tag: Buffer): void {
  const opened = kit.open(k, n, aad, ciphertext, tag);
  expect(opened.status).toBe(ERR_CORRUPT);
  expect(opened.data.equals(ciphertext)).toBe(true);
}

describe("aeadOpen on damaged input", () => {
  const sealedCase = fc.tuple(key, nonce, bytes(0, 64), bytes(1, 300));

  it("refuses a flipped bit in the ciphertext", () => {
    fc.assert(
      fc.property(sealedCase, fc.nat(), ([k, n, aad, plaintext], at) => {
        const sealed = kit.seal(k, n, aad, plaintext);
        expectRefused(k, n, aad, flipBit(sealed.ciphertext, at % (plaintext.length * 8)), sealed.tag);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a flipped bit in the tag", () => {
    fc.assert(
      fc.property(sealedCase, fc.integer({ min: 0, max: 127 }), ([k, n, aad, plaintext], bit) => {
        const sealed = kit.seal(k, n, aad, plaintext);
        expectRefused(k, n, aad, sealed.ciphertext, flipBit(sealed.tag, bit));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a flipped bit in the AAD", () => {
    fc.assert(
      fc.property(key, nonce, bytes(1, 64), bytes(0, 300), fc.nat(), (k, n, aad, plaintext, at) => {
        const sealed = kit.seal(k, n, aad, plaintext);
        expectRefused(k, n, flipBit(aad, at % (aad.length * 8)), sealed.ciphertext, sealed.tag);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses every single-bit flip of one small record (exhaustive)", () => {
    const k = Buffer.alloc(32, 7);
    const n = Buffer.alloc(12, 9);
    const aad = Buffer.from("slot 3");
    const sealed = kit.seal(k, n, aad, Buffer.from("JBSWY3DPEHPK3PXP"));
    for (let bit = 0; bit < sealed.ciphertext.length * 8; bit++) expectRefused(k, n, aad, flipBit(sealed.ciphertext, bit), sealed.tag);
    for (let bit = 0; bit < 128; bit++) expectRefused(k, n, aad, sealed.ciphertext, flipBit(sealed.tag, bit));
    for (let bit = 0; bit < aad.length * 8; bit++) expectRefused(k, n, flipBit(aad, bit), sealed.ciphertext, sealed.tag);
    expect(kit.open(k, n, aad, sealed.ciphertext, sealed.tag).status).toBe(OK);
  });

  it("refuses a wrong key or nonce", () => {
    fc.assert(
      fc.property(sealedCase, key, nonce, ([k, n, aad, plaintext], otherKey, otherNonce) => {
        fc.pre(!otherKey.equals(k) && !otherNonce.equals(n));
        const sealed = kit.seal(k, n, aad, plaintext);
        expectRefused(otherKey, n, aad, sealed.ciphertext, sealed.tag);
        expectRefused(k, otherNonce, aad, sealed.ciphertext, sealed.tag);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a truncated or extended ciphertext and a moved AAD/ciphertext boundary", () => {
    fc.assert(
      fc.property(key, nonce, bytes(1, 40), bytes(2, 200), (k, n, aad, plaintext) => {
        const sealed = kit.seal(k, n, aad, plaintext);
        expectRefused(k, n, aad, sealed.ciphertext.subarray(0, -1), sealed.tag);
        expectRefused(k, n, aad, Buffer.concat([sealed.ciphertext, Buffer.alloc(1)]), sealed.tag);
        // The length block of the MAC input binds where the AAD ends and the ciphertext begins.
        expectRefused(k, n, Buffer.concat([aad, sealed.ciphertext.subarray(0, 1)]), sealed.ciphertext.subarray(1), sealed.tag);
        expectRefused(k, n, aad.subarray(0, -1), Buffer.concat([aad.subarray(-1), sealed.ciphertext]), sealed.tag);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a zero-length record with another tag (the tag still covers the AAD)", () => {
    const k = Buffer.alloc(32, 1);
    const n = Buffer.alloc(12, 2);
    const sealed = kit.seal(k, n, Buffer.from("aad"), Buffer.alloc(0));
    expect(sealed.status).toBe(OK);
    expect(kit.open(k, n, Buffer.from("aad"), Buffer.alloc(0), sealed.tag).status).toBe(OK);
    expect(kit.open(k, n, Buffer.from("aae"), Buffer.alloc(0), sealed.tag).status).toBe(ERR_CORRUPT);
  });
});

describe("aeadSeal / aeadOpen with buffers outside memory", () => {
  const memoryBytes = () => kit.exports.memory.buffer.byteLength;

  it("returns ERR_RANGE and changes nothing", () => {
    const plaintext = Buffer.from("sixteen bytes!!!");
    kit.write(DATA_AT, plaintext);
    kit.write(TAG_AT, Buffer.alloc(16, 0xee));
    const e = kit.exports;
    const [k, n, a, d, t] = [kit.at(KEY_AT), kit.at(NONCE_AT), kit.at(AAD_AT), kit.at(DATA_AT), kit.at(TAG_AT)];
    const end = memoryBytes();
    const bad: [string, () => number][] = [
      ["key", () => e.aeadSeal(end - 31, n, a, 0, d, 16, t)],
      ["nonce", () => e.aeadSeal(k, end - 11, a, 0, d, 16, t)],
      ["aad", () => e.aeadSeal(k, n, end - 4, 5, d, 16, t)],
      ["data", () => e.aeadSeal(k, n, a, 0, end - 15, 16, t)],
      ["tag", () => e.aeadSeal(k, n, a, 0, d, 16, end - 15)],
      ["wrapping length", () => e.aeadSeal(k, n, a, 0xffffffff, d, 16, t)],
      ["open data", () => e.aeadOpen(k, n, a, 0, d, 0xfffffff0, t)],
      ["open tag", () => e.aeadOpen(k, n, a, 0, d, 16, end - 1)],
    ];
    for (const [name, call] of bad) {
      expect(call(), name).toBe(ERR_RANGE);
      expect(kit.read(DATA_AT, 16).equals(plaintext), name).toBe(true);
      expect(kit.read(TAG_AT, 16).equals(Buffer.alloc(16, 0xee)), name).toBe(true);
    }
  });

  it("accepts buffers that end exactly at the end of memory", () => {
    const end = memoryBytes();
    const e = kit.exports;
    expect(e.aeadSeal(end - 32, end - 12, end - 1, 1, end - 16, 16, end - 16)).toBe(OK);
  });
});

describe("no key material left behind", () => {
  const io = kit.io;
  const ioBytes = kit.exports.IO_BUFFER_BYTES.value as number;

  // True when any 8-byte window of `secret` appears in module memory outside the I/O buffer.
  function leaked(secret: Buffer): boolean {
    const memory = Buffer.from(kit.memory);
    const outside = Buffer.concat([memory.subarray(0, io), memory.subarray(io + ioBytes)]);
    for (let at = 0; at + 8 <= secret.length; at++) {
      if (outside.indexOf(secret.subarray(at, at + 8)) >= 0) return true;
    }
    return false;
  }

  it("finds a planted secret (the check can fail)", () => {
    const marker = Buffer.from("0123456789abcdef");
    const unused = kit.memory.length - 64; // above every static of the module
    kit.memory.set(marker, unused);
    expect(leaked(marker)).toBe(true);
    kit.memory.fill(0, unused, unused + 16);
  });

  it("keeps neither the key, the Poly1305 key nor keystream after seal and open (good and bad tags)", () => {
    const k = Buffer.from("a secret key of thirty-two bytes");
    const n = Buffer.from("nonce 12 byt");
    const plaintext = Buffer.alloc(200, 0x55);
    const sealed = kit.seal(k, n, Buffer.from("aad"), plaintext);
    expect(kit.open(k, n, Buffer.from("aad"), sealed.ciphertext, sealed.tag).status).toBe(OK);
    expect(kit.open(k, n, Buffer.from("aad"), sealed.ciphertext, flipBit(sealed.tag, 3)).status).toBe(ERR_CORRUPT);
    const iv = Buffer.concat([Buffer.alloc(4), n]);
    const keystream = createCipheriv("chacha20", k, iv).update(Buffer.alloc(64 * 5));
    expect(leaked(k)).toBe(false);
    expect(leaked(keystream)).toBe(false); // block 0 holds the Poly1305 one-time key
  });
});
