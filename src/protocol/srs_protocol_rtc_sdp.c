/* SPDX-License-Identifier: MIT */
#include "srs_protocol_rtc_sdp.h"
#include "srs_core_context.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Parsing ---- */

enum { CODEC_NONE = 0, CODEC_OPUS, CODEC_H264, CODEC_OTHER };

/* Per m-line scratch: rtpmap and fmtp may come in any order, so codecs are chosen at its end. */
typedef struct {
    uint8_t codec[128];
    int8_t h264_score[128]; /* from the fmtp: 0 unusable (not packetization-mode 1), 1..4 better */
} media_scratch_t;

typedef struct {
    const char *p;
    size_t n;
} span_t;

static bool span_starts(span_t s, const char *prefix)
{
    size_t k = strlen(prefix);
    return s.n >= k && !memcmp(s.p, prefix, k);
}

static span_t span_after(span_t s, size_t k)
{
    span_t r = {s.p + k, s.n - k};
    return r;
}

/* The next space-separated token of s (advancing s); empty at the end. */
static span_t span_token(span_t *s)
{
    while (s->n && (*s->p == ' ' || *s->p == '\t')) s->p++, s->n--;
    span_t t = {s->p, 0};
    while (s->n && *s->p != ' ' && *s->p != '\t') s->p++, s->n--, t.n++;
    return t;
}

static bool span_equals_nocase(span_t s, const char *text)
{
    return s.n == strlen(text) && !strncasecmp(s.p, text, s.n);
}

/* Decimal digits only, at most max. */
static bool span_uint(span_t s, uint64_t max, uint64_t *out)
{
    if (!s.n || s.n > 10) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (!isdigit((unsigned char)s.p[i])) return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    if (v > max) return false;
    *out = v;
    return true;
}

static srs_error_t span_copy(span_t s, char *out, size_t size, const char *what)
{
    if (s.n >= size) return srs_error_new(ERROR_RTC_SDP, "%s of %zu bytes, at most %zu", what, s.n, size - 1);
    memcpy(out, s.p, s.n);
    out[s.n] = '\0';
    return srs_success;
}

