/* SPDX-License-Identifier: MIT */
/* libFuzzer: the FLV file the mock origin loops to its WebRTC players (a file of the environment).
 * Build the RTP loop; when it builds, every packet of two loops must write and parse back as RTP,
 * in send order, with sequence numbers running on from one loop to the next. */
#include "srs_protocol_rtp.h"
#include "srs_protocol_rtp_loop.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_rtp_loop_t loop;
    srs_error_t err = srs_rtp_loop_build(&loop, data, size);
    if (err) {
        srs_error_free(err);
        if (loop.count || loop.packets || loop.arena) abort(); /* nothing left behind */
        return 0;
    }
    if (loop.duration_ms == 0 || loop.duration_ms % 20) abort();
    if (loop.count != (size_t)loop.per_loop[0] + loop.per_loop[1]) abort();
    srs_rtp_loop_ids_t ids = {{1, 2}, {111, 106}, {65535, 0}, {0xFFFFFFF0u, 0}};
    uint8_t buf[SRS_RTP_PACKET_CAPACITY];
    uint32_t last_ms = 0;
    int32_t last_seq[2] = {-1, -1};
    for (uint64_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < loop.count; i++) {
            const srs_rtp_loop_packet_t *p = &loop.packets[i];
            if (k == 0 && p->send_ms < last_ms) abort();
            last_ms = p->send_ms;
            size_t len = 0;
            if ((err = srs_rtp_loop_write(&loop, i, k, &ids, buf, sizeof(buf), &len)) != srs_success) abort();
            srs_rtp_packet_t pkt;
            if ((err = srs_rtp_parse(buf, len, &pkt)) != srs_success) abort();
            int kind = p->kind;
            if (last_seq[kind] >= 0 && pkt.header.sequence != (uint16_t)(last_seq[kind] + 1)) abort();
            last_seq[kind] = pkt.header.sequence;
        }
    }
    srs_rtp_loop_free(&loop);
    return 0;
}
