// SHA-1, SHA-256 and SHA-512 against the FIPS 180 example messages, with the streaming API fed in
// several ways (one call, byte by byte, chunks that straddle blocks).
import { describe, expect, it } from "vitest";
import { CryptoKit, ascii, type HashName } from "./crypto-kit.js";

const kit = new CryptoKit();

const ABC = ascii("abc");
const TWO_BLOCK_448 = ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
const TWO_BLOCK_896 = ascii(
  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
);

// Published digests (FIPS 180-2 Appendices A-C and the NIST example values).
const EXPECTED: Record<HashName, Record<string, string>> = {
  sha1: {
    abc: "a9993e364706816aba3e25717850c26c9cd0d89d",
    "448-bit": "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    "896-bit": "a49b2446a02c645bf419f995b67091253a04a259",
    "million a": "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
    empty: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
  },
  sha256: {
    abc: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "448-bit": "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    "896-bit": "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    "million a": "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    empty: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  },
  sha512: {
    abc:
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    "448-bit":
      "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445",
    "896-bit":
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
    "million a":
      "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
    empty:
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
  },
};

function bytewise(message: Uint8Array): Uint8Array[] {
  return Array.from(message, (byte) => Uint8Array.of(byte));
}

function inChunks(message: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < message.length; at += size) chunks.push(message.subarray(at, at + size));
  return chunks;
}

for (const name of ["sha1", "sha256", "sha512"] as const) {
  describe(name, () => {
    const expected = EXPECTED[name];

    it("hashes the empty message", () => {
      expect(kit.hash(name, []).toString("hex")).toBe(expected.empty);
      expect(kit.hash(name, [new Uint8Array(0)]).toString("hex")).toBe(expected.empty);
    });

    it("hashes 'abc' (one block)", () => {
      expect(kit.hash(name, [ABC]).toString("hex")).toBe(expected.abc);
      expect(kit.hash(name, bytewise(ABC)).toString("hex")).toBe(expected.abc);
    });

    it("hashes the 448-bit message", () => {
      expect(kit.hash(name, [TWO_BLOCK_448]).toString("hex")).toBe(expected["448-bit"]);
      expect(kit.hash(name, bytewise(TWO_BLOCK_448)).toString("hex")).toBe(expected["448-bit"]);
    });

    it("hashes the 896-bit message", () => {
      expect(kit.hash(name, [TWO_BLOCK_896]).toString("hex")).toBe(expected["896-bit"]);
      for (const size of [1, 7, 63, 64, 65, 111, 127, 128]) {
        expect(kit.hash(name, inChunks(TWO_BLOCK_896, size)).toString("hex"), `chunks of ${size}`).toBe(expected["896-bit"]);
      }
    });

    it("hashes one million 'a' streamed in odd-sized updates", () => {
      const million = Buffer.alloc(1_000_000, 0x61);
      expect(kit.hash(name, inChunks(million, 10_007)).toString("hex")).toBe(expected["million a"]);
      expect(kit.hash(name, [million]).toString("hex")).toBe(expected["million a"]);
    });
  });
}
