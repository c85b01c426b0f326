/* SPDX-License-Identifier: MIT */
/* AMF0 values, decoder and encoder (Adobe AMF0 specification, as RTMP uses it). */
#include "srs_protocol_amf0.h"

#include <stdlib.h>
#include <string.h>

/* Markers we do not keep as their own type, or reject. */
#define AMF0_MARKER_OBJECT_END 0x09
#define AMF0_MARKER_LONG_STRING 0x0C

typedef struct {
    char *key;       /* NUL-terminated copy; NULL for strict array elements */
    size_t key_len;
    srs_amf0_t *value;
} amf0_item_t;

struct srs_amf0_s {
    srs_amf0_type_t type;
    double number;     /* number, date (ms) */
    int16_t tz;        /* date */
    bool boolean;
    char *str;         /* string: NUL-terminated copy */
    size_t len;
    amf0_item_t *items; /* object, ECMA array, strict array */
    size_t count;
    size_t cap;
};

static void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) abort();
    return p;
}

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) abort();
    return p;
}

static char *copy_bytes(const char *data, size_t len)
{
    char *p = (char *)xmalloc(len + 1);
    if (len) memcpy(p, data, len);
    p[len] = '\0';
    return p;
}

static srs_amf0_t *amf0_new(srs_amf0_type_t type)
{
    srs_amf0_t *v = (srs_amf0_t *)calloc(1, sizeof(*v));
    if (!v) abort();
    v->type = type;
    return v;
}

srs_amf0_t *srs_amf0_new_number(double value)
{
    srs_amf0_t *v = amf0_new(SRS_AMF0_NUMBER);
    v->number = value;
    return v;
}

srs_amf0_t *srs_amf0_new_boolean(bool value)
{
    srs_amf0_t *v = amf0_new(SRS_AMF0_BOOLEAN);
    v->boolean = value;
    return v;
}

srs_amf0_t *srs_amf0_new_string_n(const char *text, size_t len)
{
    srs_amf0_t *v = amf0_new(SRS_AMF0_STRING);
    v->str = copy_bytes(text, len);
    v->len = len;
    return v;
}

srs_amf0_t *srs_amf0_new_string(const char *text)
{
    return srs_amf0_new_string_n(text ? text : "", text ? strlen(text) : 0);
}

srs_amf0_t *srs_amf0_new_object(void) { return amf0_new(SRS_AMF0_OBJECT); }
srs_amf0_t *srs_amf0_new_ecma_array(void) { return amf0_new(SRS_AMF0_ECMA_ARRAY); }
srs_amf0_t *srs_amf0_new_strict_array(void) { return amf0_new(SRS_AMF0_STRICT_ARRAY); }
srs_amf0_t *srs_amf0_new_null(void) { return amf0_new(SRS_AMF0_NULL); }
srs_amf0_t *srs_amf0_new_undefined(void) { return amf0_new(SRS_AMF0_UNDEFINED); }

srs_amf0_t *srs_amf0_new_date(double ms, int16_t tz)
{
    srs_amf0_t *v = amf0_new(SRS_AMF0_DATE);
    v->number = ms;
    v->tz = tz;
    return v;
}

void srs_amf0_free(srs_amf0_t *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->count; i++) {
        free(v->items[i].key);
        srs_amf0_free(v->items[i].value);
    }
    free(v->items);
    free(v->str);
    free(v);
}

static bool is_container(const srs_amf0_t *v)
{
    return v && (v->type == SRS_AMF0_OBJECT || v->type == SRS_AMF0_ECMA_ARRAY ||
                 v->type == SRS_AMF0_STRICT_ARRAY);
}

static bool has_keys(const srs_amf0_t *v)
{
    return v && (v->type == SRS_AMF0_OBJECT || v->type == SRS_AMF0_ECMA_ARRAY);
}

/* Append an item; key may be NULL (strict array). Takes ownership of value. */
static void push_item(srs_amf0_t *c, const char *key, size_t key_len, srs_amf0_t *value)
{
    if (c->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->items = (amf0_item_t *)xrealloc(c->items, c->cap * sizeof(amf0_item_t));
    }
    amf0_item_t *it = &c->items[c->count++];
    it->key = key ? copy_bytes(key, key_len) : NULL;
    it->key_len = key_len;
    it->value = value;
}

