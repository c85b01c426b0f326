/* SPDX-License-Identifier: MIT */
#include "srs_app_origin.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_endpoint.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The five endpoint lists of an origin, walked by table instead of five copies of the code. */
typedef struct {
    const char *name;
    char (*list)[64];
    int *n;
    int *port;
    const char *other_proto;   /* Endpoints of this transport do not give the port. */
} origin_list_t;

enum { ORIGIN_NB_LISTS = 5 };

static void origin_lists(srs_origin_t *o, origin_list_t lists[ORIGIN_NB_LISTS])
{
    lists[0] = (origin_list_t){"rtmp", o->rtmp, &o->n_rtmp, &o->rtmp_port, "udp"};
    lists[1] = (origin_list_t){"http", o->http, &o->n_http, &o->http_port, "udp"};
    lists[2] = (origin_list_t){"api", o->api, &o->n_api, &o->api_port, "udp"};
    lists[3] = (origin_list_t){"srt", o->srt, &o->n_srt, &o->srt_port, "tcp"};
    lists[4] = (origin_list_t){"rtc", o->rtc, &o->n_rtc, &o->rtc_port, "tcp"};
}

/* Each port from the first endpoint of its list that parses and is of the right transport. */
static void origin_compute_ports(srs_origin_t *o)
{
    origin_list_t lists[ORIGIN_NB_LISTS];
    origin_lists(o, lists);
    for (int i = 0; i < ORIGIN_NB_LISTS; i++) {
        *lists[i].port = 0;
        for (int j = 0; j < *lists[i].n; j++) {
            srs_endpoint_t ep;
            srs_error_t err = srs_endpoint_parse(lists[i].list[j], &ep);
            if (err) {
                srs_error_reset(err);
                continue;
            }
            if (strcmp(ep.proto, lists[i].other_proto) == 0) continue;
            *lists[i].port = ep.port;
            break;
        }
    }
}

/* A string member; absent or null leaves it empty (as Go's decoder). */
static srs_error_t json_get_string(const cJSON *obj, const char *name, char *dst, size_t size)
{
    dst[0] = 0;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item)) return srs_success;
    if (!cJSON_IsString(item) || !item->valuestring) {
        return srs_error_new(ERROR_ORIGIN_INVALID, "invalid %s, not a string", name);
    }
    size_t len = strlen(item->valuestring);
    if (len >= size) return srs_error_new(ERROR_ORIGIN_INVALID, "invalid %s, longer than %zu", name, size - 1);
    memcpy(dst, item->valuestring, len + 1);
    return srs_success;
}

/* An array of strings; only the first SRS_ORIGIN_MAX_ENDPOINTS are kept. */
static srs_error_t json_get_list(const cJSON *obj, const char *name, char (*list)[64], int *n)
{
    *n = 0;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item)) return srs_success;
    if (!cJSON_IsArray(item)) return srs_error_new(ERROR_ORIGIN_INVALID, "invalid %s, not an array", name);

    const cJSON *e;
    cJSON_ArrayForEach(e, item) {
        if (!cJSON_IsString(e) || !e->valuestring) {
            return srs_error_new(ERROR_ORIGIN_INVALID, "invalid %s, not an array of strings", name);
        }
        if (*n >= SRS_ORIGIN_MAX_ENDPOINTS) continue;
        size_t len = strlen(e->valuestring);
        if (len >= 64) return srs_error_new(ERROR_ORIGIN_INVALID, "invalid %s, endpoint longer than 63", name);
        memcpy(list[*n], e->valuestring, len + 1);
        (*n)++;
    }
    return srs_success;
}

static srs_error_t json_get_lists(const cJSON *obj, srs_origin_t *o)
{
    origin_list_t lists[ORIGIN_NB_LISTS];
    origin_lists(o, lists);
    for (int i = 0; i < ORIGIN_NB_LISTS; i++) {
        srs_error_t err = json_get_list(obj, lists[i].name, lists[i].list, lists[i].n);
        if (err) return err;
    }
    return srs_success;
}

static bool only_whitespace(const char *p, const char *end)
{
    for (; p < end; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return false;
    }
    return true;
}

/* Parse a whole buffer as one JSON object. An empty (all whitespace) buffer gives an empty
 * object, as Go's register handler sees it. */
