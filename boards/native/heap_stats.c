#include "heap_stats.h"

#include <stdlib.h>
#include <string.h>

heap_stats wasm3Heap;

// Each block carries its size in front, kept 16-byte aligned like malloc's own blocks.
typedef union {
  size_t size;
  max_align_t alignment;
} block_header;

static void count(size_t size) {
  wasm3Heap.liveBytes += size;
  wasm3Heap.totalBytes += size;
  wasm3Heap.allocations++;
  if (wasm3Heap.liveBytes > wasm3Heap.peakLiveBytes) wasm3Heap.peakLiveBytes = wasm3Heap.liveBytes;
}

void *tk_heap_calloc(size_t count_, size_t size) {
  size_t bytes = count_ * size;
  block_header *block = calloc(1, sizeof(block_header) + bytes);
  if (block == NULL) return NULL;
  block->size = bytes;
  count(bytes);
  return block + 1;
}

void *tk_heap_realloc(void *pointer, size_t size) {
  if (pointer == NULL) return tk_heap_calloc(1, size);
  block_header *old = (block_header *)pointer - 1;
  size_t oldSize = old->size;
  block_header *block = realloc(old, sizeof(block_header) + size);
  if (block == NULL) return NULL;
  wasm3Heap.liveBytes -= oldSize;
  block->size = size;
  count(size);
  return block + 1;
}

void tk_heap_free(void *pointer) {
  if (pointer == NULL) return;
  block_header *block = (block_header *)pointer - 1;
  wasm3Heap.liveBytes -= block->size;
  free(block);
}
