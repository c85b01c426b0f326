/* SPDX-License-Identifier: MIT */
/* SRT on the wire, as much as a relay needs (draft-sharabayko-srt): the 16-byte packet header,
 * the handshake (induction, conclusion, rejection) with its extensions, the stream id (SID
 * extension, 4-byte words byte-swapped) and its two forms, and the SYN cookie.
 *
 * Every packet header is big-endian:
 *     0  F bit (1 = control) + control type (15 bits) + subtype (16) | data: sequence number
 *     4  type-specific information                                    | data: message number
 *     8  timestamp (microseconds)
 *    12  destination SRT socket id (0 = to the listener, i.e. a connection request)
 * A handshake (control type 0) goes on with:
 *    16  version (4 for an induction request, 5 after)
 *    20  encryption field (u16: key length / 8)      22  extension field (u16)
 *    24  initial sequence number   28  MTU   32  flow window
 *    36  handshake type (1 induction, 0xFFFFFFFF conclusion, 1000+ rejection)
 *    40  SRT socket id of the sender   44  SYN cookie
 *    48  peer IP (16 bytes, each 4-byte word byte-swapped; IPv4 in the first word)
 *    64  extensions: type (u16), length in 4-byte words (u16), contents
 * Nothing here allocates; parsers check every length and point into the caller's buffer. */
#ifndef SRS_PROTOCOL_SRT_H
#define SRS_PROTOCOL_SRT_H

#include "srs_core.h"
#include "srs_core_error.h"

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_SRT_HEADER_SIZE 16
#define SRS_SRT_HANDSHAKE_SIZE 64
/* SRT's largest MTU: a handshake (and every packet libsrt sends) fits in it. */
#define SRS_SRT_MAX_HANDSHAKE 1500
/* The SID extension holds at most 512 bytes (libsrt's limit). */
#define SRS_SRT_MAX_STREAM_ID 512

/* Byte offsets of the fields a relay reads or rewrites. */
#define SRS_SRT_OFFSET_TIMESTAMP 8
#define SRS_SRT_OFFSET_DEST_ID 12
#define SRS_SRT_OFFSET_HS_TYPE 36
#define SRS_SRT_OFFSET_SOCKET_ID 40
#define SRS_SRT_OFFSET_COOKIE 44
#define SRS_SRT_OFFSET_PEER_IP 48

/* Control types. */
#define SRS_SRT_CTRL_HANDSHAKE 0x0000
#define SRS_SRT_CTRL_KEEPALIVE 0x0001
#define SRS_SRT_CTRL_ACK 0x0002
#define SRS_SRT_CTRL_NAK 0x0003
#define SRS_SRT_CTRL_CONGESTION 0x0004
#define SRS_SRT_CTRL_SHUTDOWN 0x0005
#define SRS_SRT_CTRL_ACKACK 0x0006
#define SRS_SRT_CTRL_DROPREQ 0x0007
#define SRS_SRT_CTRL_PEERERROR 0x0008
#define SRS_SRT_CTRL_USER 0x7FFF   /* subtypes carry KMREQ/KMRSP refreshes and HSv4 extensions */

/* Handshake types (the 32-bit field at offset 36). */
#define SRS_SRT_HS_WAVEAHAND 0x00000000u
#define SRS_SRT_HS_INDUCTION 0x00000001u
#define SRS_SRT_HS_DONE 0xFFFFFFFDu
#define SRS_SRT_HS_AGREEMENT 0xFFFFFFFEu
#define SRS_SRT_HS_CONCLUSION 0xFFFFFFFFu
/* A rejection is 1000 + reason: libsrt's internal reasons (1010 = bad passphrase), or the
 * access-control codes 1000 + (1400..1599), e.g. 2503 for SRT_REJX_DOWN (1503). */
#define SRS_SRT_HS_REJECT_BASE 1000u
#define SRS_SRT_REJX_BAD_REQUEST 1400
#define SRS_SRT_REJX_GW 1502
#define SRS_SRT_REJX_DOWN 1503
#define SRS_SRT_REJX_TIMEOUT 1504
#define SRS_SRT_REJX_OVERLOAD 1402
/* libsrt's SRT_REJ_RESOURCE ("a problem with resource allocation"): a budget of the proxy is
 * spent (sessions in all, per source IP, handshakes per source IP). */