static srs_error_t json_parse_object(const char *body, size_t len, cJSON **out)
{
    *out = NULL;
    if (only_whitespace(body, body + len)) {
        *out = cJSON_CreateObject();
        if (!*out) abort();
        return srs_success;
    }

    /* cJSON gets a NUL-terminated copy, so no read can pass the end of the caller's bytes. */
    char *copy = (char *)malloc(len + 1);
    if (!copy) abort();
    memcpy(copy, body, len);
    copy[len] = 0;

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, len, &end, false);
    bool trailing = root && end && !only_whitespace(end, copy + len);
    free(copy);

    if (!root || trailing) {
        cJSON_Delete(root);
        return srs_error_new(ERROR_ORIGIN_INVALID, "invalid json");
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return srs_error_new(ERROR_ORIGIN_INVALID, "invalid json, not an object");
    }
    *out = root;
    return srs_success;
}

static srs_error_t register_read(const cJSON *root, srs_origin_t *o)
{
    srs_error_t err;
    if ((err = json_get_string(root, "ip", o->ip, sizeof(o->ip))) != srs_success) return err;
    if ((err = json_get_string(root, "server", o->server_id, sizeof(o->server_id))) != srs_success) return err;
    if ((err = json_get_string(root, "service", o->service_id, sizeof(o->service_id))) != srs_success) return err;
    if ((err = json_get_string(root, "pid", o->pid, sizeof(o->pid))) != srs_success) return err;
    if ((err = json_get_string(root, "device_id", o->device_id, sizeof(o->device_id))) != srs_success) return err;
    return json_get_lists(root, o);
}

static srs_error_t register_validate(srs_origin_t *o)
{
    if (!o->ip[0]) return srs_error_new(ERROR_ORIGIN_INVALID, "empty ip");
    if (!o->server_id[0]) return srs_error_new(ERROR_ORIGIN_INVALID, "empty server");
    if (!o->service_id[0]) return srs_error_new(ERROR_ORIGIN_INVALID, "empty service");
    if (!o->pid[0]) return srs_error_new(ERROR_ORIGIN_INVALID, "empty pid");
    if (o->n_rtmp == 0) return srs_error_new(ERROR_ORIGIN_INVALID, "empty rtmp");

    /* The proxy dials this address for every stream it sends here. */
    srs_error_t err = srs_endpoint_check_ip(o->ip);
    if (err) {
        srs_error_t e2 = srs_error_new(ERROR_ORIGIN_INVALID, "%s", srs_error_message(err));
        srs_error_free(err);
        return e2;
    }

    srs_endpoint_t ep;
    err = srs_endpoint_parse(o->rtmp[0], &ep);
    if (err) {
        srs_error_t e2 = srs_error_new(ERROR_ORIGIN_INVALID, "invalid rtmp %s, %s", o->rtmp[0], srs_error_message(err));
        srs_error_free(err);
        return e2;
    }

    origin_compute_ports(o);
    if (!o->rtmp_port) return srs_error_new(ERROR_ORIGIN_INVALID, "invalid rtmp %s, not tcp", o->rtmp[0]);
    return srs_success;
}

srs_error_t srs_origin_parse_register(const char *body, size_t len, srs_origin_t *out)
{
    memset(out, 0, sizeof(*out));
    cJSON *root = NULL;
    srs_error_t err = json_parse_object(body, len, &root);
    if (err) return err;

    err = register_read(root, out);
    cJSON_Delete(root);
    if (!err) err = register_validate(out);
    if (err) return err;

    out->updated_at = srs_time_now_wall();
    return srs_success;
}

void srs_origin_id(const srs_origin_t *o, char *out, size_t size)
{
    snprintf(out, size, "%s-%s-%s", o->server_id, o->service_id, o->pid);
}

/* Calendar conversion for RFC 3339 times: days since 1970-01-01 <-> proleptic Gregorian date
 * (the well-known era-based algorithm: 400-year eras of 146097 days, years starting in March). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Go's RFC3339Nano: fraction without trailing zeros, none when zero; UTC here. */
static void format_rfc3339(int64_t us, char *out, size_t size)
{
    int64_t secs = floor_div(us, SRS_UTIME_SECONDS);
    int frac = (int)(us - secs * SRS_UTIME_SECONDS);
    int64_t days = floor_div(secs, 86400);
    int sod = (int)(secs - days * 86400);
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);

    char fraction[16] = "";
    if (frac) {
        snprintf(fraction, sizeof(fraction), ".%06d", frac);
        size_t n = strlen(fraction);
        while (fraction[n - 1] == '0') fraction[--n] = 0;
    }
    snprintf(out, size, "%04lld-%02d-%02dT%02d:%02d:%02d%sZ", (long long)y, m, d,
             sod / 3600, sod / 60 % 60, sod % 60, fraction);
}

