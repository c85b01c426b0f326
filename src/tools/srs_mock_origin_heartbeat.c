/* SPDX-License-Identifier: MIT */
#include "srs_mock_origin.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_http.h"
#include "srs_protocol_st.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SRS_MOCK_HEARTBEAT_TIMEOUT (3 * SRS_UTIME_SECONDS)

static void add_list(cJSON *obj, const char *name, const char *fmt, int port)
{
    if (!port) return;
    char v[64];
    snprintf(v, sizeof(v), fmt, port);
    cJSON *list = cJSON_AddArrayToObject(obj, name);
    cJSON_AddItemToArray(list, cJSON_CreateString(v));
}

char *srs_mock_heartbeat_body(const srs_mock_config_t *cfg)
{
    /* Field order as SRS writes it; rtmp/http/api as bare ports, srt/rtc as udp://0.0.0.0:port. */
    cJSON *obj = cJSON_CreateObject();
    char pid[16];
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    cJSON_AddStringToObject(obj, "device_id", cfg->device_id);
    cJSON_AddStringToObject(obj, "ip", cfg->ip);
    cJSON_AddStringToObject(obj, "server", cfg->server_id);
    cJSON_AddStringToObject(obj, "service", cfg->service_id);
    cJSON_AddStringToObject(obj, "pid", pid);
    add_list(obj, "rtmp", "%d", cfg->rtmp_port);
    add_list(obj, "http", "%d", cfg->http_port);
    add_list(obj, "api", "%d", cfg->api_port);
    add_list(obj, "srt", "udp://0.0.0.0:%d", cfg->srt_port);
    add_list(obj, "rtc", "udp://0.0.0.0:%d", cfg->rtc_port);
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    return text;
}

/* "http://host:port/path?query" → host, port, target. */
static srs_error_t split_url(const char *url, char *host, size_t hsize, int *port, const char **target)
{
    if (strncmp(url, "http://", 7)) return srs_error_new(ERROR_CONFIG_INVALID, "heartbeat url %s: only http://", url);
    const char *h = url + 7;
    const char *slash = strchr(h, '/');
    *target = slash ? slash : "/";
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    const char *colon = memchr(h, ':', hl);
    *port = colon ? atoi(colon + 1) : 80;
    size_t n = colon ? (size_t)(colon - h) : hl;
    if (n == 0 || n >= hsize || *port <= 0 || *port > 65535) {
        return srs_error_new(ERROR_CONFIG_INVALID, "heartbeat url %s", url);
    }
    memcpy(host, h, n);
    host[n] = 0;
    return srs_success;
}

static srs_error_t post_once(const srs_mock_config_t *cfg)
{
    char host[256];
    int port = 0;
    const char *target = NULL;
    srs_error_t err = split_url(cfg->heartbeat_url, host, sizeof(host), &port, &target);
    if (err) return err;
    char *body = srs_mock_heartbeat_body(cfg);
    srs_http_headers_t h = {0};
    srs_http_headers_set(&h, "Connection", "Keep-Alive");
    srs_http_headers_set(&h, "Content-Type", "application/json");
    srs_http_headers_set(&h, "User-Agent", "SRS/7.0.18(Hang)");
    srs_http_client_t *cli = NULL;
    err = srs_http_client_do(host, port, "POST", target, &h, body, strlen(body), SRS_MOCK_HEARTBEAT_TIMEOUT,
                             SRS_MOCK_HEARTBEAT_TIMEOUT, &cli);
    srs_http_headers_free(&h);
    free(body);
    if (err) return srs_error_wrap(err, "post heartbeat to %s", cfg->heartbeat_url);
    /* SRS reads the answer and ignores it. */
    char *reply = NULL;
    size_t len = 0;
    int status = cli->res.status;
    err = srs_http_read_body_all(cli->conn, 64 * 1024, &reply, &len);
    srs_http_client_close(cli);
    free(reply);
    if (!err && status != 200) err = srs_error_new(ERROR_HTTP_STATUS, "heartbeat answered %d", status);
    return err;
}

static srs_error_t heartbeat_cycle(void *arg)
{
    const srs_mock_config_t *cfg = (const srs_mock_config_t *)arg;
    for (;;) {
        srs_error_t err = post_once(cfg);
        if (err) {
            /* As SRS: a warning each time, never a back-off. */
            srs_log_warn("heartbeat err=%s", srs_error_summary(err));
            srs_error_free(err);
        }
        if ((err = srs_st_usleep((srs_utime_t)cfg->heartbeat_interval * SRS_UTIME_SECONDS)) != srs_success) return err;
    }
}

srs_error_t srs_mock_heartbeat_start(const srs_mock_config_t *cfg)
{
    if (!cfg->heartbeat_url[0]) return srs_success;
    srs_coroutine_t *co = srs_coroutine_new("heartbeat", heartbeat_cycle, (void *)cfg);
    return srs_coroutine_start(co);
}
