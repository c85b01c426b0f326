/* SPDX-License-Identifier: MIT */
#include "srs_protocol_dtls.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define DTLS_CIPHERS \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA"
/* Chrome and SRS accept both; GCM first as the cheaper one. */
#define DTLS_SRTP_PROFILES "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"
#define DTLS_SRTP_EXPORTER "EXTRACTOR-dtls_srtp"
#define DTLS_TIMER_INITIAL_US 100000u
#define DTLS_TIMER_MAX_US 3000000u
/* Records of one datagram being packed; larger than the MTU so a flush is never forced early. */
#define DTLS_OUT_BUFFER 2048
#define DTLS_FAILURE_SIZE 512

struct srs_dtls_cert_s {
    SSL_CTX *ctx;
    X509 *x509;
    EVP_PKEY *pkey;
    char fingerprint[SRS_DTLS_FINGERPRINT_SIZE];
};

struct srs_dtls_s {
    SSL *ssl;
    bool is_client;
    bool check_peer;                                  /* expected is set */
    char expected[SRS_DTLS_FINGERPRINT_SIZE];         /* normalised: upper-case hex */
    char seen[SRS_DTLS_FINGERPRINT_SIZE];             /* the peer certificate's, once seen */
    bool verified, mismatch, done, failed, peer_closed, closed;
    char failure[DTLS_FAILURE_SIZE];                  /* why it failed, for every later call */
    srs_dtls_send_fn send;
    void *ctx;
    srs_error_t send_err;                             /* first send failure of the current call */
    const uint8_t *in; size_t in_len;                 /* the datagram OpenSSL reads next */
    uint8_t out[DTLS_OUT_BUFFER]; size_t out_len;     /* records of the datagram being built */
};

/* The OpenSSL error queue as one line (emptied), or "unknown" when it is empty. */
static const char *openssl_errors(char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    unsigned long e;
    while ((e = ERR_get_error()) != 0) {
        if (n + 2 >= size) continue;
        if (n) { buf[n++] = ';'; buf[n++] = ' '; buf[n] = '\0'; }
        ERR_error_string_n(e, buf + n, size - n);
        n = strlen(buf);
    }
    if (!buf[0]) snprintf(buf, size, "unknown");
    return buf;
}

static srs_error_t openssl_error(const char *what)
{
    char text[256];
    return srs_error_new(ERROR_RTC_DTLS, "%s: %s", what, openssl_errors(text, sizeof(text)));
}

static void fingerprint_format(const uint8_t *md, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    char *p = out + sprintf(out, "sha-256 ");
    for (size_t i = 0; i < n; i++) {
        if (i) *p++ = ':';
        *p++ = hex[md[i] >> 4];
        *p++ = hex[md[i] & 0x0F];
    }
    *p = '\0';
}

static bool fingerprint_of(X509 *x, char *out)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(x, EVP_sha256(), md, &n) != 1 || n != 32) return false;
    fingerprint_format(md, n, out);
    return true;
}

/* "sha-256 ab:CD:..." with optional surrounding whitespace → "sha-256 AB:CD:...". */
static bool fingerprint_normalize(const char *in, char *out)
{
    while (isspace((unsigned char)*in)) in++;
    if (strncasecmp(in, "sha-256", 7) != 0 || !isspace((unsigned char)in[7])) return false;
    in += 7;
    while (isspace((unsigned char)*in)) in++;
    char *p = out + sprintf(out, "sha-256 ");
    for (int i = 0; i < 32; i++) {
        if (i) {
            if (*in++ != ':') return false;
            *p++ = ':';
        }
        if (!isxdigit((unsigned char)in[0]) || !isxdigit((unsigned char)in[1])) return false;
        *p++ = (char)toupper((unsigned char)*in++);
        *p++ = (char)toupper((unsigned char)*in++);
    }
    *p = '\0';
    while (isspace((unsigned char)*in)) in++;
    return *in == '\0';
}

/* A year from a day ago: a peer whose clock runs a little behind still accepts it. */
static srs_error_t cert_build_x509(EVP_PKEY *pkey, X509 **out)
{
    srs_error_t err = srs_success;
    X509 *x = X509_new();
    BIGNUM *serial = BN_new();
    X509_NAME *name = X509_NAME_new();
    uint8_t rnd[8];
    if (!x || !serial || !name) {
        err = openssl_error("alloc x509");
        goto done;
    }
    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        err = openssl_error("serial");
        goto done;
    }
    rnd[0] &= 0x7F; /* positive */
    if (!BN_bin2bn(rnd, sizeof(rnd), serial) || !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x))
        || X509_set_version(x, X509_VERSION_3) != 1
        || !X509_gmtime_adj(X509_getm_notBefore(x), -24 * 3600)
        || !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600)
        || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"srs", -1, -1, 0) != 1
        || X509_set_subject_name(x, name) != 1 || X509_set_issuer_name(x, name) != 1
        || X509_set_pubkey(x, pkey) != 1 || X509_sign(x, pkey, EVP_sha256()) <= 0) {
        err = openssl_error("build x509");
        goto done;
    }
    *out = x;
    x = NULL;
