/* SPDX-License-Identifier: MIT */
/* Log lines like SRS: [2026-11-27 08:00:00.123][INFO][pid][cid] message.
 * Debug and info go to stdout, warn and error to stderr (as the Go proxy). Never log on the
 * per-packet path; anything a remote peer can trigger goes through a srs_log_limit_t. */
#ifndef SRS_CORE_LOG_H
#define SRS_CORE_LOG_H

#include "srs_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SRS_LOG_DEBUG = 0,
    SRS_LOG_INFO = 1,
    SRS_LOG_WARN = 2,
    SRS_LOG_ERROR = 3,
    SRS_LOG_OFF = 4,
} srs_log_level_t;

/* Parse "debug", "info", "warn"/"warning", "error", "off" (any case). -1 if unknown. */
int srs_log_level_parse(const char *text);
const char *srs_log_level_name(srs_log_level_t level);
void srs_log_set_level(srs_log_level_t level);
srs_log_level_t srs_log_get_level(void);

/* Every line is escaped as a whole: control characters (a newline in a peer's tcUrl, an ESC
 * sequence) become \xHH, so no string from a peer can forge or hide a log line. */
void srs_log_write(srs_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Escapes control characters of text[0..len) in place as \xHH, within cap bytes (cut from the
 * end when it does not fit); returns the new length. */
size_t srs_log_escape_inplace(char *text, size_t len, size_t cap);

#define srs_log_enabled(level) ((level) >= srs_log_get_level())
#define srs_log_debug(...) do { if (srs_log_enabled(SRS_LOG_DEBUG)) srs_log_write(SRS_LOG_DEBUG, __VA_ARGS__); } while (0)
#define srs_log_info(...) do { if (srs_log_enabled(SRS_LOG_INFO)) srs_log_write(SRS_LOG_INFO, __VA_ARGS__); } while (0)
#define srs_log_warn(...) do { if (srs_log_enabled(SRS_LOG_WARN)) srs_log_write(SRS_LOG_WARN, __VA_ARGS__); } while (0)
#define srs_log_error(...) do { if (srs_log_enabled(SRS_LOG_ERROR)) srs_log_write(SRS_LOG_ERROR, __VA_ARGS__); } while (0)

/* Rate limit for log lines a peer can trigger: at most `burst` lines per `interval`, and the
 * first line after a quiet spell says how many were suppressed. Zero-initialise, then set
 * interval and burst (or use SRS_LOG_LIMIT_INIT). */
typedef struct {
    srs_utime_t interval;
    int burst;
    srs_utime_t window_start;
    int in_window;
    uint64_t suppressed;
} srs_log_limit_t;
#define SRS_LOG_LIMIT_INIT(interval_us, burst_n) { (interval_us), (burst_n), 0, 0, 0 }

/* True when a line may be written now. *suppressed gets how many were dropped before it. */
bool srs_log_limit_allow(srs_log_limit_t *limit, uint64_t *suppressed);

#define srs_log_limited(limit, level, fmt, ...) do { \
    uint64_t srs_log_dropped_; \
    if (srs_log_enabled(level) && srs_log_limit_allow((limit), &srs_log_dropped_)) { \
        if (srs_log_dropped_) srs_log_write((level), fmt " (%llu similar lines suppressed)", ##__VA_ARGS__, (unsigned long long)srs_log_dropped_); \
        else srs_log_write((level), fmt, ##__VA_ARGS__); \
    } \
} while (0)

/* Wall clock in microseconds (gettimeofday); for logs and HTTP dates. */
srs_utime_t srs_time_now_wall(void);
/* Monotonic clock in microseconds; for timeouts and ages. */
srs_utime_t srs_time_now(void);
/* The time until a monotonic deadline, never negative: a past deadline is 0, never a -1 that
 * would read as SRS_UTIME_NO_TIMEOUT. Reads the clock once, so it is safe inside SRS_MIN/SRS_MAX. */
srs_utime_t srs_time_left(srs_utime_t deadline);

#ifdef __cplusplus
}
#endif

#endif
