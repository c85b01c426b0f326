/* SPDX-License-Identifier: MIT */
#include "srs_app_http_stream.h"
#include "srs_app_api.h"

#include <string.h>

static srs_error_t serve_versions(srs_http_conn_t *c)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddNumberToObject(obj, "code", 0);
    cJSON_AddStringToObject(obj, "pid", srs_api_pid());
    cJSON *data = cJSON_AddObjectToObject(obj, "data");
    cJSON_AddNumberToObject(data, "major", SRS_PROXY_VERSION_MAJOR);
    cJSON_AddNumberToObject(data, "minor", SRS_PROXY_VERSION_MINOR);
    cJSON_AddNumberToObject(data, "revision", SRS_PROXY_VERSION_REVISION);
    cJSON_AddStringToObject(data, "version", SRS_PROXY_VERSION);
    return srs_api_write_json(c, 200, obj, NULL);
}

static srs_error_t http_stream_handle(void *ctx, srs_http_conn_t *c, srs_http_request_t *req)
{
    SRS_UNUSED(ctx);
    if (!strcmp(req->path, "/api/v1/versions")) return serve_versions(c);
    return srs_http_write_error(c, 404, ERROR_HTTP_NOT_FOUND, "not found");
}

srs_error_t srs_http_stream_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    SRS_UNUSED(peer);
    return srs_http_serve_conn(fd, NULL, http_stream_handle, ctx);
}
