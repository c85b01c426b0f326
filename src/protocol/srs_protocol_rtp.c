/* SPDX-License-Identifier: MIT */
#include "srs_protocol_rtp.h"

#include <stdlib.h>
#include <string.h>

const uint8_t srs_rtp_opus_silence[3] = {0xF8, 0xFF, 0xFE};

/* RFC 3550 A.1: a jump ahead larger than this, or back further than MAX_MISORDER, is a restart
 * candidate, not loss. */
#define RTP_MAX_DROPOUT 3000
#define RTP_MAX_MISORDER 100
#define RTP_NO_BAD_SEQ (65536u + 1)
#define RTP_MIN_MAX_PAYLOAD 16
#define RTP_FU_HEADER_SIZE 2
/* Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
#define RTP_NTP_UNIX_OFFSET 2208988800ULL

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put_u32(uint8_t *p, uint32_t v) { put_u16(p, (uint16_t)(v >> 16)); put_u16(p + 2, (uint16_t)v); }

/* ---- RTP header ---- */

srs_error_t srs_rtp_parse(const uint8_t *data, size_t len, srs_rtp_packet_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!data || len < SRS_RTP_HEADER_SIZE) return srs_error_new(ERROR_RTC_RTP, "rtp of %zu bytes", len);
    if ((data[0] >> 6) != SRS_RTP_VERSION) return srs_error_new(ERROR_RTC_RTP, "rtp version %u", data[0] >> 6);

    srs_rtp_header_t *h = &out->header;
    bool padding = (data[0] & 0x20) != 0;
    h->extension = (data[0] & 0x10) != 0;
    h->csrc_count = data[0] & 0x0F;
    h->marker = (data[1] & 0x80) != 0;
    h->payload_type = data[1] & 0x7F;
    h->sequence = get_u16(data + 2);
    h->timestamp = get_u32(data + 4);
    h->ssrc = get_u32(data + 8);

    size_t pos = SRS_RTP_HEADER_SIZE;
    if ((size_t)h->csrc_count * 4 > len - pos) return srs_error_new(ERROR_RTC_RTP, "rtp %u csrcs past end %zu", h->csrc_count, len);
    for (int i = 0; i < h->csrc_count; i++, pos += 4) h->csrc[i] = get_u32(data + pos);

    if (h->extension) {
        if (len - pos < 4) return srs_error_new(ERROR_RTC_RTP, "rtp extension header past end %zu", len);
        h->extension_profile = get_u16(data + pos);
        size_t size = (size_t)get_u16(data + pos + 2) * 4;
        pos += 4;
        if (size > len - pos) return srs_error_new(ERROR_RTC_RTP, "rtp extension of %zu bytes, %zu left", size, len - pos);
        h->extension_data = data + pos;
        h->extension_size = size;
        pos += size;
    }

    if (padding) {
        /* The last byte counts the padding, itself included. */
        size_t pad = data[len - 1];
        if (pad == 0 || pad > len - pos) return srs_error_new(ERROR_RTC_RTP, "rtp padding %zu, %zu after header", pad, len - pos);
        out->padding_size = pad;
    }
    out->header_size = pos;
    out->payload = data + pos;
    out->payload_size = len - pos - out->padding_size;
    return srs_success;
}

size_t srs_rtp_header_size(const srs_rtp_header_t *h)
{
    return SRS_RTP_HEADER_SIZE + (size_t)h->csrc_count * 4 + (h->extension ? 4 + h->extension_size : 0);
}

srs_error_t srs_rtp_write(const srs_rtp_header_t *h, const uint8_t *payload, size_t payload_size,
                          uint8_t padding, uint8_t *buf, size_t size, size_t *written)
{
    if (h->csrc_count > SRS_RTP_MAX_CSRC) return srs_error_new(ERROR_RTC_RTP, "rtp %u csrcs", h->csrc_count);
    if (h->payload_type > 127) return srs_error_new(ERROR_RTC_RTP, "rtp payload type %u", h->payload_type);
    if (h->extension && (h->extension_size % 4 || h->extension_size > 4 * 0xFFFFu)) {
        return srs_error_new(ERROR_RTC_RTP, "rtp extension of %zu bytes", h->extension_size);
    }
    size_t header_size = srs_rtp_header_size(h);
    if (payload_size > size || header_size > size - payload_size || padding > size - payload_size - header_size) {
        return srs_error_new(ERROR_RTC_RTP, "rtp of %zu+%zu+%u bytes, have %zu", header_size, payload_size, padding, size);
    }

    uint8_t *p = buf;
    p[0] = (uint8_t)((SRS_RTP_VERSION << 6) | (padding ? 0x20 : 0) | (h->extension ? 0x10 : 0) | h->csrc_count);
    p[1] = (uint8_t)((h->marker ? 0x80 : 0) | h->payload_type);
    put_u16(p + 2, h->sequence);
    put_u32(p + 4, h->timestamp);
    put_u32(p + 8, h->ssrc);
    p += SRS_RTP_HEADER_SIZE;
    for (int i = 0; i < h->csrc_count; i++, p += 4) put_u32(p, h->csrc[i]);
    if (h->extension) {
        put_u16(p, h->extension_profile);
        put_u16(p + 2, (uint16_t)(h->extension_size / 4));
        if (h->extension_size) memcpy(p + 4, h->extension_data, h->extension_size);
        p += 4 + h->extension_size;
    }
    if (payload_size) memcpy(p, payload, payload_size);
    p += payload_size;
    if (padding) {
        memset(p, 0, padding);
        p[padding - 1] = padding;
        p += padding;
    }
    *written = (size_t)(p - buf);
    return srs_success;
}

