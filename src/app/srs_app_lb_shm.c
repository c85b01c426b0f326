/* SPDX-License-Identifier: MIT */
#include "srs_app_lb_shm.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_shm_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LB_ID_SIZE 400
#define LB_URL_SIZE 1024
#define LB_SPBHID_SIZE 64
#define LB_FULL_URL_SIZE 1024
#define LB_UFRAG_SIZE 128
#define LB_PWD_SIZE 256

#define LB_TOKEN_SIZE 33
#define LB_SELECTOR_LEN 16
#define LB_LOCATION_SIZE 512
#define LB_OWNER_DELETED (-1)

enum { T_ORIGINS, T_PICKED, T_HLS_STREAMS, T_HLS_SESSIONS, T_RTC, T_RTC_TOKENS, T_COUNT };
static const char *table_names[T_COUNT] = {"origins", "picked", "hls_streams", "hls_sessions", "rtc_sessions",
                                           "rtc_tokens"};

typedef struct {
    srs_origin_t origin;
    uint64_t picks;
} origin_value_t;

typedef struct {
    char origin_id[LB_ID_SIZE];
} picked_value_t;

typedef struct {
    char spbhid[LB_SPBHID_SIZE];
} hls_stream_value_t;

typedef struct {
    char stream_url[LB_URL_SIZE];
    char full_url[LB_FULL_URL_SIZE];
} hls_session_value_t;

/* A WebRTC session: what adoption needs (stream, ICE password) and what a DELETE on any worker
 * needs (the Location token, the origin's API address and its own Location). Owner: the pid of
 * the worker holding it, or LB_OWNER_DELETED once a DELETE went through another worker. */
typedef struct {
    char stream_url[LB_URL_SIZE];
    char pwd[LB_PWD_SIZE];
    char token[LB_TOKEN_SIZE];
    char origin_ip[64];
    int32_t origin_api_port;
    char origin_location[LB_LOCATION_SIZE];
} rtc_value_t;

/* The token's first LB_SELECTOR_LEN characters → the session's ufrag: the look-up of a DELETE;
 * the whole token is then compared in constant time with the session's. */
typedef struct {
    char ufrag[LB_UFRAG_SIZE];
} rtc_token_value_t;

struct srs_lb_shm_region_s {
    void *base;
    size_t bytes;
    srs_shm_table_t *t[T_COUNT];
};

typedef struct {
    srs_lb_t base;
    srs_lb_shm_region_t *r;
    srs_utime_t ttl;
    srs_lb_clock_fn clock;
    srs_log_limit_t log_limit;
} lb_shm_t;

#define ALIGN64(x) (((x) + 63) / 64 * 64)

srs_error_t srs_lb_shm_region_new(const srs_lb_shm_sizes_t *sizes, srs_lb_shm_region_t **out)
{
    /* The memory balancer's bounds: HLS streams are a session table there too. */
    uint32_t caps[T_COUNT] = {sizes->origins, sizes->streams, sizes->sessions, sizes->sessions, sizes->sessions,
                              sizes->sessions};
    uint32_t keys[T_COUNT] = {LB_ID_SIZE, LB_URL_SIZE, LB_URL_SIZE, LB_SPBHID_SIZE, LB_UFRAG_SIZE, 24 /* LB_SELECTOR_LEN + 1, rounded to 8 */};
    uint32_t values[T_COUNT] = {sizeof(origin_value_t), sizeof(picked_value_t), sizeof(hls_stream_value_t),
                                sizeof(hls_session_value_t), sizeof(rtc_value_t), sizeof(rtc_token_value_t)};
    size_t offs[T_COUNT], total = 0;
    for (int i = 0; i < T_COUNT; i++) {
        offs[i] = total;
        total += ALIGN64(srs_shm_table_bytes(caps[i], keys[i], values[i]));
    }
    /* Anonymous shared pages are zero and only cost memory once touched. */
    void *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return srs_error_new(ERROR_SYSTEM_NOMEM, "mmap %zu bytes for the shared load balancer", total);
    srs_lb_shm_region_t *r = (srs_lb_shm_region_t *)calloc(1, sizeof(*r));
    if (!r) abort();
    r->base = base;
    r->bytes = total;
    for (int i = 0; i < T_COUNT; i++) {
        srs_error_t err = srs_shm_table_init((char *)base + offs[i], caps[i], keys[i], values[i], &r->t[i]);
        if (err) {
            srs_lb_shm_region_free(r);
            return srs_error_wrap(err, "shared table %s", table_names[i]);
        }
    }
    *out = r;
    return srs_success;
}

void srs_lb_shm_region_free(srs_lb_shm_region_t *r)
{
    if (!r) return;
    munmap(r->base, r->bytes);
    free(r);
}

