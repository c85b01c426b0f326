/* SPDX-License-Identifier: MIT */
#include "srs_app_srt_server.h"
#include "srs_app_master.h"
#include "srs_kernel_worker_relay.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"
#include "srs_protocol_udp_endpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

/* The largest datagram we relay; UDP cannot carry more. */
#define SRS_SRT_MAX_DATAGRAM 65536
/* Yield to other coroutines after this many datagrams in a row. */
#define SRS_SRT_YIELD_EVERY 16
/* At most this many datagrams from one session socket per epoll round, for fairness. */
#define SRS_SRT_DRAIN_PER_SESSION 16
#define SRS_SRT_EPOLL_EVENTS 256
#define SRS_SRT_SWEEP_INTERVAL (SRS_UTIME_SECONDS / 2)
/* The handshake with the origin: libsrt's own retransmission interval, and its default connect
 * timeout (the client gives up after it too). The whole handshake, the caller's side included,
 * is bounded by PROXY_SRT_HANDSHAKE_TIMEOUT as well (see the sweeper). */
#define SRS_SRT_HANDSHAKE_RETRY (250 * SRS_UTIME_MILLISECONDS)
#define SRS_SRT_HANDSHAKE_TIMEOUT (3 * SRS_UTIME_SECONDS)
#define SRS_SRT_SECRET_SIZE 32

struct srs_srt_server_s {
    const srs_config_t *cfg;
    srs_lb_t *lb;
    srs_udp_endpoint_t udp;
    srs_srt_table_t *table;
    srs_srt_stats_t stats;
    uint8_t secret[SRS_SRT_SECRET_SIZE];   /* keys the SYN cookies; new at every start */
    srs_utime_t started_at;

    srs_coroutine_t *mux;
    srs_coroutine_t *forwarder;
    srs_coroutine_t *sweeper;

    /* PROXY_WORKERS > 1: the SRT directory and the relay to the other workers (NULL / -1 else). */
    srs_srt_dir_t *dir;
    int worker, workers;
    st_netfd_t relay_in;                /* this worker's receiving socket */
    srs_coroutine_t *relay;

    uint8_t rx[SRS_SRT_MAX_DATAGRAM];   /* client → origin */
    uint8_t fwd[SRS_SRT_MAX_DATAGRAM];  /* origin → client */
    uint8_t relay_rx[SRS_WORKER_MSG_HEADER + SRS_SRT_MAX_DATAGRAM]; /* another worker → here */
};

/* Lines a peer can trigger are written at most a few times per interval. */
static srs_log_limit_t drop_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);
static srs_log_limit_t session_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 20);
static srs_log_limit_t socket_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);
static srs_log_limit_t budget_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);

static srs_utime_t now_coarse(void)
{
    /* ST refreshes this once per scheduler round: free, and precise enough for timers. */
    return (srs_utime_t)st_utime_last_clock();
}

static const char *addr_text(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
    srs_sockaddr_t a;
    if (len > sizeof(a.ss)) len = sizeof(a.ss);
    memset(&a, 0, sizeof(a));
    memcpy(&a.ss, sa, len);
    a.len = len;
    return srs_sockaddr_string(&a, buf, size);
}

static uint32_t cookie_for(const srs_srt_server_t *srv, const struct sockaddr *peer, uint32_t bucket)
{
    return srs_srt_syn_cookie(srv->secret, sizeof(srv->secret), peer, bucket);
}

/* A SYN cookie is good in the bucket it was made in and the next one, a bucket being half of
 * PROXY_SRT_HANDSHAKE_TIMEOUT: a conclusion comes within that timeout of its induction, or is
 * dropped (at least half of it, so libsrt's 3 s of conclusion retransmissions fit the default). */
static uint32_t cookie_bucket(const srs_srt_server_t *srv)
{
    srs_utime_t bucket = srv->cfg->srt_handshake_timeout / 2;
    if (bucket < SRS_UTIME_MILLISECONDS) bucket = SRS_UTIME_MILLISECONDS;
    return (uint32_t)(now_coarse() / bucket);
}

static uint32_t timestamp_now(const srs_srt_server_t *srv)
{
    return (uint32_t)(now_coarse() - srv->started_at);
}

static void send_to_client(srs_srt_server_t *srv, const uint8_t *data, size_t len, const struct sockaddr *to,
                           socklen_t to_len)
{
    if (sendto(srv->udp.lfd, data, len, MSG_DONTWAIT, to, to_len) < 0) srv->stats.drop_send_to_client++;
}

/* A copy of the origin's answer for the client: the cookie the client concluded with, and the
 * client's address as the peer IP (libsrt reads it as "my address as the peer sees it"). */
static void answer_client(srs_srt_server_t *srv, srs_srt_session_t *s, const uint8_t *data, size_t len)
{
    memcpy(s->response, data, len);
    s->response_len = len;
    srs_srt_put_u32(s->response + SRS_SRT_OFFSET_COOKIE, s->client_cookie);
    srs_srt_peer_ip_encode((const struct sockaddr *)&s->peer, s->response + SRS_SRT_OFFSET_PEER_IP);
    send_to_client(srv, s->response, s->response_len, (const struct sockaddr *)&s->peer, s->peer_len);
}

/* A rejection built from the client's own conclusion, so the client stops at once with a reason
 * instead of timing out: 64 bytes into buf. */
