/* SPDX-License-Identifier: MIT */
/* A small HTTP/1.1 client: one connection, requests with a Content-Length body, responses read
 * through the same buffered connection as the server side. */
#include "srs_protocol_http_conn.h"
#include "srs_protocol_st.h"
#include "srs_core_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

/* "100 Continue" and friends before the answer; a peer may not send them forever. */
#define SRS_HTTP_MAX_INTERIM 8

static bool method_has_body(const char *method)
{
    return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH");
}

static bool valid_target(const char *target)
{
    if (!target || !target[0]) return false;
    for (const unsigned char *p = (const unsigned char *)target; *p; p++) {
        if (*p <= 0x20 || *p == 0x7f) return false;
    }
    return true;
}

static srs_error_t send_request(srs_http_client_t *client, const char *method, const char *target,
                                const srs_http_headers_t *headers, const void *body, size_t len)
{
    if (!method || strlen(method) >= 16 || !srs_http_is_token(method, strlen(method))) {
        return srs_error_new(ERROR_HTTP_PARSE, "invalid method");
    }
    if (!valid_target(target)) return srs_error_new(ERROR_HTTP_PARSE, "invalid target");

    srs_http_sbuf_t head = {0};
    srs_http_sbuf_printf(&head, "%s %s HTTP/1.1\r\n", method, target);
    if (!srs_http_headers_get(headers, "Host")) srs_http_sbuf_printf(&head, "Host: %s\r\n", client->host);
    srs_error_t err = srs_http_append_headers(&head, headers, false);
    if (err) {
        free(head.p);
        return srs_error_wrap(err, "request head");
    }
    if (body || len || method_has_body(method)) srs_http_sbuf_printf(&head, "Content-Length: %zu\r\n", len);
    srs_http_sbuf_append(&head, "\r\n", 2);

    struct iovec iov[2] = {{head.p, head.len}, {(void *)body, len}};
    srs_utime_t timeout = 0;
    err = srs_http_conn_io_timeout(client->conn, client->conn->write_timeout, &timeout);
    if (!err) err = srs_st_writev(client->fd, iov, (body && len) ? 2 : 1, timeout);
    free(head.p);
    return err ? srs_error_wrap(err, "send %s %s", method, target) : srs_success;
}

static srs_error_t read_response(srs_http_client_t *client)
{
    srs_http_conn_t *c = client->conn;
    srs_http_response_t *res = &client->res;
    for (int interim = 0;; interim++) {
        size_t n = 0;
        srs_error_t err = srs_http_conn_read_head(c, ERROR_HTTP_HEADERS_TOO_LARGE, &n);
        if (err) return srs_error_wrap(err, "read response");
        err = srs_http_parse_response_head(c->buf + c->start, n, res);
        c->start += n;
        if (err) return srs_error_wrap(err, "read response");
        if (res->status >= 200 || res->status == 101) break;
        if (interim >= SRS_HTTP_MAX_INTERIM) return srs_error_new(ERROR_HTTP_PARSE, "too many interim responses");
        srs_http_response_free(res);
    }

    /* RFC 9112 6.3: which responses have a body, and how it ends. */
    if (c->is_head || res->status < 200 || res->status == 204 || res->status == 304) {
        c->body_mode = SRS_HTTP_BODY_NONE;
    } else if (res->chunked) {
        c->body_mode = SRS_HTTP_BODY_CHUNKED;
        srs_http_chunked_init(&c->chunked);
    } else if (res->content_length > 0) {
        c->body_mode = SRS_HTTP_BODY_LENGTH;
        c->body_left = res->content_length;
    } else if (res->content_length < 0) {
        c->body_mode = SRS_HTTP_BODY_UNTIL_CLOSE;
        res->keep_alive = false;
    }
    return srs_success;
}

