// Three buttons to ground with the pads' pull-ups (pressed reads 0). Leading-edge debounce: a change
// of level counts at once (so a press reaches the module within a loop period), then the button is
// deaf for BUTTON_DEBOUNCE_US while its contacts chatter; a level that changed meanwhile is taken
// when that time is over, so no edge is lost and every press gives exactly one edge each way.
#include "regs.h"
#include "rp2040_board.h"

static const uint32_t button_pins[BUTTON_COUNT] = {PIN_BUTTON_UP, PIN_BUTTON_DOWN, PIN_BUTTON_OK};
static bool debounced_down[BUTTON_COUNT];
static uint64_t last_edge_us[BUTTON_COUNT];
static bool seen_edge[BUTTON_COUNT];

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
    REG32(IO_BANK0_PROC0_INTE(pin)) |= GPIO_EDGES(pin); // an edge wakes the loop from WFI
  }
}

void buttons_ack_edges(void) {
  for (uint32_t i = 0; i < BUTTON_COUNT; i++) REG32(IO_BANK0_INTR(button_pins[i])) = GPIO_EDGES(button_pins[i]);
}

bool buttons_poll(uint64_t now_us, uint32_t *id, uint32_t *down) {
  uint32_t levels = REG32(SIO_GPIO_IN);
  for (uint32_t i = 0; i < BUTTON_COUNT; i++) {
    bool pressed = (levels & (1u << button_pins[i])) == 0;
    if (pressed == debounced_down[i]) continue;
    if (seen_edge[i] && now_us - last_edge_us[i] < BUTTON_DEBOUNCE_US) continue;
    debounced_down[i] = pressed;
    last_edge_us[i] = now_us;
    seen_edge[i] = true;
    *id = i;
    *down = pressed ? 1u : 0u;
    return true;
  }
  return false;
}
