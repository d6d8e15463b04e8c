// Runs a scenario script (docs/SPEC.md, "Scenario format") against the module under wasm3.
#ifndef TOTPKEY_SCENARIO_H
#define TOTPKEY_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

/** Exit codes, the same for host-sim/scenario.ts. */
#define SCENARIO_EXIT_OK 0
#define SCENARIO_EXIT_MODULE_STOPPED 1
#define SCENARIO_EXIT_SCRIPT_ERROR 2
#define SCENARIO_EXIT_LOAD_FAILED 3

/** Runs every line of `script`; the module bytes stay valid for the whole run. */
int scenario_run(FILE *script, const uint8_t *wasm, uint32_t wasmBytes);

#endif
