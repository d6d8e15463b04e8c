// RP2040 register addresses and bit fields used by this board, from the RP2040 datasheet
// (chapter 2 "System description" and chapter 4 "Peripherals"). Only what the firmware touches.
#ifndef TOTPKEY_RP2040_REGS_H
#define TOTPKEY_RP2040_REGS_H
#include <stdint.h>

#define REG32(address) (*(volatile uint32_t *)(address))
// Every APB/AHB peripheral has atomic aliases: +0x1000 XOR, +0x2000 set bits, +0x3000 clear bits.
#define ALIAS_SET 0x2000u
#define ALIAS_CLR 0x3000u
#define REG_SET(address) REG32((address) + ALIAS_SET)
#define REG_CLR(address) REG32((address) + ALIAS_CLR)

// ---- Resets (2.14) -----------------------------------------------------------------------------
#define RESETS_BASE 0x4000c000u
#define RESETS_RESET (RESETS_BASE + 0x0)
#define RESETS_RESET_DONE (RESETS_BASE + 0x8)
#define RESET_I2C0 (1u << 3)
#define RESET_IO_BANK0 (1u << 5)
#define RESET_PADS_BANK0 (1u << 8)
#define RESET_PLL_SYS (1u << 12)
#define RESET_PLL_USB (1u << 13)
#define RESET_TIMER (1u << 21)
#define RESET_USBCTRL (1u << 24)

// ---- Power-on state machine (2.13): what a watchdog reset resets --------------------------------
#define PSM_BASE 0x40010000u
#define PSM_WDSEL (PSM_BASE + 0x8)
#define PSM_ROSC (1u << 0)
#define PSM_XOSC (1u << 1)
#define PSM_ALL 0x1ffffu

// ---- Crystal oscillator (2.16) ------------------------------------------------------------------
#define XOSC_BASE 0x40024000u
#define XOSC_CTRL (XOSC_BASE + 0x00)
#define XOSC_STATUS (XOSC_BASE + 0x04)
#define XOSC_STARTUP (XOSC_BASE + 0x0c)
#define XOSC_CTRL_FREQ_1_15MHZ 0xaa0u
#define XOSC_CTRL_ENABLE (0xfabu << 12)
#define XOSC_STATUS_STABLE (1u << 31)

// ---- PLLs (2.18) --------------------------------------------------------------------------------
#define PLL_SYS_BASE 0x40028000u
#define PLL_USB_BASE 0x4002c000u
#define PLL_CS 0x0
#define PLL_PWR 0x4
#define PLL_FBDIV_INT 0x8
#define PLL_PRIM 0xc
#define PLL_CS_LOCK (1u << 31)
#define PLL_PWR_PD (1u << 0)
#define PLL_PWR_POSTDIVPD (1u << 3)
#define PLL_PWR_VCOPD (1u << 5)
#define PLL_PRIM_POSTDIV1_LSB 16
#define PLL_PRIM_POSTDIV2_LSB 12

// ---- Clock generators (2.15) --------------------------------------------------------------------
#define CLOCKS_BASE 0x40008000u
#define CLK_REF_CTRL (CLOCKS_BASE + 0x30)
#define CLK_REF_DIV (CLOCKS_BASE + 0x34)
#define CLK_REF_SELECTED (CLOCKS_BASE + 0x38)
#define CLK_SYS_CTRL (CLOCKS_BASE + 0x3c)
#define CLK_SYS_DIV (CLOCKS_BASE + 0x40)
#define CLK_SYS_SELECTED (CLOCKS_BASE + 0x44)
#define CLK_PERI_CTRL (CLOCKS_BASE + 0x48)
#define CLK_USB_CTRL (CLOCKS_BASE + 0x54)
#define CLK_USB_DIV (CLOCKS_BASE + 0x58)
#define CLK_SYS_RESUS_CTRL (CLOCKS_BASE + 0x78)
#define CLK_CTRL_ENABLE (1u << 11)
#define CLK_CTRL_AUXSRC_LSB 5
#define CLK_REF_SRC_XOSC 2u
#define CLK_SYS_SRC_REF 0u
#define CLK_SYS_SRC_AUX 1u
#define CLK_DIV_INT_LSB 8

