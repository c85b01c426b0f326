/* SPDX-License-Identifier: MIT */
/* What an RTMP client wants, learnt the way SRS learns it: the server side of the command phase.
 * connect, releaseStream, FCPublish, createStream and friends are answered as SRS answers them
 * (spec §4.1) until the client says publish or play. The state machine only reads decoded messages
 * and writes its answers to an srs_rtmp_conn_t, so tests drive it over the chunk stream's memory
 * I/O. The proxy uses it in front of its origins, srs-mock-origin as the origin itself.
 *
 * Then the server decides: srs_rtmp_identify_accept tells the client it may start (the answers
 * SRS gives to publish or play), srs_rtmp_identify_refuse says no with an onStatus of level
 * "error" (an origin's own refusal passed on, or the server's). */
#ifndef SRS_PROTOCOL_RTMP_IDENTIFY_H
#define SRS_PROTOCOL_RTMP_IDENTIFY_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_amf0.h"
#include "srs_protocol_rtmp_chunk.h"
#include "srs_protocol_rtmp_msg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SRS's answers to connect: the acknowledgement window and peer bandwidth it announces. */
#define SRS_RTMP_ACK_WINDOW 2500000
#define SRS_RTMP_PEER_BANDWIDTH 2500000
/* The message stream createStream hands out (always 1, as SRS and the Go proxy). */
#define SRS_RTMP_CLIENT_STREAM_ID 1

typedef enum {
    SRS_RTMP_ROLE_UNKNOWN = 0,
    SRS_RTMP_ROLE_PUBLISHER,
    SRS_RTMP_ROLE_PLAYER,
} srs_rtmp_role_t;

typedef struct {
    srs_rtmp_role_t role;        /* set by publish or play: identification is done */
    bool connected;              /* connect was answered */
    srs_amf0_t *connect_object;  /* the client's whole connect object, replayed to the origin */
    double object_encoding;
    char tc_url[1024];
    char stream[1024];           /* as the client named it, ?query (tokens) included */
    uint32_t stream_id;          /* the message stream the publish/play came on */
    bool fc_publish;             /* the client sent FCPublish, so it waits for onFCPublish */
    uint32_t out_chunk_size;     /* announced with SetChunkSize in the connect answer */
    char srs_id[32];             /* the connection's cid, in the connect _result */
} srs_rtmp_identify_t;

/* out_chunk_size is what the caller will chunk with (1..0xFFFFFF); srs_id goes in connect's _result. */
void srs_rtmp_identify_init(srs_rtmp_identify_t *id, uint32_t out_chunk_size, const char *srs_id);
void srs_rtmp_identify_free(srs_rtmp_identify_t *id);

/* One message from the client. Answers go to conn. Control messages were applied by the chunk
 * reader and need nothing here; data messages are ignored. Errors (the connection must close):
 * a command before connect (ERROR_RTMP_MESSAGE), a second connect, connect without a usable
 * tcUrl (answered with _error NetConnection.Connect.Rejected first, ERROR_STREAM_URL), media
 * before publish/play, publish/play without a stream name, FCUnpublish/deleteStream/closeStream
 * before publish/play, malformed AMF0 (ERROR_RTMP_AMF0), or the write error. */
srs_error_t srs_rtmp_identify_on_message(srs_rtmp_identify_t *id, srs_rtmp_conn_t *conn, const srs_rtmp_msg_t *msg);

/* True once publish or play arrived. */
bool srs_rtmp_identify_done(const srs_rtmp_identify_t *id);

/* Accepted. Publisher: onFCPublish (when FCPublish was sent) and onStatus
 * NetStream.Publish.Start; player: StreamBegin, onStatus NetStream.Play.Reset and
 * NetStream.Play.Start; all on the client's stream, as SRS sends them. */
srs_error_t srs_rtmp_identify_accept(const srs_rtmp_identify_t *id, srs_rtmp_conn_t *conn);

/* Refused with `refusal` (an onStatus, sent as it is; or an _error, turned into an onStatus of
 * level "error" with its code and description); with refusal NULL, an onStatus error
 * NetStream.Publish.Failed / NetStream.Play.Failed with `description` (e.g. no origin). */
srs_error_t srs_rtmp_identify_refuse(const srs_rtmp_identify_t *id, srs_rtmp_conn_t *conn,
                                     const srs_rtmp_command_t *refusal, const char *description);

#ifdef __cplusplus
}
#endif

#endif
