/* SPDX-License-Identifier: MIT */
#include "srs_bench_rtc.h"
#include "srs_core_context.h"
#include "srs_protocol_http.h"
#include "srs_protocol_sdp.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_RTC_MAX_ANSWER (256 * 1024)
#define BENCH_RTC_CONNECT_TIMEOUT (3 * SRS_UTIME_SECONDS)

static bool has_prefix(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

/* "host[:port]" or "[v6][:port]" of length n. */
static srs_error_t parse_authority(const char *a, size_t n, int default_port, srs_bench_rtc_url_t *out)
{
    const char *host = a, *end = a + n, *port = NULL;
    size_t host_len;
    if (n && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (!close) return srs_error_new(ERROR_CONFIG_INVALID, "unclosed [ in host");
        host = a + 1;
        host_len = (size_t)(close - host);
        if (close + 1 < end) {
            if (close[1] != ':') return srs_error_new(ERROR_CONFIG_INVALID, "junk after ]");
            port = close + 2;
        }
    } else {
        const char *colon = memchr(a, ':', n);
        host_len = colon ? (size_t)(colon - a) : n;
        if (colon) port = colon + 1;
    }
    if (!host_len || host_len >= sizeof(out->host)) return srs_error_new(ERROR_CONFIG_INVALID, "no host");
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    out->port = default_port;
    if (port) {
        int v = 0;
        if (port == end || end - port > 5) return srs_error_new(ERROR_CONFIG_INVALID, "bad port");
        for (const char *p = port; p < end; p++) {
            if (*p < '0' || *p > '9') return srs_error_new(ERROR_CONFIG_INVALID, "bad port");
            v = v * 10 + (*p - '0');
        }
        if (v < 1 || v > 65535) return srs_error_new(ERROR_CONFIG_INVALID, "port %d", v);
        out->port = v;
    }
    return srs_success;
}

srs_error_t srs_bench_rtc_parse_url(const char *url, srs_bench_rtc_url_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *rest;
    int default_port;
    if (has_prefix(url, "webrtc://")) {
        out->api = SRS_BENCH_RTC_LEGACY;
        rest = url + 9;
        default_port = SRS_BENCH_RTC_DEFAULT_API_PORT;
    } else if (has_prefix(url, "whep://")) {
        out->api = SRS_BENCH_RTC_WHEP;
        rest = url + 7;
        default_port = SRS_BENCH_RTC_DEFAULT_API_PORT;
    } else if (has_prefix(url, "http://")) {
        out->api = SRS_BENCH_RTC_WHEP;
        rest = url + 7;
        default_port = 80;
    } else {
        return srs_error_new(ERROR_CONFIG_INVALID, "%s: not webrtc://, whep:// or http://", url);
    }
    size_t auth_len = strcspn(rest, "/?#");
    srs_error_t err = parse_authority(rest, auth_len, default_port, out);
    if (err) return srs_error_wrap(err, "URL %s", url);
    const char *path = rest + auth_len;

    if (out->api == SRS_BENCH_RTC_LEGACY) {
        /* At least "/app/stream". */
        size_t plen = strcspn(path, "?#");
        const char *slash = plen > 1 ? memchr(path + 1, '/', plen - 1) : NULL;
        if (!slash || slash == path + 1 || slash + 1 == path + plen) {
            return srs_error_new(ERROR_CONFIG_INVALID, "%s: want webrtc://host[:port]/app/stream", url);
        }
        if (strlen(url) >= sizeof(out->stream_url)) return srs_error_new(ERROR_CONFIG_INVALID, "URL too long");
        snprintf(out->stream_url, sizeof(out->stream_url), "%s", url);
        snprintf(out->target, sizeof(out->target), "/rtc/v1/play/");
        return srs_success;
    }
    size_t tlen = strcspn(path, "#");
    if (tlen + 2 > sizeof(out->target)) return srs_error_new(ERROR_CONFIG_INVALID, "URL too long");
    if (!tlen || path[0] != '/') out->target[0] = '/';
    strncat(out->target, path, tlen);
    return srs_success;
}

static srs_error_t post(const srs_bench_rtc_url_t *u, const char *type, const char *body, srs_utime_t timeout,
                        srs_http_client_t **cli)
{
    srs_http_headers_t h = {0};
    srs_http_headers_set(&h, "Content-Type", type);
    srs_error_t err = srs_http_client_do(u->host, u->port, "POST", u->target, &h, body, strlen(body),
                                         SRS_MIN(timeout, BENCH_RTC_CONNECT_TIMEOUT), timeout, cli);
    srs_http_headers_free(&h);
    if (err) return srs_error_wrap(err, "POST http://%s:%d%s", u->host, u->port, u->target);
    return srs_success;
}

static srs_error_t signal_whep(const srs_bench_rtc_url_t *u, const char *offer, srs_utime_t timeout, char **answer,
                               char *location, size_t location_size)
{
    srs_http_client_t *cli = NULL;
    srs_error_t err = post(u, "application/sdp", offer, timeout, &cli);
    if (err) return err;
    int status = cli->res.status;
    const char *loc = srs_http_headers_get(&cli->res.headers, "Location");
    snprintf(location, location_size, "%s", loc ? loc : "");
    size_t len = 0;
    err = srs_http_read_body_all(cli->conn, BENCH_RTC_MAX_ANSWER, answer, &len);
    srs_http_client_close(cli);
    if (err) return srs_error_wrap(err, "read WHEP answer");
    if (status != 200 && status != 201) {
        err = srs_error_new(ERROR_HTTP_STATUS, "WHEP answered %d: %.200s", status, *answer);
        srs_freep(*answer);
    }
    return err;
}

static srs_error_t signal_legacy(const srs_bench_rtc_url_t *u, const char *offer, srs_utime_t timeout, char **answer)
{
    char api[1400], tid[16];
    snprintf(api, sizeof(api), "http://%s:%d%s", u->host, u->port, u->target);
    snprintf(tid, sizeof(tid), "%07llx", (unsigned long long)(srs_random_u64() & 0xFFFFFFF));
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "api", api);
    cJSON_AddStringToObject(req, "tid", tid);
    cJSON_AddStringToObject(req, "streamurl", u->stream_url);
    cJSON_AddNullToObject(req, "clientip");
    cJSON_AddStringToObject(req, "sdp", offer);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    if (!body) return srs_error_new(ERROR_JSON, "offer JSON");

    srs_http_client_t *cli = NULL;
    srs_error_t err = post(u, "application/json", body, timeout, &cli);
    free(body);
    if (err) return err;
    int status = cli->res.status;
    char *reply = NULL;
    size_t len = 0;
    err = srs_http_read_body_all(cli->conn, BENCH_RTC_MAX_ANSWER, &reply, &len);
    srs_http_client_close(cli);
    if (err) return srs_error_wrap(err, "read answer");
    if (status != 200) err = srs_error_new(ERROR_HTTP_STATUS, "%s answered %d: %.200s", u->target, status, reply);
    cJSON *json = err ? NULL : cJSON_ParseWithLength(reply, len);
    const cJSON *code = json ? cJSON_GetObjectItemCaseSensitive(json, "code") : NULL;
    if (!err && (!cJSON_IsNumber(code) || code->valuedouble != 0)) {
        err = srs_error_new(ERROR_RTC_SDP, "%s refused the offer: %.200s", u->target, reply);
    }
    if (!err && !srs_sdp_unwrap_envelope(reply, len, answer)) {
        err = srs_error_new(ERROR_RTC_SDP, "%s: no sdp in %.200s", u->target, reply);
    }
    cJSON_Delete(json);
    free(reply);
    return err;
}

srs_error_t srs_bench_rtc_signal(const srs_bench_rtc_url_t *u, const char *offer, srs_utime_t timeout,
                                 char **answer, char *location, size_t location_size)
{
    *answer = NULL;
    if (location_size) location[0] = '\0';
    if (u->api == SRS_BENCH_RTC_WHEP) return signal_whep(u, offer, timeout, answer, location, location_size);
    return signal_legacy(u, offer, timeout, answer);
}
