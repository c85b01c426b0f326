/* SPDX-License-Identifier: MIT */
/* The pure part of HTTP/1.x: header lists, request and response heads, the chunked body decoder,
 * percent-decoding and query strings. No I/O here, so all of it is fuzzed. */
#include "srs_protocol_http.h"
#include "srs_protocol_http_conn.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_range(const char *s, size_t n)
{
    char *p = (char *)malloc(n + 1);
    if (!p) abort();
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ---- header lists ---- */

const char *srs_http_headers_get(const srs_http_headers_t *h, const char *name)
{
    for (int i = 0; h && i < h->count; i++) {
        if (!strcasecmp(h->items[i].name, name)) return h->items[i].value;
    }
    return NULL;
}

/* Appends name and value, which the list now owns. */
static void headers_append_owned(srs_http_headers_t *h, char *name, char *value)
{
    if (h->count == h->cap) {
        int cap = h->cap ? h->cap * 2 : 8;
        srs_http_header_t *items = (srs_http_header_t *)realloc(h->items, (size_t)cap * sizeof(*items));
        if (!items) abort();
        h->items = items;
        h->cap = cap;
    }
    h->items[h->count].name = name;
    h->items[h->count].value = value;
    h->count++;
}

void srs_http_headers_add(srs_http_headers_t *h, const char *name, const char *value)
{
    if (!value) value = "";
    headers_append_owned(h, dup_range(name, strlen(name)), dup_range(value, strlen(value)));
}

void srs_http_headers_del(srs_http_headers_t *h, const char *name)
{
    int kept = 0;
    for (int i = 0; i < h->count; i++) {
        if (!strcasecmp(h->items[i].name, name)) {
            free(h->items[i].name);
            free(h->items[i].value);
        } else {
            h->items[kept++] = h->items[i];
        }
    }
    h->count = kept;
}

void srs_http_headers_set(srs_http_headers_t *h, const char *name, const char *value)
{
    if (!value) value = "";
    /* Copy first: name or value may point into the items being deleted. */
    char *n = dup_range(name, strlen(name));
    char *v = dup_range(value, strlen(value));
    srs_http_headers_del(h, n);
    headers_append_owned(h, n, v);
}

void srs_http_headers_free(srs_http_headers_t *h)
{
    for (int i = 0; i < h->count; i++) {
        free(h->items[i].name);
        free(h->items[i].value);
    }
    free(h->items);
    memset(h, 0, sizeof(*h));
}

static bool is_ows(char c) { return c == ' ' || c == '\t'; }
static bool is_ctl_but_tab(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

bool srs_http_headers_has_token(const srs_http_headers_t *h, const char *name, const char *token)
{
    size_t tlen = strlen(token);
    for (int i = 0; h && i < h->count; i++) {
        if (strcasecmp(h->items[i].name, name)) continue;
        const char *p = h->items[i].value;
        while (*p) {
            const char *comma = strchr(p, ',');
            const char *end = comma ? comma : p + strlen(p);
            const char *b = p, *e = end;
            while (b < e && is_ows(*b)) b++;
            while (e > b && is_ows(e[-1])) e--;
            if ((size_t)(e - b) == tlen && !strncasecmp(b, token, tlen)) return true;
            p = comma ? comma + 1 : end;
        }
    }
    return false;
}

/* ---- heads ---- */

/* RFC 9110 tchar. */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

bool srs_http_is_token(const char *s, size_t n)
{
    if (!n) return false;
    for (size_t i = 0; i < n; i++) {
        if (!is_tchar((unsigned char)s[i])) return false;
    }
    return true;
}

/* Field values and reason phrases: visible characters, obs-text, SP and HTAB. Refuses CR, LF,
 * NUL and other controls, so every parsed string is a clean C string. */
static bool is_field_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

/* Next line of [*p, end) without its LF or CRLF; error when there is no LF. */
static srs_error_t next_line(const char **p, const char *end, const char **line, size_t *len)
{
    const char *lf = (const char *)memchr(*p, '\n', (size_t)(end - *p));
    if (!lf) return srs_error_new(ERROR_HTTP_PARSE, "line without end");
    size_t n = (size_t)(lf - *p);
    if (n && (*p)[n - 1] == '\r') n--;
    *line = *p;
    *len = n;
    *p = lf + 1;
    return srs_success;
}

/* The length of the first line (without LF or CRLF), or of everything when it has no LF. */
static size_t first_line_length(const char *head, size_t len)
{
    const char *lf = (const char *)memchr(head, '\n', len);
    if (!lf) return len;
    size_t n = (size_t)(lf - head);
    return (n && head[n - 1] == '\r') ? n - 1 : n;
}

static srs_error_t parse_header_lines(const char *p, const char *end, srs_http_headers_t *headers)
{
    srs_error_t err;
    for (;;) {
        const char *line;
        size_t n;
        if ((err = next_line(&p, end, &line, &n)) != srs_success) return srs_error_wrap(err, "header");
        if (!n) break;
        if (is_ows(line[0])) return srs_error_new(ERROR_HTTP_PARSE, "obs-fold or leading space in header");
        const char *colon = (const char *)memchr(line, ':', n);
        if (!colon) return srs_error_new(ERROR_HTTP_PARSE, "header without colon");
        size_t name_len = (size_t)(colon - line);
        if (!srs_http_is_token(line, name_len)) return srs_error_new(ERROR_HTTP_PARSE, "invalid header name");
        const char *v = colon + 1, *ve = line + n;
        while (v < ve && is_ows(*v)) v++;
        while (ve > v && is_ows(ve[-1])) ve--;
        for (const char *q = v; q < ve; q++) {
            if (!is_field_char((unsigned char)*q)) return srs_error_new(ERROR_HTTP_PARSE, "invalid character in header value");
        }
        headers_append_owned(headers, dup_range(line, name_len), dup_range(v, (size_t)(ve - v)));
    }
    if (p != end) return srs_error_new(ERROR_HTTP_PARSE, "%zu bytes after the head", (size_t)(end - p));
    return srs_success;
}

/* A decimal size without sign or spaces, at most INT64_MAX. */
static bool parse_length(const char *s, size_t n, int64_t *out)
{
    if (!n) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        int d = s[i] - '0';
        if (v > (INT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Content-Length and Transfer-Encoding. Repeated equal lengths are one length; anything that
 * lets two parsers disagree on where the body ends is refused. */
static srs_error_t parse_framing(const srs_http_headers_t *h, int64_t *content_length, bool *chunked)
{
    *content_length = -1;
    *chunked = false;
    int codings = 0;
    for (int i = 0; i < h->count; i++) {
        bool is_cl = !strcasecmp(h->items[i].name, "Content-Length");
        bool is_te = !strcasecmp(h->items[i].name, "Transfer-Encoding");
        if (!is_cl && !is_te) continue;
        const char *p = h->items[i].value;
        int elements = 0;
        for (;;) {
            const char *comma = strchr(p, ',');
            const char *b = p, *e = comma ? comma : p + strlen(p);
            while (b < e && is_ows(*b)) b++;
            while (e > b && is_ows(e[-1])) e--;
            if (is_cl) {
                int64_t v;
                if (!parse_length(b, (size_t)(e - b), &v)) return srs_error_new(ERROR_HTTP_PARSE, "invalid Content-Length");
                if (*content_length >= 0 && *content_length != v) return srs_error_new(ERROR_HTTP_PARSE, "conflicting Content-Length");
                *content_length = v;
                elements++;
            } else if (e > b) {
                if ((size_t)(e - b) != 7 || strncasecmp(b, "chunked", 7)) {
                    return srs_error_new(ERROR_HTTP_PARSE, "unsupported transfer coding");
                }
                codings++;
                elements++;
            }
            if (!comma) break;
            p = comma + 1;
        }
        if (!elements) return srs_error_new(ERROR_HTTP_PARSE, "empty %s", h->items[i].name);
    }
    if (codings > 1) return srs_error_new(ERROR_HTTP_PARSE, "chunked applied twice");
    *chunked = codings == 1;
    if (*chunked && *content_length >= 0) return srs_error_new(ERROR_HTTP_PARSE, "both Content-Length and chunked");
    return srs_success;
}

static bool keep_alive_of(int minor, const srs_http_headers_t *h)
{
    if (srs_http_headers_has_token(h, "Connection", "close")) return false;
    if (minor >= 1) return true;
    return srs_http_headers_has_token(h, "Connection", "keep-alive");
}

/* "HTTP/1.0" or "HTTP/1.1" exactly; the minor version or -1. */
static int parse_version(const char *s, size_t n)
{
    if (n != 8 || memcmp(s, "HTTP/1.", 7)) return -1;
    if (s[7] == '0') return 0;
    if (s[7] == '1') return 1;
    return -1;
}

static srs_error_t check_head_size(const char *head, size_t len, int line_code)
{
    if (first_line_length(head, len) > SRS_HTTP_MAX_LINE) {
        return srs_error_new(line_code, "first line over %d bytes", SRS_HTTP_MAX_LINE);
    }
    if (len > SRS_HTTP_MAX_HEAD) return srs_error_new(ERROR_HTTP_HEADERS_TOO_LARGE, "head of %zu bytes", len);
    return srs_success;
}

void srs_http_request_free(srs_http_request_t *req)
{
    free(req->target);
    free(req->path);
    free(req->query);
    srs_http_headers_free(&req->headers);
    memset(req, 0, sizeof(*req));
    req->content_length = -1;
}

void srs_http_response_free(srs_http_response_t *res)
{
    free(res->reason);
    srs_http_headers_free(&res->headers);
    memset(res, 0, sizeof(*res));
    res->content_length = -1;
}

/* Splits the target into a decoded path and a raw query. Origin-form ("/a?b"), asterisk-form
 * ("*") and absolute-form ("http://host/a?b", whose path is "/a") are accepted. */
static srs_error_t split_target(const char *t, size_t n, srs_http_request_t *req)
{
    const char *path = t, *end = t + n;
    if (n == 1 && t[0] == '*') {
        req->path = dup_range("*", 1);
        req->query = dup_range("", 0);
        return srs_success;
    }
    if (t[0] != '/') {
        const char *scheme_end = NULL;
        if (n > 7 && !strncasecmp(t, "http://", 7)) scheme_end = t + 7;
        else if (n > 8 && !strncasecmp(t, "https://", 8)) scheme_end = t + 8;
        if (!scheme_end) return srs_error_new(ERROR_HTTP_PARSE, "unsupported request target form");
        path = scheme_end;
        while (path < end && *path != '/' && *path != '?') path++;
    }
    const char *q = (const char *)memchr(path, '?', (size_t)(end - path));
    const char *path_end = q ? q : end;
    size_t path_len = (size_t)(path_end - path);
    if (!path_len) {
        req->path = dup_range("/", 1);
    } else {
        req->path = (char *)malloc(path_len + 1);
        if (!req->path) abort();
        if (!srs_http_url_decode(path, path_len, req->path, path_len + 1)) {
            return srs_error_new(ERROR_HTTP_PARSE, "malformed escape in path");
        }
        /* An encoded CR, LF or other control has no place in a stream or file name, and would
         * reach logs and file names decoded. */
        for (const char *c = req->path; *c; c++) {
            if (is_ctl_but_tab((unsigned char)*c) || *c == '\t') return srs_error_new(ERROR_HTTP_PARSE, "control character in path");
        }
    }
    req->query = q ? dup_range(q + 1, (size_t)(end - q - 1)) : dup_range("", 0);
    return srs_success;
}

static srs_error_t parse_request_line(const char *line, size_t n, srs_http_request_t *req)
{
    const char *sp1 = (const char *)memchr(line, ' ', n);
    if (!sp1) return srs_error_new(ERROR_HTTP_PARSE, "request line without target");
    const char *target = sp1 + 1, *end = line + n;
    const char *sp2 = (const char *)memchr(target, ' ', (size_t)(end - target));
    if (!sp2) return srs_error_new(ERROR_HTTP_PARSE, "request line without version");

    size_t method_len = (size_t)(sp1 - line);
    if (method_len >= sizeof(req->method) || !srs_http_is_token(line, method_len)) {
        return srs_error_new(ERROR_HTTP_PARSE, "invalid method");
    }
    memcpy(req->method, line, method_len);
    req->method[method_len] = '\0';

    size_t target_len = (size_t)(sp2 - target);
    if (!target_len) return srs_error_new(ERROR_HTTP_PARSE, "empty target");
    for (size_t i = 0; i < target_len; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= 0x20 || c == 0x7f) return srs_error_new(ERROR_HTTP_PARSE, "invalid character in target");
    }
    if ((req->version_minor = parse_version(sp2 + 1, (size_t)(end - sp2 - 1))) < 0) {
        return srs_error_new(ERROR_HTTP_PARSE, "unsupported version");
    }
    req->target = dup_range(target, target_len);
    return split_target(target, target_len, req);
}

srs_error_t srs_http_parse_request_head(const char *head, size_t len, srs_http_request_t *req)
{
    memset(req, 0, sizeof(*req));
    req->content_length = -1;
    srs_error_t err = check_head_size(head, len, ERROR_HTTP_URI_TOO_LONG);
    const char *p = head, *end = head + len, *line = NULL;
    size_t n = 0;
    if (!err) err = next_line(&p, end, &line, &n);
    if (!err) err = parse_request_line(line, n, req);
    if (!err) err = parse_header_lines(p, end, &req->headers);
    if (!err) err = parse_framing(&req->headers, &req->content_length, &req->chunked);
    if (!err && req->chunked && req->version_minor == 0) {
        err = srs_error_new(ERROR_HTTP_PARSE, "Transfer-Encoding in an HTTP/1.0 request");
    }
    if (!err) {
        int hosts = 0;
        for (int i = 0; i < req->headers.count; i++) hosts += !strcasecmp(req->headers.items[i].name, "Host");
        if (hosts > 1 || (hosts == 0 && req->version_minor >= 1)) {
            err = srs_error_new(ERROR_HTTP_PARSE, "%d Host headers", hosts);
        }
    }
    if (err) {
        srs_http_request_free(req);
        return srs_error_wrap(err, "parse request head");
    }
    req->keep_alive = keep_alive_of(req->version_minor, &req->headers);
    return srs_success;
}

static srs_error_t parse_status_line(const char *line, size_t n, srs_http_response_t *res)
{
    if (n < 12 || line[8] != ' ') return srs_error_new(ERROR_HTTP_PARSE, "short status line");
    if ((res->version_minor = parse_version(line, 8)) < 0) return srs_error_new(ERROR_HTTP_PARSE, "unsupported version");
    const char *s = line + 9;
    if (s[0] < '1' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9') {
        return srs_error_new(ERROR_HTTP_PARSE, "invalid status code");
    }
    res->status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    const char *reason = s + 3, *end = line + n;
    if (reason < end) {
        if (*reason != ' ') return srs_error_new(ERROR_HTTP_PARSE, "invalid status code");
        reason++;
    }
    for (const char *q = reason; q < end; q++) {
        if (!is_field_char((unsigned char)*q)) return srs_error_new(ERROR_HTTP_PARSE, "invalid character in reason");
    }
    res->reason = dup_range(reason, (size_t)(end - reason));
    return srs_success;
}

srs_error_t srs_http_parse_response_head(const char *head, size_t len, srs_http_response_t *res)
{
    memset(res, 0, sizeof(*res));
    res->content_length = -1;
    srs_error_t err = check_head_size(head, len, ERROR_HTTP_HEADERS_TOO_LARGE);
    const char *p = head, *end = head + len, *line = NULL;
    size_t n = 0;
    if (!err) err = next_line(&p, end, &line, &n);
    if (!err) err = parse_status_line(line, n, res);
    if (!err) err = parse_header_lines(p, end, &res->headers);
    if (!err) err = parse_framing(&res->headers, &res->content_length, &res->chunked);
    if (err) {
        srs_http_response_free(res);
        return srs_error_wrap(err, "parse response head");
    }
    res->keep_alive = keep_alive_of(res->version_minor, &res->headers);
    return srs_success;
}

/* ---- chunked bodies ---- */

enum {
    CHUNK_SIZE = 0,  /* hex digits of the size */
    CHUNK_SIZE_WS,   /* spaces after the size */
    CHUNK_EXT,       /* ";name=value" extensions, ignored */
    CHUNK_SIZE_LF,   /* CR seen, LF must follow */
    CHUNK_DATA,
    CHUNK_DATA_CR,   /* CRLF after the data */
    CHUNK_DATA_LF,
    CHUNK_TRAILER_START, /* start of a trailer line, or of the final empty line */
    CHUNK_TRAILER,
    CHUNK_TRAILER_LF,
    CHUNK_END_LF,
    CHUNK_DONE,
};

/* Extensions are ignored, but a peer may not make us scan them forever. */
#define SRS_HTTP_MAX_CHUNK_EXT 4096

void srs_http_chunked_init(srs_http_chunked_t *d) { memset(d, 0, sizeof(*d)); }

bool srs_http_chunked_done(const srs_http_chunked_t *d) { return d->state == CHUNK_DONE; }

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}


/* The size line ended: data follows, or the last chunk's trailers. */
static void chunk_size_done(srs_http_chunked_t *d)
{
    d->line_bytes = 0;
    d->state = d->left ? CHUNK_DATA : CHUNK_TRAILER_START;
}

/* One framing byte. */
static srs_error_t chunk_step(srs_http_chunked_t *d, unsigned char c)
{
    switch (d->state) {
    case CHUNK_SIZE: {
        int v = hex_value(c);
        if (v >= 0) {
            if (d->left > ((uint64_t)INT64_MAX >> 4)) return srs_error_new(ERROR_HTTP_PARSE, "chunk size overflows");
            d->left = (d->left << 4) | (uint64_t)v;
            d->digits++;
            return srs_success;
        }
        if (!d->digits) return srs_error_new(ERROR_HTTP_PARSE, "chunk size without digits");
        d->state = CHUNK_SIZE_WS;
        return chunk_step(d, c);
    }
    case CHUNK_SIZE_WS:
        if (c == ' ' || c == '\t') return srs_success;
        if (c == ';') d->state = CHUNK_EXT;
        else if (c == '\r') d->state = CHUNK_SIZE_LF;
        else if (c == '\n') chunk_size_done(d);
        else return srs_error_new(ERROR_HTTP_PARSE, "invalid chunk size line");
        return srs_success;
    case CHUNK_EXT:
        if (c == '\r') d->state = CHUNK_SIZE_LF;
        else if (c == '\n') chunk_size_done(d);
        else if (is_ctl_but_tab(c)) return srs_error_new(ERROR_HTTP_PARSE, "invalid chunk extension");
        else if (++d->line_bytes > SRS_HTTP_MAX_CHUNK_EXT) return srs_error_new(ERROR_HTTP_PARSE, "chunk extension too long");
        return srs_success;
    case CHUNK_SIZE_LF:
        if (c != '\n') return srs_error_new(ERROR_HTTP_PARSE, "bare CR in chunk size line");
        chunk_size_done(d);
        return srs_success;
    case CHUNK_DATA_CR:
        if (c == '\r') d->state = CHUNK_DATA_LF;
        else if (c == '\n') d->state = CHUNK_SIZE;
        else return srs_error_new(ERROR_HTTP_PARSE, "chunk data longer than its size");
        d->digits = 0;
        return srs_success;
    case CHUNK_DATA_LF:
        if (c != '\n') return srs_error_new(ERROR_HTTP_PARSE, "bare CR after chunk data");
        d->state = CHUNK_SIZE;
        return srs_success;
    case CHUNK_TRAILER_START:
        if (c == '\r') { d->state = CHUNK_END_LF; return srs_success; }
        if (c == '\n') { d->state = CHUNK_DONE; return srs_success; }
        d->state = CHUNK_TRAILER;
        return chunk_step(d, c);
    case CHUNK_TRAILER:
        if (++d->line_bytes > SRS_HTTP_MAX_HEAD) return srs_error_new(ERROR_HTTP_PARSE, "trailers too large");
        if (c == '\r') d->state = CHUNK_TRAILER_LF;
        else if (c == '\n') d->state = CHUNK_TRAILER_START;
        else if (is_ctl_but_tab(c)) return srs_error_new(ERROR_HTTP_PARSE, "invalid character in trailer");
        return srs_success;
    case CHUNK_TRAILER_LF:
    case CHUNK_END_LF:
        if (c != '\n') return srs_error_new(ERROR_HTTP_PARSE, "bare CR in trailers");
        d->state = d->state == CHUNK_END_LF ? CHUNK_DONE : CHUNK_TRAILER_START;
        return srs_success;
    }
    return srs_error_new(ERROR_HTTP_PARSE, "chunk decoder in state %d", d->state);
}

srs_error_t srs_http_chunked_decode(srs_http_chunked_t *d, const void *in, size_t in_len, size_t *consumed,
                                    void *out, size_t out_size, size_t *produced)
{
    const unsigned char *src = (const unsigned char *)in;
    unsigned char *dst = (unsigned char *)out;
    size_t i = 0, o = 0;
    srs_error_t err = srs_success;
    while (i < in_len && d->state != CHUNK_DONE) {
        if (d->state == CHUNK_DATA) {
            if (o == out_size) break;
            size_t n = SRS_MIN(in_len - i, out_size - o);
            if ((uint64_t)n > d->left) n = (size_t)d->left;
            memcpy(dst + o, src + i, n);
            i += n;
            o += n;
            d->left -= n;
            if (!d->left) d->state = CHUNK_DATA_CR;
            continue;
        }
        if ((err = chunk_step(d, src[i])) != srs_success) break;
        i++;
    }
    *consumed = i;
    *produced = o;
    return err ? srs_error_wrap(err, "decode chunked body") : srs_success;
}

/* ---- URLs ---- */

/* Decodes in[0..len): '%XX' escapes, and '+' as space when plus is set. */
static bool decode_into(const char *in, size_t len, bool plus, char *out, size_t size)
{
    if (!size) return false;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            if (len - i < 3) goto fail;
            int hi = hex_value((unsigned char)in[i + 1]), lo = hex_value((unsigned char)in[i + 2]);
            if (hi < 0 || lo < 0) goto fail;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        } else if (plus && c == '+') {
            c = ' ';
        }
        if (!c || o + 1 >= size) goto fail;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return true;
fail:
    out[0] = '\0';
    return false;
}

bool srs_http_url_decode(const char *in, size_t len, char *out, size_t size)
{
    return decode_into(in, len, false, out, size);
}

/* True when the query-encoded in[0..len) decodes to exactly key. */
static bool query_key_equals(const char *in, size_t len, const char *key)
{
    size_t k = 0;
    for (size_t i = 0; i < len; i++, k++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            if (len - i < 3) return false;
            int hi = hex_value((unsigned char)in[i + 1]), lo = hex_value((unsigned char)in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (!c || (unsigned char)key[k] != c) return false;
    }
    return key[k] == '\0';
}

bool srs_http_query_get(const char *query, const char *key, char *out, size_t size)
{
    if (size) out[0] = '\0';
    if (!query) return false;
    const char *p = query;
    for (;;) {
        const char *amp = strchr(p, '&');
        const char *end = amp ? amp : p + strlen(p);
        const char *eq = (const char *)memchr(p, '=', (size_t)(end - p));
        const char *key_end = eq ? eq : end;
        if (key_end > p && query_key_equals(p, (size_t)(key_end - p), key)) {
            const char *v = eq ? eq + 1 : end;
            if (!decode_into(v, (size_t)(end - v), true, out, size)) return false;
            /* Values become stream names, keys and log text: no encoded control characters. */
            for (const char *c = out; *c; c++) {
                if (is_ctl_but_tab((unsigned char)*c) || *c == '\t') {
                    out[0] = '\0';
                    return false;
                }
            }
            return true;
        }
        if (!amp) return false;
        p = amp + 1;
    }
}

const char *srs_http_status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 414: return "Request URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    }
    return "Unknown";
}
