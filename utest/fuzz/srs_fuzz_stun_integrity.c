/* SPDX-License-Identifier: MIT */
/* libFuzzer: the check that decides whether a binding request may move a WebRTC session to a new
 * address (srs_stun_authentic: MESSAGE-INTEGRITY with the origin's ICE password, FINGERPRINT if
 * present). Input: one byte n, n bytes of key, then the datagram. Properties: never reads out of
 * bounds; authentic implies the integrity check alone passes; an authentic message with one
 * changed byte of what the HMAC covers (or a changed key) is not authentic any more. */
#include "srs_protocol_stun.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t n = data[0] % 64;
    if (size < 1 + n) return 0;
    char key[65];
    memcpy(key, data + 1, n);
    key[n] = '\0';
    const uint8_t *msg = data + 1 + n;
    size_t len = size - 1 - n;

    srs_stun_msg_t m;
    srs_error_t err = srs_stun_parse(msg, len, &m);
    if (err) {
        srs_error_free(err);
        return 0;
    }
    bool ok = srs_stun_authentic(msg, len, &m, key);
    if (!ok) return 0;
    if (!key[0] || !m.has_integrity || !srs_stun_check_integrity(msg, len, &m, key)) abort();

    /* Another key (its last character changed; the key ends at its first NUL) must fail. */
    char other[65];
    size_t klen = strlen(key);
    memcpy(other, key, klen + 1);
    other[klen - 1] = (char)(other[klen - 1] == 'x' ? 'y' : 'x');
    if (srs_stun_authentic(msg, len, &m, other)) abort();

    /* One flipped bit anywhere the HMAC covers, except the length field, must fail. */
    uint8_t copy[2048];
    if (len > sizeof(copy)) return 0;
    size_t covered = m.integrity_offset + 24;
    size_t at = (size_t)msg[len - 1] % covered;
    if (at == 2 || at == 3) return 0;
    memcpy(copy, msg, len);
    copy[at] ^= 0x01;
    srs_stun_msg_t m2;
    err = srs_stun_parse(copy, len, &m2);
    if (err) {
        srs_error_free(err);
        return 0;
    }
    if (srs_stun_authentic(copy, len, &m2, key)) abort();
    return 0;
}
