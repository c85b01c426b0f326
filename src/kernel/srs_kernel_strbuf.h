/* SPDX-License-Identifier: MIT */
/* A growable byte buffer for rendering text and binary answers (profiles, metrics, JSON) before
 * they are written. Always NUL-terminated, so text can be used as a C string. Out of memory
 * aborts, as everywhere else in the proxy. */
#ifndef SRS_KERNEL_STRBUF_H
#define SRS_KERNEL_STRBUF_H

#include "srs_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Zero-initialise ({0}) before use; srs_strbuf_free releases it. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} srs_strbuf_t;

void srs_strbuf_append(srs_strbuf_t *b, const void *data, size_t len);
void srs_strbuf_puts(srs_strbuf_t *b, const char *text);
void srs_strbuf_putc(srs_strbuf_t *b, char c);
void srs_strbuf_printf(srs_strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Make room for n more bytes; returns where they go (the caller then adds n to len). */
char *srs_strbuf_reserve(srs_strbuf_t *b, size_t n);
/* Empty it, keeping the memory. */
void srs_strbuf_clear(srs_strbuf_t *b);
/* Take the bytes (the caller frees them); the buffer is empty afterwards. Never NULL. */
char *srs_strbuf_detach(srs_strbuf_t *b, size_t *len);
void srs_strbuf_free(srs_strbuf_t *b);

#ifdef __cplusplus
}
#endif

#endif