size_t srs_lb_shm_region_bytes(const srs_lb_shm_region_t *r)
{
    return r ? r->bytes : 0;
}

static int64_t shm_now(lb_shm_t *self) { return srs_lb_now(self->clock); }

typedef struct {
    int64_t now;
    srs_utime_t ttl;
    bool found;
    int64_t oldest_at;
    char oldest[LB_ID_SIZE];
} silent_ctx_t;

static bool silent_visit(void *ctx, const char *key, const void *value, const srs_shm_meta_t *meta)
{
    SRS_UNUSED(meta);
    silent_ctx_t *c = (silent_ctx_t *)ctx;
    const srs_origin_t *o = &((const origin_value_t *)value)->origin;
    if (srs_lb_origin_alive(o, c->now, c->ttl)) return false;
    if (!c->found || o->updated_at < c->oldest_at) {
        c->found = true;
        c->oldest_at = o->updated_at;
        snprintf(c->oldest, sizeof(c->oldest), "%s", key);
    }
    return false;
}

/* PROXY_MAX_ORIGINS as the memory balancer has it (srs_lb_origin_room): a known origin always
 * refreshes; a new one in a full table takes the slot of the longest-silent dead origin, else it
 * is refused. Never the table's own least-recently-used eviction, which could drop a live origin. */
static srs_error_t shm_update(srs_lb_t *lb, const srs_origin_t *origin)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    char id[LB_ID_SIZE];
    srs_origin_id(origin, id, sizeof(id));
    srs_shm_table_t *t = self->r->t[T_ORIGINS];
    int64_t now = shm_now(self);

    origin_value_t v;
    memset(&v, 0, sizeof(v));
    v.origin = *origin;
    silent_ctx_t c;
    memset(&c, 0, sizeof(c));
    c.now = now;
    c.ttl = self->ttl;
    srs_error_t err = srs_success;
    srs_shm_table_lock(t);
    const origin_value_t *old = (const origin_value_t *)srs_shm_table_ref(t, id);
    bool fresh = !old;
    if (old) v.picks = old->picks;
    if (fresh && srs_shm_table_count(t) >= srs_shm_table_capacity(t)) {
        srs_shm_table_foreach(t, silent_visit, &c);
        if (c.found) srs_shm_table_remove(t, c.oldest, 0);
    }
    uint32_t total = srs_shm_table_count(t);
    if (fresh && total >= srs_shm_table_capacity(t)) {
        err = srs_error_new(ERROR_SYSTEM_LIMIT, "too many origins, %u live ones known (PROXY_MAX_ORIGINS)", total);
    } else {
        err = srs_shm_table_put(t, id, &v, 0, now);
        total = srs_shm_table_count(t);
    }
    srs_shm_table_unlock(t);
    if (err && fresh && total >= srs_shm_table_capacity(t)) srs_lb_stats()->refused_origins++;
    if (err) return srs_error_wrap(err, "register origin %s", id);
    if (c.found) srs_log_info("lb: forget dead origin %s for a new one, %u origins known", c.oldest, total);
    if (fresh) {
        char desc[512];
        srs_origin_describe(origin, desc, sizeof(desc));
        srs_log_limited(&self->log_limit, SRS_LOG_INFO, "lb: new origin %s, total %u", desc, total);
    }
    return srs_success;
}

/* Puts into a session-like table and counts, in this worker's srs_lb_stats, what the bound
 * evicted for it (each worker's /metrics shows its own; their sum is the table's). Locked. */
static srs_error_t put_counted(srs_shm_table_t *t, const char *key, const void *value, int32_t owner, int64_t now,
                               uint64_t *counter)
{
    uint64_t before = srs_shm_table_evictions(t);
    srs_error_t err = srs_shm_table_put(t, key, value, owner, now);
    *counter += srs_shm_table_evictions(t) - before;
    return err;
}

typedef struct {
    int64_t now;
    srs_utime_t ttl;
    bool only_alive;
    size_t alive, total, k;
    bool found;
    char id[LB_ID_SIZE];
    srs_origin_t chosen;
} pick_ctx_t;

static bool count_visit(void *ctx, const char *key, const void *value, const srs_shm_meta_t *meta)
{
    SRS_UNUSED(key);
    SRS_UNUSED(meta);
    pick_ctx_t *c = (pick_ctx_t *)ctx;
    c->total++;
    if (srs_lb_origin_alive(&((const origin_value_t *)value)->origin, c->now, c->ttl)) c->alive++;
    return false;
}

