/* SPDX-License-Identifier: MIT */
/* /debug/pprof/profile: gperftools' CPU profiler (SIGPROF sampling at 100 Hz; with one OS thread a
 * sample is the stack of the coroutine that runs). ProfilerStart writes to a temp file while the
 * handler's coroutine sleeps; the file is then converted to a symbolized, gzipped profile.proto,
 * or sent as it is under /pprof/ (gperftools' own pprof reads that). */
#include "srs_app_pprof.h"
#include "srs_app_pprof_symbol.h"
#include "srs_core_log.h"
#include "srs_kernel_cpu_profile.h"
#include "srs_kernel_pprof_proto.h"
#include "srs_protocol_st.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SANITIZER=yes and the fuzzers do not link libprofiler: its SIGPROF sampler and ASan do not mix. */
#if defined(SRS_SANITIZER) || defined(SRS_FUZZ)
#define SRS_CPU_PROFILER 0
static int ProfilerStart(const char *fname) { SRS_UNUSED(fname); return 0; }
static void ProfilerStop(void) {}
#else
#define SRS_CPU_PROFILER 1
#include <gperftools/profiler.h>
#endif

#define SRS_CPU_DEFAULT_SECONDS 30
#define SRS_CPU_MAX_SECONDS 3600

static bool busy;

bool srs_pprof_cpu_available(void)
{
    return SRS_CPU_PROFILER;
}

typedef struct {
    srs_pprof_builder_t *b;
    int64_t period_ns;
} convert_t;

static void add_cpu_sample(void *ctx, uint64_t count, const uint64_t *pcs, int depth)
{
    convert_t *cv = (convert_t *)ctx;
    uint64_t addrs[SRS_CPU_PROFILE_MAX_DEPTH];
    /* The first pc is where the signal landed; the others return addresses: step back into
     * the call instruction, so the caller's line is named. Beyond a coroutine's first frame the
     * unwinder reads what ST left above the stack: the first zero ends the real stack. */
    int n = 0;
    for (; n < depth && pcs[n]; n++) addrs[n] = n ? pcs[n] - 1 : pcs[n];
    depth = n;
    int64_t values[2] = {(int64_t)count, (int64_t)count * cv->period_ns};
    srs_pprof_add_sample(cv->b, addrs, depth, values, NULL, 0);
}

static srs_error_t to_profile_proto(const srs_strbuf_t *raw, int64_t start_wall_us, int64_t duration_us,
                                    srs_strbuf_t *out)
{
    /* A first pass checks the file and learns the sampling period the values are scaled by. */
    uint64_t period_us = 0;
    srs_error_t err = srs_cpu_profile_parse(raw->data, raw->len, NULL, NULL, &period_us, NULL);
    if (err) return srs_error_wrap(err, "read gperftools profile");

    convert_t cv;
    cv.b = srs_pprof_builder_new();
    cv.period_ns = (int64_t)period_us * 1000;
    srs_pprof_add_sample_type(cv.b, "samples", "count");
    srs_pprof_add_sample_type(cv.b, "cpu", "nanoseconds");
    srs_pprof_set_period(cv.b, "cpu", "nanoseconds", cv.period_ns);
    srs_pprof_set_time(cv.b, start_wall_us * 1000, duration_us * 1000);
    srs_pprof_add_mappings(cv.b);
    srs_error_free(srs_cpu_profile_parse(raw->data, raw->len, add_cpu_sample, &cv, NULL, NULL));

    srs_strbuf_t proto = {0};
    srs_pprof_encode(cv.b, srs_pprof_symbolize_fn_adapter, NULL, &proto);
    srs_gzip_store(proto.data, proto.len, out);
    srs_strbuf_free(&proto);
    srs_pprof_builder_free(cv.b);
    return srs_success;
}

static srs_error_t read_file(const char *path, srs_strbuf_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return srs_error_new(ERROR_SYSTEM_FILE, "open %s", path);
    for (;;) {
        char *p = srs_strbuf_reserve(out, 64 * 1024);
        size_t n = fread(p, 1, 64 * 1024, f);
        out->len += n;
        out->data[out->len] = '\0';
        if (n < 64 * 1024) break;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) return srs_error_new(ERROR_SYSTEM_FILE, "read %s", path);
    return srs_success;
}

/* Profile for the given time into raw (the gperftools file). The coroutine sleeps meanwhile. */
static srs_error_t take_profile(srs_utime_t duration, srs_strbuf_t *raw)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/srs-proxy-cpu-%d-XXXXXX", dir && *dir ? dir : "/tmp", (int)getpid());
    int fd = mkstemp(path);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_FILE, "mkstemp %s", path);
    close(fd);

    if (!ProfilerStart(path)) {
        unlink(path);
        return srs_error_new(ERROR_SYSTEM_FILE, "ProfilerStart %s failed (is CPUPROFILE set in the environment?)", path);
    }
    srs_log_info("pprof: CPU profile for %llds", (long long)(duration / SRS_UTIME_SECONDS));
    srs_error_t err = srs_st_usleep(duration);
    ProfilerStop();
    if (!err) err = read_file(path, raw);
    unlink(path);
    return err;
}

srs_error_t srs_pprof_serve_cpu(srs_http_conn_t *c, const srs_http_request_t *req, bool legacy)
{
    if (!srs_pprof_cpu_available()) {
        return srs_pprof_reply_error(c, 501, "CPU profiling needs gperftools' libprofiler, which this build leaves out "
                                             "(SANITIZER=yes: its SIGPROF sampler does not mix with AddressSanitizer)");
    }
    if (busy) {
        return srs_pprof_reply_error(c, 409, "Could not enable CPU profiling: a CPU profile is already being taken; "
                                             "retry when it ends");
    }
    int64_t seconds = srs_pprof_query_int(req, "seconds", SRS_CPU_DEFAULT_SECONDS);
    if (seconds <= 0) seconds = SRS_CPU_DEFAULT_SECONDS;
    if (seconds > SRS_CPU_MAX_SECONDS) seconds = SRS_CPU_MAX_SECONDS;

    busy = true;
    srs_utime_t start_wall = srs_time_now_wall(), start = srs_time_now();
    srs_strbuf_t raw = {0};
    srs_error_t err = take_profile(seconds * SRS_UTIME_SECONDS, &raw);
    busy = false;
    if (err) {
        srs_strbuf_free(&raw);
        if (srs_error_code(err) == ERROR_SYSTEM_INTERRUPTED) return err;
        srs_error_t werr = srs_pprof_reply_error(c, 500, srs_error_summary(err));
        srs_error_free(err);
        return werr;
    }

    if (legacy) {
        err = srs_pprof_reply(c, 200, "application/octet-stream", "profile", raw.data, raw.len);
        srs_strbuf_free(&raw);
        return err;
    }
    srs_strbuf_t gz = {0};
    err = to_profile_proto(&raw, start_wall, srs_time_now() - start, &gz);
    srs_strbuf_free(&raw);
    if (!err) err = srs_pprof_reply(c, 200, "application/octet-stream", "profile", gz.data, gz.len);
    else {
        srs_error_t werr = srs_pprof_reply_error(c, 500, srs_error_summary(err));
        srs_error_free(err);
        err = werr;
    }
    srs_strbuf_free(&gz);
    return err;
}
