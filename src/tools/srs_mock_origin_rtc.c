/* SPDX-License-Identifier: MIT */
/* The mock origin's WebRTC media side; see srs_mock_origin_rtc.h and trunk/doc/mock-origin.md.
 *
 * Ownership: a player belongs to its stream. Anything may close a player (mark it closing and
 * take it out of the lookup tables); only the stream's sender frees it, between two rounds, so a
 * sender never sends to freed memory. A stream's sender ends, and frees the stream, when it has
 * no player left. */
#include "srs_mock_origin_rtc.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_addr_map.h"
#include "srs_kernel_flv.h"
#include "srs_kernel_map.h"
#include "srs_mock_hub.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_dtls.h"
#include "srs_protocol_rtc_sdp.h"
#include "srs_protocol_rtp.h"
#include "srs_protocol_rtp_loop.h"
#include "srs_protocol_srtp.h"
#include "srs_protocol_st.h"
#include "srs_protocol_stun.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* SRS asks for 10 MiB on its RTC socket; the kernel may give less. */
#define MOCK_RTC_SOCKET_BUFFER (10 * 1024 * 1024)
/* A session without a packet from its peer this long ends, as in SRS; so does one that has not
 * finished ICE and DTLS this long after its offer. */
#define MOCK_RTC_SESSION_TIMEOUT (30 * SRS_UTIME_SECONDS)
#define MOCK_RTC_MAX_SESSIONS 100000
/* Datagrams per sendmmsg. */
#define MOCK_RTC_BATCH 64
#define MOCK_RTC_PACKET_CAP (SRS_RTP_PACKET_CAPACITY + SRS_SRTP_MAX_TRAILER)
/* A sender that fell this far behind skips ahead instead of bursting to catch up. */
#define MOCK_RTC_MAX_LAG (SRS_UTIME_SECONDS / 2)
#define MOCK_RTC_MAX_SLEEP (20 * SRS_UTIME_MILLISECONDS)
#define MOCK_RTC_YIELD_EVERY 16
/* OpenSSL's handshake runs on the receiver's stack. */
#define MOCK_RTC_RECEIVER_STACK (256 * 1024)

typedef enum {
    PLAYER_WAIT_ICE = 0, /* signalled, no valid binding request yet */
    PLAYER_DTLS,         /* ICE done, DTLS handshake running */
    PLAYER_READY,        /* SRTP keys: media flows */
    PLAYER_CLOSING,      /* out of the tables; its sender frees it */
} player_state_t;

typedef struct mock_stream_s mock_stream_t;

typedef struct {
    srs_mock_rtc_t *server;
    mock_stream_t *stream;
    player_state_t state;
    bool publish;
    char session[200];        /* "<our ufrag>:<their ufrag>": the STUN USERNAME */
    char pwd[40];             /* our ice-pwd */
    char token[24];
    char peer_fingerprint[160];
    int pt[2];                /* negotiated payload type by kind, -1 = that kind is not sent */
    bool has_addr;
    srs_addr_key_t key;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    srs_dtls_t *dtls;
    srs_srtp_t *srtp;
    srs_utime_t created, last_seen, dtls_started;
    uint64_t rtp_in, rtcp_in, srtp_errors;
} mock_player_t;

/* Datagrams queued for one sendmmsg. */
typedef struct {
    struct mmsghdr msgs[MOCK_RTC_BATCH];
    struct iovec iov[MOCK_RTC_BATCH];
    struct sockaddr_storage addr[MOCK_RTC_BATCH];
    uint8_t buf[MOCK_RTC_BATCH][MOCK_RTC_PACKET_CAP];
    int count;
} send_batch_t;

struct mock_stream_s {
    srs_mock_rtc_t *server;
    char name[256];
    srs_rtp_loop_ids_t ids;
    mock_player_t **players;
    int n_players, cap_players;
    srs_srtp_t *raw_srtp;     /* raw mode: the stream's own key */
    srs_utime_t start;        /* when loop 0 began */
    size_t next;              /* the next packet of the cache */
    uint64_t loop;
    srs_utime_t last_expiry_check;
    srs_mock_rtc_live_t *live;  /* while an RTMP publisher publishes the stream, else NULL */
    srs_utime_t last_live_check;
    uint8_t clear[MOCK_RTC_PACKET_CAP]; /* the packet being sent, clear (or raw: protected) */
    send_batch_t batch;
    uint64_t sent, dropped;
};

