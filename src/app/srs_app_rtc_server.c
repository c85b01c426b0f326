/* SPDX-License-Identifier: MIT */
#include "srs_app_rtc_server.h"
#include "srs_app_lb_shm.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"
#include "srs_protocol_udp_endpoint.h"
#include "srs_protocol_stun.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Datagrams read by one recvmmsg; each buffer holds the largest WebRTC datagram (an MTU) with
 * room to spare: a larger one is dropped as truncated. */
#define SRS_RTC_BATCH 64
#define SRS_RTC_RX_SIZE 4096
#define SRS_RTC_EPOLL_EVENTS 256
#define SRS_RTC_SWEEP_INTERVAL (SRS_UTIME_SECONDS / 2)
/* Lookups of unknown ufrags in the load balancer waiting at once; more are dropped (the
 * client retransmits its binding request). */
#define SRS_RTC_RESOLVER_QUEUE 64
#define SRS_RTC_RESOLVER_MAX_PACKET 1024
/* Lookups per second at most: enough for a whole proxy's clients moving over within seconds. */
#define SRS_RTC_RESOLVES_PER_SECOND 2000
/* Offer budgets per source address live in a fixed table (no growth whatever the number of
 * addresses): a slot is taken over by another address once its one-second window is over. */
#define SRS_RTC_RATE_SLOTS 4096

typedef struct {
    srs_addr_key_t key;      /* the address (port 0); family 0 = free */
    srs_utime_t window;      /* start of the current one-second window */
    int count;               /* offers in it */
} rate_slot_t;

typedef struct {
    char ufrag[SRS_RTC_UFRAG_MAX];
    struct sockaddr_storage addr;
    socklen_t addr_len;
    uint8_t packet[SRS_RTC_RESOLVER_MAX_PACKET];
    size_t packet_len;
} resolve_job_t;

struct srs_rtc_server_s {
    const srs_config_t *cfg;
    srs_lb_t *lb;
    srs_udp_endpoint_t udp;
    srs_rtc_table_t *table;
    srs_rtc_stats_t stats;
    /* Sessions per client IP (key with port 0 → count as uintptr_t): at most one entry per session. */
    srs_addr_map_t *by_source;
    rate_slot_t rate[SRS_RTC_RATE_SLOTS];
    uint64_t rate_seed;

    srs_coroutine_t *mux;
    srs_coroutine_t *forwarder;
    srs_coroutine_t *sweeper;
    srs_coroutine_t *resolver;

    resolve_job_t jobs[SRS_RTC_RESOLVER_QUEUE];
    int jobs_head, jobs_count;
    st_cond_t jobs_cond;

    /* client → origin, a batch at a time */
    uint8_t rx[SRS_RTC_BATCH][SRS_RTC_RX_SIZE];
    struct iovec rx_iov[SRS_RTC_BATCH];
    struct mmsghdr rx_msgs[SRS_RTC_BATCH];
    struct sockaddr_storage rx_addrs[SRS_RTC_BATCH];
    srs_utime_t resolve_window;       /* token bucket for load-balancer lookups */
    int resolve_tokens;
    /* origin → client, gathered from the ready session sockets and sent with one sendmmsg */
    uint8_t fwd[SRS_RTC_BATCH][SRS_RTC_RX_SIZE];
    struct iovec fwd_iov[SRS_RTC_BATCH];
    struct mmsghdr fwd_msgs[SRS_RTC_BATCH];
    srs_rtc_session_t *fwd_sessions[SRS_RTC_BATCH];
    bool fwd_sent[SRS_RTC_BATCH];
    int fwd_count;
};

/* Errors a peer can trigger are logged at most a few times per interval. */
static srs_log_limit_t drop_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);
static srs_log_limit_t socket_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);
static srs_log_limit_t budget_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);
static srs_log_limit_t integrity_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);

static srs_utime_t now_coarse(void)
{
    /* ST refreshes this once per scheduler round: free, and precise enough for idle timers. */
    return (srs_utime_t)st_utime_last_clock();
}

