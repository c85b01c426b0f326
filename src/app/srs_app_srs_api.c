/* SPDX-License-Identifier: MIT */
/* SRS's HTTP API through the proxy (see the header). */
#include "srs_app_srs_api.h"
#include "srs_app_api.h"
#include "srs_app_system_api.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_map.h"
#include "srs_kernel_prometheus.h"
#include "srs_kernel_srs_api.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connecting to an origin's API takes at most this (within the request's deadline). */
#define SRS_SRS_API_CONNECT_TIMEOUT (3 * SRS_UTIME_SECONDS)
/* Cached replies over all origins and lists, at most; beyond it replies are used, not kept. */
#define SRS_SRS_API_CACHE_MAX_BYTES (16 * 1024 * 1024)
/* A waiter for another request's fetch of the same origin looks again this often. */
#define SRS_SRS_API_WAIT_STEP (5 * SRS_UTIME_MILLISECONDS)

static srs_srs_api_stats_t stats;
static int inflight;
static srs_log_limit_t origin_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);

void srs_srs_api_stats(srs_srs_api_stats_t *out) { *out = stats; }

void srs_srs_api_render_metrics(srs_strbuf_t *out)
{
    srs_prom_family(out, "srs_proxy_srs_api_requests_total", "counter", "Requests to SRS's API paths on the HTTP API.");
    srs_prom_sample_u64(out, "srs_proxy_srs_api_requests_total", NULL, 0, stats.requests);
    srs_prom_family(out, "srs_proxy_srs_api_cache_hits_total", "counter", "Origin lists answered from the cache.");
    srs_prom_sample_u64(out, "srs_proxy_srs_api_cache_hits_total", NULL, 0, stats.cache_hits);
    const struct { const char *reason; uint64_t n; } missing[] = {
        {"timeout", stats.origin_timeouts}, {"error", stats.origin_errors}, {"too_large", stats.origin_invalid}};
    srs_prom_family(out, "srs_proxy_srs_api_origin_missing_total", "counter",
                    "Origin answers left out of a merged SRS API reply, by reason.");
    for (size_t i = 0; i < SRS_ARRAY_SIZE(missing); i++) {
        const char *labels[] = {"reason", missing[i].reason};
        srs_prom_sample_u64(out, "srs_proxy_srs_api_origin_missing_total", labels, 1, missing[i].n);
    }
    srs_prom_family(out, "srs_proxy_srs_api_refused_total", "counter", "SRS API requests refused, by reason.");
    const char *busy[] = {"reason", "busy"}, *auth[] = {"reason", "unauthorized"};
    srs_prom_sample_u64(out, "srs_proxy_srs_api_refused_total", busy, 1, stats.refused_busy);
    srs_prom_sample_u64(out, "srs_proxy_srs_api_refused_total", auth, 1, stats.refused_auth);
}

/* ---- paths ---- */

static const char *kind_paths[SRS_SRS_API_KINDS] = {"/api/v1/streams", "/api/v1/clients", "/api/v1/vhosts",
                                                    "/api/v1/summaries"};

/* Splits a path into kind and id ("" for the list). False when it is none of ours. */
static bool parse_path(const char *path, srs_srs_api_kind_t *kind, char *id, size_t size)
{
    for (int k = 0; k < SRS_SRS_API_KINDS; k++) {
        size_t n = strlen(kind_paths[k]);
        if (strncmp(path, kind_paths[k], n) != 0) continue;
        const char *rest = path + n;
        if (!rest[0] || !strcmp(rest, "/")) {
            *kind = (srs_srs_api_kind_t)k;
            id[0] = '\0';
            return true;
        }
        if (rest[0] != '/' || k == SRS_SRS_API_SUMMARIES) return false;
        rest++;
        size_t len = strcspn(rest, "/");
        /* "<id>" or "<id>/", nothing deeper. */
        if (!len || len >= size || (rest[len] && strcmp(rest + len, "/") != 0)) return false;
        memcpy(id, rest, len);
        id[len] = '\0';
        *kind = (srs_srs_api_kind_t)k;
        return true;
    }
    return false;
}

bool srs_srs_api_match(const char *path)
{
    return !strncmp(path, "/api/", 5) || !strcmp(path, "/api");
}

/* ---- replies ---- */

