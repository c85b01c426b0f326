/* SPDX-License-Identifier: MIT */
/* The RTMP identify state machine (see the header). */
#include "srs_protocol_rtmp_identify.h"

#include <stdio.h>
#include <string.h>

void srs_rtmp_identify_init(srs_rtmp_identify_t *id, uint32_t out_chunk_size, const char *srs_id)
{
    memset(id, 0, sizeof(*id));
    id->out_chunk_size = out_chunk_size;
    snprintf(id->srs_id, sizeof(id->srs_id), "%s", srs_id ? srs_id : "");
}

void srs_rtmp_identify_free(srs_rtmp_identify_t *id)
{
    srs_amf0_free(id->connect_object);
    id->connect_object = NULL;
}

bool srs_rtmp_identify_done(const srs_rtmp_identify_t *id) { return id->role != SRS_RTMP_ROLE_UNKNOWN; }

/* Send cmd on (csid, stream) and free it. */
static srs_error_t send_and_free(srs_rtmp_conn_t *conn, uint32_t csid, uint32_t stream_id, srs_rtmp_command_t *cmd)
{
    srs_error_t err = srs_rtmp_send_command(conn, csid, stream_id, cmd);
    srs_rtmp_command_free(cmd);
    return err;
}

/* connect: keep the object, check the tcUrl, answer as SRS does. */
static srs_error_t on_connect(srs_rtmp_identify_t *id, srs_rtmp_conn_t *conn, srs_rtmp_command_t *req)
{
    srs_error_t err = srs_success;
    if (id->connected) return srs_error_new(ERROR_RTMP_MESSAGE, "second connect");
    if (srs_amf0_type(req->object) != SRS_AMF0_OBJECT) {
        return srs_error_new(ERROR_RTMP_MESSAGE, "connect without a command object");
    }
    const char *tc_url = srs_amf0_get_string(req->object, "tcUrl");
    srs_rtmp_url_t url;
    if (!tc_url || strlen(tc_url) >= sizeof(id->tc_url)) {
        err = srs_error_new(ERROR_STREAM_URL, "connect without a usable tcUrl");
    } else {
        err = srs_rtmp_url_parse(tc_url, NULL, &url);
    }
    if (err) {
        srs_rtmp_command_t rej;
        srs_rtmp_build_connect_error(&rej, req->tid, "invalid tcUrl");
        srs_error_t werr = send_and_free(conn, SRS_RTMP_CSID_COMMAND, 0, &rej);
        srs_error_free(werr);
        return srs_error_wrap(err, "connect");
    }

    snprintf(id->tc_url, sizeof(id->tc_url), "%s", tc_url);
    srs_amf0_get_number(req->object, "objectEncoding", &id->object_encoding);
    id->connect_object = srs_amf0_copy(req->object);
    id->connected = true;

    /* SRS's sequence: window, bandwidth, chunk size, _result, onBWDone. */
    if ((err = srs_rtmp_send_window_ack_size(conn, SRS_RTMP_ACK_WINDOW)) != srs_success) return err;
    if ((err = srs_rtmp_send_set_peer_bandwidth(conn, SRS_RTMP_PEER_BANDWIDTH, SRS_RTMP_PEER_BW_DYNAMIC)) != srs_success) return err;
    if (id->out_chunk_size != srs_rtmp_conn_out_chunk_size(conn) &&
        (err = srs_rtmp_set_out_chunk_size(conn, id->out_chunk_size)) != srs_success) {
        return err;
    }
    srs_rtmp_command_t res;
    srs_rtmp_build_connect_result(&res, req->tid, id->object_encoding, SRS_PROXY_VERSION, id->srs_id);
    if ((err = send_and_free(conn, SRS_RTMP_CSID_COMMAND, 0, &res)) != srs_success) return err;
    srs_rtmp_command_init(&res, "onBWDone", 0, NULL);
    return send_and_free(conn, SRS_RTMP_CSID_COMMAND, 0, &res);
}

/* publish or play: the stream name (with its query) and who the client is. */
static srs_error_t on_publish_or_play(srs_rtmp_identify_t *id, const srs_rtmp_msg_t *msg, srs_rtmp_command_t *req,
                                      srs_rtmp_role_t role)
{
    const char *name = srs_amf0_string(srs_rtmp_command_arg(req, 0));
    if (!name || !name[0]) return srs_error_new(ERROR_STREAM_URL, "%s without a stream name", req->name);
    if (strlen(name) >= sizeof(id->stream)) return srs_error_new(ERROR_STREAM_URL, "%s: stream name too long", req->name);
    snprintf(id->stream, sizeof(id->stream), "%s", name);
    id->stream_id = msg->stream_id;
    id->role = role;
    return srs_success;
}

