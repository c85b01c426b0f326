/* SPDX-License-Identifier: MIT */
/* srs-bench: the load generator, command-line compatible with SRS's srs_bench where they overlap.
 * Each kind of client is one module with a start function; all of them add to one stats object
 * that the main loop prints every few seconds and, at the end, as one JSON line. */
#ifndef SRS_BENCH_H
#define SRS_BENCH_H

#include "srs_core.h"
#include "srs_core_error.h"

typedef struct {
    char sr[1024];        /* -sr: play URL (webrtc://, whep://, http(s)://...whep, rtmp://, http://...flv) */
    char pr[1024];        /* -pr: publish URL (rtmp://) */
    char input[1024];     /* -i: FLV file for the publisher */
    int nn;               /* -nn: number of players */
    int delay_ms;         /* -delay: between starting two players */
    int duration_s;       /* -duration: run time, 0 = until SIGINT/SIGTERM */
    bool raw;             /* -raw: WebRTC media is the mock origin's raw mode (counted by clear RTP header) */
} srs_bench_config_t;

/* What every player adds to. Counters only grow; alive goes up and down. */
typedef struct {
    int players_started;
    int players_alive;
    int players_failed;
    uint64_t packets;        /* RTP packets (WebRTC) or messages (RTMP/FLV tags) received */
    uint64_t bytes;
    uint64_t expected;       /* WebRTC: packets expected from sequence numbers */
    uint64_t lost;           /* WebRTC: expected - received, never negative per stream */
    uint64_t frames;         /* WebRTC: complete H.264 frames reassembled (not in raw mode) */
    double jitter_ms_sum;    /* WebRTC: last interarrival jitter of each player, summed */
    int jitter_samples;
    double *dtls_ms;         /* WebRTC: one handshake time per player that finished DTLS */
    int dtls_count, dtls_cap;
    uint64_t published;      /* publisher: messages sent */
} srs_bench_stats_t;

void srs_bench_stats_add_dtls(srs_bench_stats_t *s, double ms);
/* One JSON object (no newline); caller frees. */
char *srs_bench_stats_json(const srs_bench_stats_t *s, double seconds);

/* Modules: each starts its coroutines and returns; players that fail count in players_failed. */
srs_error_t srs_bench_rtc_start(const srs_bench_config_t *cfg, srs_bench_stats_t *stats);
srs_error_t srs_bench_rtmp_play_start(const srs_bench_config_t *cfg, srs_bench_stats_t *stats);
srs_error_t srs_bench_flv_play_start(const srs_bench_config_t *cfg, srs_bench_stats_t *stats);
srs_error_t srs_bench_rtmp_publish_start(const srs_bench_config_t *cfg, srs_bench_stats_t *stats);

#endif
