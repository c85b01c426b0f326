/* SPDX-License-Identifier: MIT */
/* An HTTP connection over ST: one read buffer (grown to the head limit at most, reused across
 * keep-alive messages), reading heads and bodies, and writing responses and streams. */
#include "srs_protocol_http_conn.h"
#include "srs_protocol_st.h"
#include "srs_protocol_tls.h"
#include "srs_core_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>
#include <time.h>

#define SRS_HTTP_BUF_INITIAL 4096
#define SRS_HTTP_DEFAULT_IO_TIMEOUT (30 * SRS_UTIME_SECONDS)
#define SRS_HTTP_DEFAULT_HEAD_TIMEOUT (10 * SRS_UTIME_SECONDS)

srs_http_conn_t *srs_http_conn_new(st_netfd_t fd)
{
    srs_http_conn_t *c = (srs_http_conn_t *)calloc(1, sizeof(*c));
    if (!c) abort();
    c->fd = fd;
    c->read_timeout = SRS_HTTP_DEFAULT_IO_TIMEOUT;
    c->write_timeout = SRS_HTTP_DEFAULT_IO_TIMEOUT;
    c->head_timeout = SRS_HTTP_DEFAULT_HEAD_TIMEOUT;
    c->body_timeout = SRS_HTTP_DEFAULT_IO_TIMEOUT;
    c->cap = SRS_HTTP_BUF_INITIAL;
    c->buf = (char *)malloc(c->cap);
    if (!c->buf) abort();
    srs_http_conn_reset_message(c);
    return c;
}

void srs_http_conn_free(srs_http_conn_t *c)
{
    if (!c) return;
    srs_tls_free(c->tls);
    free(c->buf);
    free(c);
}

srs_error_t srs_http_conn_read(srs_http_conn_t *c, void *buf, size_t size, srs_utime_t timeout, size_t *n)
{
    if (c->tls) return srs_tls_read(c->tls, buf, size, timeout, n);
    return srs_st_read(c->fd, buf, size, timeout, n);
}

srs_error_t srs_http_conn_write(srs_http_conn_t *c, const void *buf, size_t size, srs_utime_t timeout)
{
    if (c->tls) return srs_tls_write(c->tls, buf, size, timeout);
    return srs_st_write(c->fd, buf, size, timeout);
}

srs_error_t srs_http_conn_writev(srs_http_conn_t *c, const struct iovec *iov, int n, srs_utime_t timeout)
{
    if (c->tls) return srs_tls_writev(c->tls, iov, n, timeout);
    return srs_st_writev(c->fd, iov, n, timeout);
}

void srs_http_conn_set_timeouts(srs_http_conn_t *c, srs_utime_t read_timeout, srs_utime_t write_timeout)
{
    c->read_timeout = read_timeout;
    c->write_timeout = write_timeout;
}

void srs_http_conn_set_head_timeout(srs_http_conn_t *c, srs_utime_t head_timeout) { c->head_timeout = head_timeout; }

void srs_http_conn_set_body_timeout(srs_http_conn_t *c, srs_utime_t body_timeout) { c->body_timeout = body_timeout; }

void srs_http_conn_set_deadline(srs_http_conn_t *c, srs_utime_t deadline) { c->deadline = deadline; }

srs_utime_t srs_http_conn_deadline(const srs_http_conn_t *c) { return c->deadline; }

bool srs_http_deadline_timeout(srs_utime_t now, srs_utime_t per_call, srs_utime_t deadline, srs_utime_t *out)
{
    if (!deadline) {
        *out = per_call;
        return true;
    }
    srs_utime_t left = deadline - now;
    if (left <= 0) return false;
    *out = (per_call == SRS_UTIME_NO_TIMEOUT || left < per_call) ? left : per_call;
    return true;
}

/* The earlier of two deadlines (0 = none). */
static srs_utime_t earlier(srs_utime_t a, srs_utime_t b)
{
    if (!a) return b;
    if (!b) return a;
    return SRS_MIN(a, b);
}

srs_error_t srs_http_conn_io_timeout(const srs_http_conn_t *c, srs_utime_t per_call, srs_utime_t *out)
{
    if (!srs_http_deadline_timeout(srs_time_now(), per_call, c->deadline, out)) {
        return srs_error_new(ERROR_SYSTEM_TIMEOUT, "deadline passed");
    }
    return srs_success;
}

