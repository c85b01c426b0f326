/* SPDX-License-Identifier: MIT */
/* HTTP/1.0 and HTTP/1.1 over State Threads: pure head parsers and a chunked decoder (no I/O,
 * fuzzed), a buffered connection for servers and clients, a keep-alive server loop, and a small
 * client. Shared by the system API, the WHIP/WHEP API, HTTP-FLV/HLS streaming and the tools.
 *
 * Strict on purpose: a proxy that reads a message differently from the origin behind it invites
 * request smuggling. Rejected: obs-fold, bare CR, header names with spaces, conflicting
 * Content-Length, Content-Length with chunked, codings other than chunked, overflowing sizes,
 * HTTP/1.1 requests without exactly one Host, versions other than 1.0 and 1.1. */
#ifndef SRS_PROTOCOL_HTTP_H
#define SRS_PROTOCOL_HTTP_H

#include "srs_core.h"
#include "srs_core_error.h"

#include <st.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The request line (and so the target) may not exceed this: 414. */
#define SRS_HTTP_MAX_LINE (8 * 1024)
/* A whole head (request or response) may not exceed this: 431. */
#define SRS_HTTP_MAX_HEAD (32 * 1024)

/* Headers in arrival order; names keep their case, lookups ignore it. Zero-initialise. */
typedef struct { char *name; char *value; } srs_http_header_t;
typedef struct { srs_http_header_t *items; int count; int cap; } srs_http_headers_t;

/* Case-insensitive, first match, NULL if none. */
const char *srs_http_headers_get(const srs_http_headers_t *h, const char *name);
/* Appends a copy of name and value. */
void srs_http_headers_add(srs_http_headers_t *h, const char *name, const char *value);
/* Replaces every header of that name with one. */
void srs_http_headers_set(srs_http_headers_t *h, const char *name, const char *value);
/* Removes every header of that name. */
void srs_http_headers_del(srs_http_headers_t *h, const char *name);
/* Frees the items and zeroes the struct. */
void srs_http_headers_free(srs_http_headers_t *h);
/* True when the comma-separated header (every line of that name) has token, ignoring case;
 * e.g. srs_http_headers_has_token(h, "Connection", "close"). */
bool srs_http_headers_has_token(const srs_http_headers_t *h, const char *name, const char *token);

typedef struct {
    char method[16];          /* "GET", "POST", ... */
    char *target;             /* raw request-target, e.g. "/rtc/v1/whep/?app=live&stream=s" */
    char *path;               /* target before '?', percent-decoded ("/rtc/v1/whep/"); never holds
                                 control characters, but may hold "..": check before using as a file */
    char *query;              /* raw text after '?', "" when none */
    int version_minor;        /* HTTP/1.<minor> */
    srs_http_headers_t headers;
    int64_t content_length;   /* -1 when absent */
    bool chunked;             /* Transfer-Encoding: chunked */
    bool keep_alive;          /* from version + Connection header */
} srs_http_request_t;
/* Frees the members, not req itself, and leaves it empty (content_length -1). */
void srs_http_request_free(srs_http_request_t *req);

typedef struct {
    int status;
    char *reason;
    int version_minor;
    srs_http_headers_t headers;
    int64_t content_length;   /* -1 when absent */
    bool chunked;
    bool keep_alive;
} srs_http_response_t;
void srs_http_response_free(srs_http_response_t *res);

/* Pure parsers (no I/O, fuzzed): `head` is the bytes up to and including the blank line (CRLF
 * or a lone LF ends a line). The output is overwritten without being freed first; on an error it
 * is left empty. Errors: ERROR_HTTP_PARSE, ERROR_HTTP_URI_TOO_LONG (request line over
 * SRS_HTTP_MAX_LINE), ERROR_HTTP_HEADERS_TOO_LARGE (head over SRS_HTTP_MAX_HEAD). */