struct srs_mock_rtc_s {
    const srs_mock_config_t *cfg;
    srs_dtls_cert_t *cert;
    char fingerprint[SRS_DTLS_FINGERPRINT_SIZE]; /* what answers advertise */
    srs_rtp_loop_t cache;
    st_netfd_t udp;
    int fd;
    srs_map_t *streams;   /* name → mock_stream_t */
    srs_map_t *sessions;  /* session → mock_player_t */
    srs_addr_map_t *addrs; /* address → mock_player_t */
    int n_sessions;
    uint8_t rx[65536];
};

static srs_log_limit_t peer_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);

/* ---- players ---- */

static void random_text(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    for (size_t i = 0; i < n; i++) out[i] = alphabet[srs_random_u64() % k];
    out[n] = '\0';
}

static void player_close(mock_player_t *p, const char *reason)
{
    if (p->state == PLAYER_CLOSING) return;
    srs_mock_rtc_t *m = p->server;
    srs_log_info("RTC session %s of %s closed: %s (rtp in %llu, rtcp in %llu, srtp errors %llu)", p->session,
                 p->stream->name, reason, (unsigned long long)p->rtp_in, (unsigned long long)p->rtcp_in,
                 (unsigned long long)p->srtp_errors);
    if (srs_map_get(m->sessions, p->session) == p) srs_map_remove(m->sessions, p->session);
    if (p->has_addr && srs_addr_map_get(m->addrs, &p->key) == p) srs_addr_map_remove(m->addrs, &p->key);
    if (p->dtls && p->state == PLAYER_READY) {
        srs_error_t err = srs_dtls_close(p->dtls); /* close_notify: the peer learns at once */
        srs_error_free(err);
    }
    p->state = PLAYER_CLOSING;
    m->n_sessions--;
}

static void player_free(mock_player_t *p)
{
    srs_dtls_free(p->dtls);
    srs_srtp_free(p->srtp);
    free(p);
}

/* Control packets (STUN, DTLS) go out at once; a full socket buffer loses them and the peer
 * retransmits. */
static srs_error_t player_send(void *ctx, const uint8_t *data, size_t len)
{
    mock_player_t *p = (mock_player_t *)ctx;
    if (!p->has_addr) return srs_error_new(ERROR_RTC_SESSION, "no address yet");
    if (sendto(p->server->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&p->addr, p->addr_len) < 0) {
        return srs_error_new(ERROR_SYSTEM_IO, "sendto");
    }
    return srs_success;
}

/* ---- streams and their senders ---- */

static void batch_flush(mock_stream_t *s)
{
    send_batch_t *b = &s->batch;
    int sent = 0, waits = 0;
    while (sent < b->count) {
        int r = sendmmsg(s->server->fd, b->msgs + sent, (unsigned int)(b->count - sent), MSG_DONTWAIT);
        if (r > 0) {
            sent += r;
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waits++ < 3) {
            srs_coroutine_set_state(SRS_CO_WAIT_WRITE);
            st_netfd_poll(s->server->udp, POLLOUT, 100 * SRS_UTIME_MILLISECONDS);
            srs_coroutine_set_state(SRS_CO_RUNNABLE);
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        /* The kernel refused the first one (e.g. no route): skip it. */
        sent++;
        s->dropped++;
    }
    s->sent += (uint64_t)sent;
    s->dropped += (uint64_t)(b->count - sent);
    b->count = 0;
}

/* Queue data for p; the batch keeps its own copy of the address (p may close while we wait). */
static void batch_add(mock_stream_t *s, const mock_player_t *p, uint8_t *data, size_t len)
{
    send_batch_t *b = &s->batch;
    int i = b->count++;
    memcpy(&b->addr[i], &p->addr, p->addr_len);
    b->iov[i].iov_base = data;
    b->iov[i].iov_len = len;
    memset(&b->msgs[i], 0, sizeof(b->msgs[i]));
    b->msgs[i].msg_hdr.msg_name = &b->addr[i];
    b->msgs[i].msg_hdr.msg_namelen = p->addr_len;
    b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
    b->msgs[i].msg_hdr.msg_iovlen = 1;
    if (b->count == MOCK_RTC_BATCH) batch_flush(s);
}

static bool wants_media(const mock_player_t *p, int kind)
{
    return p->state == PLAYER_READY && !p->publish && p->pt[kind] >= 0;
}

static srs_log_limit_t send_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);

