/* SPDX-License-Identifier: MIT */
/* The stream URL "<vhost>/<app>/<stream>": the key that pins a stream to one origin, the same for
 * every protocol (spec §3 BuildStreamURL). The vhost is the host without its port, or the default
 * vhost when the host is an IP address (v4 or v6) or a name without a dot. */
#ifndef SRS_KERNEL_STREAM_URL_H
#define SRS_KERNEL_STREAM_URL_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_DEFAULT_VHOST "__defaultVhost__"

/* Parse scheme://[user@]host[:port]/path[?query][#fragment]; the result is "<vhost><path>"
 * without query and fragment, e.g. "rtmp://1.2.3.4:1935/live/livestream?t=1" →
 * "__defaultVhost__/live/livestream", "rtmp://example.com/live/s" → "example.com/live/s".
 * Errors (ERROR_STREAM_URL): no scheme, no path, a bad IPv6 literal, or `out` too small. */
srs_error_t srs_stream_url_build(const char *url, char *out, size_t size);

/* From parts, with the same vhost rule for `host` (may carry a port; NULL/empty → default
 * vhost): ("1.2.3.4", "live", "s") → "__defaultVhost__/live/s". app and stream must be
 * non-empty. */
srs_error_t srs_stream_url_from_parts(const char *host, const char *app, const char *stream,
                                      char *out, size_t size);

/* The vhost for a host name (no port, no brackets) of `len` bytes: the host itself, or
 * SRS_DEFAULT_VHOST. Writes into out (size bytes); false when it does not fit. */
bool srs_stream_url_vhost(const char *host, size_t len, char *out, size_t size);

#ifdef __cplusplus
}
#endif

#endif
