/* SPDX-License-Identifier: MIT */
/* srs-bench's RTMP clients, inside the tools: the connection every RTMP publisher and player
 * starts with. The clients are in srs_bench_rtmp_publish.c and srs_bench_rtmp_play.c. */
#ifndef SRS_BENCH_RTMP_H
#define SRS_BENCH_RTMP_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_rtmp_client.h"

#define SRS_BENCH_RTMP_CONNECT_TIMEOUT (3 * SRS_UTIME_SECONDS)
/* Each exchange of the handshake, and later each read while playing. */
#define SRS_BENCH_RTMP_TIMEOUT (10 * SRS_UTIME_SECONDS)
/* The chunk size the bench writes with (as SRS and ffmpeg's large chunks). */
#define SRS_BENCH_RTMP_CHUNK_SIZE 60000

/* Connect to url (rtmp://host[:port]/app/stream[?query], the last segment being the stream) and
 * publish or play it. A refusal is an ERROR_RTMP_REFUSED error. On error *out is NULL. */
srs_error_t srs_bench_rtmp_open(const char *url, bool publish, srs_rtmp_client_t **out);

#endif
