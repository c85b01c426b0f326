/* SPDX-License-Identifier: MIT */
/* The Prometheus text exposition format, version 0.0.4: for each metric family one HELP and one
 * TYPE line, then its samples `name{label="value",...} value`. Label values and help texts are
 * escaped; bytes a scraper could choke on (control characters, non-ASCII) become '?', since label
 * values can come from the network (origin ids). No I/O. */
#ifndef SRS_KERNEL_PROMETHEUS_H
#define SRS_KERNEL_PROMETHEUS_H

#include "srs_core.h"
#include "srs_kernel_strbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_PROMETHEUS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* "counter" or "gauge" (or "untyped"); write it once, before the family's samples. */
void srs_prom_family(srs_strbuf_t *out, const char *name, const char *type, const char *help);
/* A sample; labels holds nlabels pairs {name, value} (name[, value] ...), may be NULL. */
void srs_prom_sample_u64(srs_strbuf_t *out, const char *name, const char *const *labels, int nlabels, uint64_t value);
void srs_prom_sample_double(srs_strbuf_t *out, const char *name, const char *const *labels, int nlabels, double value);
/* A label written on every sample from now on (e.g. worker="1" in a worker of PROXY_WORKERS);
 * name NULL removes it. name must be a valid label name; both are copied (value truncated at 63). */
void srs_prom_set_process_label(const char *name, const char *value);
/* True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), or label name (no ':') when label. */
bool srs_prom_valid_name(const char *name, bool label);

#ifdef __cplusplus
}
#endif

#endif
