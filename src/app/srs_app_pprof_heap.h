/* SPDX-License-Identifier: MIT */
/* Heap profiles, as Go does them: an allocation sampler that records, on average, one allocation
 * per SRS_HEAP_SAMPLE_RATE bytes (a Poisson process over allocated bytes, so an allocation of n
 * bytes is sampled with probability 1 - exp(-n / rate)) with its call stack, and notices when a
 * sampled block is freed. That gives both the live heap (inuse_space) and everything allocated
 * since the start (alloc_space), scaled back up by the sampling rate.
 *
 * The sampler wraps malloc, calloc, realloc and free of the process (glibc's implementation
 * stays underneath, through __libc_malloc and friends). It is off until srs_heap_sampler_enable:
 * then a malloc costs one subtraction unless it is sampled, a free one hash probe. The packet
 * path allocates nothing, so it does not pay even that. Builds with a sanitizer (SANITIZER=yes,
 * the fuzzers) leave the wrappers out: the sanitizer owns malloc there. */
#ifndef SRS_APP_PPROF_HEAP_H
#define SRS_APP_PPROF_HEAP_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_kernel_strbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_HEAP_SAMPLE_RATE (512 * 1024)
#define SRS_HEAP_MAX_DEPTH 32

/* False in sanitizer builds, where malloc cannot be wrapped. */
bool srs_heap_sampler_available(void);
/* Sample from now on; idempotent. Call it on the primordial thread (it learns its stack). */
void srs_heap_sampler_enable(void);
bool srs_heap_sampler_enabled(void);

/* The sampled allocations of one call stack. */
typedef struct {
    uint64_t alloc_count, alloc_bytes; /* sampled allocations, and their bytes */
    uint64_t free_count, free_bytes;   /* of those, freed since */
    int depth;
    uint64_t pcs[SRS_HEAP_MAX_DEPTH];  /* return addresses, the allocating function's first */
} srs_heap_bucket_t;

/* A copy of every stack's counters (the caller frees *out); returns how many. */
size_t srs_heap_sampler_snapshot(srs_heap_bucket_t **out);
/* Samples not recorded because a table was full (a sign of a leak of huge proportions). */
uint64_t srs_heap_sampler_dropped(void);

/* The counters of a bucket scaled up to estimates of the real numbers, as pprof does for
 * heap_v2 profiles: each sampled object stands for 1 / (1 - exp(-avg_size / rate)) objects. */
void srs_heap_scale(uint64_t count, uint64_t bytes, int64_t rate, int64_t *est_count, int64_t *est_bytes);

/* The legacy text format (gperftools' heapz, what /pprof/heap and ?debug=1 serve):
 * "heap profile: <inuse n>: <inuse bytes> [<alloc n>: <alloc bytes>] @ heap_v2/<rate>", one line
 * per stack, then maps (the text of /proc/self/maps, may be NULL) after "MAPPED_LIBRARIES:". */
void srs_heap_render_legacy(const srs_heap_bucket_t *buckets, size_t n, int64_t rate, const char *maps,
                            srs_strbuf_t *out);

#ifdef __cplusplus
}
#endif

#endif
