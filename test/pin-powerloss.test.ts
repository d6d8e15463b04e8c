// The wrong-PIN counter and the wipe under power cuts at every flash operation (both behaviours of
// the flash model: "atomic" and "torn"). Each run attacks a locked token with wrong PINs until the
// cut, reboots (a fresh module on the same flash) and goes on attacking until the wipe. Checked:
// no verdict (wrong, or wiped) is ever seen for an attempt the flash does not count; an attacker
// sees at most 10 verdicts in total; the wipe always completes and leaves no secret on flash.
import { describe, expect, it } from "vitest";
import { NorFlash, CutBehaviour } from "../host-sim/flash.js";
import { PICO_REGION, Region, KIND_TOTP, smallRegion } from "../host-sim/store-harness/index.js";
import {
  PinUnderTest, PowerCut, STATE_NONE, STATE_LOCKED, OUTCOME_UNLOCKED, OUTCOME_WRONG, OUTCOME_WIPED, OUTCOME_SET, countInFlash,
} from "./pin-kit.js";

const RIGHT = "24681357";
const WRONG = "13572468";
const MARKER_SECRET = new TextEncoder().encode("MARKER-SECRET-4f1d");
const TIMEOUT_MS = 240_000;

// A token with a PIN set and `wrongBefore` wrong PINs already counted.
function lockedToken(region: Region, wrongBefore: number): NorFlash {
  const t = new PinUnderTest(new NorFlash(region.geometry), region).boot();
  const name = new TextEncoder().encode("victim");
  expect(t.put(0, { name, kind: KIND_TOTP, algorithm: 1, digits: 6, periodSeconds: 30, counter: 0n, flags: 0, secret: MARKER_SECRET })).toBe(0);
  expect(t.setPin(RIGHT)).toBe(OUTCOME_SET);
  const locked = new PinUnderTest(t.flash, region).boot();
  for (let i = 0; i < wrongBefore; i++) expect(locked.unlock(WRONG)).toBe(OUTCOME_WRONG);
  return locked.flash;
}

interface Attack { verdicts: number; cut: boolean }

// Wrong PINs until a verdict says wiped, or the power cut; verdicts are what the attacker learned.
function attack(t: PinUnderTest): Attack {
  let verdicts = 0;
  let begun = false;
  try {
    for (let i = 0; i < 20 && t.state === STATE_LOCKED; i++) {
      begun = false;
      if (t.unlockBegin(WRONG) !== 0) break;
      begun = true;
      const outcome = t.finish();
      expect([OUTCOME_WRONG, OUTCOME_WIPED]).toContain(outcome);
      verdicts++;
      if (outcome === OUTCOME_WIPED) break;
    }
    return { verdicts, cut: false };
  } catch (error) {
    if (!(error instanceof PowerCut)) throw error;
    // A verdict the module had reached when the power went counts as learned (timing, power
    // draw or the display could show it).
    if (begun && [OUTCOME_WRONG, OUTCOME_WIPED].includes(t.outcome)) verdicts++;
    return { verdicts, cut: true };
  }
}

function sweepWrongPins(region: Region, wrongBefore: number, behaviour: CutBehaviour): number {
  const base = lockedToken(region, wrongBefore);
  let runs = 0;
  for (let cutAt = 0; ; cutAt++) {
    const flash = base.clone();
    const t = new PinUnderTest(flash, region).boot();
    flash.armPowerCut(cutAt, behaviour, cutAt + 1);
    const first = attack(t);
    flash.powerOn();
    const rebooted = new PinUnderTest(flash, region).boot();
    if (rebooted.state === STATE_LOCKED) {
      // Every verdict seen before the cut was counted on flash first.
      expect(rebooted.failures, `cut ${cutAt} ${behaviour}`).toBeGreaterThanOrEqual(wrongBefore + first.verdicts);
    }
    const second = attack(rebooted);
    expect(second.cut).toBe(false);
    expect(wrongBefore + first.verdicts + second.verdicts, `cut ${cutAt} ${behaviour}`).toBeLessThanOrEqual(10);
    expect(rebooted.state).toBe(STATE_NONE);
    expect(rebooted.call("slotsUsedCount")).toBe(0);
    expect(countInFlash(flash, MARKER_SECRET), `cut ${cutAt} ${behaviour}`).toBe(0);
    runs++;
    if (!first.cut) return runs;
  }
}

describe("PIN lock: power cuts never give a free guess", () => {
  for (const behaviour of ["atomic", "torn"] as CutBehaviour[]) {
    it(`wrong PINs to the wipe, a cut at every flash operation (${behaviour}, 64 KiB region)`, () => {
      expect(sweepWrongPins(PICO_REGION, 0, behaviour)).toBeGreaterThan(12);
    }, TIMEOUT_MS);

    it(`wrong PINs on a small region that compacts while counting (${behaviour})`, () => {
      expect(sweepWrongPins(smallRegion(3, 1024), 4, behaviour)).toBeGreaterThan(6);
    }, TIMEOUT_MS);

    it(`the right PIN after 3 wrong ones, a cut at every flash operation (${behaviour})`, () => {
      const base = lockedToken(PICO_REGION, 3);
      for (let cutAt = 0; ; cutAt++) {
        const flash = base.clone();
        const t = new PinUnderTest(flash, PICO_REGION).boot();
        flash.armPowerCut(cutAt, behaviour, cutAt + 7);
        let outcome = -1;
        let cut = false;
        try {
          expect(t.unlockBegin(RIGHT)).toBe(0);
          outcome = t.finish();
        } catch (error) {
          if (!(error instanceof PowerCut)) throw error;
          cut = true;
          outcome = t.outcome; // what the module had decided when the power went
        }
        flash.powerOn();
        const rebooted = new PinUnderTest(flash, PICO_REGION).boot();
        expect(rebooted.state).toBe(STATE_LOCKED);
        // Uncounted (3) only if no verdict existed; counted (4) or reset (0) otherwise.
        if (outcome === OUTCOME_UNLOCKED) expect([0, 4]).toContain(rebooted.failures);
        else expect([3, 4]).toContain(rebooted.failures);
        expect(rebooted.unlock(RIGHT)).toBe(OUTCOME_UNLOCKED);
        expect(rebooted.failures).toBe(0);
        if (!cut) break;
      }
    }, TIMEOUT_MS);
  }
});