static size_t build_rejection(srs_srt_server_t *srv, const srs_srt_handshake_t *conclusion, int reason,
                              const struct sockaddr *to, uint8_t *buf, size_t size)
{
    srs_srt_handshake_t r = *conclusion;
    r.timestamp = timestamp_now(srv);
    r.dest_socket_id = conclusion->socket_id;
    r.type = srs_srt_handshake_reject_type(reason);
    r.socket_id = 0;
    r.ext = NULL;
    r.ext_len = 0;
    srs_srt_peer_ip_encode(to, r.peer_ip);
    size_t len = 0;
    srs_error_t err = srs_srt_handshake_write(&r, buf, size, &len);
    if (err) {
        srs_error_free(err);
        return 0;
    }
    return len;
}

static void reject_client(srs_srt_server_t *srv, const srs_srt_handshake_t *conclusion, int reason,
                          const struct sockaddr *to, socklen_t to_len)
{
    uint8_t buf[SRS_SRT_HANDSHAKE_SIZE];
    size_t len = build_rejection(srv, conclusion, reason, to, buf, sizeof(buf));
    if (len) send_to_client(srv, buf, len, to, to_len);
}

/* Rejects a session's client, and keeps the rejection for its retransmitted conclusions. */
static void reject_session(srs_srt_server_t *srv, srs_srt_session_t *s, int reason)
{
    srs_srt_handshake_t conclusion;
    srs_error_t err = srs_srt_handshake_parse(s->conclusion, s->conclusion_len, &conclusion);
    if (err) {
        srs_error_free(err);
        return;
    }
    const struct sockaddr *to = (const struct sockaddr *)&s->peer;
    s->response_len = build_rejection(srv, &conclusion, reason, to, s->response, sizeof(s->response));
    if (s->response_len) send_to_client(srv, s->response, s->response_len, to, s->peer_len);
}

/* ---- ending sessions ---- */

/* Frees the socket, every table entry and the record. The session's coroutine is done (or was
 * never started): only the sweeper and the server's free call this. */
static void end_session(srs_srt_server_t *srv, srs_srt_session_t *s, const char *reason)
{
    if (srv->dir && s->origin_socket_id) srs_srt_dir_remove(srv->dir, s->origin_socket_id, srv->worker);
    srs_srt_table_remove(srv->table, s);
    if (s->origin_fd >= 0) {
        epoll_ctl(srv->udp.epfd, EPOLL_CTL_DEL, s->origin_fd, NULL);
        close(s->origin_fd);
        s->origin_fd = -1;
    }
    srv->stats.sessions_ended++;
    char client[80];
    srs_log_info("SRT session end [%s] client=%s stream=%s %s reason=%s age=%llds to_origin=%llu/%lluB to_client=%llu/%lluB",
                 s->cid.id, addr_text((const struct sockaddr *)&s->peer, s->peer_len, client, sizeof(client)),
                 s->stream_url, s->publish ? "publish" : "play", reason,
                 (long long)((now_coarse() - s->created_at) / SRS_UTIME_SECONDS),
                 (unsigned long long)s->to_origin_packets, (unsigned long long)s->to_origin_bytes,
                 (unsigned long long)s->to_client_packets, (unsigned long long)s->to_client_bytes);
    srs_srt_session_free(s);
}

static void mark_closing(srs_srt_session_t *s, const char *reason)
{
    if (s->state == SRS_SRT_SESSION_CLOSING) return;
    /* A closing session is no handshake in progress any more (it ends at the next sweep). */
    srs_srt_table_handshake_done(((srs_srt_server_t *)s->owner)->table, s);
    s->state = SRS_SRT_SESSION_CLOSING;
    s->close_reason = reason;
    if (s->wakeup) st_cond_signal(s->wakeup);
}

/* ---- the handshake with the origin (the session's own coroutine) ---- */