/* For a body read: the connection's deadline and the body's, whichever comes first. */
static srs_error_t body_io_timeout(const srs_http_conn_t *c, srs_utime_t *out)
{
    srs_utime_t d = earlier(c->deadline, c->body_deadline);
    if (!srs_http_deadline_timeout(srs_time_now(), c->read_timeout, d, out)) {
        return srs_error_new(ERROR_SYSTEM_TIMEOUT, "body not complete in time");
    }
    return srs_success;
}

st_netfd_t srs_http_conn_fd(srs_http_conn_t *c) { return c->fd; }

bool srs_http_conn_responded(const srs_http_conn_t *c) { return c->responded; }

bool srs_http_body_eof(const srs_http_conn_t *c) { return c->body_mode == SRS_HTTP_BODY_NONE; }

void srs_http_conn_reset_message(srs_http_conn_t *c)
{
    c->head_started = false;
    c->body_mode = SRS_HTTP_BODY_NONE;
    c->body_left = 0;
    c->body_deadline = 0;
    c->body_broken = false;
    c->expect_continue = false;
    c->minor = 1;
    c->keep_alive = false;
    c->is_head = false;
    c->responded = false;
    c->streaming = false;
    c->stream_chunked = false;
    c->stream_ended = false;
}

/* ---- reading ---- */

/* The end of a head starting at p: just after the blank line, or 0 when more bytes are needed.
 * *from is where the next search resumes. */
static size_t find_head_end(const char *p, size_t n, size_t *from)
{
    for (size_t i = *from; i < n; i++) {
        if (p[i] != '\n') continue;
        if (i + 1 >= n) { *from = i; return 0; }
        if (p[i + 1] == '\n') return i + 2;
        if (p[i + 1] == '\r') {
            if (i + 2 >= n) { *from = i; return 0; }
            if (p[i + 2] == '\n') return i + 3;
        }
    }
    *from = n;
    return 0;
}

/* Drops empty lines before a head (RFC 9112 2.2). False while a lone CR leaves it undecided. */
static bool skip_leading_empty_lines(srs_http_conn_t *c)
{
    while (c->start < c->end) {
        char ch = c->buf[c->start];
        if (ch == '\n') {
            c->start++;
        } else if (ch == '\r') {
            if (c->start + 1 == c->end) return false;
            if (c->buf[c->start + 1] != '\n') return true;
            c->start += 2;
        } else {
            return true;
        }
    }
    return false;
}

static srs_error_t check_first_line(const srs_http_conn_t *c, int line_code)
{
    size_t avail = c->end - c->start;
    const char *p = c->buf + c->start;
    const char *lf = (const char *)memchr(p, '\n', avail);
    size_t len = lf ? (size_t)(lf - p) : avail;
    if (lf && len && p[len - 1] == '\r') len--;
    /* Without LF yet, a CR may still end the line: allow one byte for it. */
    if (len > SRS_HTTP_MAX_LINE + (lf ? 0 : 1)) {
        return srs_error_new(line_code, "first line over %d bytes", SRS_HTTP_MAX_LINE);
    }
    return srs_success;
}

/* Moves buffered bytes to the front and grows the buffer, so a read has room. */
static void make_room(srs_http_conn_t *c, size_t max_cap)
{
    if (c->start > 0) {
        memmove(c->buf, c->buf + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
    }
    if (c->end == c->cap && c->cap < max_cap) {
        size_t cap = SRS_MIN(c->cap * 2, max_cap);
        char *buf = (char *)realloc(c->buf, cap);
        if (!buf) abort();
        c->buf = buf;
        c->cap = cap;
    }
}

srs_error_t srs_http_conn_read_head(srs_http_conn_t *c, int line_code, size_t *head_len)
{
    srs_error_t err;
    srs_utime_t deadline = 0;
    size_t scanned = 0;
    bool content = false;
    c->head_started = c->end > c->start;
    if (c->head_started && c->head_timeout != SRS_UTIME_NO_TIMEOUT) deadline = srs_time_now() + c->head_timeout;

    for (;;) {
        if (!content) content = skip_leading_empty_lines(c);
        if (content) {
            size_t end = find_head_end(c->buf + c->start, c->end - c->start, &scanned);
            if ((err = check_first_line(c, line_code)) != srs_success) return err;
            if (end) {
                *head_len = end;
                return srs_success;
            }
            if (c->end - c->start >= SRS_HTTP_MAX_HEAD) {
                return srs_error_new(ERROR_HTTP_HEADERS_TOO_LARGE, "head over %d bytes", SRS_HTTP_MAX_HEAD);
            }
        }
        make_room(c, SRS_HTTP_MAX_HEAD);

        srs_utime_t timeout = c->read_timeout;
        if ((err = srs_http_conn_io_timeout(c, timeout, &timeout)) != srs_success) return srs_error_wrap(err, "read head");
        if (deadline) {
            srs_utime_t left = deadline - srs_time_now();
            if (left <= 0) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "head not complete in %lld ms", (long long)(c->head_timeout / 1000));
            if (timeout == SRS_UTIME_NO_TIMEOUT || left < timeout) timeout = left;
        }
        size_t n = 0;
        if ((err = srs_http_conn_read(c, c->buf + c->end, c->cap - c->end, timeout, &n)) != srs_success) {
            if (deadline && srs_error_code(err) == ERROR_SYSTEM_TIMEOUT) {
                return srs_error_wrap(err, "head not complete in %lld ms", (long long)(c->head_timeout / 1000));
            }
            return srs_error_wrap(err, "read head");
        }
        c->end += n;
        if (!c->head_started) {
            c->head_started = true;
            if (c->head_timeout != SRS_UTIME_NO_TIMEOUT) deadline = srs_time_now() + c->head_timeout;
        }
    }
}

