/* SPDX-License-Identifier: MIT */
/* TLS for the HTTP server side: OpenSSL on the non-blocking socket of an ST netfd. OpenSSL never
 * blocks: every SSL_* call returns WANT_READ/WANT_WRITE when the socket has nothing, and the
 * coroutine then waits in st_netfd_poll (so an interrupt or a deadline ends the wait), never the
 * process. TLS 1.2 and 1.3 only, a modern cipher list, ALPN http/1.1, a server session cache and
 * session tickets. The ALPN list is parsed here (pure, fuzzed). */
#ifndef SRS_PROTOCOL_TLS_H
#define SRS_PROTOCOL_TLS_H

#include "srs_core.h"
#include "srs_core_error.h"

#include <openssl/ssl.h>
#include <st.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A server context from PEM files: cert is the full chain (leaf first), key its private key.
 * Fails (ERROR_TLS) when a file is missing or unreadable, or the key does not match. */
srs_error_t srs_tls_server_ctx_new(const char *cert_file, const char *key_file, SSL_CTX **out);

/* The ALPN choice (pure): in is the client's list in wire form (length-prefixed names). Returns
 * true and points *out and *out_len at "http/1.1" inside in when offered; false when it is not, or
 * when the list is malformed (a zero length, or a length past the end). */
bool srs_tls_alpn_select(const unsigned char *in, unsigned int in_len, const unsigned char **out,
                         unsigned char *out_len);

/* One TLS connection over fd; it does not own fd. */
typedef struct srs_tls_s srs_tls_t;
srs_tls_t *srs_tls_new(SSL_CTX *ctx, st_netfd_t fd);
/* The same over an SSL the caller set up (e.g. on memory BIOs, for the fuzzer); takes it. */
srs_tls_t *srs_tls_new_ssl(SSL *ssl, st_netfd_t fd);
void srs_tls_free(srs_tls_t *t);

/* The server handshake, whole, by the absolute deadline (srs_time_now() based; 0 = none).
 * A peer that stalls is cut with ERROR_SYSTEM_TIMEOUT; garbage fails with ERROR_TLS. */
srs_error_t srs_tls_handshake(srs_tls_t *t, srs_utime_t deadline);
/* At least one byte (what is there), or ERROR_SYSTEM_EOF at close_notify or a TCP close. */
srs_error_t srs_tls_read(srs_tls_t *t, void *buf, size_t size, srs_utime_t timeout, size_t *nread);
/* All of it (several records when it is long); timeout is the total for this call. */
srs_error_t srs_tls_write(srs_tls_t *t, const void *buf, size_t size, srs_utime_t timeout);
/* The buffers, coalesced into records of up to 16 KiB (no tiny record per chunk header). */
srs_error_t srs_tls_writev(srs_tls_t *t, const struct iovec *iov, int iovcnt, srs_utime_t timeout);
/* Sends close_notify, without waiting for the peer's. */
void srs_tls_shutdown(srs_tls_t *t);

/* What the driver does after an SSL call returned ret (pure over SSL_get_error; fuzzed through
 * the memory-BIO harness): 0 done, 1 wait to read, 2 wait to write, or an error (EOF, TLS). */
typedef enum { SRS_TLS_DONE = 0, SRS_TLS_WANT_READ, SRS_TLS_WANT_WRITE, SRS_TLS_FAILED } srs_tls_step_t;
srs_tls_step_t srs_tls_step(SSL *ssl, int ret, const char *what, srs_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
