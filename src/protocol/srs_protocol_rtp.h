/* SPDX-License-Identifier: MIT */
/* RTP and RTCP for the tools' WebRTC media (the mock origin sends, srs-bench receives):
 * - the RTP header (RFC 3550 §5.1): parse with every length checked, write;
 * - an H.264 packetizer (RFC 6184, packetization-mode 1: single NAL unit, STAP-A, FU-A) and an
 *   Opus packet maker (RFC 7587), both writing into reusable buffers;
 * - a depacketizer-checker for players: reassembles H.264 frames and counts the broken ones;
 * - receive statistics per SSRC (RFC 3550 A.1, A.3, A.8): extended highest sequence, expected,
 *   lost, duplicates, interarrival jitter, bytes;
 * - RTCP (RFC 3550 §6.4): the walk of a compound packet, receiver and sender reports.
 * SRTP is not here: callers protect/unprotect the bytes around these functions. */
#ifndef SRS_PROTOCOL_RTP_H
#define SRS_PROTOCOL_RTP_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_kernel_avc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_RTP_VERSION 2
#define SRS_RTP_HEADER_SIZE 12
#define SRS_RTP_MAX_CSRC 15

/* Clock rates: H.264 video 90 kHz, Opus always 48 kHz (RFC 7587 §4.1). */
#define SRS_RTP_VIDEO_CLOCK_RATE 90000
#define SRS_RTP_OPUS_CLOCK_RATE 48000
/* One 20 ms Opus frame in 48 kHz ticks, the audio timestamp step. */
#define SRS_RTP_OPUS_FRAME_SAMPLES 960

/* A packet buffer of the packetizer. Packets are at most 12 + max_payload bytes; the rest is
 * room for the SRTP auth tag when the caller protects in place. */
#define SRS_RTP_PACKET_CAPACITY 1500
#define SRS_RTP_DEFAULT_MAX_PAYLOAD 1200
#define SRS_RTP_MAX_PAYLOAD_LIMIT 1400
/* Packets one access unit may take (about 4.8 MB at 1200 bytes a packet). */
#define SRS_RTP_MAX_PACKETS_PER_FRAME 4096

/* RFC 6184 NAL unit types of the RTP payload format. */
#define SRS_RTP_H264_STAP_A 24
#define SRS_RTP_H264_FU_A 28

/* An Opus packet of one 20 ms frame of silence: TOC 0xF8 (CELT FB 20 ms, mono, one frame). */
extern const uint8_t srs_rtp_opus_silence[3];

typedef struct {
    bool marker;
    uint8_t payload_type; /* 0..127 */
    uint16_t sequence;
    uint32_t timestamp;
    uint32_t ssrc;
    uint8_t csrc_count; /* 0..15 */
    uint32_t csrc[SRS_RTP_MAX_CSRC];
    bool extension;
    uint16_t extension_profile;     /* e.g. 0xBEDE for RFC 8285 one-byte headers */
    const uint8_t *extension_data;  /* after a parse: into the packet */
    size_t extension_size;          /* a multiple of 4 */
} srs_rtp_header_t;

typedef struct {
    srs_rtp_header_t header;
    size_t header_size;      /* 12 + CSRCs + extension */
    size_t padding_size;     /* trailing padding, counted by the last byte */
    const uint8_t *payload;  /* into the packet */
    size_t payload_size;
} srs_rtp_packet_t;

/* Parse an RTP packet. Errors (ERROR_RTC_RTP): shorter than 12 bytes, version not 2, CSRCs or
 * the extension header/data past the end, padding bit with a count of 0 or larger than what
 * follows the header. Never reads out of bounds. */
srs_error_t srs_rtp_parse(const uint8_t *data, size_t len, srs_rtp_packet_t *out);

/* The bytes the header takes: 12 + 4 * CSRCs + (extension ? 4 + extension_size : 0). */
size_t srs_rtp_header_size(const srs_rtp_header_t *h);