srs_error_t srs_http_client_request(srs_http_client_t *client, const char *method, const char *target,
                                    const srs_http_headers_t *headers, const void *body, size_t len)
{
    srs_http_conn_t *c = client->conn;
    if (client->res.status) {
        if (!srs_http_body_eof(c) || c->body_broken) return srs_error_new(ERROR_HTTP_PARSE, "previous body not read to its end");
        if (!client->res.keep_alive) return srs_error_new(ERROR_HTTP_PARSE, "server closes the connection");
    }
    srs_http_response_free(&client->res);
    srs_http_conn_reset_message(c);
    c->is_head = method && !strcmp(method, "HEAD");

    srs_error_t err = send_request(client, method, target, headers, body, len);
    if (!err) err = read_response(client);
    if (err) {
        /* The connection is in an unknown state: no further request on it. */
        srs_http_response_free(&client->res);
        client->res.status = -1;
        c->body_broken = true;
        return err;
    }
    return srs_success;
}

/* Connect, then the request and its response head, all before `deadline`, which stays on the
 * connection when keep_deadline (else it is cleared once the head is in). */
static srs_error_t client_do(const char *host, int port, const char *method, const char *target,
                             const srs_http_headers_t *headers, const void *body, size_t len,
                             srs_utime_t connect_timeout, srs_utime_t deadline, bool keep_deadline,
                             srs_utime_t io_timeout, srs_http_client_t **out)
{
    *out = NULL;
    st_netfd_t fd = NULL;
    srs_utime_t timeout = 0;
    if (!srs_http_deadline_timeout(srs_time_now(), connect_timeout, deadline, &timeout)) {
        return srs_error_new(ERROR_SYSTEM_TIMEOUT, "http client %s:%d: deadline passed before connect", host, port);
    }
    srs_error_t err = srs_tcp_connect(host, port, timeout, &fd);
    if (err) return srs_error_wrap(err, "http client");

    srs_http_client_t *client = (srs_http_client_t *)calloc(1, sizeof(*client));
    if (!client) abort();
    client->fd = fd;
    client->res.content_length = -1;
    client->conn = srs_http_conn_new(fd);
    srs_http_conn_set_timeouts(client->conn, io_timeout, io_timeout);
    srs_http_conn_set_head_timeout(client->conn, io_timeout);
    srs_http_conn_set_body_timeout(client->conn, io_timeout);
    srs_http_conn_set_deadline(client->conn, deadline);
    /* An IPv6 literal needs brackets; port 80 is implied. */
    bool v6 = strchr(host, ':') != NULL;
    char port_text[16] = "";
    if (port != 80) snprintf(port_text, sizeof(port_text), ":%d", port);
    snprintf(client->host, sizeof(client->host), "%s%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "", port_text);

    if ((err = srs_http_client_request(client, method, target, headers, body, len)) != srs_success) {
        srs_http_client_close(client);
        return srs_error_wrap(err, "http client %s:%d", host, port);
    }
    if (!keep_deadline) srs_http_conn_set_deadline(client->conn, 0);
    *out = client;
    return srs_success;
}

srs_error_t srs_http_client_do(const char *host, int port, const char *method, const char *target,
                               const srs_http_headers_t *headers, const void *body, size_t len,
                               srs_utime_t connect_timeout, srs_utime_t io_timeout,
                               srs_http_client_t **out)
{
    /* One budget for connect + request + the whole response head. */
    srs_utime_t deadline = 0;
    if (connect_timeout != SRS_UTIME_NO_TIMEOUT && io_timeout != SRS_UTIME_NO_TIMEOUT) {
        deadline = srs_time_now() + connect_timeout + io_timeout;
    }
    return client_do(host, port, method, target, headers, body, len, connect_timeout, deadline, false, io_timeout, out);
}

srs_error_t srs_http_client_do_deadline(const char *host, int port, const char *method, const char *target,
                                        const srs_http_headers_t *headers, const void *body, size_t len,
                                        srs_utime_t deadline, srs_utime_t io_timeout, srs_http_client_t **out)
{
    return client_do(host, port, method, target, headers, body, len, io_timeout, deadline, true, io_timeout, out);
}

void srs_http_client_close(srs_http_client_t *client)
{
    if (!client) return;
    srs_http_response_free(&client->res);
    srs_http_conn_free(client->conn);
    srs_st_close(client->fd);
    free(client);
}
