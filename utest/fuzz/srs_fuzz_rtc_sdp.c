/* SPDX-License-Identifier: MIT */
/* libFuzzer: an SDP offer or answer from the network (the mock origin reads offers of any client,
 * srs-bench reads answers). Parse it; when it parses, answer it as the mock origin would, for a
 * player and for a publisher; an answer must parse back with our credentials and the offer's
 * payload types. */
#include "srs_protocol_rtc_sdp.h"

#include <stdlib.h>
#include <string.h>

static const char *kFingerprint =
    "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

static void answer(const srs_rtc_sdp_t *offer, bool publish)
{
    srs_rtc_sdp_answer_t a = {offer, publish, "mockufrg", "mockpassword0123456789ab", kFingerprint, "127.0.0.1", 8001,
                              1111, 2222, "live/livestream", !publish};
    char *out = NULL;
    srs_error_t err = srs_rtc_sdp_build_answer(&a, &out);
    if (err) {
        srs_error_free(err);
        if (out) abort();
        return;
    }
    srs_rtc_sdp_t *back = calloc(1, sizeof(*back));
    if (!back) abort();
    err = srs_rtc_sdp_parse(out, strlen(out), back);
    if (err) abort(); /* our own answer always parses */
    if (strcmp(back->ufrag, "mockufrg") || !back->ice_lite || back->candidate_port != 8001) abort();
    if (back->raw_srtp != !publish) abort();
    if (srs_rtc_sdp_opus_pt(back) >= 0 && srs_rtc_sdp_opus_pt(back) != srs_rtc_sdp_opus_pt(offer)) abort();
    if (srs_rtc_sdp_h264_pt(back) >= 0 && srs_rtc_sdp_h264_pt(back) != srs_rtc_sdp_h264_pt(offer)) abort();
    free(back);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_rtc_sdp_t *sdp = calloc(1, sizeof(*sdp));
    if (!sdp) return 0;
    srs_error_t err = srs_rtc_sdp_parse((const char *)data, size, sdp);
    if (err) {
        srs_error_free(err);
        free(sdp);
        return 0;
    }
    if (sdp->n_media < 0 || sdp->n_media > SRS_RTC_SDP_MAX_MEDIA) abort();
    answer(sdp, false);
    answer(sdp, true);
    free(sdp);
    return 0;
}
