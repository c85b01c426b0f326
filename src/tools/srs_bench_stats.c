/* SPDX-License-Identifier: MIT */
#include "srs_bench.h"

#include <cJSON.h>
#include <stdlib.h>

void srs_bench_stats_add_dtls(srs_bench_stats_t *s, double ms)
{
    if (s->dtls_count == s->dtls_cap) {
        s->dtls_cap = s->dtls_cap ? s->dtls_cap * 2 : 64;
        s->dtls_ms = (double *)realloc(s->dtls_ms, (size_t)s->dtls_cap * sizeof(double));
        if (!s->dtls_ms) abort();
    }
    s->dtls_ms[s->dtls_count++] = ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

char *srs_bench_stats_json(const srs_bench_stats_t *s, double seconds)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "players_started", s->players_started);
    cJSON_AddNumberToObject(o, "players_alive", s->players_alive);
    cJSON_AddNumberToObject(o, "players_failed", s->players_failed);
    cJSON_AddNumberToObject(o, "packets", (double)s->packets);
    cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
    cJSON_AddNumberToObject(o, "seconds", seconds);
    cJSON_AddNumberToObject(o, "bitrate_kbps", seconds > 0 ? (double)s->bytes * 8 / 1000 / seconds : 0);
    cJSON_AddNumberToObject(o, "lost", (double)s->lost);
    cJSON_AddNumberToObject(o, "frames", (double)s->frames);
    cJSON_AddNumberToObject(o, "loss_percent", s->expected ? 100.0 * (double)s->lost / (double)s->expected : 0);
    cJSON_AddNumberToObject(o, "jitter_ms", s->jitter_samples ? s->jitter_ms_sum / s->jitter_samples : 0);
    cJSON_AddNumberToObject(o, "published", (double)s->published);
    cJSON *d = cJSON_AddObjectToObject(o, "dtls_handshake_ms");
    if (s->dtls_count) {
        double *v = (double *)malloc((size_t)s->dtls_count * sizeof(double));
        if (!v) abort();
        for (int i = 0; i < s->dtls_count; i++) v[i] = s->dtls_ms[i];
        qsort(v, (size_t)s->dtls_count, sizeof(double), cmp_double);
        cJSON_AddNumberToObject(d, "min", v[0]);
        cJSON_AddNumberToObject(d, "median", v[s->dtls_count / 2]);
        cJSON_AddNumberToObject(d, "max", v[s->dtls_count - 1]);
        free(v);
    } else {
        cJSON_AddNumberToObject(d, "min", 0);
        cJSON_AddNumberToObject(d, "median", 0);
        cJSON_AddNumberToObject(d, "max", 0);
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}