srs_amf0_t *srs_amf0_copy(const srs_amf0_t *v)
{
    if (!v) return NULL;
    srs_amf0_t *c = amf0_new(v->type);
    c->number = v->number;
    c->tz = v->tz;
    c->boolean = v->boolean;
    if (v->str) {
        c->str = copy_bytes(v->str, v->len);
        c->len = v->len;
    }
    for (size_t i = 0; i < v->count; i++) {
        push_item(c, v->items[i].key, v->items[i].key_len, srs_amf0_copy(v->items[i].value));
    }
    return c;
}

srs_amf0_type_t srs_amf0_type(const srs_amf0_t *v) { return v ? v->type : SRS_AMF0_UNDEFINED; }

double srs_amf0_number(const srs_amf0_t *v)
{
    return (v && (v->type == SRS_AMF0_NUMBER || v->type == SRS_AMF0_DATE)) ? v->number : 0;
}

bool srs_amf0_boolean(const srs_amf0_t *v) { return v && v->type == SRS_AMF0_BOOLEAN && v->boolean; }
int16_t srs_amf0_date_tz(const srs_amf0_t *v) { return (v && v->type == SRS_AMF0_DATE) ? v->tz : 0; }
const char *srs_amf0_string(const srs_amf0_t *v) { return (v && v->type == SRS_AMF0_STRING) ? v->str : NULL; }
size_t srs_amf0_string_len(const srs_amf0_t *v) { return (v && v->type == SRS_AMF0_STRING) ? v->len : 0; }

static amf0_item_t *find_item(const srs_amf0_t *obj, const char *key)
{
    if (!has_keys(obj) || !key) return NULL;
    size_t len = strlen(key);
    for (size_t i = 0; i < obj->count; i++) {
        amf0_item_t *it = &obj->items[i];
        if (it->key_len == len && memcmp(it->key, key, len) == 0) return it;
    }
    return NULL;
}

void srs_amf0_set(srs_amf0_t *obj, const char *key, srs_amf0_t *value)
{
    if (!has_keys(obj) || !key) {
        srs_amf0_free(value);
        return;
    }
    amf0_item_t *it = find_item(obj, key);
    if (it) {
        srs_amf0_free(it->value);
        it->value = value;
        return;
    }
    push_item(obj, key, strlen(key), value);
}

srs_amf0_t *srs_amf0_get(const srs_amf0_t *obj, const char *key)
{
    amf0_item_t *it = find_item(obj, key);
    return it ? it->value : NULL;
}

const char *srs_amf0_get_string(const srs_amf0_t *obj, const char *key)
{
    return srs_amf0_string(srs_amf0_get(obj, key));
}

bool srs_amf0_get_number(const srs_amf0_t *obj, const char *key, double *out)
{
    srs_amf0_t *v = srs_amf0_get(obj, key);
    if (!v || v->type != SRS_AMF0_NUMBER) return false;
    *out = v->number;
    return true;
}

bool srs_amf0_remove(srs_amf0_t *obj, const char *key)
{
    amf0_item_t *it = find_item(obj, key);
    if (!it) return false;
    size_t i = (size_t)(it - obj->items);
    free(it->key);
    srs_amf0_free(it->value);
    memmove(&obj->items[i], &obj->items[i + 1], (obj->count - i - 1) * sizeof(amf0_item_t));
    obj->count--;
    return true;
}

void srs_amf0_append(srs_amf0_t *array, srs_amf0_t *value)
{
    if (!array || array->type != SRS_AMF0_STRICT_ARRAY) {
        srs_amf0_free(value);
        return;
    }
    push_item(array, NULL, 0, value);
}

size_t srs_amf0_count(const srs_amf0_t *v) { return is_container(v) ? v->count : 0; }

const char *srs_amf0_key_at(const srs_amf0_t *v, size_t i)
{
    return (has_keys(v) && i < v->count) ? v->items[i].key : NULL;
}

srs_amf0_t *srs_amf0_value_at(const srs_amf0_t *v, size_t i)
{
    return (is_container(v) && i < v->count) ? v->items[i].value : NULL;
}