/* The packet in s->clear to every player: protected once (raw) or once per player. */
static void stream_send_clear(mock_stream_t *s, int kind, size_t len)
{
    srs_error_t err = srs_success;
    if (s->raw_srtp) err = srs_srtp_protect_rtp(s->raw_srtp, s->clear, &len, sizeof(s->clear));
    if (err) {
        srs_log_limited(&send_log, SRS_LOG_WARN, "RTC stream %s: %s", s->name, srs_error_summary(err));
        srs_error_free(err);
        return;
    }
    for (int i = 0; i < s->n_players; i++) {
        mock_player_t *p = s->players[i];
        if (!wants_media(p, kind)) continue;
        if (s->raw_srtp) {
            batch_add(s, p, s->clear, len);
            continue;
        }
        uint8_t *buf = s->batch.buf[s->batch.count];
        memcpy(buf, s->clear, len);
        buf[1] = (uint8_t)((buf[1] & 0x80) | p->pt[kind]);
        size_t n = len;
        if ((err = srs_srtp_protect_rtp(p->srtp, buf, &n, MOCK_RTC_PACKET_CAP)) != srs_success) {
            srs_log_limited(&send_log, SRS_LOG_WARN, "RTC session %s: %s", p->session, srs_error_summary(err));
            srs_error_free(err);
            continue;
        }
        batch_add(s, p, buf, n);
    }
    /* Raw batches point at s->clear, which the next packet overwrites. */
    if (s->raw_srtp) batch_flush(s);
}

static void stream_send_packet(mock_stream_t *s, size_t index)
{
    srs_mock_rtc_t *m = s->server;
    size_t len = 0;
    srs_error_t err = srs_rtp_loop_write(&m->cache, index, s->loop, &s->ids, s->clear, sizeof(s->clear), &len);
    if (err) {
        srs_log_limited(&send_log, SRS_LOG_WARN, "RTC stream %s: %s", s->name, srs_error_summary(err));
        srs_error_free(err);
        return;
    }
    stream_send_clear(s, m->cache.packets[index].kind, len);
}

static void live_emit(void *ctx, int kind, const uint8_t *rtp, size_t len)
{
    mock_stream_t *s = (mock_stream_t *)ctx;
    if (len > SRS_RTP_PACKET_CAPACITY) return;
    memcpy(s->clear, rtp, len);
    stream_send_clear(s, kind, len);
}

/* The sequence numbers the loop would give next, so a live source goes on from them. */
static void loop_next_seq(const mock_stream_t *s, uint16_t out[2])
{
    const srs_rtp_loop_t *c = &s->server->cache;
    for (int k = 0; k < 2; k++) {
        uint64_t offset = (s->loop + 1) * c->per_loop[k];
        for (size_t j = s->next; j < c->count; j++) {
            if (c->packets[j].kind == k) {
                offset = s->loop * c->per_loop[k] + c->packets[j].index;
                break;
            }
        }
        out[k] = (uint16_t)(s->ids.first_seq[k] + offset);
    }
}

/* Once a second: does an RTMP publisher publish this stream to the mock? Then play that. */
static void stream_check_live(mock_stream_t *s, srs_utime_t now)
{
    if (s->live || now - s->last_live_check < SRS_UTIME_SECONDS) return;
    s->last_live_check = now;
    if (!srs_mock_hub_is_published(s->name)) return;
    uint16_t seq[2];
    loop_next_seq(s, seq);
    srs_error_t err = srs_mock_rtc_live_new(s->name, &s->ids, seq, &s->live);
    if (err) {
        srs_log_warn("RTC stream %s: %s", s->name, srs_error_summary(err));
        srs_error_free(err);
        return;
    }
    srs_log_info("RTC stream %s: live from its RTMP publisher", s->name);
}

/* The publisher left: back to the file, sequence numbers going on. */
static void stream_end_live(mock_stream_t *s)
{
    uint16_t seq[2];
    srs_mock_rtc_live_next_seq(s->live, seq);
    srs_log_info("RTC stream %s: the RTMP publisher left after %llu frames, back to the file", s->name,
                 (unsigned long long)srs_mock_rtc_live_frames(s->live));
    srs_mock_rtc_live_free(s->live);
    s->live = NULL;
    for (int k = 0; k < 2; k++) s->ids.first_seq[k] = seq[k];
    s->loop = 0;
    s->next = 0;
    s->start = srs_time_now();
}

