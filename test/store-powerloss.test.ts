// Power-loss tests in the style of littlefs's emulated block device: for each workload, cut power
// at every single program and erase operation in turn, under both failure behaviours of the flash
// model ("atomic": the interrupted operation happened or not; "torn": a page partly programmed, a
// sector partly erased), reboot a fresh module on the same flash, and check: it mounts; the state
// is exactly the model after the acknowledged operations, with the interrupted one entirely done or
// not at all (so no mix, no other slot's data, untouched slots identical, HOTP counters never go
// back, nothing acknowledged lost); codes match node:crypto; and a write after recovery survives.
import { describe, expect, it } from "vitest";
import {
  PICO_REGION, Op, prepare, sweepCuts, seededRandom, randomCredential, smallRegion, KIND_HOTP, KIND_TOTP,
  Credential, nameOf, randomBytesOf,
} from "../host-sim/store-harness/index.js";

const TIMEOUT_MS = 240_000;

function provision(count: number, seed: number, first = 0): Op[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({ op: "put", slot: first + i, credential: randomCredential(random, `p${first + i}`) }) as Op);
}

function expectClean(result: ReturnType<typeof sweepCuts>): void {
  const shown = result.violations.slice(0, 3).map((v) => `cut ${v.cutAt} ${v.behaviour}: ${v.what}`).join("\n");
  expect(result.violations.length, shown).toBe(0);
  expect(result.runs).toBeGreaterThan(0);
}

