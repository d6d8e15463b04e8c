// The PIN layer (assembly/pin) over the slot store: set, lock, unlock, change, remove; the wrong-PIN
// counter and the wipe after 10; the idle lock; and that the PIN check is the record's AEAD tag
// under PBKDF2-HMAC-SHA-256 (checked against node:crypto, not against the module).
import { describe, expect, it } from "vitest";
import { createCipheriv, createDecipheriv, pbkdf2Sync } from "node:crypto";
import { NorFlash } from "../host-sim/flash.js";
import { PICO_REGION, KIND_TOTP, Credential } from "../host-sim/store-harness/index.js";
import {
  PinUnderTest, STATE_NONE, STATE_LOCKED, STATE_UNLOCKED, OUTCOME_UNLOCKED, OUTCOME_WRONG, OUTCOME_WIPED, OUTCOME_SET,
  BLOB_PIN,
} from "./pin-kit.js";

const ERR_RANGE = -1;
const ERR_STATE = -9;
const ascii = (text: string) => new TextEncoder().encode(text);

function credential(name: string, secret: string): Credential {
  return { name: ascii(name), kind: KIND_TOTP, algorithm: 1, digits: 6, periodSeconds: 30, counter: 0n, flags: 0, secret: ascii(secret) };
}

function fresh(): PinUnderTest {
  return new PinUnderTest(new NorFlash(PICO_REGION.geometry)).boot();
}

function reboot(t: PinUnderTest): PinUnderTest {
  return new PinUnderTest(t.flash, t.region, t.clock).boot();
}

function pinRecord(t: PinUnderTest): Buffer {
  const length = t.call("settingBlobGet", BLOB_PIN, t.io, 256);
  expect(length).toBe(84);
  return Buffer.from(new Uint8Array(t.x.memory.buffer, t.io, length).slice());
}

describe("PIN lock: states", () => {
  it("has no PIN on a fresh token, and a set PIN survives a reboot as locked", () => {
    const t = fresh();
    expect(t.state).toBe(STATE_NONE);
    expect(t.call("pinOpen")).toBe(1);
    expect(t.setPin("123456")).toBe(OUTCOME_SET);
    expect(t.state).toBe(STATE_UNLOCKED);
    const after = reboot(t);
    expect(after.state).toBe(STATE_LOCKED);
    expect(after.call("pinOpen")).toBe(0);
    expect(after.unlock("123456")).toBe(OUTCOME_UNLOCKED);
    expect(after.state).toBe(STATE_UNLOCKED);
    expect(after.failures).toBe(0);
  });

  it("refuses malformed PINs without counting them", () => {
    const t = fresh();
    for (const pin of ["12345", "1234567890123", "12345a", "12 456"]) expect(t.setBegin(pin)).toBe(ERR_RANGE);
    expect(t.setPin("000000000000")).toBe(OUTCOME_SET);
    const locked = reboot(t);
    for (const pin of ["12345", "1234567890123", "abcdef"]) expect(locked.unlockBegin(pin)).toBe(ERR_RANGE);
    expect(locked.failures).toBe(0);
    expect(locked.unlockBegin("000000000000")).toBe(0);
    expect(locked.unlockBegin("000000000000")).toBe(ERR_STATE); // one derivation at a time
    expect(locked.finish()).toBe(OUTCOME_UNLOCKED);
  });

  it("stores a record whose tag verifies under PBKDF2-HMAC-SHA-256 of the PIN (node:crypto)", () => {
    const t = fresh();
    expect(t.setPin("9081726354")).toBe(OUTCOME_SET);
    const record = pinRecord(t);
    expect(record[0]).toBe(1);
    const iterations = record.readUInt32LE(4);
    expect(iterations).toBe(Number(t.x.PIN_ITERATIONS.value));
    const salt = record.subarray(8, 24);
    const open = (pin: string) => {
      const key = pbkdf2Sync(pin, salt, iterations, 32, "sha256");
      const decipher = createDecipheriv("chacha20-poly1305", key, record.subarray(24, 36), { authTagLength: 16 });
      decipher.setAAD(record.subarray(0, 24), { plaintextLength: 32 });
      decipher.setAuthTag(record.subarray(68, 84));
      return Buffer.concat([decipher.update(record.subarray(36, 68)), decipher.final()]);
    };
    expect(open("9081726354").length).toBe(32);
    expect(() => open("9081726355")).toThrow();
    // A record sealed by node:crypto under a known PIN unlocks the module (the other direction).
    const key = pbkdf2Sync("555555", salt, iterations, 32, "sha256");
    const nonce = Buffer.alloc(12, 7);
    const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
    cipher.setAAD(record.subarray(0, 24), { plaintextLength: 32 });
    const wrapped = Buffer.concat([cipher.update(Buffer.alloc(32, 1)), cipher.final()]);
    const forged = Buffer.concat([record.subarray(0, 24), nonce, wrapped, cipher.getAuthTag()]);
    new Uint8Array(t.x.memory.buffer, t.io, 84).set(forged);
    expect(t.call("settingBlobPut", BLOB_PIN, t.io, 84)).toBe(0);
    const locked = reboot(t);
    expect(locked.unlock("9081726354")).toBe(OUTCOME_WRONG);
    expect(locked.unlock("555555")).toBe(OUTCOME_UNLOCKED);
  });

  it("changes the PIN (new salt; the old PIN no longer unlocks) and removes it", () => {
    const t = fresh();
    expect(t.setPin("111111")).toBe(OUTCOME_SET);
    const firstSalt = pinRecord(t).subarray(8, 24);
    expect(t.setPin("22222222")).toBe(OUTCOME_SET);
    expect(pinRecord(t).subarray(8, 24).equals(firstSalt)).toBe(false);
    const locked = reboot(t);
    expect(locked.unlock("111111")).toBe(OUTCOME_WRONG);
    expect(locked.unlock("22222222")).toBe(OUTCOME_UNLOCKED);
    expect(locked.call("pinRemove")).toBe(0);
    expect(locked.state).toBe(STATE_NONE);
    expect(reboot(locked).state).toBe(STATE_NONE);
  });

  it("refuses set, change and remove while locked", () => {
    const t = fresh();
    expect(t.setPin("123456")).toBe(OUTCOME_SET);
    const locked = reboot(t);
    expect(locked.setBegin("654321")).toBe(ERR_STATE);
    expect(locked.call("pinRemove")).toBe(ERR_STATE);
    expect(locked.state).toBe(STATE_LOCKED);
  });
});