static srs_utime_t stream_due(const mock_stream_t *s)
{
    const srs_rtp_loop_t *c = &s->server->cache;
    uint64_t ms = s->loop * c->duration_ms + c->packets[s->next].send_ms;
    return s->start + (srs_utime_t)ms * SRS_UTIME_MILLISECONDS;
}

static void stream_send_due(mock_stream_t *s, srs_utime_t now)
{
    const srs_rtp_loop_t *c = &s->server->cache;
    for (;;) {
        srs_utime_t due = stream_due(s);
        if (due > now) break;
        if (now - due > MOCK_RTC_MAX_LAG) s->start += now - due;
        stream_send_packet(s, s->next);
        if (++s->next == c->count) {
            s->next = 0;
            s->loop++;
        }
    }
    batch_flush(s);
}

/* DTLS retransmissions, timeouts, and the players that closed since the last round. */
static void stream_housekeeping(mock_stream_t *s, srs_utime_t now)
{
    bool check_expiry = now - s->last_expiry_check >= SRS_UTIME_SECONDS;
    if (check_expiry) s->last_expiry_check = now;
    for (int i = 0; i < s->n_players;) {
        mock_player_t *p = s->players[i];
        if (p->state == PLAYER_DTLS && srs_dtls_timeout(p->dtls)) {
            srs_error_t err = srs_dtls_on_timeout(p->dtls);
            if (err) {
                srs_log_limited(&peer_log, SRS_LOG_WARN, "RTC session %s: %s", p->session, srs_error_summary(err));
                srs_error_free(err);
                player_close(p, "DTLS timeout");
            }
        }
        if (check_expiry && p->state != PLAYER_CLOSING) {
            if (p->state != PLAYER_READY && now - p->created > MOCK_RTC_SESSION_TIMEOUT) player_close(p, "no ICE/DTLS in time");
            else if (now - p->last_seen > MOCK_RTC_SESSION_TIMEOUT) player_close(p, "timeout");
        }
        if (p->state == PLAYER_CLOSING) {
            s->players[i] = s->players[--s->n_players];
            player_free(p);
            continue;
        }
        i++;
    }
}

static srs_error_t stream_cycle(void *arg)
{
    mock_stream_t *s = (mock_stream_t *)arg;
    srs_mock_rtc_t *m = s->server;
    for (;;) {
        srs_utime_t now = srs_time_now();
        stream_housekeeping(s, now);
        if (!s->n_players) break;
        stream_check_live(s, now);
        if (s->live) {
            srs_error_t err = srs_mock_rtc_live_pump(s->live, MOCK_RTC_MAX_SLEEP, live_emit, s);
            batch_flush(s);
            if (err && srs_error_code(err) == ERROR_SYSTEM_INTERRUPTED) {
                srs_error_free(err);
                break;
            }
            if (err) stream_end_live(s);
            srs_error_free(err);
            continue;
        }
        stream_send_due(s, now);
        srs_utime_t wait = stream_due(s) - srs_time_now();
        wait = SRS_MAX(SRS_MIN(wait, MOCK_RTC_MAX_SLEEP), SRS_UTIME_MILLISECONDS);
        srs_error_t err = srs_st_usleep(wait);
        if (err) {
            srs_error_free(err);
            break;
        }
    }
    for (int i = 0; i < s->n_players; i++) {
        player_close(s->players[i], "stream ends");
        player_free(s->players[i]);
    }
    srs_log_info("RTC stream %s ends: %llu packets sent, %llu dropped", s->name, (unsigned long long)s->sent,
                 (unsigned long long)s->dropped);
    if (srs_map_get(m->streams, s->name) == s) srs_map_remove(m->streams, s->name);
    srs_mock_rtc_live_free(s->live);
    srs_srtp_free(s->raw_srtp);
    free(s->players);
    free(s);
    return srs_success;
}

static uint32_t random_ssrc(void)
{
    uint32_t v;
    do v = (uint32_t)srs_random_u64(); while (!v);
    return v;
}

