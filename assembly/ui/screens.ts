// What each screen of the front panel draws, into the framebuffer. 128x32: a header line (slot
// number and name), the code at double size, a countdown bar; 128x64 has room for triple-size codes.
// Text is string literals (static data) or bytes in static buffers: nothing is allocated.
import {
  fbClear, fbHeight, fbDrawString, fbDrawStringCentered, fbDrawBytes, fbDrawChar, fbFillRect, fbFrameRect,
  textWidthPx, DISPLAY_WIDTH_PX,
} from "./framebuffer";
import { GLYPH_ADVANCE_PX } from "./font";

const NAME_FIELD_X: i32 = 18; // after "07 "
/** Pixels per step and pauses of a scrolling name: 20 px/s, a second still at each end. */
export const SCROLL_STEP_MS: i64 = 50;
export const SCROLL_PAUSE_MS: i64 = 1000;

const numberScratch = memory.data(20);

// Writes `value` (>= 0) as decimal with at least `minDigits` digits into numberScratch; returns the count.
function formatNumber(value: i64, minDigits: i32): i32 {
  let count = 0;
  let rest = value < 0 ? 0 : value;
  do {
    store<u8>(numberScratch + 19 - <usize>count, <u8>(0x30 + <i32>(rest % 10)));
    rest /= 10;
    count++;
  } while ((rest > 0 || count < minDigits) && count < 20);
  memory.copy(numberScratch, numberScratch + 20 - <usize>count, <usize>count);
  return count;
}

/** Draws a number; returns the x after it. */
export function drawNumber(value: i64, minDigits: i32, x: i32, y: i32, scale: i32): i32 {
  const count = formatNumber(value, minDigits);
  return fbDrawBytes(numberScratch, count, x, y, scale, 0, DISPLAY_WIDTH_PX);
}

/** Horizontal scroll of a text `textPx` wide in a field `fieldPx` wide, `elapsedMs` after it appeared. */
export function scrollOffsetPx(textPx: i32, fieldPx: i32, elapsedMs: i64): i32 {
  const overflow = textPx - fieldPx;
  if (overflow <= 0 || elapsedMs < 0) return 0;
  const cycle = SCROLL_PAUSE_MS * 2 + <i64>overflow * SCROLL_STEP_MS;
  const t = elapsedMs % cycle;
  if (t < SCROLL_PAUSE_MS) return 0;
  const moved = (t - SCROLL_PAUSE_MS) / SCROLL_STEP_MS;
  return moved > <i64>overflow ? overflow : <i32>moved;
}

/** Whether a name of `nameChars` characters scrolls in the header (it does not fit). */
export function headerScrolls(nameChars: i32): bool {
  return textWidthPx(nameChars, 1) > DISPLAY_WIDTH_PX - NAME_FIELD_X;
}

/** The header: slot number, then the name (ASCII bytes), scrolled when it does not fit. */
export function drawHeader(slot: i32, name: usize, nameChars: i32, elapsedMs: i64): void {
  drawNumber(<i64>slot, 2, 0, 0, 1);
  const fieldPx = DISPLAY_WIDTH_PX - NAME_FIELD_X;
  const offset = scrollOffsetPx(textWidthPx(nameChars, 1), fieldPx, elapsedMs);
  fbDrawBytes(name, nameChars, NAME_FIELD_X - offset, 0, 1, NAME_FIELD_X, DISPLAY_WIDTH_PX);
}

/** The header while a code is being typed. */
export function drawTypingHeader(slot: i32): void {
  const x = drawNumber(<i64>slot, 2, 0, 0, 1);
  fbDrawString("typing...", x + GLYPH_ADVANCE_PX, 0, 1);
}

// The code's scale and top row for this panel and digit count.
function codeScale(digits: i32): i32 {
  if (fbHeight() == 64 && textWidthPx(digits, 3) <= DISPLAY_WIDTH_PX) return 3;
  return 2;
}

/** The code, centred, with leading zeros. */
export function drawCode(code: i64, digits: i32): void {
  const scale = codeScale(digits);
  const y = fbHeight() == 64 ? (scale == 3 ? 18 : 22) : 11;
  const x = (DISPLAY_WIDTH_PX - textWidthPx(digits, scale)) / 2;
  drawNumber(code, digits, x, y, scale);
}

/** In place of the code of a counter (HOTP) slot, before a code was typed. */
export function drawCounterHint(): void {
  const y = fbHeight() == 64 ? 26 : 14;
  fbDrawStringCentered("HOTP: press OK", y, 1);
}

/** In place of the code of a TOTP slot while the token has no valid time. */
export function drawNoTimeInline(): void {
  const y = fbHeight() == 64 ? 26 : 14;
  fbDrawStringCentered("no time set", y, 1);
}

