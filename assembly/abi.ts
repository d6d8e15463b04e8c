// The host ABI: every import the module uses, in one place. docs/SPEC.md ("Host ABI") is the
// normative description; boards/common (C) and host-sim/abi.ts (Node) implement it.
//
// Conventions:
// - Pointers are byte offsets into the module's linear memory; a host checks ptr + length against
//   the memory size before touching it and treats an out-of-range pointer as a module bug (panic).
// - Status returns: 0 = done, a positive value = "try again later", a negative value = failed.
// - Times are integers: milliseconds since boot (monotonic) and seconds since 1970-01-01 UTC.
// - Nothing passed out through any import ever contains secret bytes.

// ---- Flash (NOR semantics) ----------------------------------------------------------------------
// Offsets are absolute byte offsets in the flash chip. The module only touches the region given to
// init(). Erased bytes read 0xFF; program can only clear bits (1 -> 0); erase sets a whole sector
// to 0xFF. A power cut may interrupt a program (part of the page written) or an erase (the sector
// left partly erased): the store is built to detect both.

/** Copies `length` bytes at flash `offset` to `dst`. 0 on success, -1 out of range. */
@external("host", "flash_read")
export declare function flash_read(offset: u32, dst: usize, length: u32): i32;

/** Programs `length` bytes (1..pageBytes) from `src` at `offset`; the range must not cross a page
 *  boundary. 0 on success; -1 out of range or crossing a page; -2 an attempt to set a bit that is 0
 *  (the flash keeps old AND new, as real NOR does; the host counts it as a module bug). */
@external("host", "flash_program")
export declare function flash_program(offset: u32, src: usize, length: u32): i32;

/** Erases the sector starting at `offset` (sector-aligned) to 0xFF. 0 on success, -1 misaligned or
 *  out of range. */
@external("host", "flash_erase")
export declare function flash_erase(offset: u32): i32;

// ---- Time ---------------------------------------------------------------------------------------

/** Milliseconds since boot, monotonic, never wraps in practice (64-bit). */
@external("host", "now_ms")
export declare function now_ms(): i64;

/** The battery-backed RTC in seconds since 1970-01-01 UTC, or -1 when it holds no valid time (never
 *  set, or its oscillator stopped). The module applies its own drift correction on top. */
@external("host", "rtc_read")
export declare function rtc_read(): i64;

/** Sets the RTC to `seconds` since 1970-01-01 UTC. 0 on success, -1 when the RTC failed. */
@external("host", "rtc_write")
export declare function rtc_write(seconds: i64): i32;

// ---- Entropy ------------------------------------------------------------------------------------

/** Fills `length` bytes at `dst` with random bytes fit for keys and salts. 0 on success, -1 when
 *  no entropy is available (the module then refuses operations that need it). */
@external("host", "random_fill")
export declare function random_fill(dst: usize, length: u32): i32;

// ---- Outputs ------------------------------------------------------------------------------------

/** Sends one 8-byte HID boot keyboard report (modifiers, reserved, six key codes). 0 sent; 1 busy
 *  (the previous report is still queued: the module retries on a later tick); -1 no keyboard (USB
 *  not configured): the module abandons the typing. */
@external("host", "keyboard_report")
export declare function keyboard_report(src: usize, length: u32): i32;

/** Shows a 1-bit frame in SSD1306 page layout: `length` = width * height / 8 bytes, byte i covers
 *  column i % width of page i / width, bit 0 the top row of the page. Called only when the frame
 *  changed. */
@external("host", "display_frame")
export declare function display_frame(src: usize, length: u32, widthPx: u32, heightPx: u32): void;

/** The response to the last APDU given to apdu(): data followed by the two status bytes. Called
 *  exactly once per apdu() call, either during that call or later (during tick() or button()) when
 *  the command waits for a press on the token. */
@external("host", "apdu_response")
export declare function apdu_response(src: usize, length: u32): void;

// ---- Diagnostics --------------------------------------------------------------------------------

/** A UTF-8 diagnostic line; level 0 error, 1 warning, 2 info, 3 debug. Never holds secret bytes. */
@external("host", "log")
export declare function log(level: u32, src: usize, length: u32): void;

/** The module hit a bug (an abort): a UTF-8 message and the source line. The host stops calling the
 *  module (the board resets through its watchdog; the simulator reports it). Does not return. */
@external("host", "panic")
export declare function panic(src: usize, length: u32, line: u32): void;

/** Writes what the host is into `dst` (at most `capacity` bytes) and returns the byte count: the
 *  32-byte SHA-256 of the module binary the host loaded, then a UTF-8 name and version such as
 *  "host-sim 0.1.0" or "rp2040 0.1.0". */
@external("host", "host_info")
export declare function host_info(dst: usize, capacity: u32): u32;

/** A hint: the work that follows is of another kind than the work so far (a PIN derivation starts
 *  or ends, every slot is resealed). A host that keeps compiled code per function (wasm3 on the
 *  boards) may drop it when the current call returns; others ignore it. Changes nothing the module
 *  can observe. */
@external("host", "drop_compiled_code")
export declare function drop_compiled_code(): void;

// ---- Abort routing --------------------------------------------------------------------------------
// asconfig.json routes AssemblyScript's abort() here (`--use abort=assembly/abi/onAbort`), so a bug
// becomes a panic() call with a readable message instead of an anonymous trap.

const PANIC_MESSAGE_BYTES: i32 = 160;
const panicMessage = memory.data(PANIC_MESSAGE_BYTES);

// Copies a UTF-16 string as ASCII (anything else becomes '?'); returns the new write position.
function appendAscii(text: string | null, at: i32): i32 {
  if (text === null) return at;
  const units = text.length;
  for (let i = 0; i < units && at < PANIC_MESSAGE_BYTES; i++) {
    const unit = text.charCodeAt(i);
    store<u8>(panicMessage + at, unit >= 0x20 && unit < 0x7f ? <u8>unit : 0x3f);
    at++;
  }
  return at;
}

export function onAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let at = appendAscii(fileName, 0);
  at = appendAscii(": ", at);
  at = appendAscii(message, at);
  panic(panicMessage, <u32>at, line);
  unreachable();
}
