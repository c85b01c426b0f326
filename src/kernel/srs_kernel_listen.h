/* SPDX-License-Identifier: MIT */
/* Listen addresses as the Go proxy takes them from the environment: a bare port "12025" (Go
 * prepends ':') or ":12025" listens on all interfaces; "127.0.0.1:6060" binds that host;
 * "[::1]:6060" binds the IPv6 host "::1". */
#ifndef SRS_KERNEL_LISTEN_H
#define SRS_KERNEL_LISTEN_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* host is "" for all interfaces; otherwise an IP or a name, without brackets. */
typedef struct {
    char host[64];
    int port;
} srs_listen_t;

/* Parse text into out. The port must be decimal digits in 1..65535; the host must fit (63
 * bytes) and, unless in brackets, hold no ':'. Errors: ERROR_CONFIG_INVALID. */
srs_error_t srs_listen_parse(const char *text, srs_listen_t *out);

/* Write the address back: ":11985", "127.0.0.1:6060", "[::1]:6060". */
void srs_listen_format(const srs_listen_t *l, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
