/* SPDX-License-Identifier: MIT */
/* Common macros and the version of srs-proxy. Every file includes this first. */
#ifndef SRS_CORE_H
#define SRS_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SRS_PROXY_SIGNATURE "SRSX"
#define SRS_PROXY_VERSION_MAJOR 7
#define SRS_PROXY_VERSION_MINOR 0
#define SRS_PROXY_VERSION_REVISION 143
#define SRS_PROXY_VERSION "7.0.143"
/* The Server header and the startup line: "SRSX-Proxy/7.0.143". */
#define SRS_PROXY_SERVER SRS_PROXY_SIGNATURE "/" SRS_PROXY_VERSION

#define SRS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* Each argument may be evaluated twice: pass no clock read or other call (see srs_time_left). */
#define SRS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SRS_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SRS_UNUSED(x) ((void)(x))

/* Free a heap pointer and clear it, so a second free is harmless. */
#define srs_freep(p) do { free(p); (p) = NULL; } while (0)

/* Time in microseconds, like st_utime_t. */
typedef int64_t srs_utime_t;
#define SRS_UTIME_MILLISECONDS 1000LL
#define SRS_UTIME_SECONDS 1000000LL
#define SRS_UTIME_NO_TIMEOUT ((srs_utime_t)-1LL)

#endif
