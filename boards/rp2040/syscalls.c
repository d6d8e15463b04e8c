// The C library's heap (wasm3 allocates its runtime, compiled code and the module's memory, cut to its statics,
// there): between the end of .bss and the stack, as the linker script lays them out. Running out
// returns NULL (wasm3 then reports out of memory) instead of growing into the stack.
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>

extern uint8_t __heap_start[], __heap_end[];
static uint8_t *heap_top = __heap_start;
size_t heap_high_water_bytes;

void *_sbrk(ptrdiff_t increment) {
  if (increment < 0 || (size_t)increment > (size_t)(__heap_end - heap_top)) {
    errno = ENOMEM;
    return (void *)-1;
  }
  uint8_t *previous = heap_top;
  heap_top += increment;
  heap_high_water_bytes = (size_t)(heap_top - __heap_start);
  return previous;
}

// wasm3 grows its function and global arrays one entry at a time (Module_AddFunction,
// Module_AddGlobal: realloc to n + 1 entries), so newlib's realloc copied them at every entry
// (quadratic: ~9 ms of the load phase) and left a trail of freed blocks. wasm3's realloc
// (boards/rp2040/wasm3_rp2040.h renames it) grows a block by a quarter more than asked, so the
// next entries fit in place; wasm3 zeroes the added bytes itself. A first allocation is exact
// (the module's linear memory is one).
//
// The bytes wasm3's blocks hold (as malloc_usable_size counts them) and their peak: the bench sets
// the peak against the heap's high-water, the difference being holes between blocks.
size_t wasm3_live_bytes, wasm3_live_peak_bytes;

static void *counted(void *block) {
  if (block != NULL) {
    wasm3_live_bytes += malloc_usable_size(block);
    if (wasm3_live_bytes > wasm3_live_peak_bytes) wasm3_live_peak_bytes = wasm3_live_bytes;
  }
  return block;
}

void tk_wasm3_free(void *block) {
  if (block != NULL) wasm3_live_bytes -= malloc_usable_size(block);
  free(block);
}

void *tk_wasm3_calloc(size_t count, size_t bytes) {
  return counted(calloc(count, bytes));
}

void *tk_wasm3_realloc(void *block, size_t bytes) {
  if (block != NULL && bytes <= malloc_usable_size(block)) return block;
  size_t before = block != NULL ? malloc_usable_size(block) : 0;
  void *grown = realloc(block, block != NULL ? bytes + bytes / 4 : bytes);
  if (grown == NULL) return NULL;
  wasm3_live_bytes -= before;
  return counted(grown);
}
