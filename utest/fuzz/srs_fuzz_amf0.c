/* SPDX-License-Identifier: MIT */
/* libFuzzer: AMF0 from RTMP commands and metadata. Decode values one after another, all under one
 * small budget (FUZZ_NODES values, FUZZ_DEPTH levels, so the fuzzer reaches its edges): the trees
 * must never hold more values than the budget spent, nor the budget spend more than it had, nor
 * nest deeper than allowed. Each value must re-encode to bytes that decode and encode to the very
 * same bytes, and a copy must equal the original where no NaN is involved. The whole input is
 * also decoded as a command message (AMF0 and AMF3 forms; SRS_AMF0_MAX_NODES for the whole
 * command) and re-encoded. */
#include "srs_protocol_amf0.h"
#include "srs_protocol_rtmp_msg.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_NODES 64
#define FUZZ_DEPTH 6

/* Values in the tree, and its nesting depth (a scalar is 0, a container 1 + its deepest child). */
static size_t count_nodes(const srs_amf0_t *v, int *depth)
{
    size_t n = 1;
    int deepest = 0;
    for (size_t i = 0; i < srs_amf0_count(v); i++) {
        int d = 0;
        n += count_nodes(srs_amf0_value_at(v, i), &d);
        if (d > deepest) deepest = d;
    }
    bool container = srs_amf0_type(v) == SRS_AMF0_OBJECT || srs_amf0_type(v) == SRS_AMF0_ECMA_ARRAY ||
                     srs_amf0_type(v) == SRS_AMF0_STRICT_ARRAY;
    *depth = container ? 1 + deepest : 0;
    return n;
}

static void check_round_trip(const srs_amf0_t *v)
{
    srs_amf0_buf_t once = {0}, twice = {0};
    srs_amf0_t *back = NULL;
    size_t used = 0;
    srs_error_t err = srs_amf0_encode(v, &once);
    if (err) abort(); /* whatever decodes must encode */
    if ((err = srs_amf0_decode(once.data, once.len, &back, &used)) != srs_success || used != once.len) abort();
    if ((err = srs_amf0_encode(back, &twice)) != srs_success) abort();
    if (once.len != twice.len || memcmp(once.data, twice.data, once.len) != 0) abort();

    srs_amf0_t *copy = srs_amf0_copy(v);
    srs_amf0_buf_t third = {0};
    if ((err = srs_amf0_encode(copy, &third)) != srs_success) abort();
    if (third.len != once.len || memcmp(third.data, once.data, once.len) != 0) abort();
    srs_amf0_equal(copy, back);

    srs_amf0_free(copy);
    srs_amf0_free(back);
    srs_amf0_buf_free(&once);
    srs_amf0_buf_free(&twice);
    srs_amf0_buf_free(&third);
}

static void check_command(uint8_t type, const uint8_t *data, size_t size)
{
    srs_rtmp_msg_t msg = {type, 0, 0, 3, (uint8_t *)data, (uint32_t)size};
    srs_rtmp_command_t cmd;
    srs_error_t err = srs_rtmp_command_decode(&msg, &cmd);
    if (err) {
        srs_error_free(err);
        return;
    }
    srs_amf0_buf_t buf = {0};
    if ((err = srs_rtmp_command_encode(&cmd, &buf)) != srs_success) abort();
    srs_rtmp_command_status_code(&cmd);
    srs_amf0_buf_free(&buf);
    srs_rtmp_command_free(&cmd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024 * 1024) return 0;
    size_t pos = 0, nodes = 0;
    srs_amf0_budget_t budget;
    srs_amf0_budget_init(&budget, FUZZ_NODES, FUZZ_DEPTH);
    while (pos < size) {
        srs_amf0_t *v = NULL;
        size_t used = 0;
        srs_error_t err = srs_amf0_decode_budget(data + pos, size - pos, &budget, &v, &used);
        /* The budget holds whatever happened: never more spent than it had. */
        if (budget.nodes_used > FUZZ_NODES || budget.nodes_used + budget.nodes_left != FUZZ_NODES) abort();
        if (err) {
            srs_error_free(err);
            break;
        }
        if (used == 0 || used > size - pos) abort();
        int depth = 0;
        nodes += count_nodes(v, &depth);
        if (nodes != budget.nodes_used || depth > FUZZ_DEPTH) abort();
        check_round_trip(v);
        srs_amf0_free(v);
        pos += used;
    }
    check_command(SRS_RTMP_MSG_COMMAND_AMF0, data, size);
    check_command(SRS_RTMP_MSG_COMMAND_AMF3, data, size);
    return 0;
}