/* First value only: a later one (another m-line of the same BUNDLE) repeats it. */
static srs_error_t first_value(span_t v, char *out, size_t size, const char *what)
{
    if (out[0]) return srs_success;
    while (v.n && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t')) v.n--;
    return span_copy(v, out, size, what);
}

/* "profile-level-id=42e01f;packetization-mode=1" → a score: 0 when not mode 1. */
static int h264_fmtp_score(span_t params)
{
    bool mode1 = false;
    char profile[7] = "";
    while (params.n) {
        const char *semi = memchr(params.p, ';', params.n);
        span_t kv = {params.p, semi ? (size_t)(semi - params.p) : params.n};
        params = semi ? span_after(params, kv.n + 1) : span_after(params, params.n);
        while (kv.n && *kv.p == ' ') kv.p++, kv.n--;
        if (span_starts(kv, "packetization-mode=")) {
            span_t v = span_after(kv, 19);
            mode1 = v.n == 1 && v.p[0] == '1';
        } else if (span_starts(kv, "profile-level-id=")) {
            span_t v = span_after(kv, 17);
            if (v.n == 6) {
                for (int i = 0; i < 6; i++) profile[i] = (char)tolower((unsigned char)v.p[i]);
                profile[6] = '\0';
            }
        }
    }
    if (!mode1) return 0;
    if (!strcmp(profile, "42e01f")) return 4;
    if (!strncmp(profile, "42e0", 4) || !strncmp(profile, "42c0", 4)) return 3; /* constrained baseline */
    if (!strncmp(profile, "42", 2)) return 2;
    return 1;
}

static void media_finish(srs_rtc_sdp_media_t *m, const media_scratch_t *s)
{
    int best = 0;
    for (int pt = 0; pt < 128; pt++) {
        if (s->codec[pt] == CODEC_OPUS && m->opus_pt < 0) m->opus_pt = pt;
        if (s->codec[pt] == CODEC_H264 && s->h264_score[pt] > best) {
            best = s->h264_score[pt];
            m->h264_pt = pt;
        }
    }
}

/* "a=rtpmap:<pt> <name>/<rate>[/<channels>]" */
static void parse_rtpmap(span_t v, media_scratch_t *s)
{
    span_t pt_text = span_token(&v);
    uint64_t pt;
    if (!span_uint(pt_text, 127, &pt)) return;
    span_t enc = span_token(&v);
    const char *slash = memchr(enc.p, '/', enc.n);
    if (!slash) return;
    span_t name = {enc.p, (size_t)(slash - enc.p)};
    span_t rate = span_after(enc, name.n + 1);
    const char *slash2 = memchr(rate.p, '/', rate.n);
    if (slash2) rate.n = (size_t)(slash2 - rate.p);
    uint64_t hz = 0;
    if (!span_uint(rate, 1000000, &hz)) return;
    if (span_equals_nocase(name, "opus") && hz == 48000) s->codec[pt] = CODEC_OPUS;
    else if (span_equals_nocase(name, "H264") && hz == 90000) s->codec[pt] = CODEC_H264;
    else s->codec[pt] = CODEC_OTHER;
}

static void parse_fmtp(span_t v, media_scratch_t *s)
{
    span_t pt_text = span_token(&v);
    uint64_t pt;
    if (!span_uint(pt_text, 127, &pt)) return;
    while (v.n && (*v.p == ' ' || *v.p == '\t')) v.p++, v.n--;
    s->h264_score[pt] = (int8_t)h264_fmtp_score(v);
}

/* "a=candidate:<foundation> <component> <transport> <priority> <ip> <port> typ <type> ..." */
static void parse_candidate(span_t v, srs_rtc_sdp_t *out)
{
    if (out->candidate_port) return;
    span_token(&v);
    span_t component = span_token(&v), transport = span_token(&v);
    span_token(&v);
    span_t ip = span_token(&v), port = span_token(&v);
    uint64_t c = 0, p = 0;
    if (!span_uint(component, 256, &c) || c != 1 || !span_equals_nocase(transport, "udp")) return;
    if (!span_uint(port, 65535, &p) || p == 0 || ip.n == 0 || ip.n >= sizeof(out->candidate_ip)) return;
    memcpy(out->candidate_ip, ip.p, ip.n);
    out->candidate_ip[ip.n] = '\0';
    out->candidate_port = (int)p;
}

/* "m=<kind> <port>[/<count>] <proto> <fmt> ..." */
static srs_error_t parse_mline(span_t v, srs_rtc_sdp_media_t *m)
{
    memset(m, 0, sizeof(*m));
    m->opus_pt = m->h264_pt = -1;
    span_t kind = span_token(&v), port = span_token(&v), proto = span_token(&v), fmt = span_token(&v);
    const char *slash = memchr(port.p, '/', port.n);
    if (slash) port.n = (size_t)(slash - port.p);
    uint64_t p = 0;
    if (!kind.n || !span_uint(port, 65535, &p) || !proto.n || !fmt.n) {
        return srs_error_new(ERROR_RTC_SDP, "malformed m= line");
    }
    m->port = (int)p;
    srs_error_t err = span_copy(kind, m->kind, sizeof(m->kind), "media kind");
    if (!err) err = span_copy(proto, m->proto, sizeof(m->proto), "media proto");
    if (!err) err = span_copy(fmt, m->first_fmt, sizeof(m->first_fmt), "media format");
    return err;
}

static srs_error_t parse_attribute(span_t a, srs_rtc_sdp_t *out, srs_rtc_sdp_media_t *m, media_scratch_t *s)
{
    if (span_starts(a, "ice-ufrag:")) return first_value(span_after(a, 10), out->ufrag, sizeof(out->ufrag), "ice-ufrag");
    if (span_starts(a, "ice-pwd:")) return first_value(span_after(a, 8), out->pwd, sizeof(out->pwd), "ice-pwd");
    if (span_starts(a, "fingerprint:")) {
        return first_value(span_after(a, 12), out->fingerprint, sizeof(out->fingerprint), "fingerprint");
    }
    if (span_starts(a, "setup:")) return first_value(span_after(a, 6), out->setup, sizeof(out->setup), "setup");
    if (span_equals_nocase(a, "ice-lite")) out->ice_lite = true;
    else if (span_starts(a, "group:BUNDLE")) out->bundle = true;
    else if (span_equals_nocase(a, SRS_RTC_SDP_RAW_ATTRIBUTE)) out->raw_srtp = true;
    else if (span_starts(a, "candidate:")) parse_candidate(span_after(a, 10), out);
    if (!m) return srs_success;

    if (span_starts(a, "mid:")) return first_value(span_after(a, 4), m->mid, sizeof(m->mid), "mid");
    if (span_equals_nocase(a, "sendrecv")) m->direction = SRS_RTC_SDP_SENDRECV;
    else if (span_equals_nocase(a, "sendonly")) m->direction = SRS_RTC_SDP_SENDONLY;
    else if (span_equals_nocase(a, "recvonly")) m->direction = SRS_RTC_SDP_RECVONLY;
    else if (span_equals_nocase(a, "inactive")) m->direction = SRS_RTC_SDP_INACTIVE;
    else if (span_equals_nocase(a, "rtcp-mux")) m->rtcp_mux = true;
    else if (span_starts(a, "rtpmap:")) parse_rtpmap(span_after(a, 7), s);
    else if (span_starts(a, "fmtp:")) parse_fmtp(span_after(a, 5), s);
    else if (span_starts(a, "ssrc:") && !m->ssrc) {
        span_t v = span_after(a, 5);
        uint64_t ssrc = 0;
        if (span_uint(span_token(&v), 0xFFFFFFFFu, &ssrc)) m->ssrc = (uint32_t)ssrc;
    }
    return srs_success;
}

srs_error_t srs_rtc_sdp_parse(const char *sdp, size_t len, srs_rtc_sdp_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!sdp || len < 3 || memcmp(sdp, "v=0", 3) != 0) return srs_error_new(ERROR_RTC_SDP, "not an SDP (no v=0)");
    if (len > SRS_RTC_SDP_MAX_SIZE) return srs_error_new(ERROR_RTC_SDP, "SDP of %zu bytes", len);
    if (memchr(sdp, '\0', len)) return srs_error_new(ERROR_RTC_SDP, "SDP holds a NUL byte");

    media_scratch_t scratch;
    srs_rtc_sdp_media_t *m = NULL;
    span_t rest = {sdp, len};
    while (rest.n) {
        const char *nl = memchr(rest.p, '\n', rest.n);
        span_t line = {rest.p, nl ? (size_t)(nl - rest.p) : rest.n};
        rest = span_after(rest, nl ? line.n + 1 : line.n);
        if (line.n && line.p[line.n - 1] == '\r') line.n--;

        srs_error_t err = srs_success;
        if (span_starts(line, "m=")) {
            if (m) media_finish(m, &scratch);
            if (out->n_media == SRS_RTC_SDP_MAX_MEDIA) {
                return srs_error_new(ERROR_RTC_SDP, "more than %d m= lines", SRS_RTC_SDP_MAX_MEDIA);
            }
            m = &out->media[out->n_media++];
            memset(&scratch, 0, sizeof(scratch));
            err = parse_mline(span_after(line, 2), m);
        } else if (span_starts(line, "a=")) {
            err = parse_attribute(span_after(line, 2), out, m, &scratch);
        }
        if (err) return srs_error_wrap(err, "parse SDP");
    }
    if (m) media_finish(m, &scratch);
    return srs_success;
}

