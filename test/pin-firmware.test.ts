// The PIN lock on the full firmware in the emulator (emulator/pin-unlock.ts, the bench's measurement):
// an unlock on the front panel and a set over CCID finish with 8 progress frames or fewer (one per
// 16-pixel step of the bar), and USB is served during the derivation: APDUs over CCID and HID answered, the keyboard's LED output
// report (a control transfer) taken within USB's 50 ms. How long an unlock takes is a speed target:
// `npm run bench -- pin` measures it (docs/benchmarks.md), not this test.
import { describe, expect, it, vi } from "vitest";
import { measurePinUnlock } from "../emulator/pin-unlock.js";

vi.setConfig({ testTimeout: 180_000 });

describe("PIN lock on the emulated board", () => {
  it("unlocks and sets with few frames and keeps serving USB while deriving", () => {
    const times = measurePinUnlock(6);
    expect(times.unlockMicros).toBeGreaterThan(0);
    expect(times.setMicros).toBeGreaterThan(0);
    expect(times.frames).toBeGreaterThan(0);
    expect(times.frames).toBeLessThanOrEqual(9); // 7 bar steps, the first frame and "Unlocked"
    expect(times.deriving.ccidApduMaxMicros).toBeLessThan(100_000);
    expect(times.deriving.hidApduMicros).toBeLessThan(50_000);
    expect(times.deriving.keyboardLedsMicros).toBeLessThan(50_000);
  });
});
