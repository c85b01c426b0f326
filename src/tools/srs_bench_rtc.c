/* SPDX-License-Identifier: MIT */
/* srs-bench's WebRTC players (-sr webrtc://, whep://, http://): see trunk/doc/srs-bench.md.
 *
 * Each player is one coroutine with its own UDP socket and a linear path: offer → answer
 * (srs_bench_rtc_signal.c) → STUN binding requests until answered → DTLS client (the answer's
 * fingerprint checked) → SRTP. That setup must finish within BENCH_RTC_SETUP_TIMEOUT or the player
 * counts as failed. Then its socket joins one epoll set that a single "rtc-dispatch" coroutine
 * watches, so ST's poll() covers one fd however many players run; the dispatcher decrypts and
 * counts each packet inline, and the player's coroutine only wakes for its timers: receiver
 * reports every second, consent refresh every 4-6 s (RFC 7675), consent expiry, and a stall (nothing
 * received for BENCH_RTC_STALL_TIMEOUT), each of which fails the player. */
#include "srs_bench.h"
#include "srs_bench_rtc.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_dtls.h"
#include "srs_protocol_rtc_sdp.h"
#include "srs_protocol_rtp.h"
#include "srs_protocol_srtp.h"
#include "srs_protocol_st.h"
#include "srs_protocol_stun.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Signalling, ICE and DTLS together, per player. */
#define BENCH_RTC_SETUP_TIMEOUT (10 * SRS_UTIME_SECONDS)
#define BENCH_RTC_STUN_RTO_FIRST (100 * SRS_UTIME_MILLISECONDS)
#define BENCH_RTC_STUN_RTO_MAX (1600 * SRS_UTIME_MILLISECONDS)
#define BENCH_RTC_RR_INTERVAL SRS_UTIME_SECONDS
/* RFC 7675: a check every 4-6 s, consent lost after 30 s without an answer. */
#define BENCH_RTC_CONSENT_MIN (4 * SRS_UTIME_SECONDS)
#define BENCH_RTC_CONSENT_JITTER (2 * SRS_UTIME_SECONDS)
#define BENCH_RTC_CONSENT_TIMEOUT (30 * SRS_UTIME_SECONDS)
/* A live stream sends dozens of packets a second: this long without one is a failed player. */
#define BENCH_RTC_STALL_TIMEOUT (10 * SRS_UTIME_SECONDS)
/* Streams (SSRCs) counted per player: audio and video, and room for a restart. */
#define BENCH_RTC_MAX_SLOTS 4
/* Largest H.264 frame the checker reassembles (virtual memory until a frame needs it). */
#define BENCH_RTC_MAX_FRAME (1024 * 1024)
#define BENCH_RTC_SOCKET_BUFFER (1024 * 1024)
#define BENCH_RTC_EPOLL_EVENTS 256
#define BENCH_RTC_DRAIN_PER_PLAYER 16
#define BENCH_RTC_MAX_DATAGRAM 65536
/* OpenSSL's handshake and libsrtp run on these stacks; a thousand players need them small. */
#ifdef SRS_SANITIZER
#define BENCH_RTC_PLAYER_STACK (512 * 1024)
#else
#define BENCH_RTC_PLAYER_STACK (128 * 1024)
#endif
#define BENCH_RTC_DISPATCH_STACK (256 * 1024)

typedef struct bench_rtc_s bench_rtc_t;

/* One received stream (SSRC) of a player, and what it adds to the global stats now. */
typedef struct {
    bool used;
    bool video;
    srs_rtp_recv_stats_t stats;
    uint64_t expected_added, lost_added;
} recv_slot_t;