static srs_error_t open_origin(srs_srt_server_t *srv, srs_srt_session_t *s, srs_sockaddr_t *addr)
{
    srs_error_t err = srs_sockaddr_resolve(s->origin_ip, s->origin_port, addr);
    if (err) return srs_error_wrap(err, "origin address");
    int fd = socket(addr->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_SOCKET, "origin socket");
    if (connect(fd, (struct sockaddr *)&addr->ss, addr->len) < 0) {
        err = srs_error_new(ERROR_SYSTEM_CONNECT, "connect origin %s:%d", s->origin_ip, s->origin_port);
        close(fd);
        return err;
    }
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = s;
    if (epoll_ctl(srv->udp.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        err = srs_error_new(ERROR_SYSTEM_SOCKET, "epoll add");
        close(fd);
        return err;
    }
    s->origin_fd = fd;
    return srs_success;
}

/* Our induction to the origin, as a caller makes it, with the client's socket id: the origin
 * then addresses the client directly. */
static srs_error_t build_induction(srs_srt_server_t *srv, const srs_srt_handshake_t *conclusion,
                                   const srs_sockaddr_t *origin, uint8_t *buf, size_t size, size_t *len)
{
    srs_srt_handshake_t hs;
    memset(&hs, 0, sizeof(hs));
    hs.timestamp = timestamp_now(srv);
    hs.version = SRS_SRT_INDUCTION_VERSION;
    hs.extension = SRS_SRT_INDUCTION_EXTENSION;
    hs.initial_seq = conclusion->initial_seq;
    hs.mtu = conclusion->mtu;
    hs.flow_window = conclusion->flow_window;
    hs.type = SRS_SRT_HS_INDUCTION;
    hs.socket_id = conclusion->socket_id;
    srs_srt_peer_ip_encode((const struct sockaddr *)&origin->ss, hs.peer_ip);
    return srs_srt_handshake_write(&hs, buf, size, len);
}

static srs_error_t send_to_origin_now(srs_srt_session_t *s, const uint8_t *data, size_t len)
{
    if (send(s->origin_fd, data, len, MSG_DONTWAIT) >= 0) return srs_success;
    /* An ICMP port unreachable from the origin surfaces here. */
    if (errno == ECONNREFUSED || errno == ENETUNREACH || errno == EHOSTUNREACH) {
        return srs_error_new(ERROR_SYSTEM_CONNECT, "origin %s:%d unreachable", s->origin_ip, s->origin_port);
    }
    return srs_success; /* a full buffer: the retransmission will do */
}

static srs_error_t origin_handshake(srs_srt_server_t *srv, srs_srt_session_t *s)
{
    srs_origin_t origin;
    srs_error_t err = srv->lb->vt->pick(srv->lb, s->stream_url, &origin);
    if (err) return srs_error_wrap(err, "pick origin for %s", s->stream_url);
    if (!origin.srt_port) {
        return srs_error_new(ERROR_ORIGIN_PORT, "origin %s has no srt server", origin.ip);
    }
    snprintf(s->origin_ip, sizeof(s->origin_ip), "%s", origin.ip);
    s->origin_port = origin.srt_port;
    /* A pick may wait (Redis): the session may have been replaced meanwhile. */
    if (s->state != SRS_SRT_SESSION_HANDSHAKE) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "session closed");

    srs_sockaddr_t addr;
    if ((err = open_origin(srv, s, &addr)) != srs_success) return err;

    srs_srt_handshake_t conclusion;
    if ((err = srs_srt_handshake_parse(s->conclusion, s->conclusion_len, &conclusion)) != srs_success) return err;
    uint8_t induction[SRS_SRT_HANDSHAKE_SIZE];
    size_t induction_len = 0;
    if ((err = build_induction(srv, &conclusion, &addr, induction, sizeof(induction), &induction_len)) != srs_success) {
        return err;
    }
    /* The client's conclusion, extensions (HSREQ, KMREQ, SID...) untouched, with the origin's
     * cookie and address. */
    uint8_t request[SRS_SRT_MAX_HANDSHAKE];
    memcpy(request, s->conclusion, s->conclusion_len);
    srs_srt_peer_ip_encode((const struct sockaddr *)&addr.ss, request + SRS_SRT_OFFSET_PEER_IP);

    /* 3 s for the origin, and never past the whole handshake's deadline. */
    srs_utime_t deadline = SRS_MIN(now_coarse() + SRS_SRT_HANDSHAKE_TIMEOUT, s->created_at + srv->cfg->srt_handshake_timeout);
    while (s->state == SRS_SRT_SESSION_HANDSHAKE) {
        if (s->origin_unreachable) {
            return srs_error_new(ERROR_SYSTEM_CONNECT, "origin %s:%d unreachable", s->origin_ip, s->origin_port);
        }
        srs_utime_t now = now_coarse();
        if (now >= deadline) {
            return srs_error_new(ERROR_SYSTEM_TIMEOUT, "origin %s:%d did not answer the handshake in %lldms",
                                 s->origin_ip, s->origin_port, (long long)(SRS_SRT_HANDSHAKE_TIMEOUT / SRS_UTIME_MILLISECONDS));
        }
        if (s->origin_cookie) {
            srs_srt_put_u32(request + SRS_SRT_OFFSET_COOKIE, s->origin_cookie);
            err = send_to_origin_now(s, request, s->conclusion_len);
        } else {
            err = send_to_origin_now(s, induction, induction_len);
        }
        if (err) return err;

        /* The forwarder wakes us when the origin answers (see on_origin_handshake). */
        srs_coroutine_set_state(SRS_CO_WAIT_COND);
        int r = st_cond_timedwait(s->wakeup, srs_st_timeout(SRS_MIN(SRS_SRT_HANDSHAKE_RETRY, deadline - now)));
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        if (r < 0 && errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "srt handshake interrupted");
    }
    return srs_success;
}

/* What the client hears when we cannot reach an origin for it. */
static int reject_reason(srs_error_t err)
{
    switch (srs_error_code(err)) {
    case ERROR_ORIGIN_NONE:
    case ERROR_ORIGIN_PORT: return SRS_SRT_REJX_DOWN;
    case ERROR_SYSTEM_TIMEOUT: return SRS_SRT_REJX_TIMEOUT;
    default: return SRS_SRT_REJX_GW;
    }
}

