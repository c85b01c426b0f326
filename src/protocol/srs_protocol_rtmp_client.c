/* SPDX-License-Identifier: MIT */
/* RTMP client: connect, publish, play (see the header). */
#include "srs_protocol_rtmp_client.h"

#include "srs_core_log.h"
#include "srs_protocol_rtmp_handshake.h"
#include "srs_protocol_st.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

srs_error_t srs_rtmp_client_open(const char *host, int port, srs_utime_t connect_timeout, srs_utime_t timeout,
                                 uint32_t out_chunk_size, srs_rtmp_client_t **out)
{
    srs_error_t err = srs_success;
    *out = NULL;
    srs_rtmp_client_t *c = (srs_rtmp_client_t *)calloc(1, sizeof(*c));
    if (!c) abort();
    c->timeout = timeout;
    c->deadline = SRS_UTIME_NO_TIMEOUT;
    c->next_tid = 2; /* connect is 1 */

    if ((err = srs_tcp_connect(host, port, connect_timeout, &c->fd)) != srs_success) {
        err = srs_error_wrap(err, "connect %s:%d", host, port);
        goto failed;
    }
    c->connected_at = srs_time_now();
    if ((err = srs_rtmp_handshake_client(c->fd, timeout)) != srs_success) {
        err = srs_error_wrap(err, "handshake with %s:%d", host, port);
        goto failed;
    }
    c->conn = srs_rtmp_conn_new(c->fd);
    srs_rtmp_conn_set_timeouts(c->conn, timeout, timeout);
    if (out_chunk_size && out_chunk_size != SRS_RTMP_DEFAULT_CHUNK_SIZE &&
        (err = srs_rtmp_set_out_chunk_size(c->conn, out_chunk_size)) != srs_success) {
        err = srs_error_wrap(err, "set chunk size");
        goto failed;
    }
    *out = c;
    return srs_success;

failed:
    srs_rtmp_client_close(c);
    return err;
}

void srs_rtmp_client_set_deadline(srs_rtmp_client_t *c, srs_utime_t deadline) { c->deadline = deadline; }

/* The end of an exchange starting now: its timeout, or the client's deadline when sooner. */
static srs_utime_t exchange_end(const srs_rtmp_client_t *c)
{
    srs_utime_t end = srs_time_now() + c->timeout;
    return c->deadline != SRS_UTIME_NO_TIMEOUT && c->deadline < end ? c->deadline : end;
}

void srs_rtmp_client_close(srs_rtmp_client_t *c)
{
    if (!c) return;
    srs_rtmp_conn_free(c->conn);
    srs_st_close(c->fd);
    srs_rtmp_command_free(&c->refusal);
    free(c);
}

/* Keep the server's refusal (taking cmd) and make the error that reports it. */
static srs_error_t refused(srs_rtmp_client_t *c, srs_rtmp_command_t *cmd, const char *what)
{
    srs_amf0_t *info = srs_rtmp_command_arg(cmd, 0);
    const char *code = srs_amf0_get_string(info, "code");
    const char *desc = srs_amf0_get_string(info, "description");
    srs_error_t err = srs_error_new(ERROR_RTMP_REFUSED, "%s refused: %s %s %s", what, cmd->name, code ? code : "",
                                    desc ? desc : "");
    srs_rtmp_command_free(&c->refusal);
    c->refusal = *cmd;
    memset(cmd, 0, sizeof(*cmd));
    c->refused = true;
    return err;
}

static srs_error_t wait_answer_by(srs_rtmp_client_t *c, const char *what, double tid, const char *want_code,
                                  srs_rtmp_command_t *result);

/* Read until the awaited answer to transaction tid: its _result (when want_code is NULL; *result
 * takes it when not NULL), or an onStatus with code want_code. An _error to tid, or an onStatus of
 * level "error", is a refusal; answers to other calls (releaseStream, FCPublish) are skipped. */
