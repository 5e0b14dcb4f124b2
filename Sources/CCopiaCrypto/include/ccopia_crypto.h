#ifndef CCOPIA_CRYPTO_H
#define CCOPIA_CRYPTO_H
#include <stddef.h>
#include <stdint.h>

/// Incremental SHA-256 over OpenSSL's libcrypto (SHA-NI where the processor has it).
typedef struct ccopia_sha256 ccopia_sha256;

ccopia_sha256 *ccopia_sha256_new(void);
void ccopia_sha256_update(ccopia_sha256 *ctx, const void *data, size_t count);
/// Writes 32 bytes to `digest` and resets the context for reuse.
void ccopia_sha256_final(ccopia_sha256 *ctx, uint8_t digest[32]);
void ccopia_sha256_free(ccopia_sha256 *ctx);

#endif
