/* SPDX-License-Identifier: MIT */
/* libFuzzer: what an RTMP client says before publish or play, as the proxy and the mock origin
 * hear it. The first byte picks how the bytes arrive (read sizes) and which answer follows the
 * identification (accept, or refuse with the client's last command as the "origin's" refusal);
 * the rest is the chunk stream after the handshake. Once identified, the stream key is derived as
 * the proxy derives it, and the remaining messages go through the relay's stream-id mapping. */
#include "srs_app_rtmp_relay.h"
#include "srs_kernel_stream_url.h"
#include "srs_protocol_rtmp_chunk.h"
#include "srs_protocol_rtmp_identify.h"
#include "srs_protocol_rtmp_msg.h"
#include "srs_fuzz_rtmp_io.h"

#include <stdlib.h>
#include <string.h>

/* After publish/play: the key as the proxy makes it, and the relay's mapping of what follows. */
static void after_identify(const srs_rtmp_identify_t *id, srs_rtmp_conn_t *conn, uint8_t mode)
{
    srs_rtmp_url_t url;
    srs_error_t err = srs_rtmp_url_parse(id->tc_url, id->stream, &url);
    if (!err) {
        char key[512];
        err = srs_stream_url_from_parts(url.vhost, url.app, url.stream, key, sizeof(key));
    }
    srs_error_free(err);

    if (mode & 1) err = srs_rtmp_identify_accept(id, conn);
    else err = srs_rtmp_identify_refuse(id, conn, NULL, "fuzz");
    srs_error_free(err);

    srs_rtmp_sid_map_t map = {id->stream_id, (uint32_t)mode + 2};
    srs_amf0_buf_t buf = {0};
    for (int i = 0; i < 64; i++) {
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(conn, &msg)) != srs_success) break;
        /* Commands double as the "origin's" refusal, which the client then gets. */
        if (srs_rtmp_msg_is_command(&msg) && (mode & 2)) {
            srs_rtmp_command_t cmd;
            if ((err = srs_rtmp_command_decode(&msg, &cmd)) == srs_success) {
                err = srs_rtmp_identify_refuse(id, conn, &cmd, NULL);
                srs_rtmp_command_free(&cmd);
            }
            srs_error_free(err);
        }
        err = srs_rtmp_relay_map_message(&map, (i & 1) != 0, &msg, &buf);
        srs_error_free(err);
    }
    srs_error_free(err);
    srs_amf0_buf_free(&buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1024 * 1024) return 0;
    static const size_t read_sizes[4] = {1, 7, 4096, (size_t)-1};
    mem_io_t src = {data + 1, size - 1, 0, read_sizes[data[0] & 3], 0};
    srs_rtmp_io_t io = {mem_read, sink_writev, &src};
    srs_rtmp_conn_t *conn = srs_rtmp_conn_new_io(&io);
    srs_rtmp_conn_set_max_message_size(conn, 64 * 1024);
    srs_rtmp_identify_t id;
    srs_rtmp_identify_init(&id, (data[0] & 4) ? 60000 : 128, "fuzz123");

    srs_error_t err = srs_success;
    while (!srs_rtmp_identify_done(&id)) {
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(conn, &msg)) != srs_success) break;
        if ((err = srs_rtmp_identify_on_message(&id, conn, &msg)) != srs_success) break;
    }
    srs_error_free(err);
    if (srs_rtmp_identify_done(&id)) after_identify(&id, conn, data[0] >> 3);

    srs_rtmp_identify_free(&id);
    srs_rtmp_conn_free(conn);
    return 0;
}
