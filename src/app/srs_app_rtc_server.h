/* SPDX-License-Identifier: MIT */
/* The WebRTC media relay on one UDP port (PROXY_WEBRTC_SERVER).
 *
 * client ──UDP──► listener ──"rtc-mux" coroutine──► session's connected socket ──► origin RTC port
 * client ◄──UDP── listener ◄──"rtc-forwarder"────── epoll set of every session socket ◄── origin
 *
 * A datagram is matched by its client address (O(1)); only a STUN binding request whose USERNAME
 * names a session (signalled through WHIP/WHEP, or found in the load balancer) binds an address.
 * The session sockets live in one private epoll set watched by one coroutine, so the scheduler's
 * poll does not grow with the number of sessions. Sessions end on idle timeout, a DTLS alert,
 * a WHIP/WHEP DELETE, or an origin socket error. */
#ifndef SRS_APP_RTC_SERVER_H
#define SRS_APP_RTC_SERVER_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_app_config.h"
#include "srs_app_lb.h"
#include "srs_app_rtc_session.h"

typedef struct {
    uint64_t to_origin_packets, to_origin_bytes;
    uint64_t to_client_packets, to_client_bytes;
    uint64_t sessions_created, sessions_ended;
    /* Drops, by reason. */
    uint64_t drop_unknown_addr;     /* not STUN, from an address no session has */
    uint64_t drop_unknown_ufrag;    /* STUN whose USERNAME no session (nor the LB) knows */
    uint64_t drop_stun_invalid;     /* malformed STUN */
    uint64_t drop_send_to_origin;   /* origin socket full or failing */
    uint64_t drop_send_to_client;   /* listener send buffer full */
    uint64_t drop_resolver_busy;    /* too many LB lookups pending, or over the lookup budget */
    uint64_t drop_too_large;        /* a datagram larger than any WebRTC packet */
} srs_rtc_stats_t;

typedef struct srs_rtc_server_s srs_rtc_server_t;

srs_error_t srs_rtc_server_start(const srs_config_t *cfg, srs_lb_t *lb, srs_rtc_server_t **out);
/* Ends every session and frees. NULL is fine. */
void srs_rtc_server_free(srs_rtc_server_t *s);
/* The UDP port players must reach (written into answers). */
int srs_rtc_server_port(const srs_rtc_server_t *s);

/* A session signalled through WHIP/WHEP: ufrag is "answerUfrag:offerUfrag". Replaces an older
 * session with the same ufrag. */
typedef struct {
    const char *ufrag;
    const char *stream_url;
    const char *location;      /* "" if the origin gave none */
    bool publisher;
    const char *origin_ip;
    int origin_rtc_port;
    int origin_api_port;
} srs_rtc_session_info_t;
srs_error_t srs_rtc_server_add_session(srs_rtc_server_t *s, const srs_rtc_session_info_t *info);
srs_rtc_session_t *srs_rtc_server_find_by_location(srs_rtc_server_t *s, const char *location);
srs_rtc_session_t *srs_rtc_server_find_by_ufrag(srs_rtc_server_t *s, const char *ufrag);
/* Ends a session now: frees its socket and every table entry. */
void srs_rtc_server_end_session(srs_rtc_server_t *s, srs_rtc_session_t *session, const char *reason);

const srs_rtc_stats_t *srs_rtc_server_stats(const srs_rtc_server_t *s);
size_t srs_rtc_server_session_count(const srs_rtc_server_t *s);
/* Visits every live session (read only). */
void srs_rtc_server_foreach(srs_rtc_server_t *s, void (*fn)(void *ctx, const srs_rtc_session_t *session), void *ctx);

#endif
