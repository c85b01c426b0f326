/* SPDX-License-Identifier: MIT */
/* One RTMP client through the proxy (see the header). */
#include "srs_app_rtmp_conn.h"

#include "srs_protocol_rtmp_identify.h"
#include "srs_app_rtmp_relay.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_prometheus.h"
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
/* Clients dropped before they were identified, by reason (srs_rtmp_reject_reason_t). */
static uint64_t rejected[SRS_RTMP_REJECT_REASONS];
/* Peers choose what they send: their errors are logged through this. */
static srs_log_limit_t peer_errors = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);
/* And the budgets they hit, through this one (an attack must not silence other warnings). */
static srs_log_limit_t reject_logs = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);

int srs_rtmp_conns_alive(void) { return conns_alive; }
uint64_t srs_rtmp_conns_total(void) { return conns_total; }

const char *srs_rtmp_reject_reason_name(srs_rtmp_reject_reason_t reason)
{
    static const char *names[SRS_RTMP_REJECT_REASONS] = {"deadline", "too_large", "amf0_budget"};
    return (int)reason >= 0 && reason < SRS_RTMP_REJECT_REASONS ? names[reason] : "unknown";
}

uint64_t srs_rtmp_rejected_total(srs_rtmp_reject_reason_t reason)
{
    return (int)reason >= 0 && reason < SRS_RTMP_REJECT_REASONS ? rejected[reason] : 0;
}

bool srs_rtmp_reject_reason_of(srs_error_t err, srs_rtmp_reject_reason_t *reason)
{
    switch (srs_error_code(err)) {
    case ERROR_SYSTEM_TIMEOUT: *reason = SRS_RTMP_REJECT_DEADLINE; return true;
    case ERROR_RTMP_TOO_LARGE: *reason = SRS_RTMP_REJECT_TOO_LARGE; return true;
    case ERROR_RTMP_AMF0_BUDGET: *reason = SRS_RTMP_REJECT_AMF0_BUDGET; return true;
    default: return false;
    }
}

void srs_rtmp_metrics_render(srs_strbuf_t *out)
{
    srs_prom_family(out, "srs_proxy_rtmp_rejected_total", "counter",
                    "RTMP clients dropped before publish/play: deadline, too_large (message), amf0_budget.");
    for (int i = 0; i < SRS_RTMP_REJECT_REASONS; i++) {
        const char *labels[] = {"reason", srs_rtmp_reject_reason_name((srs_rtmp_reject_reason_t)i)};
        srs_prom_sample_u64(out, "srs_proxy_rtmp_rejected_total", labels, 1, rejected[i]);
    }
}

/* Lifetimes: everything here is owned by the connection's coroutine. The origin is a copy made
 * by lb->pick (never a pointer into the balancer's table, which may change while this coroutine
 * waits on the origin); the proxy and its balancer live as long as the process. */
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
    bool rejected;               /* dropped over a pre-identify budget: counted and logged already */
} rtmp_session_t;

static const char *role_name(srs_rtmp_role_t role)
{
    return role == SRS_RTMP_ROLE_PUBLISHER ? "publish" : role == SRS_RTMP_ROLE_PLAYER ? "play" : "identify";
}

