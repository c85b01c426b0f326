/* SPDX-License-Identifier: MIT */
#include "srs_protocol_rtp_loop.h"
#include "srs_kernel_avc.h"
#include "srs_kernel_flv.h"
#include "srs_protocol_rtp.h"

#include <stdlib.h>
#include <string.h>

/* NALUs in one access unit we packetize; real encoders write a handful. */
#define LOOP_MAX_NALUS 256
/* The frame interval assumed when the file has one frame, or two at the same time. */
#define LOOP_DEFAULT_FRAME_MS 40
#define LOOP_AUDIO_FRAME_MS 20

typedef struct {
    srs_rtp_loop_packet_t *items;
    size_t count, cap;
} packet_list_t;

static srs_error_t list_push(packet_list_t *l, const srs_rtp_loop_packet_t *p)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        srs_rtp_loop_packet_t *items = realloc(l->items, cap * sizeof(*items));
        if (!items) return srs_error_new(ERROR_SYSTEM_NOMEM, "rtp loop packets");
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = *p;
    return srs_success;
}

static srs_error_t arena_push(srs_rtp_loop_t *c, size_t *cap, const uint8_t *data, size_t size, size_t *offset)
{
    if (c->arena_len + size > *cap) {
        size_t n = SRS_MAX(*cap * 2, c->arena_len + size + 64 * 1024);
        uint8_t *arena = realloc(c->arena, n);
        if (!arena) return srs_error_new(ERROR_SYSTEM_NOMEM, "rtp loop arena");
        c->arena = arena;
        *cap = n;
    }
    memcpy(c->arena + c->arena_len, data, size);
    *offset = c->arena_len;
    c->arena_len += size;
    return srs_success;
}

typedef struct {
    srs_rtp_loop_t *c;
    size_t arena_cap;
    packet_list_t video;
    srs_rtp_packetizer_t packetizer;
    int length_size;          /* 0 until a sequence header */
    bool have_base;
    uint32_t base_ms;         /* the first tag's timestamp */
    uint32_t last_send_ms, prev_send_ms;
} loop_builder_t;

static srs_error_t on_sequence_header(loop_builder_t *b, const srs_flv_video_t *v)
{
    srs_avc_config_t cfg;
    srs_error_t err = srs_avc_parse_config(v->payload, v->payload_size, &cfg);
    if (err) return srs_error_wrap(err, "AVC sequence header");
    err = srs_rtp_packetizer_set_h264_params(&b->packetizer, cfg.sps[0].data, cfg.sps[0].size, cfg.pps[0].data,
                                             cfg.pps[0].size);
    if (err) return srs_error_wrap(err, "AVC parameter sets");
    b->length_size = cfg.nalu_length_size;
    return srs_success;
}

static srs_error_t on_frame(loop_builder_t *b, uint32_t tag_ms, const srs_flv_video_t *v)
{
    srs_avc_nalu_t nalus[LOOP_MAX_NALUS];
    size_t count = 0;
    srs_error_t err = srs_avc_split_nalus(v->payload, v->payload_size, b->length_size, nalus, LOOP_MAX_NALUS, &count);
    if (err) return srs_error_wrap(err, "frame at %u ms", tag_ms);
    if (!count) return srs_success;

    /* Send in decode order, never back in time; the timestamp is the presentation time. */
    uint32_t dts = tag_ms - b->base_ms;
    uint32_t send_ms = b->c->frames ? SRS_MAX(dts, b->last_send_ms) : dts;
    int64_t pts = (int64_t)dts + v->composition_time;
    if (pts < 0) pts = 0;
    uint32_t timestamp = (uint32_t)((uint64_t)pts * 90);
    if ((err = srs_rtp_packetize_h264(&b->packetizer, nalus, count, timestamp)) != srs_success) return err;

    bool keyframe = srs_avc_has_idr(nalus, count);
    for (size_t i = 0; i < b->packetizer.nb_packets; i++) {
        const srs_rtp_out_t *o = &b->packetizer.packets[i];
        srs_rtp_loop_packet_t p;
        memset(&p, 0, sizeof(p));
        p.send_ms = send_ms;
        p.kind = SRS_RTP_LOOP_VIDEO;
        p.marker = (o->data[1] & 0x80) != 0;
        p.keyframe = keyframe;
        p.index = (uint32_t)b->video.count;
        p.timestamp = timestamp;
        p.size = (uint16_t)(o->size - SRS_RTP_HEADER_SIZE);
        if ((err = arena_push(b->c, &b->arena_cap, o->data + SRS_RTP_HEADER_SIZE, p.size, &p.offset)) != srs_success) return err;
        if ((err = list_push(&b->video, &p)) != srs_success) return err;
    }
    b->c->frames++;
    b->c->keyframes += keyframe;
    b->prev_send_ms = b->last_send_ms;
    b->last_send_ms = send_ms;
    return srs_success;
}

static srs_error_t read_flv(loop_builder_t *b, const uint8_t *flv, size_t len)
{
    srs_flv_reader_t r;
    srs_error_t err = srs_flv_reader_init(&r, flv, len);
    if (err) return err;
    for (;;) {
        srs_flv_tag_t tag;
        if ((err = srs_flv_read_tag(&r, &tag)) != srs_success) {
            if (srs_error_code(err) != ERROR_SYSTEM_EOF) return err;
            srs_error_free(err);
            return srs_success;
        }
        if (!b->have_base) {
            b->have_base = true;
            b->base_ms = tag.timestamp;
        }
        /* A tag stamped before the first one is taken as at the start. */
        uint32_t tag_ms = tag.timestamp < b->base_ms ? b->base_ms : tag.timestamp;
        if (tag.type != SRS_FLV_TAG_VIDEO || tag.encrypted) continue;
        srs_flv_video_t v;
        if ((err = srs_flv_parse_video(tag.data, tag.size, &v)) != srs_success) return err;
        if (v.codec_id != SRS_FLV_CODEC_AVC) continue;
        if (v.avc_packet_type == SRS_FLV_AVC_SEQUENCE_HEADER) err = on_sequence_header(b, &v);
        else if (v.avc_packet_type == SRS_FLV_AVC_NALU && b->length_size) err = on_frame(b, tag_ms, &v);
        /* Frames before the first sequence header cannot be decoded: skipped. */
        if (err) return err;
    }
}

