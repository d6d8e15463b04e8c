// Property tests against node:crypto (OpenSSL): random messages fed in random update sizes,
// random HMAC keys of 0..300 bytes (around and beyond every block size) and messages.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createHash, createHmac } from "node:crypto";
import { CryptoKit, MESSAGE_MAX_BYTES, type HashName } from "./crypto-kit.js";

const kit = new CryptoKit();
const NAMES: HashName[] = ["sha1", "sha256", "sha512"];
const hashName = fc.constantFrom(...NAMES);

// A message and the cut points of its updates.
const chunkedMessage = fc
  .uint8Array({ minLength: 0, maxLength: 700 })
  .chain((message) =>
    fc.tuple(fc.constant(message), fc.uniqueArray(fc.integer({ min: 0, max: message.length }), { maxLength: 8 })),
  );

describe("SHA streaming vs node:crypto", () => {
  it("matches for random messages cut into random updates", () => {
    fc.assert(
      fc.property(hashName, chunkedMessage, (name, [message, cuts]) => {
        const bounds = [0, ...cuts.sort((a, b) => a - b), message.length];
        const chunks = bounds.slice(1).map((end, i) => message.subarray(bounds[i], end));
        expect(kit.hash(name, chunks).toString("hex")).toBe(createHash(name).update(message).digest("hex"));
      }),
      { numRuns: 600 },
    );
  });

  it("matches for every length from 0 to 300 (all padding cases of both block sizes)", () => {
    const message = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff));
    for (const name of NAMES) {
      for (let length = 0; length <= 300; length++) {
        const part = message.subarray(0, length);
        expect(kit.hash(name, [part]).toString("hex"), `${name} length ${length}`).toBe(createHash(name).update(part).digest("hex"));
      }
    }
  });
});

describe("HMAC vs node:crypto", () => {
  it("one-shot HMAC matches for keys of 0..300 bytes and messages of 0..1000 bytes", () => {
    fc.assert(
      fc.property(hashName, fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 1000 }), (name, key, message) => {
        expect(kit.hmac(name, key, message).toString("hex")).toBe(createHmac(name, key).update(message).digest("hex"));
      }),
      { numRuns: 600 },
    );
  });

  it("prepared contexts match for keys of 1..300 bytes, several messages per key", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 3),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.array(fc.uint8Array({ maxLength: 400 }), { minLength: 1, maxLength: 4 }),
        (algorithm, key, messages) => {
          const name = NAMES[algorithm - 1];
          expect(kit.prepare(algorithm, key)).toBe(0);
          for (const message of messages) {
            expect(kit.hmacWithContext(message)).toEqual(createHmac(name, key).update(message).digest());
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("handles the largest message the kit's buffer holds", () => {
    const message = Buffer.alloc(MESSAGE_MAX_BYTES, 0x5a);
    const key = Buffer.alloc(129, 0x11);
    for (const name of NAMES) expect(kit.hmac(name, key, message)).toEqual(createHmac(name, key).update(message).digest());
  });
});
