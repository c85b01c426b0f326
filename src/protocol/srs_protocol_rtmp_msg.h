/* SPDX-License-Identifier: MIT */
/* RTMP messages above the chunk stream: AMF0 commands (decode, encode, and builders for the
 * ones a proxy, a client and an origin exchange), protocol control and user control messages,
 * and the tcUrl + stream name → host/vhost/app/stream/query parse. */
#ifndef SRS_PROTOCOL_RTMP_MSG_H
#define SRS_PROTOCOL_RTMP_MSG_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_amf0.h"
#include "srs_protocol_rtmp_chunk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* User control events (RTMP specification 7.1.7). */
#define SRS_RTMP_UC_STREAM_BEGIN 0
#define SRS_RTMP_UC_STREAM_EOF 1
#define SRS_RTMP_UC_STREAM_DRY 2
#define SRS_RTMP_UC_SET_BUFFER_LENGTH 3
#define SRS_RTMP_UC_STREAM_IS_RECORDED 4
#define SRS_RTMP_UC_PING_REQUEST 6
#define SRS_RTMP_UC_PING_RESPONSE 7

/* SetPeerBandwidth limit types. */
#define SRS_RTMP_PEER_BW_HARD 0
#define SRS_RTMP_PEER_BW_SOFT 1
#define SRS_RTMP_PEER_BW_DYNAMIC 2

/* What the connect _result carries (spec §4.1). */
#define SRS_RTMP_FMS_VERSION "FMS/3,5,3,888"
#define SRS_RTMP_SERVER_VERSION "3,5,3,888"
#define SRS_RTMP_CLIENT_ID "ASAICiss"

/* A command: name, transaction id, command object (an AMF0 null when there is none) and the
 * remaining values as a strict array. Both trees are owned by the command. */
typedef struct {
    char *name;
    double tid;
    srs_amf0_t *object;
    srs_amf0_t *args;
} srs_rtmp_command_t;

/* name and tid; object is taken (NULL becomes an AMF0 null); no args yet. */
void srs_rtmp_command_init(srs_rtmp_command_t *cmd, const char *name, double tid, srs_amf0_t *object);
/* Append an argument (taken). */
void srs_rtmp_command_add(srs_rtmp_command_t *cmd, srs_amf0_t *arg);
/* The i-th argument after the command object, or NULL. */
srs_amf0_t *srs_rtmp_command_arg(const srs_rtmp_command_t *cmd, size_t i);
/* Frees what the command holds and zeroes it; a zeroed command is fine. */
void srs_rtmp_command_free(srs_rtmp_command_t *cmd);

/* Type 20 (AMF0 command) or 17 (AMF3 command, which starts with a 0 byte then AMF0). */
bool srs_rtmp_msg_is_command(const srs_rtmp_msg_t *msg);
/* Decode a command message. The name must be a string; a missing transaction id is 0, a
 * missing command object is null. All its values share one AMF0 budget (SRS_AMF0_MAX_NODES,
 * SRS_AMF0_MAX_DEPTH). Errors: ERROR_RTMP_MESSAGE, ERROR_RTMP_AMF0, or ERROR_RTMP_AMF0_BUDGET. */
srs_error_t srs_rtmp_command_decode(const srs_rtmp_msg_t *msg, srs_rtmp_command_t *cmd);
/* Append the AMF0 encoding (name, tid, object, args...). */
srs_error_t srs_rtmp_command_encode(const srs_rtmp_command_t *cmd, srs_amf0_buf_t *out);
/* Encode and send as a type 20 message. */
srs_error_t srs_rtmp_send_command(srs_rtmp_conn_t *conn, uint32_t csid, uint32_t stream_id,
                                  const srs_rtmp_command_t *cmd);

/* ---- Builders: each fills cmd (srs_rtmp_command_free it after sending). ---- */

