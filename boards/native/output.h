// The scenario output lines (docs/SPEC.md, "Scenario format"), printed to stdout as they happen.
// During boot (init) the lines are held and printed grouped, as host-sim/scenario.ts must: log
// lines, keyboard reports, APDU responses, then the last frame.
#ifndef TOTPKEY_OUTPUT_H
#define TOTPKEY_OUTPUT_H

#include <stdint.h>

void output_hold_for_boot(void);
/** Prints the held lines (keep != 0) or drops them (init stopped the module). */
void output_release_boot(int keep);

void output_log(uint32_t level, const uint8_t *text, uint32_t length);
void output_keyboard(const uint8_t *report, uint32_t length);
void output_apdu_response(const uint8_t *response, uint32_t length);
void output_frame(const uint8_t *frame, uint32_t length, uint32_t widthPx, uint32_t heightPx);
/** A line printed at once (init, stopped, flash-sha256, end). */
void output_line(const char *format, ...) __attribute__((format(printf, 1, 2)));
/** Appends `length` bytes as text: printable ASCII as is, '\' as "\\", anything else as \xNN. */
void output_escape(char *out, const uint8_t *bytes, uint32_t length);
/** Lower-case hex of `length` bytes into `out` (2 * length + 1 chars). */
void output_hex(char *out, const uint8_t *bytes, uint32_t length);

#endif