done:
    X509_free(x);
    BN_free(serial);
    X509_NAME_free(name);
    return err;
}

static srs_error_t cert_build_ctx(srs_dtls_cert_t *c)
{
    SSL_CTX *ctx = c->ctx = SSL_CTX_new(DTLS_method());
    if (!ctx) return openssl_error("SSL_CTX_new");
    if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1
        || SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1) {
        return openssl_error("DTLS 1.2 only");
    }
    if (SSL_CTX_use_certificate(ctx, c->x509) != 1 || SSL_CTX_use_PrivateKey(ctx, c->pkey) != 1
        || SSL_CTX_check_private_key(ctx) != 1) {
        return openssl_error("use certificate");
    }
    if (SSL_CTX_set_cipher_list(ctx, DTLS_CIPHERS) != 1) return openssl_error("cipher list");
    if (SSL_CTX_set1_groups_list(ctx, "P-256") != 1) return openssl_error("ECDHE group");
    /* Inverted: 0 is success. */
    if (SSL_CTX_set_tlsext_use_srtp(ctx, DTLS_SRTP_PROFILES) != 0) return openssl_error("use_srtp");
    /* One handshake per peer, never resumed: no cache that grows with the number of peers. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU);
    SSL_CTX_set_read_ahead(ctx, 1);
    return srs_success;
}

srs_error_t srs_dtls_cert_new(srs_dtls_cert_t **out)
{
    *out = NULL;
    ERR_clear_error();
    srs_dtls_cert_t *c = calloc(1, sizeof(*c));
    if (!c) return srs_error_new(ERROR_SYSTEM_NOMEM, "dtls cert");
    srs_error_t err = srs_success;
    if (!(c->pkey = EVP_EC_gen("P-256"))) {
        err = openssl_error("ECDSA P-256 key");
        goto failed;
    }
    if ((err = cert_build_x509(c->pkey, &c->x509)) != srs_success) goto failed;
    if (!fingerprint_of(c->x509, c->fingerprint)) {
        err = openssl_error("fingerprint");
        goto failed;
    }
    if ((err = cert_build_ctx(c)) != srs_success) goto failed;
    *out = c;
    return srs_success;
failed:
    srs_dtls_cert_free(c);
    return srs_error_wrap(err, "dtls certificate");
}

void srs_dtls_cert_free(srs_dtls_cert_t *c)
{
    if (!c) return;
    SSL_CTX_free(c->ctx);
    X509_free(c->x509);
    EVP_PKEY_free(c->pkey);
    free(c);
}

const char *srs_dtls_cert_fingerprint(const srs_dtls_cert_t *c)
{
    return c->fingerprint;
}

/* Sending: a send error is kept for the caller; the datagram counts as lost. */
static void dtls_send(srs_dtls_t *d, const uint8_t *data, size_t len)
{
    srs_error_t err = d->send(d->ctx, data, len);
    if (!err) return;
    if (d->send_err) srs_error_free(err);
    else d->send_err = err;
}

static void dtls_flush(srs_dtls_t *d)
{
    if (!d->out_len) return;
    dtls_send(d, d->out, d->out_len);
    d->out_len = 0;
}

/* A BIO that is the endpoint's datagram boundary: reads return the one datagram being handled,
 * writes collect records until OpenSSL flushes a flight (it asks WPENDING to pack them into the
 * MTU), then the callback gets them as one datagram. */
static int bio_write(BIO *b, const char *data, int len)
{
    srs_dtls_t *d = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0) return 0;
    if (d->out_len + (size_t)len > sizeof(d->out)) dtls_flush(d);
    if ((size_t)len > sizeof(d->out)) {
        dtls_send(d, (const uint8_t *)data, (size_t)len);
    } else {
        memcpy(d->out + d->out_len, data, (size_t)len);
        d->out_len += (size_t)len;
    }
    return len;
}

