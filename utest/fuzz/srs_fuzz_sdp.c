/* SPDX-License-Identifier: MIT */
/* libFuzzer: WHIP/WHEP bodies (SDP offers, answers, JSON envelopes). ICE credentials, envelope
 * unwrap, and the candidate rewrite with ports {8000, 8001}, which must copy the input as is when
 * it rewrites nothing. */
#include "srs_protocol_sdp.h"

#include <stdlib.h>
#include <string.h>

static void fuzz_credentials(const char *sdp, size_t len)
{
    char ufrag[64], pwd[128];
    srs_error_t err = srs_sdp_ice_credentials(sdp, len, ufrag, sizeof(ufrag), pwd, sizeof(pwd));
    if (!err && (!ufrag[0] || !pwd[0])) abort();
    srs_error_free(err);
}

static void fuzz_rewrite(const char *sdp, size_t len, const char *ip)
{
    static const int ports[] = {8000, 8001};
    char *out = NULL;
    size_t out_len = 0;
    int count = -1;
    srs_error_t err = srs_sdp_rewrite_candidates(sdp, len, ports, 2, 18000, ip, &out, &out_len, &count);
    if (err) abort(); /* the arguments are valid: any input text must work */
    if (out[out_len] != '\0' || count < 0) abort();
    if (count == 0 && (out_len != len || memcmp(out, sdp, len))) abort();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    fuzz_credentials(text, size);
    fuzz_rewrite(text, size, "10.1.2.3");
    fuzz_rewrite(text, size, NULL);

    char *sdp = NULL;
    if (srs_sdp_unwrap_envelope(text, size, &sdp)) {
        if (!sdp || !sdp[0]) abort();
        fuzz_credentials(sdp, strlen(sdp));
        fuzz_rewrite(sdp, strlen(sdp), "2001:db8::1");
        free(sdp);
    }
    return 0;
}
