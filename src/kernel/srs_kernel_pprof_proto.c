/* SPDX-License-Identifier: MIT */
#include "srs_kernel_pprof_proto.h"
#include "srs_kernel_map.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t start, limit, offset;
    int64_t file;
} mapping_t;

typedef struct {
    size_t loc_off, val_off, lab_off;
    int depth, nlabels;
} sample_t;

/* Grow an array of n used items to hold one more. */
#define GROW(arr, n, cap) do { \
    if ((n) == (cap)) { \
        (cap) = (cap) ? (cap) * 2 : 16; \
        void *p_ = realloc((arr), (cap) * sizeof(*(arr))); \
        if (!p_) abort(); \
        (arr) = p_; \
    } \
} while (0)

struct srs_pprof_builder_s {
    srs_map_t *string_index;     /* string → index + 1 */
    char **strings; size_t nstrings, cstrings;
    int64_t sample_types[SRS_PPROF_MAX_SAMPLE_TYPES][2]; int nsample_types;
    int64_t period_type[2]; int64_t period; bool has_period_type;
    int64_t default_sample_type;
    int64_t time_nanos, duration_nanos;
    int64_t *comments; size_t ncomments, ccomments;
    mapping_t *mappings; size_t nmappings, cmappings;
    uint64_t *loc_addrs; size_t nlocs, clocs;        /* location id - 1 → address */
    uint32_t *loc_slots; size_t nslots;              /* open addressing: location id, 0 = free */
    uint64_t *sample_locs; size_t nsample_locs, csample_locs;
    int64_t *sample_vals; size_t nsample_vals, csample_vals;
    int64_t *sample_labels; size_t nsample_labels, csample_labels; /* key, value string indexes */
    sample_t *samples; size_t nsamples, csamples;
};

static int64_t intern(srs_pprof_builder_t *b, const char *s)
{
    if (!s) s = "";
    uintptr_t v = (uintptr_t)srs_map_get(b->string_index, s);
    if (v) return (int64_t)(v - 1);
    char *copy = strdup(s);
    if (!copy) abort();
    GROW(b->strings, b->nstrings, b->cstrings);
    b->strings[b->nstrings] = copy;
    srs_map_set(b->string_index, s, (void *)(uintptr_t)(b->nstrings + 1));
    return (int64_t)b->nstrings++;
}

srs_pprof_builder_t *srs_pprof_builder_new(void)
{
    srs_pprof_builder_t *b = (srs_pprof_builder_t *)calloc(1, sizeof(*b));
    if (!b) abort();
    b->string_index = srs_map_new();
    intern(b, ""); /* the format requires string_table[0] == "" */
    return b;
}

void srs_pprof_builder_free(srs_pprof_builder_t *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->nstrings; i++) free(b->strings[i]);
    free(b->strings);
    srs_map_free(b->string_index);
    free(b->comments);
    free(b->mappings);
    free(b->loc_addrs);
    free(b->loc_slots);
    free(b->sample_locs);
    free(b->sample_vals);
    free(b->sample_labels);
    free(b->samples);
    free(b);
}

void srs_pprof_add_sample_type(srs_pprof_builder_t *b, const char *type, const char *unit)
{
    if (b->nsample_types >= SRS_PPROF_MAX_SAMPLE_TYPES) abort(); /* a programming error */
    b->sample_types[b->nsample_types][0] = intern(b, type);
    b->sample_types[b->nsample_types][1] = intern(b, unit);
    b->nsample_types++;
}

void srs_pprof_set_period(srs_pprof_builder_t *b, const char *type, const char *unit, int64_t period)
{
    b->period_type[0] = intern(b, type);
    b->period_type[1] = intern(b, unit);
    b->has_period_type = true;
    b->period = period;
}

void srs_pprof_set_default_sample_type(srs_pprof_builder_t *b, const char *type)
{
    b->default_sample_type = intern(b, type);
}

void srs_pprof_set_time(srs_pprof_builder_t *b, int64_t time_nanos, int64_t duration_nanos)
{
    b->time_nanos = time_nanos;
    b->duration_nanos = duration_nanos;
}

