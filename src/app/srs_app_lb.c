/* SPDX-License-Identifier: MIT */
#include "srs_app_lb.h"
#include "srs_core_log.h"

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
