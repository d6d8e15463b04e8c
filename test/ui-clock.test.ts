// The token's clock (assembly/clock): drift measured between syncs and corrected, the calibration
// kept across power cycles in the store, jumps that wait for a confirming press. Driven through the
// test module with a simulated RTC that runs fast or slow by a set number of ppm.
import { describe, expect, it } from "vitest";
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { readModule } from "../host-sim/paths.js";
import { NorFlash } from "../host-sim/flash.js";
import { SimClock } from "../host-sim/clock.js";
import { frameToText, FrameLike } from "../host-sim/display.js";
import { DEFAULT_REGION_BYTES } from "../host-sim/token.js";
import { session, T0 } from "./ui-support.js";

const CLOCK_PENDING = 1;
const ERR_RANGE = -1;
const ERR_NO_TIME = -8;
const DAY_MS = 86_400_000;

interface ClockKit {
  memory: WebAssembly.Memory;
  storeMount(offset: number, bytes: number, sector: number, page: number): number;
  clockInit(): void;
  clockSet(seconds: bigint): number;
  clockNow(): bigint;
  clockPendingConfirm(): number;
  clockConfirm(): number;
  clockCancel(): void;
  clockDriftPpb(): bigint;
  clockCalibrationSamples(): number;
  uiInit(flags: number, nowMs: bigint): void;
  uiTick(nowMs: bigint): void;
  uiButton(id: number, down: number, nowMs: bigint): void;
}

/** One power-up of the clock on `flash` with `clock`; `frames` collects what the panel draws. */
function boot(flash: NorFlash, clock: SimClock, frames: FrameLike[] = []) {
  const devices = quietDevices(flash, clock);
  devices.displayFrame = (pixels, widthPx, heightPx) => frames.push({ pixels, widthPx, heightPx });
  const kit = instantiateWithHost<ClockKit>(readModule("testkit-ui"), devices).exports;
  const { totalBytes, sectorBytes, pageBytes } = flash.geometry;
  expect(kit.storeMount(totalBytes - DEFAULT_REGION_BYTES, DEFAULT_REGION_BYTES, sectorBytes, pageBytes)).toBe(0);
  kit.clockInit();
  return kit;
}

/** What a perfect clock says at the SimClock's current boot time, for an RTC started at `start`. */
function truth(clock: SimClock, start: number): number {
  return start + Math.floor(clock.nowMs / 1000);
}

