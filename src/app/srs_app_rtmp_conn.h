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
 * Timeouts: handshake plus identify within SRS_RTMP_IDENTIFY_TIMEOUT; the origin's answers within
 * SRS_RTMP_ORIGIN_TIMEOUT; while relaying, the side carrying media idles at most
 * SRS_RTMP_IDLE_TIMEOUT and every write ends within SRS_RTMP_SEND_TIMEOUT. Errors a peer causes
 * (bad chunks or AMF0, oversized messages, timeouts) close the connection with a rate-limited log
 * line. */
#ifndef SRS_APP_RTMP_CONN_H
#define SRS_APP_RTMP_CONN_H

#include "srs_app_server.h"

#define SRS_RTMP_IDENTIFY_TIMEOUT (10 * SRS_UTIME_SECONDS)
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

#endif
