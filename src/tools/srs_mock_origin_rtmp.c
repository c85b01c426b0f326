/* SPDX-License-Identifier: MIT */
/* srs-mock-origin's RTMP server: it answers like SRS (srs_protocol_rtmp_identify), takes one
 * publisher per stream into the hub (a second one is refused with NetStream.Publish.BadName, as
 * SRS refuses a busy stream) and plays the hub to players, GOP cache first. When the publisher
 * leaves, its players get NetStream.Play.UnpublishNotify and are closed.
 *
 * Each request is logged at info level with what a test wants to check: the stream key, the
 * stream name as sent (tokens), the vhost, the tcUrl and the connect object's fields. */
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_mock_hub.h"
#include "srs_mock_origin.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_rtmp_handshake.h"
#include "srs_protocol_rtmp_identify.h"
#include "srs_protocol_st.h"
#include "srs_protocol_tcp_server.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define MOCK_RTMP_TIMEOUT (10 * SRS_UTIME_SECONDS)
/* A publisher silent this long is gone (SRS waits 5 s; tests stop and start more slowly). */
#define MOCK_RTMP_PUBLISH_IDLE (30 * SRS_UTIME_SECONDS)
#define MOCK_RTMP_SEND_TIMEOUT (30 * SRS_UTIME_SECONDS)
#define MOCK_RTMP_CHUNK_SIZE 60000

static srs_log_limit_t peer_errors = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 20);

typedef struct {
    st_netfd_t fd;
    char peer[80];
    srs_rtmp_conn_t *conn;
    srs_rtmp_identify_t id;
    srs_rtmp_url_t url;
    char key[600];
} mock_rtmp_t;

/* "app=live, tcUrl=rtmp://..., flashVer=..." from the connect object's strings and numbers. */
static void describe_object(const srs_amf0_t *o, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < srs_amf0_count(o) && n < size; i++) {
        const srs_amf0_t *v = srs_amf0_value_at(o, i);
        const char *sep = i ? ", " : "";
        int w = 0;
        if (srs_amf0_type(v) == SRS_AMF0_STRING) w = snprintf(out + n, size - n, "%s%s=%s", sep, srs_amf0_key_at(o, i), srs_amf0_string(v));
        else if (srs_amf0_type(v) == SRS_AMF0_NUMBER) w = snprintf(out + n, size - n, "%s%s=%g", sep, srs_amf0_key_at(o, i), srs_amf0_number(v));
        else w = snprintf(out + n, size - n, "%s%s=(type %d)", sep, srs_amf0_key_at(o, i), (int)srs_amf0_type(v));
        if (w < 0) break;
        n += (size_t)w;
    }
}

static srs_error_t identify(mock_rtmp_t *m)
{
    srs_error_t err = srs_success;
    if ((err = srs_rtmp_handshake_server(m->fd, MOCK_RTMP_TIMEOUT, NULL)) != srs_success) return srs_error_wrap(err, "handshake");
    m->conn = srs_rtmp_conn_new(m->fd);
    srs_rtmp_conn_set_timeouts(m->conn, MOCK_RTMP_TIMEOUT, MOCK_RTMP_SEND_TIMEOUT);
    srs_rtmp_identify_init(&m->id, MOCK_RTMP_CHUNK_SIZE, srs_context_id());
    while (!srs_rtmp_identify_done(&m->id)) {
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(m->conn, &msg)) != srs_success) return srs_error_wrap(err, "identify");
        if ((err = srs_rtmp_identify_on_message(&m->id, m->conn, &msg)) != srs_success) return err;
    }
    if ((err = srs_rtmp_url_parse(m->id.tc_url, m->id.stream, &m->url)) != srs_success) return err;
    snprintf(m->key, sizeof(m->key), "%s/%s", m->url.app, m->url.stream);

    char object[2048];
    describe_object(m->id.connect_object, object, sizeof(object));
    srs_log_info("RTMP %s key=%s stream=%s vhost=%s tcUrl=%s from %s, connect={%s}",
                 m->id.role == SRS_RTMP_ROLE_PUBLISHER ? "publish" : "play", m->key, m->id.stream, m->url.vhost,
                 m->id.tc_url, m->peer, object);
    return srs_success;
}

/* Give the client time to read our last words, then close. */
static void linger(st_netfd_t fd)
{
    shutdown(st_netfd_fileno(fd), SHUT_WR);
    char buf[4096];
    size_t n = 0;
    srs_error_t err = srs_success;
    while ((err = srs_st_read(fd, buf, sizeof(buf), SRS_UTIME_SECONDS, &n)) == srs_success) {
    }
    srs_error_free(err);
}

