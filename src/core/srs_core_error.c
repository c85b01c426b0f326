/* SPDX-License-Identifier: MIT */
#include "srs_core_error.h"
#include "srs_core_context.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct srs_error_s {
    int code;              /* Own code; 0 for a wrap, which inherits the cause's. */
    int sys_errno;
    const char *func;
    const char *file;
    int line;
    srs_cid_t cid;
    char *msg;
    srs_error_t wrapped;
    char *summary;         /* Built on demand, freed with the error. */
    char *desc;
};

static char *vformat(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) n = 0;
    char *s = (char *)malloc((size_t)n + 1);
    if (!s) abort();
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

srs_error_t srs_error_create(const char *func, const char *file, int line, int code,
                             srs_error_t wrapped, const char *fmt, ...)
{
    int saved_errno = errno;
    srs_error_t err = (srs_error_t)calloc(1, sizeof(*err));
    if (!err) abort();
    err->code = code;
    err->sys_errno = saved_errno;
    err->func = func;
    /* Keep the path relative to the tree, so a chain reads the same on every machine. */
    const char *src = strstr(file, "src/");
    err->file = src ? src : file;
    err->line = line;
    snprintf(err->cid.id, sizeof(err->cid.id), "%s", srs_context_id());
    err->wrapped = wrapped;
    va_list ap;
    va_start(ap, fmt);
    err->msg = vformat(fmt, ap);
    va_end(ap);
    errno = saved_errno;
    return err;
}

int srs_error_code(srs_error_t err)
{
    for (; err; err = err->wrapped) {
        if (err->code) return err->code;
    }
    return ERROR_SUCCESS;
}

const char *srs_error_code_name(int code)
{
    switch (code) {
    case ERROR_SUCCESS: return "Success";
#define SRS_ERROR_NAME(name, value, text) case value: return #name;
    SRS_ERROR_CODES(SRS_ERROR_NAME)
#undef SRS_ERROR_NAME
    default: return "Unknown";
    }
}

const char *srs_error_code_text(int code)
{
    switch (code) {
    case ERROR_SUCCESS: return "success";
#define SRS_ERROR_TEXT(name, value, text) case value: return text;
    SRS_ERROR_CODES(SRS_ERROR_TEXT)
#undef SRS_ERROR_TEXT
    default: return "unknown error";
    }
}

const char *srs_error_message(srs_error_t err)
{
    return err ? err->msg : "";
}

const char *srs_error_cause_message(srs_error_t err)
{
    if (!err) return "";
    while (err->wrapped) err = err->wrapped;
    return err->msg;
}

/* A growable string for building descriptions. */
typedef struct { char *s; size_t len, cap; } strbuf_t;

static void sb_printf(strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *piece = vformat(fmt, ap);
    va_end(ap);
    size_t n = strlen(piece);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = (char *)realloc(b->s, b->cap);
        if (!b->s) abort();
    }
    memcpy(b->s + b->len, piece, n + 1);
    b->len += n;
    free(piece);
}

const char *srs_error_summary(srs_error_t err)
{
    if (!err) return "success";
    if (err->summary) return err->summary;
    int code = srs_error_code(err);
    strbuf_t b = {0};
    sb_printf(&b, "code=%d(%s)(%s)", code, srs_error_code_name(code), srs_error_code_text(code));
    for (srs_error_t e = err; e; e = e->wrapped) {
        if (e->msg[0]) sb_printf(&b, " : %s", e->msg);
    }
    err->summary = b.s;
    return err->summary;
}

const char *srs_error_desc(srs_error_t err)
{
    if (!err) return "success";
    if (err->desc) return err->desc;
    strbuf_t b = {0};
    sb_printf(&b, "%s", srs_error_summary(err));
    for (srs_error_t e = err; e; e = e->wrapped) {
        sb_printf(&b, "\nthread [%d][%s]: %s() [%s:%d][errno=%d]", (int)getpid(), e->cid.id,
                  e->func, e->file, e->line, e->sys_errno);
    }
    err->desc = b.s;
    return err->desc;
}

void srs_error_free(srs_error_t err)
{
    while (err) {
        srs_error_t next = err->wrapped;
        free(err->msg);
        free(err->summary);
        free(err->desc);
        free(err);
        err = next;
    }
}