/* Read exactly n digits at *p. */
static bool read_digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return false;
        *v = *v * 10 + (c - '0');
    }
    *p += n;
    return true;
}

static bool expect_char(const char **p, char c)
{
    if (**p != c) return false;
    (*p)++;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" → microseconds since the epoch. */
static bool parse_rfc3339(const char *s, int64_t *us)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec;
    const char *p = s;
    if (!read_digits(&p, 4, &y) || !expect_char(&p, '-') || !read_digits(&p, 2, &mo) || !expect_char(&p, '-') ||
        !read_digits(&p, 2, &d)) return false;
    if (*p != 'T' && *p != 't') return false;
    p++;
    if (!read_digits(&p, 2, &h) || !expect_char(&p, ':') || !read_digits(&p, 2, &mi) || !expect_char(&p, ':') ||
        !read_digits(&p, 2, &sec)) return false;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && is_leap(y))) return false;
    if (h > 23 || mi > 59 || sec > 59) return false;

    int frac_us = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++) {
            if (digits < 6) frac_us = frac_us * 10 + (*p - '0');
        }
        if (digits < 1 || digits > 9) return false;
        for (int i = digits; i < 6; i++) frac_us *= 10;
    }

    int offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (!read_digits(&p, 2, &oh) || !expect_char(&p, ':') || !read_digits(&p, 2, &om)) return false;
        if (oh > 23 || om > 59) return false;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return false;
    }
    if (*p) return false;

    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    *us = secs * SRS_UTIME_SECONDS + frac_us;
    return true;
}

static void json_add_string(cJSON *obj, const char *name, const char *value)
{
    if (value[0] && !cJSON_AddStringToObject(obj, name, value)) abort();
}

static void json_add_list(cJSON *obj, const char *name, char (*list)[64], int n)
{
    if (n <= 0) return;
    cJSON *arr = cJSON_AddArrayToObject(obj, name);
    if (!arr) abort();
    for (int i = 0; i < n; i++) {
        cJSON *s = cJSON_CreateString(list[i]);
        if (!s) abort();
        cJSON_AddItemToArray(arr, s);
    }
}

char *srs_origin_to_json(const srs_origin_t *o)
{
    /* The lists are only read; the table wants mutable pointers. */
    srs_origin_t *v = (srs_origin_t *)o;
    cJSON *obj = cJSON_CreateObject();
    if (!obj) abort();
    json_add_string(obj, "ip", v->ip);
    json_add_string(obj, "device_id", v->device_id);
    json_add_string(obj, "server_id", v->server_id);
    json_add_string(obj, "service_id", v->service_id);
    json_add_string(obj, "pid", v->pid);
    origin_list_t lists[ORIGIN_NB_LISTS];
    origin_lists(v, lists);
    for (int i = 0; i < ORIGIN_NB_LISTS; i++) json_add_list(obj, lists[i].name, lists[i].list, *lists[i].n);

    char when[64];
    format_rfc3339(v->updated_at, when, sizeof(when));
    json_add_string(obj, "update_at", when);

    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!text) abort();
    return text;
}

static srs_error_t from_json_read(const cJSON *root, srs_origin_t *o)
{
    srs_error_t err;
    if ((err = json_get_string(root, "ip", o->ip, sizeof(o->ip))) != srs_success) return err;
    if ((err = json_get_string(root, "device_id", o->device_id, sizeof(o->device_id))) != srs_success) return err;
    if ((err = json_get_string(root, "server_id", o->server_id, sizeof(o->server_id))) != srs_success) return err;
    if ((err = json_get_string(root, "service_id", o->service_id, sizeof(o->service_id))) != srs_success) return err;
    if ((err = json_get_string(root, "pid", o->pid, sizeof(o->pid))) != srs_success) return err;
    if ((err = json_get_lists(root, o)) != srs_success) return err;

    char when[64];
    if ((err = json_get_string(root, "update_at", when, sizeof(when))) != srs_success) return err;
    if (when[0] && !parse_rfc3339(when, &o->updated_at)) {
        return srs_error_new(ERROR_ORIGIN_INVALID, "invalid update_at %s", when);
    }
    origin_compute_ports(o);
    return srs_success;
}

