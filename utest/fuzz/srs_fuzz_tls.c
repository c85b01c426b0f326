/* SPDX-License-Identifier: MIT */
/* libFuzzer: what a TLS client sends the HTTPS listeners before the HTTP layer sees a byte. The
 * input goes (1) to the ALPN list parser as the protocol list of a ClientHello (the choice must
 * be "http/1.1" and lie inside the input), and (2) as a client's first flight to a server SSL on
 * memory BIOs driven by the same transport code as the listeners (srs_tls_handshake,
 * srs_tls_step, srs_tls_read), which must end in an error of a known kind, never a crash, a
 * hang or a leak. The ALPN callback runs on every ClientHello that carries the extension. */
#include "srs_protocol_tls.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static SSL_CTX *make_ctx(void)
{
    char dir[] = "/tmp/srs_fuzz_tls_XXXXXX";
    if (!mkdtemp(dir)) abort();
    char cert[64], key[64];
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    EVP_PKEY *pk = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, pk);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"fuzz", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_sign(x, pk, EVP_sha256());
    FILE *f = fopen(cert, "wb");
    PEM_write_X509(f, x);
    fclose(f);
    f = fopen(key, "wb");
    PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(pk);
    SSL_CTX *ctx = NULL;
    srs_error_t err = srs_tls_server_ctx_new(cert, key, &ctx);
    if (err) abort();
    unlink(cert);
    unlink(key);
    rmdir(dir);
    return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static SSL_CTX *ctx;
    if (!ctx) ctx = make_ctx();

    /* (1) ALPN lists. */
    const unsigned char *out = NULL;
    unsigned char out_len = 0;
    if (size <= 0xffff && srs_tls_alpn_select(data, (unsigned)size, &out, &out_len)) {
        if (out_len != 8 || out < data || out + out_len > data + size || memcmp(out, "http/1.1", 8)) abort();
    }

    /* (2) A client's first flight to the server side of the transport. */
    SSL *ssl = SSL_new(ctx);
    BIO *rbio = BIO_new(BIO_s_mem());
    BIO *wbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rbio, -1); /* no more input reads as "wait", as a socket would */
    if (size) BIO_write(rbio, data, (int)size);
    SSL_set_bio(ssl, rbio, wbio);
    SSL_set_accept_state(ssl);
    srs_tls_t *t = srs_tls_new_ssl(ssl, NULL);
    srs_error_t err = srs_tls_handshake(t, 0);
    if (!err) {
        char buf[1024];
        size_t n = 0;
        err = srs_tls_read(t, buf, sizeof(buf), 0, &n);
    }
    int code = srs_error_code(err);
    if (err && code != ERROR_SYSTEM_EOF && code != ERROR_TLS && code != ERROR_SYSTEM_IO && code != ERROR_SYSTEM_TIMEOUT) abort();
    srs_error_free(err);
    srs_tls_free(t);
    return 0;
}
