/* SPDX-License-Identifier: MIT */
/* The mock origin's SRS HTTP API (on -api, beside WHIP/WHEP), in SRS 7's JSON shape
 * (trunk/src/app/srs_app_http_api.cpp, srs_app_statistic.cpp):
 *
 *   GET    /api/v1/streams/[?start=&count=]   {"code":0,"server","service","pid","total","streams":[...]}
 *   GET    /api/v1/streams/<id>               {"code":0,...,"stream":{...}}; unknown → {"code":2048}
 *   GET    /api/v1/clients/[?start=&count=]   {"code":0,...,"total","clients":[...]}
 *   GET    /api/v1/clients/<id>               {"code":0,...,"client":{...}}; unknown → {"code":2049}
 *   DELETE /api/v1/clients/<id>               kicks the client (its connection ends) → {"code":0,...}
 *   GET    /api/v1/vhosts/                    {"code":0,...,"vhosts":[{...}]}
 *   GET    /api/v1/summaries                  {"code":0,...,"data":{"ok","now_ms","self":{...},"system":{...}}}
 *
 * As SRS 7: start = max(0, start), count = max(1, count) (so 1 without ?count=), errors are
 * HTTP 200 with a non-zero "code". Clients are the RTMP publishers and players and the HTTP-FLV
 * players; a stream is listed while it has a client. Client ids are the connection's context id
 * (the one in the connect _result), stream ids "vid-" + 7 random characters, as SRS. */
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_mock_origin.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_http.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ERROR_SRS_STREAM_NOT_FOUND 2048
#define ERROR_SRS_CLIENT_NOT_FOUND 2049

typedef struct mock_stream_s {
    char id[16];
    char key[600];  /* app/stream */
    char app[300], name[300], tc_url[1024];
    int clients;
    char publisher[40]; /* client id of the publisher, "" = none */
    srs_utime_t created;
    struct mock_stream_s *next;
} mock_stream_t;

struct srs_mock_client_s {
    char id[40];
    char ip[64];
    char type[32];
    char tc_url[1024];
    char url[700];
    bool publish;
    srs_utime_t created;
    srs_coroutine_t *co; /* the connection's coroutine: a kick interrupts it */
    mock_stream_t *stream;
    srs_mock_client_t *prev, *next;
};

static srs_mock_client_t *clients;
static int nclients;
static mock_stream_t *streams;
static char vhost_id[16];
static srs_utime_t started_at;

static void random_id(char *out, size_t size, const char *prefix)
{
    char token[SRS_TOKEN_LEN + 1];
    srs_random_token(token);
    snprintf(out, size, "%s%.7s", prefix, token);
}

static const char *the_vhost_id(void)
{
    if (!vhost_id[0]) random_id(vhost_id, sizeof(vhost_id), "vid-");
    return vhost_id;
}

static mock_stream_t *stream_ref(const char *key, const char *tc_url)
{
    for (mock_stream_t *s = streams; s; s = s->next) {
        if (!strcmp(s->key, key)) {
            s->clients++;
            return s;
        }
    }
    mock_stream_t *s = (mock_stream_t *)calloc(1, sizeof(*s));
    if (!s) abort();
    random_id(s->id, sizeof(s->id), "vid-");
    snprintf(s->key, sizeof(s->key), "%s", key);
    const char *slash = strrchr(key, '/');
    snprintf(s->app, sizeof(s->app), "%.*s", slash ? (int)(slash - key) : 0, key);
    snprintf(s->name, sizeof(s->name), "%s", slash ? slash + 1 : key);
    snprintf(s->tc_url, sizeof(s->tc_url), "%s", tc_url ? tc_url : "");
    s->created = srs_time_now_wall();
    s->clients = 1;
    s->next = streams;
    streams = s;
    return s;
}

