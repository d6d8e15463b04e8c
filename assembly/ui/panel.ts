// The front panel: three buttons (UP, DOWN, OK) browse the used slots and type the current code;
// boards without a display have one button (a short press types the current slot, a long press goes
// to the next). Screens in order of precedence: a clock set waiting for its confirming press, a
// command waiting for a touch (the applets own the wait and take that press before the panel sees
// it; index.ts passes the reason in with uiTouchPrompt), locked (the PIN's hook), a short message
// (wait / no time / no keyboard), typing, the code. The display goes dark after the timeout setting; the first press
// then only wakes it.
import { OK as STATUS_OK } from "../status";
import { drop_compiled_code } from "../abi";
import {
  slotUsed, slotKind, slotDigits, slotPeriodSeconds, slotNameCopy, slotTotp, slotHotpNext, settingGet, settingPut,
  SLOT_COUNT, NAME_MAX_BYTES, KIND_TOTP, KIND_HOTP,
} from "../store";
import {
  SETTING_KEYBOARD_LAYOUT, SETTING_TYPING_MODE, SETTING_AFTER_CODE, SETTING_DISPLAY_TIMEOUT_SECONDS,
  SETTING_TYPING_PACE_MS, SETTING_SELECTED_SLOT,
} from "../store/settings-ids";
import { totpCounter } from "../otp";
import { clockInit, clockNow, clockPendingConfirm, clockPendingSeconds, clockConfirm, clockCancel } from "../clock";
import { fbInit, fbClear, fbFlush } from "./framebuffer";
import {
  drawHeader, drawTypingHeader, drawCode, drawCounterHint, drawNoTimeInline, drawCountdown, drawNoTime, drawNoCredentials, drawLocked,
  drawNoKeyboard, drawTouch, drawWait, drawConfirmClock, headerScrolls,
} from "./screens";
import {
  typingStart, typingTick, typingActive, typingLastResult, typingSetLeds, typingCancel,
  TYPING_ABANDONED, TYPING_MODE_KEYPAD, TYPING_MODE_TOP_ROW, AFTER_CODE_NONE, AFTER_CODE_TAB, DEFAULT_PACE_MS,
} from "./typing";
import { LAYOUT_US, layoutValid } from "./layouts";
import { pinInit, pinTick, pinState, pinActivity, pinBusy, PIN_STATE_LOCKED } from "../pin";
import {
  pinEntryActive, pinEntryStartUnlock, pinEntryStartSet, pinEntryCancel, pinEntryButton, pinEntryTick, pinEntryDraw,
} from "./pin-entry";

export const BUTTON_UP: u32 = 0;
export const BUTTON_DOWN: u32 = 1;
export const BUTTON_OK: u32 = 2;

const BOARD_DISPLAY_128X64: u32 = 1;
const BOARD_NO_DISPLAY: u32 = 2;

/** Single-button mode: a press held this long goes to the next slot. */
export const LONG_PRESS_MS: i64 = 800;
/** How long a message (wait, no time, no keyboard) stays before the code screen returns. */
export const MESSAGE_MS: i64 = 3000;
export const DEFAULT_DISPLAY_TIMEOUT_SECONDS: i32 = 30;
/** The display is redrawn at least this often (countdown bar, scrolling name). */
const REDRAW_MS: i64 = 50;
/** Holding UP this long on the code screen opens PIN entry to set or change the PIN. */
export const PIN_MENU_HOLD_MS: i64 = 2000;

const MESSAGE_NONE: u32 = 0;
const MESSAGE_NO_TIME: u32 = 1;
const MESSAGE_WAIT: u32 = 2;
const MESSAGE_NO_KEYBOARD: u32 = 3;