/* The session's own socket to its origin: connected, non-blocking, in the epoll set. */
static srs_error_t session_open_origin(srs_rtc_server_t *srv, srs_rtc_session_t *s)
{
    if (s->origin_fd >= 0) return srs_success;
    /* The address was resolved when the session was signalled: no name lookup here. */
    srs_error_t err = srs_success;
    int fd = socket(s->origin_addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_SOCKET, "origin socket");
    if (connect(fd, (struct sockaddr *)&s->origin_addr, s->origin_addr_len) < 0) {
        err = srs_error_new(ERROR_SYSTEM_CONNECT, "connect origin %s:%d", s->origin_ip, s->origin_rtc_port);
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

static void source_count(srs_rtc_server_t *srv, const srs_addr_key_t *source, int delta)
{
    if (!source->family) return;
    uintptr_t n = (uintptr_t)srs_addr_map_get(srv->by_source, source);
    if (delta < 0 && n <= 1) {
        srs_addr_map_remove(srv->by_source, source);
        return;
    }
    srs_addr_map_set(srv->by_source, source, (void *)(n + (uintptr_t)delta));
}

void srs_rtc_server_end_session(srs_rtc_server_t *srv, srs_rtc_session_t *s, const char *reason)
{
    srs_rtc_table_remove(srv->table, s);
    source_count(srv, &s->source, -1);
    if (s->origin_fd >= 0) {
        epoll_ctl(srv->udp.epfd, EPOLL_CTL_DEL, s->origin_fd, NULL);
        close(s->origin_fd);
    }
    srs_error_t err = srv->lb->vt->remove_rtc(srv->lb, s->ufrag);
    srs_error_free(err);
    srv->stats.sessions_ended++;
    srs_log_info("RTC session end [%s] ufrag=%s stream=%s reason=%s age=%llds to_origin=%llu/%lluB to_client=%llu/%lluB",
                 s->cid.id, s->ufrag, s->stream_url, reason,
                 (long long)((now_coarse() - s->created_at) / SRS_UTIME_SECONDS),
                 (unsigned long long)s->to_origin_packets, (unsigned long long)s->to_origin_bytes,
                 (unsigned long long)s->to_client_packets, (unsigned long long)s->to_client_bytes);
    free(s);
}

/* A DTLS record of content type 21 (alert): after the handshake that is close_notify or a
 * fatal alert, either way the end of the session. */
static bool is_dtls_alert(const uint8_t *data, size_t len)
{
    return len >= 13 && data[0] == 21;
}

static void relay_to_origin(srs_rtc_server_t *srv, srs_rtc_session_t *s, const uint8_t *data, size_t len)
{
    if (s->origin_fd < 0) {
        srs_error_t err = session_open_origin(srv, s);
        if (err) {
            srs_log_limited(&socket_log, SRS_LOG_WARN, "RTC session [%s] %s: %s", s->cid.id, s->ufrag, srs_error_summary(err));
            srs_error_free(err);
            s->closing = true;
            return;
        }
    }
    ssize_t n = send(s->origin_fd, data, len, MSG_DONTWAIT);
    if (n < 0) {
        srv->stats.drop_send_to_origin++;
        /* An ICMP port unreachable from the origin surfaces here: the origin is gone. */
        if (errno == ECONNREFUSED || errno == ENETUNREACH || errno == EHOSTUNREACH) s->closing = true;
        return;
    }
    s->last_packet_at = now_coarse();
    s->to_origin_packets++;
    s->to_origin_bytes += len;
    srv->stats.to_origin_packets++;
    srv->stats.to_origin_bytes += len;
    if (is_dtls_alert(data, len)) s->closing = true;
}

static void queue_resolve(srs_rtc_server_t *srv, const char *ufrag, const struct sockaddr *from, socklen_t from_len,
                          const uint8_t *data, size_t len)
{
    /* A flood of made-up ufrags must cost next to nothing: lookups are budgeted per second. */
    srs_utime_t now = now_coarse();
    if (now - srv->resolve_window >= SRS_UTIME_SECONDS) {
        srv->resolve_window = now;
        srv->resolve_tokens = SRS_RTC_RESOLVES_PER_SECOND;
    }
    if (srv->resolve_tokens <= 0) {
        srv->stats.drop_resolver_busy++;
        return;
    }
    srv->resolve_tokens--;
    for (int i = 0; i < srv->jobs_count; i++) {
        if (!strcmp(srv->jobs[(srv->jobs_head + i) % SRS_RTC_RESOLVER_QUEUE].ufrag, ufrag)) return; /* pending */
    }
    if (srv->jobs_count == SRS_RTC_RESOLVER_QUEUE || len > SRS_RTC_RESOLVER_MAX_PACKET) {
        srv->stats.drop_resolver_busy++;
        return;
    }
    resolve_job_t *job = &srv->jobs[(srv->jobs_head + srv->jobs_count) % SRS_RTC_RESOLVER_QUEUE];
    snprintf(job->ufrag, sizeof(job->ufrag), "%s", ufrag);
    memcpy(&job->addr, from, from_len);
    job->addr_len = from_len;
    memcpy(job->packet, data, len);
    job->packet_len = len;
    srv->jobs_count++;
    st_cond_signal(srv->jobs_cond);
}

static void on_client_packet(srs_rtc_server_t *srv, const uint8_t *data, size_t len, const struct sockaddr *from,
                             socklen_t from_len)
{
    srs_addr_key_t key;
    if (!srs_addr_key_from(from, &key)) return;
    srs_rtc_session_t *s = srs_rtc_table_by_addr(srv->table, &key);

    if (srs_rtc_classify(data, len) == SRS_RTC_PACKET_STUN) {
        srs_stun_msg_t msg;
        srs_error_t err = srs_stun_parse(data, len, &msg);
        if (err) {
            srv->stats.drop_stun_invalid++;
            char text[80];
            srs_sockaddr_t a;
            memcpy(&a.ss, from, from_len);
            a.len = from_len;
            srs_log_limited(&drop_log, SRS_LOG_WARN, "RTC drop invalid STUN from %s: %s",
                            srs_sockaddr_string(&a, text, sizeof(text)), srs_error_summary(err));
            srs_error_free(err);
            return;
        }
        /* Only a binding request with a known USERNAME binds an address; the USERNAME beats a
         * stale address mapping (NAT port reuse). */
        if (msg.type == SRS_STUN_BINDING_REQUEST && msg.username && msg.username_len < SRS_RTC_UFRAG_MAX) {
            char ufrag[SRS_RTC_UFRAG_MAX];
            memcpy(ufrag, msg.username, msg.username_len);
            ufrag[msg.username_len] = 0;
            srs_rtc_session_t *named = srs_rtc_table_by_ufrag(srv->table, ufrag);
            if (!named) {
                /* Not ours (whatever the address says): maybe signalled on another proxy. */
                queue_resolve(srv, ufrag, from, from_len, data, len);
                return;
            }
            if (s != named) {
                /* A new address for the session (first binding, NAT rebinding, ICE restart) only
                 * with a MESSAGE-INTEGRITY keyed by the origin's ICE password: the USERNAME alone
                 * is no secret (it travels in clear in every check). */
                if (!srs_stun_authentic(data, len, &msg, named->ice_pwd)) {
                    srv->stats.drop_stun_integrity++;
                    srs_log_limited(&integrity_log, SRS_LOG_WARN,
                                    "RTC drop binding request for %s without valid MESSAGE-INTEGRITY", named->ufrag);
                    return;
                }
                srs_rtc_table_bind(srv->table, named, from, from_len);
                /* Workers: the flow is ours now; the worker that had it forgets it. */
                srs_lb_shm_claim_rtc(srv->lb, named->ufrag);
            }
            s = named;
        }
    }

    if (!s) {
        srv->stats.drop_unknown_addr++;
        return;
    }
    srs_rtc_session_set_peer(s, &key, from, from_len);
    relay_to_origin(srv, s, data, len);
}

/* Reads the listener in batches (recvmmsg: one syscall for up to SRS_RTC_BATCH datagrams) and
 * waits through ST only when it is empty; after a full batch it yields so that a flood cannot
 * starve the forwarder or the HTTP coroutines. */
static srs_error_t mux_cycle(void *arg)
{
    srs_rtc_server_t *srv = (srs_rtc_server_t *)arg;
    for (int i = 0; i < SRS_RTC_BATCH; i++) {
        srv->rx_iov[i].iov_base = srv->rx[i];
        srv->rx_iov[i].iov_len = sizeof(srv->rx[i]);
        srv->rx_msgs[i].msg_hdr.msg_iov = &srv->rx_iov[i];
        srv->rx_msgs[i].msg_hdr.msg_iovlen = 1;
        srv->rx_msgs[i].msg_hdr.msg_name = &srv->rx_addrs[i];
    }
    for (;;) {
        for (int i = 0; i < SRS_RTC_BATCH; i++) {
            srv->rx_msgs[i].msg_hdr.msg_namelen = sizeof(srv->rx_addrs[i]);
            srv->rx_msgs[i].msg_hdr.msg_flags = 0;
        }
        int n = recvmmsg(srv->udp.lfd, srv->rx_msgs, SRS_RTC_BATCH, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                srs_log_limited(&socket_log, SRS_LOG_WARN, "RTC listener recvmmsg: %s", strerror(errno));
            }
            srs_coroutine_set_state(SRS_CO_WAIT_READ);
            int r = st_netfd_poll(srv->udp.listener, POLLIN, ST_UTIME_NO_TIMEOUT);
            srs_coroutine_set_state(SRS_CO_RUNNABLE);
            if (r < 0 && errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "rtc mux interrupted");
            continue;
        }
        for (int i = 0; i < n; i++) {
            struct msghdr *h = &srv->rx_msgs[i].msg_hdr;
            if (h->msg_flags & MSG_TRUNC) {
                srv->stats.drop_too_large++;
                continue;
            }
            on_client_packet(srv, srv->rx[i], srv->rx_msgs[i].msg_len, (struct sockaddr *)h->msg_name, h->msg_namelen);
        }
        if (n == SRS_RTC_BATCH) {
            srs_error_t err = srs_st_usleep(0);
            if (err) return err;
        }
    }
}

int srs_rtc_send_batch(int fd, struct mmsghdr *msgs, int n, bool *sent)
{
    int done = 0, count = 0;
    for (int i = 0; i < n; i++) sent[i] = false;
    while (done < n) {
        int r = sendmmsg(fd, msgs + done, (unsigned)(n - done), MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) break; /* buffer full */
            /* The first message's own failure (its address): skip it, the others may go. */
            done++;
            continue;
        }
        if (r == 0) break;
        for (int i = done; i < done + r; i++) sent[i] = true;
        done += r;
        count += r;
    }
    return count;
}