static int bio_read(BIO *b, char *buf, int size)
{
    srs_dtls_t *d = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (!d->in || size <= 0) {
        BIO_set_retry_read(b);
        return -1;
    }
    /* Like recvfrom: what does not fit is dropped with the datagram. */
    size_t n = SRS_MIN(d->in_len, (size_t)size);
    memcpy(buf, d->in, n);
    d->in = NULL;
    d->in_len = 0;
    return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    SRS_UNUSED(num);
    SRS_UNUSED(ptr);
    srs_dtls_t *d = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        dtls_flush(d);
        return 1;
    case BIO_CTRL_WPENDING:
        return (long)d->out_len;
    case BIO_CTRL_PENDING:
        return d->in ? (long)d->in_len : 0;
    default:
        return 0;
    }
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static int bio_destroy(BIO *b)
{
    BIO_set_data(b, NULL);
    return 1;
}

/* Made once, kept for the process (the process is single-threaded on ST). */
static BIO_METHOD *dtls_bio_method(void)
{
    static BIO_METHOD *method;
    if (method) return method;
    int index = BIO_get_new_index();
    if (index < 0) return NULL;
    BIO_METHOD *m = BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "srs-dtls");
    if (!m) return NULL;
    if (!BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) || !BIO_meth_set_ctrl(m, bio_ctrl)
        || !BIO_meth_set_create(m, bio_create) || !BIO_meth_set_destroy(m, bio_destroy)) {
        BIO_meth_free(m);
        return NULL;
    }
    return method = m;
}

/* Self-signed certificates are accepted; the leaf is pinned by the SDP fingerprint instead. */
static int verify_peer(int preverify_ok, X509_STORE_CTX *store)
{
    SRS_UNUSED(preverify_ok);
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    srs_dtls_t *d = ssl ? SSL_get_app_data(ssl) : NULL;
    X509 *cert = X509_STORE_CTX_get_current_cert(store);
    if (!d || !cert || !fingerprint_of(cert, d->seen)) return 0;
    if (d->check_peer && strcmp(d->seen, d->expected) != 0) {
        d->mismatch = true;
        return 0;
    }
    d->verified = true;
    return 1;
}

/* Doubling from 100 ms: a lost flight on loopback or a LAN costs little. */
static unsigned int retransmit_timer(SSL *ssl, unsigned int previous_us)
{
    SRS_UNUSED(ssl);
    if (previous_us == 0) return DTLS_TIMER_INITIAL_US;
    return SRS_MIN(previous_us * 2, DTLS_TIMER_MAX_US);
}

srs_error_t srs_dtls_new(const srs_dtls_cert_t *cert, bool is_client, const char *peer_fingerprint,
                         srs_dtls_send_fn send, void *ctx, srs_dtls_t **out)
{
    *out = NULL;
    if (!cert || !send) return srs_error_new(ERROR_RTC_DTLS, "no certificate or send callback");
    srs_dtls_t *d = calloc(1, sizeof(*d));
    if (!d) return srs_error_new(ERROR_SYSTEM_NOMEM, "dtls endpoint");
    d->is_client = is_client;
    d->send = send;
    d->ctx = ctx;
    srs_error_t err = srs_success;
    if (peer_fingerprint) {
        if (!fingerprint_normalize(peer_fingerprint, d->expected)) {
            err = srs_error_new(ERROR_RTC_DTLS, "peer fingerprint \"%.120s\" is not sha-256 AB:CD:...", peer_fingerprint);
            goto failed;
        }
        d->check_peer = true;
    }

    ERR_clear_error();
    BIO_METHOD *method = dtls_bio_method();
    if (!method) {
        err = openssl_error("BIO method");
        goto failed;
    }
    /* SSL_new takes a reference on the shared context; it does not change the certificate. */
    if (!(d->ssl = SSL_new(cert->ctx))) {
        err = openssl_error("SSL_new");
        goto failed;
    }
    BIO *bio = BIO_new(method);
    if (!bio) {
        err = openssl_error("BIO_new");
        goto failed;
    }
    BIO_set_data(bio, d);
    SSL_set_bio(d->ssl, bio, bio); /* the SSL owns the one reference */
    SSL_set_app_data(d->ssl, d);
    SSL_set_verify(d->ssl, SSL_VERIFY_PEER | (is_client ? 0 : SSL_VERIFY_FAIL_IF_NO_PEER_CERT), verify_peer);
    /* After the BIO: the minimum MTU depends on the BIO's overhead. */
    if (!SSL_set_mtu(d->ssl, SRS_DTLS_MTU)) {
        err = openssl_error("SSL_set_mtu");
        goto failed;
    }
    DTLS_set_timer_cb(d->ssl, retransmit_timer);
    if (is_client) SSL_set_connect_state(d->ssl);
    else SSL_set_accept_state(d->ssl);
    *out = d;
    return srs_success;
failed:
    srs_dtls_free(d);
    return srs_error_wrap(err, "dtls %s", is_client ? "client" : "server");
}

