/* SPDX-License-Identifier: MIT */
#include "srs_protocol_tls.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"
#include "srs_core_log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

/* Mozilla's "intermediate" TLS 1.2 list: forward secrecy and AEAD only. TLS 1.3 keeps OpenSSL's
 * default suites (all AEAD). */
#define SRS_TLS12_CIPHERS                                                                                  \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"             \
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
/* Server-side session cache entries (each a few hundred bytes): bounded, oldest evicted. */
#define SRS_TLS_SESSION_CACHE 10240
/* The largest TLS record payload: writes are coalesced up to this. */
#define SRS_TLS_RECORD (16 * 1024)

struct srs_tls_s {
    SSL *ssl;
    st_netfd_t fd;
    char *scratch; /* coalescing buffer for writev, SRS_TLS_RECORD bytes, made on first use */
};

static const unsigned char http11[] = "http/1.1";

bool srs_tls_alpn_select(const unsigned char *in, unsigned int in_len, const unsigned char **out,
                         unsigned char *out_len)
{
    unsigned int i = 0;
    bool found = false;
    while (i < in_len) {
        unsigned int n = in[i++];
        if (!n || n > in_len - i) return false; /* malformed: refuse it whole */
        if (!found && n == sizeof(http11) - 1 && !memcmp(in + i, http11, n)) {
            *out = in + i;
            *out_len = (unsigned char)n;
            found = true;
        }
        i += n;
    }
    return found;
}

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                   unsigned int inlen, void *arg)
{
    SRS_UNUSED(ssl);
    SRS_UNUSED(arg);
    /* No http/1.1 offered (e.g. h2 only): answer without ALPN, the client may still speak 1.1. */
    return srs_tls_alpn_select(in, inlen, out, outlen) ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK;
}

/* The first OpenSSL error as text (the queue is per thread, shared by every coroutine: read it
 * before any switch and leave it empty). */
static const char *ssl_error_text(char *buf, size_t size)
{
    unsigned long e = ERR_get_error();
    if (!e) {
        snprintf(buf, size, "unknown");
    } else {
        ERR_error_string_n(e, buf, size);
    }
    ERR_clear_error();
    return buf;
}

srs_error_t srs_tls_server_ctx_new(const char *cert_file, const char *key_file, SSL_CTX **out)
{
    char text[256];
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) return srs_error_new(ERROR_TLS, "SSL_CTX_new: %s", ssl_error_text(text, sizeof(text)));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    /* No client-initiated renegotiation (a CPU sink), the server's cipher order, and a TCP close
     * without close_notify is a plain EOF (players do that all the time). */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                                 SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* Buffers go back when a connection is idle; writes are retried with the same buffer. */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (SSL_CTX_set_cipher_list(ctx, SRS_TLS12_CIPHERS) != 1) {
        SSL_CTX_free(ctx);
        return srs_error_new(ERROR_TLS, "cipher list: %s", ssl_error_text(text, sizeof(text)));
    }
    SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
    static const unsigned char sid_ctx[] = "srs-proxy";
    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, SRS_TLS_SESSION_CACHE);
    /* One TLS 1.3 ticket per handshake is enough for a resumption. */
    SSL_CTX_set_num_tickets(ctx, 1);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        SSL_CTX_free(ctx);
        return srs_error_new(ERROR_TLS, "certificate %s: %s", cert_file, ssl_error_text(text, sizeof(text)));
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        SSL_CTX_free(ctx);
        return srs_error_new(ERROR_TLS, "private key %s: %s", key_file, ssl_error_text(text, sizeof(text)));
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        SSL_CTX_free(ctx);
        return srs_error_new(ERROR_TLS, "key %s does not match %s: %s", key_file, cert_file,
                             ssl_error_text(text, sizeof(text)));
    }
    *out = ctx;
    return srs_success;
}

