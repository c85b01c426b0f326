/* SPDX-License-Identifier: MIT */
/* libFuzzer: what a Redis server (or anything at its address) sends back. The bytes go to the
 * RESP reader in two pieces (the split from the first byte), every whole reply is walked and
 * every string reply is read as an origin's JSON, as the Redis balancer does. The reader runs
 * with a small per-reply budget (FUZZ_BUDGET_BYTES, FUZZ_BUDGET_NODES), and no reply it hands
 * out may exceed it: counted here the way the reader charges it. Then the encoder:
 * the input cut at '\n' into arguments is encoded as one command, which, being a RESP array of
 * bulk strings, must parse back to the same arguments. */
#include "srs_app_origin.h"
#include "srs_protocol_resp.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_BUDGET_BYTES (64 * 1024)
#define FUZZ_BUDGET_NODES 512

/* What one reply costs: nodes, and bytes as the reader charges them. */
static void cost(const srs_resp_reply_t *r, size_t *bytes, size_t *nodes)
{
    (*nodes)++;
    *bytes += sizeof(*r);
    if (r->type == SRS_RESP_ARRAY) {
        *bytes += r->elements * sizeof(r->element[0]);
        for (size_t i = 0; i < r->elements; i++) cost(r->element[i], bytes, nodes);
    } else if (r->type == SRS_RESP_STRING || r->type == SRS_RESP_STATUS || r->type == SRS_RESP_ERROR) {
        *bytes += r->len + 1;
    }
}

static void walk(const srs_resp_reply_t *r, int depth)
{
    if (depth > 16) abort();
    switch (r->type) {
    case SRS_RESP_STRING:
    case SRS_RESP_STATUS:
    case SRS_RESP_ERROR:
        if (!r->str || r->str[r->len] != '\0') abort();
        if (r->type == SRS_RESP_STRING) {
            srs_origin_t o;
            srs_error_t err = srs_origin_from_json(r->str, r->len, &o);
            srs_error_free(err);
            err = srs_origin_from_redis(r->str, r->len, &o);
            srs_error_free(err);
        }
        break;
    case SRS_RESP_ARRAY:
        if (r->elements > SRS_RESP_MAX_ELEMENTS) abort();
        for (size_t i = 0; i < r->elements; i++) {
            if (!r->element[i]) abort(); /* a whole reply has every element */
            walk(r->element[i], depth + 1);
        }
        break;
    case SRS_RESP_INTEGER:
    case SRS_RESP_NIL:
        break;
    default:
        abort();
    }
}

static void drain(srs_resp_reader_t *r)
{
    for (;;) {
        srs_resp_reply_t *reply = NULL;
        srs_error_t err = srs_resp_reader_next(r, &reply);
        if (err) {
            srs_error_free(err);
            return;
        }
        if (!reply) return;
        walk(reply, 0);
        /* Within its budget, and the next reply starts with a full one. */
        size_t bytes = 0, nodes = 0, used_bytes = 1, used_nodes = 1;
        cost(reply, &bytes, &nodes);
        if (bytes > FUZZ_BUDGET_BYTES || nodes > FUZZ_BUDGET_NODES) abort();
        srs_resp_reader_usage(r, &used_bytes, &used_nodes);
        if (used_bytes || used_nodes) abort();
        srs_resp_reply_free(reply);
    }
}

static void replies(const uint8_t *data, size_t size)
{
    size_t split = size ? data[0] % (size + 1) : 0;
    srs_resp_reader_t *r = srs_resp_reader_new();
    srs_resp_reader_set_budget(r, FUZZ_BUDGET_BYTES, FUZZ_BUDGET_NODES);
    srs_error_t err = srs_resp_reader_feed(r, data, split);
    if (!err) drain(r);
    srs_error_free(err);
    err = srs_resp_reader_feed(r, data + split, size - split);
    if (!err) drain(r);
    srs_error_free(err);
    srs_resp_reader_free(r);
}

#define MAX_ARGS 16

static void encode_round_trip(const uint8_t *data, size_t size)
{
    const char *argv[MAX_ARGS];
    size_t lens[MAX_ARGS];
    int argc = 0;
    const uint8_t *p = data, *end = data + size;
    while (argc < MAX_ARGS) {
        const uint8_t *nl = end > p ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        argv[argc] = (const char *)p;
        lens[argc++] = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (!nl) break;
        p = nl + 1;
    }

    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    srs_resp_cmds_append(&cmds, argc, argv, lens);
    srs_resp_reader_t *r = srs_resp_reader_new();
    srs_resp_reply_t *reply = NULL;
    srs_error_t err = srs_resp_reader_feed(r, cmds.data, cmds.len);
    if (!err) err = srs_resp_reader_next(r, &reply);
    if (err || !reply || reply->type != SRS_RESP_ARRAY || reply->elements != (size_t)argc) abort();
    for (int i = 0; i < argc; i++) {
        const srs_resp_reply_t *e = reply->element[i];
        if (e->type != SRS_RESP_STRING || e->len != lens[i] || memcmp(e->str, argv[i], lens[i])) abort();
    }
    srs_resp_reply_free(reply);
    srs_resp_reader_free(r);
    srs_resp_cmds_free(&cmds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    replies(data, size);
    encode_round_trip(data, size);
    return 0;
}
