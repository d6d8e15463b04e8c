// Write-only secrets: marker secrets are planted through both applets, then every command of both
// applets runs (successes, errors, chained replies, touch replies and timeouts); no reply, log line,
// keyboard report or display frame may hold 4 consecutive bytes of a marker in any form HMAC gives
// it (the key, the hashed key of a key longer than the block, K0 XOR ipad / opad, the inner and
// outer chaining values a slot record stores, and those as the hash's schedule words), and no such
// window may be left in the module's RAM between commands.
import { describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { BUTTON_OK, Token } from "../host-sim/token.js";
import {
  apdu, concat, tlv, utf8, freshToken, putData, selectOath, selectExtension, send, TAG, INS, EXT, OATH_AID, EXTENSION_AID,
  counterBytes, hmac, AlgorithmId, HASH_NAMES,
} from "./applet-kit.js";
import { chainingValue, keyBlock } from "./hmac-state.js";

const WINDOW = 4;
/**
 * Marker secrets, patterned to be unmistakable: a 128-byte one for SHA-512 (one block, used as is),
 * a 128-byte one for SHA-1 (longer than SHA-1's 64-byte block, so HMAC hashes it first) and a
 * 20-byte one (HOTP, the extension slot, and the fillers' prefixes).
 */
const MARKER_LONG = Uint8Array.from({ length: 128 }, (_, i) => 0xc3 ^ ((i * 37) & 0xff));
const MARKER_SHA1_LONG = Uint8Array.from({ length: 128 }, (_, i) => 0x5a ^ ((i * 113 + 7) & 0xff));
const MARKER_SHORT = Uint8Array.from({ length: 20 }, (_, i) => 0x3c ^ ((i * 91) & 0xff));
const MARKERS: { name: string; key: Uint8Array; algorithm: AlgorithmId }[] = [
  { name: "sha512 128-byte", key: MARKER_LONG, algorithm: 3 },
  { name: "sha1 128-byte", key: MARKER_SHA1_LONG, algorithm: 1 },
  { name: "sha1 20-byte", key: MARKER_SHORT, algorithm: 1 },
];
const BLOCK_BYTES = { 1: 64, 2: 64, 3: 128 } as const;

const xorWith = (bytes: Uint8Array, pad: number) => bytes.map((b) => b ^ pad);
/** The bytes as the hash's message schedule holds them: big-endian words loaded as native (LE). */
function wordSwapped(bytes: Uint8Array, wordBytes: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const word = i - (i % wordBytes);
    out[i] = word + wordBytes <= bytes.length ? bytes[word + wordBytes - 1 - (i % wordBytes)] : bytes[i];
  }
  return out;
}

/**
 * Every form of a secret that HMAC (RFC 2104) handles: the key, the key hashed when longer than the
 * block (K0 = H(K)), K0 XOR ipad (0x36) and K0 XOR opad (0x5c), the chaining values after the ipad
 * and opad blocks (what a slot record stores, words little-endian), each also word-swapped the way
 * the hash's schedule holds a block. Only the key's own bytes: the pure pad bytes (0x36 0x36...)
 * after a short key say nothing.
 */
function secretForms(key: Uint8Array, algorithm: AlgorithmId): Map<string, Uint8Array> {
  const k0 = key.length > BLOCK_BYTES[algorithm] ? new Uint8Array(createHash(HASH_NAMES[algorithm]).update(key).digest()) : key;
  const wordBytes = algorithm === 3 ? 8 : 4;
  const forms = new Map<string, Uint8Array>([
    ["key", key],
    [`${HASH_NAMES[algorithm]}(key)`, new Uint8Array(createHash(HASH_NAMES[algorithm]).update(key).digest())],
    ["K0^ipad", xorWith(k0, 0x36)],
    ["K0^opad", xorWith(k0, 0x5c)],
    ["inner chaining value", chainingValue(algorithm, keyBlock(algorithm, key).map((b) => b ^ 0x36))],
    ["outer chaining value", chainingValue(algorithm, keyBlock(algorithm, key).map((b) => b ^ 0x5c))],
  ]);
  for (const [form, bytes] of [...forms]) forms.set(`${form} as schedule words`, wordSwapped(bytes, wordBytes));
  return forms;
}

