// The C library's heap (wasm3 allocates its runtime, compiled code and the module's 64 KiB memory
// there): between the end of .bss and the stack, as the linker script lays them out. Running out
// returns NULL (wasm3 then reports out of memory) instead of growing into the stack.
#include <errno.h>
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