describe("PIN lock: wrong PINs", () => {
  it("counts each wrong PIN on flash, resets on the right one, and tells the tries left", () => {
    const t = fresh();
    expect(t.setPin("123456")).toBe(OUTCOME_SET);
    let locked = reboot(t);
    for (let i = 1; i <= 4; i++) {
      expect(locked.unlock("654321")).toBe(OUTCOME_WRONG);
      expect(locked.failures).toBe(i);
      expect(locked.call("pinTriesLeft")).toBe(10 - i);
      locked = reboot(locked); // the count is on flash, not in RAM
      expect(locked.failures).toBe(i);
    }
    expect(locked.unlock("123456")).toBe(OUTCOME_UNLOCKED);
    expect(locked.failures).toBe(0);
  });

  it("wipes every slot, setting and the PIN record at the 10th wrong PIN", () => {
    const t = fresh();
    expect(t.put(3, credential("alice@example.com", "secret-bytes-1"))).toBe(0);
    expect(t.call("settingPut", 1, 5)).toBe(0);
    expect(t.setPin("123456")).toBe(OUTCOME_SET);
    const locked = reboot(t);
    for (let i = 1; i <= 9; i++) expect(locked.unlock("000000")).toBe(OUTCOME_WRONG);
    expect(locked.call("slotsUsedCount")).toBe(1);
    expect(locked.unlock("000000")).toBe(OUTCOME_WIPED);
    expect(locked.state).toBe(STATE_NONE);
    expect(locked.call("slotsUsedCount")).toBe(0);
    expect(locked.call("settingGet", 1, -1)).toBe(-1);
    const after = reboot(locked);
    expect(after.state).toBe(STATE_NONE);
    expect(after.call("slotsUsedCount")).toBe(0);
  });

  it("the 10th try is a wipe even with the right PIN once 9 wrong ones are counted", () => {
    const t = fresh();
    expect(t.setPin("123456")).toBe(OUTCOME_SET);
    const locked = reboot(t);
    for (let i = 1; i <= 9; i++) expect(locked.unlock("000000")).toBe(OUTCOME_WRONG);
    expect(locked.unlock("123456")).toBe(OUTCOME_UNLOCKED); // the right PIN still opens at the 10th
    expect(locked.failures).toBe(0);
  });
});

describe("PIN lock: idle lock and power-off", () => {
  it("locks after the configured idle time, and activity postpones it", () => {
    const t = fresh();
    expect(t.call("pinConfigure", 60, 0)).toBe(0);
    expect(t.setPin("123456")).toBe(OUTCOME_SET);
    const tickAt = (ms: number) => { t.clock.advance(ms); t.call("pinTick", BigInt(t.clock.nowMs)); };
    tickAt(59_000);
    expect(t.state).toBe(STATE_UNLOCKED);
    t.call("pinActivity", BigInt(t.clock.nowMs));
    tickAt(59_000);
    expect(t.state).toBe(STATE_UNLOCKED);
    tickAt(1_000);
    expect(t.state).toBe(STATE_LOCKED);
    expect(t.unlock("123456")).toBe(OUTCOME_UNLOCKED);
  });

  it("with idle time 0 stays unlocked until power-off", () => {
    const t = fresh();
    expect(t.call("pinConfigure", 0, 1)).toBe(0);
    expect(t.setPin("123456")).toBe(OUTCOME_SET);
    t.clock.advance(10 * 3600_000);
    t.call("pinTick", BigInt(t.clock.nowMs));
    expect(t.state).toBe(STATE_UNLOCKED);
    expect(t.call("pinHideNames")).toBe(0); // names are hidden only while locked
    const after = reboot(t);
    expect(after.state).toBe(STATE_LOCKED);
    expect(after.call("pinHideNames")).toBe(1);
    expect(after.call("pinConfigure", -1, 0)).toBe(ERR_RANGE);
  });

  it("derives in slices: a tick never runs the whole derivation on a clock that moves", () => {
    const t = fresh();
    expect(t.setBegin("123456")).toBe(0);
    let ticks = 0;
    let lastProgress = 0;
    while (t.call("pinBusy") !== 0) {
      t.clock.advance(10);
      t.call("pinTick", BigInt(t.clock.nowMs));
      const progress = t.call("pinProgressPercent");
      if (t.call("pinBusy") !== 0) {
        expect(progress).toBeGreaterThanOrEqual(lastProgress);
        lastProgress = progress;
      }
      ticks++;
    }
    expect(ticks).toBeGreaterThan(1);
    expect(t.outcome).toBe(OUTCOME_SET);
  });
});