static srs_error_t on_command(srs_rtmp_identify_t *id, srs_rtmp_conn_t *conn, const srs_rtmp_msg_t *msg,
                              srs_rtmp_command_t *req)
{
    const char *name = req->name;
    if (!strcmp(name, "connect")) return on_connect(id, conn, req);
    if (!id->connected) return srs_error_new(ERROR_RTMP_MESSAGE, "%s before connect", name);

    srs_rtmp_command_t res;
    if (!strcmp(name, "createStream")) {
        srs_rtmp_build_create_stream_result(&res, req->tid, SRS_RTMP_CLIENT_STREAM_ID);
        return send_and_free(conn, SRS_RTMP_CSID_COMMAND, msg->stream_id, &res);
    }
    if (!strcmp(name, "publish")) return on_publish_or_play(id, msg, req, SRS_RTMP_ROLE_PUBLISHER);
    if (!strcmp(name, "play")) return on_publish_or_play(id, msg, req, SRS_RTMP_ROLE_PLAYER);
    if (!strcmp(name, "FCUnpublish") || !strcmp(name, "deleteStream") || !strcmp(name, "closeStream")) {
        return srs_error_new(ERROR_RTMP_MESSAGE, "%s before publish or play", name);
    }
    /* Go's quirk kept: getStreamLength gets no answer (ffmpeg does not wait for one). */
    if (!strcmp(name, "getStreamLength")) return srs_success;
    if (!strcmp(name, "FCPublish")) id->fc_publish = true;
    /* releaseStream and FCPublish always get their _result (FMLE waits); other calls only when
     * they ask for one (a transaction id), as SRS. */
    bool fmle = !strcmp(name, "releaseStream") || !strcmp(name, "FCPublish");
    if (!fmle && req->tid <= 0) return srs_success;
    srs_rtmp_build_call_result(&res, req->tid);
    return send_and_free(conn, SRS_RTMP_CSID_COMMAND, msg->stream_id, &res);
}

srs_error_t srs_rtmp_identify_on_message(srs_rtmp_identify_t *id, srs_rtmp_conn_t *conn, const srs_rtmp_msg_t *msg)
{
    if (srs_rtmp_identify_done(id)) return srs_error_new(ERROR_RTMP_MESSAGE, "identified already");
    switch (msg->type) {
    case SRS_RTMP_MSG_AUDIO:
    case SRS_RTMP_MSG_VIDEO:
    case SRS_RTMP_MSG_AGGREGATE:
        return srs_error_new(ERROR_RTMP_MESSAGE, "media (type %u) before publish", msg->type);
    case SRS_RTMP_MSG_COMMAND_AMF0:
    case SRS_RTMP_MSG_COMMAND_AMF3:
        break;
    default:
        return srs_success;
    }

    srs_rtmp_command_t req;
    srs_error_t err = srs_rtmp_command_decode(msg, &req);
    if (err) return srs_error_wrap(err, "identify");
    err = on_command(id, conn, msg, &req);
    srs_rtmp_command_free(&req);
    return err;
}

srs_error_t srs_rtmp_identify_accept(const srs_rtmp_identify_t *id, srs_rtmp_conn_t *conn)
{
    srs_error_t err = srs_success;
    srs_rtmp_command_t cmd;
    if (id->role == SRS_RTMP_ROLE_PUBLISHER) {
        if (id->fc_publish) {
            srs_rtmp_build_on_fc_publish(&cmd, "NetStream.Publish.Start", "Started publishing stream.");
            if ((err = send_and_free(conn, SRS_RTMP_CSID_STREAM, id->stream_id, &cmd)) != srs_success) return err;
        }
        srs_rtmp_build_on_status(&cmd, "status", "NetStream.Publish.Start", "Started publishing stream.", NULL,
                                 SRS_RTMP_CLIENT_ID);
        return send_and_free(conn, SRS_RTMP_CSID_STREAM, id->stream_id, &cmd);
    }
    if (id->role != SRS_RTMP_ROLE_PLAYER) return srs_error_new(ERROR_RTMP_MESSAGE, "accept before publish or play");

    if ((err = srs_rtmp_send_user_control(conn, SRS_RTMP_UC_STREAM_BEGIN, id->stream_id)) != srs_success) return err;
    srs_rtmp_build_on_status(&cmd, "status", "NetStream.Play.Reset", "Playing and resetting stream.", "stream",
                             SRS_RTMP_CLIENT_ID);
    if ((err = send_and_free(conn, SRS_RTMP_CSID_STREAM, id->stream_id, &cmd)) != srs_success) return err;
    srs_rtmp_build_on_status(&cmd, "status", "NetStream.Play.Start", "Started playing stream.", "stream",
                             SRS_RTMP_CLIENT_ID);
    return send_and_free(conn, SRS_RTMP_CSID_STREAM, id->stream_id, &cmd);
}

srs_error_t srs_rtmp_identify_refuse(const srs_rtmp_identify_t *id, srs_rtmp_conn_t *conn,
                                     const srs_rtmp_command_t *refusal, const char *description)
{
    bool publisher = id->role == SRS_RTMP_ROLE_PUBLISHER;
    const char *code = publisher ? "NetStream.Publish.Failed" : "NetStream.Play.Failed";
    const char *desc = description ? description : "failed";
    if (refusal && !strcmp(refusal->name, "onStatus")) {
        return srs_rtmp_send_command(conn, SRS_RTMP_CSID_STREAM, id->stream_id, refusal);
    }
    if (refusal) {
        srs_amf0_t *info = srs_rtmp_command_arg(refusal, 0);
        const char *c = srs_amf0_get_string(info, "code");
        const char *d = srs_amf0_get_string(info, "description");
        if (c && c[0]) code = c;
        if (d && d[0]) desc = d;
    }
    srs_rtmp_command_t cmd;
    srs_rtmp_build_on_status(&cmd, "error", code, desc, NULL, SRS_RTMP_CLIENT_ID);
    return send_and_free(conn, SRS_RTMP_CSID_STREAM, id->stream_id, &cmd);
}
