/* SPDX-License-Identifier: MIT */
/* The mock origin's HTTP API (-api): WebRTC signalling as SRS answers it.
 *   POST /rtc/v1/whep/?app=&stream= (SDP)  → 201, application/sdp, Location
 *   POST /rtc/v1/whip/?app=&stream= (SDP)  → 201, the same for a publisher
 *   POST /rtc/v1/play/ and /rtc/v1/publish/ ({"sdp":..,"streamurl":"webrtc://h/app/stream"})
 *        → 200 {"code":0,"server":..,"service":..,"pid":..,"sdp":..,"sessionid":..}, or 200
 *          {"code":400} for an offer it cannot answer (as SRS)
 *   DELETE <Location>                      → 200, the session ends
 *   GET /api/v1/versions                   → SRS's version object */
#include "srs_core_log.h"
#include "srs_mock_origin.h"
#include "srs_mock_origin_rtc.h"
#include "srs_protocol_http.h"
#include "srs_protocol_sdp.h"
#include "srs_protocol_tcp_server.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MOCK_API_MAX_BODY (256 * 1024)

typedef struct {
    const srs_mock_config_t *cfg;
    srs_mock_rtc_t *rtc;
} mock_api_t;

static srs_log_limit_t api_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);

static void add_cors(srs_http_headers_t *h)
{
    srs_http_headers_set(h, "Access-Control-Allow-Origin", "*");
    srs_http_headers_set(h, "Access-Control-Allow-Headers", "*");
    srs_http_headers_set(h, "Access-Control-Allow-Methods", "*");
    srs_http_headers_set(h, "Access-Control-Expose-Headers", "Location");
}

static srs_error_t write_json(srs_http_conn_t *c, int status, cJSON *obj)
{
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!text) return srs_error_new(ERROR_JSON, "print json");
    srs_http_headers_t h = {0};
    add_cors(&h);
    srs_http_headers_set(&h, "Content-Type", "application/json");
    srs_error_t err = srs_http_write_response(c, status, &h, text, strlen(text));
    srs_http_headers_free(&h);
    free(text);
    return err;
}

static srs_error_t write_error(srs_http_conn_t *c, int status, srs_error_t cause)
{
    srs_log_limited(&api_log, SRS_LOG_WARN, "RTC API: %s", srs_error_summary(cause));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "code", srs_error_code(cause));
    cJSON_AddStringToObject(o, "msg", srs_error_summary(cause));
    srs_error_free(cause);
    return write_json(c, status, o);
}

static bool path_is(const char *path, const char *route)
{
    size_t n = strlen(route);
    /* With or without the trailing slash. */
    return !strcmp(path, route) || (!strncmp(path, route, n - 1) && path[n - 1] == '\0');
}

/* "webrtc://host[:port]/app/stream[?query]" → app, stream (the last path segment). */
static bool split_stream_url(const char *url, char *app, size_t app_size, char *stream, size_t stream_size)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    if (!p) return false;
    p++;
    size_t len = strcspn(p, "?#");
    const char *slash = NULL;
    for (const char *q = p; q < p + len; q++) {
        if (*q == '/') slash = q;
    }
    if (!slash || slash == p || slash + 1 == p + len) return false;
    size_t an = (size_t)(slash - p), sn = (size_t)(p + len - slash - 1);
    if (an >= app_size || sn >= stream_size) return false;
    memcpy(app, p, an);
    app[an] = '\0';
    memcpy(stream, slash + 1, sn);
    stream[sn] = '\0';
    return true;
}