/* Write header + payload + `padding` bytes of padding (0: no padding bit). Errors
 * (ERROR_RTC_RTP): more than 15 CSRCs, payload type > 127, an extension size not a multiple of
 * 4 or over 4 * 65535, buffer too small. */
srs_error_t srs_rtp_write(const srs_rtp_header_t *h, const uint8_t *payload, size_t payload_size,
                          uint8_t padding, uint8_t *buf, size_t size, size_t *written);

typedef struct {
    uint8_t data[SRS_RTP_PACKET_CAPACITY];
    size_t size;
} srs_rtp_out_t;

/* One packetizer per sent stream (SSRC): it owns the sequence numbers and a reusable array of
 * packet buffers, which grows to the largest frame and is then reused without malloc. */
typedef struct {
    uint32_t ssrc;
    uint8_t payload_type;
    uint16_t sequence; /* of the next packet */
    size_t max_payload;
    srs_rtp_out_t *packets; /* the packets of the last call, valid until the next call */
    size_t nb_packets;
    size_t capacity;
    /* H.264 parameter sets, sent before each IDR that does not carry its own. */
    uint8_t sps[256], pps[256];
    size_t sps_size, pps_size;
} srs_rtp_packetizer_t;

/* max_payload: the RTP payload limit (0: SRS_RTP_DEFAULT_MAX_PAYLOAD), 16..1400. Errors:
 * ERROR_RTC_RTP for a bad argument. */
srs_error_t srs_rtp_packetizer_init(srs_rtp_packetizer_t *p, uint32_t ssrc, uint8_t payload_type,
                                    uint16_t first_sequence, size_t max_payload);
void srs_rtp_packetizer_free(srs_rtp_packetizer_t *p);

/* Keep copies of the SPS and PPS (each 1..256 bytes), e.g. from srs_avc_parse_config. */
srs_error_t srs_rtp_packetizer_set_h264_params(srs_rtp_packetizer_t *p, const uint8_t *sps, size_t sps_size,
                                               const uint8_t *pps, size_t pps_size);

/* Packetize one access unit with the 90 kHz `timestamp` (the presentation time). When it holds
 * an IDR but no SPS and parameter sets were given, the SPS and PPS go first. A NALU larger than
 * max_payload becomes FU-A fragments; consecutive NALUs that fit together become one STAP-A;
 * a NALU alone becomes a single NAL unit packet. The last packet carries the marker. Empty NALUs
 * are skipped; an empty access unit gives no packet. Result in p->packets[0..nb_packets).
 * Errors: ERROR_SYSTEM_LIMIT (too many packets), ERROR_SYSTEM_NOMEM. */
srs_error_t srs_rtp_packetize_h264(srs_rtp_packetizer_t *p, const srs_avc_nalu_t *nalus, size_t count,
                                   uint32_t timestamp);

/* One packet carrying `frame` (an Opus packet, e.g. srs_rtp_opus_silence) with the 48 kHz
 * `timestamp`, no marker. Errors (ERROR_RTC_RTP): frame empty or larger than max_payload. */
srs_error_t srs_rtp_packetize_opus(srs_rtp_packetizer_t *p, const uint8_t *frame, size_t size, uint32_t timestamp);

/* Depacketizer-checker for H.264 players. Frames end at the marker bit (or at a new timestamp
 * when the marker was lost). A frame is broken when a sequence gap touches it, an FU-A is cut
 * (no start, a gap inside, no end), or a payload is malformed; a complete frame is reassembled
 * as 4-byte length-prefixed NALUs. Out-of-order and duplicate packets are counted and dropped. */
typedef struct {
    uint8_t *frame;       /* the frame being built; a complete one stays until the next feed */
    size_t frame_size;
    size_t frame_capacity;
    bool frame_keyframe;  /* the frame holds an IDR */
    uint32_t frame_timestamp;
    size_t frame_nalus;

    bool in_frame, frame_broken;
    bool gap_pending;     /* packets were lost since the last frame ended */
    bool in_fu, fu_skip;  /* inside an FU-A; dropping the rest of a broken one */
    size_t fu_start;      /* offset of the FU-A NALU's length prefix in frame */
    bool have_seq;
    uint16_t last_seq;

    uint64_t packets;       /* accepted in order */
    uint64_t frames;        /* complete frames */
    uint64_t keyframes;     /* complete frames with an IDR */
    uint64_t broken_frames;
    uint64_t fu_errors;     /* FU-A NALUs that were cut */
    uint64_t malformed;     /* payloads that failed to parse */
    uint64_t out_of_order;  /* late or duplicate packets, dropped */
} srs_rtp_h264_checker_t;