srs_error_t srs_http_parse_request_head(const char *head, size_t len, srs_http_request_t *req);
srs_error_t srs_http_parse_response_head(const char *head, size_t len, srs_http_response_t *res);

/* Incremental decoder of a chunked body (pure, fuzzed). Zero-initialise or call init. */
typedef struct {
    int state;
    uint64_t left;     /* data bytes left in the current chunk */
    size_t line_bytes; /* bytes of the current extension or of all trailers, to bound them */
    int digits;
} srs_http_chunked_t;
void srs_http_chunked_init(srs_http_chunked_t *d);
/* Decodes from in into out. Stops when the input is used up, out is full, or the body ends (the
 * bytes after the end are not consumed). *consumed and *produced say how far it went. */
srs_error_t srs_http_chunked_decode(srs_http_chunked_t *d, const void *in, size_t in_len, size_t *consumed,
                                    void *out, size_t out_size, size_t *produced);
/* True after the last chunk and the trailers. */
bool srs_http_chunked_done(const srs_http_chunked_t *d);

/* Query strings: value of key (percent-decoded, '+' is space) into out; false if absent, or
 * when the value is malformed, holds a control character (e.g. %0a), or does not fit. */
bool srs_http_query_get(const char *query, const char *key, char *out, size_t size);
/* Percent-decode in[0..len) into out (NUL-terminated; len + 1 bytes always fit). Returns false
 * on a malformed escape, on %00 (a C string cannot hold it), or when out is too small. */
bool srs_http_url_decode(const char *in, size_t len, char *out, size_t size);
/* "OK", "Not Found", ...; "Unknown" for codes without a text. */
const char *srs_http_status_text(int status);

/* A connection: buffered reads over an st_netfd_t. It does not own the fd. */
typedef struct srs_http_conn_s srs_http_conn_t;
srs_http_conn_t *srs_http_conn_new(st_netfd_t fd);
void srs_http_conn_free(srs_http_conn_t *c);
/* read_timeout bounds each read (and the wait for a request's first byte); write_timeout each
 * write. Defaults: 30 s both. SRS_UTIME_NO_TIMEOUT waits forever. */
void srs_http_conn_set_timeouts(srs_http_conn_t *c, srs_utime_t read_timeout, srs_utime_t write_timeout);
/* The whole head must arrive within this from its first byte (default 10 s). */
void srs_http_conn_set_head_timeout(srs_http_conn_t *c, srs_utime_t head_timeout);
/* A body must arrive whole within this (default 30 s), not per read: on the server side from the
 * end of the request head, for srs_http_read_body_all from its call. SRS_UTIME_NO_TIMEOUT = none. */
void srs_http_conn_set_body_timeout(srs_http_conn_t *c, srs_utime_t body_timeout);
/* An absolute deadline (srs_time_now() based) for every read and write on the connection until it
 * is changed; 0 clears it. Past it, I/O fails with ERROR_SYSTEM_TIMEOUT. */
void srs_http_conn_set_deadline(srs_http_conn_t *c, srs_utime_t deadline);
srs_utime_t srs_http_conn_deadline(const srs_http_conn_t *c);
/* The deadline arithmetic (pure, tested): the timeout for one blocking call at `now` given the
 * per-call timeout and an absolute deadline (0 = none); false when the deadline passed. */
bool srs_http_deadline_timeout(srs_utime_t now, srs_utime_t per_call, srs_utime_t deadline, srs_utime_t *out);
st_netfd_t srs_http_conn_fd(srs_http_conn_t *c);

/* Server side. Limits: the request line/target over 8 KiB → ERROR_HTTP_URI_TOO_LONG (414); the
 * head over 32 KiB → ERROR_HTTP_HEADERS_TOO_LARGE (431); malformed → ERROR_HTTP_PARSE (400); the
 * whole head must arrive within the head timeout from its first byte, so a slow drip of headers
 * is cut (ERROR_SYSTEM_TIMEOUT → 408). Empty lines before a request are skipped. req must be
 * zeroed or hold an earlier request: it is freed first. */
