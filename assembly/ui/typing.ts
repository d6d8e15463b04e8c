// The HID report sequencer: turns a code into boot keyboard reports (a key-down report, then an
// all-keys-up report, per character), paced against now_ms, and drives the host's lock keys:
// keypad typing needs NumLock on, so it presses NumLock when the host's LED report says it is off,
// waits (bounded) for the host to confirm, types, and presses NumLock again to restore it. Top-row
// typing on AZERTY does the same with CapsLock off (see layouts.ts).
import { keyboard_report } from "../abi";
import { OK, ERR_RANGE, ERR_STATE } from "../status";
import {
  layoutValid, topRowUsage, topRowModifier, layoutCapsLockAffectsDigits, keypadUsage,
  USAGE_ENTER, USAGE_TAB, USAGE_NUM_LOCK, USAGE_CAPS_LOCK, LED_NUM_LOCK, LED_CAPS_LOCK, MODIFIER_NONE,
} from "./layouts";

export const TYPING_MODE_KEYPAD: u32 = 0;
export const TYPING_MODE_TOP_ROW: u32 = 1;

export const AFTER_CODE_NONE: u32 = 0;
export const AFTER_CODE_ENTER: u32 = 1;
export const AFTER_CODE_TAB: u32 = 2;

/** Default milliseconds between two reports (a boot keyboard's usual 10 ms polling interval). */
export const DEFAULT_PACE_MS: i32 = 10;
export const MAX_PACE_MS: i32 = 1000;
/** How long to wait for the host's LED report after toggling a lock key before going on anyway. */
export const LED_CONFIRM_TIMEOUT_MS: i64 = 500;

export const TYPING_IDLE: i32 = 0;
export const TYPING_DONE: i32 = 1;
export const TYPING_ABANDONED: i32 = -1;

const STEP_KEY: u8 = 1;      // a: modifier, b: usage
const STEP_WAIT_LED: u8 = 2; // a: LED mask, b: 1 wait for on, 0 for off
const MAX_STEPS: i32 = 20;   // lock on + 10 digits + Enter + lock off, with two waits
const REPORT_BYTES: u32 = 8;

const steps = memory.data(MAX_STEPS * 4);
const report = memory.data(<i32>REPORT_BYTES);

let stepCount: i32 = 0;
let stepIndex: i32 = 0;
let keyIsDown: bool = false;  // the down report of the current key went out, the up report not yet
let nextReportMs: i64 = 0;
let waitDeadlineMs: i64 = -1;
let paceMs: i64 = DEFAULT_PACE_MS;
let active: bool = false;
let lastResult: i32 = TYPING_IDLE;
let ledBits: u32 = 0;
let ledsKnown: bool = false;
let reportsSent: u32 = 0;

function addStep(kind: u8, a: u8, b: u8): void {
  const at = steps + <usize>(stepCount * 4);
  store<u8>(at, kind);
  store<u8>(at + 1, a);
  store<u8>(at + 2, b);
  stepCount++;
}

/** The host told us its LED state (keyboard_leds export). */
export function typingSetLeds(bits: u32): void {
  ledBits = bits & 7;
  ledsKnown = true;
}

export function typingLeds(): u32 {
  return ledBits;
}

export function typingActive(): bool {
  return active;
}

/** TYPING_DONE, TYPING_ABANDONED (no keyboard), or TYPING_IDLE before anything was typed. */
export function typingLastResult(): i32 {
  return lastResult;
}

/** Reports accepted by the host since boot (for tests and the bench). */
export function typingReportsSent(): u32 {
  return reportsSent;
}

/**
 * Queues `code` as `digitCount` digits (leading zeros kept) in `mode` for the host `layout`,
 * followed by Enter or Tab as `afterCode` says. ERR_STATE while a code is still being typed.
 */