/** The countdown bar: its length is the part of the period still to run. */
export function drawCountdown(secondsLeft: i64, periodSeconds: i64): void {
  if (periodSeconds <= 0) return;
  const width = <i32>(secondsLeft * <i64>DISPLAY_WIDTH_PX / periodSeconds);
  if (fbHeight() == 64) {
    fbFrameRect(0, 54, DISPLAY_WIDTH_PX, 10);
    fbFillRect(2, 56, width * (DISPLAY_WIDTH_PX - 4) / DISPLAY_WIDTH_PX, 6);
  } else {
    fbFillRect(0, 29, width, 3);
  }
}

// A screen of up to three centred lines at scale 1, spread over the panel's height.
// @cold
function drawMessage(first: string, second: string, third: string): void {
  fbClear();
  const tall = fbHeight() == 64;
  const big = tall && textWidthPx(first.length, 2) <= DISPLAY_WIDTH_PX;
  fbDrawStringCentered(first, tall ? 8 : 0, big ? 2 : 1);
  fbDrawStringCentered(second, tall ? 32 : 12, 1);
  fbDrawStringCentered(third, tall ? 48 : 24, 1);
}

export function drawNoTime(): void {
  drawMessage("No time set", "set the clock over", "USB to get codes");
}

export function drawNoCredentials(): void {
  drawMessage("No credentials", "add one over USB", "");
}

export function drawLocked(): void {
  drawMessage("Locked", "enter the PIN", "to unlock");
}

export function drawNoKeyboard(): void {
  drawMessage("Not typed", "no USB keyboard", "connection");
}

/** A command waits for a press of OK: reason 1 a touch-required credential, 2 a factory reset,
 *  3 setting the PIN, 4 removing it (applets/pin-commands.ts). */
// @cold
export function drawTouch(reason: u32): void {
  if (reason == 2) drawMessage("Erase all?", "factory reset asked", "OK: erase, or wait");
  else if (reason == 3) drawMessage("Set PIN?", "a computer sets the", "PIN: OK to accept");
  else if (reason == 4) drawMessage("Remove PIN?", "a computer removes", "it: OK to accept");
  else drawMessage("Touch", "a computer asks for", "a code: press OK");
}

/** "Wait": this slot's code was typed in this time step; a server would refuse it again. */
// @cold
export function drawWait(secondsLeft: i64): void {
  fbClear();
  const tall = fbHeight() == 64;
  fbDrawStringCentered("Wait", tall ? 8 : 0, 2);
  const y = tall ? 40 : 20;
  // "next code in NNs", centred as a whole.
  const count = formatNumber(secondsLeft, 1);
  const width = textWidthPx(13 + count + 1, 1);
  let x = (DISPLAY_WIDTH_PX - width) / 2;
  x = fbDrawString("next code in ", x, y, 1);
  x = fbDrawBytes(numberScratch, count, x, y, 1, 0, DISPLAY_WIDTH_PX);
  fbDrawChar(0x73, x, y, 1, 0, DISPLAY_WIDTH_PX); // 's'
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian), integer only: year, month, day.
let civilYear: i64 = 1970;
let civilMonth: i64 = 1;
let civilDay: i64 = 1;
function civilFromDays(days: i64): void {
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const dayOfEra = z - era * 146097;
  const yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
  const dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const monthIndex = (5 * dayOfYear + 2) / 153;
  civilDay = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
  civilMonth = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  civilYear = yearOfEra + era * 400 + (civilMonth <= 2 ? 1 : 0);
}

/** "YYYY-MM-DD HH:MM" (UTC) at (x, y). */
export function drawDateTime(unixSeconds: i64, x: i32, y: i32): void {
  const days = unixSeconds / 86400;
  const secondsOfDay = unixSeconds % 86400;
  civilFromDays(days);
  x = drawNumber(civilYear, 4, x, y, 1);
  x = fbDrawString("-", x, y, 1);
  x = drawNumber(civilMonth, 2, x, y, 1);
  x = fbDrawString("-", x, y, 1);
  x = drawNumber(civilDay, 2, x, y, 1);
  x = fbDrawString(" ", x, y, 1);
  x = drawNumber(secondsOfDay / 3600, 2, x, y, 1);
  x = fbDrawString(":", x, y, 1);
  drawNumber(secondsOfDay % 3600 / 60, 2, x, y, 1);
}

/** A clock set that waits for a press: the new time (UTC) and what the buttons do. */
// @cold
export function drawConfirmClock(newSeconds: i64): void {
  fbClear();
  const tall = fbHeight() == 64;
  fbDrawStringCentered("Set clock (UTC)?", tall ? 4 : 0, 1);
  drawDateTime(newSeconds, (DISPLAY_WIDTH_PX - textWidthPx(16, 1)) / 2, tall ? 24 : 12);
  fbDrawStringCentered("OK: yes  UP/DOWN: no", tall ? 48 : 24, 1);
}
