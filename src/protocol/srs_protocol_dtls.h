/* SPDX-License-Identifier: MIT */
/* DTLS 1.2 with the use_srtp extension (RFC 5764) for the tools only: srs-bench is a DTLS
 * client, srs-mock-origin a DTLS server. The proxy itself relays DTLS and never terminates it.
 *
 * Transport-independent: an endpoint never does I/O. Feed each received datagram to
 * srs_dtls_on_recv; every datagram the endpoint must send goes to the send callback (one call per
 * datagram, at most SRS_DTLS_MTU bytes of records packed as OpenSSL flushes a flight). Nothing
 * blocks, so it runs on ST UDP sockets or in memory. Drive retransmissions with srs_dtls_timeout
 * and srs_dtls_on_timeout.
 *
 * Certificates are self-signed; trust comes from the SDP: the peer's certificate must match the
 * a=fingerprint (RFC 8122) the caller expects. */
#ifndef SRS_PROTOCOL_DTLS_H
#define SRS_PROTOCOL_DTLS_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest datagram an endpoint sends (records included); fits any path WebRTC runs on. */
#define SRS_DTLS_MTU 1200

/* "sha-256 " + 32 hex pairs separated by colons, plus NUL. */
#define SRS_DTLS_FINGERPRINT_SIZE (8 + 32 * 3)

/* A certificate + key, made once per process: ECDSA P-256, self-signed, random serial, valid
 * from a day ago for a year. Also holds the shared OpenSSL context of every endpoint using it. */
typedef struct srs_dtls_cert_s srs_dtls_cert_t;
srs_error_t srs_dtls_cert_new(srs_dtls_cert_t **out);
/* Free after every endpoint made from it. NULL is fine. */
void srs_dtls_cert_free(srs_dtls_cert_t *c);
/* "sha-256 AB:CD:..." for a=fingerprint (upper-case hex, colon separated). */
const char *srs_dtls_cert_fingerprint(const srs_dtls_cert_t *c);

/* Hands one datagram to the transport. An error is returned by the srs_dtls_* call that made the
 * datagram; the endpoint stays usable (the datagram counts as lost, the timer resends it). It runs
 * inside that call: it must not call back into the same endpoint (queue, or just send). */
typedef srs_error_t (*srs_dtls_send_fn)(void *ctx, const uint8_t *data, size_t len);

typedef struct srs_dtls_s srs_dtls_t;

/* One endpoint. peer_fingerprint is the peer's a=fingerprint value, "sha-256 AB:CD:..." (any case
 * of letters), or NULL to accept any certificate. The cert must outlive the endpoint.
 * ERROR_RTC_DTLS for a fingerprint that is not sha-256 with 32 hex pairs. */
srs_error_t srs_dtls_new(const srs_dtls_cert_t *cert, bool is_client, const char *peer_fingerprint,
                         srs_dtls_send_fn send, void *ctx, srs_dtls_t **out);
/* NULL is fine. Sends nothing; call srs_dtls_close first for a close_notify. */
void srs_dtls_free(srs_dtls_t *d);

/* Client: sends the ClientHello. Server: nothing (it waits for one). */
srs_error_t srs_dtls_start(srs_dtls_t *d);
/* One received DTLS datagram. Drives the handshake; after it, handles the peer's retransmitted
 * flights and close_notify, and discards application data (the tools carry no data channel).
 * A failed handshake (bad fingerprint, alert, protocol error) is ERROR_RTC_DTLS, and so is every
 * later call. */
srs_error_t srs_dtls_on_recv(srs_dtls_t *d, const uint8_t *data, size_t len);

/* Retransmission timer (initial 100 ms, doubling, at most 3 s): 0 when none is pending, else the
 * microseconds until srs_dtls_on_timeout is due (at least 1, so 0 never means "now"). */
srs_utime_t srs_dtls_timeout(srs_dtls_t *d);
/* Resends the last flight when the timer expired; does nothing before. ERROR_RTC_DTLS after too
 * many retransmissions. */
srs_error_t srs_dtls_on_timeout(srs_dtls_t *d);

/* The handshake finished and the peer's certificate matched the expected fingerprint. */
bool srs_dtls_done(const srs_dtls_t *d);
/* The peer sent close_notify. */
bool srs_dtls_peer_closed(const srs_dtls_t *d);
/* The peer certificate's fingerprint once seen, else "". */
const char *srs_dtls_peer_fingerprint(const srs_dtls_t *d);

/* use_srtp profile ids (RFC 5764 §4.1.2, RFC 7714 §14.2). */
#define SRS_SRTP_AES128_CM_SHA1_80 0x0001
#define SRS_SRTP_AEAD_AES_128_GCM 0x0007

/* SRTP master key then master salt, for our side (protect) and the peer's (unprotect).
 * key_len is the length of each: 30 (16 + 14) for AES128_CM_SHA1_80, 28 (16 + 12) for GCM. */
typedef struct {
    int profile;
    uint8_t local_key[64];
    uint8_t remote_key[64];
    size_t key_len;
} srs_dtls_srtp_keys_t;

/* After done: exports the keying material per RFC 5764 §4.2 ("EXTRACTOR-dtls_srtp", laid out as
 * client key | server key | client salt | server salt). ERROR_RTC_DTLS before done or when no
 * profile was agreed. */
srs_error_t srs_dtls_srtp_keys(srs_dtls_t *d, srs_dtls_srtp_keys_t *out);

/* Sends close_notify (an alert record, content type 21) through the callback. */
srs_error_t srs_dtls_close(srs_dtls_t *d);

/* DTLS record content types. */
#define SRS_DTLS_CHANGE_CIPHER_SPEC 20
#define SRS_DTLS_ALERT 21
#define SRS_DTLS_HANDSHAKE 22
#define SRS_DTLS_APPLICATION_DATA 23

#define SRS_DTLS_RECORD_HEADER_SIZE 13
#define SRS_DTLS_CLIENT_HELLO 1

/* Content type of the first record for classifiers (RFC 7983: first byte 20..63 and a full
 * record header); 0 if not DTLS. */
int srs_dtls_content_type(const uint8_t *data, size_t len);

/* One record header (RFC 6347 §4.1). */
typedef struct {
    uint8_t content_type;
    uint16_t version;       /* 0xFEFF DTLS 1.0, 0xFEFD DTLS 1.2 */
    uint16_t epoch;         /* 0 before ChangeCipherSpec: plaintext */
    uint64_t sequence;      /* 48 bits */
    uint16_t length;        /* of the fragment after the header */
    int handshake_type;     /* the first fragment byte of a plaintext handshake record, else -1 */
    size_t size;            /* header + fragment: where the next record of the datagram starts */
} srs_dtls_record_t;

/* Parses the record at data: content type 20..63, version major 0xFE, the fragment inside len.
 * ERROR_RTC_DTLS otherwise. Walk a datagram with data += rec.size. */
srs_error_t srs_dtls_record_parse(const uint8_t *data, size_t len, srs_dtls_record_t *out);
/* A datagram whose first record is a plaintext ClientHello: a peer starts (or restarts) a
 * handshake. */
bool srs_dtls_is_client_hello(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
