// boards/common's board interface (board.h) on the RP2040 drivers: what the module's imports reach.
#include <string.h>
#include "board.h"
#include "regs.h"
#include "rp2040_board.h"
#include "sha256.h"
#include "usb_classes.h"

board_flash_geometry board_flash_geometry_get(void) {
  return (board_flash_geometry){FLASH_TOTAL_BYTES, FLASH_SECTOR_BYTES, FLASH_PAGE_BYTES};
}

int32_t board_flash_read(uint32_t offset, uint8_t *dst, uint32_t length) { return flash_read(offset, dst, length); }
int32_t board_flash_program(uint32_t offset, const uint8_t *src, uint32_t length) {
  return flash_program(offset, src, length);
}
int32_t board_flash_erase(uint32_t offset) { return flash_erase(offset); }

int64_t board_now_ms(void) { return (int64_t)(timer_us() / 1000u); }
int64_t board_rtc_read(void) { return rtc_read_seconds(); }
int32_t board_rtc_write(int64_t seconds) { return rtc_write_seconds(seconds); }

// Entropy: the ring oscillator's RANDOMBIT (datasheet 2.17.5), von Neumann debiased, then
// conditioned with SHA-256 over 256 such bits per 32 output bytes. If the bit never changes (a
// stopped oscillator) the source is reported as unavailable instead of spinning.
#define ROSC_RANDOMBIT 0x4006001cu
#define RAW_PAIRS_LIMIT 100000u

static int random_bits(uint8_t *pool, uint32_t bytes) {
  uint32_t pairs = 0;
  for (uint32_t bit = 0; bit < bytes * 8u;) {
    if (++pairs > RAW_PAIRS_LIMIT) return -1;
    uint32_t first = REG32(ROSC_RANDOMBIT) & 1u, second = REG32(ROSC_RANDOMBIT) & 1u;
    if (first == second) continue;
    if (first) pool[bit / 8u] |= (uint8_t)(1u << (bit % 8u));
    else pool[bit / 8u] &= (uint8_t)~(1u << (bit % 8u));
    bit++;
  }
  return 0;
}

int32_t board_random_fill(uint8_t *dst, uint32_t length) {
  static uint32_t counter;
  while (length > 0) {
    uint8_t pool[32 + 4];
    if (random_bits(pool, 32) != 0) return -1;
    counter++;
    memcpy(pool + 32, &counter, 4);
    uint8_t digest[SHA256_DIGEST_BYTES];
    sha256_digest(pool, sizeof pool, digest);
    uint32_t chunk = length < sizeof digest ? length : (uint32_t)sizeof digest;
    memcpy(dst, digest, chunk);
    dst += chunk;
    length -= chunk;
  }
  return 0;
}

int32_t board_keyboard_report(const uint8_t *report, uint32_t length) { return usb_keyboard_send(report, length); }

void board_display_frame(const uint8_t *frame, uint32_t length, uint32_t widthPx, uint32_t heightPx) {
  (void)length;
  (void)display_frame(frame, widthPx, heightPx);
}

void board_apdu_response(const uint8_t *response, uint32_t length) { usb_apdu_response(response, length); }

void board_log(uint32_t level, const uint8_t *text, uint32_t length) {
  const char prefix[] = {'l', 'o', 'g', ' ', (char)('0' + (level & 7u)), ' '};
  uart_write(prefix, sizeof prefix);
  uart_write((const char *)text, length);
  uart_puts("\r\n");
}

void board_panic(const uint8_t *message, uint32_t length, uint32_t line) {
  uart_puts("module panic: ");
  uart_write((const char *)message, length);
  uint8_t line_bytes[4] = {(uint8_t)(line >> 24), (uint8_t)(line >> 16), (uint8_t)(line >> 8), (uint8_t)line};
  uart_puts(" line 0x");
  uart_hex(line_bytes, sizeof line_bytes);
  uart_puts("\r\n");
}

const char *board_host_name(void) { return "rp2040 0.1.0"; }