bool srs_amf0_equal(const srs_amf0_t *a, const srs_amf0_t *b)
{
    if (!a || !b) return a == b;
    if (a->type != b->type) return false;
    switch (a->type) {
    case SRS_AMF0_NUMBER: return a->number == b->number;
    case SRS_AMF0_DATE: return a->number == b->number && a->tz == b->tz;
    case SRS_AMF0_BOOLEAN: return a->boolean == b->boolean;
    case SRS_AMF0_STRING: return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case SRS_AMF0_NULL:
    case SRS_AMF0_UNDEFINED: return true;
    default: break;
    }
    if (a->count != b->count) return false;
    for (size_t i = 0; i < a->count; i++) {
        const amf0_item_t *x = &a->items[i], *y = &b->items[i];
        if (x->key_len != y->key_len || (x->key && memcmp(x->key, y->key, x->key_len) != 0)) return false;
        if (!srs_amf0_equal(x->value, y->value)) return false;
    }
    return true;
}

/* ---- Buffer ---- */

void srs_amf0_buf_free(srs_amf0_buf_t *buf)
{
    if (!buf) return;
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void srs_amf0_buf_append(srs_amf0_buf_t *buf, const void *data, size_t len)
{
    if (buf->cap - buf->len < len) {
        size_t cap = buf->cap ? buf->cap : 256;
        while (cap - buf->len < len) cap *= 2;
        buf->data = (uint8_t *)xrealloc(buf->data, cap);
        buf->cap = cap;
    }
    if (len) memcpy(buf->data + buf->len, data, len);
    buf->len += len;
}

/* ---- Decoder ---- */

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
    srs_amf0_budget_t *budget;
} amf0_reader_t;

void srs_amf0_budget_init(srs_amf0_budget_t *b, size_t max_nodes, int max_depth)
{
    b->nodes_left = max_nodes;
    b->nodes_used = 0;
    b->max_depth = SRS_MAX(1, SRS_MIN(max_depth, SRS_AMF0_MAX_DEPTH));
}

/* Take one node from the budget, before the node is allocated. */
static srs_error_t spend_node(amf0_reader_t *r)
{
    if (r->budget->nodes_left == 0) {
        return srs_error_new(ERROR_RTMP_AMF0_BUDGET, "more than %zu AMF0 values", r->budget->nodes_used);
    }
    r->budget->nodes_left--;
    r->budget->nodes_used++;
    return srs_success;
}

static size_t left(const amf0_reader_t *r) { return r->size - r->pos; }

static uint16_t get_u16(amf0_reader_t *r)
{
    uint16_t v = (uint16_t)((r->data[r->pos] << 8) | r->data[r->pos + 1]);
    r->pos += 2;
    return v;
}

static uint32_t get_u32(amf0_reader_t *r)
{
    const uint8_t *p = r->data + r->pos;
    r->pos += 4;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static double get_double(amf0_reader_t *r)
{
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++) bits = (bits << 8) | r->data[r->pos + i];
    r->pos += 8;
    double d;
    memcpy(&d, &bits, sizeof(d));
    return d;
}

static srs_error_t decode_value(amf0_reader_t *r, int depth, srs_amf0_t **out);

/* Properties of an object or ECMA array, up to the end marker 00 00 09 (or the input's end). */
static srs_error_t decode_properties(amf0_reader_t *r, int depth, srs_amf0_t *obj)
{
    while (left(r) > 0) {
        if (left(r) < 2) return srs_error_new(ERROR_RTMP_AMF0, "property key length needs 2 bytes, %zu left", left(r));
        uint16_t key_len = get_u16(r);
        if (key_len == 0 && (left(r) == 0 || r->data[r->pos] == AMF0_MARKER_OBJECT_END)) {
            if (left(r) > 0) r->pos++;
            return srs_success;
        }
        if (left(r) < key_len) return srs_error_new(ERROR_RTMP_AMF0, "property key of %u bytes, %zu left", key_len, left(r));
        const char *key = (const char *)r->data + r->pos;
        r->pos += key_len;

        srs_amf0_t *value = NULL;
        srs_error_t err = decode_value(r, depth + 1, &value);
        if (err) return srs_error_wrap(err, "property %.*s", (int)SRS_MIN(key_len, 64), key);
        push_item(obj, key, key_len, value);
    }
    return srs_success;
}

