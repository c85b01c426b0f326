/* SPDX-License-Identifier: MIT */
/* The memory load balancer (spec §3.1), for one proxy. Unlike Go's, a sticky pick whose origin
 * died while another lives moves to a live one, and every table has an end (srs_lb_limits_t):
 * sessions expire after their last use and sticky picks after PROXY_LB_PICK_IDLE unused, each
 * table is capped (its least recently used eighth dropped when full), origins silent for
 * SRS_LB_ORIGIN_FORGET_TTLS TTLs are forgotten and at most PROXY_MAX_ORIGINS are known. */
#include "srs_app_lb.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_map.h"

#include <stdlib.h>
#include <string.h>

/* An origin id is "<server>-<service>-<pid>" of the fields' sizes. */
#define LB_ID_SIZE 400

typedef struct {
    srs_lb_t base;
    srs_utime_t ttl;
    srs_lb_clock_fn clock;
    srs_map_t *origins;       /* id → srs_origin_t* */
    srs_map_t *picked;        /* stream URL → srs_lb_entry_t* (origin id) */
    srs_map_t *hls_streams;   /* stream URL → srs_lb_entry_t* (spbhid) */
    srs_map_t *hls_sessions;  /* spbhid → srs_lb_entry_t* (stream URL, full URL) */
    srs_map_t *rtc_sessions;  /* ufrag → srs_lb_entry_t* (stream URL) */
    srs_map_t *picks;         /* origin id → uint64_t* picks (for metrics) */
    srs_log_limit_t log_limit;
} lb_memory_t;

static srs_error_t mem_update(srs_lb_t *lb, const srs_origin_t *origin)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    char id[LB_ID_SIZE];
    srs_origin_id(origin, id, sizeof(id));

    srs_origin_t *o = (srs_origin_t *)srs_map_get(self->origins, id);
    if (!o && !srs_lb_origin_room(self->origins, self->picks, id, srs_lb_now(self->clock), self->ttl)) {
        return srs_error_new(ERROR_SYSTEM_LIMIT, "too many origins, %zu live ones known (PROXY_MAX_ORIGINS)",
                             srs_map_size(self->origins));
    }
    if (!o) {
        o = (srs_origin_t *)malloc(sizeof(*o));
        if (!o) abort();
        srs_map_set(self->origins, id, o);
        char desc[512];
        srs_origin_describe(origin, desc, sizeof(desc));
        srs_log_limited(&self->log_limit, SRS_LOG_INFO, "lb: new origin %s, total %zu", desc, srs_map_size(self->origins));
    }
    *o = *origin;
    return srs_success;
}

/* The k-th origin (in map order) among the alive ones, or among all when only_alive is false. */
static srs_origin_t *nth_origin(lb_memory_t *self, size_t k, bool only_alive, int64_t now)
{
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) {
        srs_origin_t *o = (srs_origin_t *)it.value;
        if (only_alive && !srs_lb_origin_alive(o, now, self->ttl)) continue;
        if (k-- == 0) return o;
    }
    return NULL;
}

static size_t count_alive(lb_memory_t *self, int64_t now)
{
    size_t n = 0;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) {
        if (srs_lb_origin_alive((srs_origin_t *)it.value, now, self->ttl)) n++;
    }
    return n;
}

static void count_pick(lb_memory_t *self, const srs_origin_t *o)
{
    char id[LB_ID_SIZE];
    srs_origin_id(o, id, sizeof(id));
    uint64_t *n = (uint64_t *)srs_map_get(self->picks, id);
    if (!n) {
        n = (uint64_t *)calloc(1, sizeof(*n));
        if (!n) abort();
        srs_map_set(self->picks, id, n);
    }
    (*n)++;
}