static srs_error_t wait_answer(srs_rtmp_client_t *c, const char *what, double tid, const char *want_code,
                               srs_rtmp_command_t *result)
{
    /* One deadline for the whole answer, whatever the server sends before it and however slowly. */
    srs_rtmp_conn_set_read_deadline(c->conn, exchange_end(c));
    srs_error_t err = wait_answer_by(c, what, tid, want_code, result);
    srs_rtmp_conn_set_read_deadline(c->conn, SRS_UTIME_NO_TIMEOUT);
    return err;
}

static srs_error_t wait_answer_by(srs_rtmp_client_t *c, const char *what, double tid, const char *want_code,
                                  srs_rtmp_command_t *result)
{
    srs_error_t err = srs_success;
    srs_rtmp_conn_set_timeouts(c->conn, SRS_UTIME_NO_TIMEOUT, c->timeout);
    for (;;) {
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(c->conn, &msg)) != srs_success) {
            return srs_error_wrap(err, "%s: awaiting the answer", what);
        }
        if (!srs_rtmp_msg_is_command(&msg)) continue;

        srs_rtmp_command_t cmd;
        if ((err = srs_rtmp_command_decode(&msg, &cmd)) != srs_success) return srs_error_wrap(err, "%s", what);
        bool ours = cmd.tid == tid;
        if (ours && !strcmp(cmd.name, "_error")) return refused(c, &cmd, what);
        if (!strcmp(cmd.name, "onStatus")) {
            const char *level = srs_amf0_get_string(srs_rtmp_command_arg(&cmd, 0), "level");
            const char *code = srs_rtmp_command_status_code(&cmd);
            if (level && !strcmp(level, "error")) return refused(c, &cmd, what);
            if (want_code && code && !strcmp(code, want_code)) {
                srs_rtmp_command_free(&cmd);
                return srs_success;
            }
        }
        if (ours && !want_code && !strcmp(cmd.name, "_result")) {
            if (result) *result = cmd;
            else srs_rtmp_command_free(&cmd);
            return srs_success;
        }
        srs_rtmp_command_free(&cmd);
    }
}

/* Send cmd (freeing it) on csid and the given message stream. */
static srs_error_t send_and_free(srs_rtmp_client_t *c, uint32_t csid, uint32_t stream_id, srs_rtmp_command_t *cmd)
{
    srs_utime_t left = exchange_end(c) - srs_time_now();
    if (left <= 0) {
        srs_rtmp_command_free(cmd);
        return srs_error_new(ERROR_SYSTEM_TIMEOUT, "send: deadline passed");
    }
    srs_rtmp_conn_set_timeouts(c->conn, left, left);
    srs_error_t err = srs_rtmp_send_command(c->conn, csid, stream_id, cmd);
    srs_rtmp_command_free(cmd);
    return err;
}

srs_error_t srs_rtmp_client_connect_app(srs_rtmp_client_t *c, const srs_amf0_t *object)
{
    srs_rtmp_command_t cmd;
    srs_rtmp_build_connect(&cmd, object);
    srs_error_t err = send_and_free(c, SRS_RTMP_CSID_COMMAND, 0, &cmd);
    if (err) return srs_error_wrap(err, "connect");
    return wait_answer(c, "connect", 1, NULL, NULL);
}

/* createStream and wait for the stream id. */
static srs_error_t create_stream(srs_rtmp_client_t *c)
{
    srs_error_t err = srs_success;
    double tid = c->next_tid++;
    srs_rtmp_command_t cmd;
    srs_rtmp_build_create_stream(&cmd, tid);
    if ((err = send_and_free(c, SRS_RTMP_CSID_COMMAND, 0, &cmd)) != srs_success) return srs_error_wrap(err, "createStream");

    srs_rtmp_command_t res;
    if ((err = wait_answer(c, "createStream", tid, NULL, &res)) != srs_success) return err;
    srs_amf0_t *sid = srs_rtmp_command_arg(&res, 0);
    double v = srs_amf0_type(sid) == SRS_AMF0_NUMBER ? srs_amf0_number(sid) : 0;
    srs_rtmp_command_free(&res);
    if (!(v >= 1 && v <= 0xFFFFFF)) return srs_error_new(ERROR_RTMP_MESSAGE, "createStream answered stream id %g", v);
    c->stream_id = (uint32_t)v;
    return srs_success;
}

