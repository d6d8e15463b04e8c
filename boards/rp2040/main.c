// Firmware entry: bring up clocks and peripherals, report, then the event loop. The loop sleeps
// (WFI) between a 1 ms timer alarm and USB events; all work runs in thread context.
#include "regs.h"
#include "rp2040_board.h"
#include "usb_classes.h"
#include "usb_device.h"

#define WATCHDOG_TIMEOUT_MS 2000u
#define LOOP_PERIOD_US 1000u
#define TICK_INTERVAL_US 10000u

void isr_timer0(void) { REG32(TIMER_INTR) = 1u; }

// The USB interrupt only wakes the loop: mask it until usb_task() has looked at the controller.
void isr_usbctrl(void) { REG32(NVIC_ICER) = 1u << IRQ_USBCTRL; }

static void arm_wakeup(uint64_t now_us) {
  REG32(TIMER_ALARM0) = (uint32_t)(now_us + LOOP_PERIOD_US);
}

// ---- Until boards/common runs the module here: an APDU responder with the module's current
// answer for every command (ISO 7816-4 "instruction not supported").
bool app_apdu_submit(const uint8_t *apdu, uint32_t length) {
  (void)apdu;
  (void)length;
  static const uint8_t not_supported[2] = {0x6d, 0x00};
  usb_apdu_response(not_supported, sizeof not_supported);
  return true;
}

void app_keyboard_leds(uint8_t bits) {
  const char text[] = {'l', 'e', 'd', 's', ' ', (char)('0' + (bits & 7u)), '\r', '\n'};
  uart_write(text, sizeof text);
}

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
  usb_init();
  watchdog_start(WATCHDOG_TIMEOUT_MS);
  REG32(TIMER_INTE) = 1u;
  REG32(NVIC_ISER) = (1u << IRQ_TIMER_0) | (1u << IRQ_USBCTRL);
  uart_puts("ready\r\n");

  uint64_t next_tick_us = timer_us();
  for (;;) {
    uint64_t now_us = timer_us();
    usb_task();
    REG32(NVIC_ISER) = 1u << IRQ_USBCTRL;
    usb_classes_task(now_us);
    uint32_t id, down;
    while (buttons_poll(now_us, &id, &down)) {
      const char text[] = {'b', 'u', 't', 't', 'o', 'n', ' ', (char)('0' + id), ' ', (char)('0' + down), '\r', '\n'};
      uart_write(text, sizeof text);
    }
    if (now_us >= next_tick_us) {
      next_tick_us = now_us + TICK_INTERVAL_US;
      watchdog_feed();
    }
    arm_wakeup(timer_us());
    __asm volatile("wfi");
  }
}
