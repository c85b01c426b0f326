/* SPDX-License-Identifier: MIT */
/* libFuzzer: the HLS playlist rewriter never crashes, and a rewrite of its own output adds nothing. */
#include "srs_kernel_m3u8.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    int count = 0, count2 = 0;
    srs_error_t err = srs_m3u8_rewrite((const char *)data, size, "fz1", &out, &len, &count);
    if (err) abort(); /* a valid spbhid never fails */
    err = srs_m3u8_rewrite(out, len, "fz1", &again, &len2, &count2);
    if (err || count2 != 0 || len2 != len || memcmp(out, again, len)) abort();
    free(out);
    free(again);
    return 0;
}