void srs_pprof_add_comment(srs_pprof_builder_t *b, const char *comment)
{
    int64_t idx = intern(b, comment);
    GROW(b->comments, b->ncomments, b->ccomments);
    b->comments[b->ncomments++] = idx;
}

void srs_pprof_add_mapping(srs_pprof_builder_t *b, uint64_t start, uint64_t limit, uint64_t file_offset,
                           const char *file)
{
    GROW(b->mappings, b->nmappings, b->cmappings);
    mapping_t *m = &b->mappings[b->nmappings++];
    m->start = start;
    m->limit = limit;
    m->offset = file_offset;
    m->file = intern(b, file);
}

static size_t slot_of(uint64_t addr, size_t nslots)
{
    return (size_t)((addr * 0x9E3779B97F4A7C15ULL) >> 17) & (nslots - 1);
}

static void rehash(srs_pprof_builder_t *b)
{
    size_t n = b->nslots ? b->nslots * 2 : 1024;
    uint32_t *slots = (uint32_t *)calloc(n, sizeof(*slots));
    if (!slots) abort();
    for (size_t id = 1; id <= b->nlocs; id++) {
        size_t i = slot_of(b->loc_addrs[id - 1], n);
        while (slots[i]) i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)id;
    }
    free(b->loc_slots);
    b->loc_slots = slots;
    b->nslots = n;
}

/* The location id of an address, made on first use. */
static uint64_t location_of(srs_pprof_builder_t *b, uint64_t addr)
{
    if ((b->nlocs + 1) * 2 > b->nslots) rehash(b);
    size_t i = slot_of(addr, b->nslots);
    while (b->loc_slots[i]) {
        uint32_t id = b->loc_slots[i];
        if (b->loc_addrs[id - 1] == addr) return id;
        i = (i + 1) & (b->nslots - 1);
    }
    GROW(b->loc_addrs, b->nlocs, b->clocs);
    b->loc_addrs[b->nlocs++] = addr;
    b->loc_slots[i] = (uint32_t)b->nlocs;
    return b->nlocs;
}

void srs_pprof_add_sample(srs_pprof_builder_t *b, const uint64_t *addrs, int depth, const int64_t *values,
                          const srs_pprof_label_t *labels, int nlabels)
{
    GROW(b->samples, b->nsamples, b->csamples);
    sample_t *s = &b->samples[b->nsamples++];
    s->loc_off = b->nsample_locs;
    s->val_off = b->nsample_vals;
    s->lab_off = b->nsample_labels;
    s->depth = depth > 0 ? depth : 0;
    s->nlabels = nlabels > 0 ? nlabels : 0;
    for (int i = 0; i < s->depth; i++) {
        uint64_t id = location_of(b, addrs[i]);
        GROW(b->sample_locs, b->nsample_locs, b->csample_locs);
        b->sample_locs[b->nsample_locs++] = id;
    }
    for (int i = 0; i < b->nsample_types; i++) {
        GROW(b->sample_vals, b->nsample_vals, b->csample_vals);
        b->sample_vals[b->nsample_vals++] = values[i];
    }
    for (int i = 0; i < s->nlabels; i++) {
        int64_t k = intern(b, labels[i].key), v = intern(b, labels[i].value);
        GROW(b->sample_labels, b->nsample_labels, b->csample_labels);
        b->sample_labels[b->nsample_labels++] = k;
        GROW(b->sample_labels, b->nsample_labels, b->csample_labels);
        b->sample_labels[b->nsample_labels++] = v;
    }
}

size_t srs_pprof_sample_count(const srs_pprof_builder_t *b)
{
    return b->nsamples;
}

/* Protocol buffer encoding: varints and length-delimited fields are all a profile needs. */
enum { WIRE_VARINT = 0, WIRE_BYTES = 2 };