/* Sends the batch gathered from the session sockets in one sendmmsg: the fan-out of one origin
 * packet to N players goes to N different addresses, which sendmmsg takes in one call. */
static void flush_to_clients(srs_rtc_server_t *srv)
{
    int sent = srs_rtc_send_batch(srv->udp.lfd, srv->fwd_msgs, srv->fwd_count, srv->fwd_sent);
    srs_utime_t now = now_coarse();
    for (int i = 0; i < srv->fwd_count; i++) {
        if (!srv->fwd_sent[i]) continue;
        srs_rtc_session_t *s = srv->fwd_sessions[i];
        size_t n = srv->fwd_iov[i].iov_len;
        s->last_packet_at = now;
        s->to_client_packets++;
        s->to_client_bytes += n;
        srv->stats.to_client_packets++;
        srv->stats.to_client_bytes += n;
    }
    srv->stats.drop_send_to_client += (uint64_t)(srv->fwd_count - sent);
    srv->fwd_count = 0;
}

/* Takes one datagram from a ready session socket into the batch. Level-triggered epoll reports
 * the socket again if more is queued, so one recv per round is fair and never wasted on EAGAIN. */
static void take_from_origin(srs_rtc_server_t *srv, srs_rtc_session_t *s)
{
    int i = srv->fwd_count;
    ssize_t n = recv(s->origin_fd, srv->fwd[i], sizeof(srv->fwd[i]), MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) s->closing = true; /* ICMP unreachable */
        return;
    }
    if ((size_t)n > sizeof(srv->fwd[i])) {
        srv->stats.drop_too_large++;
        return;
    }
    if (s->peer_len == 0) return; /* no client address yet: nothing to do with it */
    if (is_dtls_alert(srv->fwd[i], (size_t)n)) s->closing = true;
    srv->fwd_iov[i].iov_base = srv->fwd[i];
    srv->fwd_iov[i].iov_len = (size_t)n;
    struct msghdr *h = &srv->fwd_msgs[i].msg_hdr;
    h->msg_name = &s->peer;
    h->msg_namelen = s->peer_len;
    h->msg_iov = &srv->fwd_iov[i];
    h->msg_iovlen = 1;
    srv->fwd_sessions[i] = s;
    if (++srv->fwd_count == SRS_RTC_BATCH) flush_to_clients(srv);
}