describe("clock", () => {
  it("has no time until set; the first set applies at once", () => {
    const clock = new SimClock();
    const kit = boot(new NorFlash(), clock);
    expect(kit.clockNow()).toBe(BigInt(ERR_NO_TIME));
    expect(kit.clockSet(BigInt(T0))).toBe(0);
    expect(kit.clockNow()).toBe(BigInt(T0));
    expect(clock.readRtc()).toBe(T0);
    expect(kit.clockSet(-5n)).toBe(ERR_RANGE);
  });

  it("measures an RTC running 40 ppm fast and corrects it between syncs", () => {
    const flash = new NorFlash();
    const clock = new SimClock();
    clock.rtcDriftPpm = 40;
    const kit = boot(flash, clock);
    kit.clockSet(BigInt(T0));
    clock.advance(3 * DAY_MS);
    // Three days at +40 ppm: the raw RTC is about 10 s ahead; the sync measures that.
    expect(clock.readRtc() - truth(clock, T0)).toBeGreaterThanOrEqual(10);
    expect(kit.clockSet(BigInt(truth(clock, T0)))).toBe(0);
    expect(kit.clockCalibrationSamples()).toBe(1);
    expect(Number(kit.clockDriftPpb())).toBeGreaterThan(36_000);
    expect(Number(kit.clockDriftPpb())).toBeLessThan(44_000);
    // Three more days: raw drift again ~10 s, the corrected clock within a second of the truth.
    clock.advance(3 * DAY_MS);
    expect(clock.readRtc() - truth(clock, T0)).toBeGreaterThanOrEqual(10);
    expect(Math.abs(Number(kit.clockNow()) - truth(clock, T0))).toBeLessThanOrEqual(1);
  });

  it("measures a slow RTC too, and several short syncs add up to one measurement", () => {
    const clock = new SimClock();
    clock.rtcDriftPpm = -25;
    const kit = boot(new NorFlash(), clock);
    kit.clockSet(BigInt(T0));
    for (let hour = 0; hour < 48; hour += 2) {
      clock.advance(2 * 3600_000);
      kit.clockSet(BigInt(truth(clock, T0)));
    }
    expect(kit.clockCalibrationSamples()).toBeGreaterThanOrEqual(1);
    expect(Number(kit.clockDriftPpb())).toBeLessThan(-15_000);
    expect(Number(kit.clockDriftPpb())).toBeGreaterThan(-35_000);
  });

  it("keeps the calibration across a power cycle (store blob), not across a lost RTC reference", () => {
    const flash = new NorFlash();
    const clock = new SimClock();
    clock.rtcDriftPpm = 40;
    const first = boot(flash, clock);
    first.clockSet(BigInt(T0));
    clock.advance(3 * DAY_MS);
    first.clockSet(BigInt(truth(clock, T0)));
    const learned = first.clockDriftPpb();
    const second = boot(flash, clock);
    expect(second.clockDriftPpb()).toBe(learned);
    clock.advance(3 * DAY_MS);
    expect(Math.abs(Number(second.clockNow()) - truth(clock, T0))).toBeLessThanOrEqual(1);
  });

  it("ignores a sync that implies an impossible rate (a wrong host clock), without a jump", () => {
    const clock = new SimClock();
    const kit = boot(new NorFlash(), clock);
    kit.clockSet(BigInt(T0));
    clock.advance(DAY_MS);
    // 100 s off after a day is ~1157 ppm: not drift.
    expect(kit.clockSet(BigInt(truth(clock, T0) + 100))).toBe(0);
    expect(kit.clockCalibrationSamples()).toBe(0);
    expect(kit.clockDriftPpb()).toBe(0n);
  });

  it("a jump of more than an hour waits for OK; counts the seconds it waited", () => {
    const clock = new SimClock();
    const kit = boot(new NorFlash(), clock);
    kit.clockSet(BigInt(T0));
    expect(kit.clockSet(BigInt(T0 + 3600))).toBe(0); // exactly an hour: applied
    expect(kit.clockSet(BigInt(T0 + 3600 + 7201))).toBe(CLOCK_PENDING);
    expect(kit.clockPendingConfirm()).toBe(1);
    expect(kit.clockNow()).toBe(BigInt(T0 + 3600));
    clock.advance(5000);
    expect(kit.clockConfirm()).toBe(0);
    expect(kit.clockNow()).toBe(BigInt(T0 + 3600 + 7201 + 5));
    expect(kit.clockPendingConfirm()).toBe(0);
  });

  it("a jump backwards waits for OK unless drift explains it; cancel keeps the time; an unconfirmed jump expires", () => {
    const clock = new SimClock();
    const kit = boot(new NorFlash(), clock);
    kit.clockSet(BigInt(T0));
    // Two seconds back right after a sync: resolution, taken; three: a jump.
    expect(kit.clockSet(BigInt(T0 - 2))).toBe(0);
    kit.clockSet(BigInt(T0));
    expect(kit.clockSet(BigInt(T0 - 3))).toBe(CLOCK_PENDING);
    kit.clockCancel();
    // After a day 200 ppm is 17 s: 19 s back is a correction, 20 s a jump.
    clock.advance(DAY_MS);
    expect(kit.clockSet(BigInt(T0 + 86400 - 20))).toBe(CLOCK_PENDING);
    kit.clockCancel();
    expect(kit.clockSet(BigInt(T0 + 86400 - 19))).toBe(0);
    const now = T0 + 86400 - 19;
    expect(kit.clockNow()).toBe(BigInt(now));
    expect(kit.clockSet(BigInt(now - 600))).toBe(CLOCK_PENDING);
    kit.clockCancel();
    expect(kit.clockPendingConfirm()).toBe(0);
    expect(kit.clockNow()).toBe(BigInt(now));
    expect(kit.clockSet(BigInt(now - 600))).toBe(CLOCK_PENDING);
    clock.advance(61_000);
    expect(kit.clockPendingConfirm()).toBe(0);
    expect(kit.clockConfirm()).toBeLessThan(0);
    expect(kit.clockNow()).toBe(BigInt(now + 61));
  });

  it("the panel shows a pending jump with its date; OK applies it, DOWN refuses it", () => {
    const clock = new SimClock();
    const frames: FrameLike[] = [];
    const kit = boot(new NorFlash(), clock, frames);
    kit.uiInit(0, 0n);
    kit.clockSet(BigInt(T0));
    const target = Date.UTC(2027, 0, 15, 8, 30, 0) / 1000;
    expect(kit.clockSet(BigInt(target))).toBe(CLOCK_PENDING);
    kit.uiTick(10n);
    expect(frameToText(frames[frames.length - 1])).toEqual(["Set clock (UTC)?", "2027-01-15 08:30", "OK: yes  UP/DOWN: no"]);
    kit.uiButton(1, 1, 20n);
    kit.uiButton(1, 0, 80n);
    expect(kit.clockNow()).toBe(BigInt(T0));
    expect(kit.clockSet(BigInt(target))).toBe(CLOCK_PENDING);
    kit.uiButton(2, 1, 100n);
    expect(kit.clockNow()).toBe(BigInt(target));
  });

  it("the token itself types nothing and says 'No time set' without valid time", () => {
    const s = session({ unixSeconds: null });
    s.press("ok");
    expect(s.typed).toBe("");
    expect(s.token.keyboardReports.length).toBe(0);
    expect(s.displayText()[0]).toBe("No time set");
  });
});
