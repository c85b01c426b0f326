/* SPDX-License-Identifier: MIT */
#include "srs_app_http_stream.h"
#include "srs_app_api.h"
#include "srs_app_http_static.h"
#include "srs_app_srs_api.h"
#include "srs_core_log.h"
#include "srs_core_context.h"
#include "srs_kernel_m3u8.h"
#include "srs_protocol_coroutine.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SRS_STREAM_CONNECT_TIMEOUT (3 * SRS_UTIME_SECONDS)
/* A live stream with no byte for this long is dead. */
#define SRS_STREAM_IO_TIMEOUT (30 * SRS_UTIME_SECONDS)
#define SRS_STREAM_CHUNK (16 * 1024)
/* A playlist is fetched and rewritten in memory (a real one is a few KiB): its origin has this
 * long for connect, response head and the whole body together. Its size is bounded by
 * PROXY_HLS_MAX_PLAYLIST, the rewrite's output by SRS_PLAYLIST_GROWTH times that. */
#define SRS_PLAYLIST_DEADLINE (10 * SRS_UTIME_SECONDS)
#define SRS_PLAYLIST_GROWTH 4

static srs_http_stream_stats_t stats;
static srs_log_limit_t drop_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);

const srs_http_stream_stats_t *srs_http_stream_stats(void) { return &stats; }

/* One accepted connection: the proxy and who is at the other end (for X-Forwarded-For). */
typedef struct {
    srs_proxy_t *proxy;
    char client_ip[64];
} stream_conn_t;

static srs_error_t reply_error(srs_http_conn_t *c, int status, srs_error_t cause)
{
    return srs_api_reply_error(c, status, cause, "HTTP stream");
}


static const char *path_ext(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    return dot && (!slash || dot > slash) ? dot : "";
}

/* "/live/livestream.flv" → "<vhost>/live/livestream"; ?app= and ?stream= win (as Go). */
static srs_error_t stream_url_of(srs_http_request_t *req, char *out, size_t size)
{
    char app[256] = "", stream[256] = "";
    const char *path = req->path;
    const char *slash = strrchr(path, '/');
    if (slash && slash > path) snprintf(app, sizeof(app), "%.*s", (int)(slash - path - 1), path + 1);
    if (slash) snprintf(stream, sizeof(stream), "%.*s", (int)(strlen(slash + 1) - strlen(path_ext(slash + 1))), slash + 1);
    char v[256];
    if (srs_http_query_get(req->query, "app", v, sizeof(v)) && v[0]) snprintf(app, sizeof(app), "%s", v);
    if (srs_http_query_get(req->query, "stream", v, sizeof(v)) && v[0]) snprintf(stream, sizeof(stream), "%s", v);
    if (!app[0] || !stream[0]) return srs_error_new(ERROR_STREAM_URL, "no app/stream in %s", req->path);
    return srs_api_stream_url(req, app, stream, out, size);
}

static bool is_hop_by_hop(const char *name, const srs_http_headers_t *origin_headers)
{
    static const char *names[] = {"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
                                  "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
                                  "Content-Length"};
    for (size_t i = 0; i < SRS_ARRAY_SIZE(names); i++) {
        if (!strcasecmp(name, names[i])) return true;
    }
    /* Headers named by the origin's Connection header are hop-by-hop too. */
    return srs_http_headers_has_token(origin_headers, "Connection", name);
}

/* The origin's headers for the client: hop-by-hop ones dropped, CORS added. */
static void copy_response_headers(const srs_http_headers_t *from, srs_http_headers_t *to, bool body_rewritten)
{
    static const char *rewritten_drop[] = {"Accept-Ranges", "Content-Digest", "Content-Encoding", "Content-MD5",
                                           "Content-Range", "Digest", "ETag", "Repr-Digest"};
    for (int i = 0; i < from->count; i++) {
        const char *name = from->items[i].name;
        if (is_hop_by_hop(name, from)) continue;
        bool drop = false;
        for (size_t j = 0; body_rewritten && j < SRS_ARRAY_SIZE(rewritten_drop); j++) {
            if (!strcasecmp(name, rewritten_drop[j])) drop = true;
        }
        if (!drop) srs_http_headers_add(to, name, from->items[i].value);
    }
    srs_api_add_cors(to);
}

