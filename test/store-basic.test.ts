// The slot store's operations against node:crypto and the JS model: codes, metadata, persistence
// across reboots, settings, and the cost of a press on the flash.
import { describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import binaryen from "binaryen";
import { NorFlash } from "../host-sim/flash.js";
import { readModule } from "../host-sim/paths.js";
import {
  StoreUnderTest, PICO_REGION, Credential, KIND_HOTP, KIND_TOTP, ALGORITHMS, hotpReference, nameOf,
  snapshotStore, snapshotModel, emptyModel, applyOp, Op, seededRandom, randomCredential, smallRegion,
} from "../host-sim/store-harness/index.js";

function fresh(region = PICO_REGION): StoreUnderTest {
  const s = new StoreUnderTest(new NorFlash(region.geometry), region);
  expect(s.mount()).toBe(0);
  return s;
}

function reboot(s: StoreUnderTest): StoreUnderTest {
  const next = new StoreUnderTest(s.flash, s.region);
  expect(next.mount()).toBe(0);
  return next;
}

const ascii = (text: string) => new TextEncoder().encode(text);

function totp(secret: string, algorithm: number, digits: number, period: number): Credential {
  return { name: ascii(`rfc6238-${algorithm}`), kind: KIND_TOTP, algorithm, digits, periodSeconds: period, counter: 0n, flags: 0, secret: ascii(secret) };
}

describe("slot store: codes", () => {
  it("gives the RFC 6238 appendix B TOTP values for SHA-1/256/512", () => {
    const s = fresh();
    expect(s.put(0, totp("12345678901234567890", 1, 8, 30))).toBe(0);
    expect(s.put(1, totp("12345678901234567890123456789012", 2, 8, 30))).toBe(0);
    expect(s.put(2, totp("1234567890123456789012345678901234567890123456789012345678901234", 3, 8, 30))).toBe(0);
    const vectors: Array<[number, string[]]> = [
      [59, ["94287082", "46119246", "90693936"]],
      [1111111109, ["07081804", "68084774", "25091201"]],
      [20000000000, ["65353130", "77737706", "47863826"]],
    ];
    for (const [time, codes] of vectors) {
      for (let slot = 0; slot < 3; slot++) {
        expect(s.x.slotTotp(slot, BigInt(time)).toString().padStart(8, "0")).toBe(codes[slot]);
      }
    }
  });

  it("computes HMAC like node:crypto for every secret length 1..128 and each algorithm", () => {
    const s = fresh();
    const random = seededRandom(7);
    for (let length = 1; length <= 128; length++) {
      const algorithm = 1 + (length % 3);
      const c: Credential = { ...randomCredential(random, `k${length}`), algorithm, secret: new Uint8Array(length).map((_, i) => (i * 37 + length) & 0xff) };
      expect(s.put(length % 100, c)).toBe(0);
      const challenge = ascii(`challenge ${length}`);
      const expected = createHmac(ALGORITHMS[algorithm - 1], c.secret).update(challenge).digest();
      expect(Buffer.from(s.hmac(length % 100, challenge) as Uint8Array)).toEqual(expected);
    }
  });

  it("HOTP: persists counter + 1 before giving the old counter's code (RFC 4226 vectors)", () => {
    const s = fresh();
    const c: Credential = { name: ascii("hotp"), kind: KIND_HOTP, algorithm: 1, digits: 6, periodSeconds: 0, counter: 0n, flags: 0, secret: ascii("12345678901234567890") };
    expect(s.put(5, c)).toBe(0);
    const rfc = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
    for (let i = 0; i < 10; i++) {
      expect(s.x.slotHotpNext(5)).toBe(BigInt(rfc[i]));
      expect(s.x.slotCounter(5)).toBe(BigInt(i + 1));
      expect(reboot(s).x.slotCounter(5)).toBe(BigInt(i + 1));
    }
  });

  it("HOTP with a large counter, SHA-512 and 10 digits matches node:crypto", () => {
    const s = fresh();
    const c: Credential = { name: ascii("big"), kind: KIND_HOTP, algorithm: 3, digits: 10, periodSeconds: 0, counter: 0x1234567890n, flags: 1, secret: new Uint8Array(100).fill(0x5a) };
    expect(s.put(99, c)).toBe(0);
    expect(s.x.slotHotpNext(99)).toBe(hotpReference(c, 0x1234567890n));
    expect(s.x.slotHotpNext(99)).toBe(hotpReference(c, 0x1234567891n));
  });

  it("refuses codes of the wrong kind and of empty slots", () => {
    const s = fresh();
    expect(s.put(0, totp("12345678901234567890", 1, 6, 30))).toBe(0);
    expect(s.x.slotHotpNext(0)).toBe(-9n); // ERR_STATE: a TOTP slot
    expect(s.x.slotTotp(1, 59n)).toBe(-6n); // ERR_NOT_FOUND
    expect(s.x.slotTotp(100, 59n)).toBe(-1n); // ERR_RANGE
    expect(s.x.slotTotp(0, -1n)).toBe(-8n); // ERR_NO_TIME
  });
});

describe("slot store: flash cost of a press", () => {
  it("a TOTP code writes nothing; a HOTP press is one program and no erase", () => {
    const s = fresh();
    const random = seededRandom(3);
    for (let slot = 0; slot < 100; slot++) {
      const c = randomCredential(random, `s${slot}`);
      expect(s.put(slot, { ...c, kind: slot === 50 ? KIND_HOTP : KIND_TOTP })).toBe(0);
    }
    const before = { programs: s.flash.programs, erases: s.flash.erases };
    for (let t = 0; t < 50; t++) expect(s.x.slotTotp(7, BigInt(1_700_000_000 + t * 30))).toBeGreaterThanOrEqual(0n);
    expect(s.flash.programs).toBe(before.programs);
    for (let press = 0; press < 100; press++) {
      const programs = s.flash.programs;
      const erases = s.flash.erases;
      expect(s.x.slotHotpNext(50)).toBeGreaterThanOrEqual(0n);
      // A new head sector costs its activation program too; no press erases while sectors are free.
      expect(s.flash.programs - programs).toBeLessThanOrEqual(2);
      expect(s.flash.erases - erases).toBe(0);
    }
    expect(s.flash.programs - before.programs).toBeLessThanOrEqual(101);
  });
});

describe("slot store: operations and persistence", () => {
  it("keeps 100 slots, metadata and names across a reboot; reports full", () => {
    let s = fresh();
    const random = seededRandom(11);
    let model = emptyModel();
    for (let slot = 0; slot < 100; slot++) {
      expect(s.x.firstFreeSlot()).toBe(slot);
      const op: Op = { op: "put", slot, credential: randomCredential(random, `n${slot}`) };
      expect(s.put(slot, (op as { credential: Credential }).credential)).toBe(0);
      model = applyOp(model, op);
    }
    expect(s.x.slotsUsedCount()).toBe(100);
    expect(s.x.firstFreeSlot()).toBe(-5); // ERR_FULL
    s = reboot(s);
    expect(snapshotStore(s)).toBe(snapshotModel(model));
    expect(s.findByName(model.slots.get(42)!.name)).toBe(42);
    expect(s.findByName(ascii("no such name"))).toBe(-6);
  });

  it("overwrite, delete, rename and move keep the other slots intact", () => {
    let s = fresh();
    const random = seededRandom(12);
    let model = emptyModel();
    const apply = (op: Op) => {
      const status = op.op === "put" ? s.put(op.slot, op.credential) : op.op === "delete" ? s.x.slotDelete(op.slot)
        : op.op === "rename" ? s.rename(op.slot, op.name) : op.op === "move" ? s.x.slotMove(op.from, op.to) : -99;
      expect(status).toBe(0);
      model = applyOp(model, op);
    };
    for (let slot = 0; slot < 10; slot++) apply({ op: "put", slot, credential: randomCredential(random, `m${slot}`) });
    apply({ op: "put", slot: 3, credential: randomCredential(random, "over") });
    apply({ op: "delete", slot: 4 });
    apply({ op: "rename", slot: 5, name: ascii("renamed, ünïcödé ✓") });
    apply({ op: "move", from: 6, to: 60 });
    expect(s.x.slotMove(7, 8)).toBe(-9); // ERR_STATE: target used
    expect(s.x.slotMove(4, 9)).toBe(-6); // ERR_NOT_FOUND: source empty
    expect(s.x.slotDelete(4)).toBe(-6);
    expect(snapshotStore(s)).toBe(snapshotModel(model));
    s = reboot(s);
    expect(snapshotStore(s)).toBe(snapshotModel(model));
    expect(new TextDecoder().decode(s.name(5) as Uint8Array)).toBe("renamed, ünïcödé ✓");
  });

  it("wipe removes every slot and setting and leaves no secret byte on flash", () => {
    let s = fresh();
    const secret = new Uint8Array(128).map((_, i) => 0x80 | (i * 13));
    for (let slot = 0; slot < 100; slot++) {
      expect(s.put(slot, { name: nameOf(`w${slot}`, 20), kind: KIND_TOTP, algorithm: 1, digits: 6, periodSeconds: 30, counter: 0n, flags: 0, secret })).toBe(0);
    }
    expect(s.x.settingPut(1, 3)).toBe(0);
    expect(s.blobPut(66, secret.subarray(0, 64))).toBe(0);
    expect(s.x.storeWipe()).toBe(0);
    expect(s.x.slotsUsedCount()).toBe(0);
    s = reboot(s);
    expect(snapshotStore(s)).toBe(snapshotModel(emptyModel()));
    const { regionOffset, regionBytes } = s.region;
    const image = Buffer.from(s.flash.bytes.subarray(regionOffset, regionOffset + regionBytes));
    expect(image.indexOf(Buffer.from(secret.subarray(0, 16)))).toBe(-1);
    expect(s.put(0, { name: ascii("after"), kind: KIND_TOTP, algorithm: 2, digits: 6, periodSeconds: 30, counter: 0n, flags: 0, secret: ascii("k") })).toBe(0);
    expect(reboot(s).x.slotsUsedCount()).toBe(1);
  });

  it("settings: integers and blobs by id, defaults, removal, persistence", () => {
    let s = fresh();
    expect(s.x.settingGet(3, 77)).toBe(77);
    expect(s.x.settingPut(3, 2)).toBe(0);
    expect(s.x.settingPut(4, -5)).toBe(0);
    const programs = s.flash.programs;
    expect(s.x.settingPut(4, -5)).toBe(0);
    expect(s.flash.programs).toBe(programs); // unchanged value: nothing written
    expect(s.blobPut(64, ascii("calibration"))).toBe(0);
    expect(s.blobPut(65, new Uint8Array(128).fill(9))).toBe(0);
    s = reboot(s);
    expect(s.x.settingGet(3, 77)).toBe(2);
    expect(s.x.settingGet(4, 0)).toBe(-5);
    expect(Buffer.from(s.blob(64) as Uint8Array).toString()).toBe("calibration");
    expect((s.blob(65) as Uint8Array).length).toBe(128);
    expect(s.blobPut(64, new Uint8Array(0))).toBe(0);
    expect(reboot(s).blob(64)).toBe(-6);
    expect(s.x.settingBlobGet(65, s.io, 10)).toBe(-1); // ERR_RANGE: capacity too small
  });

  it("compacts a small region many times over without losing anything", () => {
    let s = fresh(smallRegion(3, 1024));
    const random = seededRandom(5);
    let model = emptyModel();
    for (let round = 0; round < 300; round++) {
      const slot = Math.floor(random() * 3);
      const op: Op = model.slots.get(slot)?.kind === KIND_HOTP && random() < 0.7
        ? { op: "hotp", slot } : { op: "put", slot, credential: randomCredential(random, `c${round}`, 16, 32) };
      const status = op.op === "hotp" ? Number(s.x.slotHotpNext(slot) < 0n) : s.put(slot, (op as { credential: Credential }).credential);
      expect(status).toBe(0);
      model = applyOp(model, op);
      if (round % 50 === 0) s = reboot(s);
    }
    expect(s.flash.erases).toBeGreaterThan(10);
    expect(snapshotStore(reboot(s))).toBe(snapshotModel(model));
  });

  it("idle-time maintenance compacts before presses have to", () => {
    const s = fresh(smallRegion(4, 1024));
    const c: Credential = { name: ascii("idle"), kind: KIND_HOTP, algorithm: 1, digits: 6, periodSeconds: 0, counter: 0n, flags: 0, secret: ascii("12345678901234567890") };
    expect(s.put(0, c)).toBe(0);
    let maintained = 0;
    let pressesThatErased = 0;
    for (let press = 0; press < 300; press++) {
      const erases = s.flash.erases;
      expect(s.x.slotHotpNext(0)).toBe(hotpReference(c, BigInt(press)));
      if (s.flash.erases !== erases) pressesThatErased++;
      const status = s.x.storeMaintain();
      expect(status).toBeGreaterThanOrEqual(0);
      maintained += status;
    }
    expect(maintained).toBeGreaterThan(5);
    expect(pressesThatErased).toBe(0);
    expect(reboot(s).x.slotCounter(0)).toBe(300n);
  });

  it("uses at most 14 KiB of static memory for the store", () => {
    expect(fresh().staticBytes).toBeLessThanOrEqual(14 * 1024);
  });

  it("the store's test module contains no f32/f64 (the board's wasm3 has no floats)", () => {
    const parsed = binaryen.readBinary(readModule("testkit-store"));
    const text = parsed.emitText();
    parsed.dispose();
    expect(text).toContain("(func");
    expect(text.match(/\bf(32|64)\b|\bf(32|64)\./g)).toBeNull();
  });
});
