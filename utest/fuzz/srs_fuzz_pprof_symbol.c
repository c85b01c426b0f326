/* SPDX-License-Identifier: MIT */
/* libFuzzer: the body (or query) of a POST /debug/pprof/symbol from the network: "0xaddr+0xaddr".
 * Parse it with room for everything and with room for two; the short parse is a prefix. */
#include "srs_app_pprof_symbol.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t max = size / 2 + 1;
    uint64_t *all = (uint64_t *)malloc(max * sizeof(*all));
    if (!all) return 0;
    size_t n = srs_pprof_parse_addresses((const char *)data, size, all, max);
    if (n > max) abort();
    uint64_t two[2];
    size_t k = srs_pprof_parse_addresses((const char *)data, size, two, 2);
    if (k > 2 || k > n || (k && memcmp(two, all, k * sizeof(*two)) != 0)) abort();
    free(all);
    return 0;
}
