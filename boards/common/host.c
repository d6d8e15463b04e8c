// Loading the module into wasm3 and calling its exports (docs/SPEC.md, "Host ABI"). Every call
// ends in TK_OK or TK_STOPPED; once stopped, the module is never entered again (the board resets,
// the native host reports and waits for the next boot).
#include <stdarg.h>
#include <string.h>

#include "host.h"
#include "wasm3_config.h"
#include "m3_env.h"  // M3Runtime.memoryLimit

typedef struct {
  const char *name;
  IM3Function *slot;
  uint32_t argCount;
  M3ValueType argType;  // every argument of every export is i32
  uint32_t retCount;    // 0 or 1 (an i32)
} tk_export;

static void free_runtime(tk_host *host) {
  if (host->runtime) m3_FreeRuntime(host->runtime);
  if (host->environment) m3_FreeEnvironment(host->environment);
  host->runtime = NULL;
  host->environment = NULL;
}

void tk_host_unload(tk_host *host) {
  free_runtime(host);
  memset(host, 0, sizeof *host);
}

const uint8_t *tk_host_value_stack(const tk_host *host) {
  return host->runtime ? (const uint8_t *)host->runtime->stack : NULL;
}

static const char *find_exports(tk_host *host) {
  const tk_export exports[] = {
    {"init", &host->init, 5, c_m3Type_i32, 1},
    {"tick", &host->tick, 0, c_m3Type_i32, 0},
    {"button", &host->button, 2, c_m3Type_i32, 0},
    {"keyboard_leds", &host->keyboardLeds, 1, c_m3Type_i32, 0},
    {"apdu_buffer", &host->apduBuffer, 0, c_m3Type_i32, 1},
    {"apdu_capacity", &host->apduCapacity, 0, c_m3Type_i32, 1},
    {"apdu_routine", &host->apduRoutine, 1, c_m3Type_i32, 1},
    {"apdu", &host->apdu, 1, c_m3Type_i32, 0},
    {"session_reset", &host->sessionReset, 0, c_m3Type_i32, 0},
  };
  for (size_t i = 0; i < sizeof exports / sizeof exports[0]; i++) {
    const tk_export *wanted = &exports[i];
    if (m3_FindFunction(wanted->slot, host->runtime, wanted->name) != m3Err_none) return "module lacks an ABI export";
    IM3Function function = *wanted->slot;
    if (m3_GetArgCount(function) != wanted->argCount || m3_GetRetCount(function) != wanted->retCount) {
      return "an ABI export has the wrong signature";
    }
    for (uint32_t a = 0; a < wanted->argCount; a++) {
      if (m3_GetArgType(function, a) != wanted->argType) return "an ABI export has the wrong signature";
    }
    if (wanted->retCount == 1 && m3_GetRetType(function, 0) != c_m3Type_i32) return "an ABI export has the wrong signature";
  }
  return NULL;
}

// wasm3 grows a module's function and global arrays one entry at a time, and a board's realloc may
// leave headroom for the next entries (boards/rp2040/syscalls.c): once the module is parsed, and
// before anything points into them (loading fills the call table with function pointers), each
// array moves to a block of its exact size, and the headroom goes back to the heap.
static M3Result fit_array(void **array, size_t bytes) {
  if (*array == NULL || bytes == 0) return m3Err_none;
  void *exact = m3_CopyMem(*array, bytes);
  if (exact == NULL) return m3Err_mallocFailed;
  m3_Free(*array);
  *array = exact;
  return m3Err_none;
}

static M3Result fit_module_arrays(IM3Module module) {
  M3Result result = fit_array((void **)&module->functions, module->numFunctions * sizeof(M3Function));
  if (result == m3Err_none) result = fit_array((void **)&module->globals, module->numGlobals * sizeof(M3Global));
  return result;
}

const char *tk_host_load(tk_host *host, const uint8_t *wasm, uint32_t wasmBytes, uint32_t wasmStackBytes) {
  uint8_t digest[SHA256_DIGEST_BYTES];
  sha256_digest(wasm, wasmBytes, digest);
  return tk_host_load_digested(host, wasm, wasmBytes, wasmStackBytes, digest, 0);
}