typedef struct {
    bench_rtc_t *bench;
    int id;
    int fd;
    st_netfd_t stfd;
    bool in_epoll, alive;
    srs_sockaddr_t server;
    char ufrag[16], pwd[40];
    char remote_ufrag[64], remote_pwd[128], remote_fingerprint[160];
    char username[200];
    bool raw;
    int audio_pt, video_pt;
    uint8_t txid[12];          /* of the last binding request */
    bool ice_done;
    srs_utime_t last_consent;  /* the last answered binding request */
    srs_utime_t last_rx;       /* the last datagram of any kind */
    srs_dtls_t *dtls;
    srs_srtp_t *srtp;
    srs_error_t error;         /* the first failure the dispatcher saw */
    recv_slot_t slots[BENCH_RTC_MAX_SLOTS];
    srs_rtp_h264_checker_t checker;
    uint64_t frames_added;
    double jitter_added;
    bool jitter_counted;
    uint32_t rr_ssrc;
} bench_player_t;

struct bench_rtc_s {
    const srs_bench_config_t *cfg;
    srs_bench_stats_t *stats;
    srs_bench_rtc_url_t url;
    srs_dtls_cert_t *cert;
    srs_sockaddr_t api_addr;   /* to pick the local address and family */
    char local_ip[64];
    int epfd;
    st_netfd_t epoll_netfd;
    uint8_t rx[BENCH_RTC_MAX_DATAGRAM];
};

static srs_log_limit_t fail_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);

/* ---- sending (never blocks: a full socket buffer loses the datagram, as the network would) ---- */

static srs_error_t player_send(void *ctx, const uint8_t *data, size_t len)
{
    bench_player_t *p = (bench_player_t *)ctx;
    if (sendto(p->fd, data, len, MSG_DONTWAIT, (const struct sockaddr *)&p->server.ss, p->server.len) < 0) {
        return srs_error_new(ERROR_SYSTEM_IO, "sendto: %s", strerror(errno));
    }
    return srs_success;
}

static srs_error_t send_binding_request(bench_player_t *p, bool new_transaction)
{
    if (new_transaction) srs_random_bytes(p->txid, sizeof(p->txid));
    srs_stun_build_t b;
    memset(&b, 0, sizeof(b));
    b.type = SRS_STUN_BINDING_REQUEST;
    b.txid = p->txid;
    b.username = p->username;
    b.priority = 1853817087u; /* a peer-reflexive candidate's, as browsers send */
    b.use_candidate = true;
    b.ice_controlling = true;
    b.tiebreaker = srs_random_u64();
    b.integrity_pwd = p->remote_pwd;
    b.fingerprint = true;
    uint8_t buf[600];
    size_t len = 0;
    srs_error_t err = srs_stun_build(&b, buf, sizeof(buf), &len);
    if (!err) err = player_send(p, buf, len);
    return err;
}

static void keep_error(bench_player_t *p, srs_error_t err)
{
    if (!err) return;
    if (p->error) srs_error_free(err);
    else p->error = err;
}

/* ---- receiving and counting ---- */

static recv_slot_t *player_slot(bench_player_t *p, uint32_t ssrc, uint8_t pt)
{
    for (int i = 0; i < BENCH_RTC_MAX_SLOTS; i++) {
        if (p->slots[i].used && p->slots[i].stats.ssrc == ssrc) return &p->slots[i];
    }
    for (int i = 0; i < BENCH_RTC_MAX_SLOTS; i++) {
        recv_slot_t *s = &p->slots[i];
        if (s->used) continue;
        s->used = true;
        s->video = pt != p->audio_pt;
        srs_rtp_stats_init(&s->stats, ssrc, s->video ? SRS_RTP_VIDEO_CLOCK_RATE : SRS_RTP_OPUS_CLOCK_RATE);
        return s;
    }
    return NULL;
}

/* The player's jitter: its video stream's, else its first stream's, in ms. */
static double player_jitter_ms(const bench_player_t *p)
{
    const recv_slot_t *pick = NULL;
    for (int i = 0; i < BENCH_RTC_MAX_SLOTS; i++) {
        if (p->slots[i].used && (!pick || (p->slots[i].video && !pick->video))) pick = &p->slots[i];
    }
    if (!pick) return 0;
    return (double)srs_rtp_stats_jitter(&pick->stats) * 1000.0 / pick->stats.clock_rate;
}

