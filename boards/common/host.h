// The portable host: embeds wasm3, loads the token module once, links every import of the host ABI
// (docs/SPEC.md, "Host ABI") and calls the module's exports. A board provides board.h and drives
// these calls from its event loop (see loop.h).
#ifndef TOTPKEY_HOST_H
#define TOTPKEY_HOST_H

#include <stdint.h>

#include "wasm3.h"
#include "sha256.h"

/** How a call into the module ended. */
#define TK_OK 0
/** The module is stopped (panic, out-of-range pointer, trap): no further call reaches it. */
#define TK_STOPPED (-1)
/** The host refused the request itself (an APDU longer than the module's buffer). */
#define TK_REFUSED (-2)

typedef enum {
  TK_RUNNING = 0,
  TK_STOPPED_PANIC,         // the module called panic()
  TK_STOPPED_GUEST_MEMORY,  // the module passed a pointer/length outside its memory
  TK_STOPPED_TRAP,          // wasm3 trapped (unreachable, bounds, stack overflow...)
} tk_run_state;

/** A panic message is kept (and reported) up to this many bytes. */
#define TK_PANIC_MESSAGE_BYTES 256

typedef struct {
  IM3Environment environment;
  IM3Runtime runtime;
  IM3Function init, tick, button, keyboardLeds, apduBuffer, apduCapacity, apduRoutine, apdu, sessionReset;
  uint8_t moduleSha256[SHA256_DIGEST_BYTES];
  tk_run_state state;
  /** TK_STOPPED_GUEST_MEMORY: the import (or export) that carried the bad pointer, e.g. "log" or
   *  "display_frame (length)". TK_STOPPED_TRAP: wasm3's message. */
  const char *stopDetail;
  uint8_t panicMessage[TK_PANIC_MESSAGE_BYTES];
  uint32_t panicMessageBytes;
  uint32_t panicLine;
  /** An apdu() call whose reply has not come yet (the module waits for a press). */
  int apduPending;
  /** The compiled-code cache (code_cache.c): 0 keeps all code for good (no drops). Otherwise all
   *  compiled code is dropped after init() and after any event that leaves more than this many
   *  bytes of code pages; functions compile again on their next call. Set after loading. */
  uint32_t codeBudgetBytes;
  /** Drop all code at the end of this event, whatever the budget: the module called
   *  drop_compiled_code(), or the event was a provisioning APDU. */
  int codeDropWanted;
  /** How many times the code was dropped, and the most code pages seen at the end of an event. */
  uint32_t codeDrops;
  uint32_t codePeakBytes;
  // apdu_buffer() and apdu_capacity(), asked once: the USB stack writes a command a packet at a
  // time, and the two answers are fixed for the module's life (docs/SPEC.md).
  uint32_t apduBufferAt, apduCapacityBytes;
  int apduRegionKnown;
} tk_host;

/**
 * Parses and links the module, compiles every function (with TK_COMPILE_AT_BOOT, the default: a
 * feature wasm3 lacks then fails here, at boot) and runs its start function. `wasm` must stay valid while the host lives (wasm3 keeps
 * pointers into it). `wasmStackBytes` is the interpreter's value stack. Returns NULL, or a message
 * saying why the module cannot run (the host is then unloaded).
 */
const char *tk_host_load(tk_host *host, const uint8_t *wasm, uint32_t wasmBytes, uint32_t wasmStackBytes);
/** The same with the module's SHA-256 computed beforehand (the RP2040 build embeds it: hashing
 * 37 KB at boot cost the board 15 ms), and with `memoryLimitBytes` (0: none) of linear memory
 * allocated instead of the module's whole declared memory: the module must touch nothing above it
 * (the RP2040 build passes the end of its statics); an access there traps. */
const char *tk_host_load_digested(tk_host *host, const uint8_t *wasm, uint32_t wasmBytes, uint32_t wasmStackBytes,
                                  const uint8_t moduleSha256[SHA256_DIGEST_BYTES], uint32_t memoryLimitBytes);
void tk_host_unload(tk_host *host);
/** The base of wasm3's value stack (its slots grow upward), for high-water marks. */
const uint8_t *tk_host_value_stack(const tk_host *host);

int tk_host_init(tk_host *host, uint32_t regionOffset, uint32_t regionBytes, uint32_t sectorBytes,
                 uint32_t pageBytes, uint32_t boardFlags, int32_t *status);
int tk_host_tick(tk_host *host);
int tk_host_button(tk_host *host, uint32_t buttonId, uint32_t down);
int tk_host_keyboard_leds(tk_host *host, uint32_t bits);
/** Copies the APDU into the module's buffer and calls apdu(). TK_REFUSED when it does not fit. */
int tk_host_apdu(tk_host *host, const uint8_t *command, uint32_t length);
/** For a board that assembles a command in place (the RP2040's USB classes, with no buffer of
 *  their own): writes `length` bytes at `offset` of the module's APDU buffer, zeros when `bytes` is
 *  NULL (to wipe an abandoned command). TK_REFUSED past apdu_capacity(). Between two calls only. */
int tk_host_apdu_write(tk_host *host, uint32_t offset, const uint8_t *bytes, uint32_t length);
/** apdu(length) on a command already in the module's buffer (tk_host_apdu_write). */
int tk_host_apdu_written(tk_host *host, uint32_t length);
/** A new smart-card session (card power on/off or reset, a new client): session_reset(). A reply
 *  the module still owed is dropped, so nothing waits for it any more. */
int tk_host_session_reset(tk_host *host);

/** Bytes of wasm3 code pages (headers included) the runtime holds now. */
uint32_t tk_host_code_bytes(const tk_host *host);
/** Drops every function's compiled code and frees the code pages; only between two calls into the
 *  module (no wasm frame live). Returns wasm3's error when the import stubs cannot be made again. */
M3Result tk_host_drop_code(tk_host *host);
/** Compiles `function` if its code was dropped (or never made). */
M3Result tk_host_compiled(IM3Function function);
/** The cache policy, at the end of an event (see codeBudgetBytes); a failed drop stops the module. */
void tk_host_trim_code(tk_host *host, int afterInit);

/** Links the ABI's imports into a parsed module (host/imports.c). */
M3Result tk_link_imports(IM3Module module, tk_host *host);

/** M3Result values the imports trap with, so the host can tell its own stops from wasm3's traps. */
extern const char TK_TRAP_PANIC[];
extern const char TK_TRAP_GUEST_MEMORY[];

#endif
