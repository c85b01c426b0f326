/* SPDX-License-Identifier: MIT */
/* libFuzzer: the RTMP chunk stream as a peer sends it after the handshake. The first byte picks
 * how the bytes arrive (read sizes) and the relay's output chunk size; the rest is the stream.
 * Every message read is decoded as a command when it is one and written back out through a
 * second connection, as the proxy's relay does. */
#include "srs_protocol_rtmp_chunk.h"
#include "srs_protocol_rtmp_msg.h"
#include "srs_fuzz_rtmp_io.h"

#include <stdlib.h>
#include <string.h>

/* Input from the fuzz data; output (acknowledgements, relayed messages) folded into a sum. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4 * 1024 * 1024) return 0;
    static const size_t read_sizes[4] = {1, 7, 4096, (size_t)-1};
    static const uint32_t out_chunk_sizes[4] = {128, 1, 4096, 60000};
    mem_io_t src = {data + 1, size - 1, 0, read_sizes[data[0] & 3], 0};
    mem_io_t dst = {NULL, 0, 0, 0, 0};
    srs_rtmp_io_t in_io = {mem_read, sink_writev, &src};
    srs_rtmp_io_t out_io = {mem_read, sink_writev, &dst};
    srs_rtmp_conn_t *in = srs_rtmp_conn_new_io(&in_io);
    srs_rtmp_conn_t *out = srs_rtmp_conn_new_io(&out_io);
    /* A small limit keeps each run fast; the limit logic is the same at any size. */
    srs_rtmp_conn_set_max_message_size(in, 64 * 1024);
    srs_error_t err = srs_rtmp_set_out_chunk_size(out, out_chunk_sizes[(data[0] >> 2) & 3]);
    if (err) abort();

    for (int n = 0; n < 10000; n++) {
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(in, &msg)) != srs_success) break;
        if (msg.csid < SRS_RTMP_CSID_MIN || msg.csid > SRS_RTMP_CSID_MAX) abort();
        if (srs_rtmp_msg_is_command(&msg)) {
            srs_rtmp_command_t cmd;
            srs_error_t e = srs_rtmp_command_decode(&msg, &cmd);
            if (!e) srs_rtmp_command_free(&cmd);
            srs_error_free(e);
        }
        /* Relay it; a forwarded SetChunkSize that the reader accepted is valid for the writer. */
        if ((err = srs_rtmp_write_message(out, &msg, msg.csid)) != srs_success) abort();
    }
    srs_error_free(err);
    srs_rtmp_conn_free(in);
    srs_rtmp_conn_free(out);
    return 0;
}
