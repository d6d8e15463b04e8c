// The module's entry: every export of the host ABI (docs/SPEC.md, "Host ABI"). Hosts call only
// these; everything else in assembly/ is internal.
import { apdu_response, drop_compiled_code } from "./abi";
import { OK, ERR_RANGE } from "./status";
import {
  appletsApdu, appletsApduRoutine, appletsAnswerDue, appletsTick, appletsButton, appletsTouchPending, appletsSessionReset,
} from "./applets/index";
import { now_ms } from "./abi";
import { storeMount, storeMaintain } from "./store";
import { pinFinishPending } from "./pin";
import { typingActive } from "./ui/typing";
import { uiInit, uiTick, uiButton, uiKeyboardLeds, uiTouchPrompt } from "./ui/panel";

/** Board flags given to init(). */
const BOARD_DISPLAY_128X64: u32 = 1; // else 128x32
const BOARD_NO_DISPLAY: u32 = 2; // single-button mode, no screen

// An extended APDU with 1 KiB of data: the longest command a client sends (a PUT) is under 300 bytes,
// and each KiB here is a KiB of the board's RAM (wasm3 gets the module's statics only).
const APDU_CAPACITY_BYTES: u32 = 1024 + 16;
const apduBuffer = memory.data(<i32>APDU_CAPACITY_BYTES);
const responseBuffer = memory.data(16);

let storeRegionOffset: u32 = 0;
let storeRegionBytes: u32 = 0;
let flashSectorBytes: u32 = 0;
let flashPageBytes: u32 = 0;
let boardFlags: u32 = 0;
let keyboardLedBits: u32 = 0;

function isPowerOfTwo(value: u32): bool {
  return value != 0 && (value & (value - 1)) == 0;
}

/**
 * Called once after instantiation. The store lives in [regionOffset, regionOffset + regionBytes)
 * of a flash with the given sector (erase) and page (program) sizes. Returns 0, or ERR_RANGE for a
 * geometry the store cannot use.
 */
export function init(regionOffset: u32, regionBytes: u32, sectorBytes: u32, pageBytes: u32, flags: u32): i32 {
  if (!isPowerOfTwo(sectorBytes) || !isPowerOfTwo(pageBytes) || pageBytes > sectorBytes) return ERR_RANGE;
  if (regionOffset % sectorBytes != 0 || regionBytes % sectorBytes != 0) return ERR_RANGE;
  if (regionBytes / sectorBytes < 2) return ERR_RANGE;
  storeRegionOffset = regionOffset;
  storeRegionBytes = regionBytes;
  flashSectorBytes = sectorBytes;
  flashPageBytes = pageBytes;
  boardFlags = flags;
  const mounted = storeMount(regionOffset, regionBytes, sectorBytes, pageBytes);
  if (mounted < 0) return mounted;
  uiInit(flags, now_ms());
  return OK;
}

// Idle-time store compaction keeps HOTP presses from having to erase (see store/log.ts). It runs
// only after a quiet spell, and at most once a second, so it never delays a press or an APDU.
const MAINTENANCE_AFTER_IDLE_MS: i64 = 3000;
const MAINTENANCE_EVERY_MS: i64 = 1000;
let lastActivityMs: i64 = 0;
let lastMaintenanceMs: i64 = 0;

/** Called by the host at least every 10 ms: timers, typing pace, display refresh. */
export function tick(): void {
  const nowMs = now_ms();
  appletsTick(nowMs);
  uiTouchPrompt(appletsTouchPending());
  uiTick(nowMs);
  if (nowMs - lastActivityMs >= MAINTENANCE_AFTER_IDLE_MS && nowMs - lastMaintenanceMs >= MAINTENANCE_EVERY_MS &&
      !typingActive() && !appletsTouchPending()) {
    lastMaintenanceMs = nowMs;
    storeMaintain();
  }
}

// Heavy work waits for the next tick (a PIN derivation's finish, the answer to a command a press
// confirmed), which must start on an emptied code cache: whatever event comes before that tick
// leaves no compiled code behind (apdu_routine says 0, button asks for a drop).
function heavyTickDue(): bool {
  return pinFinishPending() || appletsAnswerDue();
}

/** A debounced button edge: id 0 UP, 1 DOWN, 2 OK; down 1 pressed, 0 released. */
export function button(id: u32, down: u32): void {
  const nowMs = now_ms();
  lastActivityMs = nowMs;
  if (!appletsButton(id, down)) uiButton(id, down != 0, nowMs); // else it answered a waiting command
  if (heavyTickDue()) drop_compiled_code();
}

/** The host's keyboard LED output report (bit 0 NumLock, 1 CapsLock, 2 ScrollLock). */
export function keyboard_leds(bits: u32): void {
  keyboardLedBits = bits;
  uiKeyboardLeds(bits);
}

/** Where the host writes an incoming APDU before calling apdu(). */
export function apdu_buffer(): usize {
  return apduBuffer;
}

/** How many bytes apdu_buffer() holds. */
export function apdu_capacity(): u32 {
  return APDU_CAPACITY_BYTES;
}

/**
 * A new smart-card session: the reader powered the card off or reset it, or a new client connected
 * (a socket connection, a HID session). The applets forget the selection and the proven access
 * password; a command waiting for a press is dropped and gets no apdu_response.
 */
export function session_reset(): void {
  appletsSessionReset();
}

/**
 * 1 when the APDU of `length` bytes in apdu_buffer() is a routine one (reading codes, listing,
 * selecting); 0 for provisioning (writes, PIN, settings, reset), for codes and name lists while a
 * PIN is set (the slots are sealed), and for any APDU while heavy work waits for the next tick (a
 * PIN derivation's finish, a confirmed command's answer; it then starts on a clean slate). Changes nothing. A host that keeps compiled code asks before
 * apdu(), and runs a command that is not routine on a clean slate.
 */
export function apdu_routine(length: u32): u32 {
  if (length > APDU_CAPACITY_BYTES) return 1; // refused by apdu() with 6700
  if (heavyTickDue()) return 0;
  return appletsApduRoutine(apduBuffer, length) ? 1 : 0;
}

/** Processes the APDU of `length` bytes in apdu_buffer(); the reply comes through apdu_response. */
export function apdu(length: u32): void {
  // A length beyond the buffer is a host bug; it still gets a defined answer.
  if (length > APDU_CAPACITY_BYTES) {
    memory.fill(apduBuffer, 0, <usize>APDU_CAPACITY_BYTES); // it may hold part of a secret
    store<u8>(responseBuffer, 0x67);
    store<u8>(responseBuffer + 1, 0x00);
    apdu_response(responseBuffer, 2);
    return;
  }
  lastActivityMs = now_ms();
  appletsApdu(apduBuffer, length);
}