static void count_packet(bench_player_t *p, uint32_t ssrc, uint8_t pt, uint16_t seq, uint32_t ts, size_t bytes)
{
    srs_bench_stats_t *st = p->bench->stats;
    st->packets++;
    st->bytes += bytes;
    recv_slot_t *s = player_slot(p, ssrc, pt);
    if (!s) return;
    srs_rtp_stats_update(&s->stats, seq, ts, bytes, srs_time_now());
    /* Expected and lost may move either way (a late packet, a restart): replace what we added. */
    uint64_t expected = srs_rtp_stats_expected(&s->stats), lost = srs_rtp_stats_lost(&s->stats);
    st->expected = st->expected - s->expected_added + expected;
    st->lost = st->lost - s->lost_added + lost;
    s->expected_added = expected;
    s->lost_added = lost;
    double jitter = player_jitter_ms(p);
    st->jitter_ms_sum += jitter - p->jitter_added;
    p->jitter_added = jitter;
    if (!p->jitter_counted) {
        p->jitter_counted = true;
        st->jitter_samples++;
    }
}

static void on_rtp(bench_player_t *p, uint8_t *data, size_t len)
{
    size_t wire = len;
    if (p->raw) {
        /* Protected with the stream's key, not ours: the header is clear, the payload is not. */
        if (len < SRS_RTP_HEADER_SIZE || (data[0] >> 6) != SRS_RTP_VERSION) return;
        uint16_t seq = (uint16_t)((data[2] << 8) | data[3]);
        uint32_t ts = ((uint32_t)data[4] << 24) | ((uint32_t)data[5] << 16) | ((uint32_t)data[6] << 8) | data[7];
        uint32_t ssrc = ((uint32_t)data[8] << 24) | ((uint32_t)data[9] << 16) | ((uint32_t)data[10] << 8) | data[11];
        count_packet(p, ssrc, data[1] & 0x7F, seq, ts, wire);
        return;
    }
    srs_error_t err = srs_srtp_unprotect_rtp(p->srtp, data, &len);
    srs_rtp_packet_t pkt;
    if (!err) err = srs_rtp_parse(data, len, &pkt);
    if (err) {
        /* Not counted as received: it shows up as loss. */
        srs_error_free(err);
        return;
    }
    const srs_rtp_header_t *h = &pkt.header;
    count_packet(p, h->ssrc, h->payload_type, h->sequence, h->timestamp, wire);
    if (h->payload_type != p->video_pt) return;
    bool ready = false;
    srs_error_free(srs_rtp_h264_checker_feed(&p->checker, &pkt, &ready));
    p->bench->stats->frames += p->checker.frames - p->frames_added;
    p->frames_added = p->checker.frames;
}

static void on_rtcp(bench_player_t *p, uint8_t *data, size_t len)
{
    srs_error_t err = srs_srtp_unprotect_rtcp(p->srtp, data, &len);
    srs_rtcp_packet_t pkts[8];
    size_t n = 0;
    if (!err) err = srs_rtcp_split(data, len, pkts, SRS_ARRAY_SIZE(pkts), &n);
    if (err) {
        srs_error_free(err);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        srs_rtcp_sr_t sr;
        if (pkts[i].type != SRS_RTCP_SR) continue;
        if ((err = srs_rtcp_parse_sr(&pkts[i], &sr)) != srs_success) {
            srs_error_free(err);
            continue;
        }
        for (int k = 0; k < BENCH_RTC_MAX_SLOTS; k++) {
            if (p->slots[k].used && p->slots[k].stats.ssrc == sr.ssrc) srs_rtp_stats_on_sr(&p->slots[k].stats, &sr, srs_time_now());
        }
    }
}