static srs_error_t handshake_cycle(void *arg)
{
    srs_srt_session_t *s = (srs_srt_session_t *)arg;
    srs_srt_server_t *srv = (srs_srt_server_t *)s->owner;
    srs_error_t err = origin_handshake(srv, s);
    if (err && s->state == SRS_SRT_SESSION_HANDSHAKE) {
        srv->stats.handshake_failures++;
        srs_log_limited(&session_log, SRS_LOG_WARN, "SRT session [%s] stream=%s: %s", s->cid.id, s->stream_url,
                        srs_error_summary(err));
        reject_session(srv, s, reject_reason(err));
        int code = srs_error_code(err);
        mark_closing(s, code == ERROR_SYSTEM_TIMEOUT   ? "origin handshake timeout"
                        : code == ERROR_SYSTEM_CONNECT ? "origin unreachable"
                                                       : "no origin");
    }
    srs_error_free(err);
    return srs_success;
}

/* ---- client → origin ("srt-mux") ---- */

static void log_drop(const char *what, const struct sockaddr *from, socklen_t from_len, srs_error_t err)
{
    char text[80];
    srs_log_limited(&drop_log, SRS_LOG_WARN, "SRT drop %s from %s%s%s", what, addr_text(from, from_len, text, sizeof(text)),
                    err ? ": " : "", err ? srs_error_summary(err) : "");
}

static void reply_induction(srs_srt_server_t *srv, const srs_srt_handshake_t *req, const struct sockaddr *from,
                            socklen_t from_len)
{
    /* As an HSv5 listener answers (spec §8 hs1), with a cookie of the client's address. */
    srs_srt_handshake_t r;
    memset(&r, 0, sizeof(r));
    r.timestamp = timestamp_now(srv);
    r.dest_socket_id = req->socket_id;
    r.version = SRS_SRT_VERSION_5;
    r.extension = SRS_SRT_MAGIC;
    r.initial_seq = req->initial_seq;
    r.mtu = req->mtu;
    r.flow_window = req->flow_window;
    r.type = SRS_SRT_HS_INDUCTION;
    r.socket_id = req->socket_id;
    r.syn_cookie = cookie_for(srv, from, cookie_bucket(srv));
    srs_srt_peer_ip_encode(from, r.peer_ip);
    uint8_t buf[SRS_SRT_HANDSHAKE_SIZE];
    size_t len = 0;
    srs_error_t err = srs_srt_handshake_write(&r, buf, sizeof(buf), &len);
    if (err) {
        srs_error_free(err);
        return;
    }
    srv->stats.inductions++;
    send_to_client(srv, buf, len, from, from_len);
}

static void start_session(srs_srt_server_t *srv, const srs_srt_handshake_t *hs, const uint8_t *data, size_t len,
                          const char *sid, const srs_srt_stream_id_t *info, const char *stream_url,
                          const struct sockaddr *from, socklen_t from_len)
{
    srs_srt_session_t *s = srs_srt_session_new(from, from_len, hs->socket_id, now_coarse());
    srs_srt_streamid_redact(sid, s->stream_id, sizeof(s->stream_id));
    snprintf(s->stream_url, sizeof(s->stream_url), "%s", stream_url);
    s->publish = info->publish;
    s->client_cookie = hs->syn_cookie;
    memcpy(s->conclusion, data, len);
    s->conclusion_len = len;
    s->wakeup = st_cond_new();
    s->owner = srv;
    srs_srt_table_add(srv->table, s);
    srv->stats.sessions_created++;

    char client[80];
    srs_log_info("SRT session [%s] client=%s socket=%u stream=%s %s streamid=%s", s->cid.id,
                 addr_text(from, from_len, client, sizeof(client)), s->client_socket_id, s->stream_url,
                 s->publish ? "publish" : "play", s->stream_id);

    s->handshaker = srs_coroutine_new("srt-handshake", handshake_cycle, s);
    srs_coroutine_set_cid(s->handshaker, s->cid.id);
    srs_error_t err = srs_coroutine_start(s->handshaker);
    if (err) {
        srs_log_warn("SRT session [%s]: %s", s->cid.id, srs_error_summary(err));
        srs_error_free(err);
        srs_coroutine_free(s->handshaker);
        s->handshaker = NULL;
        mark_closing(s, "no coroutine");
    }
}

/* The budgets a new session must fit: true (counted, a rate-limited line) when one is spent. */
static bool over_budget(srs_srt_server_t *srv, const struct sockaddr *from, socklen_t from_len)
{
    const srs_config_t *cfg = srv->cfg;
    const char *what = NULL;
    switch (srs_srt_table_budget(srv->table, from, cfg->srt_max_sessions, cfg->srt_max_sessions_per_ip,
                                 cfg->srt_max_handshakes_per_ip)) {
    case SRS_SRT_BUDGET_OK: return false;
    case SRS_SRT_BUDGET_SESSIONS:
        srv->stats.drop_session_limit++;
        what = "PROXY_SRT_MAX_SESSIONS";
        break;
    case SRS_SRT_BUDGET_IP_SESSIONS:
        srv->stats.drop_ip_session_limit++;
        what = "PROXY_SRT_MAX_SESSIONS_PER_IP";
        break;
    case SRS_SRT_BUDGET_IP_HANDSHAKES:
        srv->stats.drop_ip_handshake_limit++;
        what = "PROXY_SRT_MAX_HANDSHAKES_PER_IP";
        break;
    }
    char text[80];
    srs_log_limited(&budget_log, SRS_LOG_WARN, "SRT reject conclusion from %s: over %s",
                    addr_text(from, from_len, text, sizeof(text)), what);
    return true;
}

