/* SPDX-License-Identifier: MIT */
/* An FLV file as a loop of RTP packets, for the tools (srs-mock-origin's WebRTC senders), made
 * once: one pass over the file gives RTP payloads (H.264 as single NAL units, STAP-A and FU-A with
 * SPS/PPS before each keyframe; an Opus silence frame every 20 ms for audio, whatever audio the
 * file has), each with its send time in the loop. A sender replays the loop forever: packet i of
 * loop k gets the sequence number first + k * (packets of its kind per loop) + its index among
 * them, and the timestamp first + k * loop duration + its own, so sequence numbers and timestamps
 * run on across loops, and the same (i, k) always gives the same bytes (the raw mode protects
 * them once for every player). Pure: the caller reads the file; senders only copy from here. */
#ifndef SRS_PROTOCOL_RTP_LOOP_H
#define SRS_PROTOCOL_RTP_LOOP_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_RTP_LOOP_AUDIO 0
#define SRS_RTP_LOOP_VIDEO 1

/* A loop without video is this long (audio only). */
#define SRS_RTP_LOOP_AUDIO_ONLY_MS 1000
/* Files larger than this are refused: the whole loop is kept in memory. */
#define SRS_RTP_LOOP_MAX_FLV (256 * 1024 * 1024)

typedef struct {
    uint32_t send_ms;     /* from the start of the loop */
    uint8_t kind;         /* SRS_RTP_LOOP_AUDIO or SRS_RTP_LOOP_VIDEO */
    bool marker;
    bool keyframe;        /* a packet of a frame with an IDR */
    uint32_t index;       /* among the packets of its kind: the sequence offset */
    uint32_t timestamp;   /* RTP timestamp offset in the loop (90 kHz video, 48 kHz audio) */
    size_t offset;        /* of the payload in the arena */
    uint16_t size;
} srs_rtp_loop_packet_t;

typedef struct {
    srs_rtp_loop_packet_t *packets; /* by send time; audio before video at the same time */
    size_t count;
    uint8_t *arena;                 /* every payload, back to back */
    size_t arena_len;
    uint32_t duration_ms;           /* of one loop, a multiple of 20 ms */
    uint32_t per_loop[2];           /* packets of each kind in one loop */
    uint32_t frames, keyframes;     /* video access units in one loop */
} srs_rtp_loop_t;

/* One loop of flv (NULL or empty: audio only). The file must be an FLV with H.264 (an AVC
 * sequence header before the first frame); other video codecs and every audio tag are skipped.
 * Timestamps start at the first tag. Errors: ERROR_FLV_INVALID (not an FLV, a truncated tag,
 * frames before any sequence header), ERROR_AVC_INVALID, ERROR_SYSTEM_LIMIT (too big),
 * ERROR_SYSTEM_NOMEM. */
srs_error_t srs_rtp_loop_build(srs_rtp_loop_t *c, const uint8_t *flv, size_t len);
/* NULL-safe, leaves *c empty. */
void srs_rtp_loop_free(srs_rtp_loop_t *c);

/* What makes one stream's packets its own. */
typedef struct {
    uint32_t ssrc[2];       /* by kind */
    uint8_t pt[2];
    uint16_t first_seq[2];
    uint32_t first_ts[2];
} srs_rtp_loop_ids_t;

/* Write packet `index` of loop `loop` as an RTP packet into buf. ERROR_RTC_RTP when the index is
 * out of range or buf is smaller than 12 + size. */
srs_error_t srs_rtp_loop_write(const srs_rtp_loop_t *c, size_t index, uint64_t loop,
                                     const srs_rtp_loop_ids_t *ids, uint8_t *buf, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
