/* SPDX-License-Identifier: MIT */
/* libFuzzer: the HLS playlist rewriter never crashes, a rewrite of its own output adds nothing, and
 * the output bound holds: with a bound taken from the input (its first byte picks how tight), the
 * rewrite either fits it or fails with ERROR_HTTP_TOO_LARGE exactly when the unbounded output is
 * longer. */
#include "srs_kernel_m3u8.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = NULL, *again = NULL, *bounded = NULL;
    size_t len = 0, len2 = 0, len3 = 0;
    int count = 0, count2 = 0, count3 = 0;
    /* A session id as the proxy makes it: 32 hex characters. */
    const char *id = "0123456789abcdef0123456789abcdef";
    srs_error_t err = srs_m3u8_rewrite((const char *)data, size, id, 0, &out, &len, &count);
    if (err) abort(); /* a valid spbhid never fails without a bound */
    err = srs_m3u8_rewrite(out, len, id, 0, &again, &len2, &count2);
    if (err || count2 != 0 || len2 != len || memcmp(out, again, len)) abort();

    /* The bound: somewhere between the input's size and a few times it. */
    size_t max = size ? size + (size_t)data[0] * size / 64 : 1;
    err = srs_m3u8_rewrite((const char *)data, size, id, max, &bounded, &len3, &count3);
    if (len > max) {
        if (srs_error_code(err) != ERROR_HTTP_TOO_LARGE || bounded || len3) abort();
        srs_error_free(err);
    } else {
        if (err || len3 != len || count3 != count || memcmp(out, bounded, len)) abort();
    }
    free(out);
    free(again);
    free(bounded);
    return 0;
}
