// The C stack's guard band: its lowest STACK_GUARD_BYTES (boards/rp2040/memmap.ld), zeroed at reset
// and never reached by the deepest path measured (test/rp2040-scenarios.test.ts checks every scenario
// with and without the code cache). wasm3 nests a C frame per operation, so an unmeasured path could
// run deeper; the heap's top lies just below the band. A written band word means the stack came
// within STACK_GUARD_BYTES of the heap: the board says so and resets rather than run on.
#include "rp2040_board.h"

extern uint32_t __stack_limit[], __stack_guard_end[];

bool stack_guard_intact(void) {
  for (const volatile uint32_t *word = __stack_limit; word < __stack_guard_end; word++) {
    if (*word != 0) return false;
  }
  return true;
}

void stack_guard_check(void) {
  if (stack_guard_intact()) return;
  uart_puts("C stack overflow: the guard band was written; resetting\r\n");
  watchdog_reboot_now();
}
