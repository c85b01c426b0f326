/* SPDX-License-Identifier: MIT */
/* Reads the gperftools CPU profiler's file (docs/cpuprofile-fileformat.html): a header with the
 * sampling period, records of <count, depth, pc...> and a trailer, in native 64-bit words,
 * followed by the text of /proc/self/maps. No I/O; every length is checked (fuzzed). */
#ifndef SRS_KERNEL_CPU_PROFILE_H
#define SRS_KERNEL_CPU_PROFILE_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* gperftools records at most 64 frames; anything deeper is refused as corrupt. So are counts
 * and periods no real profile has (they also keep count * period in an int64 of nanoseconds). */
#define SRS_CPU_PROFILE_MAX_DEPTH 256
#define SRS_CPU_PROFILE_MAX_COUNT UINT32_MAX
#define SRS_CPU_PROFILE_MAX_PERIOD_US 1000000

/* One stack seen count times; pcs[0] is the interrupted instruction, the rest return addresses. */
typedef void (*srs_cpu_profile_sample_fn)(void *ctx, uint64_t count, const uint64_t *pcs, int depth);

/* Calls fn for every record. *period_us gets the sampling period; *maps_offset where the text
 * after the trailer starts (size when there is none). ERROR_SYSTEM_FILE when malformed. */
srs_error_t srs_cpu_profile_parse(const void *data, size_t size, srs_cpu_profile_sample_fn fn, void *ctx,
                                  uint64_t *period_us, size_t *maps_offset);

#ifdef __cplusplus
}
#endif

#endif