/* ICE credentials and fingerprints end up inside SDP lines: no spaces or line breaks. */
static bool is_sdp_token(const char *s, size_t max)
{
    if (!s || !s[0] || strlen(s) > max) return false;
    for (; *s; s++) {
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f) return false;
    }
    return true;
}

/* An m-line an answer takes: the first of its kind with a port, a mid and our codec. The others
 * are refused, so a player gets one audio and one video stream. */
static bool media_usable(const srs_rtc_sdp_media_t *m)
{
    if (!m->port || !m->mid[0] || !is_sdp_token(m->mid, 31)) return false;
    if (!strcmp(m->kind, "audio")) return m->opus_pt >= 0;
    if (!strcmp(m->kind, "video")) return m->h264_pt >= 0;
    return false;
}

static int first_usable(const srs_rtc_sdp_t *sdp, const char *kind)
{
    for (int i = 0; i < sdp->n_media; i++) {
        if (!strcmp(sdp->media[i].kind, kind) && media_usable(&sdp->media[i])) return i;
    }
    return -1;
}

static bool answer_accepts(const srs_rtc_sdp_t *sdp, int i)
{
    return media_usable(&sdp->media[i]) && first_usable(sdp, sdp->media[i].kind) == i;
}

int srs_rtc_sdp_opus_pt(const srs_rtc_sdp_t *sdp)
{
    int i = first_usable(sdp, "audio");
    return i < 0 ? -1 : sdp->media[i].opus_pt;
}

