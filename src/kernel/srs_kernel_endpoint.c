/* SPDX-License-Identifier: MIT */
#include "srs_kernel_endpoint.h"

#include <ctype.h>
#include <string.h>

static bool all_alnum(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)s[i])) return false;
    }
    return len > 0;
}

static bool all_alpha(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!isalpha((unsigned char)s[i])) return false;
    }
    return len > 0;
}

static srs_error_t parse_port(const char *s, size_t len, const char *text, int *port)
{
    if (len == 0 || len > 5) return srs_error_new(ERROR_CONFIG_INVALID, "invalid port in endpoint %s", text);
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i])) return srs_error_new(ERROR_CONFIG_INVALID, "invalid port in endpoint %s", text);
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535) return srs_error_new(ERROR_CONFIG_INVALID, "port %d out of range in endpoint %s", v, text);
    *port = v;
    return srs_success;
}

static srs_error_t copy_host(const char *s, size_t len, bool ipv6, const char *text, srs_endpoint_t *out)
{
    if (len >= sizeof(out->host)) return srs_error_new(ERROR_CONFIG_INVALID, "host too long in endpoint %s", text);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ok = isalnum(c) || c == '.' || c == '-' || c == '_' || (ipv6 && c == ':');
        if (!ok) return srs_error_new(ERROR_CONFIG_INVALID, "invalid host in endpoint %s", text);
    }
    memcpy(out->host, s, len);
    out->host[len] = 0;
    return srs_success;
}

srs_error_t srs_endpoint_parse(const char *text, srs_endpoint_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *rest = text;

    /* The protocol: "proto://rest", or the legacy "proto:host:port". */
    const char *sep = strstr(text, "://");
    const char *colon = strchr(text, ':');
    size_t proto_len = 0;
    if (sep) {
        proto_len = (size_t)(sep - text);
        if (!all_alnum(text, proto_len)) return srs_error_new(ERROR_CONFIG_INVALID, "invalid protocol in endpoint %s", text);
        rest = sep + 3;
    } else if (colon && strchr(colon + 1, ':') && all_alpha(text, (size_t)(colon - text))) {
        proto_len = (size_t)(colon - text);
        rest = colon + 1;
    }
    if (proto_len >= sizeof(out->proto)) return srs_error_new(ERROR_CONFIG_INVALID, "protocol too long in endpoint %s", text);
    for (size_t i = 0; i < proto_len; i++) out->proto[i] = (char)tolower((unsigned char)text[i]);

    /* Then "[v6]:port", "host:port" or "port". */
    srs_error_t err;
    const char *port = rest;
    if (rest[0] == '[') {
        const char *close = strchr(rest, ']');
        if (!close || close[1] != ':') return srs_error_new(ERROR_CONFIG_INVALID, "invalid IPv6 host in endpoint %s", text);
        if ((err = copy_host(rest + 1, (size_t)(close - rest - 1), true, text, out)) != srs_success) return err;
        port = close + 2;
    } else if ((colon = strchr(rest, ':')) != NULL) {
        if ((err = copy_host(rest, (size_t)(colon - rest), false, text, out)) != srs_success) return err;
        port = colon + 1;
    }
    return parse_port(port, strlen(port), text, &out->port);
}
