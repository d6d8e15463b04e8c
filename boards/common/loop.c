#include "loop.h"

void tk_ticker_start(tk_ticker *ticker, int64_t nowMs) {
  ticker->lastTickMs = nowMs;
}

int tk_ticker_poll(tk_ticker *ticker, tk_host *host, int64_t nowMs) {
  if (nowMs - ticker->lastTickMs < TK_TICK_MS) return TK_OK;
  ticker->lastTickMs = nowMs;
  return tk_host_tick(host);
}

int64_t tk_ticker_wait_ms(const tk_ticker *ticker, int64_t nowMs) {
  int64_t due = ticker->lastTickMs + TK_TICK_MS - nowMs;
  return due > 0 ? due : 0;
}