static void on_stun(bench_player_t *p, const uint8_t *data, size_t len)
{
    srs_stun_msg_t m;
    srs_error_t err = srs_stun_parse(data, len, &m);
    if (err) {
        srs_error_free(err);
        return;
    }
    /* Only the answer to our latest request, signed with the answer's ice-pwd, counts. */
    if (m.type != SRS_STUN_BINDING_SUCCESS || memcmp(m.txid, p->txid, sizeof(p->txid)) != 0) return;
    if (!srs_stun_check_integrity(data, len, &m, p->remote_pwd)) return;
    if (m.has_fingerprint && !srs_stun_check_fingerprint(data, len, &m)) return;
    p->ice_done = true;
    p->last_consent = srs_time_now();
}

/* Every datagram of a player, during setup (its coroutine) or after (the dispatcher). */
static void player_on_datagram(bench_player_t *p, uint8_t *data, size_t len)
{
    p->last_rx = (srs_utime_t)st_utime_last_clock(); /* ST's clock of this round: no syscall per packet */
    switch (srs_rtc_classify(data, len)) {
    case SRS_RTC_PACKET_STUN:
        on_stun(p, data, len);
        break;
    case SRS_RTC_PACKET_DTLS:
        if (p->dtls) keep_error(p, srs_dtls_on_recv(p->dtls, data, len));
        break;
    case SRS_RTC_PACKET_RTP_RTCP:
        if (!p->srtp) break;
        if (srs_rtc_is_rtcp(data, len)) on_rtcp(p, data, len);
        else on_rtp(p, data, len);
        break;
    default:
        break;
    }
}

/* ---- setup: signalling, ICE, DTLS ---- */

static srs_error_t player_open_socket(bench_player_t *p)
{
    bench_rtc_t *b = p->bench;
    int fd = socket(b->api_addr.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_SOCKET, "udp socket: %s", strerror(errno));
    int size = BENCH_RTC_SOCKET_BUFFER;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    if (!(p->stfd = st_netfd_open_socket(fd))) {
        close(fd);
        return srs_error_new(ERROR_SYSTEM_ST, "st_netfd_open_socket");
    }
    p->fd = fd;
    /* An unbound UDP socket gets its port at the first send; bind now to put it in the offer. */
    struct sockaddr_storage any;
    memset(&any, 0, sizeof(any));
    any.ss_family = b->api_addr.ss.ss_family;
    socklen_t len = any.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (bind(fd, (struct sockaddr *)&any, len) < 0) return srs_error_new(ERROR_SYSTEM_BIND, "bind: %s", strerror(errno));
    return srs_success;
}

/* The datagram that arrives within timeout, handled; ERROR_SYSTEM_TIMEOUT when none came. */
static srs_error_t player_recv(bench_player_t *p, srs_utime_t timeout)
{
    uint8_t buf[2048];
    srs_coroutine_set_state(SRS_CO_WAIT_READ);
    ssize_t n = st_recvfrom(p->stfd, buf, sizeof(buf), NULL, NULL, srs_st_timeout(timeout));
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (n < 0) {
        if (errno == ETIME) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "recv timeout");
        if (errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "recv interrupted");
        /* e.g. ECONNREFUSED from an ICMP error of an earlier send: keep waiting. */
        return srs_success;
    }
    player_on_datagram(p, buf, (size_t)n);
    return srs_success;
}

