// PIN entry on the front panel (docs/SPEC.md "PIN lock"): UP/DOWN change the digit being chosen,
// a short OK accepts it, a long OK (held PIN_ENTRY_LONG_MS) ends the entry. The digit being chosen
// is shown; an accepted digit stays visible for DIGIT_VISIBLE_MS, then becomes '*'. While the key
// is derived a progress bar fills; then the result shows for RESULT_MS.
// Modes: unlock (a locked token), new + repeat (set or change the PIN, unlocked or no PIN).
import {
  pinUnlockBegin, pinSetBegin, pinBusy, pinOutcome, pinProgressPercent, pinTriesLeft,
  PIN_DIGITS_MIN, PIN_DIGITS_MAX, PIN_OUTCOME_UNLOCKED, PIN_OUTCOME_WRONG, PIN_OUTCOME_WIPED, PIN_OUTCOME_SET,
} from "../pin";
import { constantTimeEqual } from "../crypto/compare";
import { drop_compiled_code } from "../abi";
import { fbClear, fbDrawString, fbDrawBytes, fbFillRect, fbFrameRect, fbHeight, DISPLAY_WIDTH_PX } from "./framebuffer";
import { drawNumber } from "./screens";
import { GLYPH_ADVANCE_PX } from "./font";

export const PIN_ENTRY_LONG_MS: i64 = 800;
export const DIGIT_VISIBLE_MS: i64 = 1000;
export const RESULT_MS: i64 = 2000;
/** An entry left alone this long is abandoned (digits forgotten). */
export const ENTRY_IDLE_MS: i64 = 60000;
/** The progress bar grows in steps of this many pixels and the screen is redrawn only when it does:
 *  on the board every frame is a 1 KiB I2C transfer (about 23 ms at 400 kHz) the derivation waits for. */
export const PROGRESS_STEP_PX: i32 = 16;

const BUTTON_UP: u32 = 0;
const BUTTON_DOWN: u32 = 1;
const BUTTON_OK: u32 = 2;

const MODE_IDLE: u32 = 0;
const MODE_UNLOCK: u32 = 1;
const MODE_NEW: u32 = 2;
const MODE_REPEAT: u32 = 3;
const MODE_WORKING: u32 = 4;
const MODE_RESULT: u32 = 5;

const RESULT_UNLOCKED: u32 = 1;
const RESULT_WRONG: u32 = 2;
const RESULT_WIPED: u32 = 3;
const RESULT_SET: u32 = 4;
const RESULT_MISMATCH: u32 = 5;
const RESULT_SHORT: u32 = 6;
const RESULT_FAILED: u32 = 7;

const entered = memory.data(<i32>PIN_DIGITS_MAX);
const firstEntry = memory.data(<i32>PIN_DIGITS_MAX);
const shown = memory.data(<i32>PIN_DIGITS_MAX + 1);

let mode: u32 = MODE_IDLE;
let resumeMode: u32 = MODE_IDLE; // after a "too short" message
let count: u32 = 0;
let firstCount: u32 = 0;
let chosen: u32 = 0;
let okDownAtMs: i64 = -1;
let longDone: bool = false;
let acceptedAtMs: i64 = -1000000;
let lastInputMs: i64 = 0;
let result: u32 = 0;
let resultUntilMs: i64 = 0;
let progressDrawnPx: i32 = -1; // the bar's width in the last frame drawn while working

function forgetDigits(): void {
  memory.fill(entered, 0, PIN_DIGITS_MAX);
  memory.fill(firstEntry, 0, PIN_DIGITS_MAX);
  memory.fill(shown, 0, PIN_DIGITS_MAX + 1);
  count = 0;
  firstCount = 0;
  chosen = 0;
}

function begin(newMode: u32, nowMs: i64): void {
  forgetDigits();
  mode = newMode;
  okDownAtMs = -1;
  longDone = false;
  lastInputMs = nowMs;
}