srs_error_t srs_http_read_request(srs_http_conn_t *c, srs_http_request_t *req)
{
    srs_http_request_free(req);
    srs_http_conn_reset_message(c);
    size_t n = 0;
    srs_error_t err = srs_http_conn_read_head(c, ERROR_HTTP_URI_TOO_LONG, &n);
    if (err) return srs_error_wrap(err, "read request");
    err = srs_http_parse_request_head(c->buf + c->start, n, req);
    c->start += n;
    if (err) return srs_error_wrap(err, "read request");

    c->minor = req->version_minor;
    c->keep_alive = req->keep_alive;
    c->is_head = !strcmp(req->method, "HEAD");
    if (req->chunked) {
        c->body_mode = SRS_HTTP_BODY_CHUNKED;
        srs_http_chunked_init(&c->chunked);
    } else if (req->content_length > 0) {
        c->body_mode = SRS_HTTP_BODY_LENGTH;
        c->body_left = req->content_length;
    }
    /* The request body is one phase with one budget, however slowly its bytes come. */
    if (c->body_mode != SRS_HTTP_BODY_NONE && c->body_timeout != SRS_UTIME_NO_TIMEOUT) {
        c->body_deadline = srs_time_now() + c->body_timeout;
    }
    const char *expect = srs_http_headers_get(&req->headers, "Expect");
    c->expect_continue = c->minor >= 1 && c->body_mode != SRS_HTTP_BODY_NONE && expect &&
                         !strcasecmp(expect, "100-continue");
    return srs_success;
}

/* Reads more bytes into the empty buffer. */
static srs_error_t fill_buffer(srs_http_conn_t *c)
{
    c->start = c->end = 0;
    size_t n = 0;
    srs_utime_t timeout = 0;
    srs_error_t err = body_io_timeout(c, &timeout);
    if (err) return err;
    err = srs_http_conn_read(c, c->buf, c->cap, timeout, &n);
    if (err) return err;
    c->end = n;
    return srs_success;
}

static srs_error_t read_body_bytes(srs_http_conn_t *c, char *buf, size_t size, size_t *n)
{
    srs_error_t err;
    size_t buffered = c->end - c->start;
    if (c->body_mode == SRS_HTTP_BODY_CHUNKED) {
        for (;;) {
            if (!buffered) {
                if ((err = fill_buffer(c)) != srs_success) return srs_error_wrap(err, "read chunked body");
                buffered = c->end;
            }
            size_t used = 0, produced = 0;
            err = srs_http_chunked_decode(&c->chunked, c->buf + c->start, buffered, &used, buf, size, &produced);
            c->start += used;
            buffered -= used;
            if (err) return err;
            if (srs_http_chunked_done(&c->chunked)) c->body_mode = SRS_HTTP_BODY_NONE;
            if (produced || c->body_mode == SRS_HTTP_BODY_NONE) {
                *n = produced;
                return srs_success;
            }
        }
    }

    size_t want = size;
    srs_utime_t timeout = 0;
    if (c->body_mode == SRS_HTTP_BODY_LENGTH && (uint64_t)want > (uint64_t)c->body_left) want = (size_t)c->body_left;
    if (buffered) {
        *n = SRS_MIN(want, buffered);
        memcpy(buf, c->buf + c->start, *n);
        c->start += *n;
    } else if ((err = body_io_timeout(c, &timeout)) != srs_success ||
               (err = srs_http_conn_read(c, buf, want, timeout, n)) != srs_success) {
        /* A body that runs until close ends well at EOF. */
        if (c->body_mode == SRS_HTTP_BODY_UNTIL_CLOSE && srs_error_code(err) == ERROR_SYSTEM_EOF) {
            srs_error_free(err);
            c->body_mode = SRS_HTTP_BODY_NONE;
            *n = 0;
            return srs_success;
        }
        return srs_error_wrap(err, "read body");
    }
    if (c->body_mode == SRS_HTTP_BODY_LENGTH) {
        c->body_left -= (int64_t)*n;
        if (!c->body_left) c->body_mode = SRS_HTTP_BODY_NONE;
    }
    return srs_success;
}