const char *tk_host_load_digested(tk_host *host, const uint8_t *wasm, uint32_t wasmBytes, uint32_t wasmStackBytes,
                                  const uint8_t moduleSha256[SHA256_DIGEST_BYTES], uint32_t memoryLimitBytes) {
  memset(host, 0, sizeof *host);
  memcpy(host->moduleSha256, moduleSha256, SHA256_DIGEST_BYTES);
  host->environment = m3_NewEnvironment();
  if (host->environment == NULL) return "out of memory (wasm3 environment)";
  host->runtime = m3_NewRuntime(host->environment, wasmStackBytes, host);
  if (host->runtime == NULL) {
    free_runtime(host);
    return "out of memory (wasm3 runtime)";
  }
  host->runtime->memoryLimit = memoryLimitBytes;  // wasm3 0.5.0 allocates at most this much at load
  IM3Module module = NULL;
  M3Result result = m3_ParseModule(host->environment, &module, wasm, wasmBytes);
  if (result == m3Err_none) {
    result = fit_module_arrays(module);
    if (result != m3Err_none) m3_FreeModule(module);
  }
  if (result == m3Err_none) {
    result = m3_LoadModule(host->runtime, module);
    if (result != m3Err_none) m3_FreeModule(module);  // not owned by the runtime when loading failed
  }
  // Link, then compile every function now: a missing import or an opcode this wasm3 build lacks
  // (a float, for one) is refused at boot rather than at first use.
  if (result == m3Err_none) result = tk_link_imports(module, host);
#if TK_COMPILE_AT_BOOT
  if (result == m3Err_none) result = m3_CompileModule(module);
#endif
  const char *failure = result;
  if (failure == NULL) failure = find_exports(host);
  if (failure != NULL) {
    free_runtime(host);
    return failure;
  }
  // The start function (module-level initialisers) runs once; a trap there stops the module.
  result = m3_RunStart(module);
  if (result != m3Err_none && host->state == TK_RUNNING) {
    host->state = TK_STOPPED_TRAP;
    host->stopDetail = result;
  }
  return NULL;
}

// Turns a call's result into TK_OK or TK_STOPPED, keeping the first reason the module stopped.
static int finish_call(tk_host *host, M3Result result) {
  if (result == m3Err_none && host->state == TK_RUNNING) return TK_OK;
  if (host->state == TK_RUNNING) {
    host->state = TK_STOPPED_TRAP;
    host->stopDetail = result;
  }
  return TK_STOPPED;
}

// An export's code may have been dropped (code_cache.c): compile it again before the call (wasm3's
// m3_Call* refuse a function without code).
static M3Result call_export(IM3Function function, ...) {
  M3Result result = tk_host_compiled(function);
  if (result != m3Err_none) return result;
  va_list args;
  va_start(args, function);
  result = m3_CallVL(function, args);
  va_end(args);
  return result;
}

// Ends an event: the module returned to the host, so the code cache may be trimmed (code_cache.c).
static int end_event(tk_host *host, int outcome, int afterInit) {
  tk_host_trim_code(host, afterInit);
  return host->state == TK_RUNNING ? outcome : TK_STOPPED;
}

int tk_host_init(tk_host *host, uint32_t regionOffset, uint32_t regionBytes, uint32_t sectorBytes,
                 uint32_t pageBytes, uint32_t boardFlags, int32_t *status) {
  if (host->state != TK_RUNNING) return TK_STOPPED;
  int outcome = finish_call(host, call_export(host->init, regionOffset, regionBytes, sectorBytes, pageBytes, boardFlags));
  if (outcome != TK_OK) return outcome;
  outcome = finish_call(host, m3_GetResultsV(host->init, status));
  // The boot path (mount, first frame) runs once: its code goes, whatever the budget.
  return end_event(host, outcome, 1);
}

int tk_host_tick(tk_host *host) {
  if (host->state != TK_RUNNING) return TK_STOPPED;
  return end_event(host, finish_call(host, call_export(host->tick)), 0);
}