static srs_error_t forwarder_cycle(void *arg)
{
    srs_rtc_server_t *srv = (srs_rtc_server_t *)arg;
    struct epoll_event events[SRS_RTC_EPOLL_EVENTS];
    for (;;) {
        srs_coroutine_set_state(SRS_CO_WAIT_READ);
        int r = st_netfd_poll(srv->udp.epoll_netfd, POLLIN, ST_UTIME_NO_TIMEOUT);
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        if (r < 0) {
            if (errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "rtc forwarder interrupted");
            return srs_error_new(ERROR_SYSTEM_IO, "poll epoll fd");
        }
        int n = epoll_wait(srv->udp.epfd, events, SRS_RTC_EPOLL_EVENTS, 0);
        for (int i = 0; i < n; i++) {
            take_from_origin(srv, (srs_rtc_session_t *)events[i].data.ptr);
        }
        flush_to_clients(srv);
    }
}

static srs_error_t sweeper_cycle(void *arg)
{
    srs_rtc_server_t *srv = (srs_rtc_server_t *)arg;
    for (;;) {
        srs_error_t err = srs_st_usleep(SRS_RTC_SWEEP_INTERVAL);
        if (err) return err;
        srs_utime_t now = now_coarse();
        srs_map_iter_t it;
        for (srs_map_iter_init(&it, srv->table->by_ufrag); srs_map_iter_next(&it);) {
            srs_rtc_session_t *s = (srs_rtc_session_t *)it.value;
            bool deleted = false;
            if (s->closing) {
                srs_rtc_server_end_session(srv, s, "dtls alert or origin unreachable");
            } else if (srs_lb_shm_rtc_taken(srv->lb, s->ufrag, &deleted)) {
                /* Another worker verified a binding for it (the client's flow goes there now), or
                 * took its DELETE and told the origin already. */
                srs_rtc_server_end_session(srv, s, deleted ? "deleted through another worker" : "taken by another worker");
            } else if (!s->to_origin_packets && srv->cfg->rtc_pending_timeout &&
                       now - s->created_at > srv->cfg->rtc_pending_timeout) {
                /* Offered, never bound: a signalling-only flood must not hold sessions long. */
                srv->stats.sessions_never_bound++;
                srs_rtc_server_end_session(srv, s, "never bound");
            } else if (now - s->last_packet_at > srv->cfg->rtc_session_timeout) {
                srs_rtc_server_end_session(srv, s, "idle timeout");
            }
        }
    }
}