/* ---- Packetizer ---- */

srs_error_t srs_rtp_packetizer_init(srs_rtp_packetizer_t *p, uint32_t ssrc, uint8_t payload_type,
                                    uint16_t first_sequence, size_t max_payload)
{
    memset(p, 0, sizeof(*p));
    if (payload_type > 127) return srs_error_new(ERROR_RTC_RTP, "rtp payload type %u", payload_type);
    if (!max_payload) max_payload = SRS_RTP_DEFAULT_MAX_PAYLOAD;
    if (max_payload < RTP_MIN_MAX_PAYLOAD || max_payload > SRS_RTP_MAX_PAYLOAD_LIMIT) {
        return srs_error_new(ERROR_RTC_RTP, "rtp max payload %zu", max_payload);
    }
    p->ssrc = ssrc;
    p->payload_type = payload_type;
    p->sequence = first_sequence;
    p->max_payload = max_payload;
    return srs_success;
}

void srs_rtp_packetizer_free(srs_rtp_packetizer_t *p)
{
    srs_freep(p->packets);
    p->nb_packets = p->capacity = 0;
}

srs_error_t srs_rtp_packetizer_set_h264_params(srs_rtp_packetizer_t *p, const uint8_t *sps, size_t sps_size,
                                               const uint8_t *pps, size_t pps_size)
{
    if (!sps || !sps_size || sps_size > sizeof(p->sps)) return srs_error_new(ERROR_RTC_RTP, "sps of %zu bytes", sps_size);
    if (!pps || !pps_size || pps_size > sizeof(p->pps)) return srs_error_new(ERROR_RTC_RTP, "pps of %zu bytes", pps_size);
    memcpy(p->sps, sps, sps_size);
    memcpy(p->pps, pps, pps_size);
    p->sps_size = sps_size;
    p->pps_size = pps_size;
    return srs_success;
}

/* The next packet buffer with its 12-byte header written (no marker); the array only grows. */
static srs_error_t packetizer_next(srs_rtp_packetizer_t *p, uint32_t timestamp, srs_rtp_out_t **out)
{
    if (p->nb_packets == p->capacity) {
        if (p->capacity >= SRS_RTP_MAX_PACKETS_PER_FRAME) {
            return srs_error_new(ERROR_SYSTEM_LIMIT, "more than %d rtp packets in a frame", SRS_RTP_MAX_PACKETS_PER_FRAME);
        }
        size_t cap = p->capacity ? SRS_MIN(p->capacity * 2, (size_t)SRS_RTP_MAX_PACKETS_PER_FRAME) : 8;
        srs_rtp_out_t *packets = realloc(p->packets, cap * sizeof(*packets));
        if (!packets) return srs_error_new(ERROR_SYSTEM_NOMEM, "%zu rtp packets", cap);
        p->packets = packets;
        p->capacity = cap;
    }
    srs_rtp_out_t *o = &p->packets[p->nb_packets++];
    o->data[0] = SRS_RTP_VERSION << 6;
    o->data[1] = p->payload_type;
    put_u16(o->data + 2, p->sequence++);
    put_u32(o->data + 4, timestamp);
    put_u32(o->data + 8, p->ssrc);
    o->size = SRS_RTP_HEADER_SIZE;
    *out = o;
    return srs_success;
}

static srs_error_t packetize_single(srs_rtp_packetizer_t *p, const srs_avc_nalu_t *n, uint32_t timestamp)
{
    srs_rtp_out_t *o = NULL;
    srs_error_t err = packetizer_next(p, timestamp, &o);
    if (err) return err;
    memcpy(o->data + o->size, n->data, n->size);
    o->size += n->size;
    return srs_success;
}

/* RFC 6184 §5.8: the NAL header byte is replaced by the FU indicator (F, NRI, type 28) and the
 * FU header (S, E, R, the original type). */