srs_tls_t *srs_tls_new_ssl(SSL *ssl, st_netfd_t fd)
{
    srs_tls_t *t = (srs_tls_t *)calloc(1, sizeof(*t));
    if (!t) abort();
    t->ssl = ssl;
    t->fd = fd;
    return t;
}

srs_tls_t *srs_tls_new(SSL_CTX *ctx, st_netfd_t fd)
{
    /* SSL_new holds its own reference to ctx: a reload may free the caller's at any time. */
    SSL *ssl = SSL_new(ctx);
    if (!ssl) abort();
    SSL_set_fd(ssl, st_netfd_fileno(fd));
    SSL_set_accept_state(ssl);
    return srs_tls_new_ssl(ssl, fd);
}

void srs_tls_free(srs_tls_t *t)
{
    if (!t) return;
    SSL_free(t->ssl);
    free(t->scratch);
    free(t);
}

srs_tls_step_t srs_tls_step(SSL *ssl, int ret, const char *what, srs_error_t *err)
{
    char text[256];
    *err = srs_success;
    if (ret > 0) return SRS_TLS_DONE;
    int e = SSL_get_error(ssl, ret);
    switch (e) {
    case SSL_ERROR_WANT_READ: return SRS_TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE: return SRS_TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        ERR_clear_error();
        *err = srs_error_new(ERROR_SYSTEM_EOF, "%s: peer closed", what);
        return SRS_TLS_FAILED;
    case SSL_ERROR_SYSCALL: {
        int sys = errno;
        ERR_clear_error();
        if (!sys || sys == ECONNRESET || sys == EPIPE) *err = srs_error_new(ERROR_SYSTEM_EOF, "%s: peer closed", what);
        else *err = srs_error_new(ERROR_SYSTEM_IO, "%s: %s", what, strerror(sys));
        return SRS_TLS_FAILED;
    }
    default:
        *err = srs_error_new(ERROR_TLS, "%s: %s", what, ssl_error_text(text, sizeof(text)));
        return SRS_TLS_FAILED;
    }
}

/* Waits for the socket as OpenSSL asked. Without a socket (memory BIOs) there is no more input. */
static srs_error_t wait_io(srs_tls_t *t, srs_tls_step_t step, srs_utime_t timeout, const char *what)
{
    if (!t->fd) return srs_error_new(ERROR_SYSTEM_EOF, "%s: no more input", what);
    bool rd = step == SRS_TLS_WANT_READ;
    srs_coroutine_set_state(rd ? SRS_CO_WAIT_READ : SRS_CO_WAIT_WRITE);
    int r = st_netfd_poll(t->fd, rd ? POLLIN : POLLOUT, srs_st_timeout(timeout));
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (r < 0) return srs_st_error(what);
    return srs_success;
}

/* Time left to deadline for one wait, never past it; ERROR_SYSTEM_TIMEOUT once it passed. */
static srs_error_t left_of(srs_utime_t deadline, const char *what, srs_utime_t *out)
{
    if (!deadline) {
        *out = SRS_UTIME_NO_TIMEOUT;
        return srs_success;
    }
    srs_utime_t left = deadline - srs_time_now();
    if (left <= 0) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "%s timeout", what);
    *out = left;
    return srs_success;
}

srs_error_t srs_tls_handshake(srs_tls_t *t, srs_utime_t deadline)
{
    for (;;) {
        srs_error_t err;
        ERR_clear_error();
        int r = SSL_do_handshake(t->ssl);
        srs_tls_step_t step = srs_tls_step(t->ssl, r, "tls handshake", &err);
        if (step == SRS_TLS_DONE) return srs_success;
        if (step == SRS_TLS_FAILED) return err;
        srs_utime_t left = 0;
        if ((err = left_of(deadline, "tls handshake", &left)) != srs_success) return err;
        if ((err = wait_io(t, step, left, "tls handshake")) != srs_success) return err;
    }
}