static srs_error_t player_signal(bench_player_t *p, srs_utime_t deadline)
{
    bench_rtc_t *b = p->bench;
    srs_sockaddr_t local;
    srs_error_t err = srs_socket_local_addr(p->stfd, &local);
    if (err) return err;
    char *offer = NULL, *answer = NULL, location[512];
    srs_rtc_sdp_offer_t o = {p->ufrag, p->pwd, srs_dtls_cert_fingerprint(b->cert), b->local_ip, srs_sockaddr_port(&local)};
    if ((err = srs_rtc_sdp_build_offer(&o, &offer)) != srs_success) return err;
    err = srs_bench_rtc_signal(&b->url, offer, srs_time_left(deadline), &answer, location, sizeof(location));
    free(offer);
    if (err) return srs_error_wrap(err, "signalling");

    srs_rtc_sdp_t *sdp = calloc(1, sizeof(*sdp));
    if (!sdp) err = srs_error_new(ERROR_SYSTEM_NOMEM, "answer");
    if (!err) err = srs_rtc_sdp_parse(answer, strlen(answer), sdp);
    if (!err && (!sdp->ufrag[0] || !sdp->pwd[0] || !sdp->fingerprint[0] || !sdp->candidate_port)) {
        err = srs_error_new(ERROR_RTC_SDP, "answer without ice-ufrag, ice-pwd, fingerprint or a UDP candidate");
    }
    if (!err) err = srs_sockaddr_resolve(sdp->candidate_ip, sdp->candidate_port, &p->server);
    if (!err) {
        snprintf(p->remote_ufrag, sizeof(p->remote_ufrag), "%s", sdp->ufrag);
        snprintf(p->remote_pwd, sizeof(p->remote_pwd), "%s", sdp->pwd);
        snprintf(p->remote_fingerprint, sizeof(p->remote_fingerprint), "%s", sdp->fingerprint);
        snprintf(p->username, sizeof(p->username), "%s:%s", sdp->ufrag, p->ufrag);
        p->raw = b->cfg->raw || sdp->raw_srtp;
        p->audio_pt = srs_rtc_sdp_opus_pt(sdp);
        p->video_pt = srs_rtc_sdp_h264_pt(sdp);
    }
    free(sdp);
    free(answer);
    return err ? srs_error_wrap(err, "answer") : srs_success;
}

static srs_error_t player_ice(bench_player_t *p, srs_utime_t deadline)
{
    srs_utime_t rto = BENCH_RTC_STUN_RTO_FIRST, next_send = 0;
    bool first = true;
    while (!p->ice_done) {
        srs_utime_t now = srs_time_now();
        if (now >= deadline) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "ICE: no binding response");
        if (now >= next_send) {
            /* Retransmissions keep the transaction id (RFC 5389 §7.2.1). */
            srs_error_t err = send_binding_request(p, first);
            if (err) srs_error_free(err); /* lost like any datagram; the timer resends */
            first = false;
            next_send = now + rto;
            rto = SRS_MIN(rto * 2, BENCH_RTC_STUN_RTO_MAX);
        }
        srs_error_t err = player_recv(p, srs_time_left(SRS_MIN(next_send, deadline)));
        if (err && srs_error_code(err) != ERROR_SYSTEM_TIMEOUT) return err;
        srs_error_free(err);
    }
    return srs_success;
}

static srs_error_t player_dtls(bench_player_t *p, srs_utime_t deadline, double *ms)
{
    srs_utime_t start = srs_time_now();
    srs_error_t err = srs_dtls_new(p->bench->cert, true, p->remote_fingerprint, player_send, p, &p->dtls);
    if (err) return err;
    /* A send failure is a lost datagram: the retransmission timer covers it. */
    srs_error_free(srs_dtls_start(p->dtls));
    while (!srs_dtls_done(p->dtls)) {
        if (p->error) {
            err = p->error;
            p->error = NULL;
            return err;
        }
        srs_utime_t now = srs_time_now();
        if (now >= deadline) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "DTLS handshake timeout");
        srs_utime_t due = srs_dtls_timeout(p->dtls);
        srs_utime_t wait = deadline - now;
        if (due) wait = SRS_MIN(wait, due);
        err = player_recv(p, wait);
        if (err && srs_error_code(err) != ERROR_SYSTEM_TIMEOUT) return err;
        srs_error_free(err);
        /* Resends the last flight only when its timer expired. */
        err = srs_dtls_on_timeout(p->dtls);
        if (err && srs_error_code(err) == ERROR_RTC_DTLS) return err;
        srs_error_free(err);
    }
    *ms = (double)(srs_time_now() - start) / SRS_UTIME_MILLISECONDS;

    srs_dtls_srtp_keys_t keys;
    if ((err = srs_dtls_srtp_keys(p->dtls, &keys)) != srs_success) return err;
    return srs_srtp_new(&keys, &p->srtp);
}