static srs_error_t stream_get(srs_mock_rtc_t *m, const char *name, mock_stream_t **out)
{
    mock_stream_t *s = (mock_stream_t *)srs_map_get(m->streams, name);
    if (s) {
        *out = s;
        return srs_success;
    }
    if (strlen(name) >= sizeof(s->name)) return srs_error_new(ERROR_STREAM_URL, "stream name too long");
    s = calloc(1, sizeof(*s));
    if (!s) return srs_error_new(ERROR_SYSTEM_NOMEM, "stream");
    s->server = m;
    snprintf(s->name, sizeof(s->name), "%s", name);
    for (int k = 0; k < 2; k++) {
        s->ids.ssrc[k] = random_ssrc();
        s->ids.first_seq[k] = (uint16_t)srs_random_u64();
        s->ids.first_ts[k] = (uint32_t)srs_random_u64();
    }
    s->ids.pt[SRS_RTP_LOOP_AUDIO] = SRS_RTC_SDP_OPUS_PT;
    s->ids.pt[SRS_RTP_LOOP_VIDEO] = SRS_RTC_SDP_H264_PT;
    s->start = s->last_expiry_check = srs_time_now();
    srs_error_t err = srs_success;
    if (m->cfg->raw) {
        /* One key for the stream: every player gets the same bytes. */
        srs_dtls_srtp_keys_t keys;
        memset(&keys, 0, sizeof(keys));
        keys.profile = SRS_SRTP_AES128_CM_SHA1_80;
        keys.key_len = 30;
        srs_random_bytes(keys.local_key, keys.key_len);
        srs_random_bytes(keys.remote_key, keys.key_len);
        err = srs_srtp_new(&keys, &s->raw_srtp);
    }
    srs_coroutine_t *co = NULL;
    if (!err) {
        co = srs_coroutine_new("rtc-sender", stream_cycle, s);
        err = srs_coroutine_start_detached(co);
    }
    if (err) {
        srs_srtp_free(s->raw_srtp);
        free(s);
        return srs_error_wrap(err, "stream %s", name);
    }
    srs_map_set(m->streams, name, s);
    srs_log_info("RTC stream %s starts%s: audio ssrc %u, video ssrc %u", name, m->cfg->raw ? " (raw)" : "",
                 s->ids.ssrc[SRS_RTP_LOOP_AUDIO], s->ids.ssrc[SRS_RTP_LOOP_VIDEO]);
    *out = s;
    return srs_success;
}

static srs_error_t stream_add(mock_stream_t *s, mock_player_t *p)
{
    if (s->n_players == s->cap_players) {
        int cap = s->cap_players ? s->cap_players * 2 : 16;
        mock_player_t **players = realloc(s->players, (size_t)cap * sizeof(*players));
        if (!players) return srs_error_new(ERROR_SYSTEM_NOMEM, "stream players");
        s->players = players;
        s->cap_players = cap;
    }
    s->players[s->n_players++] = p;
    p->stream = s;
    return srs_success;
}

/* ---- signalling ---- */

/* Query-string escaping for the Location. */
static void url_escape(const char *in, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)in; *c && n + 4 < size; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("-._~", *c)) {
            out[n++] = (char)*c;
        } else {
            out[n++] = '%';
            out[n++] = hex[*c >> 4];
            out[n++] = hex[*c & 15];
        }
    }
    out[n] = '\0';
}

