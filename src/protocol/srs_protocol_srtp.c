/* SPDX-License-Identifier: MIT */
#include "srs_protocol_srtp.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

_Static_assert(SRS_SRTP_MAX_TRAILER == SRTP_MAX_TRAILER_LEN, "SRS_SRTP_MAX_TRAILER follows libsrtp");

/* Room for reordering at benchmark rates; libsrtp's default is 128 packets. */
#define SRTP_REPLAY_WINDOW 1024

struct srs_srtp_s {
    srtp_t send; /* our key, any outbound SSRC */
    srtp_t recv; /* the peer's key, any inbound SSRC */
};

static const char *srtp_status_name(srtp_err_status_t st)
{
    switch (st) {
    case srtp_err_status_ok: return "ok";
    case srtp_err_status_bad_param: return "bad_param";
    case srtp_err_status_alloc_fail: return "alloc_fail";
    case srtp_err_status_init_fail: return "init_fail";
    case srtp_err_status_auth_fail: return "auth_fail";
    case srtp_err_status_cipher_fail: return "cipher_fail";
    case srtp_err_status_replay_fail: return "replay_fail";
    case srtp_err_status_replay_old: return "replay_old";
    case srtp_err_status_no_ctx: return "no_ctx";
    case srtp_err_status_key_expired: return "key_expired";
    case srtp_err_status_parse_err: return "parse_err";
    default: return "failed";
    }
}

srs_error_t srs_srtp_global_init(void)
{
    static bool initialized;
    if (initialized) return srs_success;
    srtp_err_status_t st = srtp_init();
    if (st != srtp_err_status_ok) {
        return srs_error_new(ERROR_RTC_SRTP, "srtp_init: %s(%d)", srtp_status_name(st), (int)st);
    }
    initialized = true;
    return srs_success;
}

static srs_error_t srtp_session_new(int profile, const uint8_t *key, size_t key_len, bool outbound, srtp_t *out)
{
    srtp_policy_t policy;
    memset(&policy, 0, sizeof(policy));
    if (profile == SRS_SRTP_AES128_CM_SHA1_80 && key_len == SRTP_AES_ICM_128_KEY_LEN_WSALT) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    } else if (profile == SRS_SRTP_AEAD_AES_128_GCM && key_len == SRTP_AES_GCM_128_KEY_LEN_WSALT) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
        return srs_error_new(ERROR_RTC_SRTP, "profile %d with key_len %zu", profile, key_len);
    }
    /* libsrtp wants a mutable key; it copies what it needs while creating the session. */
    uint8_t copy[64];
    memcpy(copy, key, key_len);
    policy.key = copy;
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.window_size = SRTP_REPLAY_WINDOW;
    /* A sender may resend a packet with the same sequence number (NACK). */
    policy.allow_repeat_tx = outbound ? 1 : 0;
    srtp_err_status_t st = srtp_create(out, &policy);
    memset(copy, 0, sizeof(copy));
    if (st != srtp_err_status_ok) {
        *out = NULL;
        return srs_error_new(ERROR_RTC_SRTP, "srtp_create %s: %s(%d)", outbound ? "send" : "recv",
                             srtp_status_name(st), (int)st);
    }
    return srs_success;
}

srs_error_t srs_srtp_new(const srs_dtls_srtp_keys_t *keys, srs_srtp_t **out)
{
    *out = NULL;
    srs_error_t err = srs_srtp_global_init();
    if (err) return err;
    srs_srtp_t *s = calloc(1, sizeof(*s));
    if (!s) return srs_error_new(ERROR_SYSTEM_NOMEM, "srtp session");
    if ((err = srtp_session_new(keys->profile, keys->local_key, keys->key_len, true, &s->send)) != srs_success
        || (err = srtp_session_new(keys->profile, keys->remote_key, keys->key_len, false, &s->recv)) != srs_success) {
        srs_srtp_free(s);
        return srs_error_wrap(err, "srtp session");
    }
    *out = s;
    return srs_success;
}

void srs_srtp_free(srs_srtp_t *s)
{
    if (!s) return;
    if (s->send) srtp_dealloc(s->send);
    if (s->recv) srtp_dealloc(s->recv);
    free(s);
}

/* The RTP fixed header is 12 bytes, the RTCP one 8. */
#define RTP_MIN_SIZE 12
#define RTCP_MIN_SIZE 8

static srs_error_t srtp_check_protect(const char *what, size_t len, size_t min, size_t cap)
{
    if (len < min) return srs_error_new(ERROR_RTC_SRTP, "protect %s: %zu bytes, need %zu", what, len, min);
    if (cap < len || cap - len < SRS_SRTP_MAX_TRAILER || len > INT_MAX - SRS_SRTP_MAX_TRAILER) {
        return srs_error_new(ERROR_RTC_SRTP, "protect %s: %zu bytes in a buffer of %zu, need %d more", what,
                             len, cap, SRS_SRTP_MAX_TRAILER);
    }
    return srs_success;
}

srs_error_t srs_srtp_protect_rtp(srs_srtp_t *s, uint8_t *buf, size_t *len, size_t cap)
{
    srs_error_t err = srtp_check_protect("rtp", *len, RTP_MIN_SIZE, cap);
    if (err) return err;
    int n = (int)*len;
    srtp_err_status_t st = srtp_protect(s->send, buf, &n);
    if (st != srtp_err_status_ok) return srs_error_new(ERROR_RTC_SRTP, "protect rtp: %s(%d)", srtp_status_name(st), (int)st);
    *len = (size_t)n;
    return srs_success;
}

srs_error_t srs_srtp_protect_rtcp(srs_srtp_t *s, uint8_t *buf, size_t *len, size_t cap)
{
    srs_error_t err = srtp_check_protect("rtcp", *len, RTCP_MIN_SIZE, cap);
    if (err) return err;
    int n = (int)*len;
    srtp_err_status_t st = srtp_protect_rtcp(s->send, buf, &n);
    if (st != srtp_err_status_ok) return srs_error_new(ERROR_RTC_SRTP, "protect rtcp: %s(%d)", srtp_status_name(st), (int)st);
    *len = (size_t)n;
    return srs_success;
}

srs_error_t srs_srtp_unprotect_rtp(srs_srtp_t *s, uint8_t *buf, size_t *len)
{
    if (*len < RTP_MIN_SIZE || *len > INT_MAX) return srs_error_new(ERROR_RTC_SRTP, "unprotect rtp: %zu bytes", *len);
    int n = (int)*len;
    srtp_err_status_t st = srtp_unprotect(s->recv, buf, &n);
    if (st != srtp_err_status_ok) return srs_error_new(ERROR_RTC_SRTP, "unprotect rtp: %s(%d)", srtp_status_name(st), (int)st);
    *len = (size_t)n;
    return srs_success;
}

srs_error_t srs_srtp_unprotect_rtcp(srs_srtp_t *s, uint8_t *buf, size_t *len)
{
    if (*len < RTCP_MIN_SIZE || *len > INT_MAX) return srs_error_new(ERROR_RTC_SRTP, "unprotect rtcp: %zu bytes", *len);
    int n = (int)*len;
    srtp_err_status_t st = srtp_unprotect_rtcp(s->recv, buf, &n);
    if (st != srtp_err_status_ok) return srs_error_new(ERROR_RTC_SRTP, "unprotect rtcp: %s(%d)", srtp_status_name(st), (int)st);
    *len = (size_t)n;
    return srs_success;
}
