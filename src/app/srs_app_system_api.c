/* SPDX-License-Identifier: MIT */
#include "srs_app_system_api.h"
#include "srs_app_api.h"
#include "srs_app_http_api.h"
#include "srs_app_rtc_api.h"
#include "srs_core_log.h"
#include "srs_kernel_stream_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* A heartbeat is a few hundred bytes; this leaves room for many endpoints. */
#define SRS_REGISTER_MAX_BODY (64 * 1024)

static bool token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la && i < lb; i++) diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static bool authorized(const srs_config_t *cfg, const srs_http_request_t *req)
{
    if (!cfg->system_api_token[0]) return true;
    char token[256];
    if (srs_http_query_get(req->query, "token", token, sizeof(token)) && token_equal(token, cfg->system_api_token)) {
        return true;
    }
    const char *auth = srs_http_headers_get(&req->headers, "Authorization");
    return auth && !strncmp(auth, "Bearer ", 7) && token_equal(auth + 7, cfg->system_api_token);
}

bool srs_system_api_authorized(const srs_config_t *cfg, const srs_http_request_t *req)
{
    return authorized(cfg, req);
}

static srs_error_t serve_versions(srs_http_conn_t *c)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "signature", SRS_PROXY_SIGNATURE);
    cJSON_AddStringToObject(obj, "version", SRS_PROXY_VERSION);
    return srs_api_write_json(c, 200, obj, NULL);
}

/* Anyone who reaches the port can post garbage: such lines are rate limited. */
static srs_log_limit_t register_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);

static srs_error_t serve_register(srs_proxy_t *p, srs_http_conn_t *c)
{
    char *body = NULL;
    size_t len = 0;
    srs_error_t err = srs_http_read_body_all(c, SRS_REGISTER_MAX_BODY, &body, &len);
    if (err) {
        int status = srs_http_status_of_error(err);
        if (status) {
            srs_error_t werr = srs_api_write_error(c, status, err, NULL);
            srs_error_free(werr);
        }
        /* The rest of the body is not read: the connection closes. */
        return srs_error_wrap(err, "read register body");
    }

    srs_origin_t origin;
    err = srs_origin_parse_register(body, len, &origin);
    free(body);
    if (err) {
        srs_log_limited(&register_log, SRS_LOG_WARN, "Register SRS media server failed: %s", srs_error_summary(err));
        srs_error_t werr = srs_api_write_error(c, 400, err, NULL);
        srs_error_free(err);
        return werr;
    }
    if ((err = p->lb->vt->update(p->lb, &origin)) != srs_success) {
        /* PROXY_MAX_ORIGINS reached, or Redis refused: 503, rate limited (a peer can repeat it). */
        srs_log_limited(&register_log, SRS_LOG_WARN, "Register SRS media server failed: %s", srs_error_summary(err));
        srs_error_t werr = srs_api_write_error(c, 503, err, NULL);
        srs_error_free(err);
        return werr;
    }
    char text[512];
    srs_origin_describe(&origin, text, sizeof(text));
    srs_log_info("Register SRS media server, %s", text);

    cJSON *obj = cJSON_CreateObject();
    cJSON_AddNumberToObject(obj, "code", 0);
    cJSON_AddStringToObject(obj, "pid", srs_api_pid());
    return srs_api_write_json(c, 200, obj, NULL);
}

static cJSON *origin_json(const srs_origin_t *o, bool alive)
{
    char id[512];
    srs_origin_id(o, id, sizeof(id));
    cJSON *item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "id", id);
    cJSON_AddStringToObject(item, "ip", o->ip);
    cJSON_AddStringToObject(item, "device_id", o->device_id);
    cJSON_AddStringToObject(item, "server", o->server_id);
    cJSON_AddStringToObject(item, "service", o->service_id);
    cJSON_AddStringToObject(item, "pid", o->pid);
    cJSON_AddBoolToObject(item, "alive", alive);
    cJSON_AddNumberToObject(item, "rtmp", o->rtmp_port);
    cJSON_AddNumberToObject(item, "http", o->http_port);
    cJSON_AddNumberToObject(item, "api", o->api_port);
    cJSON_AddNumberToObject(item, "rtc", o->rtc_port);
    cJSON_AddNumberToObject(item, "srt", o->srt_port);
    cJSON_AddNumberToObject(item, "updated_at_ms", (double)(o->updated_at / 1000));
    return item;
}

