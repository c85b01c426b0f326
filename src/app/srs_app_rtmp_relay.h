/* SPDX-License-Identifier: MIT */
/* The RTMP relay between a client and its origin, once both agreed on publish or play: whole
 * messages both ways, one coroutine per direction, each side chunked with its own sizes.
 *
 * Per hop, not forwarded: SetChunkSize (each reader applies its peer's; each writer keeps the
 * large size it announced), Abort, Acknowledgement, WindowAckSize (each reader acknowledges its
 * own peer) and SetPeerBandwidth. Everything else goes through with its message stream id mapped
 * between the client's and the origin's (and the stream id inside user control events and in
 * deleteStream). Either side ending, failing or idling ends both at once. */
#ifndef SRS_APP_RTMP_RELAY_H
#define SRS_APP_RTMP_RELAY_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_amf0.h"
#include "srs_protocol_rtmp_chunk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The client's message stream id and the origin's, for the one stream a connection carries.
 * Other ids (0, the connection's own) pass unchanged. */
typedef struct {
    uint32_t client_sid;
    uint32_t origin_sid;
} srs_rtmp_sid_map_t;

/* The id as the other side knows it: to_origin maps client → origin, else origin → client. */
uint32_t srs_rtmp_sid_map(const srs_rtmp_sid_map_t *m, bool to_origin, uint32_t sid);

/* True for the protocol control messages that belong to one hop (types 1, 2, 3, 5, 6). */
bool srs_rtmp_relay_is_hop_by_hop(uint8_t type);

/* Rewrite msg for the other side, in place: its message stream id, and for user control events
 * that name a stream (StreamBegin, EOF, Dry, SetBufferLength, IsRecorded) that id too. A command
 * deleteStream(tid, null, sid) is re-encoded into buf with its sid mapped, msg pointing at buf
 * (buf must outlive the write). Errors only for a deleteStream that does not decode. */
srs_error_t srs_rtmp_relay_map_message(const srs_rtmp_sid_map_t *m, bool to_origin, srs_rtmp_msg_t *msg,
                                       srs_amf0_buf_t *buf);

typedef struct {
    srs_rtmp_conn_t *client;
    srs_rtmp_conn_t *origin;
    srs_rtmp_sid_map_t map;
    /* Reading the side that carries the media (the publisher, or the origin for a player) fails
     * after idle_timeout without a byte; the other side may be silent as long as it likes. */
    bool client_sends_media;
    srs_utime_t idle_timeout;
    srs_utime_t send_timeout;
    /* Counters, for logs. */
    uint64_t to_origin_msgs, to_client_msgs;
} srs_rtmp_relay_t;

/* Run both directions until one ends; the calling coroutine carries client → origin, a child
 * coroutine origin → client. Returns why it ended (the first side's error; ERROR_SYSTEM_EOF when
 * a peer closed). Must run on an srs coroutine. */
srs_error_t srs_rtmp_relay_run(srs_rtmp_relay_t *r);

#ifdef __cplusplus
}
#endif

#endif