/** 4-byte window (hex) -> which marker and form it comes from. */
const MARKER_WINDOWS = new Map<string, string>();
for (const marker of MARKERS) {
  for (const [form, bytes] of secretForms(marker.key, marker.algorithm)) {
    for (let i = 0; i + WINDOW <= bytes.length; i++) {
      MARKER_WINDOWS.set(Buffer.from(bytes.subarray(i, i + WINDOW)).toString("hex"), `${marker.name} ${form} [${i}]`);
    }
  }
}

interface Residue {
  at: number;
  what: string;
}

function findResidue(bytes: Uint8Array): Residue[] {
  const found: Residue[] = [];
  for (let i = 0; i + WINDOW <= bytes.length; i++) {
    const what = MARKER_WINDOWS.get(Buffer.from(bytes.subarray(i, i + WINDOW)).toString("hex"));
    if (what !== undefined) found.push({ at: i, what });
  }
  return found;
}

const leaks = (bytes: Uint8Array): number => findResidue(bytes).length;

/** The module's RAM: every residue with its address (a failing test names where it sits). */
function ramResidue(token: Token): string[] {
  return findResidue(new Uint8Array(token.exports.memory.buffer)).map((r) => `0x${r.at.toString(16)}: ${r.what}`);
}

describe("write-only secrets", () => {
  it("the scan finds marker bytes when they are there, in every HMAC form (so it can fail)", () => {
    expect(leaks(concat([1, 2], MARKER_SHORT.subarray(3, 9), [3]))).toBeGreaterThan(0);
    expect(leaks(new Uint8Array(randomBytes(4096)))).toBe(0);
    // Each form, placed in a memory-sized buffer, is found where it was put.
    const sha1Digest = new Uint8Array(createHash("sha1").update(MARKER_SHA1_LONG).digest());
    const placed: [Uint8Array, string][] = [
      [xorWith(MARKER_SHORT, 0x36).subarray(5, 9), "sha1 20-byte K0^ipad [5]"],
      [xorWith(MARKER_LONG, 0x5c).subarray(100, 104), "sha512 128-byte K0^opad [100]"],
      [sha1Digest.subarray(16, 20), "sha1 128-byte sha1(key) [16]"],
      [xorWith(sha1Digest, 0x36).subarray(0, 4), "sha1 128-byte K0^ipad [0]"],
      [xorWith(sha1Digest, 0x5c).subarray(8, 12), "sha1 128-byte K0^opad [8]"],
      [wordSwapped(xorWith(MARKER_LONG, 0x36), 8).subarray(8, 12), "sha512 128-byte K0^ipad as schedule words [8]"],
      [chainingValue(1, keyBlock(1, MARKER_SHORT).map((b) => b ^ 0x5c)).subarray(4, 8), "sha1 20-byte outer chaining value [4]"],
      [chainingValue(3, xorWith(MARKER_LONG, 0x36)).subarray(60, 64), "sha512 128-byte inner chaining value [60]"],
    ];
    for (const [window, what] of placed) {
      const ram = new Uint8Array(65536);
      ram.set(window, 40_000);
      expect(findResidue(ram)).toEqual([{ at: 40_000, what }]);
    }
    // The pure pad bytes after a short key are not a finding.
    expect(leaks(new Uint8Array(128).fill(0x36))).toBe(0);
    expect(leaks(new Uint8Array(128).fill(0x5c))).toBe(0);
  });

  it("no reply of any command, error or chained reply carries marker bytes; none stay in RAM", () => {
    const token = freshToken();
    const t = (command: Uint8Array) => send(token, command);
    // Plant: YKOATH PUT (TOTP SHA-512 128-byte, TOTP SHA-1 128-byte, HOTP touch), extension PUT SLOT,
    // and fillers to 100.
    selectOath(token);
    expect(t(apdu(0, INS.PUT, 0, 0, putData({ name: "marker:long", secret: MARKER_LONG, algorithm: 3, digits: 8 }))).sw).toBe(0x9000);
    expect(t(apdu(0, INS.PUT, 0, 0, putData({ name: "marker:sha1long", secret: MARKER_SHA1_LONG, algorithm: 1 }))).sw).toBe(0x9000);
    expect(t(apdu(0, INS.PUT, 0, 0, putData({ name: "marker:hotp", secret: MARKER_SHORT, type: "hotp", touch: true, counter: 5 }))).sw).toBe(0x9000);
    selectExtension(token);
    expect(t(apdu(0x80, EXT.PUT_SLOT, 77, 0, concat(putData({ name: "marker:slot", secret: MARKER_SHORT, touch: true }), tlv(TAG.PERIOD, [60])))).sw).toBe(0x9000);
    selectOath(token);
    for (let i = 0; i < 96; i++) {
      expect(t(apdu(0, INS.PUT, 0, 0, putData({ name: `filler ${i} ${"-".repeat(40)}`, secret: MARKER_SHORT.subarray(0, 10 + (i % 10)) }))).sw).toBe(0x9000);
    }
    const raw: Uint8Array[] = [];
    const run = (command: Uint8Array, sendRemaining: number = INS.SEND_REMAINING) => {
      const before = token.responses.length;
      const response = token.apdu(command);
      if (response === null) {
        token.advance(500);
        token.press(BUTTON_OK);
      }
      let last = token.responses[token.responses.length - 1];
      raw.push(...token.responses.slice(before));
      while (last[last.length - 2] === 0x61) {
        last = token.apdu(Uint8Array.from([0, sendRemaining, 0, 0]))!;
        raw.push(last);
      }
    };
    const names = ["marker:long", "marker:sha1long", "marker:hotp", "marker:slot", "filler 3 " + "-".repeat(40)];
    const challenge = counterBytes(56_666_666n);
    // Every YKOATH command, good and bad.
    run(apdu(0, 0xa4, 4, 0, OATH_AID));
    run(apdu(0, INS.LIST, 0, 0));
    run(apdu(0, INS.LIST, 0, 0), 0xc0);
    for (const p2 of [0, 1]) {
      run(apdu(0, INS.CALCULATE_ALL, 0, p2, tlv(TAG.CHALLENGE, challenge)));
      for (const name of names) run(apdu(0, INS.CALCULATE, 0, p2, concat(tlv(TAG.NAME, utf8(name)), tlv(TAG.CHALLENGE, challenge))));
    }
    // The module's full response for the long marker is the HMAC, not the key.
    const full = send(token, apdu(0, INS.CALCULATE, 0, 0, concat(tlv(TAG.NAME, utf8("marker:long")), tlv(TAG.CHALLENGE, challenge))));
    expect(Buffer.from(full.data.subarray(3)).toString("hex")).toBe(Buffer.from(hmac(3, MARKER_LONG, challenge)).toString("hex"));
    // The key longer than SHA-1's block: HMAC over SHA-1(key), as node:crypto computes it.
    const fullSha1 = send(token, apdu(0, INS.CALCULATE, 0, 0, concat(tlv(TAG.NAME, utf8("marker:sha1long")), tlv(TAG.CHALLENGE, challenge))));
    expect(Buffer.from(fullSha1.data.subarray(3)).toString("hex")).toBe(Buffer.from(hmac(1, MARKER_SHA1_LONG, challenge)).toString("hex"));
    run(apdu(0, INS.PUT, 0, 0, putData({ name: "marker:long", secret: MARKER_LONG, algorithm: 4 as AlgorithmId }))); // refused (no such algorithm)
    run(apdu(0, INS.PUT, 0, 0, putData({ name: "extra", secret: MARKER_LONG }))); // full: 6A84
    run(apdu(0, INS.PUT, 0, 0, concat(putData({ name: "marker:long", secret: MARKER_LONG }), tlv(0x55, [1])))); // malformed
    run(apdu(0, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("marker:long")), tlv(TAG.NAME, utf8("marker:renamed")))));
    run(apdu(0, INS.DELETE, 0, 0, tlv(TAG.NAME, utf8("nobody"))));
    run(apdu(0, INS.VALIDATE, 0, 0, concat(tlv(TAG.RESPONSE, MARKER_SHORT.subarray(0, 3)), tlv(TAG.CHALLENGE, [1]))));
    run(apdu(0, INS.SEND_REMAINING, 0, 0));
    run(Uint8Array.from([0, INS.PUT, 0, 0, 200, ...MARKER_LONG.subarray(0, 10)])); // wrong length
    // Extension: every command.
    run(apdu(0, 0xa4, 4, 0, EXTENSION_AID));
    run(apdu(0x80, EXT.LIST_SLOTS, 0, 0));
    run(apdu(0x80, EXT.DEVICE_INFO, 0, 0));
    run(apdu(0x80, EXT.GET_CLOCK, 0, 0));
    run(apdu(0x80, EXT.SET_CLOCK, 0, 0, counterBytes(1_700_000_100n)));
    run(apdu(0x80, EXT.PUT_SETTING, 3, 0, Uint8Array.from([0, 0, 0, 1])));
    run(apdu(0x80, EXT.GET_SETTING, 3, 0));
    run(apdu(0x80, EXT.MOVE_SLOT, 77, 78));
    run(apdu(0x80, EXT.PUT_SLOT, 78, 0, putData({ name: "marker:slot", secret: MARKER_LONG, digits: 11 }))); // refused
    run(apdu(0x80, EXT.DELETE_SLOT, 99, 0));
    expect(ramResidue(token), "module RAM after every command").toEqual([]);
    // A password: SELECT challenge, VALIDATE, locked replies.
    selectOath(token);
    const key = new Uint8Array(randomBytes(16));
    const proof = new Uint8Array(randomBytes(8));
    run(apdu(0, INS.SET_CODE, 0, 0, concat(tlv(TAG.KEY, concat([0x21], key)), tlv(TAG.CHALLENGE, proof), tlv(TAG.RESPONSE, hmac(1, key, proof)))));
    run(apdu(0, 0xa4, 4, 0, OATH_AID));
    run(apdu(0, INS.LIST, 0, 0));
    run(apdu(0, INS.CALCULATE_ALL, 0, 1, tlv(TAG.CHALLENGE, challenge)));
    // RESET, then the factory reset (refused in YKOATH, then confirmed by a press in the extension).
    run(apdu(0, INS.RESET, 0xde, 0xad));
    run(apdu(0x80, EXT.FACTORY_RESET, 0xde, 0xad));
    selectExtension(token);
    run(apdu(0x80, EXT.FACTORY_RESET, 0xde, 0xad));

    expect(raw.length).toBeGreaterThan(60);
    const leaked = raw.reduce((n, r) => n + leaks(r), 0);
    expect(leaked).toBe(0);
    expect(token.logs.reduce((n, l) => n + leaks(utf8(l.text)), 0)).toBe(0);
    expect(token.keyboardReports.reduce((n, r) => n + leaks(r), 0)).toBe(0);
    if (token.lastFrame !== null) expect(leaks(token.lastFrame.pixels)).toBe(0);
    expect(ramResidue(token), "module RAM after the resets").toEqual([]);
  });

  it("after planting and using secrets, no copy stays in the module's RAM", () => {
    const token = freshToken();
    selectOath(token);
    send(token, apdu(0, INS.PUT, 0, 0, putData({ name: "m1", secret: MARKER_LONG, algorithm: 3 })));
    send(token, apdu(0, INS.PUT, 0, 0, putData({ name: "m2", secret: MARKER_SHORT, type: "hotp" })));
    selectExtension(token);
    send(token, apdu(0x80, EXT.PUT_SLOT, 50, 0, putData({ name: "m3", secret: MARKER_SHORT })));
    selectOath(token);
    expect(send(token, apdu(0, INS.PUT, 0, 0, putData({ name: "m4", secret: MARKER_SHA1_LONG, algorithm: 1 }))).sw).toBe(0x9000);
    expect(ramResidue(token), "module RAM after the PUTs").toEqual([]);
    send(token, apdu(0, INS.CALCULATE_ALL, 0, 0, tlv(TAG.CHALLENGE, counterBytes(1))));
    expect(ramResidue(token), "module RAM after CALCULATE ALL").toEqual([]);
    send(token, apdu(0, INS.CALCULATE, 0, 0, concat(tlv(TAG.NAME, utf8("m2")), tlv(TAG.CHALLENGE, []))));
    const long = send(token, apdu(0, INS.CALCULATE, 0, 0, concat(tlv(TAG.NAME, utf8("m4")), tlv(TAG.CHALLENGE, counterBytes(7)))));
    expect(long.sw).toBe(0x9000);
    expect(ramResidue(token), "module RAM after CALCULATE").toEqual([]);
    token.advance(1000);
    expect(ramResidue(token), "module RAM a second later").toEqual([]);
    // The scan reads the live memory: a window written into it is found at its address.
    new Uint8Array(token.exports.memory.buffer).set(MARKER_SHA1_LONG.subarray(0, 4), 0xfff0);
    expect(ramResidue(token)).toEqual(["0xfff0: sha1 128-byte key [0]"]);
  });
});