srs_error_t srs_rtmp_client_publish(srs_rtmp_client_t *c, const char *stream)
{
    srs_error_t err = srs_success;
    srs_rtmp_command_t cmd;
    /* As ffmpeg: releaseStream and FCPublish go out with createStream; their answers are skipped. */
    srs_rtmp_build_release_stream(&cmd, c->next_tid++, stream);
    if ((err = send_and_free(c, SRS_RTMP_CSID_COMMAND, 0, &cmd)) != srs_success) return srs_error_wrap(err, "releaseStream");
    srs_rtmp_build_fc_publish(&cmd, c->next_tid++, stream);
    if ((err = send_and_free(c, SRS_RTMP_CSID_COMMAND, 0, &cmd)) != srs_success) return srs_error_wrap(err, "FCPublish");
    if ((err = create_stream(c)) != srs_success) return err;

    double tid = c->next_tid++;
    srs_rtmp_build_publish(&cmd, tid, stream, "live");
    if ((err = send_and_free(c, SRS_RTMP_CSID_STREAM, c->stream_id, &cmd)) != srs_success) return srs_error_wrap(err, "publish");
    return wait_answer(c, "publish", tid, "NetStream.Publish.Start", NULL);
}

srs_error_t srs_rtmp_client_play(srs_rtmp_client_t *c, const char *stream)
{
    srs_error_t err = srs_success;
    if ((err = create_stream(c)) != srs_success) return err;
    srs_rtmp_command_t cmd;
    double tid = c->next_tid++;
    srs_rtmp_build_play(&cmd, tid, stream);
    if ((err = send_and_free(c, SRS_RTMP_CSID_STREAM, c->stream_id, &cmd)) != srs_success) return srs_error_wrap(err, "play");
    return wait_answer(c, "play", tid, "NetStream.Play.Start", NULL);
}

srs_amf0_t *srs_rtmp_client_connect_object(const char *tc_url, const char *app)
{
    srs_amf0_t *o = srs_amf0_new_object();
    srs_amf0_set(o, "app", srs_amf0_new_string(app));
    srs_amf0_set(o, "flashVer", srs_amf0_new_string("LNX 9,0,124,2"));
    srs_amf0_set(o, "tcUrl", srs_amf0_new_string(tc_url));
    srs_amf0_set(o, "fpad", srs_amf0_new_boolean(false));
    srs_amf0_set(o, "capabilities", srs_amf0_new_number(15));
    srs_amf0_set(o, "audioCodecs", srs_amf0_new_number(4071));
    srs_amf0_set(o, "videoCodecs", srs_amf0_new_number(252));
    srs_amf0_set(o, "videoFunction", srs_amf0_new_number(1));
    srs_amf0_set(o, "objectEncoding", srs_amf0_new_number(0));
    return o;
}

srs_error_t srs_rtmp_url_split(const char *url, char *tc_url, size_t tc_size, char *stream, size_t stream_size)
{
    if (strncmp(url, "rtmp://", 7) != 0) return srs_error_new(ERROR_STREAM_URL, "%s is no rtmp:// URL", url);
    const char *authority = url + 7;
    const char *query = strchr(authority, '?');
    const char *path_end = query ? query : authority + strlen(authority);
    const char *first_slash = memchr(authority, '/', (size_t)(path_end - authority));
    const char *last_slash = NULL;
    for (const char *p = authority; p < path_end; p++) {
        if (*p == '/') last_slash = p;
    }
    if (!first_slash || last_slash == first_slash || last_slash + 1 == path_end) {
        return srs_error_new(ERROR_STREAM_URL, "%s: want rtmp://host/app/stream", url);
    }
    size_t tc_len = (size_t)(last_slash - url);
    size_t stream_len = strlen(last_slash + 1);
    if (tc_len >= tc_size || stream_len >= stream_size) return srs_error_new(ERROR_STREAM_URL, "%s: too long", url);
    memcpy(tc_url, url, tc_len);
    tc_url[tc_len] = '\0';
    memcpy(stream, last_slash + 1, stream_len + 1);
    return srs_success;
}
