// PBKDF2-HMAC-SHA-256 of assembly/crypto/pbkdf2.ts: the RFC 7914 section 11 vectors, the resumable
// begin/step/result API, its error codes, and that no password or key is left in module memory.
import { describe, expect, it } from "vitest";
import { AeadKit, OK, ERR_RANGE, ERR_STATE, KEY_AT, NONCE_AT, TAG_AT, hex, ascii } from "./aead-kit.js";

const kit = new AeadKit();
const e = kit.exports;

// RFC 7914 section 11, "Test Vectors for PBKDF2 with HMAC-SHA-256".
const RFC7914_VECTORS: [string, string, number, string][] = [
  ["passwd", "salt", 1,
    "55 ac 04 6e 56 e3 08 9f ec 16 91 c2 25 44 b6 05 f9 41 85 21 6d de 04 65 e6 8b 9d 57 c2 0d ac bc" +
    "49 ca 9c cc f1 79 b6 45 99 16 64 b3 9d 77 ef 31 7c 71 b8 45 b1 e3 0b d5 09 11 20 41 d3 a1 97 83"],
  ["Password", "NaCl", 80000,
    "4d dc d8 f6 0b 98 be 21 83 0c ee 5e f2 27 01 f9 64 1a 44 18 d0 4c 04 14 ae ff 08 87 6b 34 ab 56" +
    "a1 d4 25 a1 22 58 33 54 9a db 84 1b 51 c9 b3 17 6a 27 2b de bb a1 d0 78 47 8f 62 b3 97 f3 3c 8d"],
];

// Runs the resumable API with the given step budgets (the last one repeated until done).
function derivePiecewise(password: Buffer, salt: Buffer, iterations: number, keyBytes: number, budgets: number[]): { key: Buffer; steps: number; remaining: number[] } {
  kit.write(KEY_AT, password);
  kit.write(NONCE_AT, salt);
  expect(e.pbkdf2Begin(kit.at(KEY_AT), password.length, kit.at(NONCE_AT), salt.length, iterations, keyBytes)).toBe(OK);
  const remaining: number[] = [];
  let steps = 0;
  for (;;) {
    const left = e.pbkdf2Step(budgets[Math.min(steps, budgets.length - 1)]);
    steps++;
    remaining.push(left);
    expect(left).toBeGreaterThanOrEqual(0);
    if (left === 0) break;
  }
  expect(e.pbkdf2Result(kit.at(TAG_AT))).toBe(OK);
  return { key: kit.read(TAG_AT, keyBytes), steps, remaining };
}

describe("PBKDF2-HMAC-SHA-256, RFC 7914 section 11", () => {
  for (const [password, salt, iterations, derived] of RFC7914_VECTORS) {
    it(`P="${password}", S="${salt}", c=${iterations}, dkLen=64 in one call`, () => {
      const key = kit.pbkdf2(ascii(password), ascii(salt), iterations, 64);
      expect(Buffer.isBuffer(key) ? key.toString("hex") : key).toBe(hex(derived).toString("hex"));
    });
  }

  it("gives the same key in resumable steps (budget 997, so steps cross the block boundary)", () => {
    const [password, salt, iterations, derived] = RFC7914_VECTORS[1];
    const { key, steps, remaining } = derivePiecewise(ascii(password), ascii(salt), iterations, 64, [997]);
    expect(key.toString("hex")).toBe(hex(derived).toString("hex"));
    expect(steps).toBe(Math.ceil((2 * iterations) / 997));
    expect(remaining[0]).toBe(2 * iterations - 997);
    expect(remaining[1]).toBe(2 * iterations - 2 * 997);
  });

  it("gives the same key with budgets of 1 and uneven sizes", () => {
    const [password, salt, , derived] = RFC7914_VECTORS[0];
    expect(derivePiecewise(ascii(password), ascii(salt), 1, 64, [1]).key.toString("hex")).toBe(hex(derived).toString("hex"));
    const reference = kit.pbkdf2(ascii("123456"), hex("00112233445566778899aabbccddeeff"), 1000, 32) as Buffer;
    const piecewise = derivePiecewise(ascii("123456"), hex("00112233445566778899aabbccddeeff"), 1000, 32, [1, 7, 300, 0, 13, 999]);
    expect(piecewise.key.equals(reference)).toBe(true);
  });
});