static srs_error_t mem_pick(srs_lb_t *lb, const char *stream_url, srs_origin_t *out)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    int64_t now = srs_lb_now(self->clock);

    srs_lb_entry_t *pick = srs_lb_entry_load(self->picked, stream_url, now, srs_lb_limits()->pick_idle);
    const char *sticky_id = pick ? pick->value : NULL;
    srs_origin_t *sticky = sticky_id ? (srs_origin_t *)srs_map_get(self->origins, sticky_id) : NULL;
    if (sticky && srs_lb_origin_alive(sticky, now, self->ttl)) {
        *out = *sticky;
        count_pick(self, sticky);
        return srs_success;
    }

    /* Random among the alive ones; when none is alive, keep the sticky one, or else take any
     * registered one (Go's fall-back). */
    size_t alive = count_alive(self, now);
    if (!alive && sticky) {
        *out = *sticky;
        count_pick(self, sticky);
        return srs_success;
    }
    size_t total = alive ? alive : srs_map_size(self->origins);
    if (!total) return srs_error_new(ERROR_ORIGIN_NONE, "no server available for %s", stream_url);

    srs_origin_t *chosen = nth_origin(self, (size_t)(srs_random_u64() % total), alive > 0, now);
    char id[LB_ID_SIZE];
    srs_origin_id(chosen, id, sizeof(id));
    if (sticky) {
        srs_log_limited(&self->log_limit, SRS_LOG_INFO, "lb: move %s from expired origin %s to %s", stream_url, sticky_id, id);
    }
    *out = *chosen;
    /* The store may drop old picks (sticky_id among them): done with them. */
    srs_lb_stats()->evicted_picks += srs_lb_entry_store_bounded(self->picked, stream_url, id, NULL, now, srs_lb_limits()->max_streams);
    count_pick(self, chosen);
    return srs_success;
}

static srs_error_t mem_store_hls(srs_lb_t *lb, const char *stream_url, const char *spbhid, const char *full_url)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    int64_t now = srs_lb_now(self->clock);
    /* A replaced spbhid keeps its own session until it expires, so its players go on. */
    srs_lb_entry_store(self->hls_streams, stream_url, spbhid, NULL, now);
    srs_lb_entry_store(self->hls_sessions, spbhid, stream_url, full_url, now);
    return srs_success;
}

static srs_error_t mem_load_hls_by_spbhid(srs_lb_t *lb, const char *spbhid, char *stream_url, size_t su_size,
                                          char *full_url, size_t fu_size)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    int64_t now = srs_lb_now(self->clock);
    srs_lb_entry_t *e = srs_lb_entry_load(self->hls_sessions, spbhid, now, SRS_LB_HLS_ALIVE);
    if (!e) return srs_error_new(ERROR_SESSION_NOT_FOUND, "no HLS streaming for SPBHID %s", spbhid);

    /* Segments keep the stream's playlist session alive too, when it is this one. */
    srs_lb_entry_t *stream = (srs_lb_entry_t *)srs_map_get(self->hls_streams, e->value);
    if (stream && strcmp(stream->value, spbhid) == 0) stream->last_use = now;

    srs_error_t err = srs_lb_copy_out(stream_url, su_size, e->value);
    if (!err) err = srs_lb_copy_out(full_url, fu_size, e->extra);
    return err;
}

static srs_error_t mem_load_hls_by_stream(srs_lb_t *lb, const char *stream_url, char *spbhid, size_t size)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    int64_t now = srs_lb_now(self->clock);
    srs_lb_entry_t *e = srs_lb_entry_load(self->hls_streams, stream_url, now, SRS_LB_HLS_ALIVE);
    if (!e) return srs_error_new(ERROR_SESSION_NOT_FOUND, "no HLS streaming for %s", stream_url);

    /* The session the spbhid names must live as long as the stream reuses it. */
    srs_lb_entry_t *session = srs_lb_entry_load(self->hls_sessions, e->value, now, SRS_LB_HLS_ALIVE);
    if (!session) {
        srs_lb_entry_free((srs_lb_entry_t *)srs_map_remove(self->hls_streams, stream_url));
        return srs_error_new(ERROR_SESSION_NOT_FOUND, "no HLS streaming for %s", stream_url);
    }
    return srs_lb_copy_out(spbhid, size, e->value);
}

static srs_error_t mem_store_rtc(srs_lb_t *lb, const char *stream_url, const char *ufrag, const char *ice_pwd)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    srs_lb_entry_store(self->rtc_sessions, ufrag, stream_url, ice_pwd, srs_lb_now(self->clock));
    return srs_success;
}

static srs_error_t mem_load_rtc_by_ufrag(srs_lb_t *lb, const char *ufrag, char *stream_url, size_t size, char *pwd,
                                         size_t pwd_size)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    srs_lb_entry_t *e = srs_lb_entry_load(self->rtc_sessions, ufrag, srs_lb_now(self->clock), SRS_LB_RTC_ALIVE);
    if (!e) return srs_error_new(ERROR_SESSION_NOT_FOUND, "no WebRTC streaming for ufrag %s", ufrag);
    srs_error_t err = pwd ? srs_lb_copy_out(pwd, pwd_size, e->extra ? e->extra : "") : srs_success;
    if (err) return err;
    return srs_lb_copy_out(stream_url, size, e->value);
}

