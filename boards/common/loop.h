// Event-loop helpers for a board's main loop: the module wants tick() at least every 10 ms.
#ifndef TOTPKEY_LOOP_H
#define TOTPKEY_LOOP_H

#include <stdint.h>

#include "host.h"

/** The ABI's longest allowed gap between two tick() calls. */
#define TK_TICK_MS 10

typedef struct {
  int64_t lastTickMs;
} tk_ticker;

void tk_ticker_start(tk_ticker *ticker, int64_t nowMs);
/** Calls tick() once when TK_TICK_MS or more passed since the last one (a late loop does not
 *  replay missed ticks: the module reads now_ms). Returns tk_host_tick's result, or TK_OK. */
int tk_ticker_poll(tk_ticker *ticker, tk_host *host, int64_t nowMs);
/** Milliseconds until the next tick is due (0 when due): how long a board may sleep. */
int64_t tk_ticker_wait_ms(const tk_ticker *ticker, int64_t nowMs);

#endif
