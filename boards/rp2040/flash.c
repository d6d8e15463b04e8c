// Flash erase/program through the bootrom's flash functions (datasheet 2.8.3.1.3), found through
// the bootrom's lookup table. While the flash is in command mode XIP is gone, so the code that runs
// between exit and re-entry lives in RAM (.time_critical), touches no flash, and runs with
// interrupts off. XIP comes back through our own boot2, copied to RAM at init.
#include <string.h>
#include "rp2040_board.h"
#include "regs.h"

typedef void *(*rom_table_lookup_fn)(const uint16_t *table, uint32_t code);
typedef void (*rom_void_fn)(void);
typedef void (*rom_erase_fn)(uint32_t offset, size_t count, uint32_t block_bytes, uint8_t block_command);
typedef void (*rom_program_fn)(uint32_t offset, const uint8_t *data, size_t count);

#define SECTOR_ERASE_COMMAND 0x20u // W25Q "sector erase (4 KiB)"
#define BOOT2_BYTES 256u

static struct {
  rom_void_fn connect_internal_flash;
  rom_void_fn exit_xip;
  rom_erase_fn range_erase;
  rom_program_fn range_program;
  rom_void_fn flush_cache;
} rom;
// boot2 restores our XIP setup when called with a return address; 4-byte aligned Thumb code.
static uint32_t boot2_copy[BOOT2_BYTES / 4];
static uint8_t page_buffer[FLASH_PAGE_BYTES];

// The table pointers sit near address 0, which C treats as a null-pointer access: read them with
// an explicit halfword load.
static uint32_t rom_halfword(uint32_t address) {
  uint32_t value;
  __asm volatile("ldrh %0, [%1]" : "=l"(value) : "l"(address));
  return value;
}

static void *rom_function(uint32_t code) {
  uint32_t lookup_address = rom_halfword(BOOTROM_TABLE_LOOKUP_PTR);
  uint32_t table_address = rom_halfword(BOOTROM_FUNC_TABLE_PTR);
  rom_table_lookup_fn lookup = (rom_table_lookup_fn)lookup_address;
  return lookup((const uint16_t *)table_address, code);
}

void flash_init(void) {
  rom.connect_internal_flash = (rom_void_fn)rom_function(ROM_CODE('I', 'F'));
  rom.exit_xip = (rom_void_fn)rom_function(ROM_CODE('E', 'X'));
  rom.range_erase = (rom_erase_fn)rom_function(ROM_CODE('R', 'E'));
  rom.range_program = (rom_program_fn)rom_function(ROM_CODE('R', 'P'));
  rom.flush_cache = (rom_void_fn)rom_function(ROM_CODE('F', 'C'));
  memcpy(boot2_copy, (const void *)XIP_BASE, BOOT2_BYTES);
}

static bool in_range(uint32_t offset, uint32_t length) {
  return offset <= FLASH_TOTAL_BYTES && length <= FLASH_TOTAL_BYTES - offset;
}

// Runs from RAM. `erase` selects the operation; everything it calls is ROM or RAM.
__attribute__((section(".time_critical.flash_operation"), noinline)) static void
flash_operation(bool erase, uint32_t offset) {
  __asm volatile("cpsid i" ::: "memory");
  rom.connect_internal_flash();
  rom.exit_xip();
  if (erase) {
    rom.range_erase(offset, FLASH_SECTOR_BYTES, FLASH_SECTOR_BYTES, SECTOR_ERASE_COMMAND);
  } else {
    rom.range_program(offset, page_buffer, FLASH_PAGE_BYTES);
  }
  rom.flush_cache();
  ((rom_void_fn)((uintptr_t)boot2_copy | 1u))();
  __asm volatile("cpsie i" ::: "memory");
}

int flash_read(uint32_t offset, uint8_t *destination, uint32_t length) {
  if (!in_range(offset, length)) return -1;
  memcpy(destination, (const uint8_t *)(XIP_BASE + offset), length);
  return 0;
}

int flash_program(uint32_t offset, const uint8_t *source, uint32_t length) {
  if (length == 0 || length > FLASH_PAGE_BYTES || !in_range(offset, length)) return -1;
  uint32_t page_start = offset & ~(FLASH_PAGE_BYTES - 1u);
  uint32_t within = offset - page_start;
  if (within + length > FLASH_PAGE_BYTES) return -1;
  if (page_start < STORE_REGION_OFFSET) return -1; // never overwrite the image
  // The bootrom programs whole pages; 0xFF elsewhere leaves those bytes as they are (NOR).
  const uint8_t *current = (const uint8_t *)(XIP_BASE + offset);
  int status = 0;
  for (uint32_t i = 0; i < length; i++) {
    if ((uint8_t)(~current[i] & source[i]) != 0) status = -2;
  }
  memset(page_buffer, 0xff, sizeof page_buffer);
  memcpy(page_buffer + within, source, length);
  flash_operation(false, page_start);
  return status;
}

int flash_erase(uint32_t offset) {
  if ((offset % FLASH_SECTOR_BYTES) != 0 || !in_range(offset, FLASH_SECTOR_BYTES)) return -1;
  if (offset < STORE_REGION_OFFSET) return -1;
  flash_operation(true, offset);
  return 0;
}
