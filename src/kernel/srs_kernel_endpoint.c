/* SPDX-License-Identifier: MIT */
#include "srs_kernel_endpoint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
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

/* The IPv4 rules, on the address in host order. */
static srs_error_t check_ipv4(uint32_t a, const char *ip)
{
    if (a == 0) return srs_error_new(ERROR_CONFIG_INVALID, "invalid ip %s, unspecified address", ip);
    if ((a >> 28) == 0xe) return srs_error_new(ERROR_CONFIG_INVALID, "invalid ip %s, multicast address", ip);
    if (a == 0xffffffffu) return srs_error_new(ERROR_CONFIG_INVALID, "invalid ip %s, broadcast address", ip);
    return srs_success;
}

srs_error_t srs_endpoint_check_ip(const char *ip)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!ip || !ip[0]) return srs_error_new(ERROR_CONFIG_INVALID, "empty ip");
    if (inet_pton(AF_INET, ip, &a4) == 1) return check_ipv4(ntohl(a4.s_addr), ip);
    if (inet_pton(AF_INET6, ip, &a6) != 1) {
        return srs_error_new(ERROR_CONFIG_INVALID, "invalid ip, not an IP address");
    }
    if (IN6_IS_ADDR_UNSPECIFIED(&a6)) return srs_error_new(ERROR_CONFIG_INVALID, "invalid ip %s, unspecified address", ip);
    if (IN6_IS_ADDR_MULTICAST(&a6)) return srs_error_new(ERROR_CONFIG_INVALID, "invalid ip %s, multicast address", ip);
    if (IN6_IS_ADDR_V4MAPPED(&a6) || IN6_IS_ADDR_V4COMPAT(&a6)) {
        uint32_t v4;
        memcpy(&v4, &a6.s6_addr[12], 4);
        return check_ipv4(ntohl(v4), ip);
    }
    return srs_success;
}
