/* SPDX-License-Identifier: MIT */
/* STUN (RFC 5389/8489) for the WebRTC UDP mux: classify a datagram by its first byte (RFC 7983),
 * parse and validate a STUN message without copying (the USERNAME is the ICE pair key), verify
 * MESSAGE-INTEGRITY and FINGERPRINT, and build binding requests/responses for tools and tests.
 * No I/O, no allocation: safe on the per-packet path. */
#ifndef SRS_PROTOCOL_STUN_H
#define SRS_PROTOCOL_STUN_H

#include "srs_core.h"
#include "srs_core_error.h"

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SRS_RTC_PACKET_UNKNOWN,
    SRS_RTC_PACKET_STUN,     /* first byte 0-3, at least a 20-byte header */
    SRS_RTC_PACKET_DTLS,     /* first byte 20-63, at least a 13-byte record header */
    SRS_RTC_PACKET_RTP_RTCP, /* first byte 128-191, at least a 12-byte header */
} srs_rtc_packet_kind_t;

/* RFC 7983 demultiplexing by the first byte, plus the minimum length of each kind. */
srs_rtc_packet_kind_t srs_rtc_classify(const uint8_t *data, size_t len);
/* An RTP/RTCP packet whose second byte (payload type) is 192-223, i.e. RTCP (RFC 5761). */
bool srs_rtc_is_rtcp(const uint8_t *data, size_t len);

#define SRS_STUN_HEADER_SIZE 20
#define SRS_STUN_MAGIC_COOKIE 0x2112A442u
#define SRS_STUN_BINDING_REQUEST 0x0001
#define SRS_STUN_BINDING_SUCCESS 0x0101
#define SRS_STUN_BINDING_ERROR 0x0111
#define SRS_STUN_BINDING_INDICATION 0x0011

/* Attribute types. */
#define SRS_STUN_ATTR_USERNAME 0x0006
#define SRS_STUN_ATTR_MESSAGE_INTEGRITY 0x0008
#define SRS_STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define SRS_STUN_ATTR_PRIORITY 0x0024
#define SRS_STUN_ATTR_USE_CANDIDATE 0x0025
#define SRS_STUN_ATTR_FINGERPRINT 0x8028
#define SRS_STUN_ATTR_ICE_CONTROLLED 0x8029
#define SRS_STUN_ATTR_ICE_CONTROLLING 0x802A

/* RFC 8489 §14.3: USERNAME is less than 509 bytes; we allow the older 513 of RFC 5389. */
#define SRS_STUN_MAX_USERNAME 513

typedef struct {
    uint16_t type;
    uint8_t txid[12];
    const uint8_t *username; size_t username_len;  /* points into the packet; NULL if absent */
    bool has_integrity; size_t integrity_offset;   /* offset of the MESSAGE-INTEGRITY attribute header */
    bool has_fingerprint; size_t fingerprint_offset;
    bool use_candidate; bool has_xor_mapped; struct sockaddr_storage xor_mapped; /* decoded */
    uint32_t priority; uint64_t ice_tiebreaker; bool ice_controlling, ice_controlled;
} srs_stun_msg_t;

/* Validates: length >= 20, top two bits of the type zero, magic cookie, header length == len-20
 * and a multiple of 4, every attribute header and value (with padding) inside the message,
 * USERNAME <= 513 bytes, MESSAGE-INTEGRITY 20 bytes, FINGERPRINT 4 bytes and last, and the
 * sizes of the attributes it decodes (PRIORITY 4, ICE-CONTROLL(ED|ING) 8, USE-CANDIDATE 0,
 * XOR-MAPPED-ADDRESS 8 or 20 with family 1 or 2). Attributes after MESSAGE-INTEGRITY other than
 * FINGERPRINT are ignored (RFC 5389 §15.4); of a repeated attribute the first one counts.
 * ERROR_RTC_STUN otherwise. Never reads out of bounds. *out is filled only in part on error. */
srs_error_t srs_stun_parse(const uint8_t *data, size_t len, srs_stun_msg_t *out);

/* The ICE pair key for a binding request: USERNAME is "<answerUfrag>:<offerUfrag>", used as is. */

/* Integrity/fingerprint checks on a message parsed from the same bytes (key = the ICE password
 * of the receiver, short-term credentials). False when the attribute is absent. */
bool srs_stun_check_integrity(const uint8_t *data, size_t len, const srs_stun_msg_t *m, const char *pwd);
bool srs_stun_check_fingerprint(const uint8_t *data, size_t len, const srs_stun_msg_t *m);

/* What an ICE agent requires before it believes a binding request (RFC 8445 §7.3, RFC 5389
 * §10.1.2): a MESSAGE-INTEGRITY that verifies with pwd (non-empty), and a FINGERPRINT that
 * verifies when one is present. m must be parsed from the same bytes. */
bool srs_stun_authentic(const uint8_t *data, size_t len, const srs_stun_msg_t *m, const char *pwd);

/* Builders (for the load generator and the mock origin; also used by the tests).
 * Attributes are written in this order: USERNAME, ICE-CONTROLLING or ICE-CONTROLLED (with the
 * tiebreaker), PRIORITY (when non-zero), USE-CANDIDATE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY,
 * FINGERPRINT. */
typedef struct {
    uint16_t type; const uint8_t *txid;           /* 12 bytes; NULL → random */
    const char *username;                         /* NULL → none */
    const struct sockaddr *xor_mapped;            /* NULL → none; AF_INET or AF_INET6 */
    uint32_t priority; bool use_candidate; bool ice_controlling; uint64_t tiebreaker;
    const char *integrity_pwd;                    /* NULL → no MESSAGE-INTEGRITY */
    bool fingerprint;
    bool ice_controlled;                          /* ICE-CONTROLLED, when not ice_controlling */
} srs_stun_build_t;

/* Writes the message into buf; *len = its size. ERROR_RTC_STUN if it does not fit or an input
 * is invalid (type with the top bits set, USERNAME too long, unknown address family). */
srs_error_t srs_stun_build(const srs_stun_build_t *b, uint8_t *buf, size_t size, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
