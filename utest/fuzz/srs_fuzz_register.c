/* SPDX-License-Identifier: MIT */
/* Fuzz what origins and Redis hand us: the register body (and its JSON round trip), the Go
 * proxy's origin JSON, and, on a NUL-terminated copy, stream URLs and listen endpoints. */
#include "srs_app_origin.h"
#include "srs_kernel_endpoint.h"
#include "srs_kernel_stream_url.h"

#include <stdlib.h>
#include <string.h>

/* A registered origin must survive to_json → from_json unchanged. */
static void check_round_trip(const srs_origin_t *o)
{
    char *json = srs_origin_to_json(o);
    srs_origin_t back;
    srs_error_t err = srs_origin_from_json(json, strlen(json), &back);
    if (err || memcmp(o, &back, sizeof(back)) != 0) abort();
    free(json);

    /* What registered is dialled: an IP literal naming one host; read back from Redis, the
     * same value passes the same rules. */
    srs_error_t ierr = srs_endpoint_check_ip(o->ip);
    if (ierr) abort();
    json = srs_origin_to_json(o);
    err = srs_origin_from_redis(json, strlen(json), &back);
    if (err || back.rtmp_port != o->rtmp_port || strcmp(back.ip, o->ip)) abort();
    free(json);

    char desc[512];
    srs_origin_describe(o, desc, sizeof(desc));
    char id[400];
    srs_origin_id(o, id, sizeof(id));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_origin_t o;
    srs_error_t err = srs_origin_parse_register((const char *)data, size, &o);
    if (!err) check_round_trip(&o);
    srs_error_reset(err);

    err = srs_origin_from_json((const char *)data, size, &o);
    srs_error_reset(err);
    /* A value from Redis that passes is as strict as a registration. */
    err = srs_origin_from_redis((const char *)data, size, &o);
    if (!err && (srs_endpoint_check_ip(o.ip) != srs_success || !o.rtmp_port || !o.server_id[0])) abort();
    srs_error_reset(err);

    char *text = (char *)malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;

    char url[512];
    err = srs_stream_url_build(text, url, sizeof(url));
    srs_error_reset(err);
    err = srs_stream_url_from_parts(text, "live", "livestream", url, sizeof(url));
    srs_error_reset(err);

    err = srs_endpoint_check_ip(text);
    srs_error_reset(err);

    srs_endpoint_t ep;
    err = srs_endpoint_parse(text, &ep);
    if (!err && (ep.port < 1 || ep.port > 65535)) abort();
    srs_error_reset(err);

    free(text);
    return 0;
}
