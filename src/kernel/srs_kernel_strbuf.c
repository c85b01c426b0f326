/* SPDX-License-Identifier: MIT */
#include "srs_kernel_strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *srs_strbuf_reserve(srs_strbuf_t *b, size_t n)
{
    /* One byte more for the terminating NUL. */
    if (n >= SIZE_MAX / 2 - b->len) abort();
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need) cap *= 2;
        char *p = (char *)realloc(b->data, cap);
        if (!p) abort();
        b->data = p;
        b->cap = cap;
    }
    return b->data + b->len;
}

void srs_strbuf_append(srs_strbuf_t *b, const void *data, size_t len)
{
    char *p = srs_strbuf_reserve(b, len);
    if (len) memcpy(p, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void srs_strbuf_puts(srs_strbuf_t *b, const char *text)
{
    srs_strbuf_append(b, text, strlen(text));
}

void srs_strbuf_putc(srs_strbuf_t *b, char c)
{
    srs_strbuf_append(b, &c, 1);
}

void srs_strbuf_printf(srs_strbuf_t *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof(small)) {
        srs_strbuf_append(b, small, (size_t)n);
        return;
    }
    char *p = srs_strbuf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void srs_strbuf_clear(srs_strbuf_t *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

char *srs_strbuf_detach(srs_strbuf_t *b, size_t *len)
{
    srs_strbuf_reserve(b, 0);
    char *p = b->data;
    if (len) *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void srs_strbuf_free(srs_strbuf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