static void add_origin(void *ctx, const srs_origin_t *o, bool alive)
{
    cJSON_AddItemToArray((cJSON *)ctx, origin_json(o, alive));
}

static srs_error_t serve_origins(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req)
{
    char url[1024];
    if (srs_http_query_get(req->query, "pick", url, sizeof(url))) {
        char stream_url[1024];
        srs_origin_t origin;
        srs_error_t err = srs_stream_url_build(url, stream_url, sizeof(stream_url));
        if (!err) err = p->lb->vt->pick(p->lb, stream_url, &origin);
        if (err) {
            int status = srs_error_code(err) == ERROR_ORIGIN_NONE ? 503 : 400;
            srs_error_t werr = srs_api_write_error(c, status, err, NULL);
            srs_error_free(err);
            return werr;
        }
        cJSON *obj = cJSON_CreateObject();
        cJSON_AddNumberToObject(obj, "code", 0);
        cJSON_AddStringToObject(obj, "stream_url", stream_url);
        cJSON_AddItemToObject(obj, "origin", origin_json(&origin, true));
        return srs_api_write_json(c, 200, obj, NULL);
    }
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddNumberToObject(obj, "code", 0);
    cJSON_AddStringToObject(obj, "pid", srs_api_pid());
    cJSON *list = cJSON_AddArrayToObject(obj, "origins");
    p->lb->vt->foreach_origin(p->lb, add_origin, list);
    return srs_api_write_json(c, 200, obj, NULL);
}

static srs_error_t system_api_handle(void *ctx, srs_http_conn_t *c, srs_http_request_t *req)
{
    srs_proxy_t *p = (srs_proxy_t *)ctx;
    if (!strcmp(req->path, "/api/v1/versions")) return serve_versions(c);

    bool is_register = !strcmp(req->path, "/api/v1/srs/register");
    bool is_origins = !strcmp(req->path, "/api/v1/origins");
    bool is_sessions = !strcmp(req->path, "/api/v1/sessions") || !strcmp(req->path, "/api/v1/sessions/");
    if (!is_register && !is_origins && !is_sessions) {
        return srs_http_write_error(c, 404, ERROR_HTTP_NOT_FOUND, "not found");
    }
    if (!authorized(p->cfg, req)) {
        return srs_http_write_error(c, 401, ERROR_HTTP_UNAUTHORIZED, "unauthorized");
    }
    if (is_sessions) {
        /* GET lists; DELETE ?ufrag=<answerUfrag:offerUfrag> ends one WebRTC session (operators). */
        char ufrag[SRS_RTC_UFRAG_MAX];
        if (!strcmp(req->method, "DELETE") && srs_http_query_get(req->query, "ufrag", ufrag, sizeof(ufrag))) {
            return srs_rtc_api_delete_by_ufrag(p, c, req, ufrag);
        }
        return srs_api_serve_sessions(p, c);
    }
    return is_register ? serve_register(p, c) : serve_origins(p, c, req);
}

srs_error_t srs_system_api_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    SRS_UNUSED(peer);
    return srs_http_serve_conn(fd, NULL, system_api_handle, ctx);
}

/* A listen host that only loopback clients reach. */
static bool host_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!strcmp(host, "localhost")) return true;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

bool srs_system_api_warn_open(const srs_config_t *cfg)
{
    if (cfg->system_api_token[0] || host_is_loopback(cfg->system_api.host)) return false;
    char addr[96];
    srs_listen_format(&cfg->system_api, addr, sizeof(addr));
    srs_log_warn("SECURITY: the system API listens on %s beyond loopback without PROXY_SYSTEM_API_TOKEN: anyone who "
                 "reaches it can register an origin and receive a share of new streams. Set PROXY_SYSTEM_API_TOKEN "
                 "(and the same token in the origins' heartbeat URL), or listen on 127.0.0.1 only.", addr);
    return true;
}