/* ---- the media phase ---- */

static srs_error_t send_receiver_report(bench_player_t *p)
{
    srs_rtcp_rr_t rr;
    memset(&rr, 0, sizeof(rr));
    rr.ssrc = p->rr_ssrc;
    srs_utime_t now = srs_time_now();
    for (int i = 0; i < BENCH_RTC_MAX_SLOTS; i++) {
        if (p->slots[i].used) srs_rtp_stats_report(&p->slots[i].stats, now, &rr.blocks[rr.count++]);
    }
    uint8_t buf[SRS_RTCP_HEADER_SIZE + 4 + BENCH_RTC_MAX_SLOTS * SRS_RTCP_REPORT_BLOCK_SIZE + SRS_SRTP_MAX_TRAILER];
    size_t len = 0;
    srs_error_t err = srs_rtcp_write_rr(&rr, buf, sizeof(buf) - SRS_SRTP_MAX_TRAILER, &len);
    if (!err) err = srs_srtp_protect_rtcp(p->srtp, buf, &len, sizeof(buf));
    if (!err) err = player_send(p, buf, len);
    return err;
}

static srs_error_t player_media(bench_player_t *p)
{
    bench_rtc_t *b = p->bench;
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = p;
    if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, p->fd, &ev) < 0) return srs_error_new(ERROR_SYSTEM_SOCKET, "epoll add: %s", strerror(errno));
    p->in_epoll = true;

    srs_utime_t now = srs_time_now();
    srs_utime_t next_rr = now + BENCH_RTC_RR_INTERVAL;
    srs_utime_t next_consent = now + BENCH_RTC_CONSENT_MIN + (srs_utime_t)(srs_random_u64() % BENCH_RTC_CONSENT_JITTER);
    for (;;) {
        /* srs_time_left: reading the clock twice here once slept a player forever (a -1). */
        srs_error_t err = srs_st_usleep(srs_time_left(SRS_MIN(next_rr, next_consent)));
        if (err) return err;
        if (p->error) {
            err = p->error;
            p->error = NULL;
            return srs_error_wrap(err, "after setup");
        }
        if (srs_dtls_peer_closed(p->dtls)) return srs_error_new(ERROR_RTC_SESSION, "the server closed the session (close_notify)");
        now = srs_time_now();
        if (now - p->last_consent > BENCH_RTC_CONSENT_TIMEOUT) {
            return srs_error_new(ERROR_SYSTEM_TIMEOUT, "consent expired: no binding response for %d s",
                                 (int)(BENCH_RTC_CONSENT_TIMEOUT / SRS_UTIME_SECONDS));
        }
        if (now - p->last_rx > BENCH_RTC_STALL_TIMEOUT) {
            return srs_error_new(ERROR_SYSTEM_TIMEOUT, "stalled: nothing received for %d s",
                                 (int)(BENCH_RTC_STALL_TIMEOUT / SRS_UTIME_SECONDS));
        }
        if (now >= next_rr) {
            next_rr += BENCH_RTC_RR_INTERVAL;
            if (next_rr < now) next_rr = now + BENCH_RTC_RR_INTERVAL;
            srs_error_free(send_receiver_report(p));
        }
        if (now >= next_consent) {
            next_consent = now + BENCH_RTC_CONSENT_MIN + (srs_utime_t)(srs_random_u64() % BENCH_RTC_CONSENT_JITTER);
            srs_error_free(send_binding_request(p, true));
        }
    }
}