static srs_error_t packetize_fu_a(srs_rtp_packetizer_t *p, const srs_avc_nalu_t *n, uint32_t timestamp)
{
    uint8_t nal_header = n->data[0];
    const uint8_t *src = n->data + 1;
    size_t left = n->size - 1;
    size_t chunk_max = p->max_payload - RTP_FU_HEADER_SIZE;
    for (bool first = true; left; first = false) {
        size_t chunk = SRS_MIN(left, chunk_max);
        srs_rtp_out_t *o = NULL;
        srs_error_t err = packetizer_next(p, timestamp, &o);
        if (err) return err;
        uint8_t *b = o->data + o->size;
        b[0] = (uint8_t)((nal_header & 0xE0) | SRS_RTP_H264_FU_A);
        b[1] = (uint8_t)((first ? 0x80 : 0) | (chunk == left ? 0x40 : 0) | srs_avc_nalu_type(nal_header));
        memcpy(b + RTP_FU_HEADER_SIZE, src, chunk);
        o->size += RTP_FU_HEADER_SIZE + chunk;
        src += chunk;
        left -= chunk;
    }
    return srs_success;
}

/* RFC 6184 §5.7.1: a STAP-A header (F = OR of the Fs, NRI = the highest), then per NALU a u16
 * size and the NALU. */
static srs_error_t packetize_stap_a(srs_rtp_packetizer_t *p, const srs_avc_nalu_t **group, size_t count,
                                    uint32_t timestamp)
{
    srs_rtp_out_t *o = NULL;
    srs_error_t err = packetizer_next(p, timestamp, &o);
    if (err) return err;
    uint8_t f = 0, nri = 0;
    uint8_t *b = o->data + o->size + 1;
    for (size_t i = 0; i < count; i++) {
        const srs_avc_nalu_t *n = group[i];
        f |= n->data[0] & 0x80;
        nri = SRS_MAX(nri, (uint8_t)(n->data[0] & 0x60));
        put_u16(b, (uint16_t)n->size);
        memcpy(b + 2, n->data, n->size);
        b += 2 + n->size;
    }
    o->data[o->size] = (uint8_t)(f | nri | SRS_RTP_H264_STAP_A);
    o->size = (size_t)(b - o->data);
    return srs_success;
}

/* Emit the NALUs of `list`, aggregating runs of small ones. */
static srs_error_t packetize_list(srs_rtp_packetizer_t *p, const srs_avc_nalu_t **list, size_t count, uint32_t timestamp)
{
    srs_error_t err = srs_success;
    size_t i = 0;
    while (i < count) {
        const srs_avc_nalu_t *n = list[i];
        if (n->size > p->max_payload) {
            if ((err = packetize_fu_a(p, n, timestamp))) return err;
            i++;
            continue;
        }
        /* Gather the following NALUs while the STAP-A still fits. */
        size_t stap_size = 1 + 2 + n->size, j = i + 1;
        while (j < count && list[j]->size <= p->max_payload && stap_size + 2 + list[j]->size <= p->max_payload) {
            stap_size += 2 + list[j]->size;
            j++;
        }
        err = (j - i == 1) ? packetize_single(p, n, timestamp) : packetize_stap_a(p, list + i, j - i, timestamp);
        if (err) return err;
        i = j;
    }
    return srs_success;
}

srs_error_t srs_rtp_packetize_h264(srs_rtp_packetizer_t *p, const srs_avc_nalu_t *nalus, size_t count,
                                   uint32_t timestamp)
{
    p->nb_packets = 0;
    uint16_t first_sequence = p->sequence;

    bool has_sps = false, has_idr = false;
    size_t nb_nonempty = 0;
    for (size_t i = 0; i < count; i++) {
        if (!nalus[i].size) continue;
        nb_nonempty++;
        uint8_t type = srs_avc_nalu_type(nalus[i].data[0]);
        has_sps |= type == SRS_AVC_NALU_SPS;
        has_idr |= type == SRS_AVC_NALU_IDR;
    }
    srs_avc_nalu_t params[2] = {{p->sps, p->sps_size}, {p->pps, p->pps_size}};
    bool add_params = has_idr && !has_sps && p->sps_size && p->pps_size;

    /* A list of pointers, so the parameter sets and the frame's NALUs are walked as one. */
    size_t total = nb_nonempty + (add_params ? 2 : 0);
    const srs_avc_nalu_t *small[64];
    const srs_avc_nalu_t **list = small;
    if (total > SRS_ARRAY_SIZE(small) && !(list = malloc(total * sizeof(*list)))) {
        return srs_error_new(ERROR_SYSTEM_NOMEM, "list of %zu nalus", total);
    }
    size_t k = 0;
    if (add_params) {
        list[k++] = &params[0];
        list[k++] = &params[1];
    }
    for (size_t i = 0; i < count; i++) {
        if (nalus[i].size) list[k++] = &nalus[i];
    }

    srs_error_t err = packetize_list(p, list, total, timestamp);
    if (list != small) free(list);
    if (err) {
        /* Nothing was sent: give the sequence numbers back. */
        p->nb_packets = 0;
        p->sequence = first_sequence;
        return srs_error_wrap(err, "packetize h264 of %zu nalus", count);
    }
    if (p->nb_packets) p->packets[p->nb_packets - 1].data[1] |= 0x80;
    return srs_success;
}