static void put_varint(srs_strbuf_t *o, uint64_t v)
{
    uint8_t tmp[10];
    int n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) tmp[n] |= 0x80;
        n++;
    } while (v);
    srs_strbuf_append(o, tmp, (size_t)n);
}

static void put_tag(srs_strbuf_t *o, int field, int wire)
{
    put_varint(o, ((uint64_t)field << 3) | (uint64_t)wire);
}

/* Zero is the default of every field: skip it, as protobuf encoders do. */
static void put_uint(srs_strbuf_t *o, int field, uint64_t v)
{
    if (!v) return;
    put_tag(o, field, WIRE_VARINT);
    put_varint(o, v);
}

static void put_bytes(srs_strbuf_t *o, int field, const void *data, size_t len)
{
    put_tag(o, field, WIRE_BYTES);
    put_varint(o, len);
    srs_strbuf_append(o, data, len);
}

/* A nested message (or packed field) held in msg, then cleared for reuse. */
static void put_msg(srs_strbuf_t *o, int field, srs_strbuf_t *msg)
{
    put_bytes(o, field, msg->data, msg->len);
    srs_strbuf_clear(msg);
}

static void put_value_type(srs_strbuf_t *o, int field, const int64_t vt[2], srs_strbuf_t *tmp)
{
    put_uint(tmp, 1, (uint64_t)vt[0]);
    put_uint(tmp, 2, (uint64_t)vt[1]);
    put_msg(o, field, tmp);
}

static void encode_samples(srs_pprof_builder_t *b, srs_strbuf_t *o, srs_strbuf_t *msg, srs_strbuf_t *tmp)
{
    for (size_t i = 0; i < b->nsamples; i++) {
        const sample_t *s = &b->samples[i];
        for (int k = 0; k < s->depth; k++) put_varint(tmp, b->sample_locs[s->loc_off + (size_t)k]);
        if (tmp->len) put_msg(msg, 1, tmp);
        for (int k = 0; k < b->nsample_types; k++) put_varint(tmp, (uint64_t)b->sample_vals[s->val_off + (size_t)k]);
        if (tmp->len) put_msg(msg, 2, tmp);
        for (int k = 0; k < s->nlabels; k++) {
            srs_strbuf_t label = {0};
            put_uint(&label, 1, (uint64_t)b->sample_labels[s->lab_off + 2 * (size_t)k]);
            put_uint(&label, 2, (uint64_t)b->sample_labels[s->lab_off + 2 * (size_t)k + 1]);
            put_msg(msg, 3, &label);
            srs_strbuf_free(&label);
        }
        put_msg(o, 2, msg);
    }
}

static uint64_t mapping_of(const srs_pprof_builder_t *b, uint64_t addr)
{
    for (size_t i = 0; i < b->nmappings; i++) {
        if (addr >= b->mappings[i].start && addr < b->mappings[i].limit) return i + 1;
    }
    return 0;
}

/* Locations and the functions that name them; function ids are interned by name. */
static void encode_locations(srs_pprof_builder_t *b, srs_pprof_symbolize_fn symbolize, void *ctx, srs_strbuf_t *o,
                             srs_strbuf_t *msg, srs_strbuf_t *tmp, srs_strbuf_t *functions)
{
    /* Name string index → function id; the string table only grows while we look up names. */
    uint64_t *fn_of_name = NULL;
    size_t cap = 0;
    uint64_t nfunctions = 0;
    for (size_t i = 0; i < b->nlocs; i++) {
        uint64_t addr = b->loc_addrs[i];
        put_uint(msg, 1, i + 1);
        put_uint(msg, 2, mapping_of(b, addr));
        put_uint(msg, 3, addr);
        const char *name = NULL;
        if (symbolize && symbolize(ctx, addr, &name) && name && *name) {
            int64_t idx = intern(b, name);
            if ((size_t)idx >= cap) {
                size_t ncap = cap ? cap : 256;
                while (ncap <= (size_t)idx) ncap *= 2;
                fn_of_name = (uint64_t *)realloc(fn_of_name, ncap * sizeof(*fn_of_name));
                if (!fn_of_name) abort();
                memset(fn_of_name + cap, 0, (ncap - cap) * sizeof(*fn_of_name));
                cap = ncap;
            }
            if (!fn_of_name[idx]) {
                fn_of_name[idx] = ++nfunctions;
                put_uint(tmp, 1, nfunctions);
                put_uint(tmp, 2, (uint64_t)idx);
                put_uint(tmp, 3, (uint64_t)idx);
                put_msg(functions, 5, tmp);
            }
            put_uint(tmp, 1, fn_of_name[idx]);
            put_msg(msg, 4, tmp);
        }
        put_msg(o, 4, msg);
    }
    free(fn_of_name);
}

