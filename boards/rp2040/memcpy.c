// memcpy for wasm3 (its memory.copy and call frames): newlib-nano's is built for size and copies a
// byte at a time; profiling CALCULATE ALL in the emulator put it at 15 % of all instructions. This
// one copies words when both pointers share their alignment. The attribute keeps GCC from turning
// the byte loops back into a call to memcpy.
#include <stddef.h>
#include <stdint.h>

__attribute__((optimize("no-tree-loop-distribute-patterns"))) void *memcpy(void *restrict destination,
                                                                          const void *restrict source,
                                                                          size_t length) {
  uint8_t *to = destination;
  const uint8_t *from = source;
  if ((((uintptr_t)to ^ (uintptr_t)from) & 3u) == 0) {
    while (length > 0 && ((uintptr_t)to & 3u) != 0) {
      *to++ = *from++;
      length--;
    }
    uint32_t *to_words = (uint32_t *)to;
    const uint32_t *from_words = (const uint32_t *)from;
    for (; length >= 16; length -= 16, to_words += 4, from_words += 4) {
      to_words[0] = from_words[0];
      to_words[1] = from_words[1];
      to_words[2] = from_words[2];
      to_words[3] = from_words[3];
    }
    for (; length >= 4; length -= 4) *to_words++ = *from_words++;
    to = (uint8_t *)to_words;
    from = (const uint8_t *)from_words;
  }
  while (length-- > 0) *to++ = *from++;
  return destination;
}
