/* SPDX-License-Identifier: MIT */
/* AMF0, the value format of RTMP commands and metadata: a tree of values that decodes from bytes
 * (every length checked; nodes and nesting depth within a budget) and encodes into a growable buffer.
 *
 * Types kept: number, boolean, string, object (ordered keys), null, undefined, ECMA array,
 * strict array, date. A long string (0x0C) decodes to a string; a string longer than 65535
 * bytes encodes as a long string. Reference, typed object, AMF3 switch, XML, movie clip,
 * record set and "unsupported" are errors (ERROR_RTMP_AMF0).
 *
 * Ownership: a container owns its children; srs_amf0_set/srs_amf0_append take ownership of the
 * value passed in. srs_amf0_free frees a whole tree. Allocation failure aborts (as srs_map). */
#ifndef SRS_PROTOCOL_AMF0_H
#define SRS_PROTOCOL_AMF0_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The values are the AMF0 markers. */
typedef enum {
    SRS_AMF0_NUMBER = 0x00,
    SRS_AMF0_BOOLEAN = 0x01,
    SRS_AMF0_STRING = 0x02,
    SRS_AMF0_OBJECT = 0x03,
    SRS_AMF0_NULL = 0x05,
    SRS_AMF0_UNDEFINED = 0x06,
    SRS_AMF0_ECMA_ARRAY = 0x08,
    SRS_AMF0_STRICT_ARRAY = 0x0A,
    SRS_AMF0_DATE = 0x0B,
} srs_amf0_type_t;

/* Deeper nesting of objects and arrays than this is an error (a depth bomb): the decoder's
 * default depth budget and the encoder's limit. A connect object nests 1 or 2 levels. */
#define SRS_AMF0_MAX_DEPTH 16
/* Values (nodes: scalars and containers alike) one srs_amf0_decode may create. Each node costs
 * ~100 bytes of heap however small its encoding (1 byte for a null), so without this bound a
 * 64 KiB message would become ~6 MB of tree. A connect object has ~10 nodes, onStatus ~6. */
#define SRS_AMF0_MAX_NODES 1024

typedef struct srs_amf0_s srs_amf0_t;

srs_amf0_t *srs_amf0_new_number(double value);
srs_amf0_t *srs_amf0_new_boolean(bool value);
/* A copy of the NUL-terminated text; NULL is the empty string. */
srs_amf0_t *srs_amf0_new_string(const char *text);
/* A copy of len bytes (may hold NULs; the copy is NUL-terminated too). */
srs_amf0_t *srs_amf0_new_string_n(const char *text, size_t len);
srs_amf0_t *srs_amf0_new_object(void);
srs_amf0_t *srs_amf0_new_ecma_array(void);
srs_amf0_t *srs_amf0_new_strict_array(void);
srs_amf0_t *srs_amf0_new_null(void);
srs_amf0_t *srs_amf0_new_undefined(void);
/* Milliseconds since the epoch and the (ignored by everyone) time zone field. */
srs_amf0_t *srs_amf0_new_date(double ms, int16_t tz);

/* A deep copy; NULL gives NULL. */
srs_amf0_t *srs_amf0_copy(const srs_amf0_t *v);
/* Frees v and everything below it; NULL is fine. */
void srs_amf0_free(srs_amf0_t *v);

srs_amf0_type_t srs_amf0_type(const srs_amf0_t *v);
/* Number or date value; 0 for other types. */
double srs_amf0_number(const srs_amf0_t *v);
/* Boolean value; false for other types. */
bool srs_amf0_boolean(const srs_amf0_t *v);
/* The time zone of a date; 0 for other types. */
int16_t srs_amf0_date_tz(const srs_amf0_t *v);
/* NUL-terminated text of a string; NULL for other types (and for NULL). */
const char *srs_amf0_string(const srs_amf0_t *v);
/* Byte length of a string; 0 for other types. */
size_t srs_amf0_string_len(const srs_amf0_t *v);