int tk_host_button(tk_host *host, uint32_t buttonId, uint32_t down) {
  if (host->state != TK_RUNNING) return TK_STOPPED;
  return end_event(host, finish_call(host, call_export(host->button, buttonId, down)), 0);
}

int tk_host_keyboard_leds(tk_host *host, uint32_t bits) {
  if (host->state != TK_RUNNING) return TK_STOPPED;
  return end_event(host, finish_call(host, call_export(host->keyboardLeds, bits)), 0);
}

static int call_u32(tk_host *host, IM3Function function, uint32_t *value) {
  int outcome = finish_call(host, call_export(function));
  if (outcome != TK_OK) return outcome;
  return finish_call(host, m3_GetResultsV(function, value));
}

// The module's APDU buffer up to `end` bytes: TK_REFUSED past apdu_capacity(), TK_STOPPED (the
// module stopped) when the buffer does not lie in its memory.
static int apdu_region(tk_host *host, uint32_t end, uint8_t **region) {
  if (!host->apduRegionKnown) {
    if (call_u32(host, host->apduCapacity, &host->apduCapacityBytes) != TK_OK) return TK_STOPPED;
    if (call_u32(host, host->apduBuffer, &host->apduBufferAt) != TK_OK) return TK_STOPPED;
    host->apduRegionKnown = 1;
  }
  uint32_t capacity = host->apduCapacityBytes, buffer = host->apduBufferAt;
  if (end > capacity) return TK_REFUSED;
  uint32_t memoryBytes = 0;
  uint8_t *memory = m3_GetMemory(host->runtime, &memoryBytes, 0);
  if (memory == NULL || (uint64_t)buffer + end > memoryBytes) {
    host->state = TK_STOPPED_GUEST_MEMORY;
    host->stopDetail = "apdu_buffer";
    return TK_STOPPED;
  }
  *region = memory + buffer;
  return TK_OK;
}

int tk_host_apdu_write(tk_host *host, uint32_t offset, const uint8_t *bytes, uint32_t length) {
  if (host->state != TK_RUNNING) return TK_STOPPED;
  if (length > UINT32_MAX - offset) return TK_REFUSED;
  uint8_t *region = NULL;
  int outcome = apdu_region(host, offset + length, &region);
  if (outcome != TK_OK) return outcome;
  if (bytes) memcpy(region + offset, bytes, length);
  else memset(region + offset, 0, length);
  return TK_OK;
}

int tk_host_apdu_written(tk_host *host, uint32_t length) {
  if (host->state != TK_RUNNING) return TK_STOPPED;
  uint8_t *region = NULL;
  int outcome = apdu_region(host, length, &region);
  if (outcome != TK_OK) return outcome;
  // A provisioning command (apdu_routine() 0) runs on a clean slate, and its code goes after it:
  // it compiles code no routine command uses (docs/wasm3.md, "Compiled code: a bounded cache").
  if (host->codeBudgetBytes != 0) {
    uint32_t routine = 1;
    int asked = finish_call(host, call_export(host->apduRoutine, length));
    if (asked == TK_OK) asked = finish_call(host, m3_GetResultsV(host->apduRoutine, &routine));
    M3Result dropped = m3Err_none;
    if (asked == TK_OK && !routine) dropped = tk_host_drop_code(host);
    if (asked != TK_OK || dropped != m3Err_none) {
      memset(region, 0, length);  // the command never reaches apdu(), which wipes it: it may hold a key
      return asked != TK_OK ? TK_STOPPED : finish_call(host, dropped);
    }
    if (!routine) host->codeDropWanted = 1;
  }
  host->apduPending = 1;
  return end_event(host, finish_call(host, call_export(host->apdu, length)), 0);
}

int tk_host_apdu(tk_host *host, const uint8_t *command, uint32_t length) {
  int outcome = tk_host_apdu_write(host, 0, command, length);
  return outcome == TK_OK ? tk_host_apdu_written(host, length) : outcome;
}

int tk_host_session_reset(tk_host *host) {
  if (host->state != TK_RUNNING) return TK_STOPPED;
  host->apduPending = 0;
  return end_event(host, finish_call(host, call_export(host->sessionReset)), 0);
}