static const char *proxy_service(void)
{
    /* SRS makes a new service id at every start; so does the proxy. */
    static char service[SRS_TOKEN_LEN + 1];
    if (!service[0]) {
        srs_random_token(service);
        service[8] = '\0';
    }
    return service;
}

static srs_error_t write_text(srs_http_conn_t *c, int status, const char *text, size_t len)
{
    srs_http_headers_t h = {0};
    srs_api_add_cors(&h);
    srs_http_headers_set(&h, "Content-Type", "application/json");
    srs_error_t err = srs_http_write_response(c, status, &h, text, len);
    srs_http_headers_free(&h);
    return err;
}

static srs_error_t write_error(srs_http_conn_t *c, int status, int code, const char *msg)
{
    srs_http_headers_t h = {0};
    srs_api_add_cors(&h);
    srs_error_t err = srs_http_write_error_headers(c, status, &h, code, msg);
    srs_http_headers_free(&h);
    return err;
}

srs_error_t srs_srs_api_serve_versions(srs_proxy_t *p, srs_http_conn_t *c)
{
    SRS_UNUSED(p);
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddNumberToObject(obj, "code", 0);
    cJSON_AddStringToObject(obj, "server", "srs-proxy");
    cJSON_AddStringToObject(obj, "service", proxy_service());
    cJSON_AddStringToObject(obj, "pid", srs_api_pid());
    cJSON *data = cJSON_AddObjectToObject(obj, "data");
    cJSON_AddNumberToObject(data, "major", SRS_PROXY_VERSION_MAJOR);
    cJSON_AddNumberToObject(data, "minor", SRS_PROXY_VERSION_MINOR);
    cJSON_AddNumberToObject(data, "revision", SRS_PROXY_VERSION_REVISION);
    cJSON_AddStringToObject(data, "version", SRS_PROXY_VERSION);
    /* The Go proxy's fields, for its clients. */
    cJSON_AddStringToObject(obj, "signature", SRS_PROXY_SIGNATURE);
    cJSON_AddStringToObject(obj, "version", SRS_PROXY_VERSION);
    srs_http_headers_t h = {0};
    srs_api_add_cors(&h);
    srs_error_t err = srs_api_write_json(c, 200, obj, &h);
    srs_http_headers_free(&h);
    return err;
}

/* ---- the cache: one entry per (list, origin), shared by concurrent requests ---- */

typedef struct {
    char *body;          /* NULL: the last fetch failed (error says why) */
    size_t len;
    char error[64];
    srs_utime_t at;      /* when the last fetch ended (monotonic) */
    bool fetching;       /* a coroutine is fetching it now; others wait for it */
} cache_entry_t;

static srs_map_t *cache;
static size_t cache_bytes;

static void cache_key(srs_srs_api_kind_t kind, const char *origin_id, const char *ip, int port, char *out, size_t size)
{
    snprintf(out, size, "%d|%s|%s|%d", (int)kind, origin_id, ip, port);
}

/* Drops entries not refreshed for a minute (their origins went away), except those in flight. */
static void cache_sweep(void)
{
    if (!cache) return;
    srs_utime_t now = srs_time_now();
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, cache); srs_map_iter_next(&it);) {
        cache_entry_t *e = (cache_entry_t *)it.value;
        if (e->fetching || now - e->at < 60 * SRS_UTIME_SECONDS) continue;
        srs_map_iter_remove(&it);
        cache_bytes -= e->len;
        free(e->body);
        free(e);
    }
}

static void cache_invalidate(srs_srs_api_kind_t kind, const char *origin_id, const char *ip, int port)
{
    char key[600];
    cache_key(kind, origin_id, ip, port, key, sizeof(key));
    cache_entry_t *e = cache ? (cache_entry_t *)srs_map_get(cache, key) : NULL;
    if (e && !e->fetching) e->at = 0;
}

/* ---- fetching: one coroutine per origin ---- */

typedef struct {
    /* Copied from the load balancer before any switch (the lifetime rule). */
    char origin_id[400];
    char ip[64];
    int port;
    /* Result, owned by the request. */
    char *body;
    size_t len;
    char error[64];
    bool done;
    bool from_cache;
} target_t;