let hasDisplay: bool = true;
let touchReason: u32 = 0;       // non-zero while an applet waits for a press of OK
let currentSlot: i32 = -1;
let slotShownSinceMs: i64 = 0;
let lastActivityMs: i64 = 0;
let displayAwake: bool = true;
let locked: bool = false;
let message: u32 = MESSAGE_NONE;
let messageUntilMs: i64 = 0;
let lastRenderMs: i64 = -1000;
let renderWanted: bool = true;
let buttonDownAtMs: i64 = -1;   // single-button mode: when the button went down, -1 when up
let longPressDone: bool = false;
let typingSlot: i32 = -1;
let typedCode: i64 = -1;        // the code typed last from currentSlot (shown for HOTP), or -1
let typedCodeDigits: i32 = 6;
let waitStep: i64 = -1;         // the time step the "wait" message is about
let upDownAtMs: i64 = -1;       // when UP went down (PIN menu hold), -1 when up
let upHoldDone: bool = false;
let pinStateSeen: u32 = 0;
// The slot typed last, saved as SETTING_SELECTED_SLOT once the panel has been idle (-1: saved):
// a flash write in the press itself would put the store's write path into every press's code.
let slotToRemember: i32 = -1;
const REMEMBER_AFTER_IDLE_MS: i64 = 5000;

// Per slot: 1 + the TOTP time step last typed (0: none), so a second press in one step says "wait".
const typedStepPlusOne = memory.data(<i32>SLOT_COUNT * 8);
const nameBuffer = memory.data(<i32>NAME_MAX_BYTES);
let nameChars: i32 = 0;
let nameSlot: i32 = -1;

// Cached code of the current TOTP slot for its current step (one HMAC per step, not per frame).
let cachedSlot: i32 = -1;
let cachedStep: i64 = -1;
let cachedCode: i64 = -1;

/** The next used slot after `from` in `direction` (+1 or -1), wrapping; -1 when none is used. */
function nextUsedSlot(from: i32, direction: i32): i32 {
  let slot = from;
  for (let i: u32 = 0; i < SLOT_COUNT; i++) {
    slot += direction;
    if (slot >= <i32>SLOT_COUNT) slot = 0;
    if (slot < 0) slot = <i32>SLOT_COUNT - 1;
    if (slotUsed(<u32>slot)) return slot;
  }
  return -1;
}

function selectSlot(slot: i32, nowMs: i64): void {
  if (slot != currentSlot) {
    currentSlot = slot;
    typedCode = -1;
  }
  slotShownSinceMs = nowMs;
  renderWanted = true;
}

// The current slot's name as displayable ASCII: one '?' for each non-ASCII character.
function loadName(): void {
  nameSlot = currentSlot;
  nameChars = 0;
  const bytes = slotNameCopy(<u32>currentSlot, nameBuffer, NAME_MAX_BYTES);
  for (let i = 0; i < bytes; i++) {
    const byte = load<u8>(nameBuffer + <usize>i);
    if (byte >= 0x80 && byte < 0xc0) continue; // a UTF-8 continuation byte
    store<u8>(nameBuffer + <usize>nameChars, byte >= 0x20 && byte < 0x7f ? byte : 0x3f);
    nameChars++;
  }
}

export function uiInit(boardFlags: u32, nowMs: i64): void {
  hasDisplay = (boardFlags & BOARD_NO_DISPLAY) == 0;
  fbInit((boardFlags & BOARD_DISPLAY_128X64) != 0 ? 64 : 32);
  clockInit();
  memory.fill(typedStepPlusOne, 0, <usize>SLOT_COUNT * 8);
  const saved = settingGet(SETTING_SELECTED_SLOT, 0);
  currentSlot = -1;
  if (saved >= 0 && saved < <i32>SLOT_COUNT && slotUsed(<u32>saved)) selectSlot(saved, nowMs);
  else selectSlot(nextUsedSlot(<i32>SLOT_COUNT - 1, 1), nowMs);
  lastActivityMs = nowMs;
  displayAwake = true;
  pinInit(nowMs); // a set PIN starts locked: the key is never kept across power-off
  pinEntryCancel();
  pinStateSeen = pinState();
  locked = pinStateSeen == PIN_STATE_LOCKED;
  upDownAtMs = -1;
  message = MESSAGE_NONE;
  nameSlot = -1;
  cachedSlot = -1;
}

/** The PIN's hook: a locked panel shows "Locked", types nothing and ignores browsing. */
export function uiSetLocked(isLocked: bool): void {
  locked = isLocked;
  if (isLocked) typingCancel();
  renderWanted = true;
}

export function uiIsLocked(): bool {
  return locked;
}