static bool nth_visit(void *ctx, const char *key, const void *value, const srs_shm_meta_t *meta)
{
    SRS_UNUSED(meta);
    pick_ctx_t *c = (pick_ctx_t *)ctx;
    const srs_origin_t *o = &((const origin_value_t *)value)->origin;
    if (c->found || (c->only_alive && !srs_lb_origin_alive(o, c->now, c->ttl))) return false;
    if (c->k-- == 0) {
        c->found = true;
        c->chosen = *o;
        snprintf(c->id, sizeof(c->id), "%s", key);
    }
    return false;
}

/* Both tables locked (origins, then picked), so two workers picking a new stream at the same
 * instant agree on its origin. */
static srs_error_t shm_pick(srs_lb_t *lb, const char *stream_url, srs_origin_t *out)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    srs_shm_table_t *to = self->r->t[T_ORIGINS], *tp = self->r->t[T_PICKED];
    int64_t now = shm_now(self);
    srs_error_t err = srs_success;
    char moved_from[LB_ID_SIZE] = "";

    srs_shm_table_lock(to);
    srs_shm_table_lock(tp);
    picked_value_t sticky_id;
    origin_value_t *sticky = NULL;
    if (srs_shm_table_get(tp, stream_url, &sticky_id, NULL, now, srs_lb_limits()->pick_idle, true)) {
        sticky = (origin_value_t *)srs_shm_table_ref(to, sticky_id.origin_id);
    }
    if (sticky && srs_lb_origin_alive(&sticky->origin, now, self->ttl)) {
        *out = sticky->origin;
        sticky->picks++;
        goto done;
    }
    pick_ctx_t c;
    memset(&c, 0, sizeof(c));
    c.now = now;
    c.ttl = self->ttl;
    srs_shm_table_foreach(to, count_visit, &c);
    if (!c.alive && sticky) {
        *out = sticky->origin;
        sticky->picks++;
        goto done;
    }
    size_t total = c.alive ? c.alive : c.total;
    if (!total) {
        err = srs_error_new(ERROR_ORIGIN_NONE, "no server available for %s", stream_url);
        goto done;
    }
    c.only_alive = c.alive > 0;
    c.k = (size_t)(srs_random_u64() % total);
    srs_shm_table_foreach(to, nth_visit, &c);
    if (!c.found) {
        err = srs_error_new(ERROR_ORIGIN_NONE, "no server available for %s", stream_url);
        goto done;
    }
    if (sticky) snprintf(moved_from, sizeof(moved_from), "%s", sticky_id.origin_id);
    picked_value_t pv;
    memset(&pv, 0, sizeof(pv));
    snprintf(pv.origin_id, sizeof(pv.origin_id), "%s", c.id);
    /* A stream URL too long for the table is still served, only not sticky. */
    srs_error_t perr = put_counted(tp, stream_url, &pv, 0, now, &srs_lb_stats()->evicted_picks);
    srs_error_free(perr);
    origin_value_t *chosen = (origin_value_t *)srs_shm_table_ref(to, c.id);
    if (chosen) chosen->picks++;
    *out = c.chosen;
done:
    srs_shm_table_unlock(tp);
    srs_shm_table_unlock(to);
    if (!err && moved_from[0]) {
        srs_log_limited(&self->log_limit, SRS_LOG_INFO, "lb: move %s from expired origin %s", stream_url, moved_from);
    }
    return err;
}

static srs_error_t fit(const char *what, const char *s, size_t size)
{
    if (strlen(s) >= size) return srs_error_new(ERROR_SYSTEM_LIMIT, "%s of %zu bytes, max %zu", what, strlen(s), size - 1);
    return srs_success;
}

static srs_error_t shm_store_hls(srs_lb_t *lb, const char *stream_url, const char *spbhid, const char *full_url)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    srs_error_t err;
    if ((err = fit("spbhid", spbhid, LB_SPBHID_SIZE)) != srs_success) return err;
    if ((err = fit("stream URL", stream_url, LB_URL_SIZE)) != srs_success) return err;
    if ((err = fit("HLS URL", full_url, LB_FULL_URL_SIZE)) != srs_success) return err;
    hls_stream_value_t sv;
    hls_session_value_t ss;
    memset(&sv, 0, sizeof(sv));
    memset(&ss, 0, sizeof(ss));
    snprintf(sv.spbhid, sizeof(sv.spbhid), "%s", spbhid);
    snprintf(ss.stream_url, sizeof(ss.stream_url), "%s", stream_url);
    snprintf(ss.full_url, sizeof(ss.full_url), "%s", full_url);
    int64_t now = shm_now(self);
    srs_shm_table_t *ts = self->r->t[T_HLS_STREAMS], *tx = self->r->t[T_HLS_SESSIONS];
    srs_shm_table_lock(ts);
    srs_shm_table_lock(tx);
    err = put_counted(ts, stream_url, &sv, 0, now, &srs_lb_stats()->evicted_sessions);
    if (!err) err = put_counted(tx, spbhid, &ss, 0, now, &srs_lb_stats()->evicted_sessions);
    srs_shm_table_unlock(tx);
    srs_shm_table_unlock(ts);
    return err;
}

