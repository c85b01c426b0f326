/* SPDX-License-Identifier: MIT */
#include "srs_app_pprof_goroutine.h"
#include "srs_app_pprof.h"
#include "srs_app_pprof_symbol.h"
#include "srs_core_log.h"

#include <stdlib.h>
#include <string.h>

size_t srs_pprof_coroutines_snapshot(srs_pprof_coroutine_t **out)
{
    size_t cap = (size_t)srs_coroutine_registry_count(), n = 0;
    srs_pprof_coroutine_t *cos = (srs_pprof_coroutine_t *)calloc(cap ? cap : 1, sizeof(*cos));
    if (!cos) abort();
    srs_utime_t now = srs_time_now();
    for (srs_coroutine_t *co = srs_coroutine_registry_first(); co && n < cap; co = co->next) {
        srs_pprof_coroutine_t *c = &cos[n++];
        memcpy(c->name, co->name, sizeof(c->name));
        c->name[sizeof(c->name) - 1] = '\0';
        memcpy(c->cid, co->cid.id, sizeof(c->cid));
        c->cid[sizeof(c->cid) - 1] = '\0';
        c->state = co->state;
        c->in_state = now - co->state_since;
        c->age = now - co->started_at;
        c->cycle = (uint64_t)(uintptr_t)co->cycle;
        c->created_by = (uint64_t)(uintptr_t)co->created_by;
    }
    *out = cos;
    return n;
}

/* Group order: by name, then cycle, then creator; equal keys are one group. */
static int compare_key(const void *a, const void *b, void *ctx)
{
    const srs_pprof_coroutine_t *cos = (const srs_pprof_coroutine_t *)ctx;
    const srs_pprof_coroutine_t *x = &cos[*(const size_t *)a], *y = &cos[*(const size_t *)b];
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (x->cycle != y->cycle) return x->cycle < y->cycle ? -1 : 1;
    if (x->created_by != y->created_by) return x->created_by < y->created_by ? -1 : 1;
    return 0;
}

static bool same_group(const srs_pprof_coroutine_t *x, const srs_pprof_coroutine_t *y)
{
    return !strcmp(x->name, y->name) && x->cycle == y->cycle && x->created_by == y->created_by;
}

typedef struct {
    size_t first; /* index into the sorted order */
    size_t count;
} group_t;

/* Biggest groups first, as Go sorts its counts. */
static int compare_group(const void *a, const void *b)
{
    const group_t *x = (const group_t *)a, *y = (const group_t *)b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : (x->first > y->first);
}

static void put_symbol(srs_strbuf_t *out, srs_pprof_goroutine_symbolize_fn symbolize, uint64_t addr, bool with_offset)
{
    const char *name = NULL;
    uint64_t off = 0;
    if (symbolize && symbolize(addr, &name, &off)) {
        if (with_offset) srs_strbuf_printf(out, "%s+0x%llx", name, (unsigned long long)off);
        else srs_strbuf_puts(out, name);
    } else {
        srs_strbuf_printf(out, "0x%llx", (unsigned long long)addr);
    }
}

static void put_duration(srs_strbuf_t *out, srs_utime_t us)
{
    if (us < 0) us = 0;
    srs_strbuf_printf(out, "%lld.%03llds", (long long)(us / SRS_UTIME_SECONDS),
                      (long long)(us % SRS_UTIME_SECONDS / SRS_UTIME_MILLISECONDS));
}

static void render_blocks(const srs_pprof_coroutine_t *cos, size_t n, srs_pprof_goroutine_symbolize_fn symbolize,
                          srs_strbuf_t *out)
{
    for (size_t i = 0; i < n; i++) {
        const srs_pprof_coroutine_t *c = &cos[i];
        srs_strbuf_printf(out, "coroutine %zu [%s, ", i + 1, srs_co_state_name(c->state));
        put_duration(out, c->in_state);
        srs_strbuf_printf(out, "]:\n\tname:       %s\n\tcid:        %s\n\tage:        ", c->name, c->cid);
        put_duration(out, c->age);
        srs_strbuf_puts(out, "\n\tcycle:      ");
        put_symbol(out, symbolize, c->cycle, false);
        srs_strbuf_puts(out, "\n\tcreated by: ");
        /* A return address: its call instruction is just before it. */
        put_symbol(out, symbolize, c->created_by ? c->created_by - 1 : 0, true);
        srs_strbuf_puts(out, "\n\n");
    }
}

