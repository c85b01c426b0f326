/* SPDX-License-Identifier: MIT */
/* The WebRTC media relay on one UDP port (PROXY_WEBRTC_SERVER).
 *
 * client ──UDP──► listener ──"rtc-mux" coroutine──► session's connected socket ──► origin RTC port
 * client ◄──UDP── listener ◄──"rtc-forwarder"────── epoll set of every session socket ◄── origin
 *
 * A datagram is matched by its client address (O(1)); only a STUN binding request whose USERNAME
 * names a session (signalled through WHIP/WHEP, or found in the load balancer) and whose
 * MESSAGE-INTEGRITY verifies with the origin's ICE password binds a new address.
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

#include <sys/socket.h>

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
    uint64_t drop_stun_integrity;   /* a binding request from a new address without a valid
                                     * MESSAGE-INTEGRITY (or FINGERPRINT): would have moved a session */
    /* Sessions refused (offer answered 503, or a Redis takeover dropped), by budget. */
    uint64_t refused_max_sessions;  /* PROXY_RTC_MAX_SESSIONS */
    uint64_t refused_per_ip;        /* PROXY_RTC_MAX_SESSIONS_PER_IP */
    uint64_t refused_offer_rate;    /* PROXY_RTC_OFFERS_PER_IP (offers per second per address) */
    uint64_t sessions_never_bound;  /* ended after PROXY_RTC_PENDING_TIMEOUT without a packet */
} srs_rtc_stats_t;

typedef struct srs_rtc_server_s srs_rtc_server_t;

srs_error_t srs_rtc_server_start(const srs_config_t *cfg, srs_lb_t *lb, srs_rtc_server_t **out);
/* Ends every session and frees. NULL is fine. */
void srs_rtc_server_free(srs_rtc_server_t *s);
/* The UDP port players must reach (written into answers). */
int srs_rtc_server_port(const srs_rtc_server_t *s);

/* A session signalled through WHIP/WHEP: ufrag is "answerUfrag:offerUfrag". Replaces an older
 * session with the same ufrag. Checks the session budgets again (offers may have waited on
 * their origins together): ERROR_SYSTEM_LIMIT when over, counted. The origin's RTC address is
 * resolved here, once: the packet path never resolves a name. */
typedef struct {
    const char *ufrag;
    const char *stream_url;
    const char *location;        /* what the client DELETEs (with token); "" if none */
    const char *origin_location; /* the origin's Location, "" if none */
    const char *token;           /* the Location's token, "" if none */
    const char *ice_pwd;         /* the origin's a=ice-pwd; "" = no binding request can bind */
    const srs_addr_key_t *source;/* client IP (port ignored) */
    bool publisher;
    const char *origin_ip;
    int origin_rtc_port;
    int origin_api_port;
} srs_rtc_session_info_t;
srs_error_t srs_rtc_server_add_session(srs_rtc_server_t *s, const srs_rtc_session_info_t *info);

/* Whether a new session from source may be signalled (before the origin is asked): the total
 * and per-address session caps and, when offer is true, the offers-per-second budget of the
 * address (which this call spends). ERROR_SYSTEM_LIMIT naming the budget when over, counted in
 * the stats by reason. */
srs_error_t srs_rtc_server_admit(srs_rtc_server_t *s, const srs_addr_key_t *source, bool offer);
srs_rtc_session_t *srs_rtc_server_find_by_location(srs_rtc_server_t *s, const char *location);
srs_rtc_session_t *srs_rtc_server_find_by_ufrag(srs_rtc_server_t *s, const char *ufrag);
/* Ends a session now: frees its socket and every table entry. */
void srs_rtc_server_end_session(srs_rtc_server_t *s, srs_rtc_session_t *session, const char *reason);

/* Sends msgs[0..n) on fd with sendmmsg, MSG_DONTWAIT. A message the kernel refuses (an
 * unreachable or invalid address: the error of the first message of a call) is skipped and the
 * rest still go; a full send buffer (EAGAIN, ENOBUFS) drops the rest. sent[i] tells which went;
 * returns how many. */
int srs_rtc_send_batch(int fd, struct mmsghdr *msgs, int n, bool *sent);

const srs_rtc_stats_t *srs_rtc_server_stats(const srs_rtc_server_t *s);
size_t srs_rtc_server_session_count(const srs_rtc_server_t *s);
/* Visits every live session (read only). */
void srs_rtc_server_foreach(srs_rtc_server_t *s, void (*fn)(void *ctx, const srs_rtc_session_t *session), void *ctx);

#endif