static srs_error_t shm_load_hls_by_spbhid(srs_lb_t *lb, const char *spbhid, char *stream_url, size_t su_size,
                                          char *full_url, size_t fu_size)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    int64_t now = shm_now(self);
    srs_shm_table_t *ts = self->r->t[T_HLS_STREAMS], *tx = self->r->t[T_HLS_SESSIONS];
    hls_session_value_t ss;
    srs_shm_table_lock(ts);
    srs_shm_table_lock(tx);
    bool found = strlen(spbhid) < LB_SPBHID_SIZE && srs_shm_table_get(tx, spbhid, &ss, NULL, now, SRS_LB_HLS_ALIVE, true);
    if (found) {
        /* Segments keep the stream's playlist session alive too, when it is this one. */
        hls_stream_value_t *sv = (hls_stream_value_t *)srs_shm_table_ref(ts, ss.stream_url);
        srs_shm_meta_t meta;
        if (sv && !strcmp(sv->spbhid, spbhid)) srs_shm_table_get(ts, ss.stream_url, NULL, &meta, now, 0, true);
    }
    srs_shm_table_unlock(tx);
    srs_shm_table_unlock(ts);
    if (!found) return srs_error_new(ERROR_SESSION_NOT_FOUND, "no HLS streaming for SPBHID %s", spbhid);
    srs_error_t err = srs_lb_copy_out(stream_url, su_size, ss.stream_url);
    if (!err) err = srs_lb_copy_out(full_url, fu_size, ss.full_url);
    return err;
}

static srs_error_t shm_load_hls_by_stream(srs_lb_t *lb, const char *stream_url, char *spbhid, size_t size)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    int64_t now = shm_now(self);
    srs_shm_table_t *ts = self->r->t[T_HLS_STREAMS], *tx = self->r->t[T_HLS_SESSIONS];
    hls_stream_value_t sv;
    srs_shm_table_lock(ts);
    srs_shm_table_lock(tx);
    bool found = strlen(stream_url) < LB_URL_SIZE && srs_shm_table_get(ts, stream_url, &sv, NULL, now, SRS_LB_HLS_ALIVE, true);
    /* The session the spbhid names must live as long as the stream reuses it. */
    if (found && !srs_shm_table_get(tx, sv.spbhid, NULL, NULL, now, SRS_LB_HLS_ALIVE, true)) {
        srs_shm_table_remove(ts, stream_url, 0);
        found = false;
    }
    srs_shm_table_unlock(tx);
    srs_shm_table_unlock(ts);
    if (!found) return srs_error_new(ERROR_SESSION_NOT_FOUND, "no HLS streaming for %s", stream_url);
    return srs_lb_copy_out(spbhid, size, sv.spbhid);
}

static srs_error_t shm_store_rtc(srs_lb_t *lb, const char *stream_url, const char *ufrag, const char *ice_pwd)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    srs_error_t err;
    if ((err = fit("ufrag", ufrag, LB_UFRAG_SIZE)) != srs_success) return err;
    if ((err = fit("stream URL", stream_url, LB_URL_SIZE)) != srs_success) return err;
    if ((err = fit("ICE password", ice_pwd ? ice_pwd : "", LB_PWD_SIZE)) != srs_success) return err;
    rtc_value_t v;
    memset(&v, 0, sizeof(v));
    snprintf(v.stream_url, sizeof(v.stream_url), "%s", stream_url);
    snprintf(v.pwd, sizeof(v.pwd), "%s", ice_pwd ? ice_pwd : "");
    srs_shm_table_t *t = self->r->t[T_RTC];
    srs_shm_table_lock(t);
    err = put_counted(t, ufrag, &v, (int32_t)getpid(), shm_now(self), &srs_lb_stats()->evicted_sessions);
    srs_shm_table_unlock(t);
    return err;
}

static srs_error_t shm_load_rtc_by_ufrag(srs_lb_t *lb, const char *ufrag, char *stream_url, size_t size, char *pwd,
                                         size_t pwd_size)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    rtc_value_t v;
    srs_shm_meta_t meta;
    srs_shm_table_t *t = self->r->t[T_RTC];
    srs_shm_table_lock(t);
    bool found = strlen(ufrag) < LB_UFRAG_SIZE && srs_shm_table_get(t, ufrag, &v, &meta, shm_now(self), SRS_LB_RTC_ALIVE, true);
    srs_shm_table_unlock(t);
    /* Deleted through another worker: nobody adopts it. */
    if (found && meta.owner == LB_OWNER_DELETED) found = false;
    if (!found) return srs_error_new(ERROR_SESSION_NOT_FOUND, "no WebRTC streaming for ufrag %s", ufrag);
    srs_error_t err = pwd ? srs_lb_copy_out(pwd, pwd_size, v.pwd) : srs_success;
    if (err) return err;
    return srs_lb_copy_out(stream_url, size, v.stream_url);
}