typedef struct {
    srs_proxy_t *p;
    srs_srs_api_kind_t kind;
    srs_utime_t deadline;
    target_t *targets;
    int n;
    int pending;
    st_cond_t cond; /* signalled as each fetch ends */
} aggregation_t;

typedef struct {
    aggregation_t *agg; /* the request joins every fetch before freeing agg */
    int index;
    srs_coroutine_t *co;
} fetch_t;

static srs_error_t fetch_origin(aggregation_t *agg, target_t *t)
{
    char target[128];
    if (agg->kind == SRS_SRS_API_SUMMARIES) {
        snprintf(target, sizeof(target), "%s", kind_paths[agg->kind]);
    } else {
        snprintf(target, sizeof(target), "%s/?start=0&count=%d", kind_paths[agg->kind], agg->p->cfg->srs_api_max_entries);
    }
    srs_utime_t left = srs_time_left(agg->deadline);
    srs_http_client_t *cli = NULL;
    srs_error_t err = srs_http_client_do(t->ip, t->port, "GET", target, NULL, NULL, 0,
                                         SRS_MIN(left, (srs_utime_t)SRS_SRS_API_CONNECT_TIMEOUT), left, &cli);
    if (err) return srs_error_wrap(err, "GET %s:%d%s", t->ip, t->port, target);
    if (cli->res.status != 200) {
        int status = cli->res.status;
        srs_http_client_close(cli);
        return srs_error_new(ERROR_HTTP_STATUS, "GET %s:%d%s: status %d", t->ip, t->port, target, status);
    }
    err = srs_http_read_body_all(cli->conn, SRS_SRS_API_MAX_BODY, &t->body, &t->len);
    srs_http_client_close(cli);
    if (err) return srs_error_wrap(err, "read %s:%d%s", t->ip, t->port, target);
    return srs_success;
}

static const char *reason_of(srs_error_t err)
{
    switch (srs_error_code(err)) {
    case ERROR_SYSTEM_TIMEOUT:
    case ERROR_SYSTEM_INTERRUPTED: stats.origin_timeouts++; return "timeout";
    case ERROR_HTTP_TOO_LARGE: stats.origin_invalid++; return "reply too large";
    case ERROR_HTTP_STATUS: stats.origin_errors++; return "unexpected status";
    default: stats.origin_errors++; return "no answer";
    }
}

static srs_error_t fetch_cycle(void *arg)
{
    fetch_t *f = (fetch_t *)arg;
    aggregation_t *agg = f->agg;
    target_t *t = &agg->targets[f->index];
    char key[600];
    cache_key(agg->kind, t->origin_id, t->ip, t->port, key, sizeof(key));
    srs_utime_t interval = agg->p->cfg->srs_api_cache;

    srs_error_t err = srs_success;
    for (;;) {
        cache_entry_t *e = (cache_entry_t *)srs_map_get(cache, key);
        if (e && !e->fetching && srs_time_now() - e->at < interval) {
            /* Fresh: copy it (the entry may be replaced while this request goes on). */
            stats.cache_hits++;
            t->from_cache = true;
            if (e->body) {
                t->body = (char *)malloc(e->len + 1);
                if (!t->body) abort();
                memcpy(t->body, e->body, e->len + 1);
                t->len = e->len;
            } else {
                snprintf(t->error, sizeof(t->error), "%s", e->error);
            }
            goto done;
        }
        if (!e || !e->fetching) break;
        /* Another request is asking this origin now: wait for its answer, not a second one. */
        if ((err = srs_st_usleep(SRS_SRS_API_WAIT_STEP)) != srs_success) {
            snprintf(t->error, sizeof(t->error), "timeout");
            stats.origin_timeouts++;
            srs_error_free(err);
            goto done;
        }
    }

    cache_entry_t *e = (cache_entry_t *)srs_map_get(cache, key);
    if (!e) {
        e = (cache_entry_t *)calloc(1, sizeof(*e));
        if (!e) abort();
        srs_map_set(cache, key, e);
    }
    e->fetching = true;
    err = fetch_origin(agg, t);
    /* The entry is ours while fetching is set: nobody frees it (sweep skips it). */
    e = (cache_entry_t *)srs_map_get(cache, key);
    if (err) {
        snprintf(t->error, sizeof(t->error), "%s", reason_of(err));
        srs_log_limited(&origin_log, SRS_LOG_WARN, "SRS API: origin %s left out: %s", t->origin_id, srs_error_summary(err));
        srs_error_free(err);
    }
    if (e) {
        cache_bytes -= e->len;
        free(e->body);
        e->body = NULL;
        e->len = 0;
        if (t->body && cache_bytes + t->len <= SRS_SRS_API_CACHE_MAX_BYTES) {
            e->body = (char *)malloc(t->len + 1);
            if (!e->body) abort();
            memcpy(e->body, t->body, t->len + 1);
            e->len = t->len;
            cache_bytes += e->len;
        } else if (t->body) {
            e->at = 0; /* not kept: the next request asks again */
        }
        snprintf(e->error, sizeof(e->error), "%s", t->error[0] ? t->error : "not cached");
        if (e->body || !t->body) e->at = srs_time_now();
        e->fetching = false;
    }

done:
    t->done = true;
    agg->pending--;
    st_cond_signal(agg->cond);
    return srs_success;
}