// ---- Watchdog (4.7) and the tick that feeds the timer -------------------------------------------
#define WATCHDOG_BASE 0x40058000u
#define WATCHDOG_CTRL (WATCHDOG_BASE + 0x00)
#define WATCHDOG_LOAD (WATCHDOG_BASE + 0x04)
#define WATCHDOG_REASON (WATCHDOG_BASE + 0x08)
#define WATCHDOG_SCRATCH0 (WATCHDOG_BASE + 0x0c)
#define WATCHDOG_TICK (WATCHDOG_BASE + 0x2c)
#define WATCHDOG_CTRL_TRIGGER (1u << 31)
#define WATCHDOG_CTRL_ENABLE (1u << 30)
#define WATCHDOG_CTRL_PAUSE_DBG0 (1u << 25)
#define WATCHDOG_CTRL_PAUSE_DBG1 (1u << 26)
#define WATCHDOG_CTRL_PAUSE_JTAG (1u << 24)
#define WATCHDOG_TICK_ENABLE (1u << 9)

// ---- Timer (4.6): a 64-bit microsecond counter --------------------------------------------------
#define TIMER_BASE 0x40054000u
#define TIMER_TIMEHR (TIMER_BASE + 0x08)
#define TIMER_TIMELR (TIMER_BASE + 0x0c)
#define TIMER_TIMERAWH (TIMER_BASE + 0x24)
#define TIMER_TIMERAWL (TIMER_BASE + 0x28)
#define TIMER_ALARM0 (TIMER_BASE + 0x10)
#define TIMER_INTR (TIMER_BASE + 0x34)
#define TIMER_INTE (TIMER_BASE + 0x38)
#define IRQ_TIMER_0 0u
#define IRQ_USBCTRL 5u
#define IRQ_IO_BANK0 13u
#define NVIC_ISER 0xe000e100u
#define NVIC_ICER 0xe000e180u

// ---- GPIO (2.19): function select, pads, and the single-cycle IO block --------------------------
#define IO_BANK0_BASE 0x40014000u
#define GPIO_CTRL(pin) (IO_BANK0_BASE + 8u * (pin) + 4u)
// Raw interrupt status and processor 0's enables: 4 bits per pin (level low/high, edge low/high), 8 pins a word.
#define IO_BANK0_INTR(pin) (IO_BANK0_BASE + 0xf0u + 4u * ((pin) / 8u))
#define IO_BANK0_PROC0_INTE(pin) (IO_BANK0_BASE + 0x100u + 4u * ((pin) / 8u))
#define GPIO_EDGES(pin) (0xcu << (4u * ((pin) % 8u)))
#define GPIO_FUNC_I2C 3u
#define GPIO_FUNC_SIO 5u
#define PADS_BANK0_BASE 0x4001c000u
#define PADS_GPIO(pin) (PADS_BANK0_BASE + 4u + 4u * (pin))
#define PAD_SLEWFAST (1u << 0)
#define PAD_SCHMITT (1u << 1)
#define PAD_PDE (1u << 2)
#define PAD_PUE (1u << 3)
#define PAD_DRIVE_4MA (1u << 4)
#define PAD_IE (1u << 6)
#define PAD_OD (1u << 7)
#define SIO_BASE 0xd0000000u
#define SIO_GPIO_IN (SIO_BASE + 0x04)
#define SIO_GPIO_OE_CLR (SIO_BASE + 0x28)

// ---- UART (4.2, a PL011) ----------------------------------------------------------------------
#define UART0_BASE 0x40034000u
#define UART_DR 0x00
#define UART_FR 0x18
#define UART_IBRD 0x24
#define UART_FBRD 0x28
#define UART_LCR_H 0x2c
#define UART_CR 0x30
#define UART_FR_TXFF (1u << 5)
#define UART_LCR_H_WLEN_8 (3u << 5)
#define UART_LCR_H_FEN (1u << 4)
#define UART_CR_UARTEN (1u << 0)
#define UART_CR_TXE (1u << 8)
#define RESET_UART0 (1u << 22)
#define GPIO_FUNC_UART 2u

