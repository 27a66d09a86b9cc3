#ifndef MOORING_CLIBCRYPTO_SHIM_H
#define MOORING_CLIBCRYPTO_SHIM_H

/* OpenSSL's libcrypto (Debian: libssl-dev, pkg-config libcrypto): SHA-256 and HMAC-SHA256
   through the EVP interface (MooringDigest). libcurl and libgit2 already link it. */
#include <openssl/evp.h>
#include <openssl/hmac.h>

#endif