/* Collects every live origin with an API port (copies, before any switch). */
typedef struct {
    target_t *targets;
    int n, cap, skipped;
} collect_t;

static void collect_origin(void *ctx, const srs_origin_t *o, bool alive)
{
    collect_t *c = (collect_t *)ctx;
    if (!alive || o->api_port <= 0) return;
    if (c->n >= c->cap) {
        c->skipped++;
        return;
    }
    target_t *t = &c->targets[c->n++];
    memset(t, 0, sizeof(*t));
    srs_origin_id(o, t->origin_id, sizeof(t->origin_id));
    snprintf(t->ip, sizeof(t->ip), "%s", o->ip);
    t->port = o->api_port;
}

/* Asks every live origin (concurrently, within the deadline) for its list; fills agg->targets. */
static void aggregate(srs_proxy_t *p, srs_srs_api_kind_t kind, aggregation_t *agg, int *skipped)
{
    if (!cache) cache = srs_map_new();
    cache_sweep();
    memset(agg, 0, sizeof(*agg));
    agg->p = p;
    agg->kind = kind;
    agg->deadline = srs_time_now() + p->cfg->srs_api_timeout;
    collect_t col = {(target_t *)calloc(SRS_SRS_API_MAX_ORIGINS, sizeof(target_t)), 0, SRS_SRS_API_MAX_ORIGINS, 0};
    if (!col.targets) abort();
    p->lb->vt->foreach_origin(p->lb, collect_origin, &col);
    agg->targets = col.targets;
    agg->n = col.n;
    *skipped = col.skipped;
    if (!agg->n) return;

    agg->cond = st_cond_new();
    fetch_t *fetches = (fetch_t *)calloc((size_t)agg->n, sizeof(fetch_t));
    if (!fetches || !agg->cond) abort();
    for (int i = 0; i < agg->n; i++) {
        fetches[i].agg = agg;
        fetches[i].index = i;
        fetches[i].co = srs_coroutine_new("srs-api-fetch", fetch_cycle, &fetches[i]);
        srs_coroutine_set_cid(fetches[i].co, srs_context_id());
        srs_error_t err = srs_coroutine_start(fetches[i].co);
        if (err) {
            snprintf(agg->targets[i].error, sizeof(agg->targets[i].error), "no coroutine");
            srs_error_free(err);
            continue;
        }
        agg->pending++;
    }
    /* Wait for all, or the deadline; then stop the stragglers (their origins are left out). */
    while (agg->pending > 0) {
        srs_utime_t left = srs_time_left(agg->deadline);
        if (left <= 0) break;
        if (st_cond_timedwait(agg->cond, srs_st_timeout(left)) < 0 && errno != ETIME) break;
    }
    for (int i = 0; i < agg->n; i++) {
        srs_coroutine_free(fetches[i].co); /* interrupt + join */
        if (!agg->targets[i].done && !agg->targets[i].error[0]) {
            snprintf(agg->targets[i].error, sizeof(agg->targets[i].error), "timeout");
        }
    }
    free(fetches);
    st_cond_destroy(agg->cond);
    agg->cond = NULL;
}

static void aggregation_free(aggregation_t *agg)
{
    for (int i = 0; i < agg->n; i++) free(agg->targets[i].body);
    free(agg->targets);
    agg->targets = NULL;
}