/* Sessions signalled on another proxy (Redis) or before a restart of this table: a binding
 * request for an unknown ufrag is looked up here, off the packet path. */
static srs_error_t resolver_cycle(void *arg)
{
    srs_rtc_server_t *srv = (srs_rtc_server_t *)arg;
    resolve_job_t job;
    for (;;) {
        while (srv->jobs_count == 0) {
            srs_coroutine_set_state(SRS_CO_WAIT_COND);
            int r = st_cond_wait(srv->jobs_cond);
            srs_coroutine_set_state(SRS_CO_RUNNABLE);
            if (r < 0 && errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "rtc resolver interrupted");
        }
        job = srv->jobs[srv->jobs_head];
        srv->jobs_head = (srv->jobs_head + 1) % SRS_RTC_RESOLVER_QUEUE;
        srv->jobs_count--;

        /* Both look-ups may switch: only the job (our copy) is used across them. */
        char stream_url[256], ice_pwd[SRS_RTC_PWD_MAX];
        srs_origin_t origin;
        srs_error_t err = srv->lb->vt->load_rtc_by_ufrag(srv->lb, job.ufrag, stream_url, sizeof(stream_url), ice_pwd,
                                                         sizeof(ice_pwd));
        if (!err) err = srv->lb->vt->pick(srv->lb, stream_url, &origin);
        if (!err && !origin.rtc_port) err = srs_error_new(ERROR_ORIGIN_PORT, "origin has no rtc server");
        if (err) {
            srv->stats.drop_unknown_ufrag++;
            srs_log_limited(&drop_log, SRS_LOG_WARN, "RTC drop STUN for unknown ufrag %s: %s", job.ufrag,
                            srs_error_summary(err));
            srs_error_free(err);
            continue;
        }
        /* Another packet or a new offer may have created it while we looked up: its password counts. */
        srs_rtc_session_t *s = srs_rtc_table_by_ufrag(srv->table, job.ufrag);
        srs_stun_msg_t msg;
        srs_error_t perr = srs_stun_parse(job.packet, job.packet_len, &msg);
        bool authentic = !perr && srs_stun_authentic(job.packet, job.packet_len, &msg, s ? s->ice_pwd : ice_pwd);
        srs_error_free(perr);
        if (!authentic) {
            srv->stats.drop_stun_integrity++;
            srs_log_limited(&integrity_log, SRS_LOG_WARN,
                            "RTC drop binding request for %s (load balancer) without valid MESSAGE-INTEGRITY%s", job.ufrag,
                            ice_pwd[0] || s ? "" : ": no ICE password stored for it");
            continue;
        }
        if (!s) {
            srs_addr_key_t source;
            if (!srs_addr_key_from((struct sockaddr *)&job.addr, &source)) continue;
            source.port = 0;
            srs_rtc_session_info_t info = {job.ufrag, stream_url, "", "", "", ice_pwd, &source, false,
                                           origin.ip, origin.rtc_port, origin.api_port};
            if ((err = srs_rtc_server_add_session(srv, &info)) != srs_success) {
                srs_log_limited(&budget_log, SRS_LOG_WARN, "RTC session %s from load balancer: %s", job.ufrag,
                                srs_error_summary(err));
                srs_error_free(err);
                continue;
            }
            s = srs_rtc_table_by_ufrag(srv->table, job.ufrag);
            srs_log_info("RTC session [%s] ufrag=%s found in the load balancer, stream=%s", s->cid.id, s->ufrag, stream_url);
        }
        srs_rtc_table_bind(srv->table, s, (struct sockaddr *)&job.addr, job.addr_len);
        /* Workers: this one verified the binding, so the session is its own from now on. */
        srs_lb_shm_claim_rtc(srv->lb, job.ufrag);
        relay_to_origin(srv, s, job.packet, job.packet_len);
    }
}