/* Only one's own entry: a session another worker took lives on there. */
static srs_error_t shm_remove_rtc(srs_lb_t *lb, const char *ufrag)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    if (strlen(ufrag) >= LB_UFRAG_SIZE) return srs_success;
    srs_shm_table_t *t = self->r->t[T_RTC];
    srs_shm_table_lock(t);
    srs_shm_table_remove(t, ufrag, (int32_t)getpid());
    srs_shm_table_unlock(t);
    return srs_success;
}

typedef struct {
    int64_t now;
    int64_t forget;
    srs_shm_table_t *origins;
    size_t forgotten;
} forget_ctx_t;

static bool forget_visit(void *ctx, const char *key, const void *value, const srs_shm_meta_t *meta)
{
    SRS_UNUSED(key);
    SRS_UNUSED(meta);
    forget_ctx_t *c = (forget_ctx_t *)ctx;
    bool drop = c->now - ((const origin_value_t *)value)->origin.updated_at >= c->forget;
    if (drop) c->forgotten++;
    return drop;
}

static bool orphan_pick_visit(void *ctx, const char *key, const void *value, const srs_shm_meta_t *meta)
{
    SRS_UNUSED(key);
    SRS_UNUSED(meta);
    forget_ctx_t *c = (forget_ctx_t *)ctx;
    return !srs_shm_table_ref(c->origins, ((const picked_value_t *)value)->origin_id);
}

static void shm_sweep(srs_lb_t *lb)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    srs_lb_shm_region_t *r = self->r;
    int64_t now = shm_now(self);
    srs_shm_table_lock(r->t[T_HLS_STREAMS]);
    srs_shm_table_sweep(r->t[T_HLS_STREAMS], now, SRS_LB_HLS_ALIVE);
    srs_shm_table_unlock(r->t[T_HLS_STREAMS]);
    srs_shm_table_lock(r->t[T_HLS_SESSIONS]);
    srs_shm_table_sweep(r->t[T_HLS_SESSIONS], now, SRS_LB_HLS_ALIVE);
    srs_shm_table_unlock(r->t[T_HLS_SESSIONS]);
    srs_shm_table_lock(r->t[T_RTC]);
    srs_shm_table_sweep(r->t[T_RTC], now, SRS_LB_RTC_ALIVE);
    srs_shm_table_unlock(r->t[T_RTC]);
    srs_shm_table_lock(r->t[T_RTC_TOKENS]);
    srs_shm_table_sweep(r->t[T_RTC_TOKENS], now, SRS_LB_RTC_ALIVE);
    srs_shm_table_unlock(r->t[T_RTC_TOKENS]);

    /* A TTL of centuries must not overflow into "forget everything". */
    forget_ctx_t c = {now, self->ttl > INT64_MAX / SRS_LB_ORIGIN_FORGET_TTLS ? INT64_MAX : SRS_LB_ORIGIN_FORGET_TTLS * self->ttl,
                      r->t[T_ORIGINS], 0};
    srs_shm_table_lock(r->t[T_ORIGINS]);
    srs_shm_table_lock(r->t[T_PICKED]);
    srs_shm_table_foreach(r->t[T_ORIGINS], forget_visit, &c);
    /* Picks of forgotten origins would only be re-picked anyway; idle ones expire. */
    srs_shm_table_foreach(r->t[T_PICKED], orphan_pick_visit, &c);
    srs_shm_table_sweep(r->t[T_PICKED], now, srs_lb_limits()->pick_idle);
    srs_shm_table_unlock(r->t[T_PICKED]);
    srs_shm_table_unlock(r->t[T_ORIGINS]);
    if (c.forgotten) srs_log_info("lb: forgot %zu origins silent for %d TTLs", c.forgotten, SRS_LB_ORIGIN_FORGET_TTLS);
}

typedef struct {
    origin_value_t *rows;
    size_t n, cap;
} origin_copy_t;

static bool copy_visit(void *ctx, const char *key, const void *value, const srs_shm_meta_t *meta)
{
    SRS_UNUSED(key);
    SRS_UNUSED(meta);
    origin_copy_t *c = (origin_copy_t *)ctx;
    if (c->n < c->cap) c->rows[c->n++] = *(const origin_value_t *)value;
    return false;
}

