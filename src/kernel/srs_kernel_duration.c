/* SPDX-License-Identifier: MIT */
#include "srs_kernel_duration.h"

#include <stdio.h>
#include <string.h>

/* Go's limit: the magnitude may reach 1<<63 nanoseconds (only for a negative result). */
#define DURATION_LIMIT ((uint64_t)1 << 63)

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Leading digits as an integer, as Go's leadingInt: an error when beyond 1<<63. */
static bool leading_int(const char **s, uint64_t *out)
{
    uint64_t x = 0;
    for (; is_digit(**s); (*s)++) {
        if (x > DURATION_LIMIT / 10) return false;
        x = x * 10 + (uint64_t)(**s - '0');
        if (x > DURATION_LIMIT) return false;
    }
    *out = x;
    return true;
}

/* Leading fraction digits, as Go's leadingFraction: digits past what fits are ignored, and
 * scale is 10 to the number of digits used. */
static void leading_fraction(const char **s, uint64_t *out, double *scale)
{
    uint64_t x = 0;
    bool overflow = false;
    *scale = 1;
    for (; is_digit(**s); (*s)++) {
        if (overflow) continue;
        if (x > (DURATION_LIMIT - 1) / 10) { overflow = true; continue; }
        uint64_t y = x * 10 + (uint64_t)(**s - '0');
        if (y > DURATION_LIMIT) { overflow = true; continue; }
        x = y;
        *scale *= 10;
    }
    *out = x;
}

/* Nanoseconds in the unit of `len` bytes at u, 0 if unknown. */
static uint64_t unit_ns(const char *u, size_t len)
{
    static const struct { const char *name; uint64_t ns; } units[] = {
        {"ns", 1}, {"us", 1000}, {"\xC2\xB5s", 1000}, {"\xCE\xBCs", 1000}, {"ms", 1000000},
        {"s", 1000000000ULL}, {"m", 60000000000ULL}, {"h", 3600000000000ULL},
    };
    for (size_t i = 0; i < SRS_ARRAY_SIZE(units); i++) {
        if (strlen(units[i].name) == len && !memcmp(units[i].name, u, len)) return units[i].ns;
    }
    return 0;
}

srs_error_t srs_duration_parse(const char *text, srs_utime_t *out_us)
{
    if (!text) return srs_error_new(ERROR_CONFIG_INVALID, "time: invalid duration (null)");
    const char *s = text;
    bool neg = false;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    if (!strcmp(s, "0")) { *out_us = 0; return srs_success; }
    if (!*s) return srs_error_new(ERROR_CONFIG_INVALID, "time: invalid duration \"%s\"", text);

    uint64_t total = 0;
    while (*s) {
        if (*s != '.' && !is_digit(*s)) return srs_error_new(ERROR_CONFIG_INVALID, "time: invalid duration \"%s\"", text);

        const char *start = s;
        uint64_t v = 0, f = 0;
        double scale = 1;
        if (!leading_int(&s, &v)) return srs_error_new(ERROR_CONFIG_INVALID, "time: invalid duration \"%s\"", text);
        bool pre = s != start, post = false;
        if (*s == '.') {
            const char *frac = ++s;
            leading_fraction(&s, &f, &scale);
            post = s != frac;
        }
        if (!pre && !post) return srs_error_new(ERROR_CONFIG_INVALID, "time: invalid duration \"%s\"", text);

        /* The unit runs until the next number. */
        size_t ulen = strcspn(s, ".0123456789");
        if (ulen == 0) return srs_error_new(ERROR_CONFIG_INVALID, "time: missing unit in duration \"%s\"", text);
        uint64_t unit = unit_ns(s, ulen);
        if (!unit) return srs_error_new(ERROR_CONFIG_INVALID, "time: unknown unit \"%.*s\" in duration \"%s\"", (int)ulen, s, text);
        s += ulen;

        if (v > DURATION_LIMIT / unit) return srs_error_new(ERROR_CONFIG_INVALID, "time: invalid duration \"%s\"", text);
        v *= unit;
        if (f > 0) {
            /* Go adds the fraction through a float64, and so do we, for the same rounding. */
            v += (uint64_t)((double)f * ((double)unit / scale));
            if (v > DURATION_LIMIT) return srs_error_new(ERROR_CONFIG_INVALID, "time: invalid duration \"%s\"", text);
        }
        /* Checked before adding, so the sum cannot wrap (Go's can, for 1<<63 twice). */
        if (v > DURATION_LIMIT - total) return srs_error_new(ERROR_CONFIG_INVALID, "time: invalid duration \"%s\"", text);
        total += v;
    }
    if (!neg && total > DURATION_LIMIT - 1) return srs_error_new(ERROR_CONFIG_INVALID, "time: invalid duration \"%s\"", text);

    int64_t ns = neg ? (total == DURATION_LIMIT ? INT64_MIN : -(int64_t)total) : (int64_t)total;
    *out_us = ns / 1000;
    return srs_success;
}

void srs_duration_format(srs_utime_t d, char *buf, size_t size)
{
    if (!size) return;
    long long v = (long long)d;
    if (v % SRS_UTIME_SECONDS == 0) snprintf(buf, size, "%llds", v / SRS_UTIME_SECONDS);
    else if (v % SRS_UTIME_MILLISECONDS == 0) snprintf(buf, size, "%lldms", v / SRS_UTIME_MILLISECONDS);
    else snprintf(buf, size, "%lldus", v);
}
