/* SPDX-License-Identifier: MIT */
#include "srs_protocol_sched_trace.h"
#include "srs_protocol_coroutine.h"
#include "srs_kernel_strbuf.h"

#include <st.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The recording being taken, and its generation: a coroutine's trace tid is valid while its
 * trace_gen matches, so no table maps coroutines to tids. */
static srs_sched_trace_t *active;
static uint32_t active_gen;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

srs_sched_trace_t *srs_sched_trace_new(size_t max_events)
{
    srs_sched_trace_t *t = (srs_sched_trace_t *)calloc(1, sizeof(*t));
    if (!t) abort();
    t->max_events = max_events ? max_events : 1;
    t->events = (srs_trace_event_t *)malloc(t->max_events * sizeof(*t->events));
    if (!t->events) abort();
    t->pid = (int)getpid();
    srs_sched_trace_add_thread(t, "main and coroutine exits", "");
    srs_sched_trace_add_thread(t, "idle: scheduler and poll", "");
    return t;
}

void srs_sched_trace_free(srs_sched_trace_t *t)
{
    if (!t) return;
    free(t->events);
    free(t->threads);
    free(t);
}

uint32_t srs_sched_trace_add_thread(srs_sched_trace_t *t, const char *name, const char *cid)
{
    if (t->nthreads == t->threads_cap) {
        t->threads_cap = t->threads_cap ? t->threads_cap * 2 : 64;
        t->threads = (srs_trace_thread_t *)realloc(t->threads, t->threads_cap * sizeof(*t->threads));
        if (!t->threads) abort();
    }
    srs_trace_thread_t *th = &t->threads[t->nthreads];
    snprintf(th->name, sizeof(th->name), "%s", name ? name : "");
    snprintf(th->cid, sizeof(th->cid), "%s", cid ? cid : "");
    return t->nthreads++;
}

bool srs_sched_trace_add_event(srs_sched_trace_t *t, int64_t ts_ns, uint32_t tid, srs_trace_kind_t kind)
{
    if (t->nevents >= t->max_events) {
        t->dropped++;
        return false;
    }
    srs_trace_event_t *e = &t->events[t->nevents++];
    e->ts_ns = ts_ns;
    e->tid = tid;
    e->kind = (uint32_t)kind;
    return true;
}

/* The running coroutine's tid in the active trace, named on first sight. */
static uint32_t current_tid(void)
{
    srs_coroutine_t *co = srs_coroutine_self();
    if (!co) return SRS_TRACE_TID_MAIN;
    if (co->trace_gen != active_gen) {
        co->trace_gen = active_gen;
        co->trace_tid = srs_sched_trace_add_thread(active, co->name, co->cid.id);
    }
    return co->trace_tid;
}

static void record(srs_trace_kind_t kind)
{
    if (!active) return;
    srs_sched_trace_add_event(active, now_ns(), current_tid(), kind);
}

static void on_switch_in(void) { record(SRS_TRACE_SWITCH_IN); }
static void on_switch_out(void) { record(SRS_TRACE_SWITCH_OUT); }

void srs_sched_trace_on_coroutine_start(void) { record(SRS_TRACE_SWITCH_IN); }
void srs_sched_trace_on_coroutine_exit(void) { record(SRS_TRACE_SWITCH_OUT); }

srs_error_t srs_sched_trace_start(size_t max_events)
{
    if (active) return srs_error_new(ERROR_SYSTEM_LIMIT, "a scheduler trace is already being taken");
    active = srs_sched_trace_new(max_events);
    /* 0 is what a fresh coroutine record holds: never a live generation. */
    if (++active_gen == 0) active_gen = 1;
    active->start_ns = now_ns();
    record(SRS_TRACE_SWITCH_IN);
    st_set_switch_in_cb(on_switch_in);
    st_set_switch_out_cb(on_switch_out);
    return srs_success;
}

bool srs_sched_trace_running(void)
{
    return active != NULL;
}