static void stream_unref(mock_stream_t *s)
{
    if (--s->clients > 0) return;
    for (mock_stream_t **pp = &streams; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    free(s);
}

srs_mock_client_t *srs_mock_client_add(const char *id, const char *peer, const char *key, const char *tc_url,
                                       const char *type, bool publish)
{
    srs_mock_client_t *c = (srs_mock_client_t *)calloc(1, sizeof(*c));
    if (!c) abort();
    snprintf(c->id, sizeof(c->id), "%s", id);
    /* "127.0.0.1:port" → "127.0.0.1" */
    snprintf(c->ip, sizeof(c->ip), "%s", peer);
    char *colon = strrchr(c->ip, ':');
    if (colon && c->ip[0] != '[') *colon = '\0';
    snprintf(c->type, sizeof(c->type), "%s", type);
    snprintf(c->tc_url, sizeof(c->tc_url), "%s", tc_url ? tc_url : "");
    snprintf(c->url, sizeof(c->url), "/%s", key);
    c->publish = publish;
    c->created = srs_time_now_wall();
    c->co = srs_coroutine_self();
    c->stream = stream_ref(key, tc_url);
    if (publish) snprintf(c->stream->publisher, sizeof(c->stream->publisher), "%s", c->id);
    c->next = clients;
    if (clients) clients->prev = c;
    clients = c;
    nclients++;
    return c;
}

void srs_mock_client_remove(srs_mock_client_t *c)
{
    if (!c) return;
    if (c->prev) c->prev->next = c->next;
    else clients = c->next;
    if (c->next) c->next->prev = c->prev;
    nclients--;
    if (c->publish && !strcmp(c->stream->publisher, c->id)) c->stream->publisher[0] = '\0';
    stream_unref(c->stream);
    free(c);
}

static srs_mock_client_t *find_client(const char *id)
{
    for (srs_mock_client_t *c = clients; c; c = c->next) {
        if (!strcmp(c->id, id)) return c;
    }
    return NULL;
}

static mock_stream_t *find_stream(const char *id)
{
    for (mock_stream_t *s = streams; s; s = s->next) {
        if (!strcmp(s->id, id)) return s;
    }
    return NULL;
}

/* ---- JSON ---- */

static cJSON *head(const srs_mock_config_t *cfg, int code)
{
    char pid[16];
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "code", code);
    cJSON_AddStringToObject(o, "server", cfg->server_id);
    cJSON_AddStringToObject(o, "service", cfg->service_id);
    cJSON_AddStringToObject(o, "pid", pid);
    return o;
}

static cJSON *kbps(void)
{
    cJSON *k = cJSON_CreateObject();
    cJSON_AddNumberToObject(k, "recv_30s", 0);
    cJSON_AddNumberToObject(k, "send_30s", 0);
    return k;
}

static cJSON *stream_json(const mock_stream_t *s)
{
    cJSON *o = cJSON_CreateObject();
    char url[700];
    snprintf(url, sizeof(url), "/%s", s->key);
    cJSON_AddStringToObject(o, "id", s->id);
    cJSON_AddStringToObject(o, "name", s->name);
    cJSON_AddStringToObject(o, "vhost", the_vhost_id());
    cJSON_AddStringToObject(o, "app", s->app);
    cJSON_AddStringToObject(o, "tcUrl", s->tc_url);
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddNumberToObject(o, "live_ms", (double)(s->created / 1000));
    cJSON_AddNumberToObject(o, "clients", s->clients);
    cJSON_AddNumberToObject(o, "frames", 0);
    cJSON_AddNumberToObject(o, "send_bytes", 0);
    cJSON_AddNumberToObject(o, "recv_bytes", 0);
    cJSON_AddItemToObject(o, "kbps", kbps());
    cJSON *pub = cJSON_AddObjectToObject(o, "publish");
    cJSON_AddBoolToObject(pub, "active", s->publisher[0] != '\0');
    cJSON_AddStringToObject(pub, "cid", s->publisher);
    cJSON_AddNullToObject(o, "video");
    cJSON_AddNullToObject(o, "audio");
    return o;
}

