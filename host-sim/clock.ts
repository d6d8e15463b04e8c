// The simulator's time: a boot-relative millisecond counter the tests move by hand, and a DS3231-like
// RTC that can be unset, set, and made to run fast or slow by a number of ppm.

export class SimClock {
  /** Milliseconds since boot. */
  nowMs = 0;
  /** How fast the RTC runs against true time, in parts per million (positive: fast). */
  rtcDriftPpm = 0;
  private rtcBaseSeconds: number | null = null;
  private rtcBaseMs = 0;
  /** Set by a test to make the RTC fail (rtc_write returns -1). */
  rtcBroken = false;

  /** A clock whose RTC already holds `unixSeconds` (or no valid time when null). */
  constructor(unixSeconds: number | null = null) {
    if (unixSeconds !== null) this.setRtc(unixSeconds);
  }

  advance(ms: number): void {
    if (!Number.isInteger(ms) || ms < 0) throw new RangeError("advance takes a whole, non-negative ms count");
    this.nowMs += ms;
  }

  /** Seconds since 1970 the RTC shows now, or -1 when it holds no valid time. */
  readRtc(): number {
    if (this.rtcBaseSeconds === null) return -1;
    const elapsedMs = this.nowMs - this.rtcBaseMs;
    const driftedMs = elapsedMs + Math.trunc((elapsedMs * this.rtcDriftPpm) / 1_000_000);
    return this.rtcBaseSeconds + Math.floor(driftedMs / 1000);
  }

  setRtc(unixSeconds: number): boolean {
    if (this.rtcBroken) return false;
    this.rtcBaseSeconds = unixSeconds;
    this.rtcBaseMs = this.nowMs;
    return true;
  }

  /** The RTC loses its time (battery removed, oscillator stopped). */
  clearRtc(): void {
    this.rtcBaseSeconds = null;
  }
}
