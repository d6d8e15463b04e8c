// Slot records store the HMAC key prepared (docs/SPEC.md "Flash format"): the inner and outer
// chaining values, never the raw key. Records of the first form (the raw key, test/flash-v1-kit.ts)
// still compute the same codes, and any rewrite of one (rename, move, setting or removing a PIN)
// stores it in the prepared form. Expected codes come from node:crypto; expected chaining values
// from test/hmac-state.ts (an independent SHA compression checked against node:crypto).
import { describe, expect, it } from "vitest";
import { createHash, createHmac } from "node:crypto";
import { NorFlash } from "../host-sim/flash.js";
import { Credential, KIND_TOTP } from "../host-sim/store-harness/index.js";
import { PinUnderTest, countInFlash, OUTCOME_UNLOCKED, OUTCOME_SET, STATE_LOCKED } from "./pin-kit.js";
import { V1_REGION, V1_PIN, V1_HOTP_SLOT, v1Expected, v1Flash } from "./flash-v1-kit.js";
import { preparedKey, chainingValue, paddedBlock } from "./hmac-state.js";

const HASHES = ["sha1", "sha256", "sha512"] as const;
const CHALLENGE = Uint8Array.from([0, 0, 0, 0, 3, 0x8f, 0x2a, 0x11]);
const ENCODING_SEALED = 1;
const ENCODING_KEY_PREPARED = 2;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function expectedMac(c: Credential, challenge = CHALLENGE): string {
  return createHmac(HASHES[c.algorithm - 1], c.secret).update(challenge).digest("hex");
}

/** Every slot's name and HMAC as the module reports them, against the credentials. */
function expectSlots(t: PinUnderTest, slots: Map<number, Credential>): void {
  for (let slot = 0; slot < 100; slot++) expect(t.call("slotUsed", slot), `slot ${slot}`).toBe(slots.has(slot) ? 1 : 0);
  for (const [slot, c] of slots) {
    const name = t.name(slot);
    expect(name instanceof Uint8Array ? hex(name) : name, `name of ${slot}`).toBe(hex(c.name));
    const mac = t.hmac(slot, CHALLENGE);
    expect(mac instanceof Uint8Array ? hex(mac) : mac, `HMAC of ${slot}`).toBe(expectedMac(c));
    expect(t.call("slotCounter", slot), `counter of ${slot}`).toBe(Number(c.counter));
    expect(t.findByName(c.name), `find ${slot}`).toBe(slot);
  }
}

/** HOTP by node:crypto (RFC 4226). */
function hotp(c: Credential, counter: bigint): number {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const digest = createHmac(HASHES[c.algorithm - 1], c.secret).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return (digest.readUInt32BE(offset) & 0x7fffffff) % 10 ** c.digits;
}

const keyOf = (slot: number) => v1Expected().get(slot)!;

describe("slot records of the first form (raw key on flash)", () => {
  it("the fixture holds raw keys (so the checks below can fail) and no prepared form", () => {
    const flash = v1Flash("plain");
    for (const [, c] of v1Expected()) {
      expect(countInFlash(flash, c.secret)).toBeGreaterThan(0);
      expect(countInFlash(flash, preparedKey(c.algorithm, c.secret))).toBe(0);
    }
  });

  it("a plain image computes every code as before; a HOTP press goes on from its counter", () => {
    const t = new PinUnderTest(v1Flash("plain"), V1_REGION).boot();
    const slots = v1Expected();
    expectSlots(t, slots);
    const c = slots.get(V1_HOTP_SLOT)!;
    expect(t.call("slotHotpNext", V1_HOTP_SLOT)).toBe(hotp(c, c.counter));
    expect(t.call("slotCounter", V1_HOTP_SLOT)).toBe(Number(c.counter) + 1);
  });

  it("a sealed image stays locked, then opens with its PIN and computes every code", () => {
    const t = new PinUnderTest(v1Flash("sealed"), V1_REGION).boot();
    expect(t.state).toBe(STATE_LOCKED);
    expect(t.hmac(0, CHALLENGE)).toBeLessThan(0);
    for (const [, c] of v1Expected()) if (c.secret.length >= 20) expect(countInFlash(t.flash, c.secret)).toBe(0);
    expect(t.unlock(V1_PIN)).toBe(OUTCOME_UNLOCKED);
    expectSlots(t, v1Expected());
  });
});