static srs_error_t publish(mock_rtmp_t *m)
{
    srs_error_t err = srs_success;
    srs_mock_stream_t *stream = NULL;
    if ((err = srs_mock_hub_publish(m->key, &stream)) != srs_success) {
        srs_rtmp_command_t busy;
        srs_rtmp_build_on_status(&busy, "error", "NetStream.Publish.BadName", "Stream is busy", NULL, SRS_RTMP_CLIENT_ID);
        srs_error_t werr = srs_rtmp_identify_refuse(&m->id, m->conn, &busy, NULL);
        srs_rtmp_command_free(&busy);
        if (!werr) linger(m->fd);
        srs_error_free(werr);
        return err;
    }
    if ((err = srs_rtmp_identify_accept(&m->id, m->conn)) != srs_success) goto done;

    srs_rtmp_conn_set_timeouts(m->conn, MOCK_RTMP_PUBLISH_IDLE, MOCK_RTMP_SEND_TIMEOUT);
    uint64_t msgs = 0;
    for (;;) {
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(m->conn, &msg)) != srs_success) break;
        if (msg.type == SRS_RTMP_MSG_AUDIO || msg.type == SRS_RTMP_MSG_VIDEO || msg.type == SRS_RTMP_MSG_DATA_AMF0) {
            srs_mock_stream_write(stream, msg.type, msg.timestamp, msg.payload, msg.size);
            msgs++;
            continue;
        }
        if (!srs_rtmp_msg_is_command(&msg)) continue;
        srs_rtmp_command_t cmd;
        if ((err = srs_rtmp_command_decode(&msg, &cmd)) != srs_success) break;
        bool end = !strcmp(cmd.name, "FCUnpublish") || !strcmp(cmd.name, "deleteStream") || !strcmp(cmd.name, "closeStream");
        srs_rtmp_command_free(&cmd);
        if (end) {
            err = srs_error_new(ERROR_SYSTEM_EOF, "client unpublished");
            break;
        }
    }
    srs_log_info("RTMP unpublish key=%s after %llu messages", m->key, (unsigned long long)msgs);

done:
    srs_mock_hub_unpublish(stream);
    return err;
}

/* A player's socket is read by a second coroutine: acknowledgements, and its close ends the play. */
typedef struct {
    srs_rtmp_conn_t *conn;
    srs_coroutine_t *player;
} play_reader_t;

static srs_error_t play_reader_cycle(void *arg)
{
    play_reader_t *r = (play_reader_t *)arg;
    for (;;) {
        srs_rtmp_msg_t msg;
        srs_error_t err = srs_rtmp_read_message(r->conn, &msg);
        if (err) {
            if (srs_error_code(err) != ERROR_SYSTEM_INTERRUPTED) srs_coroutine_interrupt(r->player);
            return err;
        }
    }
}

/* SRS's two data messages after Play.Start: |RtmpSampleAccess and onStatus NetStream.Data.Start. */
static srs_error_t send_play_data_start(mock_rtmp_t *m)
{
    srs_error_t err = srs_success;
    srs_amf0_buf_t buf = {0};
    srs_amf0_t *v[3] = {srs_amf0_new_string("|RtmpSampleAccess"), srs_amf0_new_boolean(true), srs_amf0_new_boolean(true)};
    for (int i = 0; i < 3; i++) {
        if (!err) err = srs_amf0_encode(v[i], &buf);
        srs_amf0_free(v[i]);
    }
    srs_rtmp_msg_t msg = {SRS_RTMP_MSG_DATA_AMF0, 0, m->id.stream_id, 0, buf.data, (uint32_t)buf.len};
    if (!err) err = srs_rtmp_write_message(m->conn, &msg, SRS_RTMP_CSID_STREAM);

    buf.len = 0;
    srs_amf0_t *name = srs_amf0_new_string("onStatus");
    srs_amf0_t *info = srs_amf0_new_object();
    srs_amf0_set(info, "code", srs_amf0_new_string("NetStream.Data.Start"));
    if (!err) err = srs_amf0_encode(name, &buf);
    if (!err) err = srs_amf0_encode(info, &buf);
    srs_amf0_free(name);
    srs_amf0_free(info);
    msg.payload = buf.data;
    msg.size = (uint32_t)buf.len;
    if (!err) err = srs_rtmp_write_message(m->conn, &msg, SRS_RTMP_CSID_STREAM);
    srs_amf0_buf_free(&buf);
    return err;
}

