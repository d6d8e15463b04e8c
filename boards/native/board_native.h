// The native board: a file-backed NOR flash, a clock the scenario moves by hand, an RTC like
// host-sim/clock.ts (SimClock, no drift), a reproducible byte stream for random_fill, and outputs
// printed as scenario lines. Mirrors what host-sim/scenario.ts gives host-sim's Token.
#ifndef TOTPKEY_BOARD_NATIVE_H
#define TOTPKEY_BOARD_NATIVE_H

#include <stdint.h>

#include "flash_file.h"

typedef struct {
  flash_file flash;
  int64_t nowMs;
  int rtcValid;
  int64_t rtcBaseSeconds;
  int64_t rtcBaseMs;
  uint32_t randomState;
  int entropyAvailable;
  /** What keyboard_report answers: 0 sent, 1 busy, -1 no keyboard. */
  int32_t keyboardAnswer;
} native_board;

extern native_board nativeBoard;

/** The scenario's random stream: xorshift32 from this seed, one byte (the low 8 bits) per step.
 *  Not entropy: it makes runs reproducible and the same under both hosts. */
#define NATIVE_RANDOM_SEED 0x9e3779b9u

void native_board_reset(void);
void native_rtc_set(int64_t seconds);
void native_rtc_clear(void);

#endif