srs_error_t srs_rtp_packetize_opus(srs_rtp_packetizer_t *p, const uint8_t *frame, size_t size, uint32_t timestamp)
{
    p->nb_packets = 0;
    if (!frame || !size || size > p->max_payload) return srs_error_new(ERROR_RTC_RTP, "opus frame of %zu bytes", size);
    srs_rtp_out_t *o = NULL;
    srs_error_t err = packetizer_next(p, timestamp, &o);
    if (err) return srs_error_wrap(err, "packetize opus");
    memcpy(o->data + o->size, frame, size);
    o->size += size;
    return srs_success;
}

/* ---- Depacketizer-checker ---- */

srs_error_t srs_rtp_h264_checker_init(srs_rtp_h264_checker_t *c, size_t max_frame)
{
    memset(c, 0, sizeof(*c));
    if (!(c->frame = malloc(max_frame ? max_frame : 1))) return srs_error_new(ERROR_SYSTEM_NOMEM, "frame of %zu bytes", max_frame);
    c->frame_capacity = max_frame;
    return srs_success;
}

void srs_rtp_h264_checker_free(srs_rtp_h264_checker_t *c)
{
    srs_freep(c->frame);
    c->frame_size = c->frame_capacity = 0;
}

/* Drop the FU-A NALU being assembled: it can no longer be complete. */
static void checker_cut_fu(srs_rtp_h264_checker_t *c)
{
    if (!c->in_fu) return;
    c->fu_errors++;
    c->in_fu = false;
    c->fu_skip = true;
    c->frame_size = c->fu_start;
}

static void checker_break(srs_rtp_h264_checker_t *c)
{
    c->frame_broken = true;
    checker_cut_fu(c);
}

static bool checker_end_frame(srs_rtp_h264_checker_t *c)
{
    if (c->in_fu) checker_break(c); /* the last FU-A has no end */
    c->in_frame = false;
    if (c->frame_broken || !c->frame_nalus) {
        c->broken_frames++;
        return false;
    }
    c->frames++;
    if (c->frame_keyframe) c->keyframes++;
    return true;
}

static void checker_start_frame(srs_rtp_h264_checker_t *c, uint32_t timestamp, bool broken)
{
    c->in_frame = true;
    c->frame_broken = broken;
    c->frame_timestamp = timestamp;
    c->frame_size = 0;
    c->frame_nalus = 0;
    c->frame_keyframe = false;
    c->in_fu = c->fu_skip = false;
}

static srs_error_t checker_append(srs_rtp_h264_checker_t *c, const uint8_t *data, size_t size)
{
    if (size > c->frame_capacity - c->frame_size) {
        return srs_error_new(ERROR_RTC_RTP, "h264 frame over %zu bytes", c->frame_capacity);
    }
    memcpy(c->frame + c->frame_size, data, size);
    c->frame_size += size;
    return srs_success;
}

/* Append a length prefix; its value is set when the NALU is complete. */
static srs_error_t checker_begin_nalu(srs_rtp_h264_checker_t *c, uint8_t nal_header)
{
    uint8_t prefix[5] = {0, 0, 0, 0, nal_header};
    return checker_append(c, prefix, sizeof(prefix));
}

static void checker_end_nalu(srs_rtp_h264_checker_t *c, size_t start)
{
    put_u32(c->frame + start, (uint32_t)(c->frame_size - start - 4));
    if (srs_avc_nalu_type(c->frame[start + 4]) == SRS_AVC_NALU_IDR) c->frame_keyframe = true;
    c->frame_nalus++;
}

static srs_error_t checker_add_nalu(srs_rtp_h264_checker_t *c, const uint8_t *data, size_t size)
{
    /* A whole NALU while an FU-A is open: that FU-A lost its end. */
    if (c->in_fu) checker_break(c);
    c->fu_skip = false;
    size_t start = c->frame_size;
    srs_error_t err = checker_begin_nalu(c, data[0]);
    if (!err) err = checker_append(c, data + 1, size - 1);
    if (err) return err;
    checker_end_nalu(c, start);
    return srs_success;
}

static srs_error_t checker_stap_a(srs_rtp_h264_checker_t *c, const uint8_t *b, size_t n)
{
    if (n < 1 + 2) return srs_error_new(ERROR_RTC_RTP, "empty stap-a");
    for (size_t pos = 1; pos < n;) {
        if (n - pos < 2) return srs_error_new(ERROR_RTC_RTP, "stap-a size at %zu truncated", pos);
        size_t size = get_u16(b + pos);
        pos += 2;
        if (!size || size > n - pos) return srs_error_new(ERROR_RTC_RTP, "stap-a nalu of %zu bytes, %zu left", size, n - pos);
        srs_error_t err = checker_add_nalu(c, b + pos, size);
        if (err) return err;
        pos += size;
    }
    return srs_success;
}