#define SRS_SRT_REJ_RESOURCE 3

/* The induction response's extension field: HSv5 listeners answer with this magic. */
#define SRS_SRT_MAGIC 0x4A17
/* What a caller's induction request carries: version 4, extension field 2 (UDT_DGRAM). */
#define SRS_SRT_INDUCTION_VERSION 4
#define SRS_SRT_INDUCTION_EXTENSION 2
#define SRS_SRT_VERSION_5 5

/* Extension types. */
#define SRS_SRT_EXT_HSREQ 1
#define SRS_SRT_EXT_HSRSP 2
#define SRS_SRT_EXT_KMREQ 3
#define SRS_SRT_EXT_KMRSP 4
#define SRS_SRT_EXT_SID 5
#define SRS_SRT_EXT_CONGESTION 6
#define SRS_SRT_EXT_FILTER 7
#define SRS_SRT_EXT_GROUP 8

/* ---- any packet ---- */

uint32_t srs_srt_get_u32(const uint8_t *p);
void srs_srt_put_u32(uint8_t *p, uint32_t v);

/* At least a header: len >= 16. */
bool srs_srt_is_packet(const uint8_t *data, size_t len);
/* A header with the F bit set. */
bool srs_srt_is_control(const uint8_t *data, size_t len);
/* The control type (only meaningful when srs_srt_is_control). */
uint16_t srs_srt_control_type(const uint8_t *data);
/* A control packet of type 0, long enough for the handshake fields (64 bytes). */
bool srs_srt_is_handshake(const uint8_t *data, size_t len);
/* Bytes 12..15; 0 when the packet is shorter than a header. */
uint32_t srs_srt_dest_socket_id(const uint8_t *data, size_t len);
/* No-op when shorter than a header. */
void srs_srt_set_dest_socket_id(uint8_t *data, size_t len, uint32_t id);

/* ---- handshakes ---- */

typedef struct {
    uint32_t timestamp;
    uint32_t dest_socket_id;
    uint32_t version;
    uint16_t encryption;
    uint16_t extension;
    uint32_t initial_seq;
    uint32_t mtu;
    uint32_t flow_window;
    uint32_t type;           /* SRS_SRT_HS_* or a rejection (>= 1000) */
    uint32_t socket_id;      /* the sender's SRT socket id */
    uint32_t syn_cookie;
    uint8_t peer_ip[16];     /* as on the wire (words byte-swapped) */
    const uint8_t *ext;      /* the extensions, into the parsed buffer; NULL when none */
    size_t ext_len;
} srs_srt_handshake_t;

/* A handshake packet: at least 64 bytes, a control packet of type 0, and the extensions, if
 * any, walk to the exact end (each one's length fits; no stray bytes). ERROR_SRT_HANDSHAKE. */
srs_error_t srs_srt_handshake_parse(const uint8_t *data, size_t len, srs_srt_handshake_t *hs);
/* 64 bytes + hs->ext_len into buf; ERROR_SRT_HANDSHAKE when it does not fit. */
srs_error_t srs_srt_handshake_write(const srs_srt_handshake_t *hs, uint8_t *buf, size_t size, size_t *len);

/* True for a rejection handshake type (1000 and above, not the negative special types). */
bool srs_srt_handshake_is_rejection(uint32_t type);
/* The handshake type that carries a reject reason: 1000 + reason. */
uint32_t srs_srt_handshake_reject_type(int reason);

/* One extension; data points into the handshake's buffer. */
typedef struct {
    uint16_t type;
    const uint8_t *data;
    size_t len;              /* bytes: 4 x the length field */
} srs_srt_ext_t;

/* Walks hs's extensions: *pos starts at 0; true and *out filled while one remains. Parse
 * already checked the walk, so this never reads past ext_len. */
bool srs_srt_ext_next(const srs_srt_handshake_t *hs, size_t *pos, srs_srt_ext_t *out);