/* replacing: an old session this one replaces (1) and whether it is of the same source. */
static srs_error_t check_caps(srs_rtc_server_t *srv, const srs_addr_key_t *source, size_t replacing,
                              uintptr_t replacing_same_source)
{
    const srs_config_t *cfg = srv->cfg;
    size_t total = srs_rtc_table_count(srv->table) - replacing;
    if (cfg->rtc_max_sessions && total >= (size_t)cfg->rtc_max_sessions) {
        srv->stats.refused_max_sessions++;
        return srs_error_new(ERROR_SYSTEM_LIMIT, "WebRTC sessions at PROXY_RTC_MAX_SESSIONS=%d", cfg->rtc_max_sessions);
    }
    if (cfg->rtc_max_sessions_per_ip && source && source->family) {
        uintptr_t n = (uintptr_t)srs_addr_map_get(srv->by_source, source);
        if (n >= (uintptr_t)cfg->rtc_max_sessions_per_ip + replacing_same_source) {
            srv->stats.refused_per_ip++;
            return srs_error_new(ERROR_SYSTEM_LIMIT, "WebRTC sessions of this address at PROXY_RTC_MAX_SESSIONS_PER_IP=%d",
                                 cfg->rtc_max_sessions_per_ip);
        }
    }
    return srs_success;
}