int srs_rtc_sdp_h264_pt(const srs_rtc_sdp_t *sdp)
{
    int i = first_usable(sdp, "video");
    return i < 0 ? -1 : sdp->media[i].h264_pt;
}

/* ---- Building ---- */

typedef struct {
    char *p;
    size_t len, cap;
    bool failed;
} text_t;

static void text_printf(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(text_t *t, const char *fmt, ...)
{
    if (t->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if (t->p && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = SRS_MAX(t->cap * 2, t->len + (size_t)n + 256);
        char *p = realloc(t->p, cap);
        if (!p) {
            t->failed = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
}

static srs_error_t text_take(text_t *t, char **out)
{
    if (t->failed || !t->p) {
        free(t->p);
        return srs_error_new(ERROR_SYSTEM_NOMEM, "build SDP");
    }
    *out = t->p;
    return srs_success;
}

static bool is_fingerprint(const char *s)
{
    if (!s || strncmp(s, "sha-256 ", 8) != 0) return false;
    return is_sdp_token(s + 8, 128);
}

static void write_transport(text_t *t, const char *ufrag, const char *pwd, const char *fingerprint, const char *setup)
{
    text_printf(t, "c=IN IP4 0.0.0.0\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=fingerprint:%s\r\na=setup:%s\r\n", ufrag,
                pwd, fingerprint, setup);
}

srs_error_t srs_rtc_sdp_build_offer(const srs_rtc_sdp_offer_t *o, char **out)
{
    *out = NULL;
    if (!is_sdp_token(o->ufrag, 63) || !is_sdp_token(o->pwd, 127) || !is_fingerprint(o->fingerprint)) {
        return srs_error_new(ERROR_RTC_SDP, "offer needs ufrag, pwd and a sha-256 fingerprint");
    }
    bool candidate = o->candidate_ip && o->candidate_ip[0];
    if (candidate && (!is_sdp_token(o->candidate_ip, 63) || o->candidate_port <= 0 || o->candidate_port > 65535)) {
        return srs_error_new(ERROR_RTC_SDP, "offer candidate %s:%d", o->candidate_ip, o->candidate_port);
    }

    text_t t = {0};
    text_printf(&t, "v=0\r\no=srs-bench %llu 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                    "a=group:BUNDLE 0 1\r\na=msid-semantic: WMS\r\n",
                (unsigned long long)(srs_random_u64() >> 2));
    for (int i = 0; i < 2; i++) {
        bool audio = i == 0;
        int pt = audio ? SRS_RTC_SDP_OPUS_PT : SRS_RTC_SDP_H264_PT;
        text_printf(&t, "m=%s 9 UDP/TLS/RTP/SAVPF %d\r\n", audio ? "audio" : "video", pt);
        write_transport(&t, o->ufrag, o->pwd, o->fingerprint, "actpass");
        text_printf(&t, "a=mid:%d\r\na=recvonly\r\na=rtcp-mux\r\n", i);
        if (audio) {
            text_printf(&t, "a=rtpmap:%d opus/48000/2\r\na=fmtp:%d minptime=10;useinbandfec=1\r\n", pt, pt);
        } else {
            text_printf(&t, "a=rtcp-rsize\r\na=rtpmap:%d H264/90000\r\na=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\n"
                            "a=fmtp:%d level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n",
                        pt, pt, pt, pt);
        }
        if (candidate) {
            text_printf(&t, "a=candidate:1 1 udp 2130706431 %s %d typ host generation 0\r\n", o->candidate_ip,
                        o->candidate_port);
        }
    }
    return text_take(&t, out);
}

static const char *answer_direction(const srs_rtc_sdp_media_t *m, bool publish)
{
    /* We only ever send to players and only receive from publishers. */
    if (m->direction == SRS_RTC_SDP_INACTIVE) return "inactive";
    return publish ? "recvonly" : "sendonly";
}

srs_error_t srs_rtc_sdp_build_answer(const srs_rtc_sdp_answer_t *a, char **out)
{
    *out = NULL;
    const srs_rtc_sdp_t *offer = a->offer;
    if (!offer->bundle) return srs_error_new(ERROR_RTC_SDP, "offer without BUNDLE (only BUNDLE is supported, as SRS)");
    if (!offer->ufrag[0] || !offer->pwd[0]) return srs_error_new(ERROR_RTC_SDP, "offer without ice-ufrag/ice-pwd");
    if (offer->setup[0] && strcasecmp(offer->setup, "actpass") && strcasecmp(offer->setup, "active")) {
        return srs_error_new(ERROR_RTC_SDP, "offer setup %s: we answer as DTLS server only", offer->setup);
    }
    if (!is_sdp_token(a->ufrag, 63) || !is_sdp_token(a->pwd, 127) || !is_fingerprint(a->fingerprint)
        || !is_sdp_token(a->candidate_ip, 63) || a->candidate_port <= 0 || a->candidate_port > 65535
        || !is_sdp_token(a->stream, 255)) {
        return srs_error_new(ERROR_RTC_SDP, "answer needs ufrag, pwd, fingerprint, candidate and stream");
    }

    int accepted = 0;
    for (int i = 0; i < offer->n_media; i++) accepted += answer_accepts(offer, i);
    if (!accepted) return srs_error_new(ERROR_RTC_SDP, "no m-line with Opus or H.264 packetization-mode=1");

    text_t t = {0};
    text_printf(&t, "v=0\r\no=SRS/7.0.18(Hang) %llu 2 IN IP4 0.0.0.0\r\ns=SRS%sSession\r\nt=0 0\r\na=ice-lite\r\n",
                (unsigned long long)(srs_random_u64() >> 2), a->publish ? "Publish" : "Play");
    if (a->raw_srtp) text_printf(&t, "a=%s\r\n", SRS_RTC_SDP_RAW_ATTRIBUTE);
    text_printf(&t, "a=group:BUNDLE");
    for (int i = 0; i < offer->n_media; i++) {
        if (answer_accepts(offer, i)) text_printf(&t, " %s", offer->media[i].mid);
    }
    text_printf(&t, "\r\na=msid-semantic: WMS %s\r\n", a->stream);

    for (int i = 0; i < offer->n_media; i++) {
        const srs_rtc_sdp_media_t *m = &offer->media[i];
        if (!answer_accepts(offer, i)) {
            /* RFC 3264 §6: a rejected stream keeps its place with port 0. */
            text_printf(&t, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\n", m->kind, m->proto, m->first_fmt);
            if (m->mid[0] && is_sdp_token(m->mid, 31)) text_printf(&t, "a=mid:%s\r\n", m->mid);
            text_printf(&t, "a=inactive\r\n");
            continue;
        }
        bool audio = !strcmp(m->kind, "audio");
        int pt = audio ? m->opus_pt : m->h264_pt;
        uint32_t ssrc = audio ? a->audio_ssrc : a->video_ssrc;
        text_printf(&t, "m=%s 9 UDP/TLS/RTP/SAVPF %d\r\n", m->kind, pt);
        write_transport(&t, a->ufrag, a->pwd, a->fingerprint, "passive");
        text_printf(&t, "a=mid:%s\r\na=%s\r\na=rtcp-mux\r\na=rtcp-rsize\r\n", m->mid, answer_direction(m, a->publish));
        if (audio) {
            text_printf(&t, "a=rtpmap:%d opus/48000/2\r\na=fmtp:%d minptime=10;useinbandfec=1\r\n", pt, pt);
        } else {
            text_printf(&t, "a=rtpmap:%d H264/90000\r\na=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\n"
                            "a=fmtp:%d level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n",
                        pt, pt, pt, pt);
        }
        if (!a->publish && ssrc) {
            text_printf(&t, "a=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s %s-%u\r\n", ssrc, a->stream, ssrc, a->stream,
                        audio ? "audio" : "video", ssrc);
        }
        text_printf(&t, "a=candidate:0 1 udp 2130706431 %s %d typ host generation 0\r\n", a->candidate_ip,
                    a->candidate_port);
    }
    return text_take(&t, out);
}
