// The slot store under stray bit flips, bad input and a full store: a defined error, the store
// (flash bytes and observable state) unchanged, and a flipped bit costing only its own record.
import { describe, expect, it } from "vitest";
import { NorFlash } from "../host-sim/flash.js";
import {
  StoreUnderTest, PICO_REGION, Credential, KIND_HOTP, KIND_TOTP, Op, applyOp, emptyModel, Model, snapshotModel,
  snapshotStore, seededRandom, randomCredential, smallRegion, nameOf, Region,
} from "../host-sim/store-harness/index.js";
import { preparedKey } from "./hmac-state.js";

const ERR_RANGE = -1, ERR_ALGORITHM = -2, ERR_KEY_LENGTH = -3, ERR_NAME_LENGTH = -4, ERR_FULL = -5;
const ERR_NOT_FOUND = -6, ERR_STATE = -9, ERR_CORRUPT = -11;

function build(region: Region, ops: Op[]): { s: StoreUnderTest; model: Model } {
  const s = new StoreUnderTest(new NorFlash(region.geometry), region);
  expect(s.mount()).toBe(0);
  let model = emptyModel();
  for (const op of ops) {
    if (op.op === "put") expect(s.put(op.slot, op.credential)).toBe(0);
    else if (op.op === "hotp") expect(s.x.slotHotpNext(op.slot)).toBeGreaterThanOrEqual(0n);
    else throw new Error(op.op);
    model = applyOp(model, op);
  }
  return { s, model };
}

function reboot(s: StoreUnderTest): StoreUnderTest {
  const next = new StoreUnderTest(s.flash, s.region);
  expect(next.mount()).toBe(0);
  return next;
}

function provision(count: number, seed: number): Op[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, slot) => ({ op: "put", slot, credential: randomCredential(random, `slot${slot}`) }) as Op);
}

// The key field a record stores for `c`: the packed prepared key (test/hmac-state.ts).
const keyField = (c: Credential) => preparedKey(c.algorithm, c.secret);

// Where the record of a slot starts: its name sits 16 (header) + 18 (fixed fields) bytes in.
function recordOffset(s: StoreUnderTest, c: Credential): number {
  const { regionOffset, regionBytes } = s.region;
  const region = Buffer.from(s.flash.bytes.buffer, s.flash.bytes.byteOffset + regionOffset, regionBytes);
  const at = region.indexOf(Buffer.concat([Buffer.from(c.name), keyField(c)]));
  expect(at).toBeGreaterThan(0);
  return regionOffset + at - 34;
}

describe("stray bit flips", () => {
  // Header fields, name, key field, its last byte: each flip costs exactly that record.
  for (const [where, offsetOf] of [
    ["record type", () => 0], ["sequence number", () => 5], ["payload CRC", () => 9], ["header CRC", () => 14],
    ["slot fields", () => 19], ["name", () => 34], ["key field", (c: Credential) => 34 + c.name.length],
    ["last key field byte", (c: Credential) => 33 + c.name.length + keyField(c).length],
  ] as Array<[string, (c: Credential) => number]>) {
    it(`a flipped bit in a record's ${where}: that record is rejected, the others survive`, () => {
      for (const victim of [0, 17, 49]) {
        const { s, model } = build(PICO_REGION, provision(50, 21));
        const c = model.slots.get(victim)!;
        s.flash.flipBit(recordOffset(s, c) + offsetOf(c), victim % 8);
        const after = reboot(s);
        const expected = applyOp(model, { op: "delete", slot: victim });
        expect(snapshotStore(after)).toBe(snapshotModel(expected));
        // The store keeps working around the rejected record.
        expect(after.put(victim, c)).toBe(0);
        expect(snapshotStore(reboot(after))).toBe(snapshotModel(model));
      }
    });
  }

  it("a flip in the newest record of a slot falls back to the slot's previous record", () => {
    const random = seededRandom(22);
    const old = randomCredential(random, "old");
    const latest = randomCredential(random, "new");
    const { s, model } = build(PICO_REGION, [{ op: "put", slot: 3, credential: old }, { op: "put", slot: 3, credential: latest }]);
    s.flash.flipBit(recordOffset(s, latest) + 40, 2);
    expect(snapshotStore(reboot(s))).toBe(snapshotModel(applyOp(model, { op: "put", slot: 3, credential: old })));
  });

  it("a flip after mount: computing with that key reports ERR_CORRUPT, never a wrong code", () => {
    const { s, model } = build(PICO_REGION, provision(5, 23));
    const c = model.slots.get(2)!;
    s.flash.flipBit(recordOffset(s, c) + 34 + c.name.length, 0);
    expect(s.hmac(2)).toBe(ERR_CORRUPT);
    expect(s.hmac(1)).not.toBe(ERR_CORRUPT);
  });

  it("a flip in the erased tail of the head sector: later records go past it and survive", () => {
    const { s, model } = build(PICO_REGION, provision(3, 24));
    const tail = recordOffset(s, model.slots.get(2)!) + 600;
    s.flash.flipBit(tail, 3);
    const after = reboot(s);
    const extra = randomCredential(seededRandom(25), "extra");
    expect(after.put(10, extra)).toBe(0);
    expect(snapshotStore(reboot(after))).toBe(snapshotModel(applyOp(model, { op: "put", slot: 10, credential: extra })));
  });

  it("mounts a region full of random bytes as empty, and works on it", () => {
    const region = smallRegion(4, 4096);
    const flash = new NorFlash(region.geometry);
    const random = seededRandom(26);
    for (let i = 0; i < flash.bytes.length; i++) flash.bytes[i] = Math.floor(random() * 256);
    const s = new StoreUnderTest(flash, region);
    expect(s.mount()).toBe(0);
    expect(s.x.slotsUsedCount()).toBe(0);
    const c = randomCredential(random, "fresh");
    expect(s.put(0, c)).toBe(0);
    expect(snapshotStore(reboot(s))).toBe(snapshotModel(applyOp(emptyModel(), { op: "put", slot: 0, credential: c })));
  });
});

