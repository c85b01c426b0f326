/* SPDX-License-Identifier: MIT */
/* The keep-alive server loop for one accepted connection. */
#include "srs_protocol_http_conn.h"
#include "srs_protocol_st.h"
#include "srs_protocol_tls.h"
#include "srs_core_log.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SRS_HTTP_DEFAULT_HEAD_TIMEOUT (10 * SRS_UTIME_SECONDS)
#define SRS_HTTP_DEFAULT_IDLE_TIMEOUT (30 * SRS_UTIME_SECONDS)
#define SRS_HTTP_DEFAULT_WRITE_TIMEOUT (30 * SRS_UTIME_SECONDS)
/* A request body, whole: a register body is 1 KiB, a WHEP offer a few. */
#define SRS_HTTP_DEFAULT_BODY_TIMEOUT (30 * SRS_UTIME_SECONDS)
/* An unread body up to this is drained to keep the connection; a longer one closes it (as Go). */
#define SRS_HTTP_MAX_DISCARD (256 * 1024)
/* How long, and for how many bytes, an error answer waits for the peer to stop sending before the
 * close: enough for a client that sends a whole refused body (a 2 MiB register) before it reads. */
#define SRS_HTTP_LINGER (500 * SRS_UTIME_MILLISECONDS)
#define SRS_HTTP_LINGER_MAX (4 * 1024 * 1024)

/* Closing with unread bytes makes the kernel reset the connection, which can destroy an error
 * answer before the peer reads it. So half-close, then drain a little for a short while (as Go
 * does). An interrupt ends it at once. */
static void linger_before_close(srs_http_conn_t *c)
{
    srs_tls_shutdown(c->tls);
    shutdown(st_netfd_fileno(c->fd), SHUT_WR);
    srs_utime_t deadline = srs_time_now() + SRS_HTTP_LINGER;
    char tmp[4096];
    size_t total = 0;
    while (total < SRS_HTTP_LINGER_MAX) {
        srs_utime_t left = deadline - srs_time_now();
        if (left <= 0) break;
        size_t n = 0;
        srs_error_t err = srs_st_read(c->fd, tmp, sizeof(tmp), left, &n);
        if (err) {
            srs_error_free(err);
            break;
        }
        total += n;
    }
}

/* A request could not be read: answer it when it deserves a status. */
static srs_error_t answer_bad_request(srs_http_conn_t *c, srs_error_t err)
{
    int code = srs_error_code(err);
    /* Nothing of a next request arrived: the peer closed or went idle, the normal end. */
    if (!c->head_started && (code == ERROR_SYSTEM_EOF || code == ERROR_SYSTEM_TIMEOUT)) {
        srs_error_free(err);
        return srs_success;
    }
    int status = srs_http_status_of_error(err);
    if (status) {
        c->keep_alive = false;
        srs_error_t werr = srs_http_write_error(c, status, code, srs_error_code_text(code));
        if (!werr) linger_before_close(c);
        srs_error_free(werr);
    }
    return srs_error_wrap(err, "serve http");
}

/* Reads what the handler left of the body; *drained is false when it was too long to bother. */
static srs_error_t discard_body(srs_http_conn_t *c, bool *drained)
{
    char tmp[4096];
    size_t total = 0;
    *drained = false;
    while (!srs_http_body_eof(c)) {
        if (total >= SRS_HTTP_MAX_DISCARD) return srs_success;
        size_t n = 0;
        srs_error_t err = srs_http_read_body(c, tmp, sizeof(tmp), &n);
        if (err) return srs_error_wrap(err, "discard body");
        total += n;
    }
    *drained = true;
    return srs_success;
}

/* After the handler: a default answer, the end of a stream, and whether to keep going. */
static srs_error_t finish_request(srs_http_conn_t *c, bool *next)
{
    srs_error_t err;
    *next = false;
    if (!c->responded) {
        if ((err = srs_http_write_response(c, 200, NULL, NULL, 0)) != srs_success) return err;
    } else if (c->streaming && !c->stream_ended) {
        if ((err = srs_http_write_stream_end(c)) != srs_success) return err;
    }
    /* A client waiting for "100 Continue" may never send the body: do not wait for it. */
    if (!c->keep_alive || c->expect_continue || c->body_broken) return srs_success;
    return discard_body(c, next);
}

static srs_utime_t default_head_timeout = SRS_HTTP_DEFAULT_HEAD_TIMEOUT;
static srs_utime_t default_body_timeout = SRS_HTTP_DEFAULT_BODY_TIMEOUT;