/* GET (or HEAD) the same target from the origin that serves stream_url. */
static srs_error_t origin_request(stream_conn_t *sc, srs_http_request_t *req, const char *stream_url,
                                  bool playlist, srs_http_client_t **out, int *fail_status)
{
    srs_origin_t origin;
    srs_error_t err = sc->proxy->lb->vt->pick(sc->proxy->lb, stream_url, &origin);
    if (err) {
        *fail_status = srs_error_code(err) == ERROR_ORIGIN_NONE ? 503 : 500;
        return err;
    }
    *fail_status = 502;
    if (!origin.http_port) return srs_error_new(ERROR_ORIGIN_PORT, "origin %s has no http stream server", origin.ip);

    srs_http_headers_t h = {0};
    static const char *forwarded[] = {"User-Agent", "Referer", "Accept", "Range", "Authorization", "Cookie"};
    for (size_t i = 0; i < SRS_ARRAY_SIZE(forwarded); i++) {
        /* A playlist is rewritten whole: a part of it (206) cannot be, so no Range for it. */
        if (playlist && !strcmp(forwarded[i], "Range")) continue;
        const char *v = srs_http_headers_get(&req->headers, forwarded[i]);
        if (v) srs_http_headers_set(&h, forwarded[i], v);
    }
    char xff[512];
    const char *prev = srs_http_headers_get(&req->headers, "X-Forwarded-For");
    snprintf(xff, sizeof(xff), "%s%s%s", prev ? prev : "", prev ? ", " : "", sc->client_ip);
    srs_http_headers_set(&h, "X-Forwarded-For", xff);

    /* A stream's head: connect + head within SRS_STREAM_CONNECT_TIMEOUT + SRS_STREAM_IO_TIMEOUT,
     * then its body per read (a live stream has no end). A playlist: one deadline for all of it. */
    if (playlist) {
        err = srs_http_client_do_deadline(origin.ip, origin.http_port, req->method, req->target, &h, NULL, 0,
                                          srs_time_now() + SRS_PLAYLIST_DEADLINE, SRS_PLAYLIST_DEADLINE, out);
    } else {
        err = srs_http_client_do(origin.ip, origin.http_port, req->method, req->target, &h, NULL, 0,
                                 SRS_STREAM_CONNECT_TIMEOUT, SRS_STREAM_IO_TIMEOUT, out);
    }
    srs_http_headers_free(&h);
    if (err) {
        int code = srs_error_code(err);
        if (code == ERROR_SYSTEM_TIMEOUT) {
            *fail_status = 504;
            stats.origin_timeout++;
        } else if (code == ERROR_HTTP_HEADERS_TOO_LARGE || code == ERROR_HTTP_PARSE) {
            stats.origin_bad_reply++;
        }
        return srs_error_wrap(err, "origin %s:%d%s", origin.ip, origin.http_port, req->target);
    }
    int status = (*out)->res.status;
    /* Only a whole playlist can be rewritten: a 206 (or any other 2xx) is not passed on. */
    if (playlist && status > 200 && status <= 299) {
        stats.origin_bad_reply++;
        srs_http_client_close(*out);
        *out = NULL;
        return srs_error_new(ERROR_HTTP_STATUS, "origin answered %d for playlist %s", status, req->target);
    }
    if (status < 200 || status > 299) {
        *fail_status = status >= 400 && status < 500 ? status : 502;
        srs_http_client_close(*out);
        *out = NULL;
        return srs_error_new(ERROR_HTTP_STATUS, "origin answered %d for %s", status, req->target);
    }
    return srs_success;
}

/* Ends the relay when the client goes away, even while the origin is silent. */
typedef struct {
    st_netfd_t fd;
    srs_coroutine_t *relay;
} client_watch_t;

