/* SPDX-License-Identifier: MIT */
/* An RTMP client over an ST socket: what the proxy says to an origin, and what srs-bench's
 * publisher and players say to a server. TCP connect, simple handshake, our SetChunkSize, then
 * connect (with a whole command object, so a proxy can replay its client's), and publish
 * (releaseStream, FCPublish, createStream, publish) or play (createStream, play). Each answer is
 * awaited within the client's timeout (a total per exchange, not per read) and its deadline, skipping what the server sends meanwhile (control
 * messages, StreamBegin, onFCPublish, Play.Reset...).
 *
 * A refusal (an _error, or an onStatus of level "error" such as NetStream.Publish.BadName) is an
 * ERROR_RTMP_REFUSED error, and the server's command is kept in client->refusal so a proxy can
 * pass it on to its own client. */
#ifndef SRS_PROTOCOL_RTMP_CLIENT_H
#define SRS_PROTOCOL_RTMP_CLIENT_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_amf0.h"
#include "srs_protocol_rtmp_chunk.h"
#include "srs_protocol_rtmp_msg.h"

#include <st.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    st_netfd_t fd;
    srs_rtmp_conn_t *conn;
    uint32_t stream_id;          /* the server's message stream id, after createStream */
    double next_tid;             /* transaction id of the next call */
    srs_utime_t timeout;         /* each exchange (handshake, connect, publish, play) must end within it */
    srs_utime_t connected_at;    /* srs_time_now() when the TCP connection was made */
    srs_utime_t deadline;        /* every exchange also ends by then (srs_rtmp_client_set_deadline) */
    bool refused;                /* the server said no: refusal is its answer */
    srs_rtmp_command_t refusal;
} srs_rtmp_client_t;

/* TCP connect to host:port within connect_timeout, handshake, then SetChunkSize(out_chunk_size)
 * when it is not 128 (0 keeps 128). timeout bounds every later exchange and is the connection's
 * read and write timeout until the caller changes it. On error *out is NULL. */
srs_error_t srs_rtmp_client_open(const char *host, int port, srs_utime_t connect_timeout, srs_utime_t timeout,
                                 uint32_t out_chunk_size, srs_rtmp_client_t **out);
/* A total deadline (a srs_time_now() value) on top of the per-exchange timeout: every later read
 * and write waits only for what is left of it, so a server answering slowly (or a byte at a time)
 * cannot hold the client past it. SRS_UTIME_NO_TIMEOUT (the default) removes it. A proxy sets
 * connected_at + its answer budget, making handshake plus all answers one total. */
void srs_rtmp_client_set_deadline(srs_rtmp_client_t *c, srs_utime_t deadline);
/* Closes the socket and frees everything; NULL is fine. */
void srs_rtmp_client_close(srs_rtmp_client_t *c);

/* connect(1, object) and wait for its _result. */
srs_error_t srs_rtmp_client_connect_app(srs_rtmp_client_t *c, const srs_amf0_t *object);
/* releaseStream, FCPublish, createStream, then publish(stream, "live") on the new stream, waiting
 * for NetStream.Publish.Start. stream may carry a ?query (tokens), sent as it is. */
srs_error_t srs_rtmp_client_publish(srs_rtmp_client_t *c, const char *stream);
/* createStream, then play(stream) on the new stream, waiting for NetStream.Play.Start. */
srs_error_t srs_rtmp_client_play(srs_rtmp_client_t *c, const char *stream);

/* The command object a plain client sends: app, flashVer, tcUrl, fpad, capabilities, audioCodecs,
 * videoCodecs, videoFunction, objectEncoding (as ffmpeg's). The caller frees it. */
srs_amf0_t *srs_rtmp_client_connect_object(const char *tc_url, const char *app);

/* Split a play/publish URL the way librtmp and SRS's tools do: the last path segment (with the
 * URL's query) is the stream, the rest is the tcUrl. "rtmp://h:1935/live/s?token=x" →
 * "rtmp://h:1935/live" and "s?token=x". Errors (ERROR_STREAM_URL): not rtmp://, no app or stream,
 * too long. */
srs_error_t srs_rtmp_url_split(const char *url, char *tc_url, size_t tc_size, char *stream, size_t stream_size);

#ifdef __cplusplus
}
#endif

#endif
