// Lookup by name (findSlotByName) with the RAM index's name lengths and 8-bit name hashes: a slot
// is skipped without reading flash only when its length or known hash differs, so the answer must
// always be the lowest slot whose name is byte for byte the one asked for. Checked against a JS
// model over random puts, renames, moves, deletes, reboots and LIST-style name reads, with names
// chosen to collide: equal lengths, and pairs with equal hashes (found here with the hash's
// published definition, FNV-1a folded to 8 bits, docs/SPEC.md is silent on it: RAM only).
import { describe, expect, it } from "vitest";
import { NorFlash } from "../host-sim/flash.js";
import {
  StoreUnderTest, PICO_REGION, Credential, KIND_TOTP, seededRandom, smallRegion,
} from "../host-sim/store-harness/index.js";
import { PinUnderTest, OUTCOME_SET, OUTCOME_UNLOCKED } from "./pin-kit.js";

const ERR_NOT_FOUND = -6;
const ascii = (text: string) => new TextEncoder().encode(text);

/** assembly/store/ram.ts nameHash8, to build colliding names (the test's answers come from the model). */
function nameHash8(name: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const byte of name) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  h ^= h >>> 16;
  h ^= h >>> 8;
  return (h & 0xff) || 1;
}

/** Names of one length, grouped so that several share a hash. */
function collidingNames(): Uint8Array[] {
  const byHash = new Map<number, Uint8Array[]>();
  for (let i = 0; i < 4000; i++) {
    const name = ascii(`acct-${String(i).padStart(4, "0")}`);
    const h = nameHash8(name);
    byHash.set(h, [...(byHash.get(h) ?? []), name]);
  }
  const groups = [...byHash.values()].filter((g) => g.length >= 3).slice(0, 4).map((g) => g.slice(0, 3));
  return groups.flat();
}

function credential(name: Uint8Array, seed: number): Credential {
  return { name, kind: KIND_TOTP, algorithm: 1, digits: 6, periodSeconds: 30, counter: 0n, flags: 0, secret: Uint8Array.of(seed & 0xff, 7) };
}

const SLOTS = 24;

/** The lowest model slot holding `name`, or ERR_NOT_FOUND. */
function expectedSlot(model: Map<number, Uint8Array>, name: Uint8Array): number {
  for (let slot = 0; slot < SLOTS; slot++) {
    const held = model.get(slot);
    if (held !== undefined && Buffer.from(held).equals(Buffer.from(name))) return slot;
  }
  return ERR_NOT_FOUND;
}

describe("lookup by name", () => {
  const pool = [...collidingNames(), ascii("acct-x"), ascii("a"), ascii("b"), ascii("acct-00000"), ascii("ünï-0000")];

  it("the pool really collides (so the test can fail): equal lengths and equal hashes of different names", () => {
    const colliding = collidingNames();
    expect(colliding.length).toBe(12);
    expect(new Set(colliding.map((n) => n.length)).size).toBe(1);
    for (let g = 0; g < 4; g++) {
      const [a, b, c] = colliding.slice(3 * g, 3 * g + 3);
      expect(nameHash8(a)).toBe(nameHash8(b));
      expect(nameHash8(b)).toBe(nameHash8(c));
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    }
  });

  it("random puts, renames, moves, deletes, reboots and name reads: always the model's lowest slot", () => {
    const region = smallRegion(4, 4096);
    const flash = new NorFlash(region.geometry);
    let s = new StoreUnderTest(flash, region);
    expect(s.mount()).toBe(0);
    const model = new Map<number, Uint8Array>();
    const random = seededRandom(77);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    for (let step = 0; step < 600; step++) {
      const used = [...model.keys()];
      const free = [...Array(SLOTS).keys()].filter((slot) => !model.has(slot));
      const roll = random();
      if (roll < 0.35) {
        const slot = Math.floor(random() * SLOTS);
        const name = pick(pool);
        expect(s.put(slot, credential(name, step))).toBe(0);
        model.set(slot, name);
      } else if (roll < 0.5 && used.length > 0) {
        const slot = pick(used);
        const name = pick(pool);
        expect(s.rename(slot, name)).toBe(0);
        model.set(slot, name);
      } else if (roll < 0.6 && used.length > 0 && free.length > 0) {
        const from = pick(used);
        const to = pick(free);
        expect(s.x.slotMove(from, to)).toBe(0);
        model.set(to, model.get(from)!);
        model.delete(from);
      } else if (roll < 0.7 && used.length > 0) {
        const slot = pick(used);
        expect(s.x.slotDelete(slot)).toBe(0);
        model.delete(slot);
      } else if (roll < 0.75) {
        s = new StoreUnderTest(flash, region); // a reboot: every name hash unknown again
        expect(s.mount()).toBe(0);
      } else if (roll < 0.85 && used.length > 0) {
        const slot = pick(used);
        expect(Buffer.from(s.name(slot) as Uint8Array).equals(Buffer.from(model.get(slot)!))).toBe(true);
      }
      const asked = step % 3 === 0 ? pool : [pick(pool), pick(pool)];
      for (const name of asked) expect(s.findByName(name), `step ${step} ${new TextDecoder().decode(name)}`).toBe(expectedSlot(model, name));
    }
    expect(model.size).toBeGreaterThan(5);
  });

  it("100 slots of one name length: each found at its own slot, before and after a reboot", () => {
    const flash = new NorFlash(PICO_REGION.geometry);
    const s = new StoreUnderTest(flash, PICO_REGION);
    expect(s.mount()).toBe(0);
    const names = Array.from({ length: 100 }, (_, slot) => ascii(`slot-${String(slot).padStart(2, "0")}@bench`));
    names.forEach((name, slot) => expect(s.put(slot, credential(name, slot))).toBe(0));
    for (const instance of [s, new StoreUnderTest(flash, PICO_REGION)]) {
      if (instance !== s) expect(instance.mount()).toBe(0);
      for (const slot of [99, 0, 57, 99, 1]) expect(instance.findByName(names[slot])).toBe(slot);
      expect(instance.findByName(ascii("slot-100@bench"))).toBe(ERR_NOT_FOUND);
      expect(instance.findByName(ascii("slot-xx@bench"))).toBe(ERR_NOT_FOUND);
    }
  });

  it("sealed names: found while unlocked, never while locked, found again after unlocking", () => {
    const t = new PinUnderTest(new NorFlash(PICO_REGION.geometry)).boot();
    const names = collidingNames().slice(0, 6);
    names.forEach((name, slot) => expect(t.put(slot * 3, credential(name, slot))).toBe(0));
    expect(t.setPin("31415926")).toBe(OUTCOME_SET);
    names.forEach((name, slot) => expect(t.findByName(name)).toBe(slot * 3));
    t.call("pinLock");
    names.forEach((name) => expect(t.findByName(name)).toBe(ERR_NOT_FOUND));
    expect(t.unlock("31415926")).toBe(OUTCOME_UNLOCKED);
    new Uint8Array(t.x.memory.buffer, t.io, names[0].length).set(names[1]);
    expect(t.call("slotRename", 0, t.io, names[1].length)).toBe(0); // slot 0 now shares slot 3's name
    expect(t.findByName(names[0])).toBe(ERR_NOT_FOUND);
    expect(t.findByName(names[1])).toBe(0);
    names.slice(2).forEach((name, i) => expect(t.findByName(name)).toBe((i + 2) * 3));
  });
});