static srs_srs_api_reply_t *replies_of(const aggregation_t *agg)
{
    srs_srs_api_reply_t *r = (srs_srs_api_reply_t *)calloc((size_t)agg->n + 1, sizeof(*r));
    if (!r) abort();
    for (int i = 0; i < agg->n; i++) {
        const target_t *t = &agg->targets[i];
        r[i].origin = t->origin_id;
        r[i].body = t->body;
        r[i].len = t->len;
        r[i].error = t->error[0] ? t->error : NULL;
    }
    return r;
}

static int query_int(const char *query, const char *key, int def)
{
    char v[32];
    if (!srs_http_query_get(query, key, v, sizeof(v)) || !v[0]) return def;
    return atoi(v);
}

static srs_error_t serve_list(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req, srs_srs_api_kind_t kind)
{
    aggregation_t agg;
    int skipped = 0;
    aggregate(p, kind, &agg, &skipped);

    srs_srs_api_reply_t *replies = replies_of(&agg);
    srs_srs_api_merge_opts_t o;
    memset(&o, 0, sizeof(o));
    o.start = SRS_MAX(0, query_int(req->query, "start", 0));
    int count = query_int(req->query, "count", -1);
    o.count = count < 0 ? -1 : SRS_MAX(1, count);
    o.max_entries = (size_t)p->cfg->srs_api_max_entries;
    o.max_body = SRS_SRS_API_MAX_BODY;
    o.server = "srs-proxy";
    o.service = proxy_service();
    o.pid = srs_api_pid();
    o.version = SRS_PROXY_VERSION;
    o.now_ms = srs_time_now_wall() / 1000;
    char *text = srs_srs_api_merge(kind, replies, agg.n, &o);
    free(replies);
    aggregation_free(&agg);
    if (skipped) {
        srs_log_limited(&origin_log, SRS_LOG_WARN, "SRS API: %d origins over %d left out", skipped, SRS_SRS_API_MAX_ORIGINS);
    }
    srs_error_t err = write_text(c, 200, text, strlen(text));
    free(text);
    return err;
}

/* The target for the origin: the path and query without "token=" (the proxy's own secret stays
 * here). */
static void origin_target(const srs_http_request_t *req, char *out, size_t size)
{
    const char *t = req->target;
    size_t path_len = strcspn(t, "?");
    size_t n = (size_t)snprintf(out, size, "%.*s", (int)path_len, t);
    const char *q = t[path_len] == '?' ? t + path_len + 1 : "";
    char sep = '?';
    while (*q && n < size) {
        size_t len = strcspn(q, "&");
        if (!(len >= 6 && !strncmp(q, "token=", 6)) && len) {
            n += (size_t)snprintf(out + n, size - n, "%c%.*s", sep, (int)len, q);
            sep = '&';
        }
        q += len + (q[len] == '&');
    }
}

