// Three buttons to ground with the pads' pull-ups (pressed reads 0). A raw level must stay the same
// for BUTTON_DEBOUNCE_US before it becomes the debounced state, so contact bounce gives one edge.
#include "rp2040_board.h"
#include "regs.h"

static const uint32_t button_pins[BUTTON_COUNT] = {PIN_BUTTON_UP, PIN_BUTTON_DOWN, PIN_BUTTON_OK};
static bool debounced_down[BUTTON_COUNT];
static bool raw_down[BUTTON_COUNT];
static uint64_t raw_since_us[BUTTON_COUNT];

void buttons_init(void) {
  REG_CLR(RESETS_RESET) = RESET_IO_BANK0 | RESET_PADS_BANK0;
  while ((REG32(RESETS_RESET_DONE) & (RESET_IO_BANK0 | RESET_PADS_BANK0)) !=
         (RESET_IO_BANK0 | RESET_PADS_BANK0)) {
  }
  for (uint32_t i = 0; i < BUTTON_COUNT; i++) {
    uint32_t pin = button_pins[i];
    REG32(SIO_GPIO_OE_CLR) = 1u << pin;
    REG32(PADS_GPIO(pin)) = PAD_IE | PAD_PUE | PAD_SCHMITT;
    REG32(GPIO_CTRL(pin)) = GPIO_FUNC_SIO;
  }
}

bool buttons_poll(uint64_t now_us, uint32_t *id, uint32_t *down) {
  uint32_t levels = REG32(SIO_GPIO_IN);
  for (uint32_t i = 0; i < BUTTON_COUNT; i++) {
    bool pressed = (levels & (1u << button_pins[i])) == 0;
    if (pressed != raw_down[i]) {
      raw_down[i] = pressed;
      raw_since_us[i] = now_us;
    }
    if (raw_down[i] != debounced_down[i] && now_us - raw_since_us[i] >= BUTTON_DEBOUNCE_US) {
      debounced_down[i] = raw_down[i];
      *id = i;
      *down = debounced_down[i] ? 1u : 0u;
      return true;
    }
  }
  return false;
}