/** From index.ts every tick: why an applet waits for a press of OK (0: it does not). */
export function uiTouchPrompt(reason: u32): void {
  if (reason != touchReason) renderWanted = true;
  touchReason = reason;
}

export function uiKeyboardLeds(bits: u32): void {
  typingSetLeds(bits);
}

/** The slot shown (for tests through the testkit), or -1. */
export function uiCurrentSlot(): i32 {
  return currentSlot;
}

function showMessage(kind: u32, nowMs: i64, durationMs: i64): void {
  message = kind;
  messageUntilMs = nowMs + durationMs;
  renderWanted = true;
}

// OK on the code screen: type the current slot's code, unless there is a reason not to.
function typeCurrent(nowMs: i64): void {
  if (currentSlot < 0 || typingActive()) return;
  const slot = <u32>currentSlot;
  const digits = slotDigits(slot);
  let code: i64 = -1;
  if (slotKind(slot) == KIND_TOTP) {
    const now = clockNow();
    if (now < 0) {
      showMessage(MESSAGE_NO_TIME, nowMs, MESSAGE_MS);
      return;
    }
    const step = totpCounter(now, slotPeriodSeconds(slot));
    if (step < 0) return;
    const stepAt = typedStepPlusOne + <usize>slot * 8;
    if (load<i64>(stepAt) == step + 1) {
      // Until the step ends (a press meanwhile still says "wait"); the code screen then shows the new code.
      const period = <i64>slotPeriodSeconds(slot);
      waitStep = step;
      showMessage(MESSAGE_WAIT, nowMs, (period - now % period) * 1000);
      return;
    }
    code = slotTotp(slot, now);
    if (code < 0) return;
    store<i64>(stepAt, step + 1);
  } else if (slotKind(slot) == KIND_HOTP) {
    code = slotHotpNext(slot);
    if (code < 0) return;
  } else {
    return;
  }
  // A setting out of range (the protocol accepts up to 255) falls back to the default.
  let mode = <u32>settingGet(SETTING_TYPING_MODE, <i32>TYPING_MODE_KEYPAD);
  if (mode > TYPING_MODE_TOP_ROW) mode = TYPING_MODE_KEYPAD;
  let layout = <u32>settingGet(SETTING_KEYBOARD_LAYOUT, <i32>LAYOUT_US);
  if (!layoutValid(layout)) layout = LAYOUT_US;
  let after = <u32>settingGet(SETTING_AFTER_CODE, <i32>AFTER_CODE_NONE);
  if (after > AFTER_CODE_TAB) after = AFTER_CODE_NONE;
  const status = typingStart(code, digits, mode, layout, after, settingGet(SETTING_TYPING_PACE_MS, DEFAULT_PACE_MS), nowMs);
  if (status != STATUS_OK) {
    store<i64>(typedStepPlusOne + <usize>slot * 8, 0);
    return;
  }
  typingSlot = currentSlot;
  typedCode = code;
  typedCodeDigits = <i32>digits;
  message = MESSAGE_NONE;
  // The first report goes out with the press, not a tick (up to 10 ms) later.
  typingTick(nowMs);
  if (!typingActive()) { // no keyboard: what uiTick does with an abandoned sequence
    store<i64>(typedStepPlusOne + <usize>slot * 8, 0);
    showMessage(MESSAGE_NO_KEYBOARD, nowMs, MESSAGE_MS);
  }
  slotToRemember = currentSlot;
  renderWanted = true;
}

// A press (or a short press in single-button mode) of OK, or of UP/DOWN as "no"/browse.
function act(buttonId: u32, nowMs: i64): void {
  if (clockPendingConfirm()) {
    if (buttonId == BUTTON_OK) clockConfirm();
    else clockCancel();
    cachedSlot = -1;
    renderWanted = true;
    return;
  }
  if (touchReason != 0) return; // the applet takes OK; browsing waits until it is answered
  if (locked) {
    // Any press on the locked screen asks for the PIN.
    if (hasDisplay && pinState() == PIN_STATE_LOCKED) pinEntryStartUnlock(nowMs);
    return;
  }
  if (typingActive()) return;
  if (buttonId == BUTTON_OK) {
    typeCurrent(nowMs);
  } else {
    message = MESSAGE_NONE;
    const next = nextUsedSlot(currentSlot < 0 ? 0 : currentSlot, buttonId == BUTTON_UP ? -1 : 1);
    selectSlot(next, nowMs);
  }
}