/* A player may half-close (shutdown(SHUT_WR) after its GET): EOF on read says only that it sends
 * nothing more, not that it is gone. So after EOF the watch waits for the socket's error or hang-up
 * (POLLERR/POLLHUP, reported whatever events are asked; POLLPRI asks for nearly nothing), i.e. a
 * reset or both directions closed; a write error of the relay ends it too. Other read errors
 * (a reset) end the relay at once. What the player sends meanwhile is read and dropped. */
static srs_error_t watch_cycle(void *arg)
{
    client_watch_t *w = (client_watch_t *)arg;
    char b[256];
    for (;;) {
        size_t n = 0;
        srs_error_t err = srs_st_read(w->fd, b, sizeof(b), SRS_UTIME_NO_TIMEOUT, &n);
        if (!err) continue;
        int code = srs_error_code(err);
        if (code == ERROR_SYSTEM_INTERRUPTED) return err;
        if (code != ERROR_SYSTEM_EOF) {
            srs_coroutine_interrupt(w->relay);
            return err;
        }
        srs_error_free(err);
        break;
    }
    srs_coroutine_set_state(SRS_CO_WAIT_READ);
    int r = st_netfd_poll(w->fd, POLLPRI, SRS_UTIME_NO_TIMEOUT);
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (r < 0 && errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "watch interrupted");
    srs_coroutine_interrupt(w->relay);
    return srs_error_new(ERROR_SYSTEM_EOF, "player hung up");
}

/* Streams the origin's body to the client as it arrives: never buffered whole. */
static srs_error_t relay_body(srs_http_conn_t *c, srs_http_client_t *cli, int status, bool watch_client)
{
    srs_http_headers_t h = {0};
    copy_response_headers(&cli->res.headers, &h, false);
    srs_error_t err = cli->res.content_length >= 0
                          ? srs_http_write_stream_head_length(c, status, &h, (size_t)cli->res.content_length)
                          : srs_http_write_stream_head(c, status, &h);
    srs_http_headers_free(&h);
    if (err) return err;

    client_watch_t watch = {srs_http_conn_fd(c), srs_coroutine_self()};
    srs_coroutine_t *watcher = NULL;
    if (watch_client && watch.relay) {
        watcher = srs_coroutine_new("http-client-watch", watch_cycle, &watch);
        srs_coroutine_set_cid(watcher, srs_context_id());
        if ((err = srs_coroutine_start(watcher)) != srs_success) {
            srs_coroutine_free(watcher);
            return err;
        }
    }
    char *buf = (char *)malloc(SRS_STREAM_CHUNK);
    if (!buf) abort();
    for (;;) {
        size_t n = 0;
        if ((err = srs_http_read_body(cli->conn, buf, SRS_STREAM_CHUNK, &n)) != srs_success) break;
        if (n == 0) {
            err = srs_http_write_stream_end(c);
            break;
        }
        if ((err = srs_http_write_stream_data(c, buf, n)) != srs_success) break;
    }
    free(buf);
    srs_coroutine_free(watcher);
    /* A relay that did not end cleanly leaves the connection unusable. */
    if (err) return srs_error_wrap(err, "relay body");
    return srs_success;
}

/* HTTP-FLV and HTTP-TS: one origin connection per player, relayed until either side ends. */
static srs_error_t serve_live(stream_conn_t *sc, srs_http_conn_t *c, srs_http_request_t *req)
{
    char stream_url[256];
    srs_error_t err = stream_url_of(req, stream_url, sizeof(stream_url));
    if (err) return reply_error(c, 400, err);
    srs_http_client_t *cli = NULL;
    int status = 502;
    if ((err = origin_request(sc, req, stream_url, false, &cli, &status)) != srs_success) return reply_error(c, status, err);
    srs_log_info("HTTP stream %s from origin %s, client %s", req->target, cli->host, sc->client_ip);
    err = relay_body(c, cli, cli->res.status, true);
    srs_http_client_close(cli);
    return err;
}

/* The playlist session: one spbhid per stream URL, reused by every playlist request. A spbhid
 * the client brings counts only when the LB knows it; the proxy never stores an id a client chose.
 * A new session (*is_new) is stored only once the origin served the playlist, so made-up stream
 * names leave nothing behind (the LB's sticky pick aside). */
