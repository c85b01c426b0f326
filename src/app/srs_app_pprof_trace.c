/* SPDX-License-Identifier: MIT */
/* /debug/pprof/trace?seconds=N: records the ST scheduler's switches for N seconds (default 1, as
 * Go) while the handler's coroutine sleeps, then streams them as Chrome trace-event JSON. Go's
 * `go tool trace` reads only Go's own format: open this one in ui.perfetto.dev or chrome://tracing. */
#include "srs_app_pprof.h"
#include "srs_core_log.h"
#include "srs_protocol_sched_trace.h"
#include "srs_protocol_st.h"

#define SRS_TRACE_DEFAULT_SECONDS 1
#define SRS_TRACE_MAX_SECONDS 60
/* Switches kept at most (16 bytes each): 64 MiB, minutes of a busy proxy. */
#define SRS_TRACE_MAX_EVENTS (4 * 1024 * 1024)
/* Idle gaps shorter than this stay off the idle track (they still count in the idle total). */
#define SRS_TRACE_MIN_IDLE_NS 2000

static srs_error_t write_chunk(void *ctx, const char *data, size_t len)
{
    return srs_http_write_stream_data((srs_http_conn_t *)ctx, data, len);
}

srs_error_t srs_pprof_serve_trace(srs_http_conn_t *c, const srs_http_request_t *req)
{
    if (srs_sched_trace_running()) {
        return srs_pprof_reply_error(c, 409, "a scheduler trace is already being taken; retry when it ends");
    }
    int64_t seconds = srs_pprof_query_int(req, "seconds", SRS_TRACE_DEFAULT_SECONDS);
    if (seconds <= 0) seconds = SRS_TRACE_DEFAULT_SECONDS;
    if (seconds > SRS_TRACE_MAX_SECONDS) seconds = SRS_TRACE_MAX_SECONDS;

    /* Room for some 200k switches a second, the most a busy proxy makes. */
    size_t max_events = (size_t)SRS_MIN((int64_t)SRS_TRACE_MAX_EVENTS, seconds * 200000);
    srs_error_t err = srs_sched_trace_start(max_events);
    if (err) {
        srs_error_t werr = srs_pprof_reply_error(c, 409, srs_error_summary(err));
        srs_error_free(err);
        return werr;
    }
    srs_log_info("pprof: scheduler trace for %llds", (long long)seconds);
    err = srs_st_usleep(seconds * SRS_UTIME_SECONDS);
    srs_sched_trace_t *t = srs_sched_trace_stop();
    if (err) {
        srs_sched_trace_free(t);
        return err;
    }

    srs_http_headers_t h = {0};
    srs_http_headers_set(&h, "Content-Type", "application/json");
    srs_http_headers_set(&h, "Content-Disposition", "attachment; filename=\"trace.json\"");
    srs_http_headers_set(&h, "X-Content-Type-Options", "nosniff");
    err = srs_http_write_stream_head(c, 200, &h);
    srs_http_headers_free(&h);
    if (!err) err = srs_sched_trace_write_json(t, SRS_TRACE_MIN_IDLE_NS, write_chunk, c);
    if (!err) err = srs_http_write_stream_end(c);
    if (t->dropped) srs_log_warn("pprof: trace kept %zu switches, %llu more dropped", t->nevents, (unsigned long long)t->dropped);
    srs_sched_trace_free(t);
    return err;
}
