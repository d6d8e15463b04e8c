// Clock tree (datasheet 2.15-2.18): XOSC 12 MHz -> clk_ref; PLL_SYS 1500 MHz VCO / 6 / 2 = 125 MHz
// -> clk_sys and clk_peri; PLL_USB 1200 MHz VCO / 5 / 5 = 48 MHz -> clk_usb; a 1 MHz tick for the
// timer from clk_ref through the watchdog's tick generator.
#include "rp2040_board.h"
#include "regs.h"

static void reset_cycle(uint32_t bits) {
  REG_SET(RESETS_RESET) = bits;
  REG_CLR(RESETS_RESET) = bits;
  while ((REG32(RESETS_RESET_DONE) & bits) != bits) {
  }
}

// VCO = 12 MHz * fbdiv (refdiv 1) must stay in 750..1600 MHz; output = VCO / postdiv1 / postdiv2.
static void pll_start(uint32_t base, uint32_t reset_bit, uint32_t fbdiv, uint32_t postdiv1,
                      uint32_t postdiv2) {
  reset_cycle(reset_bit);
  REG32(base + PLL_CS) = 1; // refdiv
  REG32(base + PLL_FBDIV_INT) = fbdiv;
  REG_CLR(base + PLL_PWR) = PLL_PWR_PD | PLL_PWR_VCOPD;
  while ((REG32(base + PLL_CS) & PLL_CS_LOCK) == 0) {
  }
  REG32(base + PLL_PRIM) = (postdiv1 << PLL_PRIM_POSTDIV1_LSB) | (postdiv2 << PLL_PRIM_POSTDIV2_LSB);
  REG_CLR(base + PLL_PWR) = PLL_PWR_POSTDIVPD;
}

void clocks_init(void) {
  REG32(CLK_SYS_RESUS_CTRL) = 0;

  // XOSC: startup delay in units of 256 reference cycles, about 1 ms at 12 MHz.
  REG32(XOSC_CTRL) = XOSC_CTRL_FREQ_1_15MHZ;
  REG32(XOSC_STARTUP) = (XOSC_HZ / 1000u + 128u) / 256u;
  REG_SET(XOSC_CTRL) = XOSC_CTRL_ENABLE;
  while ((REG32(XOSC_STATUS) & XOSC_STATUS_STABLE) == 0) {
  }

  // Run clk_sys from clk_ref (glitchless mux) while the PLLs are reprogrammed; clk_ref from XOSC.
  REG_CLR(CLK_SYS_CTRL) = 1u; // SRC = clk_ref
  while (REG32(CLK_SYS_SELECTED) != (1u << CLK_SYS_SRC_REF)) {
  }
  REG32(CLK_REF_CTRL) = CLK_REF_SRC_XOSC;
  REG32(CLK_REF_DIV) = 1u << CLK_DIV_INT_LSB;
  while (REG32(CLK_REF_SELECTED) != (1u << CLK_REF_SRC_XOSC)) {
  }

  pll_start(PLL_SYS_BASE, RESET_PLL_SYS, 125, 6, 2);
  pll_start(PLL_USB_BASE, RESET_PLL_USB, 100, 5, 5);

  // clk_sys: AUXSRC pll_sys (0), then switch SRC to the aux mux.
  REG32(CLK_SYS_DIV) = 1u << CLK_DIV_INT_LSB;
  REG32(CLK_SYS_CTRL) = (0u << CLK_CTRL_AUXSRC_LSB) | CLK_SYS_SRC_AUX;
  while (REG32(CLK_SYS_SELECTED) != (1u << CLK_SYS_SRC_AUX)) {
  }
  // clk_usb from pll_usb (AUXSRC 0), clk_peri from clk_sys (AUXSRC 0).
  REG32(CLK_USB_DIV) = 1u << CLK_DIV_INT_LSB;
  REG32(CLK_USB_CTRL) = CLK_CTRL_ENABLE | (0u << CLK_CTRL_AUXSRC_LSB);
  REG32(CLK_PERI_CTRL) = CLK_CTRL_ENABLE | (0u << CLK_CTRL_AUXSRC_LSB);

  // Timer tick: one per microsecond (clk_ref cycles per tick).
  REG32(WATCHDOG_TICK) = WATCHDOG_TICK_ENABLE | (XOSC_HZ / 1000000u);
  reset_cycle(RESET_TIMER);
}