static srs_error_t hls_session(srs_lb_t *lb, srs_http_request_t *req, char *stream_url, size_t su_size, char *spbhid,
                               size_t id_size, bool *is_new)
{
    char full_url[512];
    srs_error_t err = srs_success;
    *is_new = false;
    bool has_id = srs_http_query_get(req->query, "spbhid", spbhid, id_size) && spbhid[0];
    if (has_id && !(err = lb->vt->load_hls_by_spbhid(lb, spbhid, stream_url, su_size, full_url, sizeof(full_url)))) {
        return srs_success;
    }
    srs_error_free(err);
    if ((err = stream_url_of(req, stream_url, su_size)) != srs_success) return err;
    /* A known stream keeps its session (the load renews it). */
    if (!(err = lb->vt->load_hls_by_stream(lb, stream_url, spbhid, id_size))) return srs_success;
    srs_error_free(err);
    /* 128 bits from getrandom: a session cannot be guessed or collide with another stream's. */
    char token[SRS_TOKEN_LEN + 1];
    srs_random_token(token);
    snprintf(spbhid, id_size, "%s", token);
    *is_new = true;
    return srs_success;
}

/* What the session keeps of the request: the path of the playlist, short (never the query). */
static void session_full_url(const srs_http_request_t *req, char *out, size_t size)
{
    if (strlen(req->path) < size) snprintf(out, size, "%s", req->path);
    else out[0] = 0;
}

static srs_error_t serve_hls_playlist(stream_conn_t *sc, srs_http_conn_t *c, srs_http_request_t *req)
{
    char stream_url[256], spbhid[64];
    bool is_new = false;
    srs_lb_t *lb = sc->proxy->lb;
    srs_error_t err = hls_session(lb, req, stream_url, sizeof(stream_url), spbhid, sizeof(spbhid), &is_new);
    if (err) return reply_error(c, 400, err);

    srs_http_client_t *cli = NULL;
    int status = 502;
    if ((err = origin_request(sc, req, stream_url, true, &cli, &status)) != srs_success) return reply_error(c, status, err);
    char *body = NULL, *rewritten = NULL;
    size_t len = 0, rlen = 0;
    int count = 0;
    size_t max_in = (size_t)sc->proxy->cfg->hls_max_playlist;
    err = srs_http_read_body_all(cli->conn, max_in, &body, &len);
    /* Another request may have made the stream's session while this one waited: use it. */
    if (!err && is_new) {
        char known[64];
        srs_error_t lerr = lb->vt->load_hls_by_stream(lb, stream_url, known, sizeof(known));
        if (!lerr) {
            snprintf(spbhid, sizeof(spbhid), "%s", known);
            is_new = false;
        }
        srs_error_free(lerr);
    }
    if (err) {
        int code = srs_error_code(err);
        if (code == ERROR_HTTP_TOO_LARGE) stats.playlist_too_large++;
        else if (code == ERROR_SYSTEM_TIMEOUT) stats.origin_timeout++;
        else stats.origin_bad_reply++;
        status = code == ERROR_SYSTEM_TIMEOUT ? 504 : 502;
    } else if ((err = srs_m3u8_rewrite(body, len, spbhid, max_in * SRS_PLAYLIST_GROWTH, &rewritten, &rlen, &count)) != srs_success) {
        stats.playlist_too_large++;
        status = 502;
    }
    if (err) {
        srs_log_limited(&drop_log, SRS_LOG_WARN, "HLS playlist %s from origin %s: %s", stream_url, cli->host,
                        srs_error_summary(err));
        srs_http_client_close(cli);
        free(body);
        return reply_error(c, status, srs_error_wrap(err, "playlist from origin"));
    }
    /* Copy before the writes below switch: the session lives in the LB, looked up by its key. */
    if (is_new) {
        char full_url[256];
        session_full_url(req, full_url, sizeof(full_url));
        if ((err = lb->vt->store_hls(lb, stream_url, spbhid, full_url)) != srs_success) {
            srs_http_client_close(cli);
            free(body);
            free(rewritten);
            return reply_error(c, 500, srs_error_wrap(err, "store HLS session"));
        }
    }
    srs_http_headers_t h = {0};
    copy_response_headers(&cli->res.headers, &h, count > 0);
    err = srs_http_write_response(c, cli->res.status, &h, rewritten, rlen);
    srs_http_headers_free(&h);
    srs_http_client_close(cli);
    free(body);
    free(rewritten);
    return err;
}

