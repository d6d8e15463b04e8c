// The module's imports (module "host"): each checks guest pointer + length against the memory size
// before touching guest memory, then calls the board. The checks and their order mirror
// host-sim/abi.ts so both hosts answer a faulty module the same way.
#include <string.h>

#include "board.h"
#include "host.h"

const char TK_TRAP_PANIC[] = "totpkey: module panic";
const char TK_TRAP_GUEST_MEMORY[] = "totpkey: out-of-range guest pointer";

#define HOST_OF(runtime) ((tk_host *)m3_GetUserData(runtime))

// Raw functions see their arguments as 64-bit stack slots; the i32 ones are read as 32 bits.
#define ARG_U32(index) (*(uint32_t *)(&_sp[(index)]))
#define ARG_I64(index) (*(int64_t *)(&_sp[(index)]))
#define RETURN_I32(value) do { *(int32_t *)(&_sp[0]) = (int32_t)(value); return m3Err_none; } while (0)
#define RETURN_I64(value) do { *(int64_t *)(&_sp[0]) = (int64_t)(value); return m3Err_none; } while (0)

// ptr .. ptr + length inside linear memory (64-bit sum: no wrap-around), else NULL.
static uint8_t *guest_bytes(IM3Runtime runtime, void *memory, uint32_t ptr, uint32_t length) {
  if ((uint64_t)ptr + (uint64_t)length > (uint64_t)m3_GetMemorySize(runtime)) return NULL;
  return (uint8_t *)memory + ptr;
}

static const void *stop_guest_memory(IM3Runtime runtime, const char *what) {
  tk_host *host = HOST_OF(runtime);
  host->state = TK_STOPPED_GUEST_MEMORY;
  host->stopDetail = what;
  return TK_TRAP_GUEST_MEMORY;
}

static int flash_in_range(uint32_t offset, uint32_t length) {
  return (uint64_t)offset + (uint64_t)length <= (uint64_t)board_flash_geometry_get().totalBytes;
}

// i32 flash_read(offset, dst, length): the flash range is checked first, as host-sim does.
static m3ApiRawFunction(import_flash_read) {
  (void)_ctx;
  uint32_t offset = ARG_U32(1), dst = ARG_U32(2), length = ARG_U32(3);
  if (!flash_in_range(offset, length)) RETURN_I32(-1);
  uint8_t *target = guest_bytes(runtime, _mem, dst, length);
  if (target == NULL) return stop_guest_memory(runtime, "flash_read");
  RETURN_I32(board_flash_read(offset, target, length));
}

// i32 flash_program(offset, src, length)
static m3ApiRawFunction(import_flash_program) {
  (void)_ctx;
  uint32_t offset = ARG_U32(1), src = ARG_U32(2), length = ARG_U32(3);
  const uint8_t *source = guest_bytes(runtime, _mem, src, length);
  if (source == NULL) return stop_guest_memory(runtime, "flash_program");
  RETURN_I32(board_flash_program(offset, source, length));
}

// i32 flash_erase(offset)
static m3ApiRawFunction(import_flash_erase) {
  (void)_ctx; (void)_mem; (void)runtime;
  RETURN_I32(board_flash_erase(ARG_U32(1)));
}

// i64 now_ms()
static m3ApiRawFunction(import_now_ms) {
  (void)_ctx; (void)_mem; (void)runtime;
  RETURN_I64(board_now_ms());
}

// i64 rtc_read()
static m3ApiRawFunction(import_rtc_read) {
  (void)_ctx; (void)_mem; (void)runtime;
  RETURN_I64(board_rtc_read());
}

// i32 rtc_write(seconds: i64)
static m3ApiRawFunction(import_rtc_write) {
  (void)_ctx; (void)_mem; (void)runtime;
  RETURN_I32(board_rtc_write(ARG_I64(1)));
}

// i32 random_fill(dst, length)
static m3ApiRawFunction(import_random_fill) {
  (void)_ctx;
  uint32_t dst = ARG_U32(1), length = ARG_U32(2);
  uint8_t *target = guest_bytes(runtime, _mem, dst, length);
  if (target == NULL) return stop_guest_memory(runtime, "random_fill");
  RETURN_I32(board_random_fill(target, length));
}

// i32 keyboard_report(src, length)
static m3ApiRawFunction(import_keyboard_report) {
  (void)_ctx;
  uint32_t src = ARG_U32(1), length = ARG_U32(2);
  const uint8_t *report = guest_bytes(runtime, _mem, src, length);
  if (report == NULL) return stop_guest_memory(runtime, "keyboard_report");
  RETURN_I32(board_keyboard_report(report, length));
}

// void display_frame(src, length, widthPx, heightPx): length must be widthPx * heightPx / 8.
static m3ApiRawFunction(import_display_frame) {
  (void)_ctx;
  uint32_t src = ARG_U32(0), length = ARG_U32(1), widthPx = ARG_U32(2), heightPx = ARG_U32(3);
  if ((uint64_t)widthPx * (uint64_t)heightPx != (uint64_t)length * 8) {
    return stop_guest_memory(runtime, "display_frame (length)");
  }
  const uint8_t *frame = guest_bytes(runtime, _mem, src, length);
  if (frame == NULL) return stop_guest_memory(runtime, "display_frame");
  board_display_frame(frame, length, widthPx, heightPx);
  return m3Err_none;
}