static srs_error_t serve_whep_whip(mock_api_t *api, srs_http_conn_t *c, srs_http_request_t *req, bool publish)
{
    char app[128], stream[256];
    if (!srs_http_query_get(req->query, "app", app, sizeof(app)) || !app[0]
        || !srs_http_query_get(req->query, "stream", stream, sizeof(stream)) || !stream[0]) {
        return write_error(c, 400, srs_error_new(ERROR_STREAM_URL, "no app or stream in %s", req->target));
    }
    char *body = NULL;
    size_t len = 0;
    srs_error_t err = srs_http_read_body_all(c, MOCK_API_MAX_BODY, &body, &len);
    if (err) return srs_error_wrap(err, "read offer");
    srs_mock_rtc_answer_t ans;
    err = srs_mock_rtc_offer(api->rtc, app, stream, publish, body, len, &ans);
    free(body);
    if (err) return write_error(c, 400, err);

    srs_http_headers_t h = {0};
    add_cors(&h);
    srs_http_headers_set(&h, "Content-Type", "application/sdp");
    srs_http_headers_set(&h, "Location", ans.location);
    err = srs_http_write_response(c, 201, &h, ans.sdp, strlen(ans.sdp));
    srs_http_headers_free(&h);
    free(ans.sdp);
    return err;
}

/* The legacy API that srs_bench uses: JSON in, JSON out, HTTP 200 either way. */
static srs_error_t serve_legacy(mock_api_t *api, srs_http_conn_t *c, srs_http_request_t *req, bool publish)
{
    char *body = NULL, *offer = NULL;
    size_t len = 0;
    srs_error_t err = srs_http_read_body_all(c, MOCK_API_MAX_BODY, &body, &len);
    if (err) return srs_error_wrap(err, "read offer");

    char app[128] = "", stream[256] = "";
    cJSON *json = cJSON_ParseWithLength(body, len);
    const cJSON *su = json ? cJSON_GetObjectItemCaseSensitive(json, "streamurl") : NULL;
    bool named = cJSON_IsString(su) && split_stream_url(su->valuestring, app, sizeof(app), stream, sizeof(stream));
    if (!named) {
        named = srs_http_query_get(req->query, "app", app, sizeof(app)) && app[0]
                && srs_http_query_get(req->query, "stream", stream, sizeof(stream)) && stream[0];
    }
    cJSON_Delete(json);
    bool have_sdp = srs_sdp_unwrap_envelope(body, len, &offer);
    free(body);

    srs_mock_rtc_answer_t ans;
    memset(&ans, 0, sizeof(ans));
    if (!named) err = srs_error_new(ERROR_STREAM_URL, "legacy offer without streamurl");
    else if (!have_sdp) err = srs_error_new(ERROR_RTC_SDP, "legacy offer without sdp");
    else err = srs_mock_rtc_offer(api->rtc, app, stream, publish, offer, strlen(offer), &ans);
    free(offer);
    cJSON *o = cJSON_CreateObject();
    if (err) {
        srs_log_limited(&api_log, SRS_LOG_WARN, "RTC API: %s", srs_error_summary(err));
        srs_error_free(err);
        cJSON_AddNumberToObject(o, "code", 400);
        return write_json(c, 200, o);
    }
    char pid[16];
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    cJSON_AddNumberToObject(o, "code", 0);
    cJSON_AddStringToObject(o, "server", api->cfg->server_id);
    cJSON_AddStringToObject(o, "service", api->cfg->service_id);
    cJSON_AddStringToObject(o, "pid", pid);
    cJSON_AddStringToObject(o, "sdp", ans.sdp);
    cJSON_AddStringToObject(o, "sessionid", ans.session);
    free(ans.sdp);
    return write_json(c, 200, o);
}

static srs_error_t serve_delete(mock_api_t *api, srs_http_conn_t *c, srs_http_request_t *req)
{
    char session[200], token[64];
    if (!srs_http_query_get(req->query, "session", session, sizeof(session))
        || !srs_http_query_get(req->query, "token", token, sizeof(token))
        || !srs_mock_rtc_delete(api->rtc, session, token)) {
        return write_error(c, 404, srs_error_new(ERROR_SESSION_NOT_FOUND, "no session for %s", req->target));
    }
    srs_http_headers_t h = {0};
    add_cors(&h);
    srs_error_t err = srs_http_write_response(c, 200, &h, NULL, 0);
    srs_http_headers_free(&h);
    return err;
}

