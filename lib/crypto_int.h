/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared inside the OpenSSL back-end (crypto_ossl*.c) only. */
#ifndef EVC_LIB_CRYPTO_INT_H
#define EVC_LIB_CRYPTO_INT_H

#include <openssl/evp.h>
#include <openssl/provider.h>

/* A fetched cipher and, for single DES, the library context with the legacy provider that
 * holds it. Free every context using the cipher before releasing it. */
struct ossl_cipher {
	EVP_CIPHER *cipher;
	OSSL_LIB_CTX *lctx;
	OSSL_PROVIDER *prov;
};

/* 0, or -ENOTSUP when OpenSSL lacks the cipher (f is then empty). */
int crypto_ossl_cipher_fetch(const char *name, struct ossl_cipher *f);
void crypto_ossl_cipher_release(struct ossl_cipher *f);

#endif
