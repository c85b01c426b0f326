/* SPDX-License-Identifier: MIT */
/* libFuzzer: C0C1 as a client sends it to the RTMP port. The digest checks must not read out of
 * place, and the server's answer must be right for the form it picks: an echo of C1 (simple) or
 * an S1 and S2 whose digests check out (complex). Short inputs are zero-padded. */
#include "srs_protocol_rtmp_handshake.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t c0c1[1 + SRS_RTMP_HANDSHAKE_SIZE] = {0};
    uint8_t s0s1s2[1 + 2 * SRS_RTMP_HANDSHAKE_SIZE];
    memcpy(c0c1, data, size < sizeof(c0c1) ? size : sizeof(c0c1));
    const uint8_t *c1 = c0c1 + 1;

    int schema = srs_rtmp_c1_digest_schema(c1);
    if (schema < -1 || schema > 1) abort();
    srs_rtmp_s1_digest_schema(c1);
    for (int s = 0; s <= 1; s++) {
        size_t at = srs_rtmp_digest_offset(c1, s);
        if (at < 12 || at + SRS_RTMP_DIGEST_SIZE > SRS_RTMP_HANDSHAKE_SIZE) abort();
    }
    srs_rtmp_s2_digest_valid(c1, c1);

    bool complex = false;
    srs_error_t err = srs_rtmp_handshake_answer(c0c1, s0s1s2, &complex);
    if (err) {
        if (c0c1[0] == SRS_RTMP_VERSION) abort();
        srs_error_free(err);
        return 0;
    }
    const uint8_t *s1 = s0s1s2 + 1, *s2 = s1 + SRS_RTMP_HANDSHAKE_SIZE;
    if (s0s1s2[0] != SRS_RTMP_VERSION || complex != (schema >= 0)) abort();
    if (!complex && memcmp(s2, c1, SRS_RTMP_HANDSHAKE_SIZE) != 0) abort();
    if (complex) {
        if (srs_rtmp_s1_digest_schema(s1) != schema) abort();
        if (!srs_rtmp_s2_digest_valid(s2, c1 + srs_rtmp_digest_offset(c1, schema))) abort();
    }
    return 0;
}