static srs_error_t decode_value(amf0_reader_t *r, int depth, srs_amf0_t **out)
{
    srs_error_t err = srs_success;
    if (left(r) < 1) return srs_error_new(ERROR_RTMP_AMF0, "marker needs 1 byte, none left");
    uint8_t marker = r->data[r->pos++];
    srs_amf0_t *v = NULL;
    if ((err = spend_node(r)) != srs_success) return err;

    switch (marker) {
    case SRS_AMF0_NUMBER:
        if (left(r) < 8) return srs_error_new(ERROR_RTMP_AMF0, "number needs 8 bytes, %zu left", left(r));
        *out = srs_amf0_new_number(get_double(r));
        return srs_success;
    case SRS_AMF0_BOOLEAN:
        if (left(r) < 1) return srs_error_new(ERROR_RTMP_AMF0, "boolean needs 1 byte, none left");
        *out = srs_amf0_new_boolean(r->data[r->pos++] != 0);
        return srs_success;
    case SRS_AMF0_STRING:
    case AMF0_MARKER_LONG_STRING: {
        size_t need = marker == SRS_AMF0_STRING ? 2 : 4;
        if (left(r) < need) return srs_error_new(ERROR_RTMP_AMF0, "string length needs %zu bytes, %zu left", need, left(r));
        size_t len = marker == SRS_AMF0_STRING ? get_u16(r) : get_u32(r);
        if (left(r) < len) return srs_error_new(ERROR_RTMP_AMF0, "string of %zu bytes, %zu left", len, left(r));
        *out = srs_amf0_new_string_n((const char *)r->data + r->pos, len);
        r->pos += len;
        return srs_success;
    }
    case SRS_AMF0_NULL:
        *out = srs_amf0_new_null();
        return srs_success;
    case SRS_AMF0_UNDEFINED:
        *out = srs_amf0_new_undefined();
        return srs_success;
    case SRS_AMF0_DATE:
        if (left(r) < 10) return srs_error_new(ERROR_RTMP_AMF0, "date needs 10 bytes, %zu left", left(r));
        {
            double ms = get_double(r);
            int16_t tz = (int16_t)get_u16(r);
            *out = srs_amf0_new_date(ms, tz);
        }
        return srs_success;
    case SRS_AMF0_OBJECT:
    case SRS_AMF0_ECMA_ARRAY:
    case SRS_AMF0_STRICT_ARRAY:
        break;
    default:
        return srs_error_new(ERROR_RTMP_AMF0, "unsupported marker 0x%02x", marker);
    }

    if (depth >= r->budget->max_depth) {
        return srs_error_new(ERROR_RTMP_AMF0_BUDGET, "nested deeper than %d", r->budget->max_depth);
    }

    if (marker == SRS_AMF0_STRICT_ARRAY) {
        if (left(r) < 4) return srs_error_new(ERROR_RTMP_AMF0, "strict array count needs 4 bytes, %zu left", left(r));
        uint32_t count = get_u32(r);
        /* Each element takes at least its marker byte, and one node. */
        if (count > left(r)) return srs_error_new(ERROR_RTMP_AMF0, "strict array of %u elements, %zu bytes left", count, left(r));
        if (count > r->budget->nodes_left) {
            return srs_error_new(ERROR_RTMP_AMF0_BUDGET, "strict array of %u elements, %zu AMF0 values left", count,
                                 r->budget->nodes_left);
        }
        v = srs_amf0_new_strict_array();
        for (uint32_t i = 0; i < count; i++) {
            srs_amf0_t *e = NULL;
            if ((err = decode_value(r, depth + 1, &e)) != srs_success) {
                srs_amf0_free(v);
                return srs_error_wrap(err, "strict array element %u", i);
            }
            push_item(v, NULL, 0, e);
        }
        *out = v;
        return srs_success;
    }

    if (marker == SRS_AMF0_ECMA_ARRAY) {
        /* The count is advisory: the properties run to the end marker. */
        if (left(r) < 4) return srs_error_new(ERROR_RTMP_AMF0, "ECMA array count needs 4 bytes, %zu left", left(r));
        uint32_t count = get_u32(r);
        if (count > r->budget->nodes_left) {
            return srs_error_new(ERROR_RTMP_AMF0_BUDGET, "ECMA array of %u properties, %zu AMF0 values left", count,
                                 r->budget->nodes_left);
        }
        v = srs_amf0_new_ecma_array();
    } else {
        v = srs_amf0_new_object();
    }
    if ((err = decode_properties(r, depth, v)) != srs_success) {
        srs_amf0_free(v);
        return srs_error_wrap(err, marker == SRS_AMF0_OBJECT ? "object" : "ECMA array");
    }
    *out = v;
    return srs_success;
}