// ---- I2C (4.3, a DW_apb_i2c) ---------------------------------------------------------------------
#define I2C0_BASE 0x40044000u
#define IC_CON 0x00
#define IC_TAR 0x04
#define IC_DATA_CMD 0x10
#define IC_FS_SCL_HCNT 0x1c
#define IC_FS_SCL_LCNT 0x20
#define IC_RAW_INTR_STAT 0x34
#define IC_CLR_TX_ABRT 0x54
#define IC_CLR_STOP_DET 0x60
#define IC_ENABLE 0x6c
#define IC_STATUS 0x70
#define IC_RXFLR 0x78
#define IC_SDA_HOLD 0x7c
#define IC_TX_ABRT_SOURCE 0x80
#define IC_FS_SPKLEN 0xa0
#define IC_CON_MASTER_MODE (1u << 0)
#define IC_CON_SPEED_FAST (2u << 1)
#define IC_CON_RESTART_EN (1u << 5)
#define IC_CON_SLAVE_DISABLE (1u << 6)
#define IC_CON_TX_EMPTY_CTRL (1u << 8)
#define IC_DATA_CMD_READ (1u << 8)
#define IC_DATA_CMD_STOP (1u << 9)
#define IC_DATA_CMD_RESTART (1u << 10)
#define IC_INTR_TX_ABRT (1u << 6)
#define IC_INTR_STOP_DET (1u << 9)
#define IC_STATUS_TFNF (1u << 1)
#define IC_STATUS_TFE (1u << 2)

// ---- Bootrom (2.8.3): the lookup table of public functions -------------------------------------
#define BOOTROM_FUNC_TABLE_PTR 0x14u
#define BOOTROM_TABLE_LOOKUP_PTR 0x18u
#define ROM_CODE(first, second) ((uint32_t)(first) | ((uint32_t)(second) << 8))

// ---- Cortex-M0+ system control ----------------------------------------------------------------
#define PPB_VTOR 0xe000ed08u

// ---- USB controller (4.1) ------------------------------------------------------------------------
#define USBCTRL_DPRAM_BASE 0x50100000u
#define USBCTRL_REGS_BASE 0x50110000u
#define USB_ADDR_ENDP (USBCTRL_REGS_BASE + 0x00)
#define USB_MAIN_CTRL (USBCTRL_REGS_BASE + 0x40)
#define USB_SIE_CTRL (USBCTRL_REGS_BASE + 0x4c)
#define USB_SIE_STATUS (USBCTRL_REGS_BASE + 0x50)
#define USB_BUFF_STATUS (USBCTRL_REGS_BASE + 0x58)
#define USB_EP_STALL_ARM (USBCTRL_REGS_BASE + 0x68)
#define USB_USB_MUXING (USBCTRL_REGS_BASE + 0x74)
#define USB_USB_PWR (USBCTRL_REGS_BASE + 0x78)
#define USB_INTR (USBCTRL_REGS_BASE + 0x8c)
#define USB_INTE (USBCTRL_REGS_BASE + 0x90)
#define USB_MAIN_CTRL_CONTROLLER_EN (1u << 0)
#define USB_SIE_CTRL_EP0_INT_1BUF (1u << 29)
#define USB_SIE_CTRL_PULLUP_EN (1u << 16)
#define USB_SIE_STATUS_SETUP_REC (1u << 17)
#define USB_SIE_STATUS_BUS_RESET (1u << 19)
#define USB_MUXING_TO_PHY (1u << 0)
#define USB_MUXING_SOFTCON (1u << 3)
#define USB_PWR_VBUS_DETECT (1u << 2)
#define USB_PWR_VBUS_DETECT_OVERRIDE_EN (1u << 3)
#define USB_INTR_BUFF_STATUS (1u << 4)
#define USB_INTR_BUS_RESET (1u << 12)
#define USB_INTR_SETUP_REQ (1u << 16)
// DPRAM layout in device mode.
#define USB_DPRAM_SETUP_PACKET (USBCTRL_DPRAM_BASE + 0x000)
#define USB_DPRAM_EP_CTRL(ep, out) (USBCTRL_DPRAM_BASE + 0x08u + 8u * ((ep) - 1u) + ((out) ? 4u : 0u))
#define USB_DPRAM_BUF_CTRL(ep, out) (USBCTRL_DPRAM_BASE + 0x80u + 8u * (ep) + ((out) ? 4u : 0u))
#define USB_DPRAM_EP0_BUFFER 0x100u
#define USB_DPRAM_FIRST_FREE 0x180u
#define USB_EP_CTRL_ENABLE (1u << 31)
#define USB_EP_CTRL_INT_PER_BUFFER (1u << 29)
#define USB_EP_CTRL_TYPE_LSB 26
#define USB_BUF_CTRL_FULL (1u << 15)
#define USB_BUF_CTRL_LAST (1u << 14)
#define USB_BUF_CTRL_DATA1 (1u << 13)
#define USB_BUF_CTRL_STALL (1u << 11)
#define USB_BUF_CTRL_AVAILABLE (1u << 10)
#define USB_BUF_CTRL_LEN_MASK 0x3ffu

#endif
