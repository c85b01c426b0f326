/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the bytes as a response head (what an origin sends the proxy). */
#include "srs_protocol_http.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_http_response_t res;
    srs_error_t err = srs_http_parse_response_head((const char *)data, size, &res);
    if (!err) {
        if (res.status < 100 || res.status > 999 || !res.reason || strpbrk(res.reason, "\r\n")) abort();
        for (int i = 0; i < res.headers.count; i++) {
            const srs_http_header_t *h = &res.headers.items[i];
            if (!h->name[0] || strpbrk(h->name, " \t\r\n:") || strpbrk(h->value, "\r\n")) abort();
        }
        if (res.chunked && res.content_length >= 0) abort();
        /* Copying the headers into a new list, as the stream proxy does, keeps them intact. */
        srs_http_headers_t copy = {0};
        for (int i = 0; i < res.headers.count; i++) {
            srs_http_headers_add(&copy, res.headers.items[i].name, res.headers.items[i].value);
        }
        srs_http_headers_del(&copy, "Connection");
        srs_http_headers_set(&copy, "Server", "x");
        if (!srs_http_headers_get(&copy, "server")) abort();
        srs_http_headers_free(&copy);
    } else {
        srs_error_summary(err);
    }
    srs_error_free(err);
    srs_http_response_free(&res);
    return 0;
}
