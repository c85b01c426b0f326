/* SPDX-License-Identifier: MIT */
/* /debug/pprof/heap and /debug/pprof/allocs: the sampler's stacks as a symbolized, gzipped
 * profile.proto with Go's four sample types (the same data; heap shows inuse_space, allocs
 * alloc_space by default); ?debug=1 and /pprof/heap give gperftools' heapz text instead. */
#include "srs_app_pprof.h"
#include "srs_app_pprof_heap.h"
#include "srs_app_pprof_symbol.h"
#include "srs_core_log.h"
#include "srs_kernel_pprof_proto.h"

#include <stdlib.h>

static void build_proto(const srs_heap_bucket_t *buckets, size_t n, bool allocs, srs_strbuf_t *out)
{
    srs_pprof_builder_t *b = srs_pprof_builder_new();
    srs_pprof_add_sample_type(b, "alloc_objects", "count");
    srs_pprof_add_sample_type(b, "alloc_space", "bytes");
    srs_pprof_add_sample_type(b, "inuse_objects", "count");
    srs_pprof_add_sample_type(b, "inuse_space", "bytes");
    srs_pprof_set_default_sample_type(b, allocs ? "alloc_space" : "inuse_space");
    srs_pprof_set_period(b, "space", "bytes", SRS_HEAP_SAMPLE_RATE);
    srs_pprof_set_time(b, srs_time_now_wall() * 1000, 0);
    srs_pprof_add_mappings(b);
    for (size_t i = 0; i < n; i++) {
        const srs_heap_bucket_t *k = &buckets[i];
        int64_t v[4];
        srs_heap_scale(k->alloc_count, k->alloc_bytes, SRS_HEAP_SAMPLE_RATE, &v[0], &v[1]);
        srs_heap_scale(k->alloc_count - k->free_count, k->alloc_bytes - k->free_bytes, SRS_HEAP_SAMPLE_RATE, &v[2], &v[3]);
        /* Return addresses: step back into the call instruction. */
        uint64_t addrs[SRS_HEAP_MAX_DEPTH];
        for (int d = 0; d < k->depth; d++) addrs[d] = k->pcs[d] ? k->pcs[d] - 1 : 0;
        srs_pprof_add_sample(b, addrs, k->depth, v, NULL, 0);
    }
    srs_strbuf_t proto = {0};
    srs_pprof_encode(b, srs_pprof_symbolize_fn_adapter, NULL, &proto);
    srs_gzip_store(proto.data, proto.len, out);
    srs_strbuf_free(&proto);
    srs_pprof_builder_free(b);
}

srs_error_t srs_pprof_serve_heap(srs_http_conn_t *c, const srs_http_request_t *req, bool allocs, bool legacy)
{
    if (!srs_heap_sampler_available()) {
        return srs_pprof_reply_error(c, 501, "heap profiles need the proxy's allocation sampler, which this build "
                                             "leaves out (SANITIZER=yes: AddressSanitizer owns malloc)");
    }
    srs_heap_bucket_t *buckets = NULL;
    size_t n = srs_heap_sampler_snapshot(&buckets);
    srs_strbuf_t out = {0};
    srs_error_t err;
    if (legacy || srs_pprof_query_int(req, "debug", 0) > 0) {
        srs_strbuf_t maps = {0};
        srs_error_free(srs_pprof_read_proc_file("/proc/self/maps", &maps));
        srs_heap_render_legacy(buckets, n, SRS_HEAP_SAMPLE_RATE, maps.data, &out);
        srs_strbuf_free(&maps);
        err = srs_pprof_reply(c, 200, "text/plain; charset=utf-8", NULL, out.data, out.len);
    } else {
        build_proto(buckets, n, allocs, &out);
        err = srs_pprof_reply(c, 200, "application/octet-stream", allocs ? "allocs" : "heap", out.data, out.len);
    }
    srs_strbuf_free(&out);
    free(buckets);
    return err;
}