static void player_free(bench_player_t *p)
{
    if (p->in_epoll) epoll_ctl(p->bench->epfd, EPOLL_CTL_DEL, p->fd, NULL);
    srs_st_close(p->stfd); /* closes fd */
    srs_dtls_free(p->dtls);
    srs_srtp_free(p->srtp);
    srs_rtp_h264_checker_free(&p->checker);
    srs_error_free(p->error);
    free(p);
}

static srs_error_t player_cycle(void *arg)
{
    bench_player_t *p = (bench_player_t *)arg;
    srs_bench_stats_t *st = p->bench->stats;
    st->players_started++;
    srs_utime_t deadline = srs_time_now() + BENCH_RTC_SETUP_TIMEOUT;
    double dtls_ms = 0;
    srs_error_t err = player_open_socket(p);
    if (!err) err = player_signal(p, deadline);
    if (!err) err = player_ice(p, deadline);
    if (!err) err = player_dtls(p, deadline, &dtls_ms);
    if (!err) {
        st->players_alive++;
        p->alive = true;
        srs_bench_stats_add_dtls(st, dtls_ms);
        srs_log_debug("player %d: playing, DTLS in %.1f ms%s", p->id, dtls_ms, p->raw ? " (raw media)" : "");
        err = player_media(p);
    }
    /* The media phase only ends badly: the process exits at the end of the run. */
    st->players_failed++;
    if (p->alive) st->players_alive--;
    if (srs_error_code(err) != ERROR_SYSTEM_INTERRUPTED) {
        srs_log_limited(&fail_log, SRS_LOG_WARN, "player %d failed: %s", p->id, srs_error_summary(err));
    }
    srs_error_free(err);
    player_free(p);
    return srs_success;
}

/* ---- the process-wide parts ---- */

static srs_error_t dispatch_cycle(void *arg)
{
    bench_rtc_t *b = (bench_rtc_t *)arg;
    struct epoll_event events[BENCH_RTC_EPOLL_EVENTS];
    for (;;) {
        srs_coroutine_set_state(SRS_CO_WAIT_READ);
        int r = st_netfd_poll(b->epoll_netfd, POLLIN, ST_UTIME_NO_TIMEOUT);
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        if (r < 0 && errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "rtc dispatcher");
        int n = epoll_wait(b->epfd, events, BENCH_RTC_EPOLL_EVENTS, 0);
        /* No yield from here to the next poll: a player cannot go away while we hold it. */
        for (int i = 0; i < n; i++) {
            bench_player_t *p = (bench_player_t *)events[i].data.ptr;
            for (int k = 0; k < BENCH_RTC_DRAIN_PER_PLAYER; k++) {
                ssize_t len = recv(p->fd, b->rx, sizeof(b->rx), MSG_DONTWAIT);
                if (len < 0) break;
                player_on_datagram(p, b->rx, (size_t)len);
            }
        }
    }
}

static srs_error_t start_players(void *arg)
{
    bench_rtc_t *b = (bench_rtc_t *)arg;
    for (int i = 0; i < b->cfg->nn; i++) {
        if (i && b->cfg->delay_ms) {
            srs_error_t err = srs_st_usleep((srs_utime_t)b->cfg->delay_ms * SRS_UTIME_MILLISECONDS);
            if (err) return err;
        }
        bench_player_t *p = calloc(1, sizeof(*p));
        if (!p) return srs_error_new(ERROR_SYSTEM_NOMEM, "player");
        p->bench = b;
        p->id = i;
        p->fd = -1;
        p->audio_pt = p->video_pt = -1;
        p->rr_ssrc = (uint32_t)srs_random_u64() | 1;
        static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int k = 0; k < 8; k++) p->ufrag[k] = alnum[srs_random_u64() % 36];
        for (int k = 0; k < 32; k++) p->pwd[k] = alnum[srs_random_u64() % 36];
        srs_error_t err = srs_rtp_h264_checker_init(&p->checker, BENCH_RTC_MAX_FRAME);
        if (err) {
            free(p);
            return err;
        }
        char name[32];
        snprintf(name, sizeof(name), "rtc-player-%d", i);
        srs_coroutine_t *co = srs_coroutine_new(name, player_cycle, p);
        srs_coroutine_set_stack_size(co, BENCH_RTC_PLAYER_STACK);
        if ((err = srs_coroutine_start_detached(co)) != srs_success) {
            srs_rtp_h264_checker_free(&p->checker);
            free(p);
            return err;
        }
    }
    return srs_success;
}

