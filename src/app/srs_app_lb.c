/* SPDX-License-Identifier: MIT */
#include "srs_app_lb.h"
#include "srs_core_log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int64_t srs_lb_now(srs_lb_clock_fn clock)
{
    return clock ? clock() : srs_time_now_wall();
}

bool srs_lb_origin_alive(const srs_origin_t *o, int64_t now, srs_utime_t ttl)
{
    return now - o->updated_at < ttl;
}

srs_error_t srs_lb_copy_out(char *dst, size_t size, const char *src)
{
    size_t len = strlen(src);
    if (len >= size) return srs_error_new(ERROR_SYSTEM_LIMIT, "%zu bytes do not fit in %zu", len + 1, size);
    memcpy(dst, src, len + 1);
    return srs_success;
}

static srs_lb_limits_t lb_limits = {SRS_LB_MAX_ORIGINS_DEFAULT, SRS_LB_MAX_STREAMS_DEFAULT, SRS_LB_MAX_SESSIONS_DEFAULT,
                                     SRS_LB_PICK_IDLE_DEFAULT};
static srs_lb_stats_t lb_stats;

void srs_lb_set_limits(const srs_lb_limits_t *limits)
{
    lb_limits.max_origins = limits->max_origins ? limits->max_origins : SRS_LB_MAX_ORIGINS_DEFAULT;
    lb_limits.max_streams = limits->max_streams ? limits->max_streams : SRS_LB_MAX_STREAMS_DEFAULT;
    lb_limits.max_sessions = limits->max_sessions ? limits->max_sessions : SRS_LB_MAX_SESSIONS_DEFAULT;
    lb_limits.pick_idle = limits->pick_idle > 0 ? limits->pick_idle : SRS_LB_PICK_IDLE_DEFAULT;
}

const srs_lb_limits_t *srs_lb_limits(void)
{
    return &lb_limits;
}

srs_lb_stats_t *srs_lb_stats(void)
{
    return &lb_stats;
}

void srs_lb_free(srs_lb_t *lb)
{
    if (lb) lb->vt->free(lb);
}

char *srs_lb_strdup(const char *s)
{
    char *p = strdup(s);
    if (!p) abort();
    return p;
}

void srs_lb_entry_free(srs_lb_entry_t *e)
{
    if (!e) return;
    free(e->value);
    free(e->extra);
    free(e);
}

/* The k-th smallest (0-based) of v[0..n), n > k: quickselect with a three-way partition (so
 * equal values, common in last-use times, cost no more than distinct ones), reordering v. */
static int64_t select_kth(int64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* [lo, hi) */
    while (hi - lo > 1) {
        int64_t pivot = v[lo + (hi - lo) / 2];
        size_t lt = lo, i = lo, gt = hi; /* [lo,lt) < pivot, [lt,i) == pivot, [gt,hi) > pivot */
        while (i < gt) {
            int64_t x = v[i];
            if (x < pivot) {
                v[i++] = v[lt];
                v[lt++] = x;
            } else if (x > pivot) {
                v[i] = v[--gt];
                v[gt] = x;
            } else {
                i++;
            }
        }
        if (k < lt) hi = lt;
        else if (k >= gt) lo = gt;
        else return pivot;
    }
    return v[k];
}

size_t srs_lb_entries_evict(srs_map_t *m, size_t keep)
{
    size_t n = srs_map_size(m);
    if (n <= keep) return 0;
    size_t drop = n - keep;
    int64_t *uses = (int64_t *)malloc(n * sizeof(*uses));
    if (!uses) abort();
    size_t i = 0;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, m); srs_map_iter_next(&it) && i < n;) uses[i++] = ((srs_lb_entry_t *)it.value)->last_use;
    int64_t cut = select_kth(uses, i, drop - 1);
    free(uses);

    /* Everything older than the cut, then entries at the cut until enough are gone. */
    size_t dropped = 0;
    for (int pass = 0; pass < 2 && dropped < drop; pass++) {
        for (srs_map_iter_init(&it, m); srs_map_iter_next(&it) && dropped < drop;) {
            int64_t use = ((srs_lb_entry_t *)it.value)->last_use;
            if (pass == 0 ? use < cut : use == cut) {
                srs_lb_entry_free((srs_lb_entry_t *)srs_map_iter_remove(&it));
                dropped++;
            }
        }
    }
    return dropped;
}