static uint64_t rate_hash(uint64_t seed, const srs_addr_key_t *key)
{
    uint64_t h = seed ^ 0xcbf29ce484222325ull;
    for (size_t i = 0; i < sizeof(key->ip); i++) h = (h ^ key->ip[i]) * 0x100000001b3ull;
    return (h ^ key->family) * 0x100000001b3ull;
}

srs_error_t srs_rtc_server_admit(srs_rtc_server_t *srv, const srs_addr_key_t *source, bool offer)
{
    srs_error_t err = check_caps(srv, source, 0, 0);
    if (err) {
        srs_log_limited(&budget_log, SRS_LOG_WARN, "RTC refuse session: %s", srs_error_summary(err));
        return err;
    }
    if (!offer || !srv->cfg->rtc_offers_per_ip || !source || !source->family) return srs_success;
    srs_addr_key_t key = *source;
    key.port = 0;
    rate_slot_t *slot = &srv->rate[rate_hash(srv->rate_seed, &key) % SRS_RTC_RATE_SLOTS];
    srs_utime_t now = now_coarse();
    bool same = srs_addr_key_equal(&slot->key, &key);
    if (!same || now - slot->window >= SRS_UTIME_SECONDS) {
        /* A new window; another address's slot is taken only once its window is over, else
         * both share the budget (never more offers than one address's budget per slot). */
        if (same || !slot->key.family || now - slot->window >= SRS_UTIME_SECONDS) {
            slot->key = key;
            slot->window = now;
            slot->count = 0;
        }
    }
    if (slot->count >= srv->cfg->rtc_offers_per_ip) {
        srv->stats.refused_offer_rate++;
        err = srs_error_new(ERROR_SYSTEM_LIMIT, "WebRTC offers of this address at PROXY_RTC_OFFERS_PER_IP=%d per second",
                            srv->cfg->rtc_offers_per_ip);
        srs_log_limited(&budget_log, SRS_LOG_WARN, "RTC refuse offer: %s", srs_error_summary(err));
        return err;
    }
    slot->count++;
    return srs_success;
}

srs_error_t srs_rtc_server_add_session(srs_rtc_server_t *srv, const srs_rtc_session_info_t *info)
{
    srs_addr_key_t source;
    memset(&source, 0, sizeof(source));
    if (info->source) {
        source = *info->source;
        source.port = 0;
    }
    srs_rtc_session_t *old = srs_rtc_table_by_ufrag(srv->table, info->ufrag);
    bool same_source = old && srs_addr_key_equal(&old->source, &source);
    srs_error_t err = check_caps(srv, &source, old ? 1 : 0, same_source ? 1 : 0);
    if (err) {
        srs_log_limited(&budget_log, SRS_LOG_WARN, "RTC refuse session %s: %s", info->ufrag, srs_error_summary(err));
        return err;
    }

    /* Once, here (signalling), never on the packet path: a numeric address costs nothing, a
     * name is resolved now. */
    srs_sockaddr_t addr;
    if ((err = srs_sockaddr_resolve(info->origin_ip, info->origin_rtc_port, &addr)) != srs_success) {
        return srs_error_wrap(err, "origin rtc address %s:%d", info->origin_ip, info->origin_rtc_port);
    }

    if (old) srs_rtc_server_end_session(srv, old, "replaced by a new offer");

    srs_rtc_session_t *s = srs_rtc_session_new(info->ufrag, info->stream_url, now_coarse());
    snprintf(s->location, sizeof(s->location), "%s", info->location ? info->location : "");
    snprintf(s->origin_location, sizeof(s->origin_location), "%s", info->origin_location ? info->origin_location : "");
    snprintf(s->token, sizeof(s->token), "%s", info->token ? info->token : "");
    snprintf(s->ice_pwd, sizeof(s->ice_pwd), "%s", info->ice_pwd ? info->ice_pwd : "");
    snprintf(s->origin_ip, sizeof(s->origin_ip), "%s", info->origin_ip);
    memcpy(&s->origin_addr, &addr.ss, addr.len);
    s->origin_addr_len = addr.len;
    s->source = source;
    s->origin_rtc_port = info->origin_rtc_port;
    s->origin_api_port = info->origin_api_port;
    s->publisher = info->publisher;
    if ((err = srs_rtc_table_add(srv->table, s)) != srs_success) {
        free(s);
        return err;
    }
    source_count(srv, &s->source, 1);
    srv->stats.sessions_created++;
    srs_log_info("RTC session [%s] ufrag=%s stream=%s %s origin=%s:%d", s->cid.id, s->ufrag, s->stream_url,
                 s->publisher ? "publish" : "play", s->origin_ip, s->origin_rtc_port);
    return srs_success;
}

