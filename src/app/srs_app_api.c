/* SPDX-License-Identifier: MIT */
#include "srs_app_api.h"
#include "srs_core_log.h"
#include "srs_kernel_stream_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *srs_api_pid(void)
{
    static char pid[16];
    if (!pid[0]) snprintf(pid, sizeof(pid), "%d", (int)getpid());
    return pid;
}

void srs_api_add_cors(srs_http_headers_t *h)
{
    srs_http_headers_set(h, "Access-Control-Allow-Origin", "*");
    srs_http_headers_set(h, "Access-Control-Allow-Headers", "*");
    srs_http_headers_set(h, "Access-Control-Allow-Methods", "*");
    /* A WHIP/WHEP page on another origin must read Location to DELETE its session. */
    srs_http_headers_set(h, "Access-Control-Expose-Headers", "Location");
}

srs_error_t srs_api_write_json(srs_http_conn_t *c, int status, cJSON *obj, const srs_http_headers_t *extra)
{
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!text) return srs_error_new(ERROR_JSON, "print json");
    srs_http_headers_t h = {0};
    for (int i = 0; extra && i < extra->count; i++) {
        srs_http_headers_add(&h, extra->items[i].name, extra->items[i].value);
    }
    srs_http_headers_set(&h, "Content-Type", "application/json");
    srs_error_t err = srs_http_write_response(c, status, &h, text, strlen(text));
    srs_http_headers_free(&h);
    free(text);
    return err;
}

srs_error_t srs_api_write_error(srs_http_conn_t *c, int status, srs_error_t cause, const srs_http_headers_t *extra)
{
    cJSON *obj = cJSON_CreateObject();
    int code = srs_error_code(cause);
    cJSON_AddNumberToObject(obj, "code", code ? code : ERROR_SYSTEM_IO);
    cJSON_AddStringToObject(obj, "msg", srs_error_cause_message(cause));
    return srs_api_write_json(c, status, obj, extra);
}

srs_error_t srs_api_stream_url(const srs_http_request_t *req, const char *app, const char *stream,
                               char *out, size_t size)
{
    char vhost[256] = "";
    if (!srs_http_query_get(req->query, "vhost", vhost, sizeof(vhost)) || !vhost[0]) {
        const char *host = srs_http_headers_get(&req->headers, "Host");
        snprintf(vhost, sizeof(vhost), "%s", host ? host : "");
    }
    srs_error_t err = srs_stream_url_from_parts(vhost, app, stream, out, size);
    if (err) return srs_error_wrap(err, "stream url of %s", req->target);
    return srs_success;
}

srs_error_t srs_api_reply_error(srs_http_conn_t *c, int status, srs_error_t cause, const char *what)
{
    static srs_log_limit_t limit = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);
    srs_log_limited(&limit, SRS_LOG_WARN, "%s: %d %s", what, status, srs_error_summary(cause));
    srs_http_headers_t h = {0};
    srs_api_add_cors(&h);
    srs_error_t err = srs_api_write_error(c, status, cause, &h);
    srs_http_headers_free(&h);
    srs_error_free(cause);
    return err;
}