/* The address this host uses toward the API: what the offer's candidate says. */
static srs_error_t pick_local_ip(bench_rtc_t *b)
{
    int fd = socket(b->api_addr.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_SOCKET, "udp socket");
    srs_sockaddr_t local;
    memset(&local, 0, sizeof(local));
    local.len = sizeof(local.ss);
    /* A UDP connect sends nothing; it only picks the route and source address. */
    bool ok = connect(fd, (struct sockaddr *)&b->api_addr.ss, b->api_addr.len) == 0
              && getsockname(fd, (struct sockaddr *)&local.ss, &local.len) == 0;
    close(fd);
    if (!ok) return srs_error_new(ERROR_SYSTEM_CONNECT, "no route to %s", b->url.host);
    char text[96];
    srs_sockaddr_string(&local, text, sizeof(text));
    /* "ip:port" or "[ip6]:port" → ip */
    char *end = strrchr(text, ':');
    if (end) *end = '\0';
    const char *ip = text;
    if (ip[0] == '[') {
        ip++;
        char *close_bracket = strchr(text, ']');
        if (close_bracket) *close_bracket = '\0';
    }
    snprintf(b->local_ip, sizeof(b->local_ip), "%.63s", ip);
    return srs_success;
}

srs_error_t srs_bench_rtc_start(const srs_bench_config_t *cfg, srs_bench_stats_t *stats)
{
    bench_rtc_t *b = calloc(1, sizeof(*b));
    if (!b) return srs_error_new(ERROR_SYSTEM_NOMEM, "rtc bench");
    b->cfg = cfg;
    b->stats = stats;
    b->epfd = -1;
    srs_error_t err = srs_bench_rtc_parse_url(cfg->sr, &b->url);
    if (!err) err = srs_sockaddr_resolve(b->url.host, b->url.port, &b->api_addr);
    if (!err) err = pick_local_ip(b);
    if (!err) err = srs_srtp_global_init();
    if (!err) err = srs_dtls_cert_new(&b->cert);
    if (!err && (b->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) err = srs_error_new(ERROR_SYSTEM_SOCKET, "epoll_create1");
    if (!err && !(b->epoll_netfd = st_netfd_open(b->epfd))) err = srs_error_new(ERROR_SYSTEM_ST, "st_netfd_open epoll");
    if (err) {
        /* The process ends on a start error: nothing else to free. */
        return srs_error_wrap(err, "WebRTC players for %s", cfg->sr);
    }
    srs_coroutine_t *dispatcher = srs_coroutine_new("rtc-dispatch", dispatch_cycle, b);
    srs_coroutine_set_stack_size(dispatcher, BENCH_RTC_DISPATCH_STACK);
    if ((err = srs_coroutine_start(dispatcher)) != srs_success) return err;
    srs_coroutine_t *starter = srs_coroutine_new("rtc-starter", start_players, b);
    if ((err = srs_coroutine_start_detached(starter)) != srs_success) return err;
    srs_log_info("srs-bench: %d WebRTC players of %s (%s API at %s:%d%s), candidate %s%s", cfg->nn, cfg->sr,
                 b->url.api == SRS_BENCH_RTC_WHEP ? "WHEP" : "legacy", b->url.host, b->url.port, b->url.target,
                 b->local_ip, cfg->raw ? ", raw media" : "");
    return srs_success;
}