/* Copied out under the lock, visited after it: fn may take as long as it likes. */
static void copy_origins(lb_shm_t *self, origin_copy_t *c)
{
    srs_shm_table_t *t = self->r->t[T_ORIGINS];
    c->n = 0;
    c->cap = srs_shm_table_capacity(t);
    c->rows = (origin_value_t *)malloc(c->cap * sizeof(*c->rows));
    if (!c->rows) abort();
    srs_shm_table_lock(t);
    srs_shm_table_foreach(t, copy_visit, c);
    srs_shm_table_unlock(t);
}

static void shm_foreach_origin(srs_lb_t *lb, void (*fn)(void *ctx, const srs_origin_t *o, bool alive), void *ctx)
{
    lb_shm_t *self = (lb_shm_t *)lb;
    origin_copy_t c;
    copy_origins(self, &c);
    int64_t now = shm_now(self);
    for (size_t i = 0; i < c.n; i++) fn(ctx, &c.rows[i].origin, srs_lb_origin_alive(&c.rows[i].origin, now, self->ttl));
    free(c.rows);
}

static void shm_free(srs_lb_t *lb)
{
    free(lb);
}

static const srs_lb_vtable_t lb_shm_vtable = {
    .update = shm_update,
    .pick = shm_pick,
    .store_hls = shm_store_hls,
    .load_hls_by_spbhid = shm_load_hls_by_spbhid,
    .load_hls_by_stream = shm_load_hls_by_stream,
    .store_rtc = shm_store_rtc,
    .load_rtc_by_ufrag = shm_load_rtc_by_ufrag,
    .remove_rtc = shm_remove_rtc,
    .sweep = shm_sweep,
    .foreach_origin = shm_foreach_origin,
    .free = shm_free,
};

srs_lb_t *srs_lb_shm_new(srs_lb_shm_region_t *r, srs_utime_t origin_ttl, srs_lb_clock_fn clock)
{
    lb_shm_t *self = (lb_shm_t *)calloc(1, sizeof(*self));
    if (!self) abort();
    self->base.vt = &lb_shm_vtable;
    self->r = r;
    self->ttl = origin_ttl > 0 ? origin_ttl : SRS_LB_ORIGIN_TTL_DEFAULT;
    self->clock = clock;
    self->log_limit = (srs_log_limit_t)SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);
    return &self->base;
}

bool srs_lb_is_shm(const srs_lb_t *lb)
{
    return lb && lb->vt == &lb_shm_vtable;
}

void srs_lb_shm_claim_rtc(srs_lb_t *lb, const char *ufrag)
{
    if (!srs_lb_is_shm(lb) || strlen(ufrag) >= LB_UFRAG_SIZE) return;
    srs_shm_table_t *t = ((lb_shm_t *)lb)->r->t[T_RTC];
    srs_shm_meta_t meta;
    srs_shm_table_lock(t);
    if (srs_shm_table_get(t, ufrag, NULL, &meta, 0, 0, false) && meta.owner != LB_OWNER_DELETED) {
        srs_shm_table_set_owner(t, ufrag, (int32_t)getpid());
    }
    srs_shm_table_unlock(t);
}

/* The token's look-up part, or false when it is not a token. */
static bool token_selector(const char *token, char *sel)
{
    if (!token || strlen(token) != LB_TOKEN_SIZE - 1) return false;
    memcpy(sel, token, LB_SELECTOR_LEN);
    sel[LB_SELECTOR_LEN] = 0;
    return true;
}

/* The session's directory entry (and its token's) stay alive while its owner holds it: the
 * owner's sweeper asks every half second and refreshes them here. */
bool srs_lb_shm_rtc_taken(srs_lb_t *lb, const char *ufrag, bool *deleted)
{
    if (deleted) *deleted = false;
    if (!srs_lb_is_shm(lb) || strlen(ufrag) >= LB_UFRAG_SIZE) return false;
    lb_shm_t *self = (lb_shm_t *)lb;
    srs_shm_table_t *t = self->r->t[T_RTC], *tt = self->r->t[T_RTC_TOKENS];
    int32_t me = (int32_t)getpid();
    int64_t now = shm_now(self);
    srs_shm_meta_t meta;
    char sel[LB_SELECTOR_LEN + 1];
    srs_shm_table_lock(t);
    srs_shm_table_lock(tt);
    bool found = srs_shm_table_get(t, ufrag, NULL, &meta, 0, 0, false);
    if (found && (meta.owner == me || !meta.owner)) {
        const rtc_value_t *v = (const rtc_value_t *)srs_shm_table_ref(t, ufrag);
        srs_shm_table_get(t, ufrag, NULL, NULL, now, 0, true);
        if (v && token_selector(v->token, sel)) srs_shm_table_get(tt, sel, NULL, NULL, now, 0, true);
    }
    srs_shm_table_unlock(tt);
    srs_shm_table_unlock(t);
    if (deleted) *deleted = found && meta.owner == LB_OWNER_DELETED;
    return found && meta.owner && meta.owner != me;
}

