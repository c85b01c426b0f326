/* SPDX-License-Identifier: MIT */
/* SRTP/SRTCP sessions on libsrtp2 for the tools (srs-bench players, srs-mock-origin senders),
 * keyed by the DTLS-SRTP exporter (srs_dtls_srtp_keys). One session protects what we send with
 * our key and unprotects what the peer sends with its key, for any SSRC. No allocation per
 * packet: safe on the media path. */
#ifndef SRS_PROTOCOL_SRTP_H
#define SRS_PROTOCOL_SRTP_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_dtls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes protect may add after the packet (auth tag, or the GCM tag plus the SRTCP index);
 * equal to libsrtp's SRTP_MAX_TRAILER_LEN. */
#define SRS_SRTP_MAX_TRAILER 144

/* srtp_init, once per process; later calls do nothing. */
srs_error_t srs_srtp_global_init(void);

typedef struct srs_srtp_s srs_srtp_t;

/* Profiles SRS_SRTP_AES128_CM_SHA1_80 and SRS_SRTP_AEAD_AES_128_GCM; ERROR_RTC_SRTP for another
 * profile or a key_len that does not fit it. Calls srs_srtp_global_init. */
srs_error_t srs_srtp_new(const srs_dtls_srtp_keys_t *keys, srs_srtp_t **out);
/* NULL is fine. */
void srs_srtp_free(srs_srtp_t *s);

/* In place. buf holds a packet of *len bytes and has room for cap bytes: cap must leave
 * SRS_SRTP_MAX_TRAILER after the packet. *len becomes the protected size. */
srs_error_t srs_srtp_protect_rtp(srs_srtp_t *s, uint8_t *buf, size_t *len, size_t cap);
/* In place; *len becomes the plain size. ERROR_RTC_SRTP for a packet too short, failing
 * authentication, or replayed. */
srs_error_t srs_srtp_unprotect_rtp(srs_srtp_t *s, uint8_t *buf, size_t *len);
srs_error_t srs_srtp_protect_rtcp(srs_srtp_t *s, uint8_t *buf, size_t *len, size_t cap);
srs_error_t srs_srtp_unprotect_rtcp(srs_srtp_t *s, uint8_t *buf, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