srs_rtc_session_t *srs_rtc_server_find_by_location(srs_rtc_server_t *srv, const char *location)
{
    return srs_rtc_table_by_location(srv->table, location);
}

srs_rtc_session_t *srs_rtc_server_find_by_ufrag(srs_rtc_server_t *srv, const char *ufrag)
{
    return srs_rtc_table_by_ufrag(srv->table, ufrag);
}

const srs_rtc_stats_t *srs_rtc_server_stats(const srs_rtc_server_t *srv) { return &srv->stats; }
size_t srs_rtc_server_session_count(const srs_rtc_server_t *srv) { return srs_rtc_table_count(srv->table); }
int srs_rtc_server_port(const srs_rtc_server_t *srv) { return srv->udp.port; }

void srs_rtc_server_foreach(srs_rtc_server_t *srv, void (*fn)(void *ctx, const srs_rtc_session_t *session), void *ctx)
{
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, srv->table->by_ufrag); srs_map_iter_next(&it);) {
        fn(ctx, (const srs_rtc_session_t *)it.value);
    }
}

static srs_error_t start_coroutine(const char *name, srs_coroutine_cycle_fn fn, srs_rtc_server_t *srv,
                                   srs_coroutine_t **out)
{
    *out = srs_coroutine_new(name, fn, srv);
    return srs_coroutine_start(*out);
}

srs_error_t srs_rtc_server_start(const srs_config_t *cfg, srs_lb_t *lb, srs_rtc_server_t **out)
{
    srs_rtc_server_t *srv = (srs_rtc_server_t *)calloc(1, sizeof(*srv));
    if (!srv) abort();
    srv->cfg = cfg;
    srv->lb = lb;
    srv->table = srs_rtc_table_new();
    srv->by_source = srs_addr_map_new();
    srv->rate_seed = srs_random_u64();
    srv->jobs_cond = st_cond_new();

    srs_error_t err = srs_udp_endpoint_open(&srv->udp, "WebRTC", cfg->webrtc_server.host, cfg->webrtc_server.port);
    if (err) {
        srs_rtc_server_free(srv);
        return err;
    }

    if ((err = start_coroutine("rtc-mux", mux_cycle, srv, &srv->mux)) != srs_success ||
        (err = start_coroutine("rtc-forwarder", forwarder_cycle, srv, &srv->forwarder)) != srs_success ||
        (err = start_coroutine("rtc-sweeper", sweeper_cycle, srv, &srv->sweeper)) != srs_success ||
        (err = start_coroutine("rtc-resolver", resolver_cycle, srv, &srv->resolver)) != srs_success) {
        srs_rtc_server_free(srv);
        return err;
    }
    srs_log_info("WebRTC server listen at udp://%s, session timeout %lldms", srv->udp.address,
                 (long long)(cfg->rtc_session_timeout / SRS_UTIME_MILLISECONDS));
    *out = srv;
    return srs_success;
}

void srs_rtc_server_free(srs_rtc_server_t *srv)
{
    if (!srv) return;
    srs_coroutine_free(srv->mux);
    srs_coroutine_free(srv->forwarder);
    srs_coroutine_free(srv->sweeper);
    srs_coroutine_free(srv->resolver);
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, srv->table->by_ufrag); srs_map_iter_next(&it);) {
        srs_rtc_server_end_session(srv, (srs_rtc_session_t *)it.value, "server quit");
    }
    srs_rtc_table_free(srv->table);
    srs_addr_map_free(srv->by_source);
    srs_udp_endpoint_close(&srv->udp);
    if (srv->jobs_cond) st_cond_destroy(srv->jobs_cond);
    free(srv);
}
