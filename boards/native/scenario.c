// The scenario interpreter of the native host. host-sim/scenario.ts is its twin for host-sim's
// Token: same commands, same checks, same output lines, same exit codes.
#include "scenario.h"

#include <stdlib.h>
#include <string.h>

#include "board_native.h"
#include "host.h"
#include "loop.h"
#include "output.h"
#include "wasm3_config.h"

#define MAX_WORDS 8
/** Largest number a script may write: JavaScript's safe-integer limit, so both hosts agree. */
#define MAX_SCRIPT_NUMBER 9007199254740991ULL

/** The store's default region (host-sim/token.ts): the last 64 KiB of the flash. */
#define DEFAULT_REGION_BYTES (64u * 1024u)

typedef struct {
  const uint8_t *wasm;
  uint32_t wasmBytes;
  tk_host host;
  int booted;
  int everStopped;
  unsigned lineNumber;
} scenario;

static uint32_t codeBudgetBytes, codeDrops, codePeakBytes;

void scenario_set_code_budget(uint32_t bytes) { codeBudgetBytes = bytes; }

// The stats of the boot that ends, added to the run's.
static void collect_code_stats(const tk_host *host) {
  codeDrops += host->codeDrops;
  if (host->codePeakBytes > codePeakBytes) codePeakBytes = host->codePeakBytes;
}

void scenario_code_stats(uint32_t *drops, uint32_t *peakBytes) {
  *drops = codeDrops;
  *peakBytes = codePeakBytes;
}

static int script_error(const scenario *run, const char *message, const char *word) {
  fprintf(stderr, "scenario line %u: %s%s%s\n", run->lineNumber, message, word ? ": " : "", word ? word : "");
  return SCENARIO_EXIT_SCRIPT_ERROR;
}

// A decimal number without sign or leading zeros, at most `max`.
static int parse_number(const char *word, uint64_t max, uint64_t *value) {
  if (word == NULL || word[0] == 0 || (word[0] == '0' && word[1] != 0)) return 0;
  uint64_t result = 0;
  for (const char *at = word; *at; at++) {
    if (*at < '0' || *at > '9') return 0;
    result = result * 10 + (uint64_t)(*at - '0');
    if (result > max) return 0;
  }
  *value = result;
  return 1;
}

static int parse_button(const char *word, uint32_t *buttonId) {
  static const char *const NAMES[] = {"up", "down", "ok"};  // ABI ids 0, 1, 2
  for (uint32_t i = 0; i < 3; i++) {
    if (word != NULL && strcmp(word, NAMES[i]) == 0) {
      *buttonId = i;
      return 1;
    }
  }
  return 0;
}

static int hex_value(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  return -1;
}

// Prints why the module stopped, once, when a call reports TK_STOPPED.
static void report_stop(scenario *run) {
  tk_host *host = &run->host;
  run->everStopped = 1;
  if (host->state == TK_STOPPED_PANIC) {
    char *message = malloc(4 * (size_t)host->panicMessageBytes + 1);
    if (message == NULL) abort();
    output_escape(message, host->panicMessage, host->panicMessageBytes);
    output_line("stopped panic %u %s", host->panicLine, message);
    free(message);
  } else if (host->state == TK_STOPPED_GUEST_MEMORY) {
    output_line("stopped guest-memory %s", host->stopDetail);
  } else {
    // wasm3's and V8's trap messages differ, so the line names no cause; stderr does.
    fprintf(stderr, "totpkey-native: wasm3 trap: %s\n", host->stopDetail ? host->stopDetail : "?");
    output_line("stopped trap");
  }
}

// Calls the module only while it runs; returns 1 when the call stopped it.
static int stopped_by(scenario *run, int outcome) {
  if (outcome == TK_STOPPED) {
    report_stop(run);
    return 1;
  }
  return 0;
}