/* max_frame: the largest frame to reassemble, in bytes. ERROR_SYSTEM_NOMEM. */
srs_error_t srs_rtp_h264_checker_init(srs_rtp_h264_checker_t *c, size_t max_frame);
void srs_rtp_h264_checker_free(srs_rtp_h264_checker_t *c);

/* Feed one parsed packet. *frame_ready is true when it completed a good frame, which is then in
 * c->frame / c->frame_size until the next feed. Errors (ERROR_RTC_RTP): a malformed payload (an
 * empty STAP-A, a NALU past its end, an FU-A shorter than 2 bytes or with both S and E set, a NAL
 * type that mode 1 does not use, a frame over max_frame); the frame is then broken too. */
srs_error_t srs_rtp_h264_checker_feed(srs_rtp_h264_checker_t *c, const srs_rtp_packet_t *pkt, bool *frame_ready);

/* RTCP packet types. */
#define SRS_RTCP_SR 200
#define SRS_RTCP_RR 201
#define SRS_RTCP_SDES 202
#define SRS_RTCP_BYE 203
#define SRS_RTCP_APP 204
#define SRS_RTCP_RTPFB 205
#define SRS_RTCP_PSFB 206
#define SRS_RTCP_HEADER_SIZE 4
#define SRS_RTCP_MAX_BLOCKS 31
#define SRS_RTCP_REPORT_BLOCK_SIZE 24

/* One packet of a compound RTCP datagram. */
typedef struct {
    uint8_t type;           /* PT, e.g. SRS_RTCP_SR */
    uint8_t count;          /* the 5-bit count (report blocks, SDES chunks, or FMT for feedback) */
    const uint8_t *data;    /* the whole packet from its header, padding excluded */
    size_t size;
} srs_rtcp_packet_t;

/* Walk a compound packet: every packet has version 2, a length (in 32-bit words minus one)
 * inside the datagram, and when padded a count of 1..(size - 4). Errors (ERROR_RTC_RTCP): fewer
 * than 4 bytes, any bad packet, bytes left over, more than `max` packets. */
srs_error_t srs_rtcp_split(const uint8_t *data, size_t len, srs_rtcp_packet_t *pkts, size_t max, size_t *count);

typedef struct {
    uint32_t ssrc;            /* the source this block is about */
    uint8_t fraction_lost;    /* lost since the last report, out of 256 */
    int32_t cumulative_lost;  /* signed 24 bits */
    uint32_t highest_seq;     /* extended highest sequence number received */
    uint32_t jitter;          /* in timestamp units */
    uint32_t lsr;             /* middle 32 bits of the last SR's NTP time, 0 if none */
    uint32_t dlsr;            /* delay since that SR, in 1/65536 s */
} srs_rtcp_report_block_t;

typedef struct {
    uint32_t ssrc;            /* of the sender of this report */
    uint8_t count;
    srs_rtcp_report_block_t blocks[SRS_RTCP_MAX_BLOCKS];
} srs_rtcp_rr_t;

typedef struct {
    uint32_t ssrc;
    uint64_t ntp;             /* NTP time: seconds since 1900 << 32 | fraction */
    uint32_t rtp_timestamp;
    uint32_t packet_count;
    uint32_t octet_count;
    uint8_t count;
    srs_rtcp_report_block_t blocks[SRS_RTCP_MAX_BLOCKS];
} srs_rtcp_sr_t;

/* Parse one packet from srs_rtcp_split. Errors (ERROR_RTC_RTCP): wrong type, the fixed part or
 * the report blocks past the end of the packet. */