static srs_error_t checker_fu_a(srs_rtp_h264_checker_t *c, const uint8_t *b, size_t n)
{
    if (n < RTP_FU_HEADER_SIZE) return srs_error_new(ERROR_RTC_RTP, "fu-a of %zu bytes", n);
    bool start = (b[1] & 0x80) != 0, end = (b[1] & 0x40) != 0;
    if (start && end) return srs_error_new(ERROR_RTC_RTP, "fu-a with both start and end");

    srs_error_t err = srs_success;
    if (start) {
        if (c->in_fu) checker_break(c); /* the previous FU-A never ended */
        c->fu_skip = false;
        c->fu_start = c->frame_size;
        if ((err = checker_begin_nalu(c, (uint8_t)((b[0] & 0xE0) | (b[1] & 0x1F))))) return err;
        c->in_fu = true;
    } else if (!c->in_fu) {
        /* A middle or end without its start: count the cut NALU once. */
        c->frame_broken = true;
        if (!c->fu_skip) c->fu_errors++;
        c->fu_skip = !end;
        return srs_success;
    }
    if ((err = checker_append(c, b + RTP_FU_HEADER_SIZE, n - RTP_FU_HEADER_SIZE))) return err;
    if (end) {
        c->in_fu = false;
        checker_end_nalu(c, c->fu_start);
    }
    return srs_success;
}

static srs_error_t checker_payload(srs_rtp_h264_checker_t *c, const uint8_t *b, size_t n)
{
    uint8_t type = srs_avc_nalu_type(b[0]);
    if (type >= 1 && type <= 23) return checker_add_nalu(c, b, n);
    if (type == SRS_RTP_H264_STAP_A) return checker_stap_a(c, b, n);
    if (type == SRS_RTP_H264_FU_A) return checker_fu_a(c, b, n);
    return srs_error_new(ERROR_RTC_RTP, "h264 rtp nal type %u not in packetization-mode 1", type);
}

srs_error_t srs_rtp_h264_checker_feed(srs_rtp_h264_checker_t *c, const srs_rtp_packet_t *pkt, bool *frame_ready)
{
    *frame_ready = false;
    const srs_rtp_header_t *h = &pkt->header;
    bool gap = false;
    if (c->have_seq) {
        int16_t delta = (int16_t)(uint16_t)(h->sequence - c->last_seq);
        if (delta <= 0) {
            c->out_of_order++;
            return srs_success;
        }
        gap = delta != 1;
    }
    c->have_seq = true;
    c->last_seq = h->sequence;
    c->packets++;

    /* A lost packet breaks the current frame, and the next frame too: the lost packets may
     * have been its first ones. */
    if (gap) {
        if (c->in_frame) checker_break(c);
        c->gap_pending = true;
    }
    /* Padding-only packets (bandwidth probes) carry no media. */
    if (!pkt->payload_size) return srs_success;

    if (c->in_frame && h->timestamp != c->frame_timestamp) {
        c->frame_broken = true; /* no marker: the sender cannot have finished it */
        checker_end_frame(c);
    }
    if (!c->in_frame) checker_start_frame(c, h->timestamp, c->gap_pending);
    c->gap_pending = false;

    srs_error_t err = checker_payload(c, pkt->payload, pkt->payload_size);
    if (err) {
        c->malformed++;
        checker_break(c);
    }
    if (h->marker) {
        *frame_ready = checker_end_frame(c);
    }
    return err ? srs_error_wrap(err, "h264 rtp seq=%u", h->sequence) : srs_success;
}

/* ---- RTCP ---- */

srs_error_t srs_rtcp_split(const uint8_t *data, size_t len, srs_rtcp_packet_t *pkts, size_t max, size_t *count)
{
    *count = 0;
    if (!data || len < SRS_RTCP_HEADER_SIZE) return srs_error_new(ERROR_RTC_RTCP, "rtcp of %zu bytes", len);
    for (size_t pos = 0; pos < len;) {
        if (len - pos < SRS_RTCP_HEADER_SIZE) return srs_error_new(ERROR_RTC_RTCP, "rtcp header at %zu truncated", pos);
        const uint8_t *h = data + pos;
        if ((h[0] >> 6) != SRS_RTP_VERSION) return srs_error_new(ERROR_RTC_RTCP, "rtcp version %u at %zu", h[0] >> 6, pos);
        size_t size = ((size_t)get_u16(h + 2) + 1) * 4;
        if (size > len - pos) return srs_error_new(ERROR_RTC_RTCP, "rtcp packet of %zu bytes at %zu, %zu left", size, pos, len - pos);
        size_t body = size;
        if (h[0] & 0x20) {
            size_t pad = h[size - 1];
            if (pad == 0 || pad > size - SRS_RTCP_HEADER_SIZE) return srs_error_new(ERROR_RTC_RTCP, "rtcp padding %zu of %zu", pad, size);
            body -= pad;
        }
        if (*count >= max) return srs_error_new(ERROR_RTC_RTCP, "more than %zu rtcp packets", max);
        srs_rtcp_packet_t *p = &pkts[(*count)++];
        p->type = h[1];
        p->count = h[0] & 0x1F;
        p->data = h;
        p->size = body;
        pos += size;
    }
    return srs_success;
}

