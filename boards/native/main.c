// totpkey-native: the token module under wasm3 on Linux, with a file-backed flash. It runs a
// scenario script (docs/SPEC.md, "Scenario format") from a file or stdin and prints the outputs.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_native.h"
#include "heap_stats.h"
#include "host.h"
#include "scenario.h"
#include "wasm3_config.h"
// wasm3's internal structures, read only to report where its heap goes (--check).
#include "m3_env.h"

static const char USAGE[] =
  "usage: totpkey-native [--module FILE] [--flash FILE] [--stats] [--code-budget BYTES] [SCRIPT | -]\n"
  "       totpkey-native --check [--module FILE]\n"
  "\n"
  "Runs build/totpkey.wasm under wasm3 and executes a scenario script (a file, or stdin when\n"
  "SCRIPT is '-' or absent), printing its output lines. The flash is a 2 MiB image file (Pico\n"
  "geometry), created erased when missing.\n"
  "  --module FILE  the module (default: ../totpkey.wasm beside this program's folder)\n"
  "  --flash FILE   the flash image (default: flash.img beside this program)\n"
  "  --stats        print wasm3's heap use and the compiled-code cache's drops to stderr at the end\n"
  "  --code-budget BYTES  drop all compiled code after init, after any event leaving more than\n"
  "                 BYTES of code pages, around an APDU apdu_routine calls not routine, and when\n"
  "                 the module asks (docs/wasm3.md); default 0: keep it\n"
  "  --check        load, link and compile any module importing only the host ABI (the token or\n"
  "                 a test module), print wasm3's heap use, and exit\n"
  "Exit codes: 0 done, 1 the module stopped (panic, bad pointer, trap), 2 usage or script error,\n"
  "3 the module cannot be loaded.\n";

// `name` in the folder of this program (argv[0]), or in `up` levels above it.
static char *beside_program(const char *argv0, const char *name, int up) {
  char *path = malloc(strlen(argv0) + strlen(name) + 8);
  if (path == NULL) abort();
  strcpy(path, argv0);
  char *slash = strrchr(path, '/');
  if (slash) slash[1] = 0; else path[0] = 0;
  while (up-- > 0) strcat(path, "../");
  strcat(path, name);
  return path;
}

static uint8_t *read_file(const char *path, uint32_t *bytes) {
  FILE *file = fopen(path, "rb");
  if (file == NULL) return NULL;
  size_t capacity = 1 << 16, used = 0;
  uint8_t *data = malloc(capacity);
  size_t got;
  while (data && (got = fread(data + used, 1, capacity - used, file)) > 0) {
    used += got;
    if (used == capacity) data = realloc(data, capacity *= 2);
  }
  fclose(file);
  *bytes = (uint32_t)used;
  return data;
}

static void print_heap_stats(void) {
  fprintf(stderr, "wasm3 heap: peak %zu bytes live, %zu bytes allocated in all (%zu allocations)\n",
          wasm3Heap.peakLiveBytes, wasm3Heap.totalBytes, wasm3Heap.allocations);
}

// --check: parse, link and compile every function of any module that imports only the host ABI
// (the token or a test module), as a board would at boot, and report wasm3's heap use.
static int check_module(const char *modulePath, const uint8_t *wasm, uint32_t wasmBytes) {
  static tk_host host;
  IM3Environment environment = m3_NewEnvironment();
  IM3Runtime runtime = environment ? m3_NewRuntime(environment, TK_WASM_STACK_BYTES, &host) : NULL;
  IM3Module module = NULL;
  M3Result result = runtime ? m3_ParseModule(environment, &module, wasm, wasmBytes) : "out of memory";
  if (result == m3Err_none) {
    result = m3_LoadModule(runtime, module);
    if (result != m3Err_none) m3_FreeModule(module);
  }
  if (result == m3Err_none) result = tk_link_imports(module, &host);
  if (result == m3Err_none) result = m3_CompileModule(module);
  if (result == m3Err_none) {
    printf("ok %s\n", modulePath);
    print_heap_stats();
    size_t pageCount = 0, pageBytes = 0, usedLines = 0;
    for (int list = 0; list < 2; list++) {
      for (IM3CodePage page = list ? runtime->pagesFull : runtime->pagesOpen; page; page = page->info.next) {
        pageCount++;
        pageBytes += sizeof(M3CodePageHeader) + sizeof(code_t) * page->info.numLines;
        usedLines += page->info.lineIndex;
      }
    }
    fprintf(stderr, "wasm3 code: %zu pages, %zu bytes (%zu bytes used); runtime struct %zu bytes; "
            "linear memory %u bytes; value stack %u bytes; %zu-byte code words\n",
            pageCount, pageBytes, usedLines * sizeof(code_t), sizeof(M3Runtime), m3_GetMemorySize(runtime),
            (unsigned)TK_WASM_STACK_BYTES, sizeof(code_t));
  } else {
    fprintf(stderr, "totpkey-native: %s cannot run: %s\n", modulePath, result);
  }
  if (runtime) m3_FreeRuntime(runtime);
  if (environment) m3_FreeEnvironment(environment);
  return result == m3Err_none ? 0 : SCENARIO_EXIT_LOAD_FAILED;
}

