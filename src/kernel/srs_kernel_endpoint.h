/* SPDX-License-Identifier: MIT */
/* Listen endpoints as SRS writes them in its heartbeat (and as SRS configs spell them):
 *     "1935"                  bare port
 *     "0.0.0.0:1935"          host:port ("[::]:1935" for IPv6)
 *     "tcp://1935"            proto://port
 *     "tcp://:1935"           proto://:port (empty host)
 *     "udp://0.0.0.0:8000"    proto://host:port ("udp://[::]:8000" for IPv6)
 *     "udp:1.2.3.4:8000"      legacy proto:host:port
 * The host is informational: the proxy always dials the origin's registered ip. */
#ifndef SRS_KERNEL_ENDPOINT_H
#define SRS_KERNEL_ENDPOINT_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    char proto[8];   /* Lower case, e.g. "tcp", "udp"; "" when the text names none. */
    char host[64];   /* Without brackets; "" when the text names none. */
    int port;        /* 1..65535 */
} srs_endpoint_t;

/* ERROR_CONFIG_INVALID for anything else: port 0 or above 65535, non-digits in the port, an
 * over-long proto or host, characters outside [A-Za-z0-9.:_-] in the host. */
srs_error_t srs_endpoint_parse(const char *text, srs_endpoint_t *out);

/* An address an origin may register as its ip (the proxy dials it): an IPv4 or IPv6 literal,
 * never a host name (resolving one would block every coroutine: ST has no async DNS), and never
 * one that cannot name one host: unspecified (0.0.0.0, ::), multicast (224.0.0.0/4, ff00::/8),
 * the IPv4 broadcast 255.255.255.255, or any of these as an IPv4-mapped IPv6 address.
 * ERROR_CONFIG_INVALID with the reason ("not an IP address", "unspecified address", ...). */
srs_error_t srs_endpoint_check_ip(const char *ip);

#ifdef __cplusplus
}
#endif

#endif