export function pinEntryActive(): bool { return mode != MODE_IDLE; }
export function pinEntryStartUnlock(nowMs: i64): void { begin(MODE_UNLOCK, nowMs); }
export function pinEntryStartSet(nowMs: i64): void { begin(MODE_NEW, nowMs); }
export function pinEntryCancel(): void {
  forgetDigits();
  mode = MODE_IDLE;
}

function showResult(kind: u32, nowMs: i64): void {
  forgetDigits();
  result = kind;
  resultUntilMs = nowMs + RESULT_MS;
  mode = MODE_RESULT;
}

function startWorking(): void {
  mode = MODE_WORKING;
  progressDrawnPx = -1;
}

// The progress bar's inside width for the derivation's progress, in whole PROGRESS_STEP_PX steps.
function progressWidthPx(): i32 {
  const fullPx = DISPLAY_WIDTH_PX - 2;
  const px = fullPx * <i32>pinProgressPercent() / 100;
  return px / PROGRESS_STEP_PX * PROGRESS_STEP_PX;
}

// A long OK: the digits so far are the PIN (or, with none, the entry is cancelled).
function finishEntry(nowMs: i64): void {
  if (count == 0) {
    pinEntryCancel();
    return;
  }
  if (count < PIN_DIGITS_MIN) {
    resumeMode = mode;
    showResult(RESULT_SHORT, nowMs);
    return;
  }
  if (mode == MODE_UNLOCK) {
    const begun = pinUnlockBegin(entered, count);
    forgetDigits(); // the derivation holds what it needs
    if (begun < 0) showResult(RESULT_FAILED, nowMs);
    else startWorking();
  } else if (mode == MODE_NEW) {
    memory.copy(firstEntry, entered, count);
    firstCount = count;
    memory.fill(entered, 0, PIN_DIGITS_MAX);
    count = 0;
    chosen = 0;
    mode = MODE_REPEAT;
  } else if (mode == MODE_REPEAT) {
    const same = count == firstCount && constantTimeEqual(entered, firstEntry, PIN_DIGITS_MAX);
    if (!same) {
      showResult(RESULT_MISMATCH, nowMs);
      return;
    }
    const begun = pinSetBegin(entered, count);
    forgetDigits();
    if (begun < 0) showResult(RESULT_FAILED, nowMs);
    else startWorking();
  }
}

/** A button edge while an entry is active (the panel routes every edge here then). */
export function pinEntryButton(id: u32, down: bool, nowMs: i64): void {
  lastInputMs = nowMs;
  if (mode == MODE_WORKING) return;
  if (mode == MODE_RESULT) {
    if (down) resultUntilMs = nowMs; // any press dismisses the result
    return;
  }
  if (id == BUTTON_UP && down) chosen = (chosen + 1) % 10;
  else if (id == BUTTON_DOWN && down) chosen = (chosen + 9) % 10;
  else if (id == BUTTON_OK) {
    if (down) {
      okDownAtMs = nowMs;
      longDone = false;
    } else if (okDownAtMs >= 0) {
      okDownAtMs = -1;
      if (longDone) return;
      if (count < PIN_DIGITS_MAX) {
        store<u8>(entered + <usize>count, <u8>(0x30 + chosen));
        count++;
        acceptedAtMs = nowMs;
        chosen = 0;
      }
    }
  }
}

/** Timers: the long OK, the derivation's end, results, abandonment. True when the screen changed. */
export function pinEntryTick(nowMs: i64): bool {
  return mode != MODE_IDLE && entryTick(nowMs);
}

