// Included (-include) into wasm3's sources for the RP2040 only. wasm3 reads and writes linear memory
// through memcpy (unaligned access is allowed in wasm), and a Cortex-M0+ cannot do unaligned loads,
// so GCC calls memcpy for every wasm load and store. Profiling CALCULATE ALL showed memcpy at 15-21 %
// of all instructions: this routes the small fixed sizes to one aligned access when the address is
// aligned (almost always, for AssemblyScript code), and to memcpy otherwise.
#ifndef TOTPKEY_WASM3_RP2040_H
#define TOTPKEY_WASM3_RP2040_H
#include <stdint.h>
#include <string.h>

static inline __attribute__((always_inline)) void *tk_small_memcpy(void *destination, const void *source, size_t length) {
  uintptr_t both = (uintptr_t)destination | (uintptr_t)source;
  if (__builtin_constant_p(length)) {
    if (length == 4 && (both & 3u) == 0) {
      *(uint32_t *)destination = *(const uint32_t *)source;
      return destination;
    }
    if (length == 8 && (both & 3u) == 0) {
      ((uint32_t *)destination)[0] = ((const uint32_t *)source)[0];
      ((uint32_t *)destination)[1] = ((const uint32_t *)source)[1];
      return destination;
    }
    if (length == 2 && (both & 1u) == 0) {
      *(uint16_t *)destination = *(const uint16_t *)source;
      return destination;
    }
    if (length == 1) {
      *(uint8_t *)destination = *(const uint8_t *)source;
      return destination;
    }
  }
  return memcpy(destination, source, length);
}
#define memcpy(destination, source, length) tk_small_memcpy((destination), (source), (length))

// wasm3's allocations (only m3_core.c makes them) go through boards/rp2040/syscalls.c, which counts
// the bytes they hold and grows arrays with headroom.
#include <stdlib.h>
void *tk_wasm3_calloc(size_t count, size_t bytes);
void *tk_wasm3_realloc(void *block, size_t bytes);
void tk_wasm3_free(void *block);
#define calloc(count, bytes) tk_wasm3_calloc((count), (bytes))
#define realloc(block, bytes) tk_wasm3_realloc((block), (bytes))
#define free(block) tk_wasm3_free((block))

#endif