static int boot(scenario *run, uint32_t flags, uint32_t regionOffset, uint32_t regionBytes) {
  if (run->booted) {
    collect_code_stats(&run->host);
    tk_host_unload(&run->host);
  }
  run->booted = 1;
  output_hold_for_boot();
  const char *failure = tk_host_load(&run->host, run->wasm, run->wasmBytes, TK_WASM_STACK_BYTES);
  run->host.codeBudgetBytes = codeBudgetBytes;
  if (failure != NULL) {
    output_release_boot(0);
    fprintf(stderr, "totpkey-native: the module cannot run: %s\n", failure);
    return SCENARIO_EXIT_LOAD_FAILED;
  }
  board_flash_geometry geometry = nativeBoard.flash.geometry;
  int32_t status = 0;
  int outcome = run->host.state == TK_RUNNING
      ? tk_host_init(&run->host, regionOffset, regionBytes, geometry.sectorBytes, geometry.pageBytes, flags, &status)
      : TK_STOPPED;
  output_release_boot(outcome == TK_OK);
  if (outcome == TK_OK) {
    output_line("init %d", status);
  } else {
    report_stop(run);
  }
  return SCENARIO_EXIT_OK;
}

// Lets `ms` pass, ticking every TK_TICK_MS as host-sim's Token.advance does. The clock always
// moves by `ms`, even when the module stops on the way.
static void advance(scenario *run, uint64_t ms) {
  uint64_t left = ms;
  while (left > 0) {
    uint64_t step = left < TK_TICK_MS ? left : TK_TICK_MS;
    nativeBoard.nowMs += (int64_t)step;
    left -= step;
    if (stopped_by(run, tk_host_tick(&run->host))) {
      nativeBoard.nowMs += (int64_t)left;  // the module stopped; the rest of the time passes anyway
      return;
    }
  }
}

// The APDU's bytes from `hex` (even length, hex digits), or NULL after reporting a script error.
static uint8_t *parse_apdu(const scenario *run, const char *hex, uint32_t *length, int *exitCode) {
  size_t digits = strlen(hex);
  if (digits == 0 || digits % 2 != 0) {
    *exitCode = script_error(run, "apdu wants an even number of hex digits", hex);
    return NULL;
  }
  *length = (uint32_t)(digits / 2);
  uint8_t *command = malloc(*length);
  if (command == NULL) abort();
  for (uint32_t i = 0; i < *length; i++) {
    int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      free(command);
      *exitCode = script_error(run, "apdu wants hex digits", hex);
      return NULL;
    }
    command[i] = (uint8_t)(high << 4 | low);
  }
  return command;
}

static void print_flash_sha256(void) {
  uint8_t digest[SHA256_DIGEST_BYTES];
  char hex[2 * SHA256_DIGEST_BYTES + 1];
  sha256_digest(nativeBoard.flash.bytes, nativeBoard.flash.geometry.totalBytes, digest);
  output_hex(hex, digest, SHA256_DIGEST_BYTES);
  output_line("flash-sha256 %s", hex);
}