static cJSON *client_json(const srs_mock_client_t *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", c->id);
    cJSON_AddStringToObject(o, "vhost", the_vhost_id());
    cJSON_AddStringToObject(o, "stream", c->stream->id);
    cJSON_AddStringToObject(o, "ip", c->ip);
    cJSON_AddStringToObject(o, "pageUrl", "");
    cJSON_AddStringToObject(o, "swfUrl", "");
    cJSON_AddStringToObject(o, "tcUrl", c->tc_url);
    cJSON_AddStringToObject(o, "url", c->url);
    cJSON_AddStringToObject(o, "name", c->stream->name);
    cJSON_AddStringToObject(o, "type", c->type);
    cJSON_AddBoolToObject(o, "publish", c->publish);
    cJSON_AddNumberToObject(o, "alive", (double)(srs_time_now_wall() - c->created) / 1e6);
    cJSON_AddNumberToObject(o, "send_bytes", 0);
    cJSON_AddNumberToObject(o, "recv_bytes", 0);
    cJSON_AddItemToObject(o, "kbps", kbps());
    return o;
}

static srs_error_t reply(srs_http_conn_t *c, cJSON *obj)
{
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!text) return srs_error_new(ERROR_JSON, "print json");
    srs_http_headers_t h = {0};
    srs_http_headers_set(&h, "Content-Type", "application/json");
    srs_http_headers_set(&h, "Access-Control-Allow-Origin", "*");
    srs_error_t err = srs_http_write_response(c, 200, &h, text, strlen(text));
    srs_http_headers_free(&h);
    free(text);
    return err;
}

static void page(const char *query, int *start, int *count)
{
    char v[32];
    *start = srs_http_query_get(query, "start", v, sizeof(v)) ? atoi(v) : 0;
    *count = srs_http_query_get(query, "count", v, sizeof(v)) ? atoi(v) : 0;
    *start = SRS_MAX(0, *start);
    *count = SRS_MAX(1, *count);
}

static int count_streams(void)
{
    int n = 0;
    for (mock_stream_t *s = streams; s; s = s->next) n++;
    return n;
}

static srs_error_t serve_streams(const srs_mock_config_t *cfg, srs_http_conn_t *c, srs_http_request_t *req, const char *id)
{
    if (strcmp(req->method, "GET") != 0) return reply(c, head(cfg, 405));
    if (id[0]) {
        mock_stream_t *s = find_stream(id);
        if (!s) return reply(c, head(cfg, ERROR_SRS_STREAM_NOT_FOUND));
        cJSON *o = head(cfg, 0);
        cJSON_AddItemToObject(o, "stream", stream_json(s));
        return reply(c, o);
    }
    int start, count;
    page(req->query, &start, &count);
    cJSON *o = head(cfg, 0);
    cJSON_AddNumberToObject(o, "total", count_streams());
    cJSON *list = cJSON_AddArrayToObject(o, "streams");
    int i = 0;
    for (mock_stream_t *s = streams; s && i < start + count; s = s->next, i++) {
        if (i >= start) cJSON_AddItemToArray(list, stream_json(s));
    }
    return reply(c, o);
}

static srs_error_t serve_clients(const srs_mock_config_t *cfg, srs_http_conn_t *c, srs_http_request_t *req, const char *id)
{
    srs_mock_client_t *cl = id[0] ? find_client(id) : NULL;
    if (id[0] && !cl) return reply(c, head(cfg, ERROR_SRS_CLIENT_NOT_FOUND));
    if (!strcmp(req->method, "DELETE")) {
        if (!cl) return reply(c, head(cfg, ERROR_SRS_CLIENT_NOT_FOUND));
        srs_log_warn("kickoff client id=%s ok", cl->id);
        srs_coroutine_interrupt(cl->co);
        return reply(c, head(cfg, 0));
    }
    if (strcmp(req->method, "GET") != 0) return reply(c, head(cfg, 405));
    cJSON *o = head(cfg, 0);
    if (cl) {
        cJSON_AddItemToObject(o, "client", client_json(cl));
        return reply(c, o);
    }
    int start, count;
    page(req->query, &start, &count);
    cJSON_AddNumberToObject(o, "total", nclients);
    cJSON *list = cJSON_AddArrayToObject(o, "clients");
    int i = 0;
    for (srs_mock_client_t *x = clients; x && i < start + count; x = x->next, i++) {
        if (i >= start) cJSON_AddItemToArray(list, client_json(x));
    }
    return reply(c, o);
}