void srs_dtls_free(srs_dtls_t *d)
{
    if (!d) return;
    SSL_free(d->ssl);
    srs_error_free(d->send_err);
    free(d);
}

/* Fails the endpoint for good: the error now and the same reason on every later call. */
static srs_error_t dtls_fail(srs_dtls_t *d, const char *what)
{
    char text[256];
    openssl_errors(text, sizeof(text));
    if (d->mismatch) {
        snprintf(d->failure, sizeof(d->failure), "%s: peer fingerprint mismatch: expected %s, got %s",
                 what, d->expected, d->seen);
    } else {
        snprintf(d->failure, sizeof(d->failure), "%s: %s", what, text);
    }
    d->failed = true;
    return srs_error_new(ERROR_RTC_DTLS, "%s", d->failure);
}

static srs_error_t dtls_check_usable(srs_dtls_t *d)
{
    if (d->failed) return srs_error_new(ERROR_RTC_DTLS, "failed before: %s", d->failure);
    return srs_success;
}

/* Every call ends here: sends what is left of a flight, then reports, the protocol error first. */
static srs_error_t dtls_finish(srs_dtls_t *d, srs_error_t err)
{
    dtls_flush(d);
    d->in = NULL;
    d->in_len = 0;
    srs_error_t send_err = d->send_err;
    d->send_err = NULL;
    if (err) {
        srs_error_free(send_err);
        return err;
    }
    if (send_err) return srs_error_wrap(send_err, "dtls send");
    return srs_success;
}

