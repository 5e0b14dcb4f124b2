#include "ccopia_crypto.h"
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>

struct ccopia_sha256 { EVP_MD_CTX *md; };

/* OpenSSL 3 looks an algorithm up (under a global lock) on every EVP_DigestInit_ex that is given the legacy
   EVP_sha256(); fetching it once and reusing it avoids that on the per-file hot path. */
static EVP_MD *fetched_sha256 = NULL;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    fetched_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
#endif
}

static const EVP_MD *sha256_md(void) {
    pthread_once(&fetch_once, fetch_sha256);
    return fetched_sha256 ? fetched_sha256 : EVP_sha256();
}

ccopia_sha256 *ccopia_sha256_new(void) {
    ccopia_sha256 *ctx = (ccopia_sha256 *)malloc(sizeof(ccopia_sha256));
    if (!ctx) return NULL;
    ctx->md = EVP_MD_CTX_new();
    if (!ctx->md || EVP_DigestInit_ex(ctx->md, sha256_md(), NULL) != 1) {
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
    EVP_DigestInit_ex(ctx->md, sha256_md(), NULL);
}

void ccopia_sha256_free(ccopia_sha256 *ctx) {
    if (!ctx) return;
    EVP_MD_CTX_free(ctx->md);
    free(ctx);
}
