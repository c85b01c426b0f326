/* SPDX-License-Identifier: MIT */
#include "srs_kernel_cpu_profile.h"

#include <string.h>

#define WORD sizeof(uint64_t)

/* The word at index i, if the data holds it. */
static bool word_at(const uint8_t *p, size_t size, size_t i, uint64_t *out)
{
    if (i >= size / WORD) return false;
    memcpy(out, p + i * WORD, WORD);
    return true;
}

srs_error_t srs_cpu_profile_parse(const void *data, size_t size, srs_cpu_profile_sample_fn fn, void *ctx,
                                  uint64_t *period_us, size_t *maps_offset)
{
    const uint8_t *p = (const uint8_t *)data;
    uint64_t h[5];
    for (size_t i = 0; i < 5; i++) {
        if (!word_at(p, size, i, &h[i])) return srs_error_new(ERROR_SYSTEM_FILE, "CPU profile: short header (%zu bytes)", size);
    }
    /* Header: 0, the number of words that follow (3), version 0, period in us, padding. */
    if (h[0] != 0 || h[1] != 3 || h[2] != 0 || h[3] == 0 || h[3] > SRS_CPU_PROFILE_MAX_PERIOD_US) {
        return srs_error_new(ERROR_SYSTEM_FILE, "CPU profile: bad header %llu %llu %llu %llu",
                             (unsigned long long)h[0], (unsigned long long)h[1], (unsigned long long)h[2], (unsigned long long)h[3]);
    }
    if (period_us) *period_us = h[3];

    size_t i = 5;
    for (;;) {
        uint64_t count, depth;
        if (!word_at(p, size, i, &count) || !word_at(p, size, i + 1, &depth)) {
            return srs_error_new(ERROR_SYSTEM_FILE, "CPU profile: truncated at word %zu", i);
        }
        if (count > SRS_CPU_PROFILE_MAX_COUNT) {
            return srs_error_new(ERROR_SYSTEM_FILE, "CPU profile: count %llu at word %zu", (unsigned long long)count, i);
        }
        if (depth > SRS_CPU_PROFILE_MAX_DEPTH) {
            return srs_error_new(ERROR_SYSTEM_FILE, "CPU profile: stack of %llu frames at word %zu", (unsigned long long)depth, i);
        }
        /* The trailer is a record of count 0 and one pc 0. */
        if (count == 0 && depth == 1) {
            uint64_t zero;
            if (!word_at(p, size, i + 2, &zero) || zero != 0) return srs_error_new(ERROR_SYSTEM_FILE, "CPU profile: bad trailer");
            i += 3;
            break;
        }
        uint64_t pcs[SRS_CPU_PROFILE_MAX_DEPTH];
        for (uint64_t k = 0; k < depth; k++) {
            if (!word_at(p, size, i + 2 + k, &pcs[k])) return srs_error_new(ERROR_SYSTEM_FILE, "CPU profile: truncated stack at word %zu", i);
        }
        if (count && depth && fn) fn(ctx, count, pcs, (int)depth);
        i += 2 + depth;
    }
    if (maps_offset) *maps_offset = i * WORD;
    return srs_success;
}