describe("power loss at every flash operation", () => {
  it("provisioning 100 slots (64 KiB region, every operation)", () => {
    const start = prepare(PICO_REGION, []);
    const result = sweepCuts(start, provision(100, 1));
    expect(result.operations).toBeGreaterThan(150);
    expect(result.outcomes.old).toBeGreaterThan(0);
    expect(result.outcomes.new).toBeGreaterThan(0);
    expectClean(result);
  }, TIMEOUT_MS);

  it("overwriting 20 of 100 slots (64 KiB region)", () => {
    const random = seededRandom(2);
    const ops: Op[] = Array.from({ length: 20 }, (_, i) => ({ op: "put", slot: (i * 37) % 100, credential: randomCredential(random, `o${i}`) }));
    expectClean(sweepCuts(prepare(PICO_REGION, provision(100, 3)), ops));
  }, TIMEOUT_MS);

  it("overwrites that compact a small region over and over (4 x 4 KiB)", () => {
    const random = seededRandom(4);
    const ops: Op[] = Array.from({ length: 60 }, (_, i) => ({ op: "put", slot: i % 20, credential: randomCredential(random, `c${i}`) }));
    const start = prepare(smallRegion(4, 4096), provision(20, 5));
    start.cycleAfterRecovery = true;
    const result = sweepCuts(start, ops);
    expect(result.operations).toBeGreaterThan(60 + 8); // programs plus compaction erases
    expectClean(result);
  }, TIMEOUT_MS);

  it("overwrites that compact a full 100-slot store (64 KiB region, largest records)", () => {
    const random = seededRandom(13);
    // SHA-512: its packed key is the largest key field (128 bytes).
    const largest = (tag: string) => ({ ...randomCredential(random, tag), algorithm: 3, name: nameOf(tag, 64), secret: randomBytesOf(random, 128) });
    const setup: Op[] = [];
    for (let i = 0; i < 240; i++) setup.push({ op: "put", slot: i < 100 ? i : i % 30, credential: largest(`s${i}`) });
    const start = prepare(PICO_REGION, setup);
    const ops: Op[] = Array.from({ length: 60 }, (_, i) => ({ op: "put", slot: (i * 7) % 30, credential: largest(`x${i}`) }) as Op);
    const result = sweepCuts(start, ops);
    expect(result.operations).toBeGreaterThan(60 * 2 + 100); // the puts plus compactions copying live slots
    expectClean(result);
  }, TIMEOUT_MS);

  it("compacting a wholly live sector into the reserve, then working on for good (4 x 4 KiB)", () => {
    // The oldest sector holds 16 live slots of the largest size, so its compaction spills over
    // into the reserve sector: a cut there leaves no spare sector and a part-filled new head.
    const random = seededRandom(14);
    // SHA-512: its packed key is the largest key field (128 bytes).
    const largest = (tag: string) => ({ ...randomCredential(random, tag), algorithm: 3, name: nameOf(tag, 64), secret: randomBytesOf(random, 128) });
    const setup: Op[] = Array.from({ length: 16 }, (_, slot) => ({ op: "put", slot, credential: largest(`l${slot}`) }) as Op);
    for (let i = 0; i < 20; i++) setup.push({ op: "put", slot: 16, credential: largest(`q${i}`) });
    const start = prepare(smallRegion(4, 4096), setup);
    start.cycleAfterRecovery = true;
    const ops: Op[] = Array.from({ length: 30 }, (_, i) => ({ op: "put", slot: 16, credential: largest(`c${i}`) }) as Op);
    const result = sweepCuts(start, ops);
    expect(result.operations).toBeGreaterThan(30 * 2 + 16);
    expectClean(result);
  }, TIMEOUT_MS);

  it("deleting 20 of 100 slots", () => {
    const ops: Op[] = Array.from({ length: 20 }, (_, i) => ({ op: "delete", slot: (i * 41 + 3) % 100 }));
    expectClean(sweepCuts(prepare(PICO_REGION, provision(100, 6)), ops));
  }, TIMEOUT_MS);

  it("renaming and moving slots", () => {
    const ops: Op[] = [];
    for (let i = 0; i < 10; i++) ops.push({ op: "rename", slot: i * 3, name: nameOf(`renamed-${i}`, 8 + i * 5) });
    for (let i = 0; i < 10; i++) ops.push({ op: "move", from: i * 3 + 1, to: 60 + i });
    expectClean(sweepCuts(prepare(PICO_REGION, provision(40, 7)), ops));
  }, TIMEOUT_MS);

  it("wiping a full store, then provisioning again", () => {
    const setup: Op[] = [...provision(100, 8), { op: "setting", id: 1, value: 2 }, { op: "blob", id: 66, data: new Uint8Array(40).fill(7) }];
    const ops: Op[] = [{ op: "wipe" }, ...provision(3, 9)];
    expectClean(sweepCuts(prepare(PICO_REGION, setup), ops));
  }, TIMEOUT_MS);

  it("HOTP presses across compactions (3 x 1 KiB region)", () => {
    const hotp = (i: number): Credential => ({
      name: nameOf(`h${i}`, 6), kind: KIND_HOTP, algorithm: 1 + i, digits: 6 + i, periodSeconds: 0,
      counter: BigInt(i * 1000), flags: 0, secret: randomBytesOf(seededRandom(i), 20 + i * 10),
    });
    // Two HOTP slots (SHA-1, SHA-256; 6-byte names) and a SHA-512 TOTP slot: with room for their counter records,
    // the probe setting and the cycling blob they fill the one usable sector's 736 bytes exactly
    // (records hold packed keys of 40, 64 and 128 bytes).
    const setup: Op[] = [0, 1].map((i) => ({ op: "put", slot: i, credential: hotp(i) }) as Op);
    setup.push({ op: "put", slot: 3, credential: { ...hotp(0), algorithm: 3, kind: KIND_TOTP, periodSeconds: 30, name: nameOf("t", 5) } });
    const ops: Op[] = Array.from({ length: 90 }, (_, i) => ({ op: "hotp", slot: i % 2 }) as Op);
    for (let i = 80; i > 0; i -= 16) ops.splice(i, 0, { op: "maintain" }); // idle-time compaction too
    const start = prepare(smallRegion(3, 1024), setup);
    start.cycleAfterRecovery = true;
    const result = sweepCuts(start, ops);
    expect(result.operations).toBeGreaterThan(90 + 2); // at least two compactions in the sweep
    expectClean(result);
  }, TIMEOUT_MS);

  it("changing settings and blobs", () => {
    const ops: Op[] = [];
    for (let id = 1; id <= 6; id++) ops.push({ op: "setting", id, value: id * 1000 - 3 });
    ops.push({ op: "blob", id: 64, data: new Uint8Array(12).fill(1) });
    ops.push({ op: "blob", id: 65, data: new Uint8Array(128).fill(2) });
    ops.push({ op: "setting", id: 3, value: 1 });
    ops.push({ op: "blob", id: 64, data: new Uint8Array(0) });
    ops.push({ op: "blob", id: 66, data: new Uint8Array(33).fill(3) });
    const setup: Op[] = [...provision(10, 10), { op: "blob", id: 64, data: new Uint8Array(5).fill(9) }, { op: "setting", id: 2, value: 5 }];
    expectClean(sweepCuts(prepare(smallRegion(3, 4096), setup), ops));
  }, TIMEOUT_MS);
});

describe("the power-loss checker itself", () => {
  it("reports a store whose state differs from the model (the check can fail)", () => {
    const start = prepare(PICO_REGION, provision(5, 11));
    const ops = provision(2, 12, 10);
    start.model.slots.delete(2); // the model now disagrees with the flash
    const result = sweepCuts(start, ops, 3);
    expect(result.violations.length).toBe(result.runs);
    expect(result.violations[0].what).toMatch(/neither old nor new/);
  });

  it("reports a HOTP code that is not node:crypto's", () => {
    const start = prepare(smallRegion(3, 1024), [{ op: "put", slot: 0, credential: { ...randomCredential(seededRandom(1), "x"), kind: KIND_HOTP } }]);
    start.model.slots.set(0, { ...start.model.slots.get(0)!, secret: new Uint8Array([1, 2, 3]) });
    const result = sweepCuts(start, [{ op: "hotp", slot: 0 }]);
    expect(result.violations.some((v) => /hotp slot 0 code/.test(v.what) || /neither/.test(v.what))).toBe(true);
  });
});
