// Firmware entry: bring up clocks and peripherals, report, then the event loop.
#include "board.h"

#define WATCHDOG_TIMEOUT_MS 2000u
#define TICK_INTERVAL_US 10000u

int main(void) {
  clocks_init();
  uart_init();
  uart_puts(watchdog_caused_reboot() ? "totpkey rp2040: boot (watchdog)\r\n" : "totpkey rp2040: boot\r\n");
  buttons_init();
  i2c_init();
  flash_init();
  bool display_ok = display_init(true) == 0;
  uart_puts(display_ok ? "display: ok\r\n" : "display: absent\r\n");
  int64_t rtc_seconds = rtc_read_seconds();
  uart_puts(rtc_seconds >= 0 ? "rtc: ok\r\n" : "rtc: no valid time\r\n");
  watchdog_start(WATCHDOG_TIMEOUT_MS);
  uart_puts("ready\r\n");

  uint64_t next_tick_us = timer_us();
  for (;;) {
    uint64_t now_us = timer_us();
    uint32_t id, down;
    while (buttons_poll(now_us, &id, &down)) {
      const char text[] = {'b', 'u', 't', 't', 'o', 'n', ' ', (char)('0' + id), ' ', (char)('0' + down), '\r', '\n'};
      uart_write(text, sizeof text);
    }
    if (now_us >= next_tick_us) {
      next_tick_us = now_us + TICK_INTERVAL_US;
      watchdog_feed();
    }
  }
}