srs_error_t srs_origin_from_json(const char *json, size_t len, srs_origin_t *out)
{
    memset(out, 0, sizeof(*out));
    cJSON *root = NULL;
    srs_error_t err = json_parse_object(json, len, &root);
    if (err) return err;
    err = from_json_read(root, out);
    cJSON_Delete(root);
    return err;
}

srs_error_t srs_origin_from_redis(const char *json, size_t len, srs_origin_t *out)
{
    srs_error_t err = srs_origin_from_json(json, len, out);
    if (err) return err;
    /* The same rules as a registration (minus the rtmp text, already reduced to its port). */
    srs_error_t verr = srs_endpoint_check_ip(out->ip);
    if (verr) {
        err = srs_error_new(ERROR_ORIGIN_INVALID, "%s", srs_error_message(verr));
        srs_error_free(verr);
        return err;
    }
    if (!out->server_id[0] || !out->service_id[0] || !out->pid[0]) return srs_error_new(ERROR_ORIGIN_INVALID, "empty id");
    if (!out->rtmp_port) return srs_error_new(ERROR_ORIGIN_INVALID, "no rtmp port");
    if (!out->updated_at) return srs_error_new(ERROR_ORIGIN_INVALID, "no update_at");
    return srs_success;
}

void srs_origin_describe(const srs_origin_t *o, char *out, size_t size)
{
    if (size == 0) return;
    char id[400];
    srs_origin_id(o, id, sizeof(id));
    int n = snprintf(out, size, "SRS ip=%s, id=%s", o->ip, id);

    const char *names[] = {"rtmp", "http", "api", "rtc", "srt"};
    const int ports[] = {o->rtmp_port, o->http_port, o->api_port, o->rtc_port, o->srt_port};
    for (size_t i = 0; i < SRS_ARRAY_SIZE(names); i++) {
        if (n < 0 || (size_t)n >= size) return;
        if (ports[i]) n += snprintf(out + n, size - (size_t)n, ", %s=%d", names[i], ports[i]);
    }
}

/* One configured endpoint of the default backend; empty means "not served". */
static srs_error_t default_backend_endpoint(const char *name, const char *value, char (*list)[64], int *n)
{
    *n = 0;
    if (!value || !value[0]) return srs_success;
    if (strlen(value) >= 64) return srs_error_new(ERROR_ORIGIN_INVALID, "default backend %s too long", name);

    srs_endpoint_t ep;
    srs_error_t err = srs_endpoint_parse(value, &ep);
    if (err) return srs_error_wrap(err, "default backend %s", name);
    snprintf(list[0], 64, "%s", value);
    *n = 1;
    return srs_success;
}

srs_error_t srs_origin_default_backend(const char *ip, const char *rtmp, const char *http, const char *api,
                                       const char *rtc, const char *srt, srs_origin_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!ip || !ip[0]) return srs_error_new(ERROR_ORIGIN_INVALID, "empty default backend ip");
    if (!rtmp || !rtmp[0]) return srs_error_new(ERROR_ORIGIN_INVALID, "empty default backend rtmp");
    if (strlen(ip) >= sizeof(out->ip)) return srs_error_new(ERROR_ORIGIN_INVALID, "default backend ip too long");
    snprintf(out->ip, sizeof(out->ip), "%s", ip);

    srs_error_t err;
    if ((err = default_backend_endpoint("rtmp", rtmp, out->rtmp, &out->n_rtmp)) != srs_success) return err;
    if ((err = default_backend_endpoint("http", http, out->http, &out->n_http)) != srs_success) return err;
    if ((err = default_backend_endpoint("api", api, out->api, &out->n_api)) != srs_success) return err;
    if ((err = default_backend_endpoint("rtc", rtc, out->rtc, &out->n_rtc)) != srs_success) return err;
    if ((err = default_backend_endpoint("srt", srt, out->srt, &out->n_srt)) != srs_success) return err;

    snprintf(out->server_id, sizeof(out->server_id), "default-%s", srs_cid_generate().id);
    snprintf(out->service_id, sizeof(out->service_id), "%s", srs_cid_generate().id);
    snprintf(out->pid, sizeof(out->pid), "%d", (int)getpid());
    origin_compute_ports(out);
    out->updated_at = srs_time_now_wall();
    return srs_success;
}