srs_error_t srs_http_read_body(srs_http_conn_t *c, void *buf, size_t size, size_t *n)
{
    srs_error_t err;
    *n = 0;
    if (c->body_mode == SRS_HTTP_BODY_NONE) return srs_success;
    if (c->body_broken) return srs_error_new(ERROR_HTTP_PARSE, "body unreadable after an earlier error");
    if (!size) return srs_error_new(ERROR_SYSTEM_IO, "read body into an empty buffer");
    if (c->expect_continue) {
        c->expect_continue = false;
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        srs_utime_t timeout = 0;
        if ((err = srs_http_conn_io_timeout(c, c->write_timeout, &timeout)) != srs_success ||
            (err = srs_http_conn_write(c, cont, sizeof(cont) - 1, timeout)) != srs_success) {
            c->body_broken = true;
            return srs_error_wrap(err, "write 100 Continue");
        }
    }
    if ((err = read_body_bytes(c, (char *)buf, size, n)) != srs_success) {
        c->body_broken = true;
        return err;
    }
    return srs_success;
}

srs_error_t srs_http_read_body_all(srs_http_conn_t *c, size_t max, char **body, size_t *len)
{
    *body = NULL;
    *len = 0;
    if (c->body_mode == SRS_HTTP_BODY_LENGTH && (uint64_t)c->body_left > (uint64_t)max) {
        c->body_broken = true;
        return srs_error_new(ERROR_HTTP_TOO_LARGE, "body of %lld bytes over %zu", (long long)c->body_left, max);
    }
    /* The whole body within the body timeout, not per read (restored after: a server's request
     * body keeps its own budget). */
    srs_utime_t saved_deadline = c->body_deadline;
    if (c->body_timeout != SRS_UTIME_NO_TIMEOUT) {
        c->body_deadline = earlier(c->body_deadline, srs_time_now() + c->body_timeout);
    }
    /* Reading one byte over max tells a too large body from one of exactly max. */
    size_t limit = max < SIZE_MAX - 1 ? max + 1 : max;
    size_t cap = SRS_HTTP_BUF_INITIAL;
    if (c->body_mode == SRS_HTTP_BODY_LENGTH) cap = (size_t)c->body_left;
    cap = SRS_MAX(SRS_MIN(cap, limit), (size_t)1);
    char *b = (char *)malloc(cap + 1);
    if (!b) abort();
    size_t got = 0;
    while (!srs_http_body_eof(c)) {
        if (got == cap) {
            if (cap >= limit) break;
            cap = SRS_MIN(cap * 2, limit);
            char *nb = (char *)realloc(b, cap + 1);
            if (!nb) abort();
            b = nb;
        }
        size_t n = 0;
        srs_error_t err = srs_http_read_body(c, b + got, cap - got, &n);
        if (err) {
            c->body_deadline = saved_deadline;
            free(b);
            return srs_error_wrap(err, "read body after %zu bytes", got);
        }
        got += n;
    }
    c->body_deadline = saved_deadline;
    if (got > max) {
        c->body_broken = true;
        free(b);
        return srs_error_new(ERROR_HTTP_TOO_LARGE, "body over %zu bytes", max);
    }
    b[got] = '\0';
    *body = b;
    *len = got;
    return srs_success;
}

/* ---- writing ---- */

void srs_http_sbuf_append(srs_http_sbuf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = (char *)realloc(b->p, cap);
        if (!p) abort();
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void srs_http_sbuf_printf(srs_http_sbuf_t *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof(tmp)) {
        srs_http_sbuf_append(b, tmp, (size_t)n);
        return;
    }
    char *big = (char *)malloc((size_t)n + 1);
    if (!big) abort();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    srs_http_sbuf_append(b, big, (size_t)n);
    free(big);
}