export function typingStart(code: i64, digitCount: u32, mode: u32, layout: u32, afterCode: u32,
                            reportPaceMs: i32, nowMs: i64): i32 {
  if (active) return ERR_STATE;
  if (code < 0 || digitCount < 1 || digitCount > 10 || mode > TYPING_MODE_TOP_ROW || !layoutValid(layout) ||
      afterCode > AFTER_CODE_TAB) return ERR_RANGE;
  stepCount = 0;
  // The lock key this mode needs in a given state, if the host reported its LEDs.
  let lockUsage: u8 = 0;
  let lockMask: u32 = 0;
  let lockWantOn: bool = false;
  if (mode == TYPING_MODE_KEYPAD && ledsKnown && (ledBits & LED_NUM_LOCK) == 0) {
    lockUsage = USAGE_NUM_LOCK; lockMask = LED_NUM_LOCK; lockWantOn = true;
  } else if (mode == TYPING_MODE_TOP_ROW && ledsKnown && (ledBits & LED_CAPS_LOCK) != 0 &&
             layoutCapsLockAffectsDigits(layout)) {
    lockUsage = USAGE_CAPS_LOCK; lockMask = LED_CAPS_LOCK; lockWantOn = false;
  }
  if (lockUsage != 0) {
    addStep(STEP_KEY, MODIFIER_NONE, lockUsage);
    addStep(STEP_WAIT_LED, <u8>lockMask, lockWantOn ? 1 : 0);
  }
  // Digits, most significant first: divide down from 10^(digitCount-1).
  let divisor: i64 = 1;
  for (let i: u32 = 1; i < digitCount; i++) divisor *= 10;
  let rest = code;
  for (let i: u32 = 0; i < digitCount; i++) {
    const digit = <u32>((rest / divisor) % 10);
    rest %= divisor;
    divisor /= 10;
    if (mode == TYPING_MODE_KEYPAD) addStep(STEP_KEY, MODIFIER_NONE, keypadUsage(digit));
    else addStep(STEP_KEY, topRowModifier(layout, digit), topRowUsage(layout, digit));
  }
  if (afterCode == AFTER_CODE_ENTER) addStep(STEP_KEY, MODIFIER_NONE, USAGE_ENTER);
  else if (afterCode == AFTER_CODE_TAB) addStep(STEP_KEY, MODIFIER_NONE, USAGE_TAB);
  if (lockUsage != 0) {
    addStep(STEP_KEY, MODIFIER_NONE, lockUsage);
    addStep(STEP_WAIT_LED, <u8>lockMask, lockWantOn ? 0 : 1);
  }
  paceMs = reportPaceMs < 0 ? 0 : reportPaceMs > MAX_PACE_MS ? MAX_PACE_MS : reportPaceMs;
  stepIndex = 0;
  keyIsDown = false;
  nextReportMs = nowMs;
  waitDeadlineMs = -1;
  active = true;
  return OK;
}

function finish(result: i32): void {
  active = false;
  lastResult = result;
}

// Sends the report for the current key phase; returns the keyboard_report status.
function sendKeyReport(modifier: u8, usage: u8, down: bool): i32 {
  memory.fill(report, 0, REPORT_BYTES);
  if (down) {
    store<u8>(report, modifier);
    store<u8>(report + 2, usage);
  }
  const status = keyboard_report(report, REPORT_BYTES);
  if (status == 0) reportsSent++;
  return status;
}

/** Advances the sequence; called from every tick. At most one report per call. */
export function typingTick(nowMs: i64): void {
  while (active) {
    if (stepIndex >= stepCount) {
      finish(TYPING_DONE);
      return;
    }
    const at = steps + <usize>(stepIndex * 4);
    const kind = load<u8>(at);
    if (kind == STEP_WAIT_LED) {
      const mask = <u32>load<u8>(at + 1);
      const wantOn = load<u8>(at + 2) != 0;
      if (waitDeadlineMs < 0) waitDeadlineMs = nowMs + LED_CONFIRM_TIMEOUT_MS;
      const isOn = (ledBits & mask) != 0;
      if (isOn != wantOn && nowMs < waitDeadlineMs) return;
      waitDeadlineMs = -1;
      stepIndex++;
      continue; // the next key may go out in this same tick
    }
    if (nowMs < nextReportMs) return;
    const status = sendKeyReport(load<u8>(at + 1), load<u8>(at + 2), !keyIsDown);
    if (status > 0) return; // busy: the same report again on a later tick
    if (status < 0) {
      finish(TYPING_ABANDONED);
      return;
    }
    nextReportMs = nowMs + paceMs;
    if (keyIsDown) stepIndex++;
    keyIsDown = !keyIsDown;
    return;
  }
}

/** Stops typing at once (e.g. the panel was locked); a key already down is released first. */
export function typingCancel(): void {
  if (!active) return;
  if (keyIsDown) sendKeyReport(0, 0, false);
  finish(TYPING_ABANDONED);
}
