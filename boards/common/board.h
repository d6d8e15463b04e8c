// The board interface: what boards/common needs from each board (boards/native, boards/rp2040).
// boards/common owns the wasm3 runtime and the host ABI (docs/SPEC.md, "Host ABI"); it checks every
// guest pointer and length before calling these, so a board only ever sees valid host buffers.
// Return values follow the ABI's import of the same name.
#ifndef TOTPKEY_BOARD_H
#define TOTPKEY_BOARD_H

#include <stdint.h>

typedef struct {
  uint32_t totalBytes;   // the whole chip; flash offsets are absolute
  uint32_t sectorBytes;  // erase unit
  uint32_t pageBytes;    // program unit
} board_flash_geometry;

// ---- Flash (NOR): offsets are absolute; the board checks ranges and page crossing itself ----------
board_flash_geometry board_flash_geometry_get(void);
/** 0, or -1 when [offset, offset + length) leaves the chip. */
int32_t board_flash_read(uint32_t offset, uint8_t *dst, uint32_t length);
/** 0; -1 empty, out of range or crossing a page; -2 some bit went 0 -> 1 (the chip keeps old AND new). */
int32_t board_flash_program(uint32_t offset, const uint8_t *src, uint32_t length);
/** 0, or -1 misaligned or out of range. */
int32_t board_flash_erase(uint32_t offset);

// ---- Time and entropy ---------------------------------------------------------------------------
/** Milliseconds since boot, monotonic. */
int64_t board_now_ms(void);
/** Seconds since 1970-01-01 UTC, or -1 when the RTC holds no valid time. */
int64_t board_rtc_read(void);
/** 0, or -1 when the RTC failed. */
int32_t board_rtc_write(int64_t seconds);
/** 0, or -1 when no entropy is available. */
int32_t board_random_fill(uint8_t *dst, uint32_t length);

// ---- Outputs ------------------------------------------------------------------------------------
/** 0 sent, 1 busy, -1 no keyboard. */
int32_t board_keyboard_report(const uint8_t *report, uint32_t length);
/** SSD1306 page layout, length = widthPx * heightPx / 8 (checked before the call). */
void board_display_frame(const uint8_t *frame, uint32_t length, uint32_t widthPx, uint32_t heightPx);
/** The reply to the last APDU: data then SW1 SW2. */
void board_apdu_response(const uint8_t *response, uint32_t length);
/** A diagnostic line (UTF-8, not NUL-terminated); level 0 error .. 3 debug. */
void board_log(uint32_t level, const uint8_t *text, uint32_t length);
/** The module called panic(): message (UTF-8, not NUL-terminated) and source line. boards/common has
 *  already stopped the module; the board reports it and resets (watchdog) or carries on without it. */
void board_panic(const uint8_t *message, uint32_t length, uint32_t line);
/** The host's name and version for host_info, e.g. "rp2040 0.1.0" (NUL-terminated). */
const char *board_host_name(void);

#endif
