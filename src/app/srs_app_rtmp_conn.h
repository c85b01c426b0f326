/* SPDX-License-Identifier: MIT */
/* The proxy's RTMP server (PROXY_RTMP_SERVER): one coroutine per client with a linear path.
 *
 *   handshake as a server (complex when C1 carries a digest)
 *   → identify: connect, releaseStream, FCPublish, createStream... answered as SRS answers
 *   → stream URL "<vhost>/<app>/<stream>" (srs_rtmp_url_parse: ?vhost= of the stream or tcUrl
 *     wins, else the tcUrl host; the tcUrl's own query never leaks into the key)
 *   → pick the origin, connect (3 s), handshake, replay the client's whole connect object, then
 *     publish or play the stream name with its query (tokens)
 *   → the origin's refusal goes back to the client as an onStatus error and the connection closes;
 *     else the client gets Publish.Start / Play.Start and the relay runs (srs_app_rtmp_relay.h).
 *
 * Budgets before the client is identified (its bytes are hostile and it has proven nothing):
 * handshake plus identify end by one deadline, SRS_RTMP_IDENTIFY_TIMEOUT after accept (each read
 * waits only for what is left, so dripping bytes does not extend it); messages are at most
 * SRS_RTMP_IDENTIFY_MAX_MESSAGE_SIZE (refused from the chunk header); each command decodes within
 * SRS_AMF0_MAX_NODES values and SRS_AMF0_MAX_DEPTH levels. A client over one is dropped (with
 * _error NetConnection.Connect.Rejected when it still waits for its connect answer), counted in
 * srs_proxy_rtmp_rejected_total{reason="deadline|too_large|amf0_budget"} and logged (limited).
 *
 * Towards the origin: TCP connect within SRS_RTMP_ORIGIN_CONNECT_TIMEOUT, then the handshake and
 * all answers within SRS_RTMP_ORIGIN_TIMEOUT in total. While relaying, the side carrying media
 * idles at most SRS_RTMP_IDLE_TIMEOUT, every write ends within SRS_RTMP_SEND_TIMEOUT, messages
 * may reach SRS_RTMP_DEFAULT_MAX_MESSAGE_SIZE. Errors a peer causes (bad chunks or AMF0,
 * oversized messages, timeouts) close the connection with a rate-limited log line. */
#ifndef SRS_APP_RTMP_CONN_H
#define SRS_APP_RTMP_CONN_H

#include "srs_app_server.h"
#include "srs_kernel_strbuf.h"

/* Handshake + identify, in total (not per read). */
#define SRS_RTMP_IDENTIFY_TIMEOUT (10 * SRS_UTIME_SECONDS)
/* Largest message before publish/play: connect objects are hundreds of bytes (ffmpeg ~250, OBS
 * ~400); 64 KiB leaves room for any real client and bounds the buffer to 128 KiB per client. */
#define SRS_RTMP_IDENTIFY_MAX_MESSAGE_SIZE (64 * 1024)
#define SRS_RTMP_ORIGIN_CONNECT_TIMEOUT (3 * SRS_UTIME_SECONDS)
#define SRS_RTMP_ORIGIN_TIMEOUT (10 * SRS_UTIME_SECONDS)
#define SRS_RTMP_IDLE_TIMEOUT (30 * SRS_UTIME_SECONDS)
#define SRS_RTMP_SEND_TIMEOUT (30 * SRS_UTIME_SECONDS)
/* The chunk size the proxy writes with, to clients and origins (SRS's default). */
#define SRS_RTMP_OUT_CHUNK_SIZE 60000

/* Start the RTMP listener on cfg->rtmp_server (ctx: the proxy). Over the connection limit a
 * client is closed without a word (RTMP has no way to say "busy" before connect). */
srs_error_t srs_rtmp_server_start(srs_proxy_t *p, srs_tcp_server_t **out);

/* One accepted client (the TCP server's callback; ctx is the srs_proxy_t). */
srs_error_t srs_rtmp_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer);

/* For metrics: RTMP clients connected now, and since start. */
int srs_rtmp_conns_alive(void);
uint64_t srs_rtmp_conns_total(void);

/* Why a client was dropped before it was identified. */
typedef enum {
    SRS_RTMP_REJECT_DEADLINE = 0,  /* handshake + identify not done by SRS_RTMP_IDENTIFY_TIMEOUT */
    SRS_RTMP_REJECT_TOO_LARGE,     /* a message over SRS_RTMP_IDENTIFY_MAX_MESSAGE_SIZE */
    SRS_RTMP_REJECT_AMF0_BUDGET,   /* a command over SRS_AMF0_MAX_NODES values or SRS_AMF0_MAX_DEPTH */
    SRS_RTMP_REJECT_REASONS
} srs_rtmp_reject_reason_t;

/* The metric label of a reason: "deadline", "too_large", "amf0_budget". */
const char *srs_rtmp_reject_reason_name(srs_rtmp_reject_reason_t reason);
/* The reason an identify error is a budget hit (ERROR_SYSTEM_TIMEOUT, ERROR_RTMP_TOO_LARGE,
 * ERROR_RTMP_AMF0_BUDGET); false for other errors. */
bool srs_rtmp_reject_reason_of(srs_error_t err, srs_rtmp_reject_reason_t *reason);
uint64_t srs_rtmp_rejected_total(srs_rtmp_reject_reason_t reason);
/* srs_proxy_rtmp_rejected_total{reason} in Prometheus text. */
void srs_rtmp_metrics_render(srs_strbuf_t *out);

#endif