srs_error_t srs_http_read_request(srs_http_conn_t *c, srs_http_request_t *req);
/* Body of the current message (Content-Length or chunked, decoded; for a response without either,
 * until the peer closes). Reads up to size (> 0) bytes; *n = 0 at the end of the body. A request
 * with "Expect: 100-continue" gets its "100 Continue" on the first call. */
srs_error_t srs_http_read_body(srs_http_conn_t *c, void *buf, size_t size, size_t *n);
/* Whole body, at most max bytes (more → ERROR_HTTP_TOO_LARGE, 413); NUL-terminated; caller
 * frees. The whole body must arrive within the body timeout (and the connection's deadline):
 * a peer dripping bytes is cut (ERROR_SYSTEM_TIMEOUT). */
srs_error_t srs_http_read_body_all(srs_http_conn_t *c, size_t max, char **body, size_t *len);
/* True once the body of the current message was read to its end (or it had none). */
bool srs_http_body_eof(const srs_http_conn_t *c);

/* Responses, in the version of the request. Adds Server: SRSX/7.0.143 (SRS_PROXY_SERVER) and
 * Date unless present, Content-Length (the caller's is ignored), and Connection: close when the
 * request is not keep-alive. A "Connection: close" among headers closes the connection after the
 * response. The body is not sent for HEAD requests and 1xx/204/304 answers. Header names and
 * values with CR or LF are refused (ERROR_HTTP_PARSE): no response splitting. */
srs_error_t srs_http_write_response(srs_http_conn_t *c, int status, const srs_http_headers_t *headers,
                                    const void *body, size_t len);
/* Streaming: head with Transfer-Encoding: chunked (HTTP/1.1) and then chunks; or, for HTTP/1.0
 * peers, no length and close at the end. Empty data writes nothing. */
srs_error_t srs_http_write_stream_head(srs_http_conn_t *c, int status, const srs_http_headers_t *headers);
/* Streaming a body whose length is known (a segment relayed as it arrives): Content-Length, then
 * exactly `length` bytes of stream data; the connection stays reusable. */
srs_error_t srs_http_write_stream_head_length(srs_http_conn_t *c, int status, const srs_http_headers_t *headers,
                                              size_t length);
srs_error_t srs_http_write_stream_data(srs_http_conn_t *c, const void *data, size_t len);
srs_error_t srs_http_write_stream_end(srs_http_conn_t *c);
/* True once a response (or a stream head) was written for the current request. */
bool srs_http_conn_responded(const srs_http_conn_t *c);
/* SRS-style JSON error {"code":<code>,"msg":"<text>"} with the status. */
srs_error_t srs_http_write_error(srs_http_conn_t *c, int status, int code, const char *msg);
/* The same with extra headers (e.g. CORS). */
srs_error_t srs_http_write_error_headers(srs_http_conn_t *c, int status, const srs_http_headers_t *headers,
                                         int code, const char *msg);
/* The status a read error deserves: 400, 408, 413, 414, 431 (0 when the peer just went away). */
int srs_http_status_of_error(srs_error_t err);

/* A keep-alive server loop for one accepted connection. For each request it calls handler; after
 * the handler it discards any unread body (up to 256 KiB, else it closes); it stops on close, on
 * an error, or when the handler returns an error. Malformed/oversized requests are answered
 * (400/408/413/414/431 via srs_http_write_error) and the connection closed. Idle keep-alive
 * connections are closed after idle_timeout. A handler that returns success without answering
 * gets an empty 200 (as Go); one that fails before answering gets a 500; an unfinished stream is
 * ended. Returns success when the peer closed or went idle between requests, else the error
 * (protocol errors come from peers: log them through a rate limiter). The caller closes fd. */
