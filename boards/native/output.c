#include "output.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

typedef struct {
  char *text;
  size_t used, capacity;
} text_buffer;

static int holding;
static text_buffer heldLogs, heldKeyboards, heldResponses;
static char *heldFrame;

static void append(text_buffer *buffer, const char *line) {
  size_t length = strlen(line);
  if (buffer->used + length + 1 > buffer->capacity) {
    size_t capacity = buffer->capacity ? buffer->capacity : 256;
    while (buffer->used + length + 1 > capacity) capacity *= 2;
    buffer->text = realloc(buffer->text, capacity);
    if (buffer->text == NULL) abort();
    buffer->capacity = capacity;
  }
  memcpy(buffer->text + buffer->used, line, length + 1);
  buffer->used += length;
}

// Prints `line` (ending in '\n') now, or holds it in `buffer` while booting.
static void emit(text_buffer *buffer, const char *line) {
  if (holding) {
    append(buffer, line);
  } else {
    fputs(line, stdout);
    fflush(stdout);
  }
}

void output_hold_for_boot(void) {
  holding = 1;
}

void output_release_boot(int keep) {
  holding = 0;
  text_buffer *groups[] = {&heldLogs, &heldKeyboards, &heldResponses};
  for (size_t i = 0; i < 3; i++) {
    if (keep && groups[i]->used) fputs(groups[i]->text, stdout);
    groups[i]->used = 0;
  }
  if (keep && heldFrame) fputs(heldFrame, stdout);
  free(heldFrame);
  heldFrame = NULL;
  fflush(stdout);
}

void output_escape(char *out, const uint8_t *bytes, uint32_t length) {
  for (uint32_t i = 0; i < length; i++) {
    uint8_t byte = bytes[i];
    if (byte == '\\') {
      *out++ = '\\';
      *out++ = '\\';
    } else if (byte >= 0x20 && byte < 0x7f) {
      *out++ = (char)byte;
    } else {
      out += sprintf(out, "\\x%02x", byte);
    }
  }
  *out = 0;
}

void output_hex(char *out, const uint8_t *bytes, uint32_t length) {
  for (uint32_t i = 0; i < length; i++) sprintf(out + 2 * i, "%02x", bytes[i]);
  out[2 * length] = 0;
}

// "<prefix> <hex>\n" in a fresh buffer.
static char *hex_line(const char *prefix, const uint8_t *bytes, uint32_t length) {
  char *line = malloc(strlen(prefix) + 2 * (size_t)length + 3);
  if (line == NULL) abort();
  size_t at = (size_t)sprintf(line, "%s ", prefix);
  output_hex(line + at, bytes, length);
  strcat(line, "\n");
  return line;
}

void output_log(uint32_t level, const uint8_t *text, uint32_t length) {
  char *line = malloc(4 * (size_t)length + 32);
  if (line == NULL) abort();
  int at = sprintf(line, "log %u ", level);
  output_escape(line + at, text, length);
  strcat(line, "\n");
  emit(&heldLogs, line);
  free(line);
}

void output_keyboard(const uint8_t *report, uint32_t length) {
  char *line = hex_line("keyboard", report, length);
  emit(&heldKeyboards, line);
  free(line);
}

void output_apdu_response(const uint8_t *response, uint32_t length) {
  char *line = hex_line("apdu-response", response, length);
  emit(&heldResponses, line);
  free(line);
}

void output_frame(const uint8_t *frame, uint32_t length, uint32_t widthPx, uint32_t heightPx) {
  uint8_t digest[SHA256_DIGEST_BYTES];
  sha256_digest(frame, length, digest);
  char line[128];
  int at = sprintf(line, "frame %ux%u ", widthPx, heightPx);
  output_hex(line + at, digest, SHA256_DIGEST_BYTES);
  strcat(line, "\n");
  if (holding) {
    free(heldFrame);  // host-sim keeps only the last frame shown during init
    heldFrame = strdup(line);
  } else {
    fputs(line, stdout);
    fflush(stdout);
  }
}

void output_line(const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  vfprintf(stdout, format, arguments);
  va_end(arguments);
  fputc('\n', stdout);
  fflush(stdout);
}
