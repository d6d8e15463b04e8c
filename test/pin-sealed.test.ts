// Encryption at rest while a PIN is set: no name or secret byte sequence on the flash model (set,
// locked, after adding slots, after a power cut while setting the PIN); locked behaviour of the
// store; codes still equal node:crypto's once unlocked; removing the PIN opens every slot.
import { describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { NorFlash, CutBehaviour } from "../host-sim/flash.js";
import { PICO_REGION, KIND_HOTP, KIND_TOTP, Credential, smallRegion, Region } from "../host-sim/store-harness/index.js";
import {
  PinUnderTest, PowerCut, STATE_NONE, STATE_LOCKED, STATE_UNLOCKED, OUTCOME_UNLOCKED, OUTCOME_SET, countInFlash,
  ENCODING_SEALED, ENCODING_KEY_PREPARED,
} from "./pin-kit.js";
import { preparedKey } from "./hmac-state.js";

const ERR_STATE = -9;
const ERR_FULL = -5;
const PIN = "31415926";
const CHALLENGE = new TextEncoder().encode("a challenge");
const TIMEOUT_MS = 240_000;

// Marker names and secrets: byte strings that occur nowhere else on flash.
function marked(i: number, kind = KIND_TOTP): Credential {
  const name = new TextEncoder().encode(`NAMEMARK${String(i).padStart(3, "0")}@example.org`);
  const secret = new TextEncoder().encode(`SECRETMARK${String(i).padStart(3, "0")}-0123456789abcdef`);
  return { name, kind, algorithm: 1 + (i % 3), digits: 6, periodSeconds: 30, counter: 5n, flags: 0, secret };
}

const ALGS = ["sha1", "sha256", "sha512"];
function expectedHmac(c: Credential): Buffer {
  return createHmac(ALGS[c.algorithm - 1], c.secret).update(CHALLENGE).digest();
}

// Names, raw secrets and the prepared keys slot records store (key-equivalent, so secret too).
function markerHits(flash: NorFlash, credentials: Credential[]): number {
  let hits = 0;
  for (const c of credentials) {
    hits += countInFlash(flash, c.name) + countInFlash(flash, c.secret) + countInFlash(flash, preparedKey(c.algorithm, c.secret));
  }
  return hits;
}

function expectAllReadable(t: PinUnderTest, credentials: Credential[]): void {
  credentials.forEach((c, slot) => {
    expect(Buffer.from(t.name(slot) as Uint8Array)).toEqual(Buffer.from(c.name));
    expect(Buffer.from(t.hmac(slot, CHALLENGE) as Uint8Array)).toEqual(expectedHmac(c));
  });
}

function provisioned(region: Region, count: number): { t: PinUnderTest; credentials: Credential[] } {
  const t = new PinUnderTest(new NorFlash(region.geometry), region).boot();
  const credentials = Array.from({ length: count }, (_, i) => marked(i, i % 4 === 0 ? KIND_HOTP : KIND_TOTP));
  credentials.forEach((c, slot) => expect(t.put(slot, c)).toBe(0));
  return { t, credentials };
}

describe("PIN lock: names and secrets encrypted at rest", () => {
  it("leaves no marker name or secret anywhere on flash once a PIN is set, locked or not", () => {
    const { t, credentials } = provisioned(PICO_REGION, 30);
    expect(markerHits(t.flash, credentials)).toBeGreaterThanOrEqual(60);
    expect(t.setPin(PIN)).toBe(OUTCOME_SET);
    expect(markerHits(t.flash, credentials)).toBe(0);
    for (let slot = 0; slot < 30; slot++) expect(t.call("slotEncoding", slot)).toBe(ENCODING_SEALED | ENCODING_KEY_PREPARED);
    expectAllReadable(t, credentials); // unlocked: names and codes as before
    // A slot added while the PIN is set is sealed from its first write.
    const added = marked(77);
    expect(t.put(40, added)).toBe(0);
    expect(markerHits(t.flash, [added])).toBe(0);
    const locked = new PinUnderTest(t.flash).boot();
    expect(locked.state).toBe(STATE_LOCKED);
    expect(markerHits(locked.flash, [...credentials, added])).toBe(0);
    expect(locked.unlock(PIN)).toBe(OUTCOME_UNLOCKED);
    expectAllReadable(locked, credentials);
    expect(locked.findByName(added.name)).toBe(40);
  });

  it("while locked: counts slots, refuses names, codes and every write", () => {
    const { t, credentials } = provisioned(PICO_REGION, 5);
    expect(t.setPin(PIN)).toBe(OUTCOME_SET);
    const locked = new PinUnderTest(t.flash).boot();
    expect(locked.call("slotsUsedCount")).toBe(5);
    expect(locked.name(1)).toBe(ERR_STATE);
    expect(locked.findByName(credentials[1].name)).toBe(-6); // not found: names cannot be read
    expect(locked.hmac(1, CHALLENGE)).toBe(ERR_STATE);
    expect(locked.call("slotTotp", 1, 59n)).toBe(ERR_STATE);
    expect(locked.call("slotHotpNext", 0)).toBe(ERR_STATE);
    expect(locked.put(9, marked(9))).toBe(ERR_STATE);
    expect(locked.call("slotRename", 1, locked.io, 4)).toBe(ERR_STATE);
    expect(locked.call("slotMove", 1, 20)).toBe(ERR_STATE);
    expect(countInFlash(locked.flash, marked(9).secret)).toBe(0);
    expect(locked.call("slotCounter", 0)).toBe(5); // metadata (never the secret) stays readable; no press burned
    expect(locked.unlock(PIN)).toBe(OUTCOME_UNLOCKED);
    expect(Number(locked.call("slotHotpNext", 0))).toBeGreaterThanOrEqual(0);
    expect(locked.call("slotCounter", 0)).toBe(6);
  });

  it("removing the PIN opens every slot (plain records, same codes)", () => {
    const { t, credentials } = provisioned(PICO_REGION, 12);
    expect(t.setPin(PIN)).toBe(OUTCOME_SET);
    expect(t.call("pinRemove")).toBe(0);
    expect(t.state).toBe(STATE_NONE);
    for (let slot = 0; slot < 12; slot++) expect(t.call("slotEncoding", slot)).toBe(ENCODING_KEY_PREPARED);
    const after = new PinUnderTest(t.flash).boot();
    expect(after.state).toBe(STATE_NONE);
    expectAllReadable(after, credentials);
  });

  it("HOTP presses and compactions keep sealed slots valid (3 x 1 KiB region)", () => {
    const region = smallRegion(3, 1024);
    const { t, credentials } = provisioned(region, 2);
    expect(t.setPin(PIN)).toBe(OUTCOME_SET);
    for (let i = 0; i < 120; i++) expect(Number(t.call("slotHotpNext", 0))).toBeGreaterThanOrEqual(0);
    const locked = new PinUnderTest(t.flash, region).boot();
    expect(locked.unlock(PIN)).toBe(OUTCOME_UNLOCKED);
    expectAllReadable(locked, credentials);
    expect(locked.call("slotCounter", 0)).toBe(125);
    expect(markerHits(locked.flash, credentials)).toBe(0);
  });

  it("refuses to set a PIN when the sealed slots would not fit", () => {
    const region = smallRegion(3, 1024);
    const t = new PinUnderTest(new NorFlash(region.geometry), region).boot();
    let slot = 0;
    // SHA-256 slots (64-byte packed keys): five fill the plain capacity, and sealed they need 880 bytes of 720.
    while (t.put(slot, { ...marked(slot), algorithm: 2, secret: new Uint8Array(100).fill(slot + 1) }) === 0) slot++;
    expect(slot).toBeGreaterThan(0);
    expect(t.setBegin(PIN)).toBe(ERR_FULL);
    expect(t.state).toBe(STATE_NONE);
  });
});

describe("PIN lock: changing and removing a PIN under power cuts", () => {
  const NEW_PIN = "27182818";
  for (const behaviour of ["atomic", "torn"] as CutBehaviour[]) {
    it(`change: after a cut at any flash operation the old or the new PIN opens intact slots (${behaviour})`, () => {
      const { t: base, credentials } = provisioned(PICO_REGION, 8);
      expect(base.setPin(PIN)).toBe(OUTCOME_SET);
      let runs = 0;
      for (let cutAt = 0; ; cutAt++) {
        const flash = base.flash.clone();
        const t = new PinUnderTest(flash).boot();
        expect(t.unlock(PIN)).toBe(OUTCOME_UNLOCKED);
        flash.armPowerCut(cutAt, behaviour, cutAt + 5);
        let cut = false;
        try {
          expect(t.setPin(NEW_PIN)).toBe(OUTCOME_SET);
        } catch (error) {
          if (!(error instanceof PowerCut)) throw error;
          cut = true;
        }
        flash.powerOn();
        const after = new PinUnderTest(flash).boot();
        expect(after.state).toBe(STATE_LOCKED);
        const opened = after.unlock(NEW_PIN) === OUTCOME_UNLOCKED || after.unlock(PIN) === OUTCOME_UNLOCKED;
        expect(opened, `cut ${cutAt}`).toBe(true);
        expectAllReadable(after, credentials);
        expect(markerHits(flash, credentials)).toBe(0);
        runs++;
        if (!cut) break;
      }
      expect(runs).toBeGreaterThan(5);
    }, TIMEOUT_MS);

    it(`remove: after a cut at any flash operation the slots are intact, with the PIN or without (${behaviour})`, () => {
      const { t: base, credentials } = provisioned(PICO_REGION, 8);
      expect(base.setPin(PIN)).toBe(OUTCOME_SET);
      let runs = 0;
      for (let cutAt = 0; ; cutAt++) {
        const flash = base.flash.clone();
        const t = new PinUnderTest(flash).boot();
        expect(t.unlock(PIN)).toBe(OUTCOME_UNLOCKED);
        flash.armPowerCut(cutAt, behaviour, cutAt + 9);
        let cut = false;
        try {
          expect(t.call("pinRemove")).toBe(0);
        } catch (error) {
          if (!(error instanceof PowerCut)) throw error;
          cut = true;
        }
        flash.powerOn();
        const after = new PinUnderTest(flash).boot();
        if (after.state === STATE_LOCKED) {
          expect(after.unlock(PIN), `cut ${cutAt}`).toBe(OUTCOME_UNLOCKED); // removal not done: the PIN still opens
          expect(markerHits(flash, credentials)).toBe(0); // and the unlock sealed any slot opened meanwhile
        } else {
          expect(after.state).toBe(STATE_NONE);
        }
        expectAllReadable(after, credentials);
        runs++;
        if (!cut) break;
      }
      expect(runs).toBeGreaterThan(8);
    }, TIMEOUT_MS);
  }
});

describe("PIN lock: setting a PIN under power cuts", () => {
  for (const behaviour of ["atomic", "torn"] as CutBehaviour[]) {
    it(`a cut at every flash operation of a PIN set: old or new, never lost, no plain left after unlock (${behaviour})`, () => {
      const { t: base, credentials } = provisioned(PICO_REGION, 10);
      let runs = 0;
      for (let cutAt = 0; ; cutAt++) {
        const flash = base.flash.clone();
        const t = new PinUnderTest(flash).boot();
        flash.armPowerCut(cutAt, behaviour, cutAt + 3);
        let cut = false;
        try {
          expect(t.setPin(PIN)).toBe(OUTCOME_SET);
        } catch (error) {
          if (!(error instanceof PowerCut)) throw error;
          cut = true;
        }
        flash.powerOn();
        const after = new PinUnderTest(flash).boot();
        expect([STATE_NONE, STATE_LOCKED], `cut ${cutAt}`).toContain(after.state);
        if (after.state === STATE_LOCKED) {
          expect(after.unlock(PIN), `cut ${cutAt}`).toBe(OUTCOME_UNLOCKED);
          expect(after.state).toBe(STATE_UNLOCKED);
          expect(markerHits(flash, credentials), `cut ${cutAt} ${behaviour}`).toBe(0);
        }
        expectAllReadable(after, credentials);
        runs++;
        if (!cut) break;
      }
      expect(runs).toBeGreaterThan(15);
    }, TIMEOUT_MS);
  }
});