void srs_http_server_set_defaults(srs_utime_t head_timeout, srs_utime_t body_timeout)
{
    if (head_timeout) default_head_timeout = head_timeout;
    if (body_timeout) default_body_timeout = body_timeout;
}

static srs_error_t serve_conn(st_netfd_t fd, SSL_CTX *tls_ctx, const srs_http_server_opts_t *opts,
                              srs_http_handler_fn handler, void *ctx);

srs_error_t srs_http_serve_conn(st_netfd_t fd, const srs_http_server_opts_t *opts,
                                srs_http_handler_fn handler, void *ctx)
{
    return serve_conn(fd, NULL, opts, handler, ctx);
}

static srs_http_tls_stats_t tls_stats;

void srs_http_tls_stats(srs_http_tls_stats_t *out) { *out = tls_stats; }

srs_error_t srs_http_serve_conn_tls(st_netfd_t fd, SSL_CTX *tls_ctx, const srs_http_server_opts_t *opts,
                                    srs_http_handler_fn handler, void *ctx)
{
    return serve_conn(fd, tls_ctx, opts, handler, ctx);
}

static srs_error_t serve_conn(st_netfd_t fd, SSL_CTX *tls_ctx, const srs_http_server_opts_t *opts,
                              srs_http_handler_fn handler, void *ctx)
{
    srs_http_server_opts_t o = {default_head_timeout, SRS_HTTP_DEFAULT_IDLE_TIMEOUT, SRS_HTTP_DEFAULT_WRITE_TIMEOUT,
                                default_body_timeout};
    if (opts && opts->body_timeout) o.body_timeout = opts->body_timeout;
    if (opts && opts->head_timeout) o.head_timeout = opts->head_timeout;
    if (opts && opts->idle_timeout) o.idle_timeout = opts->idle_timeout;
    if (opts && opts->write_timeout) o.write_timeout = opts->write_timeout;

    srs_http_conn_t *c = srs_http_conn_new(fd);
    srs_http_conn_set_timeouts(c, o.idle_timeout, o.write_timeout);
    srs_http_conn_set_head_timeout(c, o.head_timeout);
    srs_http_conn_set_body_timeout(c, o.body_timeout);

    srs_http_request_t req;
    memset(&req, 0, sizeof(req));
    srs_error_t err = srs_success;
    if (tls_ctx) {
        /* The handshake is the first part of the head: one total budget (PROXY_HTTP_HEAD_TIMEOUT)
         * from the accept, so a peer that opens TLS and stalls costs a bounded time. */
        c->tls = srs_tls_new(tls_ctx, fd);
        srs_utime_t deadline = o.head_timeout == SRS_UTIME_NO_TIMEOUT ? 0 : srs_time_now() + o.head_timeout;
        if ((err = srs_tls_handshake(c->tls, deadline)) != srs_success) {
            int code = srs_error_code(err);
            if (code == ERROR_SYSTEM_TIMEOUT) tls_stats.handshake_timeouts++;
            else if (code == ERROR_TLS) tls_stats.handshake_failures++;
            else tls_stats.handshake_closed++;
            srs_http_conn_free(c);
            return srs_error_wrap(err, "serve https");
        }
        tls_stats.handshakes++;
    }
    for (;;) {
        if ((err = srs_http_read_request(c, &req)) != srs_success) {
            err = answer_bad_request(c, err);
            break;
        }
        if ((err = handler(ctx, c, &req)) != srs_success) {
            if (!c->responded) {
                c->keep_alive = false;
                int code = srs_error_code(err);
                srs_error_t werr = srs_http_write_error(c, 500, code ? code : ERROR_SYSTEM_IO, srs_error_code_text(code));
                srs_error_free(werr);
            }
            /* E.g. a 413: the peer may still be sending the body it was refused. */
            if (c->responded && !srs_http_body_eof(c)) linger_before_close(c);
            err = srs_error_wrap(err, "handle %s %s", req.method, req.path);
            break;
        }
        bool next = false;
        if ((err = finish_request(c, &next)) != srs_success) {
            err = srs_error_wrap(err, "finish %s %s", req.method, req.path);
            break;
        }
        if (!next) {
            if (!srs_http_body_eof(c)) linger_before_close(c);
            break;
        }
    }
    srs_http_request_free(&req);
    srs_tls_shutdown(c->tls);
    srs_http_conn_free(c);
    return err;
}