// One command line, already split into words. Checks the syntax first, always; acts only while
// the module runs (after a stop, only `boot` and host-side settings act).
static int run_command(scenario *run, char **words, int count) {
  const char *command = words[0];
  uint64_t a = 0, b = 0;
  uint32_t buttonId = 0;

  if (strcmp(command, "boot") == 0) {
    uint64_t flags = 0;
    uint64_t regionBytes = DEFAULT_REGION_BYTES;
    uint64_t regionOffset = nativeBoard.flash.geometry.totalBytes - DEFAULT_REGION_BYTES;
    for (int i = 1; i < count;) {
      if (strcmp(words[i], "flags") == 0 && i + 1 < count && parse_number(words[i + 1], UINT32_MAX, &flags)) {
        i += 2;
      } else if (strcmp(words[i], "region") == 0 && i + 2 < count && parse_number(words[i + 1], UINT32_MAX, &regionOffset) &&
                 parse_number(words[i + 2], UINT32_MAX, &regionBytes)) {
        i += 3;
      } else {
        return script_error(run, "boot takes [flags N] [region OFFSET BYTES]", words[i]);
      }
    }
    return boot(run, (uint32_t)flags, (uint32_t)regionOffset, (uint32_t)regionBytes);
  }

  // Host-side settings: they change the world, not the module, and act even while it is stopped.
  if (strcmp(command, "rtc") == 0) {
    if (count != 2 || !parse_number(words[1], MAX_SCRIPT_NUMBER, &a)) return script_error(run, "rtc takes SECONDS", NULL);
    native_rtc_set((int64_t)a);
    return SCENARIO_EXIT_OK;
  }
  if (strcmp(command, "rtc_clear") == 0) {
    if (count != 1) return script_error(run, "rtc_clear takes nothing", NULL);
    native_rtc_clear();
    return SCENARIO_EXIT_OK;
  }
  if (strcmp(command, "keyboard") == 0) {
    static const char *const ANSWERS[] = {"ok", "busy", "absent"};
    static const int32_t VALUES[] = {0, 1, -1};
    for (int i = 0; count == 2 && i < 3; i++) {
      if (strcmp(words[1], ANSWERS[i]) == 0) {
        nativeBoard.keyboardAnswer = VALUES[i];
        return SCENARIO_EXIT_OK;
      }
    }
    return script_error(run, "keyboard takes ok, busy or absent", NULL);
  }
  if (strcmp(command, "entropy") == 0) {
    if (count != 2 || (strcmp(words[1], "on") != 0 && strcmp(words[1], "off") != 0)) {
      return script_error(run, "entropy takes on or off", NULL);
    }
    nativeBoard.entropyAvailable = strcmp(words[1], "on") == 0;
    return SCENARIO_EXIT_OK;
  }
  if (strcmp(command, "flash_sha256") == 0) {
    if (count != 1) return script_error(run, "flash_sha256 takes nothing", NULL);
    print_flash_sha256();
    return SCENARIO_EXIT_OK;
  }

  // Commands that reach the module: check the syntax, then act only while it runs.
  int isAdvance = strcmp(command, "advance") == 0, isTick = strcmp(command, "tick") == 0;
  int isPress = strcmp(command, "press") == 0, isDown = strcmp(command, "down") == 0, isUp = strcmp(command, "up") == 0;
  int isLeds = strcmp(command, "leds") == 0, isApdu = strcmp(command, "apdu") == 0;
  int isSessionReset = strcmp(command, "session_reset") == 0;
  if (isAdvance && (count != 2 || !parse_number(words[1], MAX_SCRIPT_NUMBER, &a))) return script_error(run, "advance takes MS", NULL);
  if (isTick && count != 1) return script_error(run, "tick takes nothing", NULL);
  if (isPress) {
    b = 60;  // host-sim's Token.press default hold
    if ((count != 2 && count != 3) || !parse_button(words[1], &buttonId) ||
        (count == 3 && !parse_number(words[2], MAX_SCRIPT_NUMBER, &b))) {
      return script_error(run, "press takes up|down|ok [HOLD_MS]", NULL);
    }
  }
  if ((isDown || isUp) && (count != 2 || !parse_button(words[1], &buttonId))) return script_error(run, "takes up|down|ok", command);
  if (isLeds && (count != 2 || !parse_number(words[1], UINT32_MAX, &a))) return script_error(run, "leds takes BITS", NULL);
  if (isApdu && count != 2) return script_error(run, "apdu takes HEX", NULL);
  if (isSessionReset && count != 1) return script_error(run, "session_reset takes nothing", NULL);
  if (!(isAdvance || isTick || isPress || isDown || isUp || isLeds || isApdu || isSessionReset)) {
    return script_error(run, "unknown command", command);
  }
  uint8_t *apdu = NULL;
  uint32_t apduBytes = 0;
  int apduError = SCENARIO_EXIT_OK;
  if (isApdu && (apdu = parse_apdu(run, words[1], &apduBytes, &apduError)) == NULL) return apduError;

  if (run->host.state != TK_RUNNING) {
    // Stopped: nothing reaches the module until the next boot, but time still passes.
    if (isAdvance) nativeBoard.nowMs += (int64_t)a;
    if (isPress) nativeBoard.nowMs += (int64_t)b;
    free(apdu);
    return SCENARIO_EXIT_OK;
  }
  if (isAdvance) advance(run, a);
  if (isTick) stopped_by(run, tk_host_tick(&run->host));
  if (isPress) {
    if (stopped_by(run, tk_host_button(&run->host, buttonId, 1))) {
      nativeBoard.nowMs += (int64_t)b;
      return SCENARIO_EXIT_OK;
    }
    advance(run, b);
    if (run->host.state == TK_RUNNING) stopped_by(run, tk_host_button(&run->host, buttonId, 0));
  }
  if (isDown || isUp) stopped_by(run, tk_host_button(&run->host, buttonId, isDown ? 1 : 0));
  if (isLeds) stopped_by(run, tk_host_keyboard_leds(&run->host, (uint32_t)a));
  if (isSessionReset) stopped_by(run, tk_host_session_reset(&run->host));
  if (isApdu) {
    int outcome = tk_host_apdu(&run->host, apdu, apduBytes);
    free(apdu);
    if (outcome == TK_REFUSED) return script_error(run, "the APDU is longer than the module's buffer", NULL);
    stopped_by(run, outcome);
  }
  return SCENARIO_EXIT_OK;
}