srs_error_t srs_rtcp_parse_rr(const srs_rtcp_packet_t *pkt, srs_rtcp_rr_t *out);
srs_error_t srs_rtcp_parse_sr(const srs_rtcp_packet_t *pkt, srs_rtcp_sr_t *out);

/* Write a report. Errors (ERROR_RTC_RTCP): count > 31, buffer too small. */
srs_error_t srs_rtcp_write_rr(const srs_rtcp_rr_t *rr, uint8_t *buf, size_t size, size_t *written);
srs_error_t srs_rtcp_write_sr(const srs_rtcp_sr_t *sr, uint8_t *buf, size_t size, size_t *written);

/* NTP time (RFC 5905 format) for a wall-clock time in microseconds since 1970. */
uint64_t srs_rtcp_ntp_from_wall(srs_utime_t wall);

/* Sequence tracking window for duplicate detection (a power of two). */
#define SRS_RTP_DUP_WINDOW 1024

typedef enum {
    SRS_RTP_SEQ_NEW,       /* in order, maybe after a gap */
    SRS_RTP_SEQ_LATE,      /* reordered, not seen before: counted */
    SRS_RTP_SEQ_DUPLICATE, /* seen before: not counted as received */
    SRS_RTP_SEQ_JUMP,      /* far off; counted only when the next packet confirms it (restart) */
} srs_rtp_seq_result_t;

/* Receive statistics of one SSRC. */
typedef struct {
    uint32_t ssrc;
    uint32_t clock_rate;
    bool started;
    int64_t base_ext, max_ext; /* extended sequence numbers (cycles * 65536 + seq) */
    uint32_t bad_seq;          /* the next sequence of a possible restart, > 65535 when none */
    uint64_t received;         /* distinct packets counted */
    uint64_t packets;          /* every packet, duplicates included */
    uint64_t duplicates;
    uint64_t bytes;            /* every packet's size */
    uint64_t expected_prior, received_prior; /* at the last report (A.3) */
    uint32_t jitter_q4;        /* interarrival jitter * 16 (A.8) */
    uint32_t last_transit;
    bool have_transit;
    srs_utime_t first_arrival, last_arrival;
    bool have_sr;
    uint32_t sr_ntp_middle;    /* LSR */
    srs_utime_t sr_arrival;
    uint64_t seen[SRS_RTP_DUP_WINDOW / 64];
} srs_rtp_recv_stats_t;

void srs_rtp_stats_init(srs_rtp_recv_stats_t *s, uint32_t ssrc, uint32_t clock_rate);
/* Account one packet: its sequence number, RTP timestamp, size in bytes and arrival time (any
 * monotonic clock in microseconds). */
srs_rtp_seq_result_t srs_rtp_stats_update(srs_rtp_recv_stats_t *s, uint16_t seq, uint32_t timestamp,
                                          size_t bytes, srs_utime_t arrival);
/* Expected packets: extended highest - extended lowest + 1 (0 before the first packet). */
uint64_t srs_rtp_stats_expected(const srs_rtp_recv_stats_t *s);
/* Lost packets: expected - received, never negative. */
uint64_t srs_rtp_stats_lost(const srs_rtp_recv_stats_t *s);
/* Interarrival jitter in timestamp units. */
uint32_t srs_rtp_stats_jitter(const srs_rtp_recv_stats_t *s);
/* Average bits per second from the first to the last arrival (0 until they differ). */
uint64_t srs_rtp_stats_bitrate(const srs_rtp_recv_stats_t *s);
/* Remember a sender report of this source (LSR) and when it came (for DLSR). */
void srs_rtp_stats_on_sr(srs_rtp_recv_stats_t *s, const srs_rtcp_sr_t *sr, srs_utime_t arrival);
/* Fill a report block at `now` (same clock as the arrivals) and start a new interval for the
 * fraction lost. */
void srs_rtp_stats_report(srs_rtp_recv_stats_t *s, srs_utime_t now, srs_rtcp_report_block_t *out);

#ifdef __cplusplus
}
#endif

#endif
