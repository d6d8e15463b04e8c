// The 64-bit microsecond timer (datasheet 4.6). Reading TIMELR latches TIMEHR, so the pair is
// consistent as long as only this core reads it.
#include "rp2040_board.h"
#include "regs.h"

uint64_t timer_us(void) {
  uint32_t low = REG32(TIMER_TIMELR);
  uint32_t high = REG32(TIMER_TIMEHR);
  return ((uint64_t)high << 32) | low;
}

void timer_delay_us(uint32_t microseconds) {
  uint64_t until = timer_us() + microseconds;
  while (timer_us() < until) {
  }
}