typedef srs_error_t (*srs_http_handler_fn)(void *ctx, srs_http_conn_t *c, srs_http_request_t *req);
typedef struct {
    srs_utime_t head_timeout, idle_timeout, write_timeout; /* 0 = defaults 10s/30s/30s */
    srs_utime_t body_timeout; /* the whole request body, from the end of its head; 0 = default 30s */
} srs_http_server_opts_t;
/* The process-wide defaults that a zero field of the options means (PROXY_HTTP_HEAD_TIMEOUT,
 * PROXY_HTTP_BODY_TIMEOUT); 0 leaves one as it is. */
void srs_http_server_set_defaults(srs_utime_t head_timeout, srs_utime_t body_timeout);
srs_error_t srs_http_serve_conn(st_netfd_t fd, const srs_http_server_opts_t *opts,
                                srs_http_handler_fn handler, void *ctx);
/* The same over TLS (HTTPS): the server handshake first, whole within the head timeout from the
 * call (PROXY_HTTP_HEAD_TIMEOUT), then the same loop, every read and write through TLS. tls_ctx
 * is referenced by the connection for its life (a certificate reload may drop the caller's). */
typedef struct ssl_ctx_st SSL_CTX;
srs_error_t srs_http_serve_conn_tls(st_netfd_t fd, SSL_CTX *tls_ctx, const srs_http_server_opts_t *opts,
                                    srs_http_handler_fn handler, void *ctx);
/* TLS handshakes of the HTTPS listeners since start: done, failed (not TLS, bad version or
 * cipher), timed out (the head timeout), closed by the peer during the handshake. */
typedef struct {
    uint64_t handshakes, handshake_failures, handshake_timeouts, handshake_closed;
} srs_http_tls_stats_t;
void srs_http_tls_stats(srs_http_tls_stats_t *out);

/* Client: connect with a timeout, send a request (Content-Length body when body or len is given,
 * or for POST/PUT/PATCH; Host header added unless given), read the response head (1xx interim
 * answers but 101 are skipped; 32 KiB limit). Connect + request + whole response head share ONE
 * deadline of connect_timeout + io_timeout from the call (an origin dripping its head is cut).
 * The body is then read with srs_http_read_body (io_timeout per read: for streams) or
 * srs_http_read_body_all (io_timeout for the WHOLE body) on client->conn; a caller that wants one
 * deadline over everything sets it with srs_http_client_do_deadline. srs_http_client_close frees
 * everything and closes the socket. On an error *out is NULL and nothing is left open. */
typedef struct srs_http_client_s {
    st_netfd_t fd; srs_http_conn_t *conn; srs_http_response_t res;
    char host[300]; /* the Host header value sent */
} srs_http_client_t;
srs_error_t srs_http_client_do(const char *host, int port, const char *method, const char *target,
                               const srs_http_headers_t *headers, const void *body, size_t len,
                               srs_utime_t connect_timeout, srs_utime_t io_timeout,
                               srs_http_client_t **out);
/* The same with one absolute deadline (srs_time_now() based) for connect, request, response head
 * and every later read/write of client->conn (a buffered body included), until the caller changes
 * it with srs_http_conn_set_deadline(client->conn, ...); per call, io_timeout still applies. */
srs_error_t srs_http_client_do_deadline(const char *host, int port, const char *method, const char *target,
                                        const srs_http_headers_t *headers, const void *body, size_t len,
                                        srs_utime_t deadline, srs_utime_t io_timeout, srs_http_client_t **out);
/* Another request on the same keep-alive connection, after the previous body was read to its end
 * (ERROR_HTTP_PARSE otherwise, or when the server said Connection: close). client->res is
 * replaced. */
srs_error_t srs_http_client_request(srs_http_client_t *client, const char *method, const char *target,
                                    const srs_http_headers_t *headers, const void *body, size_t len);
void srs_http_client_close(srs_http_client_t *client);

#ifdef __cplusplus
}
#endif

#endif