srs_error_t srs_amf0_decode_budget(const uint8_t *data, size_t size, srs_amf0_budget_t *budget, srs_amf0_t **out,
                                   size_t *consumed)
{
    amf0_reader_t r = {data, data ? size : 0, 0, budget};
    srs_amf0_t *v = NULL;
    srs_error_t err = decode_value(&r, 0, &v);
    if (err) return err;
    *out = v;
    if (consumed) *consumed = r.pos;
    return srs_success;
}

srs_error_t srs_amf0_decode(const uint8_t *data, size_t size, srs_amf0_t **out, size_t *consumed)
{
    srs_amf0_budget_t budget;
    srs_amf0_budget_init(&budget, SRS_AMF0_MAX_NODES, SRS_AMF0_MAX_DEPTH);
    return srs_amf0_decode_budget(data, size, &budget, out, consumed);
}

/* ---- Encoder ---- */

static void put_u8(srs_amf0_buf_t *b, uint8_t v) { srs_amf0_buf_append(b, &v, 1); }

static void put_u16(srs_amf0_buf_t *b, uint16_t v)
{
    uint8_t p[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    srs_amf0_buf_append(b, p, 2);
}

static void put_u32(srs_amf0_buf_t *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    srs_amf0_buf_append(b, p, 4);
}

static void put_double(srs_amf0_buf_t *b, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof(bits));
    uint8_t p[8];
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)bits;
        bits >>= 8;
    }
    srs_amf0_buf_append(b, p, 8);
}

static srs_error_t encode_value(const srs_amf0_t *v, int depth, srs_amf0_buf_t *b)
{
    srs_error_t err = srs_success;
    switch (v->type) {
    case SRS_AMF0_NUMBER:
        put_u8(b, SRS_AMF0_NUMBER);
        put_double(b, v->number);
        return srs_success;
    case SRS_AMF0_BOOLEAN:
        put_u8(b, SRS_AMF0_BOOLEAN);
        put_u8(b, v->boolean ? 1 : 0);
        return srs_success;
    case SRS_AMF0_STRING:
        if (v->len > 0xFFFF) {
            if (v->len > 0xFFFFFFFFu) return srs_error_new(ERROR_RTMP_AMF0, "string of %zu bytes", v->len);
            put_u8(b, AMF0_MARKER_LONG_STRING);
            put_u32(b, (uint32_t)v->len);
        } else {
            put_u8(b, SRS_AMF0_STRING);
            put_u16(b, (uint16_t)v->len);
        }
        srs_amf0_buf_append(b, v->str, v->len);
        return srs_success;
    case SRS_AMF0_NULL:
    case SRS_AMF0_UNDEFINED:
        put_u8(b, (uint8_t)v->type);
        return srs_success;
    case SRS_AMF0_DATE:
        put_u8(b, SRS_AMF0_DATE);
        put_double(b, v->number);
        put_u16(b, (uint16_t)v->tz);
        return srs_success;
    default:
        break;
    }

    if (depth >= SRS_AMF0_MAX_DEPTH) return srs_error_new(ERROR_RTMP_AMF0, "nested deeper than %d", SRS_AMF0_MAX_DEPTH);
    if (v->count > 0xFFFFFFFFu) return srs_error_new(ERROR_RTMP_AMF0, "%zu items", v->count);
    put_u8(b, (uint8_t)v->type);
    if (v->type != SRS_AMF0_OBJECT) put_u32(b, (uint32_t)v->count);
    for (size_t i = 0; i < v->count; i++) {
        const amf0_item_t *it = &v->items[i];
        if (v->type != SRS_AMF0_STRICT_ARRAY) {
            if (it->key_len > 0xFFFF) return srs_error_new(ERROR_RTMP_AMF0, "key of %zu bytes", it->key_len);
            put_u16(b, (uint16_t)it->key_len);
            srs_amf0_buf_append(b, it->key, it->key_len);
        }
        if ((err = encode_value(it->value, depth + 1, b)) != srs_success) return srs_error_wrap(err, "item %zu", i);
    }
    if (v->type != SRS_AMF0_STRICT_ARRAY) {
        put_u16(b, 0);
        put_u8(b, AMF0_MARKER_OBJECT_END);
    }
    return srs_success;
}

srs_error_t srs_amf0_encode(const srs_amf0_t *v, srs_amf0_buf_t *buf)
{
    if (!v) return srs_error_new(ERROR_RTMP_AMF0, "encode NULL");
    size_t start = buf->len;
    srs_error_t err = encode_value(v, 0, buf);
    if (err) buf->len = start; /* Leave no half value behind. */
    return err;
}