static void on_conclusion(srs_srt_server_t *srv, const srs_srt_handshake_t *hs, const uint8_t *data, size_t len,
                          const struct sockaddr *from, socklen_t from_len)
{
    uint32_t bucket = cookie_bucket(srv);
    if (hs->syn_cookie != cookie_for(srv, from, bucket) && hs->syn_cookie != cookie_for(srv, from, bucket - 1)) {
        srv->stats.drop_bad_cookie++;
        log_drop("conclusion with a wrong SYN cookie", from, from_len, NULL);
        return;
    }

    srs_addr_key_t key;
    if (!srs_addr_key_from(from, &key)) return;
    srs_srt_session_t *s = srs_srt_table_by_addr(srv->table, &key);
    if (s && s->client_socket_id == hs->socket_id) {
        /* A retransmission: the handshaker answers soon, or the answer was lost: send it again.
         * It does not count as the client being alive: only its first packet after the handshake
         * ends the handshake deadline (see the sweeper). */
        if (s->response_len) send_to_client(srv, s->response, s->response_len, from, from_len);
        return;
    }

    char sid[SRS_SRT_MAX_STREAM_ID + 1];
    char stream_url[256];
    srs_srt_stream_id_t info;
    bool found = false;
    srs_error_t err = srs_srt_handshake_stream_id(hs, sid, sizeof(sid), &found);
    if (!err && !found) err = srs_error_new(ERROR_SRT_STREAMID, "no stream id (SID extension)");
    if (!err) err = srs_srt_stream_id_parse(sid, &info);
    if (!err) err = srs_srt_stream_id_url(&info, stream_url, sizeof(stream_url));
    if (err) {
        srv->stats.drop_bad_stream_id++;
        log_drop("conclusion", from, from_len, err);
        srs_error_free(err);
        reject_client(srv, hs, SRS_SRT_REJX_BAD_REQUEST, from, from_len);
        return;
    }
    if (over_budget(srv, from, from_len)) {
        reject_client(srv, hs, SRS_SRT_REJ_RESOURCE, from, from_len);
        return;
    }

    if (s) {
        /* The same address opens another connection (a restarted client on the same port, or
         * libsrt multiplexing sockets on one port): the new one takes the address. A handshake
         * still going on for the old one is dropped; an established one relays on by its id. */
        if (s->state == SRS_SRT_SESSION_HANDSHAKE) {
            mark_closing(s, "replaced by a new handshake from its address");
            srs_coroutine_interrupt(s->handshaker);
        }
        srs_srt_table_unbind_addr(srv->table, s);
    }
    start_session(srv, hs, data, len, sid, &info, stream_url, from, from_len);
}

/* A datagram to the listener itself (destination socket id 0): only handshakes. */
static void on_listener_packet(srs_srt_server_t *srv, const uint8_t *data, size_t len, const struct sockaddr *from,
                               socklen_t from_len)
{
    if (!srs_srt_is_handshake(data, len) || len > SRS_SRT_MAX_HANDSHAKE) {
        srv->stats.drop_malformed++;
        log_drop("non-handshake for the listener", from, from_len, NULL);
        return;
    }
    srs_srt_handshake_t hs;
    srs_error_t err = srs_srt_handshake_parse(data, len, &hs);
    if (err) {
        srv->stats.drop_malformed++;
        log_drop("malformed handshake", from, from_len, err);
        srs_error_free(err);
        return;
    }
    if (hs.type == SRS_SRT_HS_INDUCTION && hs.socket_id) {
        reply_induction(srv, &hs, from, from_len);
    } else if (hs.type == SRS_SRT_HS_CONCLUSION && hs.socket_id) {
        on_conclusion(srv, &hs, data, len, from, from_len);
    } else {
        srv->stats.drop_malformed++;
        log_drop("handshake of another type (rendezvous?) or without a socket id", from, from_len, NULL);
    }
}

/* Another worker holds the session (PROXY_WORKERS > 1): hand the datagram to it, with the
 * client's address. One sendmsg, no copy, no allocation; a full socket drops (counted). */
static bool relay_to_worker(srs_srt_server_t *srv, uint32_t dest, const uint8_t *data, size_t len,
                            const struct sockaddr *from, socklen_t from_len)
{
    srs_addr_key_t caller, key;
    int owner = srs_srt_dir_owner(srv->dir, dest, &caller);
    if (owner < 0 || owner == srv->worker || owner >= srv->workers) return false;
    if (!srs_addr_key_from(from, &key) || !srs_addr_key_equal(&key, &caller)) {
        /* The owner would drop it too: save the trip. */
        srv->stats.drop_foreign_address++;
        log_drop("packet for a session of another worker from another address", from, from_len, NULL);
        return true;
    }
    uint8_t hdr[SRS_WORKER_MSG_HEADER];
    if (!srs_worker_msg_header(hdr, SRS_WORKER_MSG_SRT, from)) return false;
    struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)data, len}};
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    if (sendmsg(srs_master_relay_fd(owner), &msg, MSG_DONTWAIT) < 0) {
        srv->stats.drop_worker_relay++;
        return true;
    }
    srv->stats.worker_relayed_out++;
    return true;
}