int scenario_run(FILE *script, const uint8_t *wasm, uint32_t wasmBytes) {
  static scenario run;
  memset(&run, 0, sizeof run);
  run.wasm = wasm;
  run.wasmBytes = wasmBytes;
  char *line = NULL;
  size_t lineCapacity = 0;
  int exitCode = SCENARIO_EXIT_OK;
  while (exitCode == SCENARIO_EXIT_OK && getline(&line, &lineCapacity, script) >= 0) {
    run.lineNumber++;
    char *comment = strchr(line, '#');
    if (comment) *comment = 0;
    char *words[MAX_WORDS + 1];
    int count = 0;
    for (char *word = strtok(line, " \t\r\n"); word; word = strtok(NULL, " \t\r\n")) {
      if (count == MAX_WORDS) {
        exitCode = script_error(&run, "too many words on the line", NULL);
        break;
      }
      words[count++] = word;
    }
    if (exitCode != SCENARIO_EXIT_OK || count == 0) continue;
    // The module boots with the defaults before the first command that is not a boot.
    if (!run.booted && strcmp(words[0], "boot") != 0) {
      char bootWord[] = "boot";
      char *bootWords[] = {bootWord};
      exitCode = run_command(&run, bootWords, 1);
      if (exitCode != SCENARIO_EXIT_OK) break;
    }
    exitCode = run_command(&run, words, count);
  }
  free(line);
  if (exitCode == SCENARIO_EXIT_OK) {
    if (!run.booted) exitCode = boot(&run, 0, nativeBoard.flash.geometry.totalBytes - DEFAULT_REGION_BYTES, DEFAULT_REGION_BYTES);
  }
  if (exitCode == SCENARIO_EXIT_OK) {
    output_line("end programs=%llu erases=%llu set-bit=%llu", (unsigned long long)nativeBoard.flash.programs,
                (unsigned long long)nativeBoard.flash.erases, (unsigned long long)nativeBoard.flash.setBitViolations);
    if (run.everStopped) exitCode = SCENARIO_EXIT_MODULE_STOPPED;
  }
  if (run.booted) {
    collect_code_stats(&run.host);
    tk_host_unload(&run.host);
  }
  return exitCode;
}