srs_error_t srs_mock_rtc_offer(srs_mock_rtc_t *m, const char *app, const char *stream, bool publish,
                               const char *offer, size_t len, srs_mock_rtc_answer_t *out)
{
    memset(out, 0, sizeof(*out));
    if (m->n_sessions >= MOCK_RTC_MAX_SESSIONS) return srs_error_new(ERROR_SYSTEM_LIMIT, "%d sessions", m->n_sessions);
    srs_rtc_sdp_t *sdp = calloc(1, sizeof(*sdp));
    mock_player_t *p = calloc(1, sizeof(*p));
    if (!sdp || !p) {
        free(sdp);
        free(p);
        return srs_error_new(ERROR_SYSTEM_NOMEM, "offer");
    }
    srs_error_t err = srs_rtc_sdp_parse(offer, len, sdp);
    if (err) goto failed;

    char name[256], ufrag[9];
    snprintf(name, sizeof(name), "%s/%s", app, stream);
    random_text(ufrag, 8, "abcdefghijklmnopqrstuvwxyz0123456789");
    random_text(p->pwd, 32, "abcdefghijklmnopqrstuvwxyz0123456789");
    random_text(p->token, 16, "0123456789abcdef");
    snprintf(p->session, sizeof(p->session), "%s:%s", ufrag, sdp->ufrag);
    snprintf(p->peer_fingerprint, sizeof(p->peer_fingerprint), "%s", sdp->fingerprint);
    p->server = m;
    p->publish = publish;
    p->pt[SRS_RTP_LOOP_AUDIO] = srs_rtc_sdp_opus_pt(sdp);
    p->pt[SRS_RTP_LOOP_VIDEO] = srs_rtc_sdp_h264_pt(sdp);
    p->created = p->last_seen = srs_time_now();
    if (srs_map_get(m->sessions, p->session)) {
        err = srs_error_new(ERROR_RTC_SDP, "session %s exists", p->session);
        goto failed;
    }

    mock_stream_t *s = NULL;
    if ((err = stream_get(m, name, &s)) != srs_success) goto failed;
    srs_rtc_sdp_answer_t a = {sdp, publish, ufrag, p->pwd, m->fingerprint, m->cfg->ip, m->cfg->candidate_port ? m->cfg->candidate_port : m->cfg->rtc_port,
                            s->ids.ssrc[SRS_RTP_LOOP_AUDIO], s->ids.ssrc[SRS_RTP_LOOP_VIDEO], name, m->cfg->raw && !publish};
    if ((err = srs_rtc_sdp_build_answer(&a, &out->sdp)) != srs_success) goto failed;
    if ((err = stream_add(s, p)) != srs_success) goto failed;
    srs_map_set(m->sessions, p->session, p);
    m->n_sessions++;

    char app_q[400], stream_q[800], session_q[600];
    url_escape(app, app_q, sizeof(app_q));
    url_escape(stream, stream_q, sizeof(stream_q));
    url_escape(p->session, session_q, sizeof(session_q));
    snprintf(out->session, sizeof(out->session), "%s", p->session);
    snprintf(out->location, sizeof(out->location), "/rtc/v1/whip/?action=delete&token=%s&app=%s&stream=%s&session=%s",
             p->token, app_q, stream_q, session_q);
    srs_log_info("RTC session %s: %s %s, audio pt %d, video pt %d", p->session, publish ? "publish" : "play", name,
                 p->pt[SRS_RTP_LOOP_AUDIO], p->pt[SRS_RTP_LOOP_VIDEO]);
    free(sdp);
    return srs_success;

failed:
    free(out->sdp);
    out->sdp = NULL;
    free(sdp);
    free(p);
    return srs_error_wrap(err, "offer for %s/%s", app, stream);
}

bool srs_mock_rtc_delete(srs_mock_rtc_t *m, const char *session, const char *token)
{
    mock_player_t *p = (mock_player_t *)srs_map_get(m->sessions, session);
    if (!p || strcmp(p->token, token) != 0) return false;
    player_close(p, "DELETE");
    return true;
}

int srs_mock_rtc_sessions(const srs_mock_rtc_t *m)
{
    return m->n_sessions;
}

/* ---- the UDP receiver ---- */

static void bind_address(mock_player_t *p, const struct sockaddr *from, socklen_t len, const srs_addr_key_t *key)
{
    srs_mock_rtc_t *m = p->server;
    if (p->has_addr && srs_addr_key_equal(&p->key, key)) return;
    if (p->has_addr && srs_addr_map_get(m->addrs, &p->key) == p) srs_addr_map_remove(m->addrs, &p->key);
    /* An address another session had moves here: the valid USERNAME wins. */
    srs_addr_map_set(m->addrs, key, p);
    p->key = *key;
    memcpy(&p->addr, from, len);
    p->addr_len = len;
    p->has_addr = true;
}