/* Merge the video packets with an Opus silence frame every 20 ms of the loop. */
static srs_error_t merge_audio(srs_rtp_loop_t *c, const packet_list_t *video, size_t *arena_cap)
{
    uint32_t n_audio = c->duration_ms / LOOP_AUDIO_FRAME_MS;
    size_t silence = 0;
    srs_error_t err = arena_push(c, arena_cap, srs_rtp_opus_silence, sizeof(srs_rtp_opus_silence), &silence);
    if (err) return err;
    c->count = video->count + n_audio;
    c->packets = malloc(SRS_MAX(c->count, (size_t)1) * sizeof(*c->packets));
    if (!c->packets) return srs_error_new(ERROR_SYSTEM_NOMEM, "rtp loop packets");
    size_t v = 0, out = 0;
    for (uint32_t a = 0; a < n_audio || v < video->count;) {
        uint32_t audio_ms = a * LOOP_AUDIO_FRAME_MS;
        if (a < n_audio && (v == video->count || audio_ms <= video->items[v].send_ms)) {
            srs_rtp_loop_packet_t *p = &c->packets[out++];
            memset(p, 0, sizeof(*p));
            p->send_ms = audio_ms;
            p->kind = SRS_RTP_LOOP_AUDIO;
            p->index = a;
            p->timestamp = a * SRS_RTP_OPUS_FRAME_SAMPLES;
            p->offset = silence;
            p->size = sizeof(srs_rtp_opus_silence);
            a++;
        } else {
            c->packets[out++] = video->items[v++];
        }
    }
    c->per_loop[SRS_RTP_LOOP_AUDIO] = n_audio;
    c->per_loop[SRS_RTP_LOOP_VIDEO] = (uint32_t)video->count;
    return srs_success;
}

srs_error_t srs_rtp_loop_build(srs_rtp_loop_t *c, const uint8_t *flv, size_t len)
{
    memset(c, 0, sizeof(*c));
    if (len > SRS_RTP_LOOP_MAX_FLV) return srs_error_new(ERROR_SYSTEM_LIMIT, "FLV of %zu bytes for WebRTC", len);
    loop_builder_t b;
    memset(&b, 0, sizeof(b));
    b.c = c;
    srs_error_t err = srs_rtp_packetizer_init(&b.packetizer, 0, 0, 0, 0);
    if (!err && flv && len) err = read_flv(&b, flv, len);
    if (!err) {
        if (c->frames) {
            uint32_t interval = c->frames > 1 ? b.last_send_ms - b.prev_send_ms : 0;
            uint64_t end = (uint64_t)b.last_send_ms + (interval ? interval : LOOP_DEFAULT_FRAME_MS);
            end = (end + LOOP_AUDIO_FRAME_MS - 1) / LOOP_AUDIO_FRAME_MS * LOOP_AUDIO_FRAME_MS;
            if (end > UINT32_MAX / 90) err = srs_error_new(ERROR_SYSTEM_LIMIT, "FLV of %llu ms", (unsigned long long)end);
            c->duration_ms = (uint32_t)end;
        } else {
            c->duration_ms = SRS_RTP_LOOP_AUDIO_ONLY_MS;
        }
    }
    if (!err) err = merge_audio(c, &b.video, &b.arena_cap);
    srs_rtp_packetizer_free(&b.packetizer);
    free(b.video.items);
    if (err) {
        srs_rtp_loop_free(c);
        return srs_error_wrap(err, "packetize FLV for WebRTC");
    }
    return srs_success;
}

void srs_rtp_loop_free(srs_rtp_loop_t *c)
{
    if (!c) return;
    free(c->packets);
    free(c->arena);
    memset(c, 0, sizeof(*c));
}

srs_error_t srs_rtp_loop_write(const srs_rtp_loop_t *c, size_t index, uint64_t loop,
                                     const srs_rtp_loop_ids_t *ids, uint8_t *buf, size_t cap, size_t *len)
{
    if (index >= c->count) return srs_error_new(ERROR_RTC_RTP, "rtp loop packet %zu of %zu", index, c->count);
    const srs_rtp_loop_packet_t *p = &c->packets[index];
    int k = p->kind;
    uint64_t clock_per_ms = k == SRS_RTP_LOOP_VIDEO ? SRS_RTP_VIDEO_CLOCK_RATE / 1000 : SRS_RTP_OPUS_CLOCK_RATE / 1000;
    srs_rtp_header_t h;
    memset(&h, 0, sizeof(h));
    h.marker = p->marker;
    h.payload_type = ids->pt[k];
    h.sequence = (uint16_t)(ids->first_seq[k] + loop * c->per_loop[k] + p->index);
    h.timestamp = (uint32_t)(ids->first_ts[k] + loop * c->duration_ms * clock_per_ms + p->timestamp);
    h.ssrc = ids->ssrc[k];
    return srs_rtp_write(&h, c->arena + p->offset, p->size, 0, buf, cap, len);
}
