/* SPDX-License-Identifier: MIT */
/* The mock origin's WebRTC server, between its HTTP API (srs_mock_origin_rtc_api.c: WHEP, WHIP,
 * the legacy /rtc/v1/play/ and /rtc/v1/publish/) and its UDP side (srs_mock_origin_rtc.c): one
 * socket for every player, demultiplexed by address and, for STUN, by USERNAME; a STUN
 * responder, a DTLS server and an SRTP context per player; one sender coroutine per stream that
 * sends each packet to all of its players: the looped FLV file, or while an RTMP publisher
 * publishes the stream to the mock (srs_mock_hub.h), what it publishes (srs_mock_origin_rtc_live.c). */
#ifndef SRS_MOCK_ORIGIN_RTC_H
#define SRS_MOCK_ORIGIN_RTC_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_mock_origin.h"
#include "srs_protocol_rtp_loop.h"

typedef struct srs_mock_rtc_s srs_mock_rtc_t;

/* Loads the FLV, makes the certificate, binds the UDP port and starts its receiver. */
srs_error_t srs_mock_rtc_new(const srs_mock_config_t *cfg, srs_mock_rtc_t **out);

typedef struct {
    char *sdp;              /* malloc'ed answer */
    char session[200];      /* "<answer ufrag>:<offer ufrag>", the STUN USERNAME */
    char location[2048];    /* the resource to DELETE, relative to the API port */
} srs_mock_rtc_answer_t;

/* A new player (or publisher) of app/stream for this offer. Errors: ERROR_RTC_SDP for an offer
 * we cannot answer, ERROR_SYSTEM_LIMIT when there are too many sessions. */
srs_error_t srs_mock_rtc_offer(srs_mock_rtc_t *m, const char *app, const char *stream, bool publish,
                               const char *offer, size_t len, srs_mock_rtc_answer_t *out);
/* Ends the session that the Location named; false when none matches (token included). */
bool srs_mock_rtc_delete(srs_mock_rtc_t *m, const char *session, const char *token);
/* Sessions alive, for logs and tests. */
int srs_mock_rtc_sessions(const srs_mock_rtc_t *m);

/* The live source of a stream: what its RTMP publisher sends, as RTP packets of the stream's
 * SSRCs and payload types, sequence numbers going on from next_seq (by kind). */
typedef struct srs_mock_rtc_live_s srs_mock_rtc_live_t;
/* Receives one clear RTP packet of a kind (SRS_RTP_LOOP_AUDIO or _VIDEO) to send to every player. */
typedef void (*srs_mock_rtc_emit_fn)(void *ctx, int kind, const uint8_t *rtp, size_t len);
srs_error_t srs_mock_rtc_live_new(const char *key, const srs_rtp_loop_ids_t *ids, const uint16_t next_seq[2],
                                  srs_mock_rtc_live_t **out);
/* Waits up to timeout for the publisher; emits each video frame as it comes and an Opus silence
 * frame every 20 ms. ERROR_SYSTEM_EOF once the publisher left, ERROR_SYSTEM_INTERRUPTED. */
srs_error_t srs_mock_rtc_live_pump(srs_mock_rtc_live_t *l, srs_utime_t timeout, srs_mock_rtc_emit_fn emit, void *ctx);
/* The sequence numbers the next packets of each kind get. */
void srs_mock_rtc_live_next_seq(const srs_mock_rtc_live_t *l, uint16_t out[2]);
uint64_t srs_mock_rtc_live_frames(const srs_mock_rtc_live_t *l);
void srs_mock_rtc_live_free(srs_mock_rtc_live_t *l);

#endif
