// The token's time: corrected = RTC + offset of the last sync - drift since it (assembly/clock/
// calibration.ts), set over the protocol with clockSet(). A set that moves the time forward by more
// than an hour, or backwards by more than drift can explain, only takes effect after a confirming
// press of OK on the token (clockConfirm from the panel): a host that could move the clock freely
// could harvest future codes, or have codes typed again.
import { rtc_read, rtc_write, now_ms } from "../abi";
import { OK, ERR_RANGE, ERR_NO_TIME, ERR_STATE } from "../status";
import { settingBlobGet, settingBlobPut } from "../store";
import { BLOB_CLOCK_CALIBRATION } from "../store/settings-ids";
import {
  calibration, CALIBRATION_BYTES, calibrationReset, calibrationValidate, calibrationSync, correctedSeconds, forgetRtc,
  driftPpb, samplesUsed, syncValid, syncRtcSeconds, offsetSeconds,
} from "./calibration";

/** clockSet() result: the new time waits for a press of OK (clockPendingConfirm()). */
export const CLOCK_PENDING: i32 = 1;
/** The largest forward step taken without a confirming press. */
export const MAX_UNCONFIRMED_JUMP_SECONDS: i64 = 3600;
/** An unconfirmed jump is dropped after this long. */
export const CONFIRM_TIMEOUT_MS: i64 = 60_000;
/** A step backwards no larger than this rate could explain since the last sync (plus a second or two
 *  of resolution) is a drift correction, not a jump: calibration syncs of a fast RTC go backwards. */
export const PLAUSIBLE_DRIFT_PPM: i64 = 200;
export const RESOLUTION_SECONDS: i64 = 2;
/** Times up to this (the year 2242) are accepted; beyond is a host bug. */
export const MAX_UNIX_SECONDS: i64 = 1 << 33;

let pendingSeconds: i64 = -1;
let pendingSinceMs: i64 = 0;

/** Loads the calibration history (after the store is mounted). */
export function clockInit(): void {
  const bytes = settingBlobGet(BLOB_CLOCK_CALIBRATION, calibration, <u32>CALIBRATION_BYTES);
  if (bytes != CALIBRATION_BYTES) calibrationReset();
  else calibrationValidate();
  // An RTC that lost its time also lost the count the offset and the reference are measured on.
  if (rtc_read() < 0) forgetRtc();
  pendingSeconds = -1;
}

/** The corrected time in seconds since 1970 UTC, or ERR_NO_TIME. */
export function clockNow(): i64 {
  const rtcSeconds = rtc_read();
  if (rtcSeconds < 0) return <i64>ERR_NO_TIME;
  return correctedSeconds(rtcSeconds);
}

export function clockValid(): bool {
  return rtc_read() >= 0;
}

// Takes the time: the RTC is written only when it has no valid time; otherwise the sync moves the
// offset and measures the drift. The history is persisted.
function applyTime(trueSeconds: i64): i32 {
  let rtcSeconds = rtc_read();
  if (rtcSeconds < 0) {
    if (rtc_write(trueSeconds) != 0) return ERR_STATE;
    rtcSeconds = rtc_read();
    if (rtcSeconds < 0) return ERR_STATE;
    forgetRtc();
  }
  calibrationSync(rtcSeconds, trueSeconds);
  settingBlobPut(BLOB_CLOCK_CALIBRATION, calibration, <u32>CALIBRATION_BYTES);
  return OK;
}

// How far back a set may move the clock without a press: what drift could explain since the last sync.
function backwardToleranceSeconds(): i64 {
  if (!syncValid()) return RESOLUTION_SECONDS;
  const rtcSeconds = rtc_read();
  const elapsed = rtcSeconds - syncRtcSeconds();
  return RESOLUTION_SECONDS + (elapsed > 0 ? elapsed * PLAUSIBLE_DRIFT_PPM / 1_000_000 : 0);
}

/**
 * Sets the time (seconds since 1970 UTC). OK when applied; CLOCK_PENDING when it waits for a press
 * of OK on the token (a jump of more than an hour forward, or backwards by more than drift explains:
 * backwardToleranceSeconds); ERR_RANGE for an
 * impossible time; ERR_STATE when the RTC failed.
 */
export function clockSet(unixSeconds: i64): i32 {
  if (unixSeconds < 0 || unixSeconds > MAX_UNIX_SECONDS) return ERR_RANGE;
  const now = clockNow();
  if (now >= 0 && (now - unixSeconds > backwardToleranceSeconds() || unixSeconds - now > MAX_UNCONFIRMED_JUMP_SECONDS)) {
    pendingSeconds = unixSeconds;
    pendingSinceMs = now_ms();
    return CLOCK_PENDING;
  }
  pendingSeconds = -1;
  return applyTime(unixSeconds);
}

/** True while a clockSet() waits for its confirming press (and has not timed out). */
export function clockPendingConfirm(): bool {
  if (pendingSeconds < 0) return false;
  if (now_ms() - pendingSinceMs > CONFIRM_TIMEOUT_MS) pendingSeconds = -1;
  return pendingSeconds >= 0;
}

/** The time the pending set will apply if confirmed now, or -1. */
export function clockPendingSeconds(): i64 {
  if (!clockPendingConfirm()) return -1;
  return pendingSeconds + (now_ms() - pendingSinceMs) / 1000;
}

/** The press of OK: applies the pending time, counting the seconds it waited. */
// @cold
export function clockConfirm(): i32 {
  const seconds = clockPendingSeconds();
  if (seconds < 0) return ERR_STATE;
  pendingSeconds = -1;
  return applyTime(seconds);
}

export function clockCancel(): void {
  pendingSeconds = -1;
}

/** The current rate estimate (ppb, positive: the RTC runs fast) and how many syncs it rests on. */
export function clockDriftPpb(): i64 {
  return driftPpb();
}

export function clockCalibrationSamples(): i32 {
  return samplesUsed();
}

/** True minus raw RTC seconds at the last sync (for tests and diagnostics). */
export function clockOffsetSeconds(): i64 {
  return offsetSeconds();
}