srs_sched_trace_t *srs_sched_trace_stop(void)
{
    if (!active) return NULL;
    st_set_switch_in_cb(NULL);
    st_set_switch_out_cb(NULL);
    record(SRS_TRACE_SWITCH_OUT);
    srs_sched_trace_t *t = active;
    active = NULL;
    t->stop_ns = now_ns();
    return t;
}

/* JSON rendering. */

typedef struct {
    srs_strbuf_t buf;
    srs_trace_sink_fn sink;
    void *ctx;
    srs_error_t err;
    int pid;
    bool first;
} json_out_t;

static void flush(json_out_t *o, bool force)
{
    if (o->err || (!force && o->buf.len < 64 * 1024) || !o->buf.len) return;
    o->err = o->sink(o->ctx, o->buf.data, o->buf.len);
    srs_strbuf_clear(&o->buf);
}

static void put_json_string(srs_strbuf_t *b, const char *s)
{
    srs_strbuf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            srs_strbuf_putc(b, '\\');
            srs_strbuf_putc(b, (char)c);
        } else if (c < 0x20 || c >= 0x7f) {
            srs_strbuf_printf(b, "\\u%04x", c);
        } else {
            srs_strbuf_putc(b, (char)c);
        }
    }
    srs_strbuf_putc(b, '"');
}

/* A time in microseconds with nanosecond digits, as trace viewers take it. */
static void put_us(srs_strbuf_t *b, int64_t ns)
{
    if (ns < 0) ns = 0;
    srs_strbuf_printf(b, "%lld.%03lld", (long long)(ns / 1000), (long long)(ns % 1000));
}

static void begin_event(json_out_t *o)
{
    srs_strbuf_puts(&o->buf, o->first ? "\n" : ",\n");
    o->first = false;
}

static void put_slice(json_out_t *o, const srs_sched_trace_t *t, uint32_t tid, int64_t from, int64_t to)
{
    begin_event(o);
    srs_strbuf_puts(&o->buf, "{\"ph\":\"X\",\"cat\":\"switch\",\"name\":");
    put_json_string(&o->buf, tid == SRS_TRACE_TID_IDLE ? "idle" : t->threads[tid].name);
    srs_strbuf_printf(&o->buf, ",\"pid\":%d,\"tid\":%u,\"ts\":", o->pid, tid);
    put_us(&o->buf, from - t->start_ns);
    srs_strbuf_puts(&o->buf, ",\"dur\":");
    put_us(&o->buf, to - from);
    srs_strbuf_putc(&o->buf, '}');
    flush(o, false);
}

typedef struct {
    int64_t run_ns;
    uint64_t runs;
} thread_stat_t;

/* Sort threads by run time, longest first, for the sort index and the summary. */
static int compare_run(const void *a, const void *b, void *ctx)
{
    const thread_stat_t *st = (const thread_stat_t *)ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (st[x].run_ns != st[y].run_ns) return st[x].run_ns > st[y].run_ns ? -1 : 1;
    return x < y ? -1 : (x > y);
}

