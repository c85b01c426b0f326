/* SPDX-License-Identifier: MIT */
/* libFuzzer: the file gperftools' CPU profiler writes, which /debug/pprof/profile reads back and
 * converts. Parse it; when that works, convert it into a profile.proto, as the endpoint does. */
#include "srs_kernel_cpu_profile.h"
#include "srs_kernel_pprof_proto.h"

#include <stdlib.h>

static void add_sample(void *ctx, uint64_t count, const uint64_t *pcs, int depth)
{
    if (depth < 1 || depth > SRS_CPU_PROFILE_MAX_DEPTH) abort();
    int64_t values[2] = {(int64_t)count, (int64_t)count * 10000};
    srs_pprof_add_sample((srs_pprof_builder_t *)ctx, pcs, depth, values, NULL, 0);
}

static bool name_low_addresses(void *ctx, uint64_t addr, const char **name)
{
    (void)ctx;
    if (addr > 0x10000) return false;
    *name = (addr & 1) ? "odd" : "even";
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t period = 0;
    size_t maps_at = 0;
    srs_error_t err = srs_cpu_profile_parse(data, size, NULL, NULL, &period, &maps_at);
    if (err) {
        srs_error_free(err);
        return 0;
    }
    if (maps_at > size || period == 0) abort();
    srs_pprof_builder_t *b = srs_pprof_builder_new();
    srs_pprof_add_sample_type(b, "samples", "count");
    srs_pprof_add_sample_type(b, "cpu", "nanoseconds");
    srs_pprof_add_mapping(b, 0x1000, 0x8000, 0, "/bin/proxy");
    err = srs_cpu_profile_parse(data, size, add_sample, b, NULL, NULL);
    if (err) abort(); /* the same bytes parsed a moment ago */
    srs_strbuf_t proto = {0}, gz = {0};
    srs_pprof_encode(b, name_low_addresses, NULL, &proto);
    srs_gzip_store(proto.data, proto.len, &gz);
    srs_strbuf_free(&proto);
    srs_strbuf_free(&gz);
    srs_pprof_builder_free(b);
    return 0;
}
