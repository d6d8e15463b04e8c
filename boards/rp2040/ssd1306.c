// SSD1306 128x64 / 128x32 OLED on I2C (SSD1306 datasheet, command table 9). A control byte 0x00
// precedes commands, 0x40 display data. Horizontal addressing mode lets one write fill the frame,
// whose layout (page-major, bit 0 the top row) is exactly the ABI's display_frame layout.
#include "rp2040_board.h"

#define CONTROL_COMMANDS 0x00u
#define CONTROL_DATA 0x40u

static bool display_tall;

static int commands(const uint8_t *list, size_t length) {
  static const uint8_t control = CONTROL_COMMANDS;
  return i2c_write(I2C_ADDRESS_SSD1306, &control, 1, list, length, true);
}

int display_init(bool tall) {
  display_tall = tall;
  const uint8_t setup[] = {
      0xae,                   // display off
      0xd5, 0x80,             // oscillator / clock divide: default
      0xa8, tall ? 63 : 31,   // multiplex ratio = rows - 1
      0xd3, 0x00,             // display offset 0
      0x40,                   // start line 0
      0x8d, 0x14,             // charge pump on (3.3 V supply)
      0x20, 0x00,             // horizontal addressing
      0xa1,                   // column 127 is SEG0 (the usual module orientation)
      0xc8,                   // COM scan from the bottom
      0xda, tall ? 0x12 : 0x02, // COM pin layout for the panel height
      0x81, 0xcf,             // contrast
      0xd9, 0xf1,             // precharge for the internal charge pump
      0xdb, 0x40,             // VCOMH deselect level
      0xa4,                   // show RAM contents
      0xa6,                   // not inverted
      0xaf,                   // display on
  };
  return commands(setup, sizeof setup);
}

int display_frame(const uint8_t *frame, uint32_t width_px, uint32_t height_px) {
  if (width_px != 128u || (height_px != 64u && height_px != 32u)) return -1;
  const uint8_t window[] = {0x21, 0, 127, 0x22, 0, (uint8_t)(height_px / 8u - 1u)};
  if (commands(window, sizeof window) != 0) return -1;
  static const uint8_t control = CONTROL_DATA;
  return i2c_write(I2C_ADDRESS_SSD1306, &control, 1, frame, width_px * height_px / 8u, true);
}
