// Drift calibration of the RTC, integer math only. Each sync (clockSet) compares what the RTC counted
// since a reference sync with the true time that passed; the drift rate estimate is the sum of the
// measured drifts over the sum of the intervals of the last few samples, in parts per billion (ppb).
// The state lives in one static record, which is also the persisted blob (a store setting blob).

/** Samples kept: older ones fall out, so a board moved somewhere warmer re-learns within a few syncs. */
export const SAMPLE_COUNT: i32 = 4;
/** Intervals shorter than this are not measured on their own (the RTC's 1 s resolution over a day is
 *  ~12 ppm); the reference is kept so several short syncs add up to one long interval. */
export const MIN_SAMPLE_INTERVAL_SECONDS: i64 = 24 * 3600;
/** A measured rate beyond this is a bad sync (wrong host clock), not drift: it is not recorded. */
export const MAX_DRIFT_PPB: i64 = 500_000; // 500 ppm; crystals are within about 100 ppm
export const PPB: i64 = 1_000_000_000;

// Record layout (little endian), CALIBRATION_BYTES in all:
//   0 u8 version, 1 u8 samples used, 2 u8 reference valid, 3 u8 sync valid,
//   4 i64 reference RTC seconds, 12 i64 reference true seconds (the sync drift is measured from),
//   20 i32 drift estimate (ppb), 24 i64 offset: true minus RTC seconds at the last sync,
//   32 i64 the RTC reading at the last sync (drift is corrected from there),
//   40 SAMPLE_COUNT x (i32 drift seconds, u32 interval seconds), newest first.
// The RTC itself is written only when it holds no valid time: every write restarts its second
// (losing up to a second), so syncs move the offset and the RTC keeps counting undisturbed.
export const CALIBRATION_VERSION: u8 = 2;
export const CALIBRATION_BYTES: i32 = 40 + SAMPLE_COUNT * 8;
export const calibration = memory.data(CALIBRATION_BYTES);

export function calibrationReset(): void {
  memory.fill(calibration, 0, <usize>CALIBRATION_BYTES);
  store<u8>(calibration, CALIBRATION_VERSION);
}

/** Checks a record just loaded from the store; resets it when it is not one of ours. */
export function calibrationValidate(): void {
  const used = <i32>load<u8>(calibration + 1);
  const drift = <i64>load<i32>(calibration + 20);
  if (load<u8>(calibration) != CALIBRATION_VERSION || used > SAMPLE_COUNT || drift > MAX_DRIFT_PPB ||
      drift < -MAX_DRIFT_PPB) calibrationReset();
}

@inline export function referenceValid(): bool { return load<u8>(calibration + 2) != 0; }
@inline export function referenceRtcSeconds(): i64 { return load<i64>(calibration + 4); }
@inline export function referenceTrueSeconds(): i64 { return load<i64>(calibration + 12); }
/** The RTC's rate error: positive when it runs fast. */
@inline export function driftPpb(): i64 { return <i64>load<i32>(calibration + 20); }
@inline export function syncValid(): bool { return load<u8>(calibration + 3) != 0; }
@inline export function offsetSeconds(): i64 { return load<i64>(calibration + 24); }
@inline export function syncRtcSeconds(): i64 { return load<i64>(calibration + 32); }
@inline export function samplesUsed(): i32 { return <i32>load<u8>(calibration + 1); }

export function sampleDriftSeconds(index: i32): i64 { return <i64>load<i32>(calibration + 40 + <usize>index * 8); }
export function sampleIntervalSeconds(index: i32): i64 { return <i64>load<u32>(calibration + 44 + <usize>index * 8); }

function setReference(rtcSeconds: i64, trueSeconds: i64): void {
  store<u8>(calibration + 2, 1);
  store<i64>(calibration + 4, rtcSeconds);
  store<i64>(calibration + 12, trueSeconds);
}

/** The RTC lost its count (it read no valid time): references to it mean nothing any more. The
 *  drift estimate stays: it is a property of the crystal. */
