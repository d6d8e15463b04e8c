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