static void relay_to_origin(srs_srt_server_t *srv, uint32_t dest, const uint8_t *data, size_t len,
                            const struct sockaddr *from, socklen_t from_len, bool relayed)
{
    srs_srt_session_t *s = srs_srt_table_by_origin_id(srv->table, dest);
    if (!s) {
        /* Never relayed twice: a datagram from another worker is for us or for nobody. */
        if (!relayed && srv->dir && relay_to_worker(srv, dest, data, len, from, from_len)) return;
        srv->stats.drop_unknown_socket++;
        log_drop("packet for an unknown socket id", from, from_len, NULL);
        return;
    }
    srs_addr_key_t key;
    if (!srs_addr_key_from(from, &key) || !srs_addr_key_equal(&key, &s->peer_key)) {
        /* Only the address that made the session speaks for it (see srs_app_srt_session.h):
         * no migration, as libsrt, so nobody who learns a socket id can take over or inject. */
        srv->stats.drop_foreign_address++;
        log_drop("packet for a session from another address", from, from_len, NULL);
        return;
    }
    if (!s->caller_done) {
        /* The client's first packet after the handshake: its side is done. */
        s->caller_done = true;
        srs_srt_table_handshake_done(srv->table, s);
    }
    s->last_client_at = now_coarse();
    if (send(s->origin_fd, data, len, MSG_DONTWAIT) < 0) {
        srv->stats.drop_send_to_origin++;
        if (errno == ECONNREFUSED || errno == ENETUNREACH || errno == EHOSTUNREACH) mark_closing(s, "origin unreachable");
        return;
    }
    s->to_origin_packets++;
    s->to_origin_bytes += len;
    srv->stats.to_origin_packets++;
    srv->stats.to_origin_bytes += len;
    if (srs_srt_is_control(data, len) && srs_srt_control_type(data) == SRS_SRT_CTRL_SHUTDOWN) {
        mark_closing(s, "client shutdown");
    }
}

static void on_client_packet(srs_srt_server_t *srv, const uint8_t *data, size_t len, const struct sockaddr *from,
                             socklen_t from_len)
{
    if (!srs_srt_is_packet(data, len)) {
        srv->stats.drop_malformed++;
        log_drop("short datagram", from, from_len, NULL);
        return;
    }
    uint32_t dest = srs_srt_dest_socket_id(data, len);
    if (dest) relay_to_origin(srv, dest, data, len, from, from_len, false);
    else on_listener_packet(srv, data, len, from, from_len);
}

static srs_error_t mux_cycle(void *arg)
{
    srs_srt_server_t *srv = (srs_srt_server_t *)arg;
    int burst = 0;
    for (;;) {
        struct sockaddr_storage from;
        int from_len = (int)sizeof(from);
        srs_coroutine_set_state(SRS_CO_WAIT_READ);
        int n = st_recvfrom(srv->udp.listener, srv->rx, sizeof(srv->rx), (struct sockaddr *)&from, &from_len,
                            ST_UTIME_NO_TIMEOUT);
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        if (n < 0) {
            if (errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "srt mux interrupted");
            srs_log_limited(&socket_log, SRS_LOG_WARN, "SRT listener recvfrom: %s", strerror(errno));
            continue;
        }
        on_client_packet(srv, srv->rx, (size_t)n, (struct sockaddr *)&from, (socklen_t)from_len);
        if (++burst >= SRS_SRT_YIELD_EVERY) {
            burst = 0;
            srs_error_t err = srs_st_usleep(0);
            if (err) return err;
        }
    }
}

/* Datagrams other workers received for our sessions ("srt-relay"): handled as if our listener
 * had received them (the same address check); only data and control for a socket id, never a
 * handshake. */
static srs_error_t relay_cycle(void *arg)
{
    srs_srt_server_t *srv = (srs_srt_server_t *)arg;
    int burst = 0;
    for (;;) {
        srs_coroutine_set_state(SRS_CO_WAIT_READ);
        int n = (int)st_read(srv->relay_in, srv->relay_rx, sizeof(srv->relay_rx), ST_UTIME_NO_TIMEOUT);
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        if (n < 0) {
            if (errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "srt relay interrupted");
            srs_log_limited(&socket_log, SRS_LOG_WARN, "SRT relay from workers: %s", strerror(errno));
            continue;
        }
        uint8_t kind = 0;
        struct sockaddr_storage from;
        socklen_t from_len = 0;
        const uint8_t *payload = NULL;
        size_t len = 0;
        if (!srs_worker_msg_decode(srv->relay_rx, (size_t)n, &kind, &from, &from_len, &payload, &len) ||
            kind != SRS_WORKER_MSG_SRT || !srs_srt_is_packet(payload, len) || !srs_srt_dest_socket_id(payload, len)) {
            srv->stats.drop_malformed++;
            continue;
        }
        srv->stats.worker_relayed_in++;
        relay_to_origin(srv, srs_srt_dest_socket_id(payload, len), payload, len, (struct sockaddr *)&from, from_len, true);
        if (++burst >= SRS_SRT_YIELD_EVERY) {
            burst = 0;
            srs_error_t err = srs_st_usleep(0);
            if (err) return err;
        }
    }
}

/* ---- origin → client ("srt-forwarder") ---- */

