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

/** The compiled-code cache's budget for every boot of the run (tk_host.codeBudgetBytes; 0: none). */
void scenario_set_code_budget(uint32_t bytes);
/** Drops of compiled code and the most code held after an event, over every boot of the run. */
void scenario_code_stats(uint32_t *drops, uint32_t *peakBytes);

/** Runs every line of `script`; the module bytes stay valid for the whole run. */
int scenario_run(FILE *script, const uint8_t *wasm, uint32_t wasmBytes);

#endif