size_t srs_lb_entry_store_bounded(srs_map_t *m, const char *key, const char *value, const char *extra, int64_t now,
                                  size_t cap)
{
    size_t dropped = 0;
    if (cap && srs_map_size(m) >= cap && !srs_map_get(m, key)) {
        /* An eighth at once, so a full table costs O(1) per store on average. */
        size_t keep = cap - 1 - (cap - 1) / 8;
        dropped = srs_lb_entries_evict(m, keep);
    }
    srs_lb_entry_t *e = (srs_lb_entry_t *)calloc(1, sizeof(*e));
    if (!e) abort();
    e->value = srs_lb_strdup(value);
    e->extra = extra ? srs_lb_strdup(extra) : NULL;
    e->last_use = now;
    srs_lb_entry_free((srs_lb_entry_t *)srs_map_get(m, key));
    srs_map_set(m, key, e);
    return dropped;
}

void srs_lb_entry_store(srs_map_t *m, const char *key, const char *value, const char *extra, int64_t now)
{
    lb_stats.evicted_sessions += srs_lb_entry_store_bounded(m, key, value, extra, now, lb_limits.max_sessions);
}

srs_lb_entry_t *srs_lb_entry_load(srs_map_t *m, const char *key, int64_t now, srs_utime_t alive)
{
    srs_lb_entry_t *e = (srs_lb_entry_t *)srs_map_get(m, key);
    if (e && now - e->last_use >= alive) {
        srs_lb_entry_free((srs_lb_entry_t *)srs_map_remove(m, key));
        e = NULL;
    }
    if (e) e->last_use = now;
    return e;
}

void srs_lb_entries_sweep(srs_map_t *m, int64_t now, srs_utime_t alive)
{
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, m); srs_map_iter_next(&it);) {
        srs_lb_entry_t *e = (srs_lb_entry_t *)it.value;
        if (now - e->last_use >= alive) srs_lb_entry_free((srs_lb_entry_t *)srs_map_iter_remove(&it));
    }
}

void srs_lb_entries_free(srs_map_t *m)
{
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, m); srs_map_iter_next(&it);) srs_lb_entry_free((srs_lb_entry_t *)it.value);
    srs_map_free(m);
}

void srs_lb_forget_origins(srs_map_t *origins, srs_map_t *picks, srs_map_t *picked, int64_t now, srs_utime_t ttl)
{
    /* A TTL of centuries must not overflow into "forget everything". */
    srs_utime_t forget = ttl > INT64_MAX / SRS_LB_ORIGIN_FORGET_TTLS ? INT64_MAX : SRS_LB_ORIGIN_FORGET_TTLS * ttl;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, origins); srs_map_iter_next(&it);) {
        srs_origin_t *o = (srs_origin_t *)it.value;
        if (now - o->updated_at < forget) continue;
        srs_log_info("lb: forget origin %s, silent for %llds", it.key, (long long)((now - o->updated_at) / SRS_UTIME_SECONDS));
        if (picks) free(srs_map_remove(picks, it.key));
        free(srs_map_iter_remove(&it));
    }
    /* Picks of forgotten origins would only be re-picked anyway; idle ones expire. */
    for (srs_map_iter_init(&it, picked); srs_map_iter_next(&it);) {
        srs_lb_entry_t *e = (srs_lb_entry_t *)it.value;
        if (!srs_map_get(origins, e->value) || now - e->last_use >= lb_limits.pick_idle) {
            srs_lb_entry_free((srs_lb_entry_t *)srs_map_iter_remove(&it));
        }
    }
}

bool srs_lb_origin_room(srs_map_t *origins, srs_map_t *picks, const char *id, int64_t now, srs_utime_t ttl)
{
    if (srs_map_get(origins, id) || srs_map_size(origins) < lb_limits.max_origins) return true;
    char *oldest = NULL;
    int64_t oldest_at = 0;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, origins); srs_map_iter_next(&it);) {
        const srs_origin_t *o = (const srs_origin_t *)it.value;
        if (srs_lb_origin_alive(o, now, ttl)) continue;
        if (!oldest || o->updated_at < oldest_at) {
            free(oldest);
            oldest = srs_lb_strdup(it.key);
            oldest_at = o->updated_at;
        }
    }
    if (!oldest) {
        lb_stats.refused_origins++;
        return false;
    }
    srs_log_info("lb: forget dead origin %s for a new one, %zu origins known", oldest, srs_map_size(origins));
    free(srs_map_remove(origins, oldest));
    if (picks) free(srs_map_remove(picks, oldest));
    free(oldest);
    return true;
}