// The PIN layer locked or unlocked (a tick, or an APDU since the last tick): follow it.
function followPinState(): void {
  const pinNow = pinState();
  if (pinNow == pinStateSeen) return;
  pinStateSeen = pinNow;
  uiSetLocked(pinNow == PIN_STATE_LOCKED);
}

/** A debounced edge of button `id`; `down` true when pressed. */
export function uiButton(id: u32, down: bool, nowMs: i64): void {
  if (id > BUTTON_OK) return;
  followPinState(); // a "lock now" APDU before this press: the press asks for the PIN
  const wasAwake = displayAwake;
  lastActivityMs = nowMs;
  displayAwake = true;
  renderWanted = true;
  pinActivity(nowMs);
  if (id == BUTTON_UP) {
    upDownAtMs = down ? nowMs : -1;
    upHoldDone = false;
  }
  if (hasDisplay && pinEntryActive()) {
    if (wasAwake || !down) pinEntryButton(id, down, nowMs);
    return;
  }
  if (!hasDisplay) {
    // One button: act on release (short) or when held long enough (uiTick).
    if (down) {
      buttonDownAtMs = nowMs;
      longPressDone = false;
    } else if (buttonDownAtMs >= 0) {
      buttonDownAtMs = -1;
      if (!longPressDone) act(BUTTON_OK, nowMs);
    }
    return;
  }
  if (!down) return;
  if (!wasAwake) return; // the press that wakes the display does nothing else
  act(id, nowMs);
}

// Draws the screen for the current state into the framebuffer.
function render(nowMs: i64): void {
  if (!displayAwake) {
    fbClear();
    return;
  }
  const pendingClock = clockPendingSeconds();
  if (pendingClock >= 0) { drawConfirmClock(pendingClock); return; }
  if (touchReason != 0) { drawTouch(touchReason); return; }
  if (pinEntryActive()) { pinEntryDraw(nowMs); return; }
  if (locked) { drawLocked(); return; }
  if (currentSlot < 0) { drawNoCredentials(); return; }
  const now = clockNow();
  const slot = <u32>currentSlot;
  const period = <i64>slotPeriodSeconds(slot);
  if (message == MESSAGE_NO_TIME) { drawNoTime(); return; }
  if (message == MESSAGE_NO_KEYBOARD) { drawNoKeyboard(); return; }
  if (message == MESSAGE_WAIT && now >= 0 && period > 0 && now / period == waitStep) {
    drawWait(period - now % period);
    return;
  }
  fbClear();
  if (nameSlot != currentSlot) loadName();
  if (typingActive()) drawTypingHeader(currentSlot);
  else drawHeader(currentSlot, nameBuffer, nameChars, nowMs - slotShownSinceMs);
  const digits = <i32>slotDigits(slot);
  if (slotKind(slot) == KIND_HOTP) {
    if (typedCode >= 0) drawCode(typedCode, typedCodeDigits);
    else drawCounterHint();
    return;
  }
  if (now < 0) { drawNoTimeInline(); return; }
  const step = now / period;
  if (cachedSlot != currentSlot || cachedStep != step) {
    cachedCode = slotTotp(slot, now);
    cachedSlot = currentSlot;
    cachedStep = step;
  }
  if (cachedCode >= 0) drawCode(cachedCode, digits);
  drawCountdown(period - now % period, period);
}

// The screen's inputs at the last render that change without setting renderWanted. Between two
// renders with the same ones (and no scrolling name) the frame would come out the same: the code
// screen moves once a second (code, countdown), and a render costs ~1.8M cycles on the board.
let renderedSecond: i64 = -2;
let renderedSlot: i32 = -2;
let renderedPending: i64 = -2;
let renderedAwake: bool = false;

function frameMayDiffer(): bool {
  if (pinEntryActive() || nameSlot != currentSlot) return true; // PIN entry keeps its own timers
  if (currentSlot >= 0 && headerScrolls(nameChars)) return true;
  return clockNow() != renderedSecond || currentSlot != renderedSlot || clockPendingSeconds() != renderedPending ||
    displayAwake != renderedAwake;
}

