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

void srs_lb_entry_store(srs_map_t *m, const char *key, const char *value, const char *extra, int64_t now)
{
    srs_lb_entry_t *e = (srs_lb_entry_t *)calloc(1, sizeof(*e));
    if (!e) abort();
    e->value = srs_lb_strdup(value);
    e->extra = extra ? srs_lb_strdup(extra) : NULL;
    e->last_use = now;
    srs_lb_entry_free((srs_lb_entry_t *)srs_map_get(m, key));
    srs_map_set(m, key, e);
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
    /* Picks of forgotten origins would only be re-picked anyway. */
    for (srs_map_iter_init(&it, picked); srs_map_iter_next(&it);) {
        if (!srs_map_get(origins, (const char *)it.value)) free(srs_map_iter_remove(&it));
    }
}
