// HMAC against RFC 2202 (HMAC-SHA-1) and RFC 4231 (HMAC-SHA-256/512), through both the one-shot
// crypto API and the otp API's prepared contexts.
import { describe, expect, it } from "vitest";
import { CryptoKit, ascii, repeat, type HashName } from "./crypto-kit.js";

const kit = new CryptoKit();

interface Vector {
  key: Buffer;
  data: Buffer;
  digest: string;
  /** The RFC compares only this many leading bytes (the truncation test cases). */
  truncatedBytes?: number;
}

const counting25 = Buffer.from(Array.from({ length: 25 }, (_, i) => i + 1));
const HASH_KEY_FIRST = ascii("Test Using Larger Than Block-Size Key - Hash Key First");

const RFC2202_SHA1: Vector[] = [
  { key: repeat(0x0b, 20), data: ascii("Hi There"), digest: "b617318655057264e28bc0b6fb378c8ef146be00" },
  { key: ascii("Jefe"), data: ascii("what do ya want for nothing?"), digest: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
  { key: repeat(0xaa, 20), data: repeat(0xdd, 50), digest: "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
  { key: counting25, data: repeat(0xcd, 50), digest: "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
  { key: repeat(0x0c, 20), data: ascii("Test With Truncation"), digest: "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04", truncatedBytes: 12 },
  { key: repeat(0xaa, 80), data: HASH_KEY_FIRST, digest: "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
  {
    key: repeat(0xaa, 80),
    data: ascii("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
    digest: "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
  },
];

const RFC4231_KEYS_DATA: [Buffer, Buffer][] = [
  [repeat(0x0b, 20), ascii("Hi There")],
  [ascii("Jefe"), ascii("what do ya want for nothing?")],
  [repeat(0xaa, 20), repeat(0xdd, 50)],
  [counting25, repeat(0xcd, 50)],
  [repeat(0x0c, 20), ascii("Test With Truncation")],
  [repeat(0xaa, 131), HASH_KEY_FIRST],
  [
    repeat(0xaa, 131),
    ascii(
      "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
    ),
  ],
];

const RFC4231_SHA256 = [
  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
  "a3b6167473100ee06e0c796c2955552b",
  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
];

const RFC4231_SHA512 = [
  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
  "415fad6271580a531d4179bc891d87a6",
  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
];

// RFC 4231 test case 5 publishes only the first 128 bits.
const rfc4231 = (digests: string[]): Vector[] =>
  RFC4231_KEYS_DATA.map(([key, data], i) => ({ key, data, digest: digests[i], truncatedBytes: i === 4 ? 16 : undefined }));

const SUITES: [string, HashName, number, Vector[]][] = [
  ["RFC 2202 HMAC-SHA-1", "sha1", 1, RFC2202_SHA1],
  ["RFC 4231 HMAC-SHA-256", "sha256", 2, rfc4231(RFC4231_SHA256)],
  ["RFC 4231 HMAC-SHA-512", "sha512", 3, rfc4231(RFC4231_SHA512)],
];

for (const [title, name, algorithm, vectors] of SUITES) {
  describe(title, () => {
    vectors.forEach((vector, index) => {
      it(`test case ${index + 1} (key ${vector.key.length} bytes, data ${vector.data.length} bytes)`, () => {
        const compared = vector.truncatedBytes ?? vector.digest.length / 2;
        const oneShot = kit.hmac(name, vector.key, vector.data);
        expect(oneShot.subarray(0, compared).toString("hex")).toBe(vector.digest.slice(0, compared * 2));
        expect(kit.prepare(algorithm, vector.key)).toBe(0);
        const prepared = kit.hmacWithContext(vector.data);
        expect(prepared).toEqual(oneShot);
        // The context is reusable: a second MAC under the same context gives the same digest.
        expect(kit.hmacWithContext(vector.data)).toEqual(oneShot);
      });
    });
  });
}

describe("hmacWithContext", () => {
  it("may write the digest over its own message", () => {
    expect(kit.prepare(2, repeat(0x0b, 20))).toBe(0);
    const e = kit.exports;
    kit.write(kit.io, ascii("Hi There"));
    expect(e.hmacWithContext(e.contextBuffer(0), kit.io, 8, kit.io)).toBe(32);
    expect(kit.read(kit.io, 32).toString("hex")).toBe(RFC4231_SHA256[0]);
  });
});
