/* SPDX-License-Identifier: MIT */
#include "srs_core_log.h"
#include "srs_core_context.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static srs_log_level_t log_level = SRS_LOG_INFO;

int srs_log_level_parse(const char *text)
{
    if (!text) return -1;
    if (!strcasecmp(text, "debug") || !strcasecmp(text, "verbose")) return SRS_LOG_DEBUG;
    if (!strcasecmp(text, "info") || !strcasecmp(text, "trace")) return SRS_LOG_INFO;
    if (!strcasecmp(text, "warn") || !strcasecmp(text, "warning")) return SRS_LOG_WARN;
    if (!strcasecmp(text, "error")) return SRS_LOG_ERROR;
    if (!strcasecmp(text, "off")) return SRS_LOG_OFF;
    return -1;
}

const char *srs_log_level_name(srs_log_level_t level)
{
    switch (level) {
    case SRS_LOG_DEBUG: return "DEBUG";
    case SRS_LOG_INFO: return "INFO";
    case SRS_LOG_WARN: return "WARN";
    case SRS_LOG_ERROR: return "ERROR";
    default: return "OFF";
    }
}

void srs_log_set_level(srs_log_level_t level) { log_level = level; }
srs_log_level_t srs_log_get_level(void) { return log_level; }

srs_utime_t srs_time_now_wall(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (srs_utime_t)tv.tv_sec * SRS_UTIME_SECONDS + tv.tv_usec;
}

srs_utime_t srs_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (srs_utime_t)ts.tv_sec * SRS_UTIME_SECONDS + ts.tv_nsec / 1000;
}

srs_utime_t srs_time_left(srs_utime_t deadline)
{
    srs_utime_t left = deadline - srs_time_now();
    return left > 0 ? left : 0;
}

size_t srs_log_escape_inplace(char *text, size_t len, size_t cap)
{
    /* Count what the escapes add, then widen from the end, so no second buffer is needed. */
    size_t extra = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f) extra += 3;
    }
    if (!extra) return len;
    /* What does not fit is cut from the end, never written past cap. */
    size_t out = len + extra;
    while (out > cap) {
        unsigned char c = (unsigned char)text[--len];
        out -= (c < 0x20 || c == 0x7f) ? 4 : 1;
    }
    size_t w = out;
    for (size_t i = len; i-- > 0;) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            text[--w] = hex[c & 0xf];
            text[--w] = hex[c >> 4];
            text[--w] = 'x';
            text[--w] = '\\';
        } else {
            text[--w] = (char)c;
        }
    }
    return out;
}

void srs_log_write(srs_log_level_t level, const char *fmt, ...)
{
    char line[4096];
    srs_utime_t now = srs_time_now_wall();
    time_t secs = (time_t)(now / SRS_UTIME_SECONDS);
    struct tm tm;
    localtime_r(&secs, &tm);
    int n = snprintf(line, sizeof(line), "[%04d-%02d-%02d %02d:%02d:%02d.%03d][%s][%d][%s] ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)((now % SRS_UTIME_SECONDS) / 1000), srs_log_level_name(level),
                     (int)getpid(), srs_context_id());
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : SRS_MIN((size_t)m, sizeof(line) - (size_t)n - 2));
    len = (size_t)n + srs_log_escape_inplace(line + n, len - (size_t)n, sizeof(line) - (size_t)n - 1);
    line[len++] = '\n';
    /* One write per line keeps lines whole when stdout and stderr share a file. */
    int fd = level >= SRS_LOG_WARN ? STDERR_FILENO : STDOUT_FILENO;
    ssize_t w = write(fd, line, len);
    SRS_UNUSED(w);
}

bool srs_log_limit_allow(srs_log_limit_t *limit, uint64_t *suppressed)
{
    srs_utime_t now = srs_time_now();
    if (now - limit->window_start >= limit->interval || limit->window_start == 0) {
        limit->window_start = now;
        limit->in_window = 0;
    }
    if (limit->in_window >= limit->burst) {
        limit->suppressed++;
        return false;
    }
    limit->in_window++;
    *suppressed = limit->suppressed;
    limit->suppressed = 0;
    return true;
}