static bool changes_state(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

/* Forwards the request to the origin that owns id; its answer goes back as is (bounded). */
static srs_error_t serve_one(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req, srs_srs_api_kind_t kind,
                             const char *id)
{
    srs_error_t err = srs_success;
    char *req_body = NULL;
    size_t req_len = 0;
    bool has_body = req->content_length > 0 || req->chunked;
    if (has_body && (err = srs_http_read_body_all(c, SRS_SRS_API_MAX_REQUEST_BODY, &req_body, &req_len)) != srs_success) {
        int status = srs_http_status_of_error(err);
        srs_error_t werr = status ? srs_api_write_error(c, status, err, NULL) : srs_success;
        srs_error_free(err);
        return werr;
    }

    aggregation_t agg;
    int skipped = 0;
    aggregate(p, kind, &agg, &skipped);
    srs_srs_api_reply_t *replies = replies_of(&agg);
    int owner = srs_srs_api_find_owner(kind, replies, agg.n, id, SRS_SRS_API_MAX_BODY);
    free(replies);
    if (owner < 0) {
        aggregation_free(&agg);
        free(req_body);
        char msg[300];
        snprintf(msg, sizeof(msg), "%s %s not found", srs_srs_api_kind_name(kind), id);
        int code = kind == SRS_SRS_API_CLIENTS ? ERROR_RTMP_CLIENT_NOT_FOUND
                 : kind == SRS_SRS_API_STREAMS ? ERROR_RTMP_STREAM_NOT_FOUND : ERROR_HTTP_NOT_FOUND;
        return write_error(c, 404, code, msg);
    }
    target_t t = agg.targets[owner]; /* a copy: origin id, address */
    t.body = NULL;
    aggregation_free(&agg);

    srs_http_headers_t h = {0};
    const char *type = srs_http_headers_get(&req->headers, "Content-Type");
    if (type) srs_http_headers_set(&h, "Content-Type", type);
    /* The proxy's own token stays here; an origin's own credentials pass when the proxy has none. */
    const char *auth = srs_http_headers_get(&req->headers, "Authorization");
    if (auth && !p->cfg->system_api_token[0]) srs_http_headers_set(&h, "Authorization", auth);

    srs_utime_t deadline = srs_time_now() + p->cfg->srs_api_timeout;
    srs_http_client_t *cli = NULL;
    char *body = NULL;
    size_t len = 0;
    int status = 0;
    char target[SRS_HTTP_MAX_LINE + 1];
    origin_target(req, target, sizeof(target));
    err = srs_http_client_do(t.ip, t.port, req->method, target, &h, req_body, req_len,
                             SRS_MIN(p->cfg->srs_api_timeout, (srs_utime_t)SRS_SRS_API_CONNECT_TIMEOUT),
                             srs_time_left(deadline), &cli);
    srs_http_headers_free(&h);
    free(req_body);
    if (!err) {
        status = cli->res.status;
        err = srs_http_read_body_all(cli->conn, SRS_SRS_API_MAX_BODY, &body, &len);
        srs_http_client_close(cli);
    }
    if (err) {
        srs_log_limited(&origin_log, SRS_LOG_WARN, "SRS API: %s %s at origin %s: %s", req->method, req->path,
                        t.origin_id, srs_error_summary(err));
        int code = srs_error_code(err);
        srs_error_free(err);
        return write_error(c, code == ERROR_SYSTEM_TIMEOUT ? 504 : 502, code, "origin did not answer");
    }
    if (status < 200 || status > 599) {
        free(body);
        srs_log_limited(&origin_log, SRS_LOG_WARN, "SRS API: origin %s answered status %d", t.origin_id, status);
        return write_error(c, 502, ERROR_HTTP_STATUS, "origin answered an unexpected status");
    }
    if (changes_state(req->method)) {
        srs_log_info("SRS API: %s %s forwarded to origin %s: status %d", req->method, req->path, t.origin_id, status);
        /* The lists change now: the next request asks the origin again. */
        cache_invalidate(SRS_SRS_API_CLIENTS, t.origin_id, t.ip, t.port);
        cache_invalidate(SRS_SRS_API_STREAMS, t.origin_id, t.ip, t.port);
    }
    err = write_text(c, status, body ? body : "", len);
    free(body);
    return err;
}

srs_error_t srs_srs_api_serve(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req)
{
    stats.requests++;
    srs_srs_api_kind_t kind;
    char id[256];
    if (!strcmp(req->method, "OPTIONS")) return write_text(c, 200, "", 0);
    if (!parse_path(req->path, &kind, id, sizeof(id))) {
        return write_error(c, 404, ERROR_HTTP_NOT_FOUND, "not supported by the proxy");
    }
    if (!id[0] && strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        return write_error(c, 405, ERROR_HTTP_METHOD, "method not allowed");
    }
    if (changes_state(req->method) && !srs_system_api_authorized(p->cfg, req)) {
        stats.refused_auth++;
        return write_error(c, 401, ERROR_HTTP_UNAUTHORIZED, "unauthorized");
    }
    if (inflight >= SRS_SRS_API_MAX_INFLIGHT) {
        stats.refused_busy++;
        srs_log_limited(&origin_log, SRS_LOG_WARN, "SRS API: %d requests in progress, refuse %s", inflight, req->path);
        return write_error(c, 503, ERROR_SYSTEM_LIMIT, "too many SRS API requests in progress");
    }
    inflight++;
    srs_error_t err = id[0] ? serve_one(p, c, req, kind, id) : serve_list(p, c, req, kind);
    inflight--;
    return err;
}
