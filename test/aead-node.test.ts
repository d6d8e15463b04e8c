// ChaCha20, Poly1305 and the AEAD of assembly/crypto against independent oracles on random inputs:
// node:crypto's "chacha20" and "chacha20-poly1305" (OpenSSL), and Poly1305 computed with BigInt
// straight from the RFC 8439 section 2.5.1 pseudocode.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createCipheriv } from "node:crypto";
import { AeadKit, OK, ERR_CORRUPT, KEY_AT, NONCE_AT, AAD_AT, DATA_AT } from "./aead-kit.js";

const kit = new AeadKit();

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
const key = bytes(32, 32);
const nonce = bytes(12, 12);

function nodeSeal(k: Buffer, n: Buffer, aad: Buffer, plaintext: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv("chacha20-poly1305", k, n, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

// OpenSSL's raw "chacha20" takes a 16-byte IV: the 32-bit block counter (little-endian), then the
// 96-bit nonce, which is the RFC 8439 state layout.
function nodeChacha20(k: Buffer, counter: number, n: Buffer, data: Buffer): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter >>> 0, 0);
  n.copy(iv, 4);
  const cipher = createCipheriv("chacha20", k, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

const littleEndian = (b: Buffer): bigint => BigInt("0x" + (Buffer.from(b).reverse().toString("hex") || "0"));

function referencePoly1305(k: Buffer, message: Buffer): Buffer {
  const r = littleEndian(k.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = littleEndian(k.subarray(16, 32));
  const p = (1n << 130n) - 5n;
  let accumulator = 0n;
  for (let at = 0; at < message.length; at += 16) {
    const block = message.subarray(at, at + 16);
    accumulator = ((accumulator + littleEndian(block) + (1n << BigInt(8 * block.length))) * r) % p;
  }
  const tag = (accumulator + s) & ((1n << 128n) - 1n);
  return Buffer.from(tag.toString(16).padStart(32, "0"), "hex").reverse();
}

describe("the BigInt Poly1305 reference", () => {
  it("reproduces RFC 8439 2.5.2 (so it can serve as an oracle)", () => {
    const k = Buffer.from("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b", "hex");
    expect(referencePoly1305(k, Buffer.from("Cryptographic Forum Research Group")).toString("hex")).toBe("a8061dc1305136c6c22b8baf0c0127a9");
  });
});

describe("Poly1305 vs the BigInt reference", () => {
  it("agrees on random keys and messages fed in random pieces", () => {
    fc.assert(
      fc.property(key, bytes(0, 700), fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }), (k, message, cuts) => {
        const pieces: Buffer[] = [];
        let at = 0;
        for (const cut of cuts) {
          pieces.push(message.subarray(at, at + cut));
          at = Math.min(message.length, at + cut);
        }
        pieces.push(message.subarray(at));
        expect(kit.poly1305(k, pieces).toString("hex")).toBe(referencePoly1305(k, message).toString("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees when the accumulator is pushed to its limits (all-ones keys and blocks)", () => {
    const ones = Buffer.alloc(32, 0xff);
    for (const length of [0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 256]) {
      const message = Buffer.alloc(length, 0xff);
      expect(kit.poly1305(ones, [message]).toString("hex")).toBe(referencePoly1305(ones, message).toString("hex"));
    }
  });
});

describe("ChaCha20 vs node:crypto chacha20", () => {
  it("agrees on random keys, nonces, counters and lengths", () => {
    fc.assert(
      fc.property(key, nonce, fc.integer({ min: 0, max: 0xffffffff - 16 }), bytes(0, 700), (k, n, counter, data) => {
        expect(kit.chacha20Xor(k, counter, n, data).toString("hex")).toBe(nodeChacha20(k, counter, n, data).toString("hex"));
      }),
      { numRuns: 200 },
    );
  });

  it("produces block i of the stream from chacha20Block", () => {
    fc.assert(
      fc.property(key, nonce, fc.integer({ min: 0, max: 0xfffffff0 }), (k, n, counter) => {
        const stream = nodeChacha20(k, counter, n, Buffer.alloc(128));
        expect(kit.chacha20Block(k, counter + 1, n).toString("hex")).toBe(stream.subarray(64).toString("hex"));
      }),
      { numRuns: 100 },
    );
  });
});

describe("AEAD vs node:crypto chacha20-poly1305", () => {
  it("seals to the same ciphertext and tag, and opens node's output", () => {
    fc.assert(
      fc.property(key, nonce, bytes(0, 300), bytes(0, 600), (k, n, aad, plaintext) => {
        const expected = nodeSeal(k, n, aad, plaintext);
        const sealed = kit.seal(k, n, aad, plaintext);
        expect(sealed.status).toBe(OK);
        expect(sealed.ciphertext.toString("hex")).toBe(expected.ciphertext.toString("hex"));
        expect(sealed.tag.toString("hex")).toBe(expected.tag.toString("hex"));
        const opened = kit.open(k, n, aad, expected.ciphertext, expected.tag);
        expect(opened.status).toBe(OK);
        expect(opened.data.equals(plaintext)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("handles every length around the 16- and 64-byte boundaries", () => {
    const k = Buffer.alloc(32, 0x42);
    const n = Buffer.alloc(12, 0x24);
    for (let aadBytes = 0; aadBytes <= 33; aadBytes += 1) {
      for (const dataBytes of [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257]) {
        const aad = Buffer.alloc(aadBytes, aadBytes);
        const plaintext = Buffer.alloc(dataBytes, dataBytes & 0xff);
        const expected = nodeSeal(k, n, aad, plaintext);
        const sealed = kit.seal(k, n, aad, plaintext);
        expect(sealed.ciphertext.equals(expected.ciphertext) && sealed.tag.equals(expected.tag), `aad ${aadBytes}, data ${dataBytes}`).toBe(true);
      }
    }
  });
});

describe("a record laid out as ciphertext followed by its tag", () => {
  it("seals and opens in place with the tag right after the data, as node:crypto frames it", () => {
    fc.assert(
      fc.property(key, nonce, bytes(0, 40), bytes(0, 300), (k, n, aad, plaintext) => {
        const e = kit.exports;
        const tagAt = kit.at(DATA_AT) + plaintext.length;
        kit.write(KEY_AT, k);
        kit.write(NONCE_AT, n);
        kit.write(AAD_AT, aad);
        kit.write(DATA_AT, plaintext);
        expect(e.aeadSeal(kit.at(KEY_AT), kit.at(NONCE_AT), kit.at(AAD_AT), aad.length, kit.at(DATA_AT), plaintext.length, tagAt)).toBe(OK);
        const expected = nodeSeal(k, n, aad, plaintext);
        const record = kit.read(DATA_AT, plaintext.length + 16);
        expect(record.equals(Buffer.concat([expected.ciphertext, expected.tag]))).toBe(true);
        expect(e.aeadOpen(kit.at(KEY_AT), kit.at(NONCE_AT), kit.at(AAD_AT), aad.length, kit.at(DATA_AT), plaintext.length, tagAt)).toBe(OK);
        expect(kit.read(DATA_AT, plaintext.length).equals(plaintext)).toBe(true);
        expect(kit.read(DATA_AT + plaintext.length, 16).equals(expected.tag)).toBe(true);
        // Opening the plaintext again fails and leaves it as it is, unless the plaintext is its own
        // ciphertext (empty, or keystream bytes that happen to be zero: seed 126676255 found one).
        expect(e.aeadOpen(kit.at(KEY_AT), kit.at(NONCE_AT), kit.at(AAD_AT), aad.length, kit.at(DATA_AT), plaintext.length, tagAt))
          .toBe(expected.ciphertext.equals(plaintext) ? OK : ERR_CORRUPT);
        expect(kit.read(DATA_AT, plaintext.length).equals(plaintext)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
