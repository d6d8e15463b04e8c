// Counts wasm3's heap use on the native host: the build renames wasm3's calloc/realloc/free (in
// m3_core.c only) to these, so `totpkey-native --stats` can report what the board's heap must hold.
#ifndef TOTPKEY_HEAP_STATS_H
#define TOTPKEY_HEAP_STATS_H

#include <stddef.h>

typedef struct {
  size_t liveBytes;       // allocated now
  size_t peakLiveBytes;   // the most ever allocated at once
  size_t totalBytes;      // every allocation added up: a bound for a never-freeing (bump) heap
  size_t allocations;
} heap_stats;

extern heap_stats wasm3Heap;

void *tk_heap_calloc(size_t count, size_t size);
void *tk_heap_realloc(void *pointer, size_t size);
void tk_heap_free(void *pointer);

#endif