void srs_pprof_encode(srs_pprof_builder_t *b, srs_pprof_symbolize_fn symbolize, void *ctx, srs_strbuf_t *out)
{
    srs_strbuf_t o = {0}, msg = {0}, tmp = {0}, functions = {0};
    for (int i = 0; i < b->nsample_types; i++) put_value_type(&o, 1, b->sample_types[i], &tmp);
    encode_samples(b, &o, &msg, &tmp);
    for (size_t i = 0; i < b->nmappings; i++) {
        const mapping_t *m = &b->mappings[i];
        put_uint(&msg, 1, i + 1);
        put_uint(&msg, 2, m->start);
        put_uint(&msg, 3, m->limit);
        put_uint(&msg, 4, m->offset);
        put_uint(&msg, 5, (uint64_t)m->file);
        put_uint(&msg, 7, symbolize ? 1 : 0); /* has_functions: pprof need not symbolize again */
        put_msg(&o, 3, &msg);
    }
    encode_locations(b, symbolize, ctx, &o, &msg, &tmp, &functions);
    srs_strbuf_append(&o, functions.data, functions.len);
    /* The string table last: naming the locations added to it. */
    for (size_t i = 0; i < b->nstrings; i++) put_bytes(&o, 6, b->strings[i], strlen(b->strings[i]));
    put_uint(&o, 9, (uint64_t)b->time_nanos);
    put_uint(&o, 10, (uint64_t)b->duration_nanos);
    if (b->has_period_type) put_value_type(&o, 11, b->period_type, &tmp);
    put_uint(&o, 12, (uint64_t)b->period);
    for (size_t i = 0; i < b->ncomments; i++) {
        put_tag(&o, 13, WIRE_VARINT);
        put_varint(&o, (uint64_t)b->comments[i]);
    }
    put_uint(&o, 14, (uint64_t)b->default_sample_type);
    srs_strbuf_append(out, o.data, o.len);
    srs_strbuf_free(&o);
    srs_strbuf_free(&msg);
    srs_strbuf_free(&tmp);
    srs_strbuf_free(&functions);
}

uint32_t srs_crc32_update(uint32_t crc, const void *data, size_t len)
{
    static uint32_t table[256];
    static bool ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = true;
    }
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void put_le32(srs_strbuf_t *o, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    srs_strbuf_append(o, b, 4);
}

void srs_gzip_store(const void *data, size_t len, srs_strbuf_t *out)
{
    /* RFC 1952 header: deflate, no flags, no mtime, OS unknown. */
    static const uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
    srs_strbuf_append(out, header, sizeof(header));
    const uint8_t *p = (const uint8_t *)data;
    size_t left = len;
    do {
        /* RFC 1951 stored block: BFINAL, BTYPE=00, then LEN and its complement. */
        uint16_t n = (uint16_t)SRS_MIN(left, 65535u);
        uint8_t head[5] = {(uint8_t)(left <= 65535 ? 1 : 0), (uint8_t)n, (uint8_t)(n >> 8),
                           (uint8_t)~n, (uint8_t)(~n >> 8)};
        srs_strbuf_append(out, head, sizeof(head));
        srs_strbuf_append(out, p, n);
        p += n;
        left -= n;
    } while (left);
    put_le32(out, srs_crc32_update(0, data, len));
    put_le32(out, (uint32_t)len);
}
