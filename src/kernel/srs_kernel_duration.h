/* SPDX-License-Identifier: MIT */
/* Durations written as Go's time.ParseDuration reads them: an optional sign, then one or more
 * decimal numbers each with a unit, e.g. "300s", "1m30s", "1.5h", "500ms", "2us", "-1s".
 * Units: ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h. "0" alone needs no unit. */
#ifndef SRS_KERNEL_DURATION_H
#define SRS_KERNEL_DURATION_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse text into microseconds (nanoseconds are computed as Go does, then truncated toward
 * zero). Errors (ERROR_CONFIG_INVALID) for empty text, a missing or unknown unit, a malformed
 * number, and a total beyond Go's int64 nanoseconds (about 292 years). */
srs_error_t srs_duration_parse(const char *text, srs_utime_t *out_us);

/* Write d as a short Go-like duration: "30s", "1500ms", "250us", "0s". */
void srs_duration_format(srs_utime_t d, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
