// Vector table and reset handler: copy .data (and the RAM-resident flash code) from flash, zero
// .bss and the unused stack (stack_guard.c watches its lowest bytes), then main(). boot2 has already set VTOR to this table and loaded the stack pointer.
#include <stdint.h>
#include "rp2040_board.h"

extern uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end, __stack_limit, __stack_top;
int main(void);
void reset_handler(void);

// Faults and stray interrupts stop here; the watchdog (once armed) turns that into a reset.
static void unexpected_exception(void) {
  for (;;) __asm volatile("wfi");
}

void default_irq(void) { unexpected_exception(); }
void isr_usbctrl(void) __attribute__((weak, alias("default_irq")));
void isr_timer0(void) __attribute__((weak, alias("default_irq")));
void isr_io_bank0(void) __attribute__((weak, alias("default_irq")));

#define IRQ_COUNT 32
#define IRQ_TIMER_0 0
#define IRQ_USBCTRL 5
#define IRQ_IO_BANK0 13

typedef void (*vector_t)(void);
__attribute__((section(".vectors"), used)) const vector_t vector_table[16 + IRQ_COUNT] = {
    [2 ... 16 + IRQ_COUNT - 1] = default_irq,
    [0] = (vector_t)&__stack_top,
    [1] = reset_handler,
    [2] = unexpected_exception,  // NMI
    [3] = unexpected_exception,  // HardFault
    [11] = unexpected_exception, // SVCall
    [14] = unexpected_exception, // PendSV
    [15] = unexpected_exception, // SysTick
    [16 + IRQ_TIMER_0] = isr_timer0,
    [16 + IRQ_USBCTRL] = isr_usbctrl,
    [16 + IRQ_IO_BANK0] = isr_io_bank0,
};

void reset_handler(void) {
  uint32_t *source = &__data_load;
  for (uint32_t *target = &__data_start; target < &__data_end;) *target++ = *source++;
  for (uint32_t *target = &__bss_start; target < &__bss_end;) *target++ = 0;
  // The stack below this function's frame (it uses a few words at the top): zero, so its lowest
  // word ever written marks the high-water on a chip as in the emulator.
  uint32_t *frame_floor = (uint32_t *)((uintptr_t)&__stack_top - 256u);
  for (uint32_t *target = &__stack_limit; target < frame_floor;) *target++ = 0;
  main();
  unexpected_exception();
}