static void rtcp_read_block(const uint8_t *b, srs_rtcp_report_block_t *out)
{
    out->ssrc = get_u32(b);
    out->fraction_lost = b[4];
    uint32_t lost = get_u32(b + 4) & 0xFFFFFF;
    out->cumulative_lost = (lost & 0x800000) ? (int32_t)(lost | 0xFF000000u) : (int32_t)lost;
    out->highest_seq = get_u32(b + 8);
    out->jitter = get_u32(b + 12);
    out->lsr = get_u32(b + 16);
    out->dlsr = get_u32(b + 20);
}

static void rtcp_write_block(const srs_rtcp_report_block_t *in, uint8_t *b)
{
    put_u32(b, in->ssrc);
    int32_t lost = SRS_MAX(SRS_MIN(in->cumulative_lost, 0x7FFFFF), -0x800000);
    put_u32(b + 4, ((uint32_t)in->fraction_lost << 24) | ((uint32_t)lost & 0xFFFFFF));
    put_u32(b + 8, in->highest_seq);
    put_u32(b + 12, in->jitter);
    put_u32(b + 16, in->lsr);
    put_u32(b + 20, in->dlsr);
}

/* Check the type, and that the fixed part and `count` report blocks fit in the packet. */
static srs_error_t rtcp_check_report(const srs_rtcp_packet_t *pkt, uint8_t type, size_t fixed)
{
    if (pkt->type != type) return srs_error_new(ERROR_RTC_RTCP, "rtcp type %u, want %u", pkt->type, type);
    if (pkt->size < fixed) return srs_error_new(ERROR_RTC_RTCP, "rtcp %u of %zu bytes", type, pkt->size);
    if ((size_t)pkt->count * SRS_RTCP_REPORT_BLOCK_SIZE > pkt->size - fixed) {
        return srs_error_new(ERROR_RTC_RTCP, "rtcp %u with %u blocks in %zu bytes", type, pkt->count, pkt->size);
    }
    return srs_success;
}

#define RTCP_RR_FIXED_SIZE 8
#define RTCP_SR_FIXED_SIZE 28

srs_error_t srs_rtcp_parse_rr(const srs_rtcp_packet_t *pkt, srs_rtcp_rr_t *out)
{
    memset(out, 0, sizeof(*out));
    srs_error_t err = rtcp_check_report(pkt, SRS_RTCP_RR, RTCP_RR_FIXED_SIZE);
    if (err) return err;
    out->ssrc = get_u32(pkt->data + 4);
    out->count = pkt->count;
    for (int i = 0; i < pkt->count; i++) {
        rtcp_read_block(pkt->data + RTCP_RR_FIXED_SIZE + i * SRS_RTCP_REPORT_BLOCK_SIZE, &out->blocks[i]);
    }
    return srs_success;
}

srs_error_t srs_rtcp_parse_sr(const srs_rtcp_packet_t *pkt, srs_rtcp_sr_t *out)
{
    memset(out, 0, sizeof(*out));
    srs_error_t err = rtcp_check_report(pkt, SRS_RTCP_SR, RTCP_SR_FIXED_SIZE);
    if (err) return err;
    const uint8_t *b = pkt->data;
    out->ssrc = get_u32(b + 4);
    out->ntp = ((uint64_t)get_u32(b + 8) << 32) | get_u32(b + 12);
    out->rtp_timestamp = get_u32(b + 16);
    out->packet_count = get_u32(b + 20);
    out->octet_count = get_u32(b + 24);
    out->count = pkt->count;
    for (int i = 0; i < pkt->count; i++) {
        rtcp_read_block(b + RTCP_SR_FIXED_SIZE + i * SRS_RTCP_REPORT_BLOCK_SIZE, &out->blocks[i]);
    }
    return srs_success;
}

/* Header and sender SSRC; returns the packet size, or 0 when it does not fit. */
static size_t rtcp_write_header(uint8_t type, uint8_t count, size_t fixed, uint32_t ssrc, uint8_t *buf, size_t size)
{
    size_t total = fixed + (size_t)count * SRS_RTCP_REPORT_BLOCK_SIZE;
    if (size < total) return 0;
    buf[0] = (uint8_t)((SRS_RTP_VERSION << 6) | count);
    buf[1] = type;
    put_u16(buf + 2, (uint16_t)(total / 4 - 1));
    put_u32(buf + 4, ssrc);
    return total;
}