static void render_groups(const srs_pprof_coroutine_t *cos, size_t n, int debug, srs_pprof_goroutine_symbolize_fn symbolize,
                          const char *maps, srs_strbuf_t *out)
{
    size_t *order = (size_t *)malloc((n ? n : 1) * sizeof(*order));
    group_t *groups = (group_t *)malloc((n ? n : 1) * sizeof(*groups));
    if (!order || !groups) abort();
    for (size_t i = 0; i < n; i++) order[i] = i;
    qsort_r(order, n, sizeof(*order), compare_key, (void *)cos);
    size_t ngroups = 0;
    for (size_t i = 0; i < n; i++) {
        if (ngroups && same_group(&cos[order[groups[ngroups - 1].first]], &cos[order[i]])) {
            groups[ngroups - 1].count++;
        } else {
            groups[ngroups].first = i;
            groups[ngroups].count = 1;
            ngroups++;
        }
    }
    qsort(groups, ngroups, sizeof(*groups), compare_group);

    srs_strbuf_printf(out, "goroutine profile: total %zu\n", n);
    for (size_t g = 0; g < ngroups; g++) {
        const srs_pprof_coroutine_t *c = &cos[order[groups[g].first]];
        /* pprof steps every address back by one, into a call: the cycle's entry takes + 1. */
        srs_strbuf_printf(out, "%zu @ 0x%llx 0x%llx\n", groups[g].count, (unsigned long long)(c->cycle + 1),
                          (unsigned long long)c->created_by);
        if (debug < 1) continue;
        srs_strbuf_printf(out, "# labels: {\"name\":\"%s\"}\n# states:", c->name);
        /* How many of the group are in each state. */
        for (int s = SRS_CO_CREATED; s <= SRS_CO_DONE; s++) {
            size_t k = 0;
            for (size_t i = 0; i < groups[g].count; i++) k += cos[order[groups[g].first + i]].state == (srs_co_state_t)s;
            if (k) srs_strbuf_printf(out, " %zu %s;", k, srs_co_state_name((srs_co_state_t)s));
        }
        srs_strbuf_printf(out, "\n#\t0x%llx\t", (unsigned long long)c->cycle);
        put_symbol(out, symbolize, c->cycle, true);
        srs_strbuf_printf(out, "\n#\t0x%llx\t", (unsigned long long)(c->created_by ? c->created_by - 1 : 0));
        put_symbol(out, symbolize, c->created_by ? c->created_by - 1 : 0, true);
        srs_strbuf_puts(out, "\n\n");
    }
    if (maps) {
        srs_strbuf_puts(out, "\n--- Memory map: ---\n");
        srs_strbuf_puts(out, maps);
    }
    free(order);
    free(groups);
}

void srs_pprof_goroutine_render(const srs_pprof_coroutine_t *cos, size_t n, int debug,
                                srs_pprof_goroutine_symbolize_fn symbolize, const char *maps, srs_strbuf_t *out)
{
    if (debug >= 2) render_blocks(cos, n, symbolize, out);
    else render_groups(cos, n, debug, symbolize, maps, out);
}

srs_error_t srs_pprof_serve_goroutine(srs_http_conn_t *c, const srs_http_request_t *req)
{
    int64_t debug = srs_pprof_query_int(req, "debug", 0);
    srs_pprof_coroutine_t *cos = NULL;
    size_t n = srs_pprof_coroutines_snapshot(&cos);
    srs_strbuf_t maps = {0}, out = {0};
    if (debug <= 0) srs_error_free(srs_pprof_read_proc_file("/proc/self/maps", &maps));
    srs_pprof_goroutine_render(cos, n, (int)SRS_MIN(debug, 2), srs_pprof_symbolize, debug <= 0 ? maps.data : NULL, &out);
    srs_error_t err = srs_pprof_reply(c, 200, "text/plain; charset=utf-8", NULL, out.data, out.len);
    srs_strbuf_free(&maps);
    srs_strbuf_free(&out);
    free(cos);
    return err;
}