static void on_stun(srs_mock_rtc_t *m, const uint8_t *data, size_t len, const struct sockaddr *from, socklen_t from_len,
                    const srs_addr_key_t *key)
{
    srs_stun_msg_t msg;
    srs_error_t err = srs_stun_parse(data, len, &msg);
    if (err) {
        srs_log_limited(&peer_log, SRS_LOG_WARN, "RTC: bad STUN: %s", srs_error_summary(err));
        srs_error_free(err);
        return;
    }
    if (msg.type != SRS_STUN_BINDING_REQUEST || !msg.username) return;
    char username[SRS_STUN_MAX_USERNAME + 1];
    memcpy(username, msg.username, msg.username_len);
    username[msg.username_len] = '\0';
    mock_player_t *p = (mock_player_t *)srs_map_get(m->sessions, username);
    if (!p) {
        srs_log_limited(&peer_log, SRS_LOG_WARN, "RTC: binding request for unknown USERNAME %.80s", username);
        return;
    }
    if (!srs_stun_check_integrity(data, len, &msg, p->pwd) || (msg.has_fingerprint && !srs_stun_check_fingerprint(data, len, &msg))) {
        srs_log_limited(&peer_log, SRS_LOG_WARN, "RTC session %s: binding request fails MESSAGE-INTEGRITY or FINGERPRINT",
                        p->session);
        return;
    }
    bind_address(p, from, from_len, key);
    p->last_seen = srs_time_now();

    uint8_t out[512];
    size_t n = 0;
    srs_stun_build_t b;
    memset(&b, 0, sizeof(b));
    b.type = SRS_STUN_BINDING_SUCCESS;
    b.txid = msg.txid;
    b.xor_mapped = from;
    b.integrity_pwd = p->pwd;
    b.fingerprint = true;
    if ((err = srs_stun_build(&b, out, sizeof(out), &n)) == srs_success) err = player_send(p, out, n);
    if (err) {
        srs_log_limited(&peer_log, SRS_LOG_WARN, "RTC session %s: binding response: %s", p->session, srs_error_summary(err));
        srs_error_free(err);
    }

    if (p->state != PLAYER_WAIT_ICE) return;
    /* Only a sha-256 fingerprint can be checked; others are accepted as SRS does. */
    const char *expect = strncasecmp(p->peer_fingerprint, "sha-256 ", 8) ? NULL : p->peer_fingerprint;
    if ((err = srs_dtls_new(m->cert, false, expect, player_send, p, &p->dtls)) != srs_success) {
        srs_log_limited(&peer_log, SRS_LOG_WARN, "RTC session %s: %s", p->session, srs_error_summary(err));
        srs_error_free(err);
        player_close(p, "DTLS setup");
        return;
    }
    p->state = PLAYER_DTLS;
    p->dtls_started = srs_time_now();
    srs_log_debug("RTC session %s: ICE done from port %d", p->session, ntohs(key->port));
}

static void on_dtls(mock_player_t *p, const uint8_t *data, size_t len)
{
    if (p->state != PLAYER_DTLS && p->state != PLAYER_READY) return;
    srs_error_t err = srs_dtls_on_recv(p->dtls, data, len);
    if (!err && p->state == PLAYER_DTLS && srs_dtls_done(p->dtls)) {
        srs_dtls_srtp_keys_t keys;
        err = srs_dtls_srtp_keys(p->dtls, &keys);
        if (!err) err = srs_srtp_new(&keys, &p->srtp);
        if (!err) {
            p->state = PLAYER_READY;
            srs_log_info("RTC session %s of %s ready: DTLS in %.1f ms, SRTP profile %d", p->session, p->stream->name,
                         (double)(srs_time_now() - p->dtls_started) / SRS_UTIME_MILLISECONDS, keys.profile);
        }
    }
    if (err) {
        srs_log_limited(&peer_log, SRS_LOG_WARN, "RTC session %s: %s", p->session, srs_error_summary(err));
        srs_error_free(err);
        player_close(p, "DTLS failed");
        return;
    }
    if (srs_dtls_peer_closed(p->dtls)) player_close(p, "DTLS close_notify");
}

/* RTCP from players (receiver reports, NACK, PLI) and RTP from publishers: decrypted and counted. */
static void on_rtp_rtcp(mock_player_t *p, uint8_t *data, size_t len)
{
    if (p->state != PLAYER_READY) return;
    bool rtcp = srs_rtc_is_rtcp(data, len);
    srs_error_t err = rtcp ? srs_srtp_unprotect_rtcp(p->srtp, data, &len) : srs_srtp_unprotect_rtp(p->srtp, data, &len);
    if (err) {
        p->srtp_errors++;
        srs_error_free(err);
        return;
    }
    if (rtcp) p->rtcp_in++;
    else p->rtp_in++;
}

static void on_datagram(srs_mock_rtc_t *m, uint8_t *data, size_t len, const struct sockaddr *from, socklen_t from_len)
{
    srs_addr_key_t key;
    if (!srs_addr_key_from(from, &key)) return;
    srs_rtc_packet_kind_t kind = srs_rtc_classify(data, len);
    if (kind == SRS_RTC_PACKET_STUN) {
        on_stun(m, data, len, from, from_len, &key);
        return;
    }
    mock_player_t *p = (mock_player_t *)srs_addr_map_get(m->addrs, &key);
    if (!p) return;
    p->last_seen = srs_time_now();
    if (kind == SRS_RTC_PACKET_DTLS) on_dtls(p, data, len);
    else if (kind == SRS_RTC_PACKET_RTP_RTCP) on_rtp_rtcp(p, data, len);
}