srs_error_t srs_rtcp_write_rr(const srs_rtcp_rr_t *rr, uint8_t *buf, size_t size, size_t *written)
{
    if (rr->count > SRS_RTCP_MAX_BLOCKS) return srs_error_new(ERROR_RTC_RTCP, "rr with %u blocks", rr->count);
    size_t total = rtcp_write_header(SRS_RTCP_RR, rr->count, RTCP_RR_FIXED_SIZE, rr->ssrc, buf, size);
    if (!total) return srs_error_new(ERROR_RTC_RTCP, "rr needs more than %zu bytes", size);
    for (int i = 0; i < rr->count; i++) {
        rtcp_write_block(&rr->blocks[i], buf + RTCP_RR_FIXED_SIZE + i * SRS_RTCP_REPORT_BLOCK_SIZE);
    }
    *written = total;
    return srs_success;
}

srs_error_t srs_rtcp_write_sr(const srs_rtcp_sr_t *sr, uint8_t *buf, size_t size, size_t *written)
{
    if (sr->count > SRS_RTCP_MAX_BLOCKS) return srs_error_new(ERROR_RTC_RTCP, "sr with %u blocks", sr->count);
    size_t total = rtcp_write_header(SRS_RTCP_SR, sr->count, RTCP_SR_FIXED_SIZE, sr->ssrc, buf, size);
    if (!total) return srs_error_new(ERROR_RTC_RTCP, "sr needs more than %zu bytes", size);
    put_u32(buf + 8, (uint32_t)(sr->ntp >> 32));
    put_u32(buf + 12, (uint32_t)sr->ntp);
    put_u32(buf + 16, sr->rtp_timestamp);
    put_u32(buf + 20, sr->packet_count);
    put_u32(buf + 24, sr->octet_count);
    for (int i = 0; i < sr->count; i++) {
        rtcp_write_block(&sr->blocks[i], buf + RTCP_SR_FIXED_SIZE + i * SRS_RTCP_REPORT_BLOCK_SIZE);
    }
    *written = total;
    return srs_success;
}

uint64_t srs_rtcp_ntp_from_wall(srs_utime_t wall)
{
    uint64_t secs = (uint64_t)(wall / SRS_UTIME_SECONDS) + RTP_NTP_UNIX_OFFSET;
    uint64_t frac = ((uint64_t)(wall % SRS_UTIME_SECONDS) << 32) / SRS_UTIME_SECONDS;
    return (secs << 32) | frac;
}

/* ---- Receive statistics ---- */

static void stats_seen_clear(srs_rtp_recv_stats_t *s) { memset(s->seen, 0, sizeof(s->seen)); }
static size_t stats_seen_index(int64_t ext) { return (size_t)((uint64_t)ext & (SRS_RTP_DUP_WINDOW - 1)); }
static bool stats_seen(const srs_rtp_recv_stats_t *s, int64_t ext)
{
    size_t i = stats_seen_index(ext);
    return (s->seen[i / 64] >> (i % 64)) & 1;
}
static void stats_mark(srs_rtp_recv_stats_t *s, int64_t ext, bool on)
{
    size_t i = stats_seen_index(ext);
    if (on) s->seen[i / 64] |= 1ULL << (i % 64);
    else s->seen[i / 64] &= ~(1ULL << (i % 64));
}

void srs_rtp_stats_init(srs_rtp_recv_stats_t *s, uint32_t ssrc, uint32_t clock_rate)
{
    memset(s, 0, sizeof(*s));
    s->ssrc = ssrc;
    s->clock_rate = clock_rate;
    s->bad_seq = RTP_NO_BAD_SEQ;
}

/* RFC 3550 A.1 init_seq: a (re)start of the sequence at seq. */
static void stats_restart(srs_rtp_recv_stats_t *s, uint16_t seq)
{
    s->started = true;
    s->base_ext = s->max_ext = seq;
    s->bad_seq = RTP_NO_BAD_SEQ;
    s->received = s->expected_prior = s->received_prior = 0;
    stats_seen_clear(s);
}

/* The arrival time in timestamp units, without overflow for any uptime. */
static uint32_t stats_arrival_ticks(const srs_rtp_recv_stats_t *s, srs_utime_t arrival)
{
    uint64_t us = arrival > 0 ? (uint64_t)arrival : 0;
    uint64_t secs = us / SRS_UTIME_SECONDS, rest = us % SRS_UTIME_SECONDS;
    return (uint32_t)(secs * s->clock_rate + rest * s->clock_rate / SRS_UTIME_SECONDS);
}

/* RFC 3550 A.8: J += (|D| - J) / 16, kept as J * 16 in integers. */
static void stats_jitter(srs_rtp_recv_stats_t *s, uint32_t timestamp, srs_utime_t arrival)
{
    uint32_t transit = stats_arrival_ticks(s, arrival) - timestamp;
    if (s->have_transit) {
        int32_t d = (int32_t)(transit - s->last_transit);
        uint32_t ad = d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
        s->jitter_q4 += ad - ((s->jitter_q4 + 8) >> 4);
    }
    s->last_transit = transit;
    s->have_transit = true;
}

/* Count a packet at extended sequence ext. */
static void stats_count(srs_rtp_recv_stats_t *s, int64_t ext)
{
    stats_mark(s, ext, true);
    s->received++;
    if (ext < s->base_ext) s->base_ext = ext;
}

