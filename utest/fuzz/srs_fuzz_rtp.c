/* SPDX-License-Identifier: MIT */
/* libFuzzer: datagrams a WebRTC player gets after SRTP/SRTCP decryption. The input is a series
 * of records, each a u16 length and that many bytes (a short last record takes what is left).
 * Each record is parsed as RTP (then fed to the H.264 checker and the receive statistics, and
 * written back, which must give the same header and payload) and as a compound RTCP packet
 * (each SR/RR parsed; an RR written back must parse to the same blocks). */
#include "srs_protocol_rtp.h"

#include <stdlib.h>
#include <string.h>

static void check_rtp(const uint8_t *data, size_t size, srs_rtp_h264_checker_t *c, srs_rtp_recv_stats_t *s,
                      srs_utime_t now)
{
    srs_rtp_packet_t p;
    srs_error_t err = srs_rtp_parse(data, size, &p);
    if (err) {
        srs_error_free(err);
        return;
    }
    if (p.header_size + p.payload_size + p.padding_size != size) abort();

    bool ready = false;
    srs_error_free(srs_rtp_h264_checker_feed(c, &p, &ready));
    if (c->frame_size > c->frame_capacity) abort();
    srs_rtp_stats_update(s, p.header.sequence, p.header.timestamp, size, now);
    if (s->received > srs_rtp_stats_expected(s)) abort();

    /* Written back without padding: the same header and payload bytes. */
    uint8_t buf[65536 + 64];
    size_t n = 0;
    if (size > sizeof(buf)) return;
    if ((err = srs_rtp_write(&p.header, p.payload, p.payload_size, 0, buf, sizeof(buf), &n))) abort();
    if (n != p.header_size + p.payload_size) abort();
    if (memcmp(buf + 1, data + 1, n - 1) || (buf[0] & 0xDF) != (data[0] & 0xDF)) abort();
}

static void check_rtcp(const uint8_t *data, size_t size, srs_rtp_recv_stats_t *s, srs_utime_t now)
{
    srs_rtcp_packet_t pkts[16];
    size_t count = 0;
    srs_error_t err = srs_rtcp_split(data, size, pkts, SRS_ARRAY_SIZE(pkts), &count);
    if (err) {
        srs_error_free(err);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        if (pkts[i].data < data || pkts[i].data + pkts[i].size > data + size) abort();
        srs_rtcp_sr_t sr;
        if (!(err = srs_rtcp_parse_sr(&pkts[i], &sr))) srs_rtp_stats_on_sr(s, &sr, now);
        srs_error_free(err);

        srs_rtcp_rr_t rr, again;
        if ((err = srs_rtcp_parse_rr(&pkts[i], &rr))) {
            srs_error_free(err);
            continue;
        }
        uint8_t buf[8 + SRS_RTCP_MAX_BLOCKS * SRS_RTCP_REPORT_BLOCK_SIZE];
        size_t n = 0, nb = 0;
        srs_rtcp_packet_t one;
        if (srs_rtcp_write_rr(&rr, buf, sizeof(buf), &n) || srs_rtcp_split(buf, n, &one, 1, &nb) ||
            srs_rtcp_parse_rr(&one, &again)) abort();
        if (again.ssrc != rr.ssrc || again.count != rr.count) abort();
        if (memcmp(again.blocks, rr.blocks, rr.count * sizeof(rr.blocks[0]))) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_rtp_h264_checker_t c;
    if (srs_rtp_h264_checker_init(&c, 64 * 1024)) abort();
    srs_rtp_recv_stats_t s;
    srs_rtp_stats_init(&s, 1, SRS_RTP_VIDEO_CLOCK_RATE);

    srs_utime_t now = 1000000;
    for (size_t pos = 0; pos < size; now += 1234) {
        size_t len = size - pos;
        if (len >= 2) {
            size_t want = ((size_t)data[pos] << 8) | data[pos + 1];
            pos += 2;
            len = SRS_MIN(want, size - pos);
        }
        check_rtp(data + pos, len, &c, &s, now);
        check_rtcp(data + pos, len, &s, now);
        pos += len;
    }
    srs_rtcp_report_block_t rb;
    srs_rtp_stats_report(&s, now, &rb);
    if (rb.fraction_lost && !srs_rtp_stats_lost(&s)) abort();
    srs_rtp_stats_bitrate(&s);
    srs_rtp_h264_checker_free(&c);
    return 0;
}
