// Firmware entry: bring up clocks and peripherals, load the token module under wasm3 (boards/common),
// then the event loop: USB, debounced buttons, tick() every 10 ms. The loop sleeps (WFI) between a
// 1 ms timer alarm, USB events and button edges; all work runs in thread context.
#include "board.h"
#include "host.h"
#include "loop.h"
#include "regs.h"
#include "rp2040_board.h"
#include "usb_classes.h"
#include "usb_device.h"

#define WATCHDOG_TIMEOUT_MS 2000u
#define LOOP_PERIOD_US 1000u
// While a host enumerates the device, the loop serves USB only (see main).
#define ENUMERATION_GRACE_MS 1000u
#define BOARD_FLAG_DISPLAY_128X64 1u
#define BOARD_FLAG_NO_DISPLAY 2u

// The release module and its SHA-256 (computed at build time: the e2e test checks the reported
// digest against the module's), linked into the image by scripts/build-firmware.sh.
extern const uint8_t totpkey_wasm_start[], totpkey_wasm_end[], totpkey_wasm_sha256[];
// How much of its 64 KiB memory the module can touch (the end of its statics, from the build).
extern const uint32_t totpkey_wasm_memory_bytes;

static tk_host host;
// The interpreter's value stack, for the emulator's high-water mark (wasm3 allocates it zeroed).
const uint8_t *wasm_value_stack_base, *wasm_value_stack_end;
// The compiled-code cache (docs/wasm3.md), for the bench: its budget, the most code held after an
// event, the drops so far.
const uint32_t *wasm_code_budget_bytes, *wasm_code_peak_bytes, *wasm_code_drops;
static bool module_running;

void isr_timer0(void) { REG32(TIMER_INTR) = 1u; }

// The USB interrupt only wakes the loop: mask it until usb_task() has looked at the controller.
void isr_usbctrl(void) { REG32(NVIC_ICER) = 1u << IRQ_USBCTRL; }

// A button edge only wakes the loop too (instead of waiting for the next 1 ms alarm): masked until polled.
void isr_io_bank0(void) { REG32(NVIC_ICER) = 1u << IRQ_IO_BANK0; }

static void report_stop(void) {
  if (!module_running || host.state == TK_RUNNING) return;
  module_running = false;
  uart_puts("module stopped: ");
  uart_puts(host.state == TK_STOPPED_PANIC ? "panic" : host.state == TK_STOPPED_GUEST_MEMORY ? "guest memory" : "trap");
  if (host.stopDetail) {
    uart_puts(" ");
    uart_puts(host.stopDetail);
  }
  uart_puts("\r\n");
}

void app_apdu_write(uint32_t offset, const uint8_t *bytes, uint32_t length) {
  // A refusal (past the buffer) is answered at submit; a stop is reported now.
  if (module_running && tk_host_apdu_write(&host, offset, bytes, length) == TK_STOPPED) report_stop();
}

bool app_apdu_submit(uint32_t length) {
  // A stopped module (or an APDU longer than its buffer) still gets an answer: ISO 7816-4
  // "no precise diagnosis" / "wrong length", so the host never waits forever.
  static const uint8_t stopped_reply[2] = {0x6f, 0x00};
  static const uint8_t wrong_length[2] = {0x67, 0x00};
  if (!module_running) {
    usb_apdu_response(stopped_reply, sizeof stopped_reply);
    return true;
  }
  int outcome = tk_host_apdu_written(&host, length);
  if (outcome == TK_REFUSED) usb_apdu_response(wrong_length, sizeof wrong_length);
  if (outcome == TK_STOPPED) {
    report_stop();
    if (apdu_waiting_transport != APDU_TRANSPORT_NONE) usb_apdu_response(stopped_reply, sizeof stopped_reply);
  }
  return true;
}

void app_keyboard_leds(uint8_t bits) {
  const char text[] = {'l', 'e', 'd', 's', ' ', (char)('0' + (bits & 7u)), '\r', '\n'};
  uart_write(text, sizeof text);
  if (module_running && tk_host_keyboard_leds(&host, bits) != TK_OK) report_stop();
}

