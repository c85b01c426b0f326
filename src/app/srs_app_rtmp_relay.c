/* SPDX-License-Identifier: MIT */
/* The RTMP relay (see the header). The per-message path allocates nothing and logs nothing. */
#include "srs_app_rtmp_relay.h"

#include "srs_core_context.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_rtmp_msg.h"

#include <string.h>

uint32_t srs_rtmp_sid_map(const srs_rtmp_sid_map_t *m, bool to_origin, uint32_t sid)
{
    uint32_t from = to_origin ? m->client_sid : m->origin_sid;
    uint32_t to = to_origin ? m->origin_sid : m->client_sid;
    return sid == from ? to : sid;
}

bool srs_rtmp_relay_is_hop_by_hop(uint8_t type)
{
    return type == SRS_RTMP_MSG_SET_CHUNK_SIZE || type == SRS_RTMP_MSG_ABORT || type == SRS_RTMP_MSG_ACK ||
           type == SRS_RTMP_MSG_WINDOW_ACK_SIZE || type == SRS_RTMP_MSG_SET_PEER_BANDWIDTH;
}

/* deleteStream(tid, null, sid): the argument names the client's (or origin's) stream. */
static srs_error_t map_delete_stream(const srs_rtmp_sid_map_t *m, bool to_origin, srs_rtmp_msg_t *msg,
                                     srs_amf0_buf_t *buf)
{
    srs_rtmp_command_t cmd;
    srs_error_t err = srs_rtmp_command_decode(msg, &cmd);
    if (err) return srs_error_wrap(err, "relay command");
    srs_amf0_t *sid = srs_rtmp_command_arg(&cmd, 0);
    if (strcmp(cmd.name, "deleteStream") != 0 || srs_amf0_type(sid) != SRS_AMF0_NUMBER ||
        srs_amf0_number(sid) != (double)(to_origin ? m->client_sid : m->origin_sid)) {
        srs_rtmp_command_free(&cmd);
        return srs_success;
    }
    srs_rtmp_command_t out;
    srs_rtmp_command_init(&out, cmd.name, cmd.tid, srs_amf0_copy(cmd.object));
    srs_rtmp_command_add(&out, srs_amf0_new_number(srs_rtmp_sid_map(m, to_origin, (uint32_t)srs_amf0_number(sid))));
    for (size_t i = 1; i < srs_amf0_count(cmd.args); i++) srs_rtmp_command_add(&out, srs_amf0_copy(srs_rtmp_command_arg(&cmd, i)));
    buf->len = 0;
    err = srs_rtmp_command_encode(&out, buf);
    srs_rtmp_command_free(&out);
    srs_rtmp_command_free(&cmd);
    if (err) return err;
    msg->type = SRS_RTMP_MSG_COMMAND_AMF0;
    msg->payload = buf->data;
    msg->size = (uint32_t)buf->len;
    return srs_success;
}

srs_error_t srs_rtmp_relay_map_message(const srs_rtmp_sid_map_t *m, bool to_origin, srs_rtmp_msg_t *msg,
                                       srs_amf0_buf_t *buf)
{
    msg->stream_id = srs_rtmp_sid_map(m, to_origin, msg->stream_id);
    if (m->client_sid == m->origin_sid) return srs_success;

    if (msg->type == SRS_RTMP_MSG_USER_CONTROL && msg->size >= 6) {
        uint8_t *p = msg->payload;
        uint16_t event = (uint16_t)((p[0] << 8) | p[1]);
        if (event <= SRS_RTMP_UC_STREAM_IS_RECORDED) {
            uint32_t v = ((uint32_t)p[2] << 24) | ((uint32_t)p[3] << 16) | ((uint32_t)p[4] << 8) | p[5];
            v = srs_rtmp_sid_map(m, to_origin, v);
            p[2] = (uint8_t)(v >> 24);
            p[3] = (uint8_t)(v >> 16);
            p[4] = (uint8_t)(v >> 8);
            p[5] = (uint8_t)v;
        }
        return srs_success;
    }
    if (srs_rtmp_msg_is_command(msg)) return map_delete_stream(m, to_origin, msg, buf);
    return srs_success;
}

typedef struct {
    srs_rtmp_relay_t *r;
    bool to_origin;
    srs_rtmp_conn_t *from, *to;
    uint64_t *count;
    srs_coroutine_t *peer; /* interrupted when this direction ends by itself */
} direction_t;

static srs_error_t forward(direction_t *d)
{
    srs_error_t err = srs_success;
    srs_amf0_buf_t buf = {0};
    for (;;) {
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(d->from, &msg)) != srs_success) break;
        if (srs_rtmp_relay_is_hop_by_hop(msg.type)) continue;
        if ((err = srs_rtmp_relay_map_message(&d->r->map, d->to_origin, &msg, &buf)) != srs_success) break;
        if ((err = srs_rtmp_write_message(d->to, &msg, msg.csid)) != srs_success) break;
        (*d->count)++;
    }
    srs_amf0_buf_free(&buf);
    return srs_error_wrap(err, "%s", d->to_origin ? "client to origin" : "origin to client");
}

static srs_error_t child_cycle(void *arg)
{
    direction_t *d = (direction_t *)arg;
    srs_error_t err = forward(d);
    /* Interrupted means the other direction stopped us; anything else ends the other one now. */
    if (srs_error_code(err) != ERROR_SYSTEM_INTERRUPTED) srs_coroutine_interrupt(d->peer);
    return err;
}

srs_error_t srs_rtmp_relay_run(srs_rtmp_relay_t *r)
{
    srs_error_t err = srs_success;
    srs_coroutine_t *self = srs_coroutine_self();
    if (!self) return srs_error_new(ERROR_SYSTEM_COROUTINE, "relay outside a coroutine");

    srs_rtmp_conn_set_timeouts(r->client, r->client_sends_media ? r->idle_timeout : SRS_UTIME_NO_TIMEOUT, r->send_timeout);
    srs_rtmp_conn_set_timeouts(r->origin, r->client_sends_media ? SRS_UTIME_NO_TIMEOUT : r->idle_timeout, r->send_timeout);

    direction_t up = {r, true, r->client, r->origin, &r->to_origin_msgs, NULL};
    direction_t down = {r, false, r->origin, r->client, &r->to_client_msgs, self};
    srs_coroutine_t *child = srs_coroutine_new("rtmp-relay", child_cycle, &down);
    srs_coroutine_set_cid(child, srs_context_id());
    if ((err = srs_coroutine_start(child)) != srs_success) {
        srs_coroutine_free(child);
        return err;
    }

    err = forward(&up);
    srs_error_t child_err = srs_coroutine_stop(child);
    srs_coroutine_free(child);
    /* The reason is whoever ended first: when the child did, we were merely interrupted. */
    if (srs_error_code(err) == ERROR_SYSTEM_INTERRUPTED && child_err &&
        srs_error_code(child_err) != ERROR_SYSTEM_INTERRUPTED) {
        srs_error_free(err);
        return child_err;
    }
    srs_error_free(child_err);
    return err;
}