srs_rtp_seq_result_t srs_rtp_stats_update(srs_rtp_recv_stats_t *s, uint16_t seq, uint32_t timestamp,
                                          size_t bytes, srs_utime_t arrival)
{
    s->packets++;
    s->bytes += bytes;
    if (s->packets == 1) s->first_arrival = arrival;
    s->last_arrival = arrival;

    if (!s->started) {
        stats_restart(s, seq);
        stats_count(s, s->max_ext);
        stats_jitter(s, timestamp, arrival);
        return SRS_RTP_SEQ_NEW;
    }

    uint16_t delta = (uint16_t)(seq - (uint16_t)s->max_ext);
    if (delta != 0 && delta < RTP_MAX_DROPOUT) {
        /* In order, maybe after a gap: clear the window slots the new maximum moves over. */
        int64_t ext = s->max_ext + delta;
        if (delta >= SRS_RTP_DUP_WINDOW) stats_seen_clear(s);
        else for (int64_t e = s->max_ext + 1; e <= ext; e++) stats_mark(s, e, false);
        s->max_ext = ext;
        s->bad_seq = RTP_NO_BAD_SEQ;
        stats_count(s, ext);
        stats_jitter(s, timestamp, arrival);
        return SRS_RTP_SEQ_NEW;
    }
    if (delta != 0 && delta <= 65536 - RTP_MAX_MISORDER) {
        /* A big jump: the sender restarted if the next packet follows this one. */
        if (seq == s->bad_seq) {
            stats_restart(s, seq);
            stats_count(s, s->max_ext);
            stats_jitter(s, timestamp, arrival);
            return SRS_RTP_SEQ_NEW;
        }
        s->bad_seq = (uint16_t)(seq + 1);
        return SRS_RTP_SEQ_JUMP;
    }
    /* At or just behind the maximum: a duplicate or a late packet. */
    int64_t ext = s->max_ext - (delta ? 65536 - delta : 0);
    if (stats_seen(s, ext)) {
        s->duplicates++;
        return SRS_RTP_SEQ_DUPLICATE;
    }
    stats_count(s, ext);
    stats_jitter(s, timestamp, arrival);
    return SRS_RTP_SEQ_LATE;
}

uint64_t srs_rtp_stats_expected(const srs_rtp_recv_stats_t *s)
{
    return s->started ? (uint64_t)(s->max_ext - s->base_ext + 1) : 0;
}

uint64_t srs_rtp_stats_lost(const srs_rtp_recv_stats_t *s)
{
    uint64_t expected = srs_rtp_stats_expected(s);
    return expected > s->received ? expected - s->received : 0;
}

uint32_t srs_rtp_stats_jitter(const srs_rtp_recv_stats_t *s)
{
    return s->jitter_q4 >> 4;
}

uint64_t srs_rtp_stats_bitrate(const srs_rtp_recv_stats_t *s)
{
    srs_utime_t span = s->last_arrival - s->first_arrival;
    if (span <= 0) return 0;
    double bps = (double)s->bytes * 8 * SRS_UTIME_SECONDS / (double)span;
    return bps < 1e19 ? (uint64_t)bps : UINT64_MAX;
}

void srs_rtp_stats_on_sr(srs_rtp_recv_stats_t *s, const srs_rtcp_sr_t *sr, srs_utime_t arrival)
{
    s->have_sr = true;
    s->sr_ntp_middle = (uint32_t)(sr->ntp >> 16);
    s->sr_arrival = arrival;
}

void srs_rtp_stats_report(srs_rtp_recv_stats_t *s, srs_utime_t now, srs_rtcp_report_block_t *out)
{
    memset(out, 0, sizeof(*out));
    out->ssrc = s->ssrc;
    uint64_t expected = srs_rtp_stats_expected(s);
    uint64_t lost = srs_rtp_stats_lost(s);
    out->cumulative_lost = (int32_t)SRS_MIN(lost, (uint64_t)0x7FFFFF);

    /* A.3: the fraction lost in this interval, 0 when duplicates outnumber the losses. */
    uint64_t expected_interval = expected - s->expected_prior;
    uint64_t received_interval = s->received - s->received_prior;
    s->expected_prior = expected;
    s->received_prior = s->received;
    if (expected_interval > received_interval) {
        uint64_t lost_interval = expected_interval - received_interval;
        out->fraction_lost = (uint8_t)SRS_MIN((lost_interval << 8) / expected_interval, (uint64_t)255);
    }

    out->highest_seq = (uint32_t)s->max_ext;
    out->jitter = srs_rtp_stats_jitter(s);
    if (s->have_sr) {
        out->lsr = s->sr_ntp_middle;
        srs_utime_t delay = now > s->sr_arrival ? now - s->sr_arrival : 0;
        out->dlsr = (uint32_t)((uint64_t)delay * 65536 / SRS_UTIME_SECONDS);
    }
}