srs_error_t srs_lb_shm_rtc_set_delete(srs_lb_t *lb, const char *ufrag, const srs_lb_shm_rtc_delete_t *d)
{
    if (!srs_lb_is_shm(lb)) return srs_success;
    lb_shm_t *self = (lb_shm_t *)lb;
    srs_error_t err;
    char sel[LB_SELECTOR_LEN + 1];
    if ((err = fit("ufrag", ufrag, LB_UFRAG_SIZE)) != srs_success) return err;
    if ((err = fit("origin Location", d->origin_location, LB_LOCATION_SIZE)) != srs_success) return err;
    if ((err = fit("origin address", d->origin_ip, sizeof(((rtc_value_t *)0)->origin_ip))) != srs_success) return err;
    if (!token_selector(d->token, sel)) return srs_error_new(ERROR_SYSTEM_LIMIT, "not a session token");
    srs_shm_table_t *t = self->r->t[T_RTC], *tt = self->r->t[T_RTC_TOKENS];
    int64_t now = shm_now(self);
    rtc_value_t v;
    srs_shm_meta_t meta;
    rtc_token_value_t tv;
    memset(&tv, 0, sizeof(tv));
    snprintf(tv.ufrag, sizeof(tv.ufrag), "%s", ufrag);
    srs_shm_table_lock(t);
    srs_shm_table_lock(tt);
    if (!srs_shm_table_get(t, ufrag, &v, &meta, now, SRS_LB_RTC_ALIVE, false)) {
        err = srs_error_new(ERROR_SESSION_NOT_FOUND, "no WebRTC session %s in the shared directory", ufrag);
    } else {
        snprintf(v.token, sizeof(v.token), "%s", d->token);
        snprintf(v.origin_ip, sizeof(v.origin_ip), "%s", d->origin_ip);
        v.origin_api_port = d->origin_api_port;
        snprintf(v.origin_location, sizeof(v.origin_location), "%s", d->origin_location);
        err = srs_shm_table_put(t, ufrag, &v, meta.owner, now);
        if (!err) err = put_counted(tt, sel, &tv, 0, now, &srs_lb_stats()->evicted_sessions);
    }
    srs_shm_table_unlock(tt);
    srs_shm_table_unlock(t);
    return err;
}

static bool same_token(const char *a, const char *b)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < LB_TOKEN_SIZE - 1; i++) diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0 && !b[LB_TOKEN_SIZE - 1];
}

static void delete_out(const char *ufrag, const rtc_value_t *v, srs_lb_shm_rtc_delete_t *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->ufrag, sizeof(out->ufrag), "%s", ufrag);
    snprintf(out->token, sizeof(out->token), "%s", v->token);
    snprintf(out->origin_ip, sizeof(out->origin_ip), "%s", v->origin_ip);
    out->origin_api_port = v->origin_api_port;
    snprintf(out->origin_location, sizeof(out->origin_location), "%s", v->origin_location);
}

bool srs_lb_shm_rtc_find_delete(srs_lb_t *lb, const char *token, const char *session, srs_lb_shm_rtc_delete_t *out)
{
    char sel[LB_SELECTOR_LEN + 1];
    if (!srs_lb_is_shm(lb) || !token_selector(token, sel)) return false;
    lb_shm_t *self = (lb_shm_t *)lb;
    srs_shm_table_t *t = self->r->t[T_RTC], *tt = self->r->t[T_RTC_TOKENS];
    int64_t now = shm_now(self);
    rtc_token_value_t tv;
    rtc_value_t v;
    srs_shm_meta_t meta;
    srs_shm_table_lock(t);
    srs_shm_table_lock(tt);
    bool found = srs_shm_table_get(tt, sel, &tv, NULL, now, SRS_LB_RTC_ALIVE, false) &&
                 srs_shm_table_get(t, tv.ufrag, &v, &meta, now, SRS_LB_RTC_ALIVE, false) &&
                 meta.owner != LB_OWNER_DELETED;
    srs_shm_table_unlock(tt);
    srs_shm_table_unlock(t);
    /* The whole token, in constant time; a ?session= given must name this session. */
    if (!found || !same_token(token, v.token)) return false;
    if (session && session[0] && strcmp(session, tv.ufrag)) return false;
    delete_out(tv.ufrag, &v, out);
    return true;
}