/* Header lines the caller gave, minus the framing ones this layer owns; each name and value is
 * checked so that nothing can end the head early. */
srs_error_t srs_http_append_headers(srs_http_sbuf_t *b, const srs_http_headers_t *headers, bool skip_connection)
{
    for (int i = 0; headers && i < headers->count; i++) {
        const srs_http_header_t *h = &headers->items[i];
        size_t name_len = strlen(h->name);
        if (!srs_http_is_token(h->name, name_len)) return srs_error_new(ERROR_HTTP_PARSE, "invalid header name");
        if (strpbrk(h->value, "\r\n")) return srs_error_new(ERROR_HTTP_PARSE, "line break in header %s", h->name);
        if (!strcasecmp(h->name, "Content-Length") || !strcasecmp(h->name, "Transfer-Encoding")) continue;
        if (skip_connection && !strcasecmp(h->name, "Connection")) continue;
        srs_http_sbuf_append(b, h->name, name_len);
        srs_http_sbuf_append(b, ": ", 2);
        srs_http_sbuf_append(b, h->value, strlen(h->value));
        srs_http_sbuf_append(b, "\r\n", 2);
    }
    return srs_success;
}

typedef enum { FRAME_NONE, FRAME_LENGTH, FRAME_CHUNKED, FRAME_CLOSE } frame_t;

/* The response head: status line, the caller's headers, Server, Date, framing, Connection. */
static srs_error_t build_response_head(srs_http_conn_t *c, int status, const srs_http_headers_t *headers,
                                       frame_t frame, size_t len, srs_http_sbuf_t *b)
{
    if (status < 100 || status > 999) return srs_error_new(ERROR_HTTP_STATUS, "invalid status %d", status);
    if (srs_http_headers_has_token(headers, "Connection", "close")) c->keep_alive = false;
    if (frame == FRAME_CLOSE) c->keep_alive = false;
    /* A refused body, or one the client holds back until "100 Continue", will not be read: the
     * connection cannot carry another request. */
    if (c->body_broken || (c->expect_continue && c->body_mode != SRS_HTTP_BODY_NONE)) c->keep_alive = false;

    srs_http_sbuf_printf(b, "HTTP/1.%d %d %s\r\n", c->minor, status, srs_http_status_text(status));
    srs_error_t err = srs_http_append_headers(b, headers, true);
    if (err) return srs_error_wrap(err, "response head");
    if (!srs_http_headers_get(headers, "Server")) srs_http_sbuf_printf(b, "Server: %s\r\n", SRS_PROXY_SERVER);
    if (!srs_http_headers_get(headers, "Date")) {
        char date[64];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        srs_http_sbuf_printf(b, "Date: %s\r\n", date);
    }
    if (frame == FRAME_LENGTH) srs_http_sbuf_printf(b, "Content-Length: %zu\r\n", len);
    if (frame == FRAME_CHUNKED) srs_http_sbuf_printf(b, "Transfer-Encoding: chunked\r\n");
    if (!c->keep_alive) srs_http_sbuf_printf(b, "Connection: close\r\n");
    else if (c->minor == 0) srs_http_sbuf_printf(b, "Connection: keep-alive\r\n");
    srs_http_sbuf_append(b, "\r\n", 2);
    return srs_success;
}

static srs_error_t write_iov(srs_http_conn_t *c, struct iovec *iov, int n)
{
    srs_utime_t timeout = 0;
    srs_error_t err = srs_http_conn_io_timeout(c, c->write_timeout, &timeout);
    if (!err) err = srs_http_conn_writev(c, iov, n, timeout);
    if (err) {
        c->keep_alive = false;
        return srs_error_wrap(err, "write response");
    }
    return srs_success;
}

srs_error_t srs_http_write_response(srs_http_conn_t *c, int status, const srs_http_headers_t *headers,
                                    const void *body, size_t len)
{
    if (c->responded) return srs_error_new(ERROR_HTTP_STATUS, "response %d after the response", status);
    bool bodiless_status = status < 200 || status == 204 || status == 304;
    frame_t frame = (status < 200 || status == 204) ? FRAME_NONE : FRAME_LENGTH;
    srs_http_sbuf_t head = {0};
    srs_error_t err = build_response_head(c, status, headers, frame, len, &head);
    if (err) {
        free(head.p);
        return err;
    }
    c->responded = true;
    struct iovec iov[2] = {{head.p, head.len}, {(void *)body, len}};
    int n = (c->is_head || bodiless_status || !body || !len) ? 1 : 2;
    err = write_iov(c, iov, n);
    free(head.p);
    return err;
}

