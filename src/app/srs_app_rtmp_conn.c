/* SPDX-License-Identifier: MIT */
/* One RTMP client through the proxy (see the header). */
#include "srs_app_rtmp_conn.h"

#include "srs_protocol_rtmp_identify.h"
#include "srs_app_rtmp_relay.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_stream_url.h"
#include "srs_protocol_rtmp_client.h"
#include "srs_protocol_rtmp_handshake.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* After saying no, how long the client may take to read it and close. */
#define SRS_RTMP_LINGER (1 * SRS_UTIME_SECONDS)

static int conns_alive;
static uint64_t conns_total;
/* Peers choose what they send: their errors are logged through this. */
static srs_log_limit_t peer_errors = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);

int srs_rtmp_conns_alive(void) { return conns_alive; }
uint64_t srs_rtmp_conns_total(void) { return conns_total; }

typedef struct {
    srs_proxy_t *proxy;
    st_netfd_t fd;
    char peer[80];
    bool complex_handshake;
    srs_rtmp_conn_t *conn;
    srs_rtmp_identify_t id;
    char stream_url[512];
    srs_origin_t origin;
    srs_rtmp_client_t *upstream;
} rtmp_session_t;

static const char *role_name(srs_rtmp_role_t role)
{
    return role == SRS_RTMP_ROLE_PUBLISHER ? "publish" : role == SRS_RTMP_ROLE_PLAYER ? "play" : "identify";
}

/* Handshake and identify, within one deadline. */
static srs_error_t identify(rtmp_session_t *s)
{
    srs_error_t err = srs_success;
    srs_utime_t deadline = srs_time_now() + SRS_RTMP_IDENTIFY_TIMEOUT;
    if ((err = srs_rtmp_handshake_server(s->fd, SRS_RTMP_IDENTIFY_TIMEOUT, &s->complex_handshake)) != srs_success) {
        return srs_error_wrap(err, "handshake");
    }
    s->conn = srs_rtmp_conn_new(s->fd);
    srs_rtmp_identify_init(&s->id, SRS_RTMP_OUT_CHUNK_SIZE, srs_context_id());
    while (!srs_rtmp_identify_done(&s->id)) {
        srs_utime_t left = deadline - srs_time_now();
        if (left <= 0) {
            return srs_error_new(ERROR_SYSTEM_TIMEOUT, "no publish or play within %llds",
                                 (long long)(SRS_RTMP_IDENTIFY_TIMEOUT / SRS_UTIME_SECONDS));
        }
        srs_rtmp_conn_set_timeouts(s->conn, left, SRS_RTMP_SEND_TIMEOUT);
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(s->conn, &msg)) != srs_success) return srs_error_wrap(err, "identify");
        if ((err = srs_rtmp_identify_on_message(&s->id, s->conn, &msg)) != srs_success) return err;
    }
    srs_rtmp_url_t url;
    if ((err = srs_rtmp_url_parse(s->id.tc_url, s->id.stream, &url)) != srs_success) return err;
    return srs_stream_url_from_parts(url.vhost, url.app, url.stream, s->stream_url, sizeof(s->stream_url));
}

/* Pick the origin and ask it for the same thing the client asked us. */
static srs_error_t connect_origin(rtmp_session_t *s)
{
    srs_error_t err = srs_success;
    srs_lb_t *lb = s->proxy->lb;
    if ((err = lb->vt->pick(lb, s->stream_url, &s->origin)) != srs_success) return srs_error_wrap(err, "pick %s", s->stream_url);
    if (!s->origin.rtmp_port) return srs_error_new(ERROR_ORIGIN_PORT, "origin %s has no rtmp server", s->origin.ip);

    err = srs_rtmp_client_open(s->origin.ip, s->origin.rtmp_port, SRS_RTMP_ORIGIN_CONNECT_TIMEOUT,
                               SRS_RTMP_ORIGIN_TIMEOUT, SRS_RTMP_OUT_CHUNK_SIZE, &s->upstream);
    if (!err) err = srs_rtmp_client_connect_app(s->upstream, s->id.connect_object);
    if (!err) {
        err = s->id.role == SRS_RTMP_ROLE_PUBLISHER ? srs_rtmp_client_publish(s->upstream, s->id.stream)
                                                    : srs_rtmp_client_play(s->upstream, s->id.stream);
    }
    if (err) return srs_error_wrap(err, "origin %s:%d", s->origin.ip, s->origin.rtmp_port);
    return srs_success;
}