/* The stream id of a conclusion (its SID extension): the words byte-swapped back and trailing
 * NULs trimmed, NUL-terminated into out. *found is false (and success) when there is none.
 * ERROR_SRT_STREAMID when it is longer than SRS_SRT_MAX_STREAM_ID, has a NUL inside, or does not
 * fit out. */
srs_error_t srs_srt_handshake_stream_id(const srs_srt_handshake_t *hs, char *out, size_t size, bool *found);
/* The SID encoding of text (padded with NULs to whole words, each word byte-swapped), for
 * building handshakes: 4-byte aligned length into *len. ERROR_SRT_STREAMID when too long. */
srs_error_t srs_srt_stream_id_encode(const char *text, uint8_t *out, size_t size, size_t *len);

/* The peer IP field for an address: IPv4 in the first word, IPv6 in all four, each 4-byte word
 * byte-swapped as libsrt writes it; zeros for other families. */
void srs_srt_peer_ip_encode(const struct sockaddr *sa, uint8_t out[16]);

/* A SYN cookie for a client address: the first 32 bits of HMAC-SHA256(secret, address, port,
 * bucket), never 0 (0 means "no cookie"). The caller picks the time bucket (e.g. minutes) and
 * accepts the current and the previous one. */
uint32_t srs_srt_syn_cookie(const uint8_t *secret, size_t secret_len, const struct sockaddr *peer, uint32_t bucket);

/* ---- stream ids ---- */

/* What a stream id asks for, in the forms SRS accepts:
 *     #!::r=live/livestream,m=publish        (keys split by ',', '&' or ';'; '?' counts as ',')
 *     #!::h=example.com,r=live/livestream,m=request
 *     #!::h=live/livestream,m=publish        (old style: h holds the path)
 *     #!::h=example.com/live/livestream      (old style: vhost/path)
 *     live/livestream?secret=x               (plain: a player; the query is the origin's business)
 *     livestream                             (no app: "live", SRS's default)
 * r wins over an old-style h path. m is publish or request (any case); none means request. */
typedef struct {
    char vhost[128];         /* "" = the default vhost */
    char app[128];
    char stream[256];
    bool publish;
} srs_srt_stream_id_t;

/* ERROR_SRT_STREAMID for an empty id, no stream, an unknown m, a vhost that is not a host name,
 * or an app/stream with spaces, control bytes, '?' or '#'. */
srs_error_t srs_srt_stream_id_parse(const char *sid, srs_srt_stream_id_t *out);
/* The same parse, for threads other than ST's (srs_error_t records the running coroutine's id,
 * which only the ST thread may ask): NULL on success, else a static reason. */
const char *srs_srt_stream_id_check(const char *sid, srs_srt_stream_id_t *out);
/* The stream id as it may be shown or logged: secrets replaced by "***".
 *     #!:: form: h (host), r (resource) and m (mode) are kept; every other key's value (s, u, t,
 *              passphrase, token, secret, ...) becomes "***", and so does a bare item without
 *              '=' (items split by ',', '&', ';' and '?', as the parser splits them), e.g.
 *              "#!::r=live/a?token=x,m=publish" -> "#!::r=live/a?token=***,m=publish".
 *     plain form: the path is kept, every query value becomes "***":
 *              "live/a?secret=x&k" -> "live/a?secret=***&***".
 * Empty values stay empty. The result is NUL-terminated in out (cut short, never mid-secret, when
 * out is small; SRS_SRT_REDACTED_SIZE always fits); returns out. NULL sid: "". */
#define SRS_SRT_REDACTED_SIZE (2 * SRS_SRT_MAX_STREAM_ID + 8)
const char *srs_srt_streamid_redact(const char *sid, char *out, size_t size);

/* The stream URL that pins it to an origin, the same as RTMP/FLV/WHEP of that stream:
 * srs_stream_url_build("srt://<vhost or __defaultVhost__>/<app>/<stream>"). */
srs_error_t srs_srt_stream_id_url(const srs_srt_stream_id_t *sid, char *out, size_t size);

#ifdef __cplusplus
}
#endif

#endif