/* The origin's answers while the session's coroutine drives the handshake. */
static void on_origin_handshake(srs_srt_server_t *srv, srs_srt_session_t *s, const uint8_t *data, size_t len)
{
    srs_srt_handshake_t hs;
    if (!srs_srt_is_handshake(data, len) || len > SRS_SRT_MAX_HANDSHAKE) return;
    srs_error_t err = srs_srt_handshake_parse(data, len, &hs);
    if (err) {
        srs_error_free(err);
        return;
    }
    if (hs.type == SRS_SRT_HS_INDUCTION) {
        if (!s->origin_cookie && hs.syn_cookie) {
            s->origin_cookie = hs.syn_cookie;
            st_cond_signal(s->wakeup);
        }
        return;
    }
    if (!s->origin_cookie) return; /* nothing else is an answer to an induction */

    if (srs_srt_handshake_is_rejection(hs.type)) {
        answer_client(srv, s, data, len);
        srv->stats.origin_rejections++;
        srs_log_limited(&session_log, SRS_LOG_INFO, "SRT session [%s] rejected by origin %s:%d, reason %u", s->cid.id,
                        s->origin_ip, s->origin_port, hs.type - SRS_SRT_HS_REJECT_BASE);
        mark_closing(s, "origin rejected");
        return;
    }
    if (hs.type != SRS_SRT_HS_CONCLUSION) return;

    if ((err = srs_srt_table_bind_origin_id(srv->table, s, hs.socket_id)) != srs_success) {
        srv->stats.handshake_failures++;
        srs_log_warn("SRT session [%s]: %s", s->cid.id, srs_error_summary(err));
        srs_error_free(err);
        reject_session(srv, s, SRS_SRT_REJX_GW);
        mark_closing(s, "origin socket id taken");
        return;
    }
    answer_client(srv, s, data, len);
    s->state = SRS_SRT_SESSION_ESTABLISHED;
    srv->stats.sessions_established++;
    /* Workers: the caller's datagrams may land on another worker after a restart; it finds us here. */
    if (srv->dir && !srs_srt_dir_put(srv->dir, s->origin_socket_id, srv->worker, &s->peer_key)) {
        srv->stats.worker_directory_full++;
        srs_log_limited(&session_log, SRS_LOG_WARN, "SRT session [%s]: not in the workers' directory (full, or its "
                        "origin socket id is another worker's): only this worker relays it", s->cid.id);
    }
    srs_log_info("SRT session [%s] established: origin %s:%d socket=%u, client socket=%u", s->cid.id, s->origin_ip,
                 s->origin_port, s->origin_socket_id, s->client_socket_id);
    st_cond_signal(s->wakeup);
}

/* Drains one session's socket into the listener, toward the client's current address. */
static void forward_session(srs_srt_server_t *srv, srs_srt_session_t *s)
{
    for (int i = 0; i < SRS_SRT_DRAIN_PER_SESSION; i++) {
        ssize_t n = recv(s->origin_fd, srv->fwd, sizeof(srv->fwd), MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                /* ICMP unreachable: the origin is gone. The recv took the error, so tell the
                 * handshaker, which rejects the caller at once rather than at its deadline. */
                if (s->state == SRS_SRT_SESSION_HANDSHAKE) {
                    s->origin_unreachable = true;
                    st_cond_signal(s->wakeup);
                } else {
                    mark_closing(s, "origin unreachable");
                }
            }
            return;
        }
        if (s->state == SRS_SRT_SESSION_HANDSHAKE) {
            on_origin_handshake(srv, s, srv->fwd, (size_t)n);
            continue;
        }
        if (sendto(srv->udp.lfd, srv->fwd, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&s->peer, s->peer_len) < 0) {
            srv->stats.drop_send_to_client++;
            continue;
        }
        s->to_client_packets++;
        s->to_client_bytes += (uint64_t)n;
        srv->stats.to_client_packets++;
        srv->stats.to_client_bytes += (uint64_t)n;
        if (srs_srt_is_control(srv->fwd, (size_t)n) && srs_srt_control_type(srv->fwd) == SRS_SRT_CTRL_SHUTDOWN) {
            mark_closing(s, "origin shutdown");
        }
    }
}

static srs_error_t forwarder_cycle(void *arg)
{
    srs_srt_server_t *srv = (srs_srt_server_t *)arg;
    struct epoll_event events[SRS_SRT_EPOLL_EVENTS];
    for (;;) {
        srs_coroutine_set_state(SRS_CO_WAIT_READ);
        int r = st_netfd_poll(srv->udp.epoll_netfd, POLLIN, ST_UTIME_NO_TIMEOUT);
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        if (r < 0) {
            if (errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "srt forwarder interrupted");
            return srs_error_new(ERROR_SYSTEM_IO, "poll epoll fd");
        }
        int n = epoll_wait(srv->udp.epfd, events, SRS_SRT_EPOLL_EVENTS, 0);
        for (int i = 0; i < n; i++) {
            forward_session(srv, (srs_srt_session_t *)events[i].data.ptr);
        }
    }
}

/* ---- expiry ("srt-sweeper") ---- */