/* Let the client read our last words: stop writing, drain what it still sends, then close. */
static void linger(st_netfd_t fd)
{
    shutdown(st_netfd_fileno(fd), SHUT_WR);
    srs_utime_t deadline = srs_time_now() + SRS_RTMP_LINGER;
    char buf[4096];
    for (srs_utime_t left; (left = deadline - srs_time_now()) > 0;) {
        size_t n = 0;
        srs_error_t err = srs_st_read(fd, buf, sizeof(buf), left, &n);
        if (err) {
            srs_error_free(err);
            return;
        }
    }
}

/* The origin (or the balancer) said no: tell the client in RTMP words, then close. */
static void refuse(rtmp_session_t *s, srs_error_t cause)
{
    const srs_rtmp_command_t *refusal = s->upstream && s->upstream->refused ? &s->upstream->refusal : NULL;
    const char *description = srs_error_code(cause) == ERROR_ORIGIN_NONE ? "no origin server" : "origin server unavailable";
    srs_rtmp_conn_set_timeouts(s->conn, SRS_RTMP_LINGER, SRS_RTMP_LINGER);
    srs_error_t err = srs_rtmp_identify_refuse(&s->id, s->conn, refusal, description);
    if (!err) linger(s->fd);
    srs_error_free(err);
}

static srs_error_t serve(rtmp_session_t *s)
{
    srs_error_t err = srs_success;
    if ((err = identify(s)) != srs_success) return err;

    if ((err = connect_origin(s)) != srs_success) {
        refuse(s, err);
        return err;
    }
    if ((err = srs_rtmp_identify_accept(&s->id, s->conn)) != srs_success) return srs_error_wrap(err, "accept");

    bool publisher = s->id.role == SRS_RTMP_ROLE_PUBLISHER;
    srs_log_info("RTMP %s %s (%s) from %s, %s handshake, origin %s:%d sid %u", role_name(s->id.role), s->stream_url,
                 s->id.stream, s->peer, s->complex_handshake ? "complex" : "simple", s->origin.ip,
                 s->origin.rtmp_port, s->upstream->stream_id);
    srs_rtmp_relay_t relay = {s->conn, s->upstream->conn, {s->id.stream_id, s->upstream->stream_id}, publisher,
                              SRS_RTMP_IDLE_TIMEOUT, SRS_RTMP_SEND_TIMEOUT, 0, 0};
    err = srs_rtmp_relay_run(&relay);
    srs_log_info("RTMP %s %s done, %llu messages to the origin, %llu to the client", role_name(s->id.role),
                 s->stream_url, (unsigned long long)relay.to_origin_msgs, (unsigned long long)relay.to_client_msgs);
    return err;
}

/* Peers closing or us stopping them is normal; anything else a peer did is worth a (limited) line. */
static void log_end(rtmp_session_t *s, srs_error_t err)
{
    int code = srs_error_code(err);
    if (!err || code == ERROR_SYSTEM_EOF || code == ERROR_SYSTEM_INTERRUPTED) {
        srs_log_debug("RTMP client %s closed%s%s", s->peer, err ? ": " : "", err ? srs_error_summary(err) : "");
        return;
    }
    srs_log_limited(&peer_errors, SRS_LOG_WARN, "RTMP client %s %s %s: %s", s->peer, role_name(s->id.role),
                    s->stream_url[0] ? s->stream_url : "-", srs_error_summary(err));
}

srs_error_t srs_rtmp_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    rtmp_session_t s;
    memset(&s, 0, sizeof(s));
    s.proxy = (srs_proxy_t *)ctx;
    s.fd = fd;
    srs_sockaddr_string(peer, s.peer, sizeof(s.peer));
    conns_alive++;
    conns_total++;

    srs_error_t err = serve(&s);
    log_end(&s, err);
    srs_error_free(err);

    srs_rtmp_client_close(s.upstream);
    srs_rtmp_identify_free(&s.id);
    srs_rtmp_conn_free(s.conn);
    conns_alive--;
    return srs_success;
}

srs_error_t srs_rtmp_server_start(srs_proxy_t *p, srs_tcp_server_t **out)
{
    const srs_listen_t *addr = &p->cfg->rtmp_server;
    srs_error_t err = srs_tcp_server_start("RTMP", addr->host, addr->port, srs_rtmp_on_conn, NULL, p, out);
    if (err) return srs_error_wrap(err, "start RTMP");
    return srs_success;
}
