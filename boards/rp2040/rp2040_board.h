// The RP2040 board's drivers, as the firmware's main loop and the common wasm3 host use them.
#ifndef TOTPKEY_RP2040_DRIVERS_H
#define TOTPKEY_RP2040_DRIVERS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Wiring (docs/hardware.md): I2C0 on GP4 (SDA) / GP5 (SCL); buttons to ground on GP10..GP12.
#define PIN_I2C_SDA 4u
#define PIN_I2C_SCL 5u
#define PIN_BUTTON_UP 10u
#define PIN_BUTTON_DOWN 11u
#define PIN_BUTTON_OK 12u
#define BUTTON_COUNT 3u
#define I2C_ADDRESS_SSD1306 0x3cu
#define I2C_ADDRESS_DS3231 0x68u

// Flash geometry (W25Q16JV on the Pico) and the store region: the last 64 KiB.
#define FLASH_TOTAL_BYTES (2u * 1024u * 1024u)
#define FLASH_SECTOR_BYTES 4096u
#define FLASH_PAGE_BYTES 256u
#define STORE_REGION_BYTES (64u * 1024u)
#define STORE_REGION_OFFSET (FLASH_TOTAL_BYTES - STORE_REGION_BYTES)
#define XIP_BASE 0x10000000u

#define CLK_SYS_HZ 125000000u
#define CLK_USB_HZ 48000000u
#define XOSC_HZ 12000000u

// clocks.c
void clocks_init(void);

// timer.c
uint64_t timer_us(void);
void timer_delay_us(uint32_t microseconds);

// buttons.c: debounced (an edge counts at once, then 20 ms of contact chatter are ignored).
#define BUTTON_DEBOUNCE_US 20000u
void buttons_init(void);
// Returns true and fills id/down when a debounced edge happened since the last call.
bool buttons_poll(uint64_t now_us, uint32_t *id, uint32_t *down);
// Clears the buttons' latched edge interrupts (before reading their levels, so no edge is missed).
void buttons_ack_edges(void);

// i2c.c: blocking master transfers with a timeout; 0 ok, -1 no ack / abort / timeout.
void i2c_init(void);
// A write sends `header` (may be empty) then `body` in one transaction.
int i2c_write(uint8_t address, const uint8_t *header, size_t header_length, const uint8_t *body,
              size_t body_length, bool stop);
int i2c_read(uint8_t address, uint8_t *data, size_t length);

// ssd1306.c
int display_init(bool tall);
int display_frame(const uint8_t *frame, uint32_t width_px, uint32_t height_px);

// ds3231.c: seconds since 1970-01-01 UTC, -1 when the RTC holds no valid time.
int64_t rtc_read_seconds(void);
int rtc_write_seconds(int64_t seconds);

// flash.c: absolute offsets; return the ABI's codes (0, -1 range, -2 set-bit).
void flash_init(void);
int flash_read(uint32_t offset, uint8_t *destination, uint32_t length);
int flash_program(uint32_t offset, const uint8_t *source, uint32_t length);
int flash_erase(uint32_t offset);

// uart.c: diagnostics on UART0 TX (GP0), 115200 8N1.
#define PIN_UART_TX 0u
void uart_init(void);
void uart_write(const char *text, size_t length);
void uart_puts(const char *text);
void uart_hex(const uint8_t *bytes, size_t length);
void uart_decimal(uint32_t value);

// syscalls.c: the heap's high-water mark (wasm3 is its only user).
extern size_t heap_high_water_bytes;

// stack_guard.c
bool stack_guard_intact(void);
void stack_guard_check(void);

// watchdog.c
void watchdog_start(uint32_t timeout_ms);
void watchdog_feed(void);
bool watchdog_caused_reboot(void);
void watchdog_reboot_now(void);

#endif
