/* SPDX-License-Identifier: MIT */
#include "srs_kernel_listen.h"

#include <stdio.h>
#include <string.h>

/* Decimal digits only, 1..65535; no sign, no spaces. */
static srs_error_t parse_port(const char *s, const char *text, int *out)
{
    if (!*s) return srs_error_new(ERROR_CONFIG_INVALID, "missing port in address \"%s\"", text);
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return srs_error_new(ERROR_CONFIG_INVALID, "invalid port \"%s\" in address \"%s\"", s, text);
        v = v * 10 + (*p - '0');
        if (v > 65535) return srs_error_new(ERROR_CONFIG_INVALID, "port out of range 1..65535 in address \"%s\"", text);
    }
    if (v < 1) return srs_error_new(ERROR_CONFIG_INVALID, "port out of range 1..65535 in address \"%s\"", text);
    *out = (int)v;
    return srs_success;
}

srs_error_t srs_listen_parse(const char *text, srs_listen_t *out)
{
    if (!text || !*text) return srs_error_new(ERROR_CONFIG_INVALID, "empty address");

    const char *host = "", *port = text;
    size_t host_len = 0;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':') return srs_error_new(ERROR_CONFIG_INVALID, "invalid address \"%s\", want [host]:port", text);
        host = text + 1;
        host_len = (size_t)(close - host);
        port = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (colon) {
            host = text;
            host_len = (size_t)(colon - text);
            port = colon + 1;
        }
    }

    if (host_len >= sizeof(out->host)) return srs_error_new(ERROR_CONFIG_INVALID, "host too long in address \"%s\"", text);
    for (size_t i = 0; i < host_len; i++) {
        char c = host[i];
        bool bracketed = text[0] == '[';
        /* Like Go's SplitHostPort: an IPv6 host needs brackets, and brackets only wrap it. */
        if (c == '[' || c == ']' || (c == ':' && !bracketed) || c == ' ' || (unsigned char)c < 0x20) {
            return srs_error_new(ERROR_CONFIG_INVALID, "invalid host in address \"%s\"", text);
        }
    }

    int port_num = 0;
    srs_error_t err = parse_port(port, text, &port_num);
    if (err) return err;
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    out->port = port_num;
    return srs_success;
}

void srs_listen_format(const srs_listen_t *l, char *buf, size_t size)
{
    if (!size) return;
    if (strchr(l->host, ':')) snprintf(buf, size, "[%s]:%d", l->host, l->port);
    else snprintf(buf, size, "%s:%d", l->host, l->port);
}