export function forgetRtc(): void {
  store<u8>(calibration + 2, 0);
  store<u8>(calibration + 3, 0);
  store<i64>(calibration + 24, 0);
}

/** Floor division for a positive divisor (AssemblyScript's `/` truncates toward zero). */
@inline
export function floorDiv(value: i64, divisor: i64): i64 {
  const quotient = value / divisor;
  return quotient * divisor > value ? quotient - 1 : quotient;
}

/** The corrected time for a raw RTC reading: the offset of the last sync, minus the drift
 *  accumulated since it (true = rtc / (1 + rate)), rounded down. */
export function correctedSeconds(rtcSeconds: i64): i64 {
  if (!syncValid()) return rtcSeconds;
  const elapsed = rtcSeconds - syncRtcSeconds();
  let correction: i64 = 0;
  // |rate| <= 5e5 ppb and elapsed < 2^34 s: the product stays far inside i64.
  if (elapsed > 0) correction = -floorDiv(elapsed * driftPpb(), PPB + driftPpb());
  return rtcSeconds + offsetSeconds() + correction;
}

// Records a drift sample and re-estimates the rate from all samples kept.
function addSample(driftSeconds: i64, intervalSeconds: i64): void {
  for (let i = SAMPLE_COUNT - 1; i > 0; i--) {
    store<i32>(calibration + 40 + <usize>i * 8, load<i32>(calibration + 40 + <usize>(i - 1) * 8));
    store<u32>(calibration + 44 + <usize>i * 8, load<u32>(calibration + 44 + <usize>(i - 1) * 8));
  }
  store<i32>(calibration + 40, <i32>driftSeconds);
  store<u32>(calibration + 44, <u32>intervalSeconds);
  const used = samplesUsed() < SAMPLE_COUNT ? samplesUsed() + 1 : SAMPLE_COUNT;
  store<u8>(calibration + 1, <u8>used);
  let driftSum: i64 = 0;
  let intervalSum: i64 = 0;
  for (let i = 0; i < used; i++) {
    driftSum += sampleDriftSeconds(i);
    intervalSum += sampleIntervalSeconds(i);
  }
  let estimate = driftSum * PPB / intervalSum;
  if (estimate > MAX_DRIFT_PPB) estimate = MAX_DRIFT_PPB;
  if (estimate < -MAX_DRIFT_PPB) estimate = -MAX_DRIFT_PPB;
  store<i32>(calibration + 20, <i32>estimate);
}

/**
 * A sync: the raw RTC read `rtcSeconds` when the true time was `trueSeconds`. Measures the drift
 * since the reference when it is at least MIN_SAMPLE_INTERVAL_SECONDS old (then this sync becomes
 * the reference), and makes this sync the base of the offset and of the drift correction.
 * Returns true when a sample was recorded.
 */
export function calibrationSync(rtcSeconds: i64, trueSeconds: i64): bool {
  let recorded = false;
  if (!referenceValid()) {
    setReference(rtcSeconds, trueSeconds);
  } else {
    const rtcElapsed = rtcSeconds - referenceRtcSeconds();
    const trueElapsed = trueSeconds - referenceTrueSeconds();
    if (rtcElapsed < 0 || trueElapsed <= 0 || trueElapsed > 0xffffffff) {
      setReference(rtcSeconds, trueSeconds); // time went backwards on one side: start over
    } else if (trueElapsed >= MIN_SAMPLE_INTERVAL_SECONDS) {
      const drift = rtcElapsed - trueElapsed;
      const rate = drift * PPB / trueElapsed;
      // A rate beyond any crystal means a wrong host clock, not drift: not recorded.
      if (rate <= MAX_DRIFT_PPB && rate >= -MAX_DRIFT_PPB) {
        addSample(drift, trueElapsed);
        recorded = true;
      }
      setReference(rtcSeconds, trueSeconds);
    }
  }
  store<u8>(calibration + 3, 1);
  store<i64>(calibration + 24, trueSeconds - rtcSeconds);
  store<i64>(calibration + 32, rtcSeconds);
  return recorded;
}