// @cold: every tick calls pinEntryTick, and wasm3 compiles a function whole on its first call.
function entryTick(nowMs: i64): bool {
  if (mode == MODE_WORKING) {
    if (pinBusy()) return progressWidthPx() != progressDrawnPx; // the bar grew a step
    const outcome = pinOutcome();
    if (outcome == PIN_OUTCOME_UNLOCKED) showResult(RESULT_UNLOCKED, nowMs);
    else if (outcome == PIN_OUTCOME_WRONG) showResult(RESULT_WRONG, nowMs);
    else if (outcome == PIN_OUTCOME_WIPED) showResult(RESULT_WIPED, nowMs);
    else if (outcome == PIN_OUTCOME_SET) showResult(RESULT_SET, nowMs);
    else showResult(RESULT_FAILED, nowMs);
    return true;
  }
  if (mode == MODE_RESULT) {
    if (nowMs < resultUntilMs) return false;
    if (result == RESULT_SHORT) {
      mode = resumeMode;
      lastInputMs = nowMs;
    } else {
      mode = MODE_IDLE;
      drop_compiled_code(); // PIN entry is over: its screens' code need not stay
    }
    return true;
  }
  if (okDownAtMs >= 0 && !longDone && nowMs - okDownAtMs >= PIN_ENTRY_LONG_MS) {
    longDone = true;
    finishEntry(nowMs);
    return true;
  }
  if (nowMs - lastInputMs >= ENTRY_IDLE_MS) {
    pinEntryCancel();
    return true;
  }
  return nowMs - acceptedAtMs < DIGIT_VISIBLE_MS + 100; // the last digit turns into '*'
}

function drawTitle(): void {
  if (mode == MODE_UNLOCK) fbDrawString("Enter PIN", 0, 0, 1);
  else if (mode == MODE_NEW) fbDrawString("New PIN (6-12)", 0, 0, 1);
  else if (mode == MODE_REPEAT) fbDrawString("Repeat new PIN", 0, 0, 1);
}

function drawResult(): void {
  const y = fbHeight() / 2 - 4;
  if (result == RESULT_UNLOCKED) fbDrawString("Unlocked", 0, y, 1);
  else if (result == RESULT_SET) fbDrawString("PIN set", 0, y, 1);
  else if (result == RESULT_WIPED) fbDrawString("10 wrong: wiped", 0, y, 1);
  else if (result == RESULT_MISMATCH) fbDrawString("PINs differ", 0, y, 1);
  else if (result == RESULT_SHORT) fbDrawString("6 to 12 digits", 0, y, 1);
  else if (result == RESULT_FAILED) fbDrawString("PIN failed", 0, y, 1);
  else if (result == RESULT_WRONG) {
    const x = fbDrawString("Wrong PIN, ", 0, y, 1);
    const after = drawNumber(<i64>pinTriesLeft(), 1, x, y, 1);
    fbDrawString(" left", after, y, 1);
  }
}

/** Draws the entry screen. */
export function pinEntryDraw(nowMs: i64): void {
  fbClear();
  if (mode == MODE_RESULT) {
    drawResult();
    return;
  }
  if (mode == MODE_WORKING) {
    fbDrawString("Checking PIN", 0, 0, 1);
    const y = fbHeight() - 10;
    fbFrameRect(0, y, DISPLAY_WIDTH_PX, 8);
    progressDrawnPx = progressWidthPx();
    fbFillRect(1, y + 1, progressDrawnPx, 6);
    return;
  }
  drawTitle();
  // Accepted digits as '*' (the newest visible for a moment), then the digit being chosen.
  for (let i: u32 = 0; i < count; i++) store<u8>(shown + <usize>i, 0x2a);
  if (count > 0 && nowMs - acceptedAtMs < DIGIT_VISIBLE_MS) store<u8>(shown + <usize>(count - 1), load<u8>(entered + <usize>(count - 1)));
  let length = <i32>count;
  if (count < PIN_DIGITS_MAX) {
    store<u8>(shown + <usize>count, <u8>(0x30 + chosen));
    length++;
  }
  const scale: i32 = length > 10 ? 1 : 2; // 13 characters at double size would not fit
  const y = fbHeight() > 32 ? 24 : 12;
  const x = fbDrawBytes(shown, length, 0, y, scale, 0, DISPLAY_WIDTH_PX);
  if (count < PIN_DIGITS_MAX) fbFillRect(x - GLYPH_ADVANCE_PX * scale, y + 8 * scale + 1, 5 * scale, 2); // the digit being chosen
  memory.fill(shown, 0, PIN_DIGITS_MAX + 1);
}