// void apdu_response(src, length)
static m3ApiRawFunction(import_apdu_response) {
  (void)_ctx;
  uint32_t src = ARG_U32(0), length = ARG_U32(1);
  const uint8_t *response = guest_bytes(runtime, _mem, src, length);
  if (response == NULL) return stop_guest_memory(runtime, "apdu_response");
  HOST_OF(runtime)->apduPending = 0;
  board_apdu_response(response, length);
  return m3Err_none;
}

// void log(level, src, length)
static m3ApiRawFunction(import_log) {
  (void)_ctx;
  uint32_t level = ARG_U32(0), src = ARG_U32(1), length = ARG_U32(2);
  const uint8_t *text = guest_bytes(runtime, _mem, src, length);
  if (text == NULL) return stop_guest_memory(runtime, "log");
  board_log(level, text, length);
  return m3Err_none;
}

// void panic(src, length, line): does not return to the module; the host stops calling it.
static m3ApiRawFunction(import_panic) {
  (void)_ctx;
  uint32_t src = ARG_U32(0), length = ARG_U32(1), line = ARG_U32(2);
  const uint8_t *message = guest_bytes(runtime, _mem, src, length);
  if (message == NULL) return stop_guest_memory(runtime, "panic");
  tk_host *host = HOST_OF(runtime);
  uint32_t kept = length < TK_PANIC_MESSAGE_BYTES ? length : TK_PANIC_MESSAGE_BYTES;
  memcpy(host->panicMessage, message, kept);
  host->panicMessageBytes = kept;
  host->panicLine = line;
  host->state = TK_STOPPED_PANIC;
  board_panic(host->panicMessage, kept, line);
  return TK_TRAP_PANIC;
}

// drop_compiled_code(): the hint is kept until the call returns; code can go only between calls
// (code_cache.c). Without a budget the host keeps all code, and the hint changes nothing.
static m3ApiRawFunction(import_drop_compiled_code) {
  (void)_ctx; (void)_mem; (void)_sp;
  HOST_OF(runtime)->codeDropWanted = 1;
  return m3Err_none;
}

// u32 host_info(dst, capacity): the module's SHA-256, then the board's name and version.
static m3ApiRawFunction(import_host_info) {
  (void)_ctx;
  uint32_t dst = ARG_U32(1), capacity = ARG_U32(2);
  tk_host *host = HOST_OF(runtime);
  const char *name = board_host_name();
  uint32_t nameBytes = (uint32_t)strlen(name);
  uint32_t infoBytes = SHA256_DIGEST_BYTES + nameBytes;
  uint32_t written = infoBytes < capacity ? infoBytes : capacity;
  uint8_t *target = guest_bytes(runtime, _mem, dst, written);
  if (target == NULL) return stop_guest_memory(runtime, "host_info");
  uint32_t digestPart = written < SHA256_DIGEST_BYTES ? written : SHA256_DIGEST_BYTES;
  memcpy(target, host->moduleSha256, digestPart);
  if (written > SHA256_DIGEST_BYTES) memcpy(target + SHA256_DIGEST_BYTES, name, written - SHA256_DIGEST_BYTES);
  RETURN_I32(written);
}

typedef struct {
  const char *name;
  const char *signature;  // wasm3 notation: result(arguments), i = i32, I = i64, v = none
  M3RawCall function;
} tk_import;

static const tk_import IMPORTS[] = {
  {"flash_read", "i(iii)", import_flash_read},
  {"flash_program", "i(iii)", import_flash_program},
  {"flash_erase", "i(i)", import_flash_erase},
  {"now_ms", "I()", import_now_ms},
  {"rtc_read", "I()", import_rtc_read},
  {"rtc_write", "i(I)", import_rtc_write},
  {"random_fill", "i(ii)", import_random_fill},
  {"keyboard_report", "i(ii)", import_keyboard_report},
  {"display_frame", "v(iiii)", import_display_frame},
  {"apdu_response", "v(ii)", import_apdu_response},
  {"log", "v(iii)", import_log},
  {"panic", "v(iii)", import_panic},
  {"host_info", "i(ii)", import_host_info},
  {"drop_compiled_code", "v()", import_drop_compiled_code},
};

M3Result tk_link_imports(IM3Module module, tk_host *host) {
  for (size_t i = 0; i < sizeof IMPORTS / sizeof IMPORTS[0]; i++) {
    M3Result result = m3_LinkRawFunctionEx(module, "host", IMPORTS[i].name, IMPORTS[i].signature,
                                           IMPORTS[i].function, host);
    // A module need not import everything; any other failure (a signature mismatch) is fatal.
    if (result != m3Err_none && result != m3Err_functionLookupFailed) return result;
  }
  return m3Err_none;
}
