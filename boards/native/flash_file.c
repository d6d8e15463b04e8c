#include "flash_file.h"

#include <stdlib.h>
#include <string.h>

static int in_range(const flash_file *flash, uint32_t offset, uint32_t length) {
  return (uint64_t)offset + (uint64_t)length <= flash->geometry.totalBytes;
}

// Writes [offset, offset + length) of the image through to the file.
static void write_through(flash_file *flash, uint32_t offset, uint32_t length) {
  if (fseek(flash->file, (long)offset, SEEK_SET) != 0 ||
      fwrite(flash->bytes + offset, 1, length, flash->file) != length || fflush(flash->file) != 0) {
    fprintf(stderr, "totpkey-native: writing the flash image failed\n");
    exit(2);
  }
}

const char *flash_file_open(flash_file *flash, const char *path, board_flash_geometry geometry) {
  memset(flash, 0, sizeof *flash);
  flash->geometry = geometry;
  flash->bytes = malloc(geometry.totalBytes);
  if (flash->bytes == NULL) return "out of memory for the flash image";
  flash->file = fopen(path, "r+b");
  if (flash->file == NULL) {
    flash->file = fopen(path, "w+b");
    if (flash->file == NULL) return "cannot create the flash image file";
    memset(flash->bytes, 0xff, geometry.totalBytes);
    write_through(flash, 0, geometry.totalBytes);
    return NULL;
  }
  if (fread(flash->bytes, 1, geometry.totalBytes, flash->file) != geometry.totalBytes || fgetc(flash->file) != EOF) {
    return "the flash image file is not exactly the flash size (2 MiB)";
  }
  return NULL;
}

void flash_file_close(flash_file *flash) {
  if (flash->file) fclose(flash->file);
  free(flash->bytes);
  memset(flash, 0, sizeof *flash);
}

int32_t flash_file_read(const flash_file *flash, uint32_t offset, uint8_t *dst, uint32_t length) {
  if (!in_range(flash, offset, length)) return FLASH_RANGE;
  memcpy(dst, flash->bytes + offset, length);
  return FLASH_OK;
}

int32_t flash_file_program(flash_file *flash, uint32_t offset, const uint8_t *src, uint32_t length) {
  uint32_t pageBytes = flash->geometry.pageBytes;
  if (length == 0 || !in_range(flash, offset, length)) return FLASH_RANGE;
  if (offset / pageBytes != (offset + length - 1) / pageBytes) return FLASH_RANGE;
  int32_t status = FLASH_OK;
  for (uint32_t i = 0; i < length; i++) {
    if ((uint8_t)(~flash->bytes[offset + i] & src[i]) != 0) status = FLASH_SET_BIT;
  }
  if (status == FLASH_SET_BIT) flash->setBitViolations++;
  // Real NOR keeps old AND new, whatever was asked.
  for (uint32_t i = 0; i < length; i++) flash->bytes[offset + i] &= src[i];
  flash->programs++;
  write_through(flash, offset, length);
  return status;
}

int32_t flash_file_erase(flash_file *flash, uint32_t offset) {
  uint32_t sectorBytes = flash->geometry.sectorBytes;
  if (offset % sectorBytes != 0 || !in_range(flash, offset, sectorBytes)) return FLASH_RANGE;
  memset(flash->bytes + offset, 0xff, sectorBytes);
  flash->erases++;
  write_through(flash, offset, sectorBytes);
  return FLASH_OK;
}