static srs_error_t mem_remove_rtc(srs_lb_t *lb, const char *ufrag)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    srs_lb_entry_free((srs_lb_entry_t *)srs_map_remove(self->rtc_sessions, ufrag));
    return srs_success;
}

static void mem_sweep(srs_lb_t *lb)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    int64_t now = srs_lb_now(self->clock);
    srs_lb_entries_sweep(self->hls_streams, now, SRS_LB_HLS_ALIVE);
    srs_lb_entries_sweep(self->hls_sessions, now, SRS_LB_HLS_ALIVE);
    srs_lb_entries_sweep(self->rtc_sessions, now, SRS_LB_RTC_ALIVE);

    srs_lb_forget_origins(self->origins, self->picks, self->picked, now, self->ttl);
}

static void mem_foreach_origin(srs_lb_t *lb, void (*fn)(void *ctx, const srs_origin_t *o, bool alive), void *ctx)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    int64_t now = srs_lb_now(self->clock);
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) {
        const srs_origin_t *o = (const srs_origin_t *)it.value;
        fn(ctx, o, srs_lb_origin_alive(o, now, self->ttl));
    }
}

static void mem_free(srs_lb_t *lb)
{
    lb_memory_t *self = (lb_memory_t *)lb;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) free(it.value);
    srs_map_free(self->origins);
    srs_lb_entries_free(self->picked);
    srs_lb_entries_free(self->hls_streams);
    srs_lb_entries_free(self->hls_sessions);
    srs_lb_entries_free(self->rtc_sessions);
    for (srs_map_iter_init(&it, self->picks); srs_map_iter_next(&it);) free(it.value);
    srs_map_free(self->picks);
    free(self);
}

static const srs_lb_vtable_t lb_memory_vtable = {
    .update = mem_update,
    .pick = mem_pick,
    .store_hls = mem_store_hls,
    .load_hls_by_spbhid = mem_load_hls_by_spbhid,
    .load_hls_by_stream = mem_load_hls_by_stream,
    .store_rtc = mem_store_rtc,
    .load_rtc_by_ufrag = mem_load_rtc_by_ufrag,
    .remove_rtc = mem_remove_rtc,
    .sweep = mem_sweep,
    .foreach_origin = mem_foreach_origin,
    .free = mem_free,
};

srs_lb_t *srs_lb_memory_new(srs_utime_t origin_ttl, srs_lb_clock_fn clock)
{
    lb_memory_t *self = (lb_memory_t *)calloc(1, sizeof(*self));
    if (!self) abort();
    self->base.vt = &lb_memory_vtable;
    self->ttl = origin_ttl > 0 ? origin_ttl : SRS_LB_ORIGIN_TTL_DEFAULT;
    self->clock = clock;
    self->origins = srs_map_new();
    self->picked = srs_map_new();
    self->hls_streams = srs_map_new();
    self->hls_sessions = srs_map_new();
    self->rtc_sessions = srs_map_new();
    self->picks = srs_map_new();
    self->log_limit = (srs_log_limit_t)SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);
    return &self->base;
}

void srs_lb_memory_sizes(srs_lb_t *lb, srs_lb_memory_sizes_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!lb || lb->vt != &lb_memory_vtable) return;
    lb_memory_t *self = (lb_memory_t *)lb;
    out->origins = srs_map_size(self->origins);
    out->picked = srs_map_size(self->picked);
    out->hls_streams = srs_map_size(self->hls_streams);
    out->hls_sessions = srs_map_size(self->hls_sessions);
    out->rtc_sessions = srs_map_size(self->rtc_sessions);
}

void srs_lb_memory_foreach_picks(srs_lb_t *lb, void (*fn)(void *ctx, const char *origin_id, uint64_t picks), void *ctx)
{
    if (!lb || lb->vt != &lb_memory_vtable) return;
    lb_memory_t *self = (lb_memory_t *)lb;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->picks); srs_map_iter_next(&it);) fn(ctx, it.key, *(const uint64_t *)it.value);
}