static srs_error_t play_loop(mock_rtmp_t *m, srs_mock_sub_t *sub, uint64_t *msgs)
{
    srs_error_t err = srs_success;
    for (;;) {
        srs_mock_msg_t *hm = NULL;
        if ((err = srs_mock_sub_read(sub, SRS_UTIME_NO_TIMEOUT, &hm)) != srs_success) return err;
        uint32_t csid = hm->type == SRS_RTMP_MSG_AUDIO ? SRS_RTMP_CSID_AUDIO
                      : hm->type == SRS_RTMP_MSG_VIDEO ? SRS_RTMP_CSID_VIDEO : SRS_RTMP_CSID_STREAM;
        srs_rtmp_msg_t msg = {hm->type, hm->timestamp, m->id.stream_id, csid, hm->data, hm->size};
        err = srs_rtmp_write_message(m->conn, &msg, csid);
        srs_mock_msg_unref(hm);
        if (err) return err;
        (*msgs)++;
    }
}

static srs_error_t play(mock_rtmp_t *m)
{
    srs_error_t err = srs_success;
    srs_mock_sub_t *sub = srs_mock_hub_subscribe(m->key);
    srs_coroutine_t *reader = NULL;
    play_reader_t pr = {m->conn, srs_coroutine_self()};
    uint64_t msgs = 0;

    srs_rtmp_conn_set_timeouts(m->conn, SRS_UTIME_NO_TIMEOUT, MOCK_RTMP_SEND_TIMEOUT);
    if ((err = srs_rtmp_identify_accept(&m->id, m->conn)) != srs_success) goto done;
    if ((err = send_play_data_start(m)) != srs_success) goto done;

    reader = srs_coroutine_new("mock-rtmp-reader", play_reader_cycle, &pr);
    srs_coroutine_set_cid(reader, srs_context_id());
    if ((err = srs_coroutine_start(reader)) != srs_success) goto done;

    err = play_loop(m, sub, &msgs);
    if (srs_error_code(err) == ERROR_SYSTEM_EOF) {
        /* The publisher left: say so as SRS does, then end this player. */
        srs_rtmp_command_t cmd;
        srs_rtmp_build_on_status(&cmd, "status", "NetStream.Play.UnpublishNotify", "stream is now unpublished", NULL,
                                 SRS_RTMP_CLIENT_ID);
        srs_error_t werr = srs_rtmp_send_command(m->conn, SRS_RTMP_CSID_STREAM, m->id.stream_id, &cmd);
        srs_rtmp_command_free(&cmd);
        srs_error_free(werr);
    }
    srs_log_info("RTMP play key=%s ended after %llu messages (%llu dropped)", m->key, (unsigned long long)msgs,
                 (unsigned long long)srs_mock_sub_dropped(sub));

done:
    srs_coroutine_free(reader);
    srs_mock_sub_free(sub);
    return err;
}

static srs_error_t on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    SRS_UNUSED(ctx);
    mock_rtmp_t m;
    memset(&m, 0, sizeof(m));
    m.fd = fd;
    srs_sockaddr_string(peer, m.peer, sizeof(m.peer));

    srs_error_t err = identify(&m);
    srs_mock_client_t *client = NULL;
    if (!err) {
        bool pub = m.id.role == SRS_RTMP_ROLE_PUBLISHER;
        client = srs_mock_client_add(m.id.srs_id, m.peer, m.key, m.id.tc_url, pub ? "fmle-publish" : "rtmp-play", pub);
        err = pub ? publish(&m) : play(&m);
    }
    srs_mock_client_remove(client);
    int code = srs_error_code(err);
    if (err && code != ERROR_SYSTEM_EOF && code != ERROR_SYSTEM_INTERRUPTED) {
        srs_log_limited(&peer_errors, SRS_LOG_WARN, "RTMP client %s key=%s: %s", m.peer, m.key[0] ? m.key : "-",
                        srs_error_summary(err));
    }
    srs_error_free(err);
    srs_rtmp_identify_free(&m.id);
    srs_rtmp_conn_free(m.conn);
    return srs_success;
}

srs_error_t srs_mock_rtmp_start(const srs_mock_config_t *cfg)
{
    srs_tcp_server_t *server = NULL;
    srs_error_t err = srs_tcp_server_start("RTMP", "", cfg->rtmp_port, on_conn, NULL, NULL, &server);
    if (err) return srs_error_wrap(err, "mock RTMP server");
    return srs_success;
}
