/* SPDX-License-Identifier: MIT */
/* The SRT proxy on one UDP port (PROXY_SRT_SERVER).
 *
 * client ──UDP──► listener ──"srt-mux"──► session's connected socket ──► origin SRT port
 * client ◄──UDP── listener ◄──"srt-forwarder"── epoll set of every session socket ◄── origin
 *
 * The proxy answers a client's induction itself (stateless, with a SYN cookie made from the
 * client's address), so only a client that receives at its address can make a session. A valid
 * conclusion makes the session: the stream id picks the origin (the same stream URL as RTMP,
 * FLV and WHEP of that stream), and the session's own "srt-handshake" coroutine does the
 * induction and conclusion with the origin, retransmitting every 250 ms for up to 3 s, so a
 * silent origin delays no other session. The origin's conclusion response (or rejection) goes
 * back to the client; from then on datagrams are relayed untouched, KMREQ/KMRSP included, so
 * passphrase-protected streams work end to end. See srs_app_srt_session.h for the socket ids.
 * A session keeps the client address that made it: packets naming it from elsewhere are dropped.
 * Budgets: PROXY_SRT_MAX_SESSIONS in all, PROXY_SRT_MAX_SESSIONS_PER_IP and
 * PROXY_SRT_MAX_HANDSHAKES_PER_IP per client IP; over one, the client gets a rejection
 * (SRT_REJ_RESOURCE). PROXY_SRT_HANDSHAKE_TIMEOUT bounds the whole handshake: the conclusion
 * within it of the induction (the SYN cookie expires), and the client's first packet after the
 * handshake within it of the conclusion. Stream ids are redacted wherever shown or logged.
 * Sessions end on SHUTDOWN from either side, an unreachable origin, a handshake past its
 * deadline, or when the client sends nothing for PROXY_SRT_SESSION_TIMEOUT. */
#ifndef SRS_APP_SRT_SERVER_H
#define SRS_APP_SRT_SERVER_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_app_config.h"
#include "srs_app_lb.h"
#include "srs_app_srt_session.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t to_origin_packets, to_origin_bytes;
    uint64_t to_client_packets, to_client_bytes;
    uint64_t inductions;              /* induction requests answered (no state) */
    uint64_t sessions_created, sessions_established, sessions_ended;
    uint64_t handshake_failures;      /* no origin, origin unreachable or silent (client rejected) */
    uint64_t origin_rejections;       /* the origin refused the client (e.g. bad passphrase) */
    /* Drops, by reason; none of them creates state. */
    uint64_t drop_malformed;          /* short or malformed packets and handshakes */
    uint64_t drop_bad_cookie;         /* a conclusion whose SYN cookie is not its address's */
    uint64_t drop_bad_stream_id;      /* a conclusion without a usable stream id (rejected) */
    uint64_t drop_unknown_socket;     /* a packet for a socket id no session has */
    uint64_t drop_session_limit;      /* PROXY_SRT_MAX_SESSIONS sessions already (rejected) */
    uint64_t drop_ip_session_limit;   /* PROXY_SRT_MAX_SESSIONS_PER_IP of its IP already (rejected) */
    uint64_t drop_ip_handshake_limit; /* PROXY_SRT_MAX_HANDSHAKES_PER_IP of its IP already (rejected) */
    uint64_t drop_foreign_address;    /* a packet naming a session, not from the session's address */
    uint64_t drop_send_to_origin;     /* origin socket full or failing */
    uint64_t drop_send_to_client;     /* listener send buffer full */
    /* PROXY_WORKERS > 1: datagrams for a session of another worker (see srs_kernel_worker_relay.h). */
    uint64_t worker_relayed_out;      /* handed to the worker holding the session */
    uint64_t worker_relayed_in;       /* received from another worker */
    uint64_t drop_worker_relay;       /* the other worker's socket full or failing */
    uint64_t worker_directory_full;   /* sessions not in the directory (full, or an id of another worker's) */
} srs_srt_stats_t;

typedef struct srs_srt_server_s srs_srt_server_t;

srs_error_t srs_srt_server_start(const srs_config_t *cfg, srs_lb_t *lb, srs_srt_server_t **out);
/* Ends every session and frees. NULL is fine. */
void srs_srt_server_free(srs_srt_server_t *s);
int srs_srt_server_port(const srs_srt_server_t *s);

const srs_srt_stats_t *srs_srt_server_stats(const srs_srt_server_t *s);
size_t srs_srt_server_session_count(const srs_srt_server_t *s);
/* Visits every live session (read only). NULL server: nothing. */
void srs_srt_server_foreach(srs_srt_server_t *s, void (*fn)(void *ctx, const srs_srt_session_t *session), void *ctx);

#ifdef __cplusplus
}
#endif

#endif