/* connect, tid 1, with a copy of a whole command object (app, tcUrl, flashVer, swfUrl, ...). */
void srs_rtmp_build_connect(srs_rtmp_command_t *cmd, const srs_amf0_t *object);
/* _result for connect: {fmsVer "FMS/3,5,3,888", capabilities 127, mode 1}, {level "status",
 * code "NetConnection.Connect.Success", description "Connection succeeded", objectEncoding,
 * data: ECMA {version "3,5,3,888", srs_version, srs_id}}. */
void srs_rtmp_build_connect_result(srs_rtmp_command_t *cmd, double tid, double object_encoding,
                                   const char *srs_version, const char *srs_id);
/* _error for connect: {level "error", code "NetConnection.Connect.Rejected", description}. */
void srs_rtmp_build_connect_error(srs_rtmp_command_t *cmd, double tid, const char *description);
/* _result(tid, null, undefined): the answer to releaseStream, FCPublish and other calls. */
void srs_rtmp_build_call_result(srs_rtmp_command_t *cmd, double tid);
void srs_rtmp_build_create_stream(srs_rtmp_command_t *cmd, double tid);
/* _result(tid, null, stream_id). */
void srs_rtmp_build_create_stream_result(srs_rtmp_command_t *cmd, double tid, double stream_id);
void srs_rtmp_build_release_stream(srs_rtmp_command_t *cmd, double tid, const char *stream);
void srs_rtmp_build_fc_publish(srs_rtmp_command_t *cmd, double tid, const char *stream);
/* publish(tid, null, stream, type), type "live" when NULL. */
void srs_rtmp_build_publish(srs_rtmp_command_t *cmd, double tid, const char *stream, const char *type);
/* play(tid, null, stream). */
void srs_rtmp_build_play(srs_rtmp_command_t *cmd, double tid, const char *stream);
/* onStatus(0, null, {level, code, description[, details][, clientid]}); NULL leaves out. */
void srs_rtmp_build_on_status(srs_rtmp_command_t *cmd, const char *level, const char *code,
                              const char *description, const char *details, const char *clientid);
/* onFCPublish(0, null, {code, description}). */
void srs_rtmp_build_on_fc_publish(srs_rtmp_command_t *cmd, const char *code, const char *description);

/* The info object's "code" of an onStatus/_result/_error (first argument), or NULL. */
const char *srs_rtmp_command_status_code(const srs_rtmp_command_t *cmd);

/* ---- Control messages (csid 2, stream 0) ---- */

srs_error_t srs_rtmp_send_window_ack_size(srs_rtmp_conn_t *conn, uint32_t size);
srs_error_t srs_rtmp_send_set_peer_bandwidth(srs_rtmp_conn_t *conn, uint32_t size, uint8_t limit_type);
/* A user control event with one 32-bit value (StreamBegin, StreamEOF, ping: stream id or time). */
srs_error_t srs_rtmp_send_user_control(srs_rtmp_conn_t *conn, uint16_t event, uint32_t value);
/* event and its first 32-bit value. ERROR_RTMP_MESSAGE when shorter than 6 bytes. */
srs_error_t srs_rtmp_parse_user_control(const srs_rtmp_msg_t *msg, uint16_t *event, uint32_t *value);

/* ---- tcUrl and stream name ---- */

typedef struct {
    char host[256];   /* without port; an IPv6 literal without brackets */
    int port;         /* 1935 when absent */
    char vhost[256];  /* ?vhost= of the stream, else of the tcUrl, else the host */
    char app[256];    /* the tcUrl path without its query; may hold '/' */
    char stream[256]; /* the stream name without its query; empty when no stream was given */
    char query[1024]; /* the stream's query without '?' (tokens), kept for forwarding */
} srs_rtmp_url_t;

/* "rtmp://host[:port]/app[?query]" and "stream[?query]" (stream may be NULL). The tcUrl's query
 * never leaks into the stream key (the Go proxy's bug). Errors (ERROR_STREAM_URL): no scheme,
 * no host, a bad port, an empty app, a field too long. */
srs_error_t srs_rtmp_url_parse(const char *tc_url, const char *stream, srs_rtmp_url_t *out);

#ifdef __cplusplus
}
#endif

#endif
