/* SPDX-License-Identifier: MIT */
#include "srs_protocol_sdp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cJSON.h>

/* The Go proxy's regex value [^\s\\]+ ends at RE2 whitespace or a backslash; NUL ends it too,
 * because the value becomes a C string. */
static bool sdp_value_stop(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\\' || c == '\0';
}

/* The first non-empty value after name (e.g. "a=ice-ufrag:") into buf. */
static srs_error_t sdp_find_value(const char *sdp, size_t len, const char *name, char *buf, size_t size)
{
    size_t name_len = strlen(name);
    const char *end = sdp + len;
    const char *p = sdp;
    while (p < end && (p = memmem(p, (size_t)(end - p), name, name_len)) != NULL) {
        const char *v = p + name_len, *e = v;
        while (e < end && !sdp_value_stop(*e)) e++;
        if (e > v) {
            size_t n = (size_t)(e - v);
            if (n >= size) return srs_error_new(ERROR_RTC_SDP, "%s value of %zu bytes too long (max %zu)", name, n, size - 1);
            memcpy(buf, v, n);
            buf[n] = '\0';
            return srs_success;
        }
        p = v;
    }
    return srs_error_new(ERROR_RTC_SDP, "no %s", name);
}

srs_error_t srs_sdp_ice_credentials(const char *sdp, size_t len, char *ufrag, size_t ufrag_size,
                                    char *pwd, size_t pwd_size)
{
    srs_error_t err = srs_success;
    if (!ufrag || !ufrag_size || !pwd || !pwd_size) return srs_error_new(ERROR_RTC_SDP, "no output buffer");
    if (!sdp) len = 0;
    if ((err = sdp_find_value(sdp, len, "a=ice-ufrag:", ufrag, ufrag_size))) return srs_error_wrap(err, "ice credentials");
    if ((err = sdp_find_value(sdp, len, "a=ice-pwd:", pwd, pwd_size))) return srs_error_wrap(err, "ice credentials");
    return srs_success;
}

static bool sdp_is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool srs_sdp_unwrap_envelope(const char *body, size_t len, char **sdp)
{
    if (!body || !sdp) return false;
    size_t i = 0;
    while (i < len && sdp_is_space(body[i])) i++;
    if (i >= len || body[i] != '{') return false;

    const char *parse_end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(body + i, len - i, &parse_end, false);
    if (!root) return false;
    bool ok = false;
    /* Like Go's json.Unmarshal: only whitespace may follow the object. */
    size_t j = parse_end ? (size_t)(parse_end - body) : len;
    while (j < len && sdp_is_space(body[j])) j++;
    /* Go matches struct field names case-insensitively, so does cJSON_GetObjectItem. */
    cJSON *field = cJSON_GetObjectItem(root, "sdp");
    if (j == len && cJSON_IsString(field) && field->valuestring && field->valuestring[0]) {
        char *copy = strdup(field->valuestring);
        if (copy) { *sdp = copy; ok = true; }
    }
    cJSON_Delete(root);
    return ok;
}

/* A growing output buffer. */
typedef struct {
    char *p;
    size_t len, cap;
} sdp_out_t;

static srs_error_t sdp_append(sdp_out_t *o, const char *s, size_t n)
{
    if (o->cap - o->len <= n) { /* keep a byte for the NUL */
        size_t cap = o->cap ? o->cap : 64;
        while (cap - o->len <= n) {
            if (cap > SIZE_MAX / 2) return srs_error_new(ERROR_SYSTEM_NOMEM, "sdp of %zu bytes", o->len + n);
            cap *= 2;
        }
        char *p = realloc(o->p, cap);
        if (!p) return srs_error_new(ERROR_SYSTEM_NOMEM, "sdp of %zu bytes", cap);
        o->p = p;
        o->cap = cap;
    }
    if (n) memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
    return srs_success;
}

/* Where the next line starts after pos: after an LF or a JSON-escaped "\n"; len if none. */
static size_t sdp_next_line(const char *s, size_t len, size_t pos)
{
    for (size_t i = pos; i < len; i++) {
        if (s[i] == '\n') return i + 1;
        if (s[i] == '\\' && i + 1 < len && s[i + 1] == 'n') return i + 2;
    }
    return len;
}

/* A candidate line ends at CR or LF, or at a backslash or quote of the JSON string holding it. */
static bool sdp_line_end(char c) { return c == '\r' || c == '\n' || c == '\\' || c == '"'; }

typedef struct {
    size_t off, len;
} sdp_token_t;

static bool sdp_token_is(const char *s, sdp_token_t t, const char *word)
{
    return t.len == strlen(word) && strncasecmp(s + t.off, word, t.len) == 0;
}