srs_error_t srs_tls_read(srs_tls_t *t, void *buf, size_t size, srs_utime_t timeout, size_t *nread)
{
    srs_utime_t deadline = timeout == SRS_UTIME_NO_TIMEOUT ? 0 : srs_time_now() + SRS_MAX(timeout, 1);
    for (;;) {
        srs_error_t err;
        size_t n = 0;
        ERR_clear_error();
        int r = SSL_read_ex(t->ssl, buf, size, &n);
        srs_tls_step_t step = srs_tls_step(t->ssl, r, "tls read", &err);
        if (step == SRS_TLS_DONE) {
            *nread = n;
            return srs_success;
        }
        if (step == SRS_TLS_FAILED) return err;
        srs_utime_t left = 0;
        if ((err = left_of(deadline, "tls read", &left)) != srs_success) return err;
        if ((err = wait_io(t, step, left, "tls read")) != srs_success) return err;
    }
}

srs_error_t srs_tls_write(srs_tls_t *t, const void *buf, size_t size, srs_utime_t timeout)
{
    srs_utime_t deadline = timeout == SRS_UTIME_NO_TIMEOUT ? 0 : srs_time_now() + SRS_MAX(timeout, 1);
    const char *p = (const char *)buf;
    while (size) {
        srs_error_t err;
        size_t n = 0;
        ERR_clear_error();
        int r = SSL_write_ex(t->ssl, p, size, &n);
        srs_tls_step_t step = srs_tls_step(t->ssl, r, "tls write", &err);
        if (step == SRS_TLS_DONE) {
            p += n;
            size -= n;
            continue;
        }
        if (step == SRS_TLS_FAILED) return err;
        srs_utime_t left = 0;
        if ((err = left_of(deadline, "tls write", &left)) != srs_success) return err;
        if ((err = wait_io(t, step, left, "tls write")) != srs_success) return err;
    }
    return srs_success;
}

srs_error_t srs_tls_writev(srs_tls_t *t, const struct iovec *iov, int iovcnt, srs_utime_t timeout)
{
    srs_utime_t deadline = timeout == SRS_UTIME_NO_TIMEOUT ? 0 : srs_time_now() + SRS_MAX(timeout, 1);
    size_t used = 0;
    for (int i = 0; i < iovcnt; i++) {
        const char *p = (const char *)iov[i].iov_base;
        size_t len = iov[i].iov_len;
        while (len) {
            srs_error_t err;
            srs_utime_t left = SRS_UTIME_NO_TIMEOUT;
            /* A big piece with nothing pending goes out as it is, without a copy. */
            if (!used && len >= SRS_TLS_RECORD) {
                if ((err = left_of(deadline, "tls write", &left)) != srs_success) return err;
                if ((err = srs_tls_write(t, p, len, left)) != srs_success) return err;
                len = 0;
                break;
            }
            if (!t->scratch && !(t->scratch = (char *)malloc(SRS_TLS_RECORD))) abort();
            size_t n = SRS_MIN(len, (size_t)SRS_TLS_RECORD - used);
            memcpy(t->scratch + used, p, n);
            used += n;
            p += n;
            len -= n;
            if (used == SRS_TLS_RECORD) {
                if ((err = left_of(deadline, "tls write", &left)) != srs_success) return err;
                if ((err = srs_tls_write(t, t->scratch, used, left)) != srs_success) return err;
                used = 0;
            }
        }
    }
    if (!used) return srs_success;
    srs_utime_t left = SRS_UTIME_NO_TIMEOUT;
    srs_error_t err = left_of(deadline, "tls write", &left);
    if (!err) err = srs_tls_write(t, t->scratch, used, left);
    return err;
}

void srs_tls_shutdown(srs_tls_t *t)
{
    if (!t || !SSL_is_init_finished(t->ssl)) return;
    ERR_clear_error();
    SSL_shutdown(t->ssl);
    ERR_clear_error();
}
