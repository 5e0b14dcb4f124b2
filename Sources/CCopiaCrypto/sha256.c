#include "ccopia_crypto.h"
#include <openssl/evp.h>
#include <stdlib.h>

struct ccopia_sha256 { EVP_MD_CTX *md; };

ccopia_sha256 *ccopia_sha256_new(void) {
    ccopia_sha256 *ctx = (ccopia_sha256 *)malloc(sizeof(ccopia_sha256));
    if (!ctx) return NULL;
    ctx->md = EVP_MD_CTX_new();
    if (!ctx->md || EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx->md);
        free(ctx);
        return NULL;
    }
    return ctx;
}

void ccopia_sha256_update(ccopia_sha256 *ctx, const void *data, size_t count) {
    EVP_DigestUpdate(ctx->md, data, count);
}

void ccopia_sha256_final(ccopia_sha256 *ctx, uint8_t digest[32]) {
    unsigned int n = 32;
    EVP_DigestFinal_ex(ctx->md, digest, &n);
    EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL);
}

void ccopia_sha256_free(ccopia_sha256 *ctx) {
    if (!ctx) return;
    EVP_MD_CTX_free(ctx->md);
    free(ctx);
}
