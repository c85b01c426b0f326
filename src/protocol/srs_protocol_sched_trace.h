/* SPDX-License-Identifier: MIT */
/* A trace of the State Threads scheduler: every switch in and out of a coroutine, with a
 * monotonic timestamp, recorded through st_set_switch_in_cb/st_set_switch_out_cb while a trace is
 * being taken (no callback is installed otherwise, so it costs nothing when idle). The gaps when
 * no coroutine runs are the scheduler and its poll(): the idle time.
 *
 * The recording renders as Chrome trace-event JSON (one track per coroutine, "X" slices for each
 * run between a switch in and a switch out, an idle track, and per-coroutine run time), which
 * Perfetto (ui.perfetto.dev) and chrome://tracing open. */
#ifndef SRS_PROTOCOL_SCHED_TRACE_H
#define SRS_PROTOCOL_SCHED_TRACE_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_core_context.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SRS_TRACE_SWITCH_IN = 1,
    SRS_TRACE_SWITCH_OUT = 2,
} srs_trace_kind_t;

typedef struct {
    int64_t ts_ns;    /* CLOCK_MONOTONIC */
    uint32_t tid;     /* index into the trace's threads */
    uint32_t kind;    /* srs_trace_kind_t */
} srs_trace_event_t;

/* Threads 0 and 1 are reserved: what runs outside any coroutine record (the primordial thread,
 * and ST ending a coroutine after its record let go) and the idle track. */
#define SRS_TRACE_TID_MAIN 0
#define SRS_TRACE_TID_IDLE 1

typedef struct {
    char name[32];
    char cid[SRS_CID_LEN + 1];
} srs_trace_thread_t;

typedef struct {
    srs_trace_event_t *events;
    size_t nevents, max_events;
    uint64_t dropped;            /* switches not recorded once the buffer was full */
    srs_trace_thread_t *threads;
    uint32_t nthreads, threads_cap;
    int64_t start_ns, stop_ns;
    int pid;
} srs_sched_trace_t;

/* Start recording at most max_events switches (16 bytes each). One trace at a time:
 * ERROR_SYSTEM_LIMIT while another runs. The caller's coroutine counts as switched in. */
srs_error_t srs_sched_trace_start(size_t max_events);
bool srs_sched_trace_running(void);
/* Stop recording; the caller owns the result (srs_sched_trace_free). NULL if none was running. */
srs_sched_trace_t *srs_sched_trace_stop(void);
void srs_sched_trace_free(srs_sched_trace_t *t);

/* Called by the coroutine wrapper: a coroutine's first run and its end do not pass through ST's
 * switch callbacks. Cheap no-ops unless a trace runs. */
void srs_sched_trace_on_coroutine_start(void);
void srs_sched_trace_on_coroutine_exit(void);

/* For tests: an empty recording to fill by hand (threads 0 and 1 named). */
srs_sched_trace_t *srs_sched_trace_new(size_t max_events);
/* Add a thread to a recording; returns its tid. */
uint32_t srs_sched_trace_add_thread(srs_sched_trace_t *t, const char *name, const char *cid);
/* Append an event; false (and dropped++) when full. */
bool srs_sched_trace_add_event(srs_sched_trace_t *t, int64_t ts_ns, uint32_t tid, srs_trace_kind_t kind);

/* Write the recording as Chrome trace-event JSON in chunks through sink; stops at the first error
 * the sink returns. Slices shorter than min_idle_ns are left off the idle track (they still count
 * in the idle total). */
typedef srs_error_t (*srs_trace_sink_fn)(void *ctx, const char *data, size_t len);
srs_error_t srs_sched_trace_write_json(const srs_sched_trace_t *t, int64_t min_idle_ns, srs_trace_sink_fn sink, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
