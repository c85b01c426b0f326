/* SPDX-License-Identifier: MIT */
/* srs-mock-origin's HTTP server, as an SRS origin's (srs-origin-notes.md):
 *
 *   GET /app/stream.flv   HTTP-FLV live remux of what is published by RTMP: chunked, FLV header,
 *                         metadata, sequence headers and the GOP cache, then live tags; the
 *                         response ends when the publisher leaves or the player goes away.
 *   GET /app/stream.m3u8  HLS from files under -hls DIR (DIR/app/stream.m3u8, written by ffmpeg's
 *                         hls muxer): without hls_ctx, a master playlist whose one entry is
 *                         /app/stream.m3u8?hls_ctx=<id> (the request's own query kept); with it,
 *                         the media playlist with ?hls_ctx=<id> on every segment URI.
 *   GET /app/seg.ts       a segment from DIR (any file but playlists), with Content-Length.
 *
 * Files are read with plain stdio: they are small and local (a test's setup wrote them). */
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_flv.h"
#include "srs_mock_hub.h"
#include "srs_mock_origin.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_http.h"
#include "srs_protocol_st.h"
#include "srs_protocol_tcp_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Playlists and segments above this are not what a test writes. */
#define MOCK_HTTP_FILE_MAX (64 * 1024 * 1024)

static srs_log_limit_t peer_errors = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 20);

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

static srs_error_t reply_text(srs_http_conn_t *c, int status, const char *type, const void *body, size_t len)
{
    srs_http_headers_t h = {0};
    srs_http_headers_set(&h, "Content-Type", type);
    srs_http_headers_set(&h, "Access-Control-Allow-Origin", "*");
    srs_error_t err = srs_http_write_response(c, status, &h, body, len);
    srs_http_headers_free(&h);
    return err;
}

/* ---- HTTP-FLV ---- */

/* Ends the stream when the player goes away, even while the stream is silent. */
typedef struct {
    st_netfd_t fd;
    srs_coroutine_t *player;
} flv_watch_t;

static srs_error_t flv_watch_cycle(void *arg)
{
    flv_watch_t *w = (flv_watch_t *)arg;
    char b[256];
    for (;;) {
        size_t n = 0;
        srs_error_t err = srs_st_read(w->fd, b, sizeof(b), SRS_UTIME_NO_TIMEOUT, &n);
        if (err) {
            if (srs_error_code(err) != ERROR_SYSTEM_INTERRUPTED) srs_coroutine_interrupt(w->player);
            return err;
        }
    }
}

static srs_error_t flv_loop(srs_http_conn_t *c, srs_mock_sub_t *sub, uint64_t *tags)
{
    srs_error_t err = srs_success;
    srs_flv_buffer_t buf = {0};
    if ((err = srs_flv_buffer_append_header(&buf, true, true)) == srs_success) {
        err = srs_http_write_stream_data(c, buf.data, buf.len);
    }
    while (!err) {
        srs_mock_msg_t *m = NULL;
        if ((err = srs_mock_sub_read(sub, SRS_UTIME_NO_TIMEOUT, &m)) != srs_success) break;
        srs_flv_buffer_clear(&buf);
        err = srs_flv_buffer_append_tag(&buf, m->type, m->timestamp, m->data, m->size);
        srs_mock_msg_unref(m);
        if (!err) err = srs_http_write_stream_data(c, buf.data, buf.len);
        if (!err) (*tags)++;
    }
    srs_flv_buffer_free(&buf);
    return err;
}

static srs_error_t serve_flv(srs_http_conn_t *c, srs_http_request_t *req)
{
    srs_error_t err = srs_success;
    char key[512];
    snprintf(key, sizeof(key), "%.*s", (int)(strlen(req->path) - 5), req->path + 1);
    srs_log_info("HTTP-FLV play key=%s target=%s", key, req->target);

    srs_http_headers_t h = {0};
    srs_http_headers_set(&h, "Content-Type", "video/x-flv");
    srs_http_headers_set(&h, "Access-Control-Allow-Origin", "*");
    err = srs_http_write_stream_head(c, 200, &h);
    srs_http_headers_free(&h);
    if (err) return err;

    char peer[80] = "";
    srs_sockaddr_t addr;
    addr.len = sizeof(addr.ss);
    if (getpeername(st_netfd_fileno(srs_http_conn_fd(c)), (struct sockaddr *)&addr.ss, &addr.len) == 0) {
        srs_sockaddr_string(&addr, peer, sizeof(peer));
    }
    srs_mock_client_t *client = srs_mock_client_add(srs_context_id(), peer, key, "", "flv-play", false);
    srs_mock_sub_t *sub = srs_mock_hub_subscribe(key);
    flv_watch_t watch = {srs_http_conn_fd(c), srs_coroutine_self()};
    srs_coroutine_t *watcher = srs_coroutine_new("mock-flv-watch", flv_watch_cycle, &watch);
    srs_coroutine_set_cid(watcher, srs_context_id());
    uint64_t tags = 0;
    if ((err = srs_coroutine_start(watcher)) == srs_success) err = flv_loop(c, sub, &tags);
    srs_coroutine_free(watcher);
    srs_log_info("HTTP-FLV play key=%s ended after %llu tags (%llu dropped): %s", key, (unsigned long long)tags,
                 (unsigned long long)srs_mock_sub_dropped(sub), srs_error_summary(err));
    srs_mock_sub_free(sub);
    srs_mock_client_remove(client);

    /* The publisher left: end the body cleanly; anything else leaves the connection unusable. */
    if (srs_error_code(err) == ERROR_SYSTEM_EOF) {
        srs_error_free(err);
        return srs_http_write_stream_end(c);
    }
    return err;
}