describe("bad input: a defined error and the store unchanged", () => {
  const { s } = build(PICO_REGION, [...provision(10, 31), { op: "put", slot: 11, credential: { ...randomCredential(seededRandom(1), "h"), kind: KIND_HOTP, counter: 2n ** 63n - 1n } }]);
  const good: Credential = { name: nameOf("good", 10), kind: KIND_TOTP, algorithm: 1, digits: 6, periodSeconds: 30, counter: 0n, flags: 0, secret: new Uint8Array(20).fill(1) };
  const cases: Array<[string, number | bigint, () => number | bigint]> = [
    ["slot out of range", ERR_RANGE, () => s.put(100, good)],
    ["empty name", ERR_NAME_LENGTH, () => s.put(20, { ...good, name: new Uint8Array(0) })],
    ["name of 65 bytes", ERR_NAME_LENGTH, () => s.put(20, { ...good, name: nameOf("x", 65) })],
    ["name not UTF-8", ERR_RANGE, () => s.put(20, { ...good, name: new Uint8Array([0x61, 0xc3]) })],
    ["name with a surrogate", ERR_RANGE, () => s.put(20, { ...good, name: new Uint8Array([0xed, 0xa0, 0x80]) })],
    ["empty secret", ERR_KEY_LENGTH, () => s.put(20, { ...good, secret: new Uint8Array(0) })],
    ["secret of 129 bytes", ERR_KEY_LENGTH, () => s.put(20, { ...good, secret: new Uint8Array(129) })],
    ["algorithm 0", ERR_ALGORITHM, () => s.put(20, { ...good, algorithm: 0 })],
    ["algorithm 4", ERR_ALGORITHM, () => s.put(20, { ...good, algorithm: 4 })],
    ["kind 3", ERR_RANGE, () => s.put(20, { ...good, kind: 3 })],
    ["digits 3", ERR_RANGE, () => s.put(20, { ...good, digits: 3 })],
    ["digits 11", ERR_RANGE, () => s.put(20, { ...good, digits: 11 })],
    ["period 0", ERR_RANGE, () => s.put(20, { ...good, periodSeconds: 0 })],
    ["period 256", ERR_RANGE, () => s.put(20, { ...good, periodSeconds: 256 })],
    ["flags beyond 16 bits", ERR_RANGE, () => s.put(20, { ...good, flags: 0x10000 })],
    ["overwrite with a bad field", ERR_RANGE, () => s.put(3, { ...good, digits: 2 })],
    ["delete out of range", ERR_RANGE, () => s.x.slotDelete(100)],
    ["delete an empty slot", ERR_NOT_FOUND, () => s.x.slotDelete(50)],
    ["rename an empty slot", ERR_NOT_FOUND, () => s.rename(50, nameOf("a", 3))],
    ["rename to an empty name", ERR_NAME_LENGTH, () => s.rename(1, new Uint8Array(0))],
    ["rename to 65 bytes", ERR_NAME_LENGTH, () => s.rename(1, nameOf("a", 65))],
    ["move out of range", ERR_RANGE, () => s.x.slotMove(1, 100)],
    ["move onto a used slot", ERR_STATE, () => s.x.slotMove(1, 2)],
    ["move onto itself", ERR_STATE, () => s.x.slotMove(1, 1)],
    ["move an empty slot", ERR_NOT_FOUND, () => s.x.slotMove(50, 51)],
    ["HOTP at the largest counter", -1n, () => s.x.slotHotpNext(11)],
    ["setting id 128", ERR_RANGE, () => s.x.settingPut(128, 1)],
    ["blob of 129 bytes", ERR_RANGE, () => s.blobPut(64, new Uint8Array(129))],
    ["blob id 200", ERR_RANGE, () => s.blobPut(200, new Uint8Array(3))],
    ["name copy into too small a buffer", ERR_RANGE, () => s.x.slotNameCopy(1, s.io, 0)],
    ["name of an empty slot", ERR_NOT_FOUND, () => s.x.slotNameCopy(50, s.io, 64)],
    ["HMAC of an empty slot", ERR_NOT_FOUND, () => s.x.slotHmac(50, s.io, 4, s.io + 64)],
  ];
  for (const [what, expected, call] of cases) {
    it(what, () => {
      const image = s.flash.bytes.slice();
      const before = snapshotStore(s);
      expect(call()).toBe(expected);
      expect(Buffer.compare(s.flash.bytes, image)).toBe(0);
      expect(snapshotStore(s)).toBe(before);
      expect(snapshotStore(reboot(s))).toBe(before);
    });
  }

  it("refuses every operation before a mount, and a geometry it cannot use", () => {
    const flash = new NorFlash(PICO_REGION.geometry);
    const bare = new StoreUnderTest(flash, PICO_REGION);
    expect(bare.put(0, good)).toBe(ERR_STATE);
    expect(bare.x.storeWipe()).toBe(ERR_STATE);
    expect(bare.x.settingPut(1, 1)).toBe(ERR_STATE);
    expect(bare.x.firstFreeSlot()).toBe(ERR_STATE);
    expect(flash.operations).toBe(0);
    expect(bare.x.storeMount(0, 65536, 3000, 256)).toBe(ERR_RANGE); // sector not a power of two
    expect(bare.x.storeMount(100, 65536, 4096, 256)).toBe(ERR_RANGE); // region not aligned
    expect(bare.x.storeMount(0, 4096, 4096, 256)).toBe(ERR_RANGE); // one sector
    expect(bare.x.storeMount(0, 65 * 4096, 4096, 256)).toBe(ERR_RANGE); // more than the sector table
    expect(bare.x.storeMount(0, 65536, 4096, 8192)).toBe(ERR_RANGE); // page larger than sector
  });
});