bool srs_lb_shm_rtc_find_delete_by_ufrag(srs_lb_t *lb, const char *ufrag, srs_lb_shm_rtc_delete_t *out)
{
    if (!srs_lb_is_shm(lb) || strlen(ufrag) >= LB_UFRAG_SIZE) return false;
    lb_shm_t *self = (lb_shm_t *)lb;
    srs_shm_table_t *t = self->r->t[T_RTC];
    rtc_value_t v;
    srs_shm_meta_t meta;
    srs_shm_table_lock(t);
    bool found = srs_shm_table_get(t, ufrag, &v, &meta, shm_now(self), SRS_LB_RTC_ALIVE, false) &&
                 meta.owner != LB_OWNER_DELETED;
    srs_shm_table_unlock(t);
    if (!found) return false;
    delete_out(ufrag, &v, out);
    return true;
}

bool srs_lb_shm_rtc_mark_deleted(srs_lb_t *lb, const char *ufrag, const char *token)
{
    if (!srs_lb_is_shm(lb) || strlen(ufrag) >= LB_UFRAG_SIZE) return false;
    lb_shm_t *self = (lb_shm_t *)lb;
    srs_shm_table_t *t = self->r->t[T_RTC], *tt = self->r->t[T_RTC_TOKENS];
    char sel[LB_SELECTOR_LEN + 1];
    srs_shm_table_lock(t);
    srs_shm_table_lock(tt);
    const rtc_value_t *v = (const rtc_value_t *)srs_shm_table_ref(t, ufrag);
    /* The same session only: a new offer with these ufrags has another token. */
    bool same = v && token && (token[0] ? strlen(token) == LB_TOKEN_SIZE - 1 && same_token(token, v->token) : !v->token[0]);
    if (same) {
        srs_shm_table_set_owner(t, ufrag, LB_OWNER_DELETED);
        if (token[0] && token_selector(token, sel)) srs_shm_table_remove(tt, sel, 0);
    }
    srs_shm_table_unlock(tt);
    srs_shm_table_unlock(t);
    return same;
}

void srs_lb_shm_foreach_table(srs_lb_t *lb, void (*fn)(void *ctx, const char *table, uint32_t entries, uint32_t capacity,
                                                      uint64_t evictions), void *ctx)
{
    if (!srs_lb_is_shm(lb)) return;
    srs_lb_shm_region_t *r = ((lb_shm_t *)lb)->r;
    for (int i = 0; i < T_COUNT; i++) {
        fn(ctx, table_names[i], srs_shm_table_count(r->t[i]), srs_shm_table_capacity(r->t[i]), srs_shm_table_evictions(r->t[i]));
    }
}

void srs_lb_shm_foreach_picks(srs_lb_t *lb, void (*fn)(void *ctx, const char *origin_id, uint64_t picks), void *ctx)
{
    if (!srs_lb_is_shm(lb)) return;
    origin_copy_t c;
    copy_origins((lb_shm_t *)lb, &c);
    for (size_t i = 0; i < c.n; i++) {
        char id[LB_ID_SIZE];
        srs_origin_id(&c.rows[i].origin, id, sizeof(id));
        fn(ctx, id, c.rows[i].picks);
    }
    free(c.rows);
}

srs_error_t srs_lb_shm_sizes_from_limits(srs_lb_shm_sizes_t *out)
{
    const srs_lb_limits_t *l = srs_lb_limits();
    const size_t max = (size_t)1 << 30;
    if (l->max_origins > max || l->max_streams > max || l->max_sessions > max) {
        return srs_error_new(ERROR_SYSTEM_LIMIT, "shared tables of more than %zu entries (PROXY_MAX_ORIGINS, "
                             "PROXY_LB_MAX_STREAMS, PROXY_LB_MAX_SESSIONS)", max);
    }
    out->origins = (uint32_t)l->max_origins;
    out->streams = (uint32_t)l->max_streams;
    out->sessions = (uint32_t)l->max_sessions;
    return srs_success;
}

void srs_lb_shm_sizes(srs_lb_t *lb, srs_lb_memory_sizes_t *out)
{
    if (!srs_lb_is_shm(lb)) return;
    srs_lb_shm_region_t *r = ((lb_shm_t *)lb)->r;
    out->origins = srs_shm_table_count(r->t[T_ORIGINS]);
    out->picked = srs_shm_table_count(r->t[T_PICKED]);
    out->hls_streams = srs_shm_table_count(r->t[T_HLS_STREAMS]);
    out->hls_sessions = srs_shm_table_count(r->t[T_HLS_SESSIONS]);
    out->rtc_sessions = srs_shm_table_count(r->t[T_RTC]);
}
