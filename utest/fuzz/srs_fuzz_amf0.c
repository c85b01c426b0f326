/* SPDX-License-Identifier: MIT */
/* libFuzzer: AMF0 from RTMP commands and metadata. Decode values one after another; each one
 * must re-encode to bytes that decode and encode to the very same bytes, and a copy must equal
 * the original where no NaN is involved. The whole input is also decoded as a command message
 * (AMF0 and AMF3 forms) and re-encoded. */
#include "srs_protocol_amf0.h"
#include "srs_protocol_rtmp_msg.h"

#include <stdlib.h>
#include <string.h>

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
    size_t pos = 0;
    while (pos < size) {
        srs_amf0_t *v = NULL;
        size_t used = 0;
        srs_error_t err = srs_amf0_decode(data + pos, size - pos, &v, &used);
        if (err) {
            srs_error_free(err);
            break;
        }
        if (used == 0 || used > size - pos) abort();
        check_round_trip(v);
        srs_amf0_free(v);
        pos += used;
    }
    check_command(SRS_RTMP_MSG_COMMAND_AMF0, data, size);
    check_command(SRS_RTMP_MSG_COMMAND_AMF3, data, size);
    return 0;
}
