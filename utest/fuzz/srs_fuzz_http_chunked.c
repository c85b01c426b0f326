/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a chunked body fed to the decoder in pieces. The first two bytes choose the
 * piece size and the output size, so short reads and small buffers are covered too. */
#include "srs_protocol_http.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t step = (size_t)data[0] % 64 + 1;
    size_t out_size = (size_t)data[1] % 64 + 1;
    data += 2;
    size -= 2;

    unsigned char *out = (unsigned char *)malloc(out_size);
    if (!out) abort();
    srs_http_chunked_t d;
    srs_http_chunked_init(&d);
    size_t pos = 0, total = 0;
    while (pos < size && !srs_http_chunked_done(&d)) {
        size_t avail = size - pos < step ? size - pos : step;
        size_t consumed = 0, produced = 0;
        srs_error_t err = srs_http_chunked_decode(&d, data + pos, avail, &consumed, out, out_size, &produced);
        if (consumed > avail || produced > out_size) abort();
        pos += consumed;
        total += produced;
        if (err) {
            srs_error_free(err);
            break;
        }
        /* Progress is guaranteed: input is taken or output made while the body goes on. */
        if (!consumed && !produced && !srs_http_chunked_done(&d)) abort();
    }
    /* The data came from the input, so it is never longer. */
    if (total > size) abort();
    free(out);
    return 0;
}
