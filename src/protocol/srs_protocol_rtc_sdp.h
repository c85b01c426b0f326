/* SPDX-License-Identifier: MIT */
/* Offer/answer SDP of the tools (no I/O, no state; the proxy itself never parses SDP beyond
 * srs_protocol_sdp.h): srs-bench builds offers (H.264 + Opus, BUNDLE, rtcp-mux, recvonly) and
 * reads answers; srs-mock-origin reads offers from any client (srs-bench, Chrome, aiortc) and
 * answers like SRS does: ICE-lite, BUNDLE, setup passive, the offer's Opus payload type and its
 * best H.264 packetization-mode=1 payload type, one host candidate per m-line. Offers come from
 * the network: the parser checks every length and never reads out of bounds (fuzzed). */
#ifndef SRS_PROTOCOL_RTC_SDP_H
#define SRS_PROTOCOL_RTC_SDP_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What srs-bench offers (Chrome's numbers). */
#define SRS_RTC_SDP_OPUS_PT 111
#define SRS_RTC_SDP_H264_PT 106

/* m-lines kept from one description; more is refused (ERROR_RTC_SDP). */
#define SRS_RTC_SDP_MAX_MEDIA 8
/* SDP texts larger than this are refused. */
#define SRS_RTC_SDP_MAX_SIZE (64 * 1024)

/* A session attribute the mock's answer carries in raw mode: its media are SRTP-protected with a
 * key of the stream, not of the player, so srs-bench counts them by their clear RTP header. */
#define SRS_RTC_SDP_RAW_ATTRIBUTE "x-srs-mock-raw-srtp"

typedef enum {
    SRS_RTC_SDP_SENDRECV = 0,
    SRS_RTC_SDP_SENDONLY,
    SRS_RTC_SDP_RECVONLY,
    SRS_RTC_SDP_INACTIVE,
} srs_rtc_sdp_direction_t;

typedef struct {
    char kind[16];       /* "audio", "video", "application", ... */
    int port;            /* of the m= line; 0 = rejected */
    char proto[32];      /* "UDP/TLS/RTP/SAVPF" */
    char first_fmt[32];  /* the first format of the m= line */
    char mid[32];        /* "" when absent */
    srs_rtc_sdp_direction_t direction;
    bool rtcp_mux;
    int opus_pt;         /* opus/48000, -1 if none */
    int h264_pt;         /* the best H264/90000 with packetization-mode=1, -1 if none */
    uint32_t ssrc;       /* first a=ssrc, 0 if none */
} srs_rtc_sdp_media_t;

typedef struct {
    /* First value anywhere (session or media level: BUNDLE makes them the same). */
    char ufrag[64];
    char pwd[128];
    char fingerprint[160];  /* "sha-256 AB:CD:..." as written */
    char setup[16];         /* "actpass", "active", "passive" or "" */
    bool ice_lite;
    bool bundle;            /* a=group:BUNDLE present */
    bool raw_srtp;          /* SRS_RTC_SDP_RAW_ATTRIBUTE present */
    /* The first UDP candidate (any type), "" / 0 when none. */
    char candidate_ip[64];
    int candidate_port;
    int n_media;
    srs_rtc_sdp_media_t media[SRS_RTC_SDP_MAX_MEDIA];
} srs_rtc_sdp_t;

/* Parse an offer or answer (CRLF or LF lines). Checks: starts with "v=0", at most
 * SRS_RTC_SDP_MAX_SIZE bytes, no NUL, every m= line well formed, at most
 * SRS_RTC_SDP_MAX_MEDIA of them, values that do not fit their field are refused. It does not
 * require ICE credentials or codecs: the caller checks what it needs. ERROR_RTC_SDP otherwise. */
srs_error_t srs_rtc_sdp_parse(const char *sdp, size_t len, srs_rtc_sdp_t *out);

/* srs-bench's offer: audio (Opus 111) and video (H.264 106, packetization-mode 1, profile
 * 42e01f) in one BUNDLE, rtcp-mux, recvonly, setup actpass, and a host candidate when
 * candidate_ip is set. *out is malloc'ed, NUL-terminated. */
typedef struct {
    const char *ufrag;
    const char *pwd;
    const char *fingerprint;   /* "sha-256 AB:..." of our certificate */
    const char *candidate_ip;  /* NULL or "": no candidate */
    int candidate_port;
} srs_rtc_sdp_offer_t;
srs_error_t srs_rtc_sdp_build_offer(const srs_rtc_sdp_offer_t *o, char **out);

/* The mock origin's answer to a parsed offer, as SRS answers: session-level a=ice-lite, BUNDLE of
 * the accepted m-lines, setup passive; audio with the offer's Opus, video with its best H.264
 * (pm=1), each with a=ssrc (cname, msid) when we send; other m-lines, and more than one of a
 * kind, are rejected (port 0).
 * Players (publish false) get sendonly m-lines; publishers recvonly. Errors (ERROR_RTC_SDP): the
 * offer has no BUNDLE, no ICE credentials, a setup we cannot answer as DTLS server (passive),
 * or no m-line we can accept. */
typedef struct {
    const srs_rtc_sdp_t *offer;
    bool publish;
    const char *ufrag, *pwd;
    const char *fingerprint;   /* of our certificate */
    const char *candidate_ip;
    int candidate_port;
    uint32_t audio_ssrc, video_ssrc;
    const char *stream;        /* "app/stream", for msid and cname */
    bool raw_srtp;             /* add SRS_RTC_SDP_RAW_ATTRIBUTE */
} srs_rtc_sdp_answer_t;
srs_error_t srs_rtc_sdp_build_answer(const srs_rtc_sdp_answer_t *a, char **out);

/* The payload types an answer takes: of the first m-line of the kind with a port, a mid and the
 * codec (Opus; H.264 packetization-mode 1). Later m-lines of a kind are refused (port 0), so one
 * audio and one video stream play. -1 when none. */
int srs_rtc_sdp_opus_pt(const srs_rtc_sdp_t *sdp);
int srs_rtc_sdp_h264_pt(const srs_rtc_sdp_t *sdp);

#ifdef __cplusplus
}
#endif

#endif
