// The PIN lock on the full firmware in the emulator (emulator/pin-unlock.ts, the bench's measurement):
// an unlock on the front panel and a set over CCID each fit the 1.5 s budget of docs/SPEC.md "PIN
// lock" in emulated time, with 8 progress frames or fewer (one per 16-pixel step of the bar), and
// USB is served during the derivation: APDUs over CCID and HID answered, the keyboard's LED output
// report (a control transfer) taken within USB's 50 ms.
import { describe, expect, it, vi } from "vitest";
import { measurePinUnlock } from "../emulator/pin-unlock.js";

vi.setConfig({ testTimeout: 180_000 });

const BUDGET_MICROS = 1_500_000;

describe("PIN lock on the emulated board", () => {
  it("unlocks and sets within 1.5 s and keeps serving USB while deriving", () => {
    const times = measurePinUnlock(6);
    expect(times.unlockMicros).toBeLessThanOrEqual(BUDGET_MICROS);
    expect(times.setMicros).toBeLessThanOrEqual(BUDGET_MICROS);
    expect(times.frames).toBeGreaterThan(0);
    expect(times.frames).toBeLessThanOrEqual(9); // 7 bar steps, the first frame and "Unlocked"
    expect(times.deriving.ccidApduMaxMicros).toBeLessThan(100_000);
    expect(times.deriving.hidApduMicros).toBeLessThan(50_000);
    expect(times.deriving.keyboardLedsMicros).toBeLessThan(50_000);
  });
});