static srs_error_t serve_vhosts(const srs_mock_config_t *cfg, srs_http_conn_t *c)
{
    cJSON *o = head(cfg, 0);
    cJSON *list = cJSON_AddArrayToObject(o, "vhosts");
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "id", the_vhost_id());
    cJSON_AddStringToObject(v, "name", "__defaultVhost__");
    cJSON_AddBoolToObject(v, "enabled", true);
    cJSON_AddNumberToObject(v, "clients", nclients);
    cJSON_AddNumberToObject(v, "streams", count_streams());
    cJSON_AddNumberToObject(v, "send_bytes", 0);
    cJSON_AddNumberToObject(v, "recv_bytes", 0);
    cJSON_AddItemToObject(v, "kbps", kbps());
    cJSON *hls = cJSON_AddObjectToObject(v, "hls");
    cJSON_AddBoolToObject(hls, "enabled", false);
    cJSON_AddItemToArray(list, v);
    return reply(c, o);
}

static srs_error_t serve_summaries(const srs_mock_config_t *cfg, srs_http_conn_t *c)
{
    cJSON *o = head(cfg, 0);
    cJSON *d = cJSON_AddObjectToObject(o, "data");
    cJSON_AddBoolToObject(d, "ok", true);
    cJSON_AddNumberToObject(d, "now_ms", (double)(srs_time_now_wall() / 1000));
    cJSON *self = cJSON_AddObjectToObject(d, "self");
    cJSON_AddStringToObject(self, "version", "7.0.18");
    cJSON_AddNumberToObject(self, "pid", (double)getpid());
    cJSON_AddNumberToObject(self, "ppid", (double)getppid());
    cJSON_AddStringToObject(self, "argv", "srs-mock-origin");
    cJSON_AddStringToObject(self, "cwd", ".");
    cJSON_AddNumberToObject(self, "mem_kbyte", 0);
    cJSON_AddNumberToObject(self, "mem_percent", 0);
    cJSON_AddNumberToObject(self, "cpu_percent", 0);
    cJSON_AddNumberToObject(self, "srs_uptime", (double)((srs_time_now() - started_at) / SRS_UTIME_SECONDS));
    cJSON *sys = cJSON_AddObjectToObject(d, "system");
    cJSON_AddNumberToObject(sys, "cpu_percent", 0);
    cJSON_AddNumberToObject(sys, "conn_srs", nclients);
    return reply(c, o);
}

/* "/api/v1/streams", "/api/v1/streams/", "/api/v1/streams/<id>" → true with id ("" for none). */
static bool route(const char *path, const char *prefix, char *id, size_t size)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0) return false;
    const char *rest = path + n;
    if (!rest[0] || !strcmp(rest, "/")) {
        id[0] = '\0';
        return true;
    }
    if (rest[0] != '/') return false;
    snprintf(id, size, "%.*s", (int)strcspn(rest + 1, "/"), rest + 1);
    return true;
}

bool srs_mock_api_serve(const srs_mock_config_t *cfg, srs_http_conn_t *c, srs_http_request_t *req, srs_error_t *err)
{
    if (!started_at) started_at = srs_time_now();
    char id[128];
    if (route(req->path, "/api/v1/streams", id, sizeof(id))) *err = serve_streams(cfg, c, req, id);
    else if (route(req->path, "/api/v1/clients", id, sizeof(id))) *err = serve_clients(cfg, c, req, id);
    else if (route(req->path, "/api/v1/vhosts", id, sizeof(id))) *err = serve_vhosts(cfg, c);
    else if (!strcmp(req->path, "/api/v1/summaries") || !strcmp(req->path, "/api/v1/summaries/")) *err = serve_summaries(cfg, c);
    else return false;
    return true;
}