function noteRendered(second: i64): void {
  renderedSecond = second;
  renderedSlot = currentSlot;
  renderedPending = clockPendingSeconds();
  renderedAwake = displayAwake;
}

// @cold: once per typed slot, seconds after the press.
function rememberSlot(): void {
  // Not for a slot deleted meanwhile (a wipe, a factory reset): the store holds nothing of it now.
  if (slotUsed(<u32>slotToRemember) && settingGet(SETTING_SELECTED_SLOT, -1) != slotToRemember) {
    settingPut(SETTING_SELECTED_SLOT, slotToRemember);
    drop_compiled_code(); // the store's write path is not everyday code
  }
  slotToRemember = -1;
}

/** Timers: typing pace, long press, messages, display timeout, redraws. */
export function uiTick(nowMs: i64): void {
  pinTick(nowMs); // a slice of key derivation, and the idle lock
  followPinState();
  if (pinEntryTick(nowMs)) renderWanted = true;
  if (hasDisplay && upDownAtMs >= 0 && !upHoldDone && nowMs - upDownAtMs >= PIN_MENU_HOLD_MS && !locked &&
      !pinEntryActive() && !typingActive()) {
    upHoldDone = true;
    pinEntryStartSet(nowMs);
    renderWanted = true;
  }
  const wasTyping = typingActive();
  typingTick(nowMs);
  if (wasTyping && !typingActive()) {
    if (typingLastResult() == TYPING_ABANDONED) {
      if (typingSlot >= 0) store<i64>(typedStepPlusOne + <usize>typingSlot * 8, 0); // not typed: may retry
      showMessage(MESSAGE_NO_KEYBOARD, nowMs, MESSAGE_MS);
    }
    renderWanted = true;
  }
  if (!hasDisplay && buttonDownAtMs >= 0 && !longPressDone && nowMs - buttonDownAtMs >= LONG_PRESS_MS) {
    longPressDone = true;
    if (clockPendingConfirm()) clockCancel();
    else if (!locked && !typingActive()) selectSlot(nextUsedSlot(currentSlot < 0 ? 0 : currentSlot, 1), nowMs);
  }
  if (message != MESSAGE_NONE && nowMs >= messageUntilMs) {
    message = MESSAGE_NONE;
    renderWanted = true;
  }
  if (slotToRemember >= 0 && !typingActive() && nowMs - lastActivityMs >= REMEMBER_AFTER_IDLE_MS) rememberSlot();
  if (currentSlot >= 0 && !slotUsed(<u32>currentSlot)) selectSlot(nextUsedSlot(currentSlot, 1), nowMs);
  else if (currentSlot < 0) {
    const first = nextUsedSlot(<i32>SLOT_COUNT - 1, 1);
    if (first >= 0) selectSlot(first, nowMs);
  }
  if (!hasDisplay) return;
  // Something that needs the user wakes the display; otherwise it sleeps after the timeout.
  const needsAttention = typingActive() || clockPendingConfirm() || touchReason != 0 || pinEntryActive();
  if (needsAttention) {
    if (!displayAwake) renderWanted = true;
    displayAwake = true;
    lastActivityMs = nowMs;
  }
  // No periodic frames during a PIN derivation (each costs it ~9 ms): PIN entry asks for its own.
  if (!renderWanted && (!displayAwake || pinBusy() || nowMs - lastRenderMs < REDRAW_MS)) return;
  // The timeout setting is read at the redraw pace, not every tick (a store lookup).
  const timeoutSeconds = settingGet(SETTING_DISPLAY_TIMEOUT_SECONDS, DEFAULT_DISPLAY_TIMEOUT_SECONDS);
  if (displayAwake && !needsAttention && timeoutSeconds > 0 && nowMs - lastActivityMs >= <i64>timeoutSeconds * 1000) {
    displayAwake = false;
  }
  lastRenderMs = nowMs;
  if (!renderWanted && !frameMayDiffer()) return;
  renderWanted = false;
  const second = clockNow(); // before render, which may take a while
  render(nowMs);
  noteRendered(second);
  fbFlush();
}