/* Handshake and identify, within one deadline: every read waits only for what is left of it. */
static srs_error_t identify(rtmp_session_t *s)
{
    srs_error_t err = srs_success;
    srs_utime_t deadline = srs_time_now() + SRS_RTMP_IDENTIFY_TIMEOUT;
    if ((err = srs_rtmp_handshake_server(s->fd, SRS_RTMP_IDENTIFY_TIMEOUT, &s->complex_handshake)) != srs_success) {
        return srs_error_wrap(err, "handshake");
    }
    s->conn = srs_rtmp_conn_new(s->fd);
    /* Until the client is identified it gets small messages only (a connect object needs a few
     * hundred bytes), refused from the chunk header before anything is buffered. */
    srs_rtmp_conn_set_max_message_size(s->conn, SRS_RTMP_IDENTIFY_MAX_MESSAGE_SIZE);
    srs_rtmp_conn_set_read_deadline(s->conn, deadline);
    srs_rtmp_identify_init(&s->id, SRS_RTMP_OUT_CHUNK_SIZE, srs_context_id());
    while (!srs_rtmp_identify_done(&s->id)) {
        srs_utime_t left = deadline - srs_time_now();
        if (left <= 0) {
            return srs_error_new(ERROR_SYSTEM_TIMEOUT, "no publish or play within %llds",
                                 (long long)(SRS_RTMP_IDENTIFY_TIMEOUT / SRS_UTIME_SECONDS));
        }
        /* Our answers are a few hundred bytes: they get what is left too. */
        srs_rtmp_conn_set_timeouts(s->conn, SRS_UTIME_NO_TIMEOUT, SRS_MIN(left, SRS_RTMP_SEND_TIMEOUT));
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(s->conn, &msg)) != srs_success) return srs_error_wrap(err, "identify");
        if ((err = srs_rtmp_identify_on_message(&s->id, s->conn, &msg)) != srs_success) return err;
    }
    /* Identified: the relay's own bounds from now on. */
    srs_rtmp_conn_set_read_deadline(s->conn, SRS_UTIME_NO_TIMEOUT);
    srs_rtmp_conn_set_max_message_size(s->conn, SRS_RTMP_DEFAULT_MAX_MESSAGE_SIZE);
    srs_rtmp_conn_set_timeouts(s->conn, SRS_RTMP_SEND_TIMEOUT, SRS_RTMP_SEND_TIMEOUT);
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

    /* TCP connect within its timeout, then handshake and every answer within one total. */
    err = srs_rtmp_client_open(s->origin.ip, s->origin.rtmp_port, SRS_RTMP_ORIGIN_CONNECT_TIMEOUT,
                               SRS_RTMP_ORIGIN_TIMEOUT, SRS_RTMP_OUT_CHUNK_SIZE, &s->upstream);
    if (!err) srs_rtmp_client_set_deadline(s->upstream, s->upstream->connected_at + SRS_RTMP_ORIGIN_TIMEOUT);
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

/* A pre-identify budget was hit: count it, log it (limited), and where RTMP has words for it
 * (the client waits for its connect answer) say NetConnection.Connect.Rejected before closing. */
static void reject(rtmp_session_t *s, srs_rtmp_reject_reason_t reason, srs_error_t cause)
{
    rejected[reason]++;
    s->rejected = true;
    srs_log_limited(&reject_logs, SRS_LOG_WARN, "RTMP client %s rejected, reason=%s: %s", s->peer,
                    srs_rtmp_reject_reason_name(reason), srs_error_summary(cause));
    if (!s->conn || s->id.connected || reason == SRS_RTMP_REJECT_DEADLINE) return;
    srs_rtmp_conn_set_read_deadline(s->conn, SRS_UTIME_NO_TIMEOUT);
    srs_rtmp_conn_set_timeouts(s->conn, SRS_RTMP_LINGER, SRS_RTMP_LINGER);
    srs_rtmp_command_t rej;
    srs_rtmp_build_connect_error(&rej, 1, reason == SRS_RTMP_REJECT_TOO_LARGE ? "message too large" : "AMF0 too complex");
    srs_error_t err = srs_rtmp_send_command(s->conn, SRS_RTMP_CSID_COMMAND, 0, &rej);
    srs_rtmp_command_free(&rej);
    if (!err) linger(s->fd);
    srs_error_free(err);
}

static srs_error_t serve(rtmp_session_t *s)
{
    srs_error_t err = srs_success;
    if ((err = identify(s)) != srs_success) {
        srs_rtmp_reject_reason_t reason;
        if (srs_rtmp_reject_reason_of(err, &reason)) reject(s, reason, err);
        return err;
    }

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
    if (s->rejected) return;
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