describe("a full store", () => {
  it("100 used slots: no free slot, but overwrites still work", () => {
    const { s } = build(PICO_REGION, provision(100, 41));
    expect(s.x.firstFreeSlot()).toBe(ERR_FULL);
    expect(s.put(7, randomCredential(seededRandom(2), "again"))).toBe(0);
  });

  it("a region too small for more: ERR_FULL, the store unchanged, smaller puts still fit", () => {
    const region = smallRegion(3, 1024); // room for a few slots only
    const s = new StoreUnderTest(new NorFlash(region.geometry), region);
    expect(s.mount()).toBe(0);
    const big = (tag: string): Credential => ({ name: nameOf(tag, 64), kind: KIND_TOTP, algorithm: 3, digits: 8, periodSeconds: 30, counter: 0n, flags: 0, secret: new Uint8Array(128).fill(tag.length) });
    let stored = 0;
    while (s.put(stored, big(`b${stored}`)) === 0) stored++;
    expect(stored).toBeGreaterThan(0);
    expect(s.x.storeUsedBytes()).toBeLessThanOrEqual(s.x.storeCapacityBytes());
    const image = s.flash.bytes.slice();
    const before = snapshotStore(s);
    expect(s.put(stored, big("refused"))).toBe(ERR_FULL);
    expect(Buffer.compare(s.flash.bytes, image)).toBe(0);
    expect(snapshotStore(reboot(s))).toBe(before);
    // Overwriting in place and HOTP presses keep working at the limit, across compactions.
    for (let i = 0; i < 40; i++) expect(s.put(i % stored, big(`o${i}`))).toBe(0);
    expect(s.put(0, { ...big("h"), kind: KIND_HOTP, counter: 5n })).toBe(0);
    for (let i = 0; i < 100; i++) expect(s.x.slotHotpNext(0)).toBeGreaterThanOrEqual(0n);
    expect(reboot(s).x.slotCounter(0)).toBe(105n);
  });
});