/* One step of the handshake; success while it waits for the peer. */
static srs_error_t dtls_handshake(srs_dtls_t *d)
{
    int r = SSL_do_handshake(d->ssl);
    if (r == 1) {
        if (d->check_peer && !d->verified) {
            snprintf(d->failure, sizeof(d->failure), "handshake: peer sent no certificate, expected %s", d->expected);
            d->failed = true;
            return srs_error_new(ERROR_RTC_DTLS, "%s", d->failure);
        }
        d->done = true;
        return srs_success;
    }
    int e = SSL_get_error(d->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return srs_success;
    return dtls_fail(d, "handshake");
}

/* After the handshake: OpenSSL answers retransmitted flights and alerts inside SSL_read. */
static srs_error_t dtls_read_records(srs_dtls_t *d)
{
    uint8_t scratch[2048];
    for (;;) {
        int r = SSL_read(d->ssl, scratch, sizeof(scratch));
        if (r > 0) continue; /* application data: no data channel here */
        int e = SSL_get_error(d->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return srs_success;
        if (e == SSL_ERROR_ZERO_RETURN) {
            d->peer_closed = true;
            return srs_success;
        }
        return dtls_fail(d, "read");
    }
}

srs_error_t srs_dtls_start(srs_dtls_t *d)
{
    srs_error_t err = dtls_check_usable(d);
    if (err || !d->is_client) return err;
    ERR_clear_error();
    return dtls_finish(d, dtls_handshake(d));
}

srs_error_t srs_dtls_on_recv(srs_dtls_t *d, const uint8_t *data, size_t len)
{
    srs_error_t err = dtls_check_usable(d);
    if (err) return err;
    if (!data || !len) return srs_success;
    if (d->peer_closed) return srs_success;
    ERR_clear_error();
    d->in = data;
    d->in_len = len;
    if (!d->done) {
        err = dtls_handshake(d);
        /* Records after the peer's Finished in the same datagram wait in OpenSSL's buffer. */
        if (!err && d->done) err = dtls_read_records(d);
    } else {
        err = dtls_read_records(d);
    }
    return dtls_finish(d, err);
}

srs_utime_t srs_dtls_timeout(srs_dtls_t *d)
{
    if (d->failed) return 0;
    struct timeval tv;
    if (DTLSv1_get_timeout(d->ssl, &tv) <= 0) return 0;
    srs_utime_t us = (srs_utime_t)tv.tv_sec * SRS_UTIME_SECONDS + tv.tv_usec;
    return us > 0 ? us : 1;
}

srs_error_t srs_dtls_on_timeout(srs_dtls_t *d)
{
    srs_error_t err = dtls_check_usable(d);
    if (err) return err;
    ERR_clear_error();
    if (DTLSv1_handle_timeout(d->ssl) < 0) err = dtls_fail(d, "retransmit");
    return dtls_finish(d, err);
}

bool srs_dtls_done(const srs_dtls_t *d)
{
    return d->done && !d->failed;
}

bool srs_dtls_peer_closed(const srs_dtls_t *d)
{
    return d->peer_closed;
}

const char *srs_dtls_peer_fingerprint(const srs_dtls_t *d)
{
    return d->seen;
}

srs_error_t srs_dtls_srtp_keys(srs_dtls_t *d, srs_dtls_srtp_keys_t *out)
{
    memset(out, 0, sizeof(*out));
    srs_error_t err = dtls_check_usable(d);
    if (err) return err;
    if (!d->done) return srs_error_new(ERROR_RTC_DTLS, "srtp keys before the handshake is done");
    SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(d->ssl);
    if (!p) return srs_error_new(ERROR_RTC_DTLS, "no use_srtp profile agreed");
    size_t key, salt;
    if (p->id == SRS_SRTP_AES128_CM_SHA1_80) {
        key = 16, salt = 14;
    } else if (p->id == SRS_SRTP_AEAD_AES_128_GCM) {
        key = 16, salt = 12;
    } else {
        return srs_error_new(ERROR_RTC_DTLS, "unexpected srtp profile %s", p->name);
    }
    uint8_t m[2 * (16 + 14)];
    size_t total = 2 * (key + salt);
    ERR_clear_error();
    if (SSL_export_keying_material(d->ssl, m, total, DTLS_SRTP_EXPORTER, strlen(DTLS_SRTP_EXPORTER), NULL, 0, 0) != 1) {
        return openssl_error("export srtp keying material");
    }
    /* client key | server key | client salt | server salt */
    const uint8_t *client_key = m, *server_key = m + key;
    const uint8_t *client_salt = m + 2 * key, *server_salt = m + 2 * key + salt;
    uint8_t *client = d->is_client ? out->local_key : out->remote_key;
    uint8_t *server = d->is_client ? out->remote_key : out->local_key;
    memcpy(client, client_key, key);
    memcpy(client + key, client_salt, salt);
    memcpy(server, server_key, key);
    memcpy(server + key, server_salt, salt);
    OPENSSL_cleanse(m, sizeof(m));
    out->profile = (int)p->id;
    out->key_len = key + salt;
    return srs_success;
}

srs_error_t srs_dtls_close(srs_dtls_t *d)
{
    /* Before the handshake, or after it failed, there is no session to close. */
    if (!d->done || d->failed || d->closed) return srs_success;
    d->closed = true;
    ERR_clear_error();
    srs_error_t err = srs_success;
    if (SSL_shutdown(d->ssl) < 0) err = openssl_error("close_notify");
    return dtls_finish(d, err);
}

int srs_dtls_content_type(const uint8_t *data, size_t len)
{
    if (!data || len < SRS_DTLS_RECORD_HEADER_SIZE) return 0;
    if (data[0] < 20 || data[0] > 63) return 0;
    return data[0];
}

srs_error_t srs_dtls_record_parse(const uint8_t *data, size_t len, srs_dtls_record_t *out)
{
    memset(out, 0, sizeof(*out));
    out->handshake_type = -1;
    if (!srs_dtls_content_type(data, len)) {
        return srs_error_new(ERROR_RTC_DTLS, "not a dtls record, size=%zu", len);
    }
    if (data[1] != 0xFE) return srs_error_new(ERROR_RTC_DTLS, "dtls version %02x%02x", data[1], data[2]);
    out->content_type = data[0];
    out->version = (uint16_t)((data[1] << 8) | data[2]);
    out->epoch = (uint16_t)((data[3] << 8) | data[4]);
    for (int i = 5; i < 11; i++) out->sequence = (out->sequence << 8) | data[i];
    out->length = (uint16_t)((data[11] << 8) | data[12]);
    if ((size_t)out->length > len - SRS_DTLS_RECORD_HEADER_SIZE) {
        return srs_error_new(ERROR_RTC_DTLS, "dtls record length=%u, only %zu bytes", out->length,
                             len - SRS_DTLS_RECORD_HEADER_SIZE);
    }
    out->size = SRS_DTLS_RECORD_HEADER_SIZE + out->length;
    if (out->content_type == SRS_DTLS_HANDSHAKE && out->epoch == 0 && out->length > 0) {
        out->handshake_type = data[SRS_DTLS_RECORD_HEADER_SIZE];
    }
    return srs_success;
}

bool srs_dtls_is_client_hello(const uint8_t *data, size_t len)
{
    srs_dtls_record_t rec;
    srs_error_t err = srs_dtls_record_parse(data, len, &rec);
    if (err) {
        srs_error_free(err);
        return false;
    }
    return rec.handshake_type == SRS_DTLS_CLIENT_HELLO;
}
