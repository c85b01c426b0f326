/* SPDX-License-Identifier: MIT */
/* RTMP commands, control messages and tcUrl parsing. */
#include "srs_protocol_rtmp_msg.h"

#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

void srs_rtmp_command_init(srs_rtmp_command_t *cmd, const char *name, double tid, srs_amf0_t *object)
{
    cmd->name = xstrdup(name);
    cmd->tid = tid;
    cmd->object = object ? object : srs_amf0_new_null();
    cmd->args = srs_amf0_new_strict_array();
}

void srs_rtmp_command_add(srs_rtmp_command_t *cmd, srs_amf0_t *arg) { srs_amf0_append(cmd->args, arg); }

srs_amf0_t *srs_rtmp_command_arg(const srs_rtmp_command_t *cmd, size_t i) { return srs_amf0_value_at(cmd->args, i); }

void srs_rtmp_command_free(srs_rtmp_command_t *cmd)
{
    if (!cmd) return;
    free(cmd->name);
    srs_amf0_free(cmd->object);
    srs_amf0_free(cmd->args);
    memset(cmd, 0, sizeof(*cmd));
}

bool srs_rtmp_msg_is_command(const srs_rtmp_msg_t *msg)
{
    return msg->type == SRS_RTMP_MSG_COMMAND_AMF0 || msg->type == SRS_RTMP_MSG_COMMAND_AMF3;
}

srs_error_t srs_rtmp_command_decode(const srs_rtmp_msg_t *msg, srs_rtmp_command_t *cmd)
{
    srs_error_t err = srs_success;
    memset(cmd, 0, sizeof(*cmd));
    if (!srs_rtmp_msg_is_command(msg)) return srs_error_new(ERROR_RTMP_MESSAGE, "message type %u is no command", msg->type);

    const uint8_t *p = msg->payload;
    size_t size = msg->size;
    /* An AMF3 command starts with a format byte, then AMF0 (as SRS and librtmp read it). */
    if (msg->type == SRS_RTMP_MSG_COMMAND_AMF3) {
        if (size < 1) return srs_error_new(ERROR_RTMP_MESSAGE, "empty AMF3 command");
        p++;
        size--;
    }

    /* One budget for the whole command: many small top-level values cost as much as one array. */
    srs_amf0_budget_t budget;
    srs_amf0_budget_init(&budget, SRS_AMF0_MAX_NODES, SRS_AMF0_MAX_DEPTH);
    srs_amf0_t *name = NULL;
    size_t used = 0;
    if ((err = srs_amf0_decode_budget(p, size, &budget, &name, &used)) != srs_success) return srs_error_wrap(err, "command name");
    if (srs_amf0_type(name) != SRS_AMF0_STRING) {
        int type = (int)srs_amf0_type(name);
        srs_amf0_free(name);
        return srs_error_new(ERROR_RTMP_MESSAGE, "command name is AMF0 type %d, want a string", type);
    }
    srs_rtmp_command_init(cmd, srs_amf0_string(name), 0, NULL);
    srs_amf0_free(name);
    p += used;
    size -= used;

    /* Then tid, object, args: each optional, in that order. */
    for (int i = 0; size > 0; i++) {
        srs_amf0_t *v = NULL;
        if ((err = srs_amf0_decode_budget(p, size, &budget, &v, &used)) != srs_success) {
            err = srs_error_wrap(err, "command %s value %d", cmd->name, i + 1);
            srs_rtmp_command_free(cmd);
            return err;
        }
        p += used;
        size -= used;
        if (i == 0) {
            if (srs_amf0_type(v) != SRS_AMF0_NUMBER) {
                err = srs_error_new(ERROR_RTMP_MESSAGE, "command %s transaction id is AMF0 type %d", cmd->name, srs_amf0_type(v));
                srs_amf0_free(v);
                srs_rtmp_command_free(cmd);
                return err;
            }
            cmd->tid = srs_amf0_number(v);
            srs_amf0_free(v);
        } else if (i == 1) {
            srs_amf0_free(cmd->object);
            cmd->object = v;
        } else {
            srs_rtmp_command_add(cmd, v);
        }
    }
    return srs_success;
}

srs_error_t srs_rtmp_command_encode(const srs_rtmp_command_t *cmd, srs_amf0_buf_t *out)
{
    srs_error_t err = srs_success;
    srs_amf0_t *name = srs_amf0_new_string(cmd->name);
    srs_amf0_t *tid = srs_amf0_new_number(cmd->tid);
    size_t start = out->len;
    if ((err = srs_amf0_encode(name, out)) == srs_success && (err = srs_amf0_encode(tid, out)) == srs_success) {
        err = srs_amf0_encode(cmd->object, out);
    }
    for (size_t i = 0; !err && i < srs_amf0_count(cmd->args); i++) {
        err = srs_amf0_encode(srs_amf0_value_at(cmd->args, i), out);
    }
    srs_amf0_free(name);
    srs_amf0_free(tid);
    if (err) {
        out->len = start;
        return srs_error_wrap(err, "encode command %s", cmd->name);
    }
    return srs_success;
}

