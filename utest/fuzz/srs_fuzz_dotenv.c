/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: .env text, and the same bytes as a Go duration and a listen address. */
#include "srs_kernel_dotenv.h"
#include "srs_kernel_duration.h"
#include "srs_kernel_listen.h"

#include <stdlib.h>
#include <string.h>

/* Touch every byte of each pair, so a bad pointer or a missing terminator shows up. */
static void check_pair(void *ctx, const char *key, const char *value)
{
    size_t *total = (size_t *)ctx;
    *total += strlen(key) + strlen(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    srs_error_t err = srs_dotenv_parse((const char *)data, size, check_pair, &total);
    srs_error_free(err);
    /* The pairs come from the text, so together they are never longer than it. */
    if (total > size) abort();

    char *text = (char *)malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    srs_utime_t us = 0;
    err = srs_duration_parse(text, &us);
    srs_error_free(err);

    srs_listen_t l;
    err = srs_listen_parse(text, &l);
    if (!err) {
        if (l.port < 1 || l.port > 65535 || strlen(l.host) >= sizeof(l.host)) abort();
        char buf[96];
        srs_listen_format(&l, buf, sizeof(buf));
    }
    srs_error_free(err);

    free(text);
    return 0;
}