static srs_error_t serve_hls_segment(stream_conn_t *sc, srs_http_conn_t *c, srs_http_request_t *req, const char *spbhid)
{
    char stream_url[256], full_url[512];
    srs_lb_t *lb = sc->proxy->lb;
    srs_error_t err = lb->vt->load_hls_by_spbhid(lb, spbhid, stream_url, sizeof(stream_url), full_url, sizeof(full_url));
    if (err) return reply_error(c, 404, srs_error_wrap(err, "load stream by spbhid %s", spbhid));
    srs_http_client_t *cli = NULL;
    int status = 502;
    if ((err = origin_request(sc, req, stream_url, false, &cli, &status)) != srs_success) return reply_error(c, status, err);
    err = relay_body(c, cli, cli->res.status, false);
    srs_http_client_close(cli);
    return err;
}

static bool is_hls_segment(const char *ext)
{
    static const char *exts[] = {".ts", ".m4s", ".mp4", ".aac", ".mp3", ".vtt", ".webvtt", ".key"};
    for (size_t i = 0; i < SRS_ARRAY_SIZE(exts); i++) {
        if (!strcasecmp(ext, exts[i])) return true;
    }
    return false;
}

static srs_error_t http_stream_handle(void *ctx, srs_http_conn_t *c, srs_http_request_t *req)
{
    stream_conn_t *sc = (stream_conn_t *)ctx;
    if (!strcmp(req->path, "/api/v1/versions")) return srs_srs_api_serve_versions(NULL, c);

    const char *ext = path_ext(req->path);
    char spbhid[64];
    bool has_spbhid = srs_http_query_get(req->query, "spbhid", spbhid, sizeof(spbhid)) && spbhid[0];
    bool is_stream = !strcasecmp(ext, ".m3u8") || !strcasecmp(ext, ".flv") || !strcasecmp(ext, ".ts") ||
                     (has_spbhid && is_hls_segment(ext));
    if (is_stream && !strcmp(req->method, "OPTIONS")) {
        srs_http_headers_t h = {0};
        srs_api_add_cors(&h);
        srs_error_t err = srs_http_write_response(c, 200, &h, NULL, 0);
        srs_http_headers_free(&h);
        return err;
    }
    if (!strcasecmp(ext, ".m3u8")) return serve_hls_playlist(sc, c, req);
    if (has_spbhid && is_hls_segment(ext)) return serve_hls_segment(sc, c, req, spbhid);
    if (!strcasecmp(ext, ".flv") || !strcasecmp(ext, ".ts")) return serve_live(sc, c, req);

    const srs_config_t *cfg = sc->proxy->cfg;
    if (cfg->static_files_enabled) return srs_http_static_serve(cfg->static_files, c, req);
    return srs_http_write_error(c, 404, ERROR_HTTP_NOT_FOUND, "not found");
}

srs_error_t srs_http_stream_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    return srs_http_stream_on_conn_tls(ctx, fd, peer, NULL);
}

srs_error_t srs_http_stream_on_conn_tls(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer, SSL_CTX *tls)
{
    stream_conn_t sc;
    sc.proxy = (srs_proxy_t *)ctx;
    srs_sockaddr_string(peer, sc.client_ip, sizeof(sc.client_ip));
    /* X-Forwarded-For carries the address only, without the port. */
    char *colon = strrchr(sc.client_ip, ':');
    if (colon) *colon = 0;
    if (sc.client_ip[0] == '[') {
        memmove(sc.client_ip, sc.client_ip + 1, strlen(sc.client_ip));
        char *bracket = strchr(sc.client_ip, ']');
        if (bracket) *bracket = 0;
    }
    if (tls) return srs_http_serve_conn_tls(fd, tls, NULL, http_stream_handle, &sc);
    return srs_http_serve_conn(fd, NULL, http_stream_handle, &sc);
}
