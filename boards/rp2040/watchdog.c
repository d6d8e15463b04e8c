// Watchdog (datasheet 4.7). On the RP2040 the counter decrements twice per tick (erratum RP2040-E1),
// so LOAD is twice the timeout in microseconds. PSM_WDSEL makes a watchdog timeout reset everything
// except the oscillators.
#include "rp2040_board.h"
#include "regs.h"

#define WATCHDOG_LOAD_MAX 0xffffffu
static uint32_t reload_value;

void watchdog_start(uint32_t timeout_ms) {
  uint32_t load = timeout_ms * 2000u;
  if (timeout_ms > WATCHDOG_LOAD_MAX / 2000u) load = WATCHDOG_LOAD_MAX;
  reload_value = load;
  REG32(PSM_WDSEL) = PSM_ALL & ~(PSM_ROSC | PSM_XOSC);
  REG_CLR(WATCHDOG_CTRL) = WATCHDOG_CTRL_ENABLE;
  REG32(WATCHDOG_LOAD) = reload_value;
  REG_SET(WATCHDOG_CTRL) = WATCHDOG_CTRL_ENABLE | WATCHDOG_CTRL_PAUSE_DBG0 |
                           WATCHDOG_CTRL_PAUSE_DBG1 | WATCHDOG_CTRL_PAUSE_JTAG;
}

void watchdog_feed(void) { REG32(WATCHDOG_LOAD) = reload_value; }

bool watchdog_caused_reboot(void) { return REG32(WATCHDOG_REASON) != 0; }

// CTRL.TRIGGER resets at once, through the same PSM selection as a timeout; the next boot reads
// the reason (REASON.FORCE) and says "boot (watchdog)".
void watchdog_reboot_now(void) {
  REG32(PSM_WDSEL) = PSM_ALL & ~(PSM_ROSC | PSM_XOSC);
  REG_SET(WATCHDOG_CTRL) = WATCHDOG_CTRL_TRIGGER;
  for (;;) {
  }
}
