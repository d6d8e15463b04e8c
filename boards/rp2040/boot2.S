// Second-stage boot for a W25Q-class flash (RP2040 datasheet 2.8.1.3, 4.10 SSI).
// The bootrom copies flash bytes 0..255 to SRAM 0x20041f00, checks the CRC32 in the last 4 bytes
// and enters here with LR = 0. We set the XIP SSI to serial "03h" reads (every W25Q accepts it;
// no status-register writes needed, so nothing can brick the part), then start the image through
// its vector table at 0x10000100. Called again from RAM after a flash operation (LR != 0) it
// only restores XIP and returns. Must stay <= 252 bytes; the build appends the CRC.
    .syntax unified
    .cpu cortex-m0plus
    .thumb
    .section .boot2_code, "ax"

    .equ SSI_BASE, 0x18000000
    .equ SSI_CTRLR0, 0x00
    .equ SSI_CTRLR1, 0x04
    .equ SSI_SSIENR, 0x08
    .equ SSI_BAUDR, 0x14
    .equ SSI_SPI_CTRLR0, 0xf4
    // CTRLR0: 32-bit frames (DFS_32 = 31, bits 20:16), TMOD = 3 EEPROM read (bits 9:8).
    .equ CTRLR0_XIP, (31 << 16) | (3 << 8)
    // SPI_CTRLR0: XIP_CMD 0x03 (bits 31:24), INST_L 8 bits (2, bits 9:8), ADDR_L 24 bits
    // (6 nibbles, bits 5:2), TRANS_TYPE 0 (command and address both on one line).
    .equ SPI_CTRLR0_XIP, (0x03 << 24) | (2 << 8) | (6 << 2)
    // clk_sys / 4: 31.25 MHz at 125 MHz, well under the 03h command's 50 MHz limit.
    .equ BAUD_DIVIDER, 4
    .equ VTOR, 0xe000ed08
    .equ IMAGE_VECTORS, 0x10000100

    .global boot2_entry
    .type boot2_entry, %function
    .thumb_func
boot2_entry:
    push {lr}
    ldr r3, =SSI_BASE
    movs r1, #0
    str r1, [r3, #SSI_SSIENR]       // the SSI is configured only while disabled
    movs r1, #BAUD_DIVIDER
    str r1, [r3, #SSI_BAUDR]
    ldr r1, =CTRLR0_XIP
    str r1, [r3, #SSI_CTRLR0]
    movs r1, #0
    str r1, [r3, #SSI_CTRLR1]       // one data frame per XIP access
    ldr r1, =SPI_CTRLR0_XIP
    ldr r0, =(SSI_BASE + SSI_SPI_CTRLR0)
    str r1, [r0]
    movs r1, #1
    str r1, [r3, #SSI_SSIENR]
    pop {r0}
    cmp r0, #0
    beq start_image
    bx r0                            // called as a function: XIP is back, return
start_image:
    ldr r0, =IMAGE_VECTORS
    ldr r1, =VTOR
    str r0, [r1]
    ldmia r0, {r0, r1}               // initial stack pointer, reset handler
    msr msp, r0
    bx r1
    .ltorg