describe("PBKDF2 error codes", () => {
  const p = () => kit.at(KEY_AT);
  const s = () => kit.at(NONCE_AT);
  const memoryBytes = () => kit.exports.memory.buffer.byteLength;

  it("refuses out-of-range counts and lengths with ERR_RANGE and writes nothing", () => {
    kit.write(TAG_AT, Buffer.alloc(64, 0xaa));
    const bad: [string, number, number, number, number, number][] = [
      ["0 iterations", 6, 16, 0, 0, 32],
      ["2^24 + 1 iterations", 6, 16, 2 ** 24 + 1, 0, 32],
      ["key of 0 bytes", 6, 16, 1, 0, 0],
      ["key of 65 bytes", 6, 16, 1, 0, 65],
      ["salt of 65 bytes", 6, 65, 1, 0, 32],
      ["password of 129 bytes", 129, 16, 1, 0, 32],
      ["password outside memory", 6, 16, 1, memoryBytes() - 5, 32],
    ];
    for (const [name, passwordBytes, saltBytes, iterations, passwordAt, keyBytes] of bad) {
      const status = e.pbkdf2HmacSha256(passwordAt || p(), passwordBytes, s(), saltBytes, iterations, kit.at(TAG_AT), keyBytes);
      expect(status, name).toBe(ERR_RANGE);
      expect(kit.read(TAG_AT, 64).equals(Buffer.alloc(64, 0xaa)), name).toBe(true);
    }
  });

  it("accepts the limits: 64-byte salt, 64-byte key, 128-byte password, empty password and salt", () => {
    expect(kit.pbkdf2(Buffer.alloc(128, 1), Buffer.alloc(64, 2), 2, 64)).toBeInstanceOf(Buffer);
    expect(kit.pbkdf2(Buffer.alloc(0), Buffer.alloc(0), 2, 1)).toBeInstanceOf(Buffer);
  });

  it("answers ERR_STATE to step/result without a derivation, and result before the end", () => {
    e.pbkdf2Cancel();
    expect(e.pbkdf2Step(10)).toBe(ERR_STATE);
    expect(e.pbkdf2Result(kit.at(TAG_AT))).toBe(ERR_STATE);
    kit.write(KEY_AT, ascii("123456"));
    expect(e.pbkdf2Begin(p(), 6, s(), 16, 100, 32)).toBe(OK);
    expect(e.pbkdf2Step(40)).toBe(60);
    kit.write(TAG_AT, Buffer.alloc(32, 0xaa));
    expect(e.pbkdf2Result(kit.at(TAG_AT))).toBe(ERR_STATE);
    expect(kit.read(TAG_AT, 32).equals(Buffer.alloc(32, 0xaa))).toBe(true);
    expect(e.pbkdf2Step(0)).toBe(60);
    expect(e.pbkdf2Step(1000)).toBe(0);
    expect(e.pbkdf2Step(1000)).toBe(0); // finished: stays finished until the result is taken
    expect(e.pbkdf2Result(memoryBytes() - 31)).toBe(ERR_RANGE); // the key is kept
    expect(e.pbkdf2Result(kit.at(TAG_AT))).toBe(OK);
    expect(e.pbkdf2Result(kit.at(TAG_AT))).toBe(ERR_STATE); // taken once, then gone
  });

  it("a new begin replaces a derivation in progress, and a failed begin cancels it", () => {
    kit.write(KEY_AT, ascii("123456"));
    expect(e.pbkdf2Begin(p(), 6, s(), 16, 100, 32)).toBe(OK);
    expect(e.pbkdf2Step(10)).toBe(90);
    expect(e.pbkdf2Begin(p(), 6, s(), 16, 50, 32)).toBe(OK);
    expect(e.pbkdf2Step(10)).toBe(40);
    expect(e.pbkdf2Begin(p(), 6, s(), 16, 0, 32)).toBe(ERR_RANGE);
    expect(e.pbkdf2Step(10)).toBe(ERR_STATE);
  });
});

describe("no password or key left behind", () => {
  const io = kit.io;
  const ioBytes = kit.exports.IO_BUFFER_BYTES.value as number;

  function leaked(secret: Buffer): boolean {
    const memory = Buffer.from(kit.memory);
    const outside = Buffer.concat([memory.subarray(0, io), memory.subarray(io + ioBytes)]);
    for (let at = 0; at + 6 <= secret.length; at++) {
      if (outside.indexOf(secret.subarray(at, at + 6)) >= 0) return true;
    }
    return false;
  }

  it("wipes the password, its HMAC states and the key after the result, and after a cancel", () => {
    const pin = ascii("918273645");
    const key = kit.pbkdf2(pin, ascii("per-device salt!"), 500, 32) as Buffer;
    expect(leaked(pin)).toBe(false);
    expect(leaked(key)).toBe(false);
    kit.write(KEY_AT, pin);
    kit.write(NONCE_AT, ascii("per-device salt!"));
    expect(e.pbkdf2Begin(kit.at(KEY_AT), pin.length, kit.at(NONCE_AT), 16, 500, 32)).toBe(OK);
    expect(e.pbkdf2Step(499)).toBe(1);
    e.pbkdf2Cancel();
    expect(leaked(key)).toBe(false);
    // The HMAC key block (PIN xor ipad/opad) is wiped by crypto/hmac; its chaining values by cancel.
    expect(leaked(Buffer.from(pin.map((b) => b ^ 0x36)))).toBe(false);
    expect(leaked(Buffer.from(pin.map((b) => b ^ 0x5c)))).toBe(false);
  });
});