srs_error_t srs_rtmp_send_command(srs_rtmp_conn_t *conn, uint32_t csid, uint32_t stream_id, const srs_rtmp_command_t *cmd)
{
    srs_amf0_buf_t buf = {0};
    srs_error_t err = srs_rtmp_command_encode(cmd, &buf);
    if (!err && buf.len > SRS_RTMP_MAX_MESSAGE_LENGTH) {
        err = srs_error_new(ERROR_RTMP_MESSAGE, "command %s of %zu bytes", cmd->name, buf.len);
    }
    if (!err) {
        srs_rtmp_msg_t msg = {SRS_RTMP_MSG_COMMAND_AMF0, 0, stream_id, csid, buf.data, (uint32_t)buf.len};
        if ((err = srs_rtmp_write_message(conn, &msg, csid)) != srs_success) err = srs_error_wrap(err, "send %s", cmd->name);
    }
    srs_amf0_buf_free(&buf);
    return err;
}

/* ---- Builders ---- */

void srs_rtmp_build_connect(srs_rtmp_command_t *cmd, const srs_amf0_t *object)
{
    srs_rtmp_command_init(cmd, "connect", 1, object ? srs_amf0_copy(object) : srs_amf0_new_object());
}

void srs_rtmp_build_connect_result(srs_rtmp_command_t *cmd, double tid, double object_encoding,
                                   const char *srs_version, const char *srs_id)
{
    srs_amf0_t *props = srs_amf0_new_object();
    srs_amf0_set(props, "fmsVer", srs_amf0_new_string(SRS_RTMP_FMS_VERSION));
    srs_amf0_set(props, "capabilities", srs_amf0_new_number(127));
    srs_amf0_set(props, "mode", srs_amf0_new_number(1));
    srs_rtmp_command_init(cmd, "_result", tid, props);

    srs_amf0_t *data = srs_amf0_new_ecma_array();
    srs_amf0_set(data, "version", srs_amf0_new_string(SRS_RTMP_SERVER_VERSION));
    srs_amf0_set(data, "srs_version", srs_amf0_new_string(srs_version));
    srs_amf0_set(data, "srs_id", srs_amf0_new_string(srs_id));

    srs_amf0_t *info = srs_amf0_new_object();
    srs_amf0_set(info, "level", srs_amf0_new_string("status"));
    srs_amf0_set(info, "code", srs_amf0_new_string("NetConnection.Connect.Success"));
    srs_amf0_set(info, "description", srs_amf0_new_string("Connection succeeded"));
    srs_amf0_set(info, "objectEncoding", srs_amf0_new_number(object_encoding));
    srs_amf0_set(info, "data", data);
    srs_rtmp_command_add(cmd, info);
}

void srs_rtmp_build_connect_error(srs_rtmp_command_t *cmd, double tid, const char *description)
{
    srs_rtmp_command_init(cmd, "_error", tid, NULL);
    srs_amf0_t *info = srs_amf0_new_object();
    srs_amf0_set(info, "level", srs_amf0_new_string("error"));
    srs_amf0_set(info, "code", srs_amf0_new_string("NetConnection.Connect.Rejected"));
    srs_amf0_set(info, "description", srs_amf0_new_string(description));
    srs_rtmp_command_add(cmd, info);
}

void srs_rtmp_build_call_result(srs_rtmp_command_t *cmd, double tid)
{
    srs_rtmp_command_init(cmd, "_result", tid, NULL);
    srs_rtmp_command_add(cmd, srs_amf0_new_undefined());
}

void srs_rtmp_build_create_stream(srs_rtmp_command_t *cmd, double tid)
{
    srs_rtmp_command_init(cmd, "createStream", tid, NULL);
}

void srs_rtmp_build_create_stream_result(srs_rtmp_command_t *cmd, double tid, double stream_id)
{
    srs_rtmp_command_init(cmd, "_result", tid, NULL);
    srs_rtmp_command_add(cmd, srs_amf0_new_number(stream_id));
}

/* name(tid, null, stream) */
static void build_stream_call(srs_rtmp_command_t *cmd, const char *name, double tid, const char *stream)
{
    srs_rtmp_command_init(cmd, name, tid, NULL);
    srs_rtmp_command_add(cmd, srs_amf0_new_string(stream));
}

