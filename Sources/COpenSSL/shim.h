#ifndef OBSCTL_COPENSSL_SHIM_H
#define OBSCTL_COPENSSL_SHIM_H
// Only OpenSSL 3 APIs; deprecated ones are removed so that using one fails the build.
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>

// EVP_CIPHER_CTX_ctrl takes a non-const void*; these typed wrappers keep Swift call sites simple.
static inline int oc_gcm_get_tag(EVP_CIPHER_CTX *ctx, unsigned char *tag, int len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, len, tag);
}
static inline int oc_gcm_set_tag(EVP_CIPHER_CTX *ctx, const unsigned char *tag, int len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, len, (void *)tag);
}

// X.509 for the self-signed certificates of `obsctl serve` (OBSCrypto/SelfSignedCertificates.swift).

// An EC key on NIST P-256 (EVP_PKEY_Q_keygen is variadic).
static inline EVP_PKEY *oc_ec_p256_keygen(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

// Adds one extension written in openssl.cnf syntax ("critical,CA:TRUE"); X509V3_CTX and the nodb macro stay here.
static inline int oc_x509_add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) return 0;
    int rc = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return rc;
}

// The bytes a memory BIO holds (BIO_get_mem_data is a macro); they belong to the BIO.
static inline long oc_bio_mem_data(BIO *bio, const char **data) {
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    *data = p;
    return n;
}

// subjectAltName entries, one at a time (the GENERAL_NAME union and the stack macros stay here).
// Returns the number of entries (-1 when there is no subjectAltName); entry i is DNS (type 1) or IP (type 2) with
// its bytes, type 0 for any other kind.
static inline GENERAL_NAMES *oc_x509_san(const X509 *cert) {
    return (GENERAL_NAMES *)X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
}
static inline int oc_san_count(const GENERAL_NAMES *names) { return sk_GENERAL_NAME_num(names); }
static inline int oc_san_entry(const GENERAL_NAMES *names, int i, const unsigned char **data, int *len) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
    if (name == NULL) return 0;
    const ASN1_STRING *s;
    int type;
    switch (name->type) {
    case GEN_DNS: s = name->d.dNSName; type = 1; break;
    case GEN_IPADD: s = name->d.iPAddress; type = 2; break;
    default: return 0;
    }
    *data = ASN1_STRING_get0_data(s);
    *len = ASN1_STRING_length(s);
    return type;
}
static inline void oc_san_free(GENERAL_NAMES *names) { GENERAL_NAMES_free(names); }
#endif
