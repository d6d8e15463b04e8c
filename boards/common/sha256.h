// SHA-256 (FIPS 180-4), small and portable: the host reports the module's digest in host_info, and
// the native host prints frame and flash digests. Not used for anything secret.
#ifndef TOTPKEY_SHA256_H
#define TOTPKEY_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES 32

typedef struct {
  uint32_t state[8];
  uint64_t totalBytes;
  uint8_t block[64];
  uint32_t blockFill;
} sha256_context;

void sha256_start(sha256_context *context);
void sha256_update(sha256_context *context, const uint8_t *data, size_t length);
void sha256_finish(sha256_context *context, uint8_t digest[SHA256_DIGEST_BYTES]);
void sha256_digest(const uint8_t *data, size_t length, uint8_t digest[SHA256_DIGEST_BYTES]);

#endif