static srs_error_t serve_versions(srs_http_conn_t *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "code", 0);
    cJSON_AddStringToObject(o, "server", "srs-mock-origin");
    cJSON *d = cJSON_AddObjectToObject(o, "data");
    cJSON_AddNumberToObject(d, "major", 7);
    cJSON_AddNumberToObject(d, "minor", 0);
    cJSON_AddNumberToObject(d, "revision", 18);
    cJSON_AddStringToObject(d, "version", "7.0.18");
    return write_json(c, 200, o);
}

static srs_error_t api_handler(void *ctx, srs_http_conn_t *c, srs_http_request_t *req)
{
    mock_api_t *api = (mock_api_t *)ctx;
    const char *m = req->method;
    if (!strcmp(m, "OPTIONS")) {
        srs_http_headers_t h = {0};
        add_cors(&h);
        srs_error_t err = srs_http_write_response(c, 200, &h, NULL, 0);
        srs_http_headers_free(&h);
        return err;
    }
    if (!strcmp(m, "GET") && path_is(req->path, "/api/v1/versions/")) return serve_versions(c);
    srs_error_t err = srs_success;
    if (srs_mock_api_serve(api->cfg, c, req, &err)) return err;
    bool rtc = !strncmp(req->path, "/rtc/v1/", 8) && api->rtc;
    if (rtc && !strcmp(m, "DELETE")) return serve_delete(api, c, req);
    if (rtc && !strcmp(m, "POST")) {
        if (path_is(req->path, "/rtc/v1/whep/")) return serve_whep_whip(api, c, req, false);
        if (path_is(req->path, "/rtc/v1/whip/")) return serve_whep_whip(api, c, req, true);
        if (path_is(req->path, "/rtc/v1/play/")) return serve_legacy(api, c, req, false);
        if (path_is(req->path, "/rtc/v1/publish/")) return serve_legacy(api, c, req, true);
    }
    return write_error(c, 404, srs_error_new(ERROR_HTTP_NOT_FOUND, "%s %s", m, req->path));
}

static srs_error_t on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    SRS_UNUSED(peer);
    return srs_http_serve_conn(fd, NULL, api_handler, ctx);
}

srs_error_t srs_mock_rtc_start(const srs_mock_config_t *cfg)
{
    if (!cfg->api_port && !cfg->rtc_port) return srs_success;
    if (!cfg->api_port) {
        return srs_error_new(ERROR_CONFIG_INVALID, "WebRTC needs both -api and -rtc (api=%d, rtc=%d)", cfg->api_port,
                             cfg->rtc_port);
    }
    mock_api_t *api = calloc(1, sizeof(*api));
    if (!api) return srs_error_new(ERROR_SYSTEM_NOMEM, "rtc api");
    api->cfg = cfg;
    /* -api alone: SRS's HTTP API without WebRTC. */
    srs_error_t err = cfg->rtc_port ? srs_mock_rtc_new(cfg, &api->rtc) : srs_success;
    srs_tcp_server_t *srv = NULL;
    if (!err) err = srs_tcp_server_start("rtc-api", "", cfg->api_port, on_conn, NULL, api, &srv);
    if (err) {
        free(api);
        return srs_error_wrap(err, "WebRTC API on port %d", cfg->api_port);
    }
    if (!cfg->rtc_port) {
        srs_log_info("HTTP API on tcp port %d (no WebRTC)", cfg->api_port);
        return srs_success;
    }
    srs_log_info("WebRTC: API on tcp port %d, media on udp port %d, candidate %s%s%s", cfg->api_port, cfg->rtc_port,
                 cfg->ip, cfg->raw ? ", raw mode" : "", cfg->bad_fingerprint ? ", BAD FINGERPRINT (test)" : "");
    return srs_success;
}
