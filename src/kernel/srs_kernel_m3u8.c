/* SPDX-License-Identifier: MIT */
#include "srs_kernel_m3u8.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *p;
    size_t len, cap;
    size_t max;    /* the output may not exceed this (0 = no bound) */
    bool overflow; /* it would have: nothing more is written */
} buf_t;

static void put(buf_t *b, const char *s, size_t n)
{
    if (b->overflow) return;
    if (b->max && (n > b->max || b->len > b->max - n)) {
        b->overflow = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        if (b->max && b->cap > b->max + 1) b->cap = b->max + 1;
        b->p = (char *)realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static const char *memfind(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++) {
        if (!memcmp(s + i, needle, m)) return s + i;
    }
    return NULL;
}

/* True when the query part [q, end) already has a spbhid parameter. */
static bool has_spbhid(const char *q, const char *end)
{
    for (const char *p = q; p && p < end;) {
        if ((size_t)(end - p) >= 7 && !memcmp(p, "spbhid=", 7)) return true;
        const char *amp = memchr(p, '&', (size_t)(end - p));
        p = amp ? amp + 1 : NULL;
    }
    return false;
}

/* Writes uri [u, u+n) rewritten. */
static void rewrite_uri(buf_t *b, const char *u, size_t n, const char *spbhid, int *count)
{
    const char *end = u + n;
    /* An absolute URL of the origin: keep the path, so the client asks the proxy. */
    const char *scheme = memfind(u, n, "://");
    const char *first_special = u;
    while (first_special < end && *first_special != '/' && *first_special != '?' && *first_special != '#') first_special++;
    /* "scheme://": the first '/' of the URI is the one right after "scheme:". */
    if (scheme && scheme > u && scheme + 1 == first_special) {
        const char *path = scheme + 3;
        while (path < end && *path != '/' && *path != '?' && *path != '#') path++;
        if (path == end || *path != '/') put(b, "/", 1);
        u = path;
    }
    const char *frag = memchr(u, '#', (size_t)(end - u));
    const char *stop = frag ? frag : end;
    const char *q = memchr(u, '?', (size_t)(stop - u));
    put(b, u, (size_t)(stop - u));
    if (!q || !has_spbhid(q + 1, stop)) {
        if (!q) put(b, "?", 1);
        else if (stop > q + 1 && stop[-1] != '&') put(b, "&", 1);
        put(b, "spbhid=", 7);
        put(b, spbhid, strlen(spbhid));
        (*count)++;
    }
    put(b, stop, (size_t)(end - stop));
}

/* A tag line: rewrite every URI="..." attribute in it. */
static void rewrite_tag(buf_t *b, const char *line, size_t n, const char *spbhid, int *count)
{
    const char *end = line + n;
    const char *p = line;
    for (;;) {
        const char *attr = memfind(p, (size_t)(end - p), "URI=\"");
        if (!attr) break;
        const char *v = attr + 5;
        const char *close = memchr(v, '"', (size_t)(end - v));
        if (!close) break;
        put(b, p, (size_t)(v - p));
        if (close > v) rewrite_uri(b, v, (size_t)(close - v), spbhid, count);
        p = close;
    }
    put(b, p, (size_t)(end - p));
}

srs_error_t srs_m3u8_rewrite(const char *body, size_t len, const char *spbhid, size_t max_out, char **out,
                             size_t *out_len, int *count)
{
    *count = 0;
    *out = NULL;
    *out_len = 0;
    if (!spbhid[0] || strspn(spbhid, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(spbhid)) {
        return srs_error_new(ERROR_HTTP_PARSE, "invalid spbhid");
    }
    buf_t b = {0};
    b.max = max_out;
    put(&b, "", 0);
    const char *end = body + len;
    for (const char *line = body; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *stop = nl ? nl : end;
        const char *content_end = (stop > line && stop[-1] == '\r') ? stop - 1 : stop;
        /* Leading/trailing blanks around a URI are kept as they are. */
        const char *s = line;
        while (s < content_end && (*s == ' ' || *s == '\t')) s++;
        const char *e = content_end;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
        if (s == e) {
            put(&b, line, (size_t)(content_end - line));
        } else if (*s == '#') {
            rewrite_tag(&b, line, (size_t)(content_end - line), spbhid, count);
        } else {
            put(&b, line, (size_t)(s - line));
            rewrite_uri(&b, s, (size_t)(e - s), spbhid, count);
            put(&b, e, (size_t)(content_end - e));
        }
        put(&b, content_end, (size_t)((nl ? nl + 1 : end) - content_end));
        line = nl ? nl + 1 : end;
        if (b.overflow) break;
    }
    if (b.overflow) {
        free(b.p);
        *count = 0;
        return srs_error_new(ERROR_HTTP_TOO_LARGE, "rewritten playlist over %zu bytes (from %zu)", max_out, len);
    }
    *out = b.p;
    *out_len = b.len;
    return srs_success;
}
