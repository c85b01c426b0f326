/* SPDX-License-Identifier: MIT */
/* Memory I/O for the RTMP harnesses: the chunk reader runs over the fuzzer's bytes, read in slices
 * of at most max_read, and what it writes goes to a sink that touches every byte (so ASan checks
 * the iovecs). Header-only: each harness is its own program. */
#ifndef SRS_FUZZ_RTMP_IO_H
#define SRS_FUZZ_RTMP_IO_H

#include "srs_protocol_rtmp_chunk.h"

#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
    size_t max_read;
    uint8_t sum;
} mem_io_t;

static srs_error_t mem_read(void *ctx, void *buf, size_t size, srs_utime_t timeout, size_t *nread)
{
    (void)timeout;
    mem_io_t *m = (mem_io_t *)ctx;
    if (m->pos >= m->size) return srs_error_new(ERROR_SYSTEM_EOF, "end of input");
    size_t n = m->size - m->pos;
    if (n > size) n = size;
    if (n > m->max_read) n = m->max_read;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    *nread = n;
    return srs_success;
}

static srs_error_t sink_writev(void *ctx, const struct iovec *iov, int iovcnt, srs_utime_t timeout)
{
    (void)timeout;
    mem_io_t *m = (mem_io_t *)ctx;
    for (int i = 0; i < iovcnt; i++) {
        const uint8_t *p = (const uint8_t *)iov[i].iov_base;
        for (size_t k = 0; k < iov[i].iov_len; k++) m->sum ^= p[k];
    }
    return srs_success;
}

#endif
