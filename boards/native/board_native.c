#include "board_native.h"

#include <string.h>

#include "board.h"
#include "output.h"

native_board nativeBoard;

void native_board_reset(void) {
  flash_file flash = nativeBoard.flash;
  memset(&nativeBoard, 0, sizeof nativeBoard);
  nativeBoard.flash = flash;
  nativeBoard.randomState = NATIVE_RANDOM_SEED;
  nativeBoard.entropyAvailable = 1;
}

void native_rtc_set(int64_t seconds) {
  nativeBoard.rtcValid = 1;
  nativeBoard.rtcBaseSeconds = seconds;
  nativeBoard.rtcBaseMs = nativeBoard.nowMs;
}

void native_rtc_clear(void) {
  nativeBoard.rtcValid = 0;
}

board_flash_geometry board_flash_geometry_get(void) {
  return nativeBoard.flash.geometry;
}

int32_t board_flash_read(uint32_t offset, uint8_t *dst, uint32_t length) {
  return flash_file_read(&nativeBoard.flash, offset, dst, length);
}

int32_t board_flash_program(uint32_t offset, const uint8_t *src, uint32_t length) {
  return flash_file_program(&nativeBoard.flash, offset, src, length);
}

int32_t board_flash_erase(uint32_t offset) {
  return flash_file_erase(&nativeBoard.flash, offset);
}

int64_t board_now_ms(void) {
  return nativeBoard.nowMs;
}

int64_t board_rtc_read(void) {
  if (!nativeBoard.rtcValid) return -1;
  return nativeBoard.rtcBaseSeconds + (nativeBoard.nowMs - nativeBoard.rtcBaseMs) / 1000;
}

int32_t board_rtc_write(int64_t seconds) {
  native_rtc_set(seconds);
  return 0;
}

int32_t board_random_fill(uint8_t *dst, uint32_t length) {
  if (!nativeBoard.entropyAvailable) return -1;
  uint32_t state = nativeBoard.randomState;
  for (uint32_t i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    dst[i] = (uint8_t)state;
  }
  nativeBoard.randomState = state;
  return 0;
}

int32_t board_keyboard_report(const uint8_t *report, uint32_t length) {
  if (nativeBoard.keyboardAnswer == 0) output_keyboard(report, length);
  return nativeBoard.keyboardAnswer;
}

void board_display_frame(const uint8_t *frame, uint32_t length, uint32_t widthPx, uint32_t heightPx) {
  output_frame(frame, length, widthPx, heightPx);
}

void board_apdu_response(const uint8_t *response, uint32_t length) {
  output_apdu_response(response, length);
}

void board_log(uint32_t level, const uint8_t *text, uint32_t length) {
  output_log(level, text, length);
}

void board_panic(const uint8_t *message, uint32_t length, uint32_t line) {
  // The scenario prints "stopped panic ..." when the call returns; nothing to do here.
  (void)message; (void)length; (void)line;
}

const char *board_host_name(void) {
  return "native 0.1.0";
}
