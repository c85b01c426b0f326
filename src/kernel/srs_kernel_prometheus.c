/* SPDX-License-Identifier: MIT */
#include "srs_kernel_prometheus.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Escape \ and newline (and " in label values); replace other unsafe bytes by '?'. */
static void put_escaped(srs_strbuf_t *out, const char *s, bool quote)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\') srs_strbuf_puts(out, "\\\\");
        else if (c == '\n') srs_strbuf_puts(out, "\\n");
        else if (c == '"' && quote) srs_strbuf_puts(out, "\\\"");
        else if (c < 0x20 || c >= 0x7f) srs_strbuf_putc(out, '?');
        else srs_strbuf_putc(out, (char)c);
    }
}

void srs_prom_family(srs_strbuf_t *out, const char *name, const char *type, const char *help)
{
    srs_strbuf_printf(out, "# HELP %s ", name);
    put_escaped(out, help, false);
    srs_strbuf_printf(out, "\n# TYPE %s %s\n", name, type);
}

static char process_label_name[64], process_label_value[64];

void srs_prom_set_process_label(const char *name, const char *value)
{
    process_label_name[0] = process_label_value[0] = 0;
    if (!name || !srs_prom_valid_name(name, true) || strlen(name) >= sizeof(process_label_name)) return;
    strcpy(process_label_name, name);
    snprintf(process_label_value, sizeof(process_label_value), "%s", value ? value : "");
}

static void put_name_labels(srs_strbuf_t *out, const char *name, const char *const *labels, int nlabels)
{
    srs_strbuf_puts(out, name);
    bool process = process_label_name[0] != 0;
    if ((!labels || nlabels <= 0) && !process) return;
    srs_strbuf_putc(out, '{');
    int written = 0;
    for (int i = 0; labels && i < nlabels; i++) {
        if (written++) srs_strbuf_putc(out, ',');
        srs_strbuf_puts(out, labels[2 * i]);
        srs_strbuf_puts(out, "=\"");
        put_escaped(out, labels[2 * i + 1] ? labels[2 * i + 1] : "", true);
        srs_strbuf_putc(out, '"');
    }
    if (process) {
        if (written) srs_strbuf_putc(out, ',');
        srs_strbuf_puts(out, process_label_name);
        srs_strbuf_puts(out, "=\"");
        put_escaped(out, process_label_value, true);
        srs_strbuf_putc(out, '"');
    }
    srs_strbuf_putc(out, '}');
}

void srs_prom_sample_u64(srs_strbuf_t *out, const char *name, const char *const *labels, int nlabels, uint64_t value)
{
    put_name_labels(out, name, labels, nlabels);
    srs_strbuf_printf(out, " %llu\n", (unsigned long long)value);
}

void srs_prom_sample_double(srs_strbuf_t *out, const char *name, const char *const *labels, int nlabels, double value)
{
    put_name_labels(out, name, labels, nlabels);
    if (isnan(value)) srs_strbuf_puts(out, " NaN\n");
    else if (isinf(value)) srs_strbuf_puts(out, value > 0 ? " +Inf\n" : " -Inf\n");
    else srs_strbuf_printf(out, " %.17g\n", value);
}

bool srs_prom_valid_name(const char *name, bool label)
{
    if (!name || !*name) return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':');
        if (!alpha && !(p != name && c >= '0' && c <= '9')) return false;
    }
    return true;
}
