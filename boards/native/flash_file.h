// A NOR flash backed by a file: the same rules as host-sim/flash.ts (NorFlash), with the Pico's
// geometry. The image lives in RAM and every program/erase is written through to the file, so the
// store survives between runs of the native host as it survives a power cycle on the board.
#ifndef TOTPKEY_FLASH_FILE_H
#define TOTPKEY_FLASH_FILE_H

#include <stdint.h>
#include <stdio.h>

#include "board.h"

#define FLASH_OK 0
#define FLASH_RANGE (-1)
#define FLASH_SET_BIT (-2)

typedef struct {
  board_flash_geometry geometry;
  uint8_t *bytes;
  FILE *file;
  uint64_t programs;
  uint64_t erases;
  /** Program calls that tried to turn a 0 bit into 1: a module bug on real NOR. */
  uint64_t setBitViolations;
} flash_file;

/** Opens `path`, creating it erased (all 0xFF) when missing. NULL, or why it failed. */
const char *flash_file_open(flash_file *flash, const char *path, board_flash_geometry geometry);
void flash_file_close(flash_file *flash);

int32_t flash_file_read(const flash_file *flash, uint32_t offset, uint8_t *dst, uint32_t length);
int32_t flash_file_program(flash_file *flash, uint32_t offset, const uint8_t *src, uint32_t length);
int32_t flash_file_erase(flash_file *flash, uint32_t offset);

#endif