/* Object and ECMA array: store value under key, replacing (and freeing) an existing value with
 * that key in place, else appending, so keys keep their insertion order. Takes ownership of
 * value. Ignored (value freed) when obj is not an object or ECMA array. */
void srs_amf0_set(srs_amf0_t *obj, const char *key, srs_amf0_t *value);
/* The value under key, or NULL. */
srs_amf0_t *srs_amf0_get(const srs_amf0_t *obj, const char *key);
/* The text under key when it is a string, else NULL. */
const char *srs_amf0_get_string(const srs_amf0_t *obj, const char *key);
/* The number under key when it is a number: true and *out set, else false. */
bool srs_amf0_get_number(const srs_amf0_t *obj, const char *key, double *out);
/* Remove (and free) the value under key; false when absent. */
bool srs_amf0_remove(srs_amf0_t *obj, const char *key);

/* Strict array: append, taking ownership. Ignored (value freed) for other types. */
void srs_amf0_append(srs_amf0_t *array, srs_amf0_t *value);

/* Properties of an object/ECMA array or elements of a strict array; 0 for scalars. */
size_t srs_amf0_count(const srs_amf0_t *v);
/* The i-th key (object/ECMA array; NULL for strict arrays or out of range). */
const char *srs_amf0_key_at(const srs_amf0_t *v, size_t i);
/* The i-th value, or NULL out of range. */
srs_amf0_t *srs_amf0_value_at(const srs_amf0_t *v, size_t i);

/* True when both trees hold the same types, keys (in order) and values. */
bool srs_amf0_equal(const srs_amf0_t *a, const srs_amf0_t *b);

/* A growable byte buffer for encoding. Zero-initialise; free with srs_amf0_buf_free. */
typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
} srs_amf0_buf_t;

void srs_amf0_buf_free(srs_amf0_buf_t *buf);
/* Append raw bytes (used by callers that build a payload around AMF0 values). */
void srs_amf0_buf_append(srs_amf0_buf_t *buf, const void *data, size_t len);

/* What decoding may still create: nodes left and the deepest nesting allowed. One budget may
 * span several decodes (every value of one RTMP command shares one), so a peer cannot multiply
 * it by sending many top-level values. */
typedef struct {
    size_t nodes_left;  /* values that may still be created */
    size_t nodes_used;  /* values created under this budget so far */
    int max_depth;      /* containers nested deeper than this are refused */
} srs_amf0_budget_t;

/* max_nodes values, nesting up to max_depth (clamped to 1..SRS_AMF0_MAX_DEPTH). */
void srs_amf0_budget_init(srs_amf0_budget_t *budget, size_t max_nodes, int max_depth);

/* Decode one value from data[0..size) within budget (which it spends). *out is the new tree
 * (caller frees), *consumed how many bytes it took (may be NULL). An object or ECMA array that
 * runs into the end of the input without its end marker ends there (as SRS reads them).
 * Every check happens before the allocation it guards: a strict array's declared count must fit
 * in the bytes left (one marker byte per element, else ERROR_RTMP_AMF0) and in the nodes left;
 * an ECMA array's advisory count must fit in the nodes left. Errors: ERROR_RTMP_AMF0 (malformed),
 * ERROR_RTMP_AMF0_BUDGET (more nodes or deeper nesting than the budget allows). */
srs_error_t srs_amf0_decode_budget(const uint8_t *data, size_t size, srs_amf0_budget_t *budget, srs_amf0_t **out,
                                   size_t *consumed);

/* srs_amf0_decode_budget with a fresh budget of SRS_AMF0_MAX_NODES and SRS_AMF0_MAX_DEPTH. */
srs_error_t srs_amf0_decode(const uint8_t *data, size_t size, srs_amf0_t **out, size_t *consumed);

/* Append the encoding of v. ECMA arrays carry their property count. Errors (ERROR_RTMP_AMF0):
 * a key longer than 65535 bytes, a tree deeper than SRS_AMF0_MAX_DEPTH. */
srs_error_t srs_amf0_encode(const srs_amf0_t *v, srs_amf0_buf_t *buf);

#ifdef __cplusplus
}
#endif

#endif