static srs_error_t sweeper_cycle(void *arg)
{
    srs_srt_server_t *srv = (srs_srt_server_t *)arg;
    for (;;) {
        srs_error_t err = srs_st_usleep(SRS_SRT_SWEEP_INTERVAL);
        if (err) return err;
        srs_utime_t now = now_coarse();
        /* Nothing below yields (joining a finished coroutine does not), so the list holds still. */
        srs_srt_session_t *next;
        for (srs_srt_session_t *s = srv->table->head; s; s = next) {
            next = s->next;
            if (s->handshaker && s->handshaker->done) {
                srs_coroutine_free(s->handshaker);
                s->handshaker = NULL;
            }
            bool late = !s->caller_done && now - s->created_at > srv->cfg->srt_handshake_timeout;
            if (s->handshaker) {
                /* Still talking to the origin: it stops by its own deadline (the smaller of 3 s and
                 * the whole handshake's), or, when a pick (Redis) holds it longer, when it wakes and
                 * finds the session closing. The client hears at once. */
                if (late && s->state == SRS_SRT_SESSION_HANDSHAKE) {
                    srv->stats.handshake_failures++;
                    reject_session(srv, s, SRS_SRT_REJX_TIMEOUT);
                    mark_closing(s, "handshake timeout");
                }
                continue;
            }
            if (s->state == SRS_SRT_SESSION_CLOSING) {
                end_session(srv, s, s->close_reason ? s->close_reason : "closed");
            } else if (late) {
                /* The origin answered, but the client never sent a packet after its conclusion
                 * (retransmitted conclusions do not count): it holds no slot past the deadline. */
                srv->stats.handshake_failures++;
                end_session(srv, s, "caller handshake timeout");
            } else if (now - s->last_client_at > srv->cfg->srt_session_timeout) {
                end_session(srv, s, "idle timeout");
            }
        }
    }
}

/* ---- the server ---- */

const srs_srt_stats_t *srs_srt_server_stats(const srs_srt_server_t *srv) { return &srv->stats; }
size_t srs_srt_server_session_count(const srs_srt_server_t *srv) { return srv->table->count; }
int srs_srt_server_port(const srs_srt_server_t *srv) { return srv->udp.port; }

void srs_srt_server_foreach(srs_srt_server_t *srv, void (*fn)(void *ctx, const srs_srt_session_t *session), void *ctx)
{
    if (!srv) return;
    for (srs_srt_session_t *s = srv->table->head; s; s = s->next) fn(ctx, s);
}

static srs_error_t start_coroutine(const char *name, srs_coroutine_cycle_fn fn, srs_srt_server_t *srv,
                                   srs_coroutine_t **out)
{
    *out = srs_coroutine_new(name, fn, srv);
    return srs_coroutine_start(*out);
}

srs_error_t srs_srt_server_start(const srs_config_t *cfg, srs_lb_t *lb, srs_srt_server_t **out)
{
    srs_srt_server_t *srv = (srs_srt_server_t *)calloc(1, sizeof(*srv));
    if (!srv) abort();
    srv->cfg = cfg;
    srv->lb = lb;
    srv->table = srs_srt_table_new();
    srv->started_at = now_coarse();
    srs_random_bytes(srv->secret, sizeof(srv->secret));

    srs_error_t err = srs_udp_endpoint_open(&srv->udp, "SRT", cfg->srt_server.host, cfg->srt_server.port);
    if (err) {
        srs_srt_server_free(srv);
        return err;
    }

    srv->dir = srs_master_srt_dir();
    srv->worker = srs_worker_index();
    srv->workers = srs_master_workers();
    if (srv->dir && srs_master_relay_own_fd() >= 0) {
        srv->relay_in = st_netfd_open_socket(srs_master_relay_own_fd());
        if (!srv->relay_in) {
            srs_srt_server_free(srv);
            return srs_error_new(ERROR_SYSTEM_IO, "SRT relay socket: %s", strerror(errno));
        }
        if ((err = start_coroutine("srt-relay", relay_cycle, srv, &srv->relay)) != srs_success) {
            srs_srt_server_free(srv);
            return err;
        }
    } else {
        srv->dir = NULL;
    }
    if ((err = start_coroutine("srt-mux", mux_cycle, srv, &srv->mux)) != srs_success ||
        (err = start_coroutine("srt-forwarder", forwarder_cycle, srv, &srv->forwarder)) != srs_success ||
        (err = start_coroutine("srt-sweeper", sweeper_cycle, srv, &srv->sweeper)) != srs_success) {
        srs_srt_server_free(srv);
        return err;
    }
    srs_log_info("SRT server listen at udp://%s, session timeout %lldms", srv->udp.address,
                 (long long)(cfg->srt_session_timeout / SRS_UTIME_MILLISECONDS));
    *out = srv;
    return srs_success;
}

void srs_srt_server_free(srs_srt_server_t *srv)
{
    if (!srv) return;
    srs_coroutine_free(srv->relay);
    /* The socket is the master's (a restarted worker gets it again): not closed here. */
    if (srv->relay_in) st_netfd_free(srv->relay_in);
    srs_coroutine_free(srv->mux);
    srs_coroutine_free(srv->forwarder);
    srs_coroutine_free(srv->sweeper);
    /* Only the handshakers run now, and they touch no list: join each, then end it. */
    srs_srt_session_t *next;
    for (srs_srt_session_t *s = srv->table->head; s; s = next) {
        next = s->next;
        if (s->handshaker) {
            mark_closing(s, "server quit");
            srs_coroutine_free(s->handshaker);
            s->handshaker = NULL;
        }
        end_session(srv, s, "server quit");
    }
    srs_srt_table_free(srv->table);
    srs_udp_endpoint_close(&srv->udp);
    free(srv);
}