int main(int argc, char **argv) {
  const char *modulePath = NULL, *flashPath = NULL, *scriptPath = NULL;
  char *defaultModule = NULL, *defaultFlash = NULL;
  int stats = 0, check = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--module") == 0 && i + 1 < argc) modulePath = argv[++i];
    else if (strcmp(argv[i], "--flash") == 0 && i + 1 < argc) flashPath = argv[++i];
    else if (strcmp(argv[i], "--stats") == 0) stats = 1;
    else if (strcmp(argv[i], "--code-budget") == 0 && i + 1 < argc) {
      char *end = NULL;
      unsigned long bytes = strtoul(argv[++i], &end, 10);
      if (end == argv[i] || *end != 0 || bytes > UINT32_MAX) {
        fprintf(stderr, "totpkey-native: --code-budget wants a byte count\n");
        return SCENARIO_EXIT_SCRIPT_ERROR;
      }
      scenario_set_code_budget((uint32_t)bytes);
    }
    else if (strcmp(argv[i], "--check") == 0) check = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { fputs(USAGE, stdout); return 0; }
    else if (scriptPath == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) scriptPath = argv[i];
    else { fprintf(stderr, "totpkey-native: unexpected argument '%s'\n%s", argv[i], USAGE); return SCENARIO_EXIT_SCRIPT_ERROR; }
  }
  if (modulePath == NULL) modulePath = defaultModule = beside_program(argv[0], "totpkey.wasm", 1);
  uint32_t wasmBytes = 0;
  uint8_t *wasm = read_file(modulePath, &wasmBytes);
  if (wasm == NULL) {
    fprintf(stderr, "totpkey-native: cannot read the module %s (run 'npm run build')\n", modulePath);
    return SCENARIO_EXIT_LOAD_FAILED;
  }

  if (check) return check_module(modulePath, wasm, wasmBytes);

  FILE *script = stdin;
  if (scriptPath != NULL && strcmp(scriptPath, "-") != 0) {
    script = fopen(scriptPath, "r");
    if (script == NULL) {
      fprintf(stderr, "totpkey-native: cannot read the script %s\n", scriptPath);
      return SCENARIO_EXIT_SCRIPT_ERROR;
    }
  }
  if (flashPath == NULL) flashPath = defaultFlash = beside_program(argv[0], "flash.img", 0);
  // A Raspberry Pi Pico's W25Q16JV, as host-sim/flash.ts PICO_FLASH.
  const board_flash_geometry pico = {2u * 1024 * 1024, 4096, 256};
  const char *failure = flash_file_open(&nativeBoard.flash, flashPath, pico);
  if (failure != NULL) {
    fprintf(stderr, "totpkey-native: %s: %s\n", flashPath, failure);
    return SCENARIO_EXIT_SCRIPT_ERROR;
  }
  native_board_reset();
  int exitCode = scenario_run(script, wasm, wasmBytes);
  if (stats) {
    print_heap_stats();
    uint32_t drops = 0, peakBytes = 0;
    scenario_code_stats(&drops, &peakBytes);
    fprintf(stderr, "wasm3 code cache: %u drops, at most %u bytes of code after an event\n", drops, peakBytes);
  }
  flash_file_close(&nativeBoard.flash);
  if (script != stdin) fclose(script);
  free(wasm);
  free(defaultModule);
  free(defaultFlash);
  return exitCode;
}
