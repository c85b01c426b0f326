/* SPDX-License-Identifier: MIT */
/* srs-mock-origin: a stand-in for an SRS origin in tests and benchmarks. It behaves like SRS on
 * the wire (heartbeat JSON, and per protocol the endpoints its modules add), so the proxy can be
 * tested anywhere without a real SRS. Each protocol is one module with a start function. */
#ifndef SRS_MOCK_ORIGIN_H
#define SRS_MOCK_ORIGIN_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_http.h"

typedef struct {
    char ip[64];             /* the "ip" registered: what the proxy dials */
    int rtmp_port;           /* 0 = that server is off */
    int http_port;
    int api_port;
    int rtc_port;
    int candidate_port;      /* the port written into answers, 0 = rtc_port (a relay in front) */
    int srt_port;
    char heartbeat_url[512]; /* "" = no heartbeat */
    int heartbeat_interval;  /* seconds */
    char server_id[64];      /* SRS keeps it across restarts */
    char service_id[64];     /* SRS makes a new one at every start */
    char device_id[64];
    char flv_path[512];      /* the media sent to WebRTC players */
    char hls_dir[512];       /* HLS files served under /<app>/ */
    bool raw;                /* WebRTC: replay pre-encrypted packets (benchmarks) */
    bool bad_fingerprint;    /* WebRTC, tests only: answers advertise a wrong certificate fingerprint */
    char srt_passphrase[80]; /* "" = SRT without encryption */
} srs_mock_config_t;

/* The heartbeat body exactly as SRS posts it (srs-origin-notes.md); caller frees. */
char *srs_mock_heartbeat_body(const srs_mock_config_t *cfg);
/* Posts the heartbeat now and then every interval, in its own coroutine. */
srs_error_t srs_mock_heartbeat_start(const srs_mock_config_t *cfg);

/* WebRTC (when -api and -rtc are set): WHEP/WHIP and the legacy API on api_port, ICE-lite, DTLS
 * and SRTP on rtc_port, media from flv_path. */
srs_error_t srs_mock_rtc_start(const srs_mock_config_t *cfg);

/* The SRT server (publish and play, as SRS), on its own pthread with libsrt. */
srs_error_t srs_mock_srt_start(const srs_mock_config_t *cfg);

/* RTMP server: publish into the stream hub and play from it, answering as SRS (srs_mock_origin_rtmp.c). */
srs_error_t srs_mock_rtmp_start(const srs_mock_config_t *cfg);
/* HTTP server: HTTP-FLV of what is published, HLS from hls_dir (srs_mock_origin_http.c). */
srs_error_t srs_mock_http_start(const srs_mock_config_t *cfg);

/* SRS's HTTP API (srs_mock_origin_api.c), on the -api port: streams, clients (and the kick of
 * one), vhosts, summaries in SRS 7's JSON shape. Every RTMP and HTTP-FLV connection registers
 * itself as a client for its lifetime (from its own coroutine, which a kick interrupts). */
typedef struct srs_mock_client_s srs_mock_client_t;
srs_mock_client_t *srs_mock_client_add(const char *id, const char *peer, const char *key, const char *tc_url,
                                       const char *type, bool publish);
void srs_mock_client_remove(srs_mock_client_t *c);
/* True when the request was one of the API's (answered, *err set). */
bool srs_mock_api_serve(const srs_mock_config_t *cfg, srs_http_conn_t *c, srs_http_request_t *req, srs_error_t *err);

#endif
