// Diagnostics on UART0 (GP0 TX): boot report and module log lines. The PL011 divisor is
// clk_peri / (16 * baud) as a 16.6 fixed-point number (datasheet 4.2.7.1).
#include "rp2040_board.h"
#include "regs.h"

#define UART_BAUD 115200u

void uart_init(void) {
  REG_SET(RESETS_RESET) = RESET_UART0;
  REG_CLR(RESETS_RESET) = RESET_UART0;
  while ((REG32(RESETS_RESET_DONE) & RESET_UART0) == 0) {
  }
  uint32_t divisor_x64 = (8u * CLK_SYS_HZ / UART_BAUD + 1u) / 2u; // rounded, in 1/64ths
  REG32(UART0_BASE + UART_IBRD) = divisor_x64 >> 6;
  REG32(UART0_BASE + UART_FBRD) = divisor_x64 & 0x3fu;
  REG32(UART0_BASE + UART_LCR_H) = UART_LCR_H_WLEN_8 | UART_LCR_H_FEN;
  REG32(UART0_BASE + UART_CR) = UART_CR_UARTEN | UART_CR_TXE;
  REG32(PADS_GPIO(PIN_UART_TX)) = PAD_DRIVE_4MA;
  REG32(GPIO_CTRL(PIN_UART_TX)) = GPIO_FUNC_UART;
}

void uart_write(const char *text, size_t length) {
  for (size_t i = 0; i < length; i++) {
    while (REG32(UART0_BASE + UART_FR) & UART_FR_TXFF) {
    }
    REG32(UART0_BASE + UART_DR) = (uint8_t)text[i];
  }
}

void uart_puts(const char *text) {
  size_t length = 0;
  while (text[length] != 0) length++;
  uart_write(text, length);
}

void uart_hex(const uint8_t *bytes, size_t length) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < length; i++) {
    char pair[2] = {digits[bytes[i] >> 4], digits[bytes[i] & 0xf]};
    uart_write(pair, 2);
  }
}

void uart_decimal(uint32_t value) {
  char digits[10];
  size_t count = 0;
  do {
    digits[count++] = (char)('0' + value % 10u);
    value /= 10u;
  } while (value != 0);
  while (count > 0) uart_write(&digits[--count], 1);
}