void srs_rtmp_build_release_stream(srs_rtmp_command_t *cmd, double tid, const char *stream)
{
    build_stream_call(cmd, "releaseStream", tid, stream);
}

void srs_rtmp_build_fc_publish(srs_rtmp_command_t *cmd, double tid, const char *stream)
{
    build_stream_call(cmd, "FCPublish", tid, stream);
}

void srs_rtmp_build_publish(srs_rtmp_command_t *cmd, double tid, const char *stream, const char *type)
{
    build_stream_call(cmd, "publish", tid, stream);
    srs_rtmp_command_add(cmd, srs_amf0_new_string(type ? type : "live"));
}

void srs_rtmp_build_play(srs_rtmp_command_t *cmd, double tid, const char *stream)
{
    build_stream_call(cmd, "play", tid, stream);
}

void srs_rtmp_build_on_status(srs_rtmp_command_t *cmd, const char *level, const char *code,
                              const char *description, const char *details, const char *clientid)
{
    srs_rtmp_command_init(cmd, "onStatus", 0, NULL);
    srs_amf0_t *info = srs_amf0_new_object();
    srs_amf0_set(info, "level", srs_amf0_new_string(level));
    srs_amf0_set(info, "code", srs_amf0_new_string(code));
    srs_amf0_set(info, "description", srs_amf0_new_string(description));
    if (details) srs_amf0_set(info, "details", srs_amf0_new_string(details));
    if (clientid) srs_amf0_set(info, "clientid", srs_amf0_new_string(clientid));
    srs_rtmp_command_add(cmd, info);
}

void srs_rtmp_build_on_fc_publish(srs_rtmp_command_t *cmd, const char *code, const char *description)
{
    srs_rtmp_command_init(cmd, "onFCPublish", 0, NULL);
    srs_amf0_t *info = srs_amf0_new_object();
    srs_amf0_set(info, "code", srs_amf0_new_string(code));
    srs_amf0_set(info, "description", srs_amf0_new_string(description));
    srs_rtmp_command_add(cmd, info);
}

const char *srs_rtmp_command_status_code(const srs_rtmp_command_t *cmd)
{
    return srs_amf0_get_string(srs_rtmp_command_arg(cmd, 0), "code");
}

/* ---- Control messages ---- */