/* ---- HLS ---- */

static srs_error_t read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return srs_error_new(ERROR_HTTP_NOT_FOUND, "open %s", path);
    size_t cap = 64 * 1024, n = 0;
    char *buf = (char *)malloc(cap + 1);
    if (!buf) abort();
    for (;;) {
        if (n == cap) {
            if (cap >= MOCK_HTTP_FILE_MAX) {
                fclose(f);
                free(buf);
                return srs_error_new(ERROR_HTTP_TOO_LARGE, "%s over %d bytes", path, MOCK_HTTP_FILE_MAX);
            }
            cap *= 2;
            if (!(buf = (char *)realloc(buf, cap + 1))) abort();
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return srs_error_new(ERROR_SYSTEM_FILE, "read %s", path);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return srs_success;
}

/* Every URI line gets ?hls_ctx=<ctx> (or &hls_ctx= after its own query). Caller frees. */
static char *add_hls_ctx(const char *text, const char *ctx, size_t *len)
{
    size_t lines = 1;
    for (const char *p = text; *p; p++) lines += *p == '\n';
    size_t cap = strlen(text) + lines * (strlen(ctx) + 16) + 1, n = 0;
    char *out = (char *)malloc(cap);
    if (!out) abort();
    for (const char *p = text; *p;) {
        size_t line = strcspn(p, "\n");
        size_t content = line;
        while (content && (p[content - 1] == '\r' || p[content - 1] == ' ')) content--;
        memcpy(out + n, p, content);
        n += content;
        if (content && p[0] != '#') n += (size_t)snprintf(out + n, cap - n, "%shls_ctx=%s", memchr(p, '?', content) ? "&" : "?", ctx);
        out[n++] = '\n';
        p += line + (p[line] == '\n');
    }
    out[n] = '\0';
    *len = n;
    return out;
}

static srs_error_t serve_hls(const srs_mock_config_t *cfg, srs_http_conn_t *c, srs_http_request_t *req)
{
    srs_error_t err = srs_success;
    if (!cfg->hls_dir[0] || strstr(req->path, "..")) return reply_text(c, 404, "text/plain", "not found", 9);
    char path[1600];
    snprintf(path, sizeof(path), "%s%s", cfg->hls_dir, req->path);
    char *data = NULL;
    size_t len = 0;
    if ((err = read_file(path, &data, &len)) != srs_success) {
        srs_log_info("HLS %s: %s", req->target, srs_error_summary(err));
        srs_error_free(err);
        return reply_text(c, 404, "text/plain", "not found", 9);
    }

    char ctx[64];
    bool playlist = ends_with(req->path, ".m3u8");
    if (playlist && !srs_http_query_get(req->query, "hls_ctx", ctx, sizeof(ctx))) {
        /* SRS's first answer: a master playlist that names this playlist with a new hls_ctx. */
        char master[2048];
        int n = snprintf(master, sizeof(master), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\n%s?%s%shls_ctx=%s\n",
                         req->path, req->query, req->query[0] ? "&" : "", srs_cid_generate().id);
        err = reply_text(c, 200, "application/vnd.apple.mpegurl", master, (size_t)SRS_MIN(n, (int)sizeof(master) - 1));
    } else if (playlist) {
        size_t out_len = 0;
        char *out = add_hls_ctx(data, ctx, &out_len);
        err = reply_text(c, 200, "application/vnd.apple.mpegurl", out, out_len);
        free(out);
    } else {
        err = reply_text(c, 200, ends_with(req->path, ".ts") ? "video/MP2T" : "application/octet-stream", data, len);
    }
    free(data);
    return err;
}

static srs_error_t handler(void *ctx, srs_http_conn_t *c, srs_http_request_t *req)
{
    const srs_mock_config_t *cfg = (const srs_mock_config_t *)ctx;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        return reply_text(c, 405, "text/plain", "method not allowed", 18);
    }
    if (ends_with(req->path, ".flv") && strlen(req->path) > 5 && strchr(req->path + 1, '/')) return serve_flv(c, req);
    return serve_hls(cfg, c, req);
}

static srs_error_t on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    srs_error_t err = srs_http_serve_conn(fd, NULL, handler, ctx);
    int code = srs_error_code(err);
    if (err && code != ERROR_SYSTEM_EOF && code != ERROR_SYSTEM_INTERRUPTED) {
        char text[80];
        srs_log_limited(&peer_errors, SRS_LOG_WARN, "HTTP client %s: %s", srs_sockaddr_string(peer, text, sizeof(text)),
                        srs_error_summary(err));
    }
    srs_error_free(err);
    return srs_success;
}

srs_error_t srs_mock_http_start(const srs_mock_config_t *cfg)
{
    srs_tcp_server_t *server = NULL;
    srs_error_t err = srs_tcp_server_start("HTTP", "", cfg->http_port, on_conn, NULL, (void *)cfg, &server);
    if (err) return srs_error_wrap(err, "mock HTTP server");
    return srs_success;
}
