/* SPDX-License-Identifier: MIT */
#include "srs_kernel_stream_url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool is_ip_literal(const char *host, size_t len)
{
    char buf[INET6_ADDRSTRLEN + 1];
    if (len >= sizeof(buf)) return false;
    memcpy(buf, host, len);
    buf[len] = 0;
    struct in_addr a4;
    struct in6_addr a6;
    return inet_pton(AF_INET, buf, &a4) == 1 || inet_pton(AF_INET6, buf, &a6) == 1;
}

bool srs_stream_url_vhost(const char *host, size_t len, char *out, size_t size)
{
    bool is_default = len == 0 || !memchr(host, '.', len) || is_ip_literal(host, len);
    const char *vhost = is_default ? SRS_DEFAULT_VHOST : host;
    size_t n = is_default ? strlen(SRS_DEFAULT_VHOST) : len;
    if (n >= size) return false;
    memcpy(out, vhost, n);
    out[n] = 0;
    return true;
}

/* The host name inside an authority "[user@]host[:port]" (no brackets, no port). */
static srs_error_t authority_host(const char *auth, size_t len, const char **host, size_t *host_len)
{
    const char *at = NULL;
    for (size_t i = 0; i < len; i++) {
        if (auth[i] == '@') at = auth + i;
    }
    if (at) {
        len -= (size_t)(at + 1 - auth);
        auth = at + 1;
    }

    const char *port = NULL;
    if (len > 0 && auth[0] == '[') {
        const char *close = (const char *)memchr(auth, ']', len);
        if (!close) return srs_error_new(ERROR_STREAM_URL, "no ] in IPv6 host %.*s", (int)len, auth);
        *host = auth + 1;
        *host_len = (size_t)(close - auth - 1);
        const char *rest = close + 1;
        size_t rest_len = len - (size_t)(rest - auth);
        if (rest_len > 0 && rest[0] != ':') {
            return srs_error_new(ERROR_STREAM_URL, "garbage after IPv6 host %.*s", (int)len, auth);
        }
        if (rest_len > 0) port = rest;
    } else {
        const char *colon = NULL;
        for (size_t i = 0; i < len; i++) {
            if (auth[i] == ':') colon = auth + i;
        }
        *host = auth;
        *host_len = colon ? (size_t)(colon - auth) : len;
        port = colon;
    }

    /* As Go's url.Parse: the port, when present, is only digits (it may be empty). */
    if (port) {
        for (const char *p = port + 1; p < auth + len; p++) {
            if (!isdigit((unsigned char)*p)) {
                return srs_error_new(ERROR_STREAM_URL, "invalid port in %.*s", (int)len, auth);
            }
        }
    }
    return srs_success;
}

static bool is_scheme(const char *s, size_t len)
{
    if (len == 0 || !isalpha((unsigned char)s[0])) return false;
    for (size_t i = 1; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '+' && c != '-' && c != '.') return false;
    }
    return true;
}

srs_error_t srs_stream_url_build(const char *url, char *out, size_t size)
{
    const char *sep = strstr(url, "://");
    if (!sep || !is_scheme(url, (size_t)(sep - url))) {
        return srs_error_new(ERROR_STREAM_URL, "no scheme in url %s", url);
    }

    const char *auth = sep + 3;
    size_t auth_len = strcspn(auth, "/?#");
    const char *path = auth + auth_len;
    size_t path_len = strcspn(path, "?#");
    if (path_len <= 1) return srs_error_new(ERROR_STREAM_URL, "no path in url %s", url);

    const char *host = NULL;
    size_t host_len = 0;
    srs_error_t err = authority_host(auth, auth_len, &host, &host_len);
    if (err) return srs_error_wrap(err, "parse url %s", url);

    if (!srs_stream_url_vhost(host, host_len, out, size)) {
        return srs_error_new(ERROR_STREAM_URL, "stream url too long for %s", url);
    }
    size_t vhost_len = strlen(out);
    if (vhost_len + path_len >= size) return srs_error_new(ERROR_STREAM_URL, "stream url too long for %s", url);
    memcpy(out + vhost_len, path, path_len);
    out[vhost_len + path_len] = 0;
    return srs_success;
}

srs_error_t srs_stream_url_from_parts(const char *host, const char *app, const char *stream,
                                      char *out, size_t size)
{
    if (!app || !*app) return srs_error_new(ERROR_STREAM_URL, "empty app");
    if (!stream || !*stream) return srs_error_new(ERROR_STREAM_URL, "empty stream");

    /* Strip a port: "[v6]:port", "name:port"; a bare IPv6 (several colons) has none. */
    if (!host) host = "";
    size_t len = strlen(host);
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close) return srs_error_new(ERROR_STREAM_URL, "no ] in IPv6 host %s", host);
        host++;
        len = (size_t)(close - host);
    } else {
        const char *colon = strchr(host, ':');
        if (colon && colon == strrchr(host, ':')) len = (size_t)(colon - host);
    }

    if (!srs_stream_url_vhost(host, len, out, size)) {
        return srs_error_new(ERROR_STREAM_URL, "stream url too long for host %s", host);
    }
    size_t used = strlen(out);
    int n = snprintf(out + used, size - used, "/%s/%s", app, stream);
    if (n < 0 || (size_t)n >= size - used) {
        return srs_error_new(ERROR_STREAM_URL, "stream url too long for %s/%s", app, stream);
    }
    return srs_success;
}