/* A decimal port 1-65535, or -1. */
static int sdp_token_port(const char *s, sdp_token_t t)
{
    if (t.len == 0 || t.len > 5) return -1;
    int port = 0;
    for (size_t i = 0; i < t.len; i++) {
        char c = s[t.off + i];
        if (c < '0' || c > '9') return -1;
        port = port * 10 + (c - '0');
    }
    return port >= 1 && port <= 65535 ? port : -1;
}

/* Candidate fields after "a=candidate:": foundation component transport priority address port
 * "typ" type. */
enum { CAND_TRANSPORT = 2, CAND_ADDRESS = 4, CAND_PORT = 5, CAND_TYP = 6, CAND_TYPE = 7, CAND_FIELDS = 8 };

/* If the candidate line [start, end) is an origin's udp host candidate, fill its address and
 * port tokens (offsets into s) and return true. */
static bool sdp_match_candidate(const char *s, size_t start, size_t end, const int *ports, int n_ports,
                                sdp_token_t *address, sdp_token_t *port)
{
    sdp_token_t tok[CAND_FIELDS];
    int n = 0;
    size_t i = start;
    while (n < CAND_FIELDS) {
        while (i < end && s[i] == ' ') i++;
        if (i >= end) break;
        size_t b = i;
        while (i < end && s[i] != ' ') i++;
        tok[n].off = b;
        tok[n].len = i - b;
        n++;
    }
    if (n < CAND_FIELDS) return false;
    if (!sdp_token_is(s, tok[CAND_TRANSPORT], "udp") || !sdp_token_is(s, tok[CAND_TYP], "typ")
        || !sdp_token_is(s, tok[CAND_TYPE], "host")) {
        return false;
    }
    int p = sdp_token_port(s, tok[CAND_PORT]);
    for (int k = 0; p > 0 && k < n_ports; k++) {
        if (ports[k] == p) {
            *address = tok[CAND_ADDRESS];
            *port = tok[CAND_PORT];
            return true;
        }
    }
    return false;
}

static bool sdp_is_ip(const char *ip)
{
    struct in6_addr a6;
    struct in_addr a4;
    return inet_pton(AF_INET, ip, &a4) == 1 || inet_pton(AF_INET6, ip, &a6) == 1;
}

srs_error_t srs_sdp_rewrite_candidates(const char *sdp, size_t len, const int *origin_ports, int n_ports,
                                       int proxy_port, const char *candidate_ip,
                                       char **out, size_t *out_len, int *count)
{
    srs_error_t err = srs_success;
    static const char prefix[] = "a=candidate:";
    const size_t prefix_len = sizeof(prefix) - 1;

    if (!out || !out_len || !count) return srs_error_new(ERROR_RTC_SDP, "no output");
    if (!sdp && len) return srs_error_new(ERROR_RTC_SDP, "no sdp");
    if (n_ports < 0 || (n_ports > 0 && !origin_ports)) return srs_error_new(ERROR_RTC_SDP, "ports n=%d", n_ports);
    if (proxy_port < 1 || proxy_port > 65535) return srs_error_new(ERROR_RTC_SDP, "proxy port=%d", proxy_port);
    bool new_ip = candidate_ip && candidate_ip[0];
    if (new_ip && !sdp_is_ip(candidate_ip)) return srs_error_new(ERROR_RTC_SDP, "candidate ip=%s", candidate_ip);

    char port_text[8];
    size_t port_len = (size_t)snprintf(port_text, sizeof(port_text), "%d", proxy_port);
    sdp_out_t o = { NULL, 0, 0 };
    size_t copied = 0;
    int rewritten = 0;

    for (size_t line = 0; line < len; line = sdp_next_line(sdp, len, line)) {
        if (len - line < prefix_len || memcmp(sdp + line, prefix, prefix_len) != 0) continue;
        size_t start = line + prefix_len, end = start;
        while (end < len && !sdp_line_end(sdp[end])) end++;
        sdp_token_t address, port;
        if (!sdp_match_candidate(sdp, start, end, origin_ports, n_ports, &address, &port)) continue;

        /* Copy up to the address, the new address (or the old one), the separator, the port. */
        const char *ip = new_ip ? candidate_ip : sdp + address.off;
        size_t ip_len = new_ip ? strlen(candidate_ip) : address.len;
        size_t address_end = address.off + address.len;
        if ((err = sdp_append(&o, sdp + copied, address.off - copied)) != srs_success
            || (err = sdp_append(&o, ip, ip_len)) != srs_success
            || (err = sdp_append(&o, sdp + address_end, port.off - address_end)) != srs_success
            || (err = sdp_append(&o, port_text, port_len)) != srs_success) {
            free(o.p);
            return srs_error_wrap(err, "rewrite candidate");
        }
        copied = port.off + port.len;
        rewritten++;
    }
    if ((err = sdp_append(&o, sdp ? sdp + copied : "", len - copied)) != srs_success) {
        free(o.p);
        return srs_error_wrap(err, "rewrite candidates");
    }
    *out = o.p;
    *out_len = o.len;
    *count = rewritten;
    return srs_success;
}