static srs_error_t receiver_cycle(void *arg)
{
    srs_mock_rtc_t *m = (srs_mock_rtc_t *)arg;
    for (int burst = 0;; burst++) {
        struct sockaddr_storage from;
        int from_len = sizeof(from);
        srs_coroutine_set_state(SRS_CO_WAIT_READ);
        int n = st_recvfrom(m->udp, m->rx, sizeof(m->rx), (struct sockaddr *)&from, &from_len, ST_UTIME_NO_TIMEOUT);
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        if (n < 0) {
            if (errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "rtc receiver");
            srs_log_limited(&peer_log, SRS_LOG_WARN, "RTC: recvfrom: %s", strerror(errno));
            continue;
        }
        on_datagram(m, m->rx, (size_t)n, (struct sockaddr *)&from, (socklen_t)from_len);
        if (burst >= MOCK_RTC_YIELD_EVERY) {
            burst = 0;
            srs_error_t err = srs_st_usleep(0);
            if (err) return err;
        }
    }
}

/* ---- setup ---- */

static srs_error_t load_media(srs_mock_rtc_t *m)
{
    uint8_t *flv = NULL;
    size_t len = 0;
    srs_error_t err = srs_success;
    if (m->cfg->flv_path[0] && (err = srs_flv_load_file(m->cfg->flv_path, &flv, &len)) != srs_success) {
        return srs_error_wrap(err, "load %s", m->cfg->flv_path);
    }
    err = srs_rtp_loop_build(&m->cache, flv, len);
    free(flv);
    if (err) return srs_error_wrap(err, "media %s", m->cfg->flv_path);
    srs_log_info("RTC media: %s, loop of %u ms, %u video frames (%u key), %u video and %u audio packets",
                 m->cfg->flv_path[0] ? m->cfg->flv_path : "no FLV (Opus silence only)", m->cache.duration_ms,
                 m->cache.frames, m->cache.keyframes, m->cache.per_loop[SRS_RTP_LOOP_VIDEO],
                 m->cache.per_loop[SRS_RTP_LOOP_AUDIO]);
    return srs_success;
}

/* -bad-fingerprint: answers name a certificate that is not ours, so DTLS clients must refuse. */
static void make_fingerprint(srs_mock_rtc_t *m)
{
    snprintf(m->fingerprint, sizeof(m->fingerprint), "%s", srs_dtls_cert_fingerprint(m->cert));
    if (!m->cfg->bad_fingerprint) return;
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 8; m->fingerprint[i]; i++) {
        if (m->fingerprint[i] != ':') m->fingerprint[i] = hex[srs_random_u64() % 16];
    }
}

srs_error_t srs_mock_rtc_new(const srs_mock_config_t *cfg, srs_mock_rtc_t **out)
{
    srs_mock_rtc_t *m = calloc(1, sizeof(*m));
    if (!m) return srs_error_new(ERROR_SYSTEM_NOMEM, "rtc");
    m->cfg = cfg;
    m->fd = -1;
    m->streams = srs_map_new();
    m->sessions = srs_map_new();
    m->addrs = srs_addr_map_new();
    srs_error_t err = srs_success;
    if (!m->streams || !m->sessions || !m->addrs) err = srs_error_new(ERROR_SYSTEM_NOMEM, "rtc tables");
    if (!err) err = srs_srtp_global_init();
    if (!err) err = load_media(m);
    if (!err) err = srs_dtls_cert_new(&m->cert);
    if (!err) err = srs_udp_listen("", cfg->rtc_port, &m->udp);
    if (err) {
        /* A failed start ends the process: nothing else to free. */
        return srs_error_wrap(err, "WebRTC on udp port %d", cfg->rtc_port);
    }
    make_fingerprint(m);
    m->fd = st_netfd_fileno(m->udp);
    int size = MOCK_RTC_SOCKET_BUFFER;
    setsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    setsockopt(m->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));

    srs_coroutine_t *co = srs_coroutine_new("rtc-receiver", receiver_cycle, m);
    srs_coroutine_set_stack_size(co, MOCK_RTC_RECEIVER_STACK);
    if ((err = srs_coroutine_start(co)) != srs_success) return srs_error_wrap(err, "rtc receiver");
    *out = m;
    return srs_success;
}
