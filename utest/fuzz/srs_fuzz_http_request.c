/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the bytes as a request head, and as a query string and a percent-encoded path. */
#include "srs_protocol_http.h"

#include <stdlib.h>
#include <string.h>

/* Every string a parsed request holds must be a clean C string: no CR, LF or NUL inside. */
static void check_text(const char *s, size_t max)
{
    if (!s) abort();
    size_t n = strlen(s);
    if (n > max || strpbrk(s, "\r\n")) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_http_request_t req;
    srs_error_t err = srs_http_parse_request_head((const char *)data, size, &req);
    if (!err) {
        check_text(req.target, SRS_HTTP_MAX_LINE);
        check_text(req.path, SRS_HTTP_MAX_LINE);
        check_text(req.query, SRS_HTTP_MAX_LINE);
        for (int i = 0; i < req.headers.count; i++) {
            check_text(req.headers.items[i].name, size);
            check_text(req.headers.items[i].value, size);
        }
        if (req.version_minor != 0 && req.version_minor != 1) abort();
        if (req.chunked && req.content_length >= 0) abort();
        char v[64];
        srs_http_query_get(req.query, "stream", v, sizeof(v));
    } else {
        srs_error_summary(err);
        int status = srs_http_status_of_error(err);
        if (status != 400 && status != 414 && status != 431) abort();
    }
    srs_error_free(err);
    srs_http_request_free(&req);

    /* The same bytes as a query string and as an encoded path. */
    char *text = (char *)malloc(size + 1);
    char *out = (char *)malloc(size + 1);
    if (!text || !out) abort();
    memcpy(text, data, size);
    text[size] = '\0';
    char small[8];
    srs_http_query_get(text, "app", out, size + 1);
    srs_http_query_get(text, "a", small, sizeof(small));
    if (srs_http_url_decode(text, size, out, size + 1) && strlen(out) > size) abort();
    srs_http_url_decode(text, size, small, sizeof(small));
    free(text);
    free(out);
    return 0;
}
