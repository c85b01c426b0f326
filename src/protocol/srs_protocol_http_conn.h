/* SPDX-License-Identifier: MIT */
/* Internal to the HTTP module (srs_protocol_http_*.c): the connection's fields and the helpers
 * the server loop and the client share. Everyone else uses srs_protocol_http.h. */
#ifndef SRS_PROTOCOL_HTTP_CONN_H
#define SRS_PROTOCOL_HTTP_CONN_H

#include "srs_protocol_http.h"

#include <sys/uio.h>

typedef enum {
    SRS_HTTP_BODY_NONE = 0,    /* no body, or read to its end */
    SRS_HTTP_BODY_LENGTH,      /* body_left bytes to go */
    SRS_HTTP_BODY_CHUNKED,
    SRS_HTTP_BODY_UNTIL_CLOSE, /* a response without length: the peer's close ends it */
} srs_http_body_mode_t;

struct srs_http_conn_s {
    st_netfd_t fd;
    /* TLS over fd (HTTPS), or NULL: every read and write goes through srs_http_conn_read/write. */
    struct srs_tls_s *tls;
    srs_utime_t read_timeout, write_timeout, head_timeout;
    /* Total budget of a body read (srs_http_read_body_all, and a request body on the server). */
    srs_utime_t body_timeout;
    /* Absolute time after which every read and write fails (0 = none): a phase's total deadline. */
    srs_utime_t deadline;
    /* Absolute time by which the current body must be read (0 = none); reads only. */
    srs_utime_t body_deadline;
    /* Buffered, unconsumed bytes are buf[start..end). */
    char *buf;
    size_t cap, start, end;
    bool head_started; /* bytes of the next head arrived (so an error deserves an answer) */

    /* The body of the current message. */
    srs_http_body_mode_t body_mode;
    int64_t body_left;
    srs_http_chunked_t chunked;
    bool body_broken;     /* a read failed or the body was refused: the rest is not read */
    bool expect_continue; /* "100 Continue" owed before the first body read */

    /* The current request, which shapes the response. */
    int minor;
    bool keep_alive;
    bool is_head;
    bool responded;
    bool streaming, stream_chunked, stream_ended;
};

/* The connection's transport: plain fd or TLS over it. */
srs_error_t srs_http_conn_read(srs_http_conn_t *c, void *buf, size_t size, srs_utime_t timeout, size_t *n);
srs_error_t srs_http_conn_write(srs_http_conn_t *c, const void *buf, size_t size, srs_utime_t timeout);
srs_error_t srs_http_conn_writev(srs_http_conn_t *c, const struct iovec *iov, int n, srs_utime_t timeout);

/* Forget the previous message: no body, nothing written, HTTP/1.1, not keep-alive. */
void srs_http_conn_reset_message(srs_http_conn_t *c);
/* Reads until a whole head is buffered at buf + start; *head_len is its length. A first line over
 * SRS_HTTP_MAX_LINE fails with line_code, a head over SRS_HTTP_MAX_HEAD with
 * ERROR_HTTP_HEADERS_TOO_LARGE, a head slower than head_timeout with ERROR_SYSTEM_TIMEOUT. */
srs_error_t srs_http_conn_read_head(srs_http_conn_t *c, int line_code, size_t *head_len);

/* The timeout of one blocking call: min(per_call, what is left of c->deadline). Fails with
 * ERROR_SYSTEM_TIMEOUT once the deadline passed. */
srs_error_t srs_http_conn_io_timeout(const srs_http_conn_t *c, srs_utime_t per_call, srs_utime_t *out);

/* True when s[0..n) is a non-empty RFC 9110 token (methods, header names). */
bool srs_http_is_token(const char *s, size_t n);

/* A growing string for heads. */
typedef struct { char *p; size_t len, cap; } srs_http_sbuf_t;
void srs_http_sbuf_append(srs_http_sbuf_t *b, const char *s, size_t n);
void srs_http_sbuf_printf(srs_http_sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends "name: value\r\n" lines, minus Content-Length and Transfer-Encoding (and Connection
 * when asked); refuses names or values that could break the head. */
srs_error_t srs_http_append_headers(srs_http_sbuf_t *b, const srs_http_headers_t *headers, bool skip_connection);

#endif
