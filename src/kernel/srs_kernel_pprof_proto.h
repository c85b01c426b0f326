/* SPDX-License-Identifier: MIT */
/* Builds a profile in pprof's profile.proto format (github.com/google/pprof, proto/profile.proto),
 * the format `go tool pprof` reads natively, gzipped like Go's /debug/pprof answers. Samples are
 * stacks of code addresses; at encoding time a callback names each address, so the profile is
 * symbolized: it stays readable after the binary is rebuilt or on another machine. No I/O. */
#ifndef SRS_KERNEL_PPROF_PROTO_H
#define SRS_KERNEL_PPROF_PROTO_H

#include "srs_core.h"
#include "srs_kernel_strbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_PPROF_MAX_SAMPLE_TYPES 8

typedef struct srs_pprof_builder_s srs_pprof_builder_t;

/* A string label on a sample, e.g. {"coroutine", "rtc-mux"}. */
typedef struct {
    const char *key;
    const char *value;
} srs_pprof_label_t;

srs_pprof_builder_t *srs_pprof_builder_new(void);
void srs_pprof_builder_free(srs_pprof_builder_t *b);

/* Sample types in the order of every sample's values, e.g. ("samples", "count"). */
void srs_pprof_add_sample_type(srs_pprof_builder_t *b, const char *type, const char *unit);
/* What one unit of sampling stands for, e.g. ("cpu", "nanoseconds", 10000000). */
void srs_pprof_set_period(srs_pprof_builder_t *b, const char *type, const char *unit, int64_t period);
/* The sample type pprof shows unless told otherwise (by default, the last one). */
void srs_pprof_set_default_sample_type(srs_pprof_builder_t *b, const char *type);
void srs_pprof_set_time(srs_pprof_builder_t *b, int64_t time_nanos, int64_t duration_nanos);
void srs_pprof_add_comment(srs_pprof_builder_t *b, const char *comment);
/* Code loaded at [start, limit) from file at file_offset. Locations inside it refer to it. */
void srs_pprof_add_mapping(srs_pprof_builder_t *b, uint64_t start, uint64_t limit, uint64_t file_offset,
                           const char *file);
/* One sample: the stack (leaf first; each address already pointing into its call instruction),
 * one value per sample type, and optional labels. */
void srs_pprof_add_sample(srs_pprof_builder_t *b, const uint64_t *addrs, int depth, const int64_t *values,
                          const srs_pprof_label_t *labels, int nlabels);
size_t srs_pprof_sample_count(const srs_pprof_builder_t *b);

/* Names the function holding addr; false when unknown (pprof then shows the address). */
typedef bool (*srs_pprof_symbolize_fn)(void *ctx, uint64_t addr, const char **name);

/* The profile as profile.proto bytes (not compressed), appended to out. */
void srs_pprof_encode(srs_pprof_builder_t *b, srs_pprof_symbolize_fn symbolize, void *ctx, srs_strbuf_t *out);

/* Wrap data as a gzip member (stored deflate blocks: no compression library needed, and every
 * gzip reader takes it). */
void srs_gzip_store(const void *data, size_t len, srs_strbuf_t *out);
/* CRC-32 (IEEE 802.3), as gzip uses; crc starts at 0. */
uint32_t srs_crc32_update(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