describe("the chaining-value oracle (test/hmac-state.ts)", () => {
  it("compressing one padded block gives node:crypto's digest, for each hash", () => {
    for (const algorithm of [1, 2, 3]) {
      for (const message of [new Uint8Array(0), new TextEncoder().encode("abc"), Uint8Array.from({ length: 55 }, (_, i) => i * 7)]) {
        const digest = createHash(HASHES[algorithm - 1]).update(message).digest("hex");
        expect(hex(chainingValue(algorithm, paddedBlock(algorithm, message), true)), `${HASHES[algorithm - 1]} ${message.length}`).toBe(digest);
      }
    }
  });
});

/** CRC-32 (IEEE, as zlib), bit by bit. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The region's bytes. */
const regionOf = (flash: NorFlash) => Buffer.from(flash.bytes.subarray(V1_REGION.regionOffset, V1_REGION.regionOffset + V1_REGION.regionBytes));

describe("slot records of the prepared form", () => {
  const credentials: [number, Credential][] = [
    ...[1, 20, 64, 65, 128].map((length, i): [number, Credential] => [i, {
      name: new TextEncoder().encode(`sha1 ${length}`), kind: KIND_TOTP, algorithm: 1, digits: 6, periodSeconds: 30, counter: 0n,
      flags: 0, secret: Uint8Array.from({ length }, (_, k) => (k * 71 + length) & 0xff),
    }]),
    [10, { ...keyOf(1), name: new TextEncoder().encode("sha256 32") }],
    [11, { ...keyOf(6), name: new TextEncoder().encode("sha256 128") }],
    [12, { ...keyOf(2), name: new TextEncoder().encode("sha512 64") }],
    [13, { ...keyOf(7), name: new TextEncoder().encode("sha512 128") }],
  ];

  it("a put stores name || packed key (the chaining values by the oracle), never the raw key", () => {
    const flash = new NorFlash(V1_REGION.geometry);
    const t = new PinUnderTest(flash, V1_REGION).boot();
    for (const [slot, c] of credentials) expect(t.put(slot, c)).toBe(0);
    const region = regionOf(flash);
    for (const [slot, c] of credentials) {
      const packed = preparedKey(c.algorithm, c.secret);
      expect(packed.length).toBe([40, 64, 128][c.algorithm - 1]);
      const at = region.indexOf(Buffer.concat([c.name, packed]));
      expect(at, `record of slot ${slot}`).toBeGreaterThan(0);
      // The record header 34 bytes before the name: encoding plain with the key prepared; key field length.
      expect(region[at - 34 + 2]).toBe(ENCODING_KEY_PREPARED);
      expect(region[at - 18 + 17]).toBe(packed.length);
      if (c.secret.length >= 4) expect(countInFlash(flash, c.secret.subarray(0, 4))).toBe(0);
      expect(hex(t.hmac(slot, CHALLENGE) as Uint8Array)).toBe(expectedMac(c));
    }
    expectSlots(new PinUnderTest(flash, V1_REGION).boot(), new Map(credentials));
  });

  it("with a PIN the packed key is sealed: neither it nor the raw key is on flash", () => {
    const flash = new NorFlash(V1_REGION.geometry);
    const t = new PinUnderTest(flash, V1_REGION).boot();
    for (const [slot, c] of credentials.slice(0, 5)) expect(t.put(slot, c)).toBe(0);
    expect(t.setPin(V1_PIN)).toBe(OUTCOME_SET);
    for (const [slot, c] of credentials.slice(5)) expect(t.put(slot, c)).toBe(0);
    for (const [slot, c] of credentials) {
      expect(t.call("slotEncoding", slot)).toBe(ENCODING_SEALED | ENCODING_KEY_PREPARED);
      expect(countInFlash(flash, preparedKey(c.algorithm, c.secret).subarray(0, 8))).toBe(0);
      if (c.secret.length >= 8) expect(countInFlash(flash, c.secret.subarray(0, 8))).toBe(0);
    }
    const locked = new PinUnderTest(flash, V1_REGION).boot();
    expect(locked.unlock(V1_PIN)).toBe(OUTCOME_UNLOCKED);
    expectSlots(locked, new Map(credentials));
  });

  it("rename and move of a first-form record store its key prepared; the codes stay", () => {
    const t = new PinUnderTest(v1Flash("plain"), V1_REGION).boot();
    const slots = v1Expected();
    for (const slot of slots.keys()) expect(t.call("slotEncoding", slot)).toBe(0);
    const renamed = { ...slots.get(5)!, name: new TextEncoder().encode("renamed (was v1)") };
    expect(t.call("slotMove", 0, 60)).toBe(0);
    slots.set(60, slots.get(0)!);
    slots.delete(0);
    new Uint8Array(t.x.memory.buffer, t.io, renamed.name.length).set(renamed.name);
    expect(t.call("slotRename", 5, t.io, renamed.name.length)).toBe(0);
    slots.set(5, renamed);
    for (const slot of [60, 5]) expect(t.call("slotEncoding", slot)).toBe(ENCODING_KEY_PREPARED);
    expect(t.call("slotEncoding", 1)).toBe(0); // untouched records keep their form
    const region = regionOf(t.flash);
    for (const slot of [60, 5]) {
      const c = slots.get(slot)!;
      expect(region.indexOf(Buffer.concat([c.name, preparedKey(c.algorithm, c.secret)])), `slot ${slot}`).toBeGreaterThan(0);
    }
    expectSlots(t, slots);
    expectSlots(new PinUnderTest(t.flash, V1_REGION).boot(), slots);
  });

  it("setting a PIN on a first-form image seals every key prepared; removing it keeps them prepared", () => {
    const t = new PinUnderTest(v1Flash("plain"), V1_REGION).boot();
    expect(t.setPin(V1_PIN)).toBe(OUTCOME_SET);
    for (const slot of v1Expected().keys()) expect(t.call("slotEncoding", slot)).toBe(ENCODING_SEALED | ENCODING_KEY_PREPARED);
    expectSlots(t, v1Expected());
    expect(t.call("pinRemove")).toBe(0);
    for (const slot of v1Expected().keys()) expect(t.call("slotEncoding", slot)).toBe(ENCODING_KEY_PREPARED);
    expectSlots(new PinUnderTest(t.flash, V1_REGION).boot(), v1Expected());
  });

  it("unlocking a sealed first-form image and removing the PIN opens every key prepared", () => {
    const t = new PinUnderTest(v1Flash("sealed"), V1_REGION).boot();
    for (const slot of v1Expected().keys()) expect(t.call("slotEncoding", slot)).toBe(ENCODING_SEALED);
    expect(t.unlock(V1_PIN)).toBe(OUTCOME_UNLOCKED);
    expect(t.call("pinRemove")).toBe(0);
    for (const slot of v1Expected().keys()) expect(t.call("slotEncoding", slot)).toBe(ENCODING_KEY_PREPARED);
    expectSlots(new PinUnderTest(t.flash, V1_REGION).boot(), v1Expected());
  });

  it("a packed key of the wrong length for its algorithm is refused (ERR_CORRUPT), not used", () => {
    const t = new PinUnderTest(new NorFlash(V1_REGION.geometry), V1_REGION).boot();
    const c = credentials[0][1];
    expect(t.put(0, c)).toBe(0);
    // Rewrite the record as if it said SHA-256 (its 40-byte field is no SHA-256 packed key), with
    // both CRCs fixed so only the length check can catch it.
    const region = regionOf(t.flash);
    const at = region.indexOf(Buffer.from(c.name)) - 34;
    const payloadBytes = region[at + 1];
    const record = Buffer.from(region.subarray(at, at + 16 + payloadBytes));
    record[16 + 3] = 2;
    record.writeUInt32LE(crc32(record.subarray(16)), 8);
    record.writeUInt32LE(crc32(record.subarray(0, 12)), 12);
    const image = t.flash.bytes.slice();
    image.set(record, V1_REGION.regionOffset + at);
    const changed = new PinUnderTest(new NorFlash(V1_REGION.geometry, image), V1_REGION).boot();
    expect(changed.hmac(0, CHALLENGE)).toBe(-11);
  });
});