/* The head of a streamed body: chunked, close-delimited, or of a known length. */
static srs_error_t begin_stream(srs_http_conn_t *c, int status, const srs_http_headers_t *headers, frame_t frame,
                                size_t length)
{
    if (c->responded) return srs_error_new(ERROR_HTTP_STATUS, "stream %d after the response", status);
    c->stream_chunked = frame == FRAME_CHUNKED;
    srs_http_sbuf_t head = {0};
    srs_error_t err = build_response_head(c, status, headers, frame, length, &head);
    if (err) {
        free(head.p);
        return err;
    }
    c->responded = true;
    c->streaming = true;
    struct iovec iov = {head.p, head.len};
    err = write_iov(c, &iov, 1);
    free(head.p);
    return err;
}

srs_error_t srs_http_write_stream_head(srs_http_conn_t *c, int status, const srs_http_headers_t *headers)
{
    return begin_stream(c, status, headers, c->minor >= 1 ? FRAME_CHUNKED : FRAME_CLOSE, 0);
}

srs_error_t srs_http_write_stream_head_length(srs_http_conn_t *c, int status, const srs_http_headers_t *headers,
                                              size_t length)
{
    return begin_stream(c, status, headers, FRAME_LENGTH, length);
}

srs_error_t srs_http_write_stream_data(srs_http_conn_t *c, const void *data, size_t len)
{
    if (!c->streaming || c->stream_ended) return srs_error_new(ERROR_HTTP_STATUS, "stream data without a stream");
    /* An empty chunk would end the stream. */
    if (!len || c->is_head) return srs_success;
    if (!c->stream_chunked) {
        struct iovec iov = {(void *)data, len};
        return write_iov(c, &iov, 1);
    }
    char size[24];
    int n = snprintf(size, sizeof(size), "%zx\r\n", len);
    struct iovec iov[3] = {{size, (size_t)n}, {(void *)data, len}, {(void *)"\r\n", 2}};
    return write_iov(c, iov, 3);
}

srs_error_t srs_http_write_stream_end(srs_http_conn_t *c)
{
    if (!c->streaming) return srs_error_new(ERROR_HTTP_STATUS, "stream end without a stream");
    if (c->stream_ended) return srs_success;
    c->stream_ended = true;
    if (!c->stream_chunked || c->is_head) return srs_success;
    struct iovec iov = {(void *)"0\r\n\r\n", 5};
    return write_iov(c, &iov, 1);
}

/* JSON string contents: quotes, backslashes and control characters escaped. */
static void append_json_escaped(srs_http_sbuf_t *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            char esc[2] = {'\\', (char)ch};
            srs_http_sbuf_append(b, esc, 2);
        } else if (ch < 0x20) {
            srs_http_sbuf_printf(b, "\\u%04x", ch);
        } else {
            srs_http_sbuf_append(b, s, 1);
        }
    }
}

srs_error_t srs_http_write_error_headers(srs_http_conn_t *c, int status, const srs_http_headers_t *headers,
                                         int code, const char *msg)
{
    srs_http_sbuf_t body = {0};
    srs_http_sbuf_printf(&body, "{\"code\":%d,\"msg\":\"", code);
    append_json_escaped(&body, msg);
    srs_http_sbuf_append(&body, "\"}", 2);

    srs_http_headers_t h = {0};
    for (int i = 0; headers && i < headers->count; i++) {
        srs_http_headers_add(&h, headers->items[i].name, headers->items[i].value);
    }
    srs_http_headers_set(&h, "Content-Type", "application/json");
    srs_error_t err = srs_http_write_response(c, status, &h, body.p, body.len);
    srs_http_headers_free(&h);
    free(body.p);
    return err;
}

srs_error_t srs_http_write_error(srs_http_conn_t *c, int status, int code, const char *msg)
{
    return srs_http_write_error_headers(c, status, NULL, code, msg);
}

int srs_http_status_of_error(srs_error_t err)
{
    switch (srs_error_code(err)) {
    case ERROR_HTTP_PARSE: return 400;
    case ERROR_SYSTEM_TIMEOUT: return 408;
    case ERROR_HTTP_TOO_LARGE: return 413;
    case ERROR_HTTP_URI_TOO_LONG: return 414;
    case ERROR_HTTP_HEADERS_TOO_LARGE: return 431;
    }
    return 0;
}
