/* SPDX-License-Identifier: MIT */
/* HLS playlist rewrite for the proxy: every URI in a master or media playlist — segment and
 * variant lines, and URI="..." attributes (EXT-X-MAP, EXT-X-MEDIA, EXT-X-KEY, ...) — is made to
 * point back at the proxy (an absolute URL loses its scheme and authority) and to carry the
 * proxy's session id `spbhid`, so the segments reach the origin that served the playlist. */
#ifndef SRS_KERNEL_M3U8_H
#define SRS_KERNEL_M3U8_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* *out is malloc'ed and NUL-terminated; *count = URIs rewritten. A URI that already carries
 * spbhid is left alone. ERROR_HTTP_PARSE for a spbhid that is not [A-Za-z0-9_-]+. The output is
 * bounded: more than max_out bytes (0 = no bound) → ERROR_HTTP_TOO_LARGE and nothing is returned
 * (a playlist of one-character URIs would otherwise grow ~20x with a 32-character spbhid); the
 * buffer never holds more than max_out + 1 bytes. */
srs_error_t srs_m3u8_rewrite(const char *body, size_t len, const char *spbhid, size_t max_out, char **out,
                             size_t *out_len, int *count);

#ifdef __cplusplus
}
#endif

#endif