srs_error_t srs_sched_trace_write_json(const srs_sched_trace_t *t, int64_t min_idle_ns, srs_trace_sink_fn sink, void *ctx)
{
    json_out_t o;
    memset(&o, 0, sizeof(o));
    o.sink = sink;
    o.ctx = ctx;
    o.pid = t->pid;
    o.first = true;
    thread_stat_t *stats = (thread_stat_t *)calloc(t->nthreads ? t->nthreads : 1, sizeof(*stats));
    if (!stats) abort();

    srs_strbuf_puts(&o.buf, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");

    /* One coroutine runs at a time: a switch in opens its slice, the next switch out (or in, when a
     * coroutine ended without a switch out) closes it; time between slices is the idle track. */
    int64_t open_ts = 0, last_end = t->start_ns;
    uint32_t open_tid = UINT32_MAX;
    for (size_t i = 0; i < t->nevents && !o.err; i++) {
        const srs_trace_event_t *e = &t->events[i];
        if (e->tid >= t->nthreads) continue;
        if (open_tid != UINT32_MAX && (e->kind == SRS_TRACE_SWITCH_IN || e->tid == open_tid)) {
            put_slice(&o, t, open_tid, open_ts, e->ts_ns);
            stats[open_tid].run_ns += e->ts_ns - open_ts;
            stats[open_tid].runs++;
            open_tid = UINT32_MAX;
            last_end = e->ts_ns;
        }
        if (e->kind == SRS_TRACE_SWITCH_IN) {
            int64_t gap = e->ts_ns - last_end;
            if (gap > 0) {
                stats[SRS_TRACE_TID_IDLE].run_ns += gap;
                stats[SRS_TRACE_TID_IDLE].runs++;
                if (gap >= min_idle_ns) put_slice(&o, t, SRS_TRACE_TID_IDLE, last_end, e->ts_ns);
            }
            open_tid = e->tid;
            open_ts = e->ts_ns;
        }
    }

    uint32_t *order = (uint32_t *)malloc((t->nthreads ? t->nthreads : 1) * sizeof(*order));
    if (!order) abort();
    for (uint32_t i = 0; i < t->nthreads; i++) order[i] = i;
    qsort_r(order, t->nthreads, sizeof(*order), compare_run, stats);

    /* Track names and order: the busiest coroutines on top. */
    begin_event(&o);
    srs_strbuf_printf(&o.buf, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":\"srs-proxy %d\"}}",
                      o.pid, o.pid);
    for (uint32_t rank = 0; rank < t->nthreads && !o.err; rank++) {
        uint32_t tid = order[rank];
        const srs_trace_thread_t *th = &t->threads[tid];
        begin_event(&o);
        srs_strbuf_printf(&o.buf, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%u,\"args\":{\"name\":", o.pid, tid);
        char label[64];
        snprintf(label, sizeof(label), th->cid[0] ? "%s [%s]" : "%s", th->name, th->cid);
        put_json_string(&o.buf, label);
        srs_strbuf_printf(&o.buf, "}},\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%d,\"tid\":%u,\"args\":{\"sort_index\":%u}}",
                          o.pid, tid, tid == SRS_TRACE_TID_IDLE ? 0 : rank + 1);
        flush(&o, false);
    }

    /* The summary trace viewers ignore and scripts read: run time per coroutine. */
    srs_strbuf_printf(&o.buf, "\n],\"otherData\":{\"generator\":\"%s\",\"duration_us\":", SRS_PROXY_SERVER);
    put_us(&o.buf, t->stop_ns - t->start_ns);
    srs_strbuf_printf(&o.buf, ",\"switch_events\":%zu,\"dropped_events\":%llu,\"idle_us\":", t->nevents,
                      (unsigned long long)t->dropped);
    put_us(&o.buf, stats[SRS_TRACE_TID_IDLE].run_ns);
    srs_strbuf_puts(&o.buf, ",\"coroutines\":[");
    bool first = true;
    for (uint32_t rank = 0; rank < t->nthreads && !o.err; rank++) {
        uint32_t tid = order[rank];
        if (tid == SRS_TRACE_TID_IDLE || !stats[tid].runs) continue;
        srs_strbuf_puts(&o.buf, first ? "\n{\"name\":" : ",\n{\"name\":");
        first = false;
        put_json_string(&o.buf, t->threads[tid].name);
        srs_strbuf_puts(&o.buf, ",\"cid\":");
        put_json_string(&o.buf, t->threads[tid].cid);
        srs_strbuf_printf(&o.buf, ",\"tid\":%u,\"runs\":%llu,\"run_us\":", tid, (unsigned long long)stats[tid].runs);
        put_us(&o.buf, stats[tid].run_ns);
        srs_strbuf_putc(&o.buf, '}');
        flush(&o, false);
    }
    srs_strbuf_puts(&o.buf, "]}}\n");
    flush(&o, true);

    free(order);
    free(stats);
    srs_strbuf_free(&o.buf);
    return o.err;
}