static srs_error_t send_control(srs_rtmp_conn_t *conn, uint8_t type, uint8_t *payload, uint32_t size)
{
    srs_rtmp_msg_t msg = {type, 0, 0, SRS_RTMP_CSID_PROTOCOL, payload, size};
    return srs_rtmp_write_message(conn, &msg, SRS_RTMP_CSID_PROTOCOL);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

srs_error_t srs_rtmp_send_window_ack_size(srs_rtmp_conn_t *conn, uint32_t size)
{
    return srs_rtmp_write_u32_message(conn, SRS_RTMP_MSG_WINDOW_ACK_SIZE, size);
}

srs_error_t srs_rtmp_send_set_peer_bandwidth(srs_rtmp_conn_t *conn, uint32_t size, uint8_t limit_type)
{
    uint8_t payload[5];
    put_be32(payload, size);
    payload[4] = limit_type;
    return send_control(conn, SRS_RTMP_MSG_SET_PEER_BANDWIDTH, payload, sizeof(payload));
}

srs_error_t srs_rtmp_send_user_control(srs_rtmp_conn_t *conn, uint16_t event, uint32_t value)
{
    uint8_t payload[6] = {(uint8_t)(event >> 8), (uint8_t)event};
    put_be32(payload + 2, value);
    return send_control(conn, SRS_RTMP_MSG_USER_CONTROL, payload, sizeof(payload));
}

srs_error_t srs_rtmp_parse_user_control(const srs_rtmp_msg_t *msg, uint16_t *event, uint32_t *value)
{
    if (msg->type != SRS_RTMP_MSG_USER_CONTROL || msg->size < 6) {
        return srs_error_new(ERROR_RTMP_MESSAGE, "user control: type %u of %u bytes", msg->type, msg->size);
    }
    const uint8_t *p = msg->payload;
    *event = (uint16_t)((p[0] << 8) | p[1]);
    *value = ((uint32_t)p[2] << 24) | ((uint32_t)p[3] << 16) | ((uint32_t)p[4] << 8) | p[5];
    return srs_success;
}

/* ---- tcUrl ---- */

/* Copy [s, s+len) into a field; false when it does not fit. */
static bool copy_field(char *dst, size_t size, const char *s, size_t len)
{
    if (len >= size) return false;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return true;
}

/* The value of `key` in a query "a=1&b=2" (len bytes): its start and length; false if absent. */
static bool query_get(const char *query, size_t len, const char *key, const char **value, size_t *value_len)
{
    size_t klen = strlen(key);
    const char *end = query + len;
    for (const char *p = query; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *item_end = amp ? amp : end;
        if ((size_t)(item_end - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
            *value = p + klen + 1;
            *value_len = (size_t)(item_end - *value);
            return true;
        }
        if (!amp) break;
        p = amp + 1;
    }
    return false;
}

srs_error_t srs_rtmp_url_parse(const char *tc_url, const char *stream, srs_rtmp_url_t *out)
{
    memset(out, 0, sizeof(*out));
    out->port = 1935;
    if (!tc_url) return srs_error_new(ERROR_STREAM_URL, "no tcUrl");

    const char *p = strstr(tc_url, "://");
    if (!p || p == tc_url) return srs_error_new(ERROR_STREAM_URL, "tcUrl %s has no scheme", tc_url);
    p += 3;

    /* Authority: up to the path or the query; drop any user info. */
    size_t auth_len = strcspn(p, "/?");
    const char *auth = p, *auth_end = p + auth_len;
    const char *at = memchr(auth, '@', auth_len);
    if (at) auth = at + 1;

    const char *host = auth, *host_end = NULL, *port = NULL;
    if (*auth == '[') {
        const char *close = memchr(auth, ']', (size_t)(auth_end - auth));
        if (!close) return srs_error_new(ERROR_STREAM_URL, "tcUrl %s: unclosed IPv6 host", tc_url);
        host = auth + 1;
        host_end = close;
        if (close + 1 < auth_end) {
            if (close[1] != ':') return srs_error_new(ERROR_STREAM_URL, "tcUrl %s: junk after IPv6 host", tc_url);
            port = close + 2;
        }
    } else {
        const char *colon = memchr(auth, ':', (size_t)(auth_end - auth));
        host_end = colon ? colon : auth_end;
        if (colon) port = colon + 1;
    }
    if (host_end == host) return srs_error_new(ERROR_STREAM_URL, "tcUrl %s has no host", tc_url);
    if (!copy_field(out->host, sizeof(out->host), host, (size_t)(host_end - host))) {
        return srs_error_new(ERROR_STREAM_URL, "tcUrl %s: host too long", tc_url);
    }
    if (port) {
        int v = 0;
        if (port == auth_end) return srs_error_new(ERROR_STREAM_URL, "tcUrl %s: empty port", tc_url);
        for (const char *q = port; q < auth_end; q++) {
            if (*q < '0' || *q > '9' || (v = v * 10 + (*q - '0')) > 65535) {
                return srs_error_new(ERROR_STREAM_URL, "tcUrl %s: bad port", tc_url);
            }
        }
        if (v == 0) return srs_error_new(ERROR_STREAM_URL, "tcUrl %s: port 0", tc_url);
        out->port = v;
    }

    /* App: the path without slashes around it and without the query. */
    p = auth_end;
    while (*p == '/') p++;
    size_t app_len = strcspn(p, "?");
    const char *tc_query = p[app_len] == '?' ? p + app_len + 1 : NULL;
    while (app_len > 0 && p[app_len - 1] == '/') app_len--;
    if (app_len == 0) return srs_error_new(ERROR_STREAM_URL, "tcUrl %s has no app", tc_url);
    if (!copy_field(out->app, sizeof(out->app), p, app_len)) {
        return srs_error_new(ERROR_STREAM_URL, "tcUrl %s: app too long", tc_url);
    }

    /* Stream name and its query. */
    const char *s_query = NULL;
    if (stream) {
        size_t name_len = strcspn(stream, "?");
        if (!copy_field(out->stream, sizeof(out->stream), stream, name_len)) {
            return srs_error_new(ERROR_STREAM_URL, "stream %s: name too long", stream);
        }
        if (stream[name_len] == '?') {
            s_query = stream + name_len + 1;
            if (!copy_field(out->query, sizeof(out->query), s_query, strlen(s_query))) {
                return srs_error_new(ERROR_STREAM_URL, "stream %s: query too long", stream);
            }
        }
    }

    /* The vhost: the stream's ?vhost= wins over the tcUrl's, which wins over the host. */
    const char *vhost = NULL;
    size_t vhost_len = 0;
    if (!(s_query && query_get(s_query, strlen(s_query), "vhost", &vhost, &vhost_len) && vhost_len) &&
        !(tc_query && query_get(tc_query, strlen(tc_query), "vhost", &vhost, &vhost_len) && vhost_len)) {
        vhost = out->host;
        vhost_len = strlen(out->host);
    }
    if (!copy_field(out->vhost, sizeof(out->vhost), vhost, vhost_len)) {
        return srs_error_new(ERROR_STREAM_URL, "tcUrl %s: vhost too long", tc_url);
    }
    return srs_success;
}