void app_session_reset(void) {
  if (module_running && tk_host_session_reset(&host) != TK_OK) report_stop();
}

static void load_module(bool display_present) {
  uint32_t module_bytes = (uint32_t)(totpkey_wasm_end - totpkey_wasm_start);
  const char *failure = tk_host_load_digested(&host, totpkey_wasm_start, module_bytes, TK_WASM_STACK_BYTES, totpkey_wasm_sha256,
                                              totpkey_wasm_memory_bytes);
  uart_puts("module sha256 ");
  uart_hex(host.moduleSha256, sizeof host.moduleSha256);
  uart_puts("\r\n");
  if (failure) {
    uart_puts("module load failed: ");
    uart_puts(failure);
    uart_puts("\r\n");
    return;
  }
  module_running = host.state == TK_RUNNING;
  host.codeBudgetBytes = TK_CODE_BUDGET_BYTES;
  wasm_code_budget_bytes = &host.codeBudgetBytes;
  wasm_code_peak_bytes = &host.codePeakBytes;
  wasm_code_drops = &host.codeDrops;
  wasm_value_stack_base = tk_host_value_stack(&host);
  wasm_value_stack_end = wasm_value_stack_base + TK_WASM_STACK_BYTES;
  uint32_t flags = display_present ? BOARD_FLAG_DISPLAY_128X64 : BOARD_FLAG_NO_DISPLAY;
  int32_t status = 0;
  if (module_running &&
      tk_host_init(&host, STORE_REGION_OFFSET, STORE_REGION_BYTES, FLASH_SECTOR_BYTES, FLASH_PAGE_BYTES, flags, &status) != TK_OK) {
    report_stop();
    return;
  }
  uart_puts(status == 0 ? "module init ok" : "module init failed");
  uart_puts(", heap ");
  uart_decimal((uint32_t)heap_high_water_bytes);
  uart_puts(" bytes, code ");
  uart_decimal(host.codePeakBytes);
  uart_puts(" bytes\r\n");
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
  uart_puts(rtc_read_seconds() >= 0 ? "rtc: ok\r\n" : "rtc: no valid time\r\n");
  watchdog_start(WATCHDOG_TIMEOUT_MS); // loading and init may take a while: covered from here on
  load_module(display_ok);
  watchdog_feed();
  usb_init();
  REG32(TIMER_INTE) = 1u;
  REG32(NVIC_ISER) = (1u << IRQ_TIMER_0) | (1u << IRQ_USBCTRL);
  uart_puts("ready\r\n");

  uint64_t ready_us = timer_us();
  tk_ticker ticker;
  tk_ticker_start(&ticker, board_now_ms());
  for (;;) {
    uint64_t now_us = timer_us();
    usb_task();
    REG32(NVIC_ISER) = 1u << IRQ_USBCTRL;
    usb_classes_task(now_us);
    buttons_ack_edges();
    REG32(NVIC_ISER) = 1u << IRQ_IO_BANK0;
    uint32_t id, down;
    while (buttons_poll(now_us, &id, &down)) {
      const char text[] = {'b', 'u', 't', 't', 'o', 'n', ' ', (char)('0' + id), ' ', (char)('0' + down), '\r', '\n'};
      uart_write(text, sizeof text);
      if (module_running && tk_host_button(&host, id, down) != TK_OK) report_stop();
    }
    // The module's first ticks compile and draw the panel for tens of ms, and enumeration's control
    // transfers have deadlines: no tick until the host has configured the device, or for at most
    // the grace period (a charger never enumerates).
    bool enumerating = !usb_configured() && now_us - ready_us < ENUMERATION_GRACE_MS * 1000u;
    if (module_running && !enumerating && tk_ticker_poll(&ticker, &host, (int64_t)(now_us / 1000u)) != TK_OK) {
      report_stop();
    }
    stack_guard_check();
    watchdog_feed();
    REG32(TIMER_ALARM0) = (uint32_t)(timer_us() + LOOP_PERIOD_US);
    __asm volatile("wfi");
  }
}
