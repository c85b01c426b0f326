/* SPDX-License-Identifier: MIT */
/* libFuzzer: an FLV file (a tool loads it, or the mock origin gets it from a publisher). Read
 * every tag; decode video/audio tag headers, the AVC sequence header and the NALUs of each
 * frame; write the tags into a new FLV, which must read back the same; and split the bytes as
 * Annex B. */
#include "srs_kernel_avc.h"
#include "srs_kernel_flv.h"

#include <stdlib.h>
#include <string.h>

static void check_video(const srs_flv_tag_t *tag, srs_avc_config_t *cfg, bool *have_cfg)
{
    srs_flv_video_t v;
    srs_error_t err = srs_flv_parse_video(tag->data, tag->size, &v);
    if (err) {
        srs_error_free(err);
        return;
    }
    if (v.codec_id != SRS_FLV_CODEC_AVC) return;
    if (v.avc_packet_type == SRS_FLV_AVC_SEQUENCE_HEADER) {
        if ((err = srs_avc_parse_config(v.payload, v.payload_size, cfg))) {
            srs_error_free(err);
            return;
        }
        *have_cfg = true;
        /* A record rebuilt from the first SPS and PPS parses back to them. */
        uint8_t buf[2 * 0xFFFF + 16];
        size_t n = 0;
        if ((err = srs_avc_build_config(cfg->sps[0].data, cfg->sps[0].size, cfg->pps[0].data, cfg->pps[0].size,
                                        buf, sizeof(buf), &n))) {
            srs_error_free(err); /* an SPS shorter than 4 bytes */
            return;
        }
        srs_avc_config_t again;
        if ((err = srs_avc_parse_config(buf, n, &again))) abort();
        if (again.sps[0].size != cfg->sps[0].size || memcmp(again.sps[0].data, cfg->sps[0].data, again.sps[0].size)) abort();
        if (again.pps[0].size != cfg->pps[0].size || memcmp(again.pps[0].data, cfg->pps[0].data, again.pps[0].size)) abort();
    } else if (v.avc_packet_type == SRS_FLV_AVC_NALU) {
        srs_avc_nalu_t nalus[32];
        size_t count = 0;
        int length_size = *have_cfg ? cfg->nalu_length_size : 4;
        err = srs_avc_split_nalus(v.payload, v.payload_size, length_size, nalus, SRS_ARRAY_SIZE(nalus), &count);
        srs_error_free(err);
        for (size_t i = 0; i < count; i++) {
            if (nalus[i].data < v.payload || nalus[i].data + nalus[i].size > v.payload + v.payload_size) abort();
        }
        srs_avc_has_idr(nalus, count);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_avc_nalu_t nalus[32];
    size_t count = 0;
    srs_error_free(srs_avc_split_annexb(data, size, nalus, SRS_ARRAY_SIZE(nalus), &count));
    srs_avc_config_t cfg;
    srs_error_free(srs_avc_parse_config(data, size, &cfg));

    srs_flv_reader_t r;
    srs_error_t err = srs_flv_reader_init(&r, data, size);
    if (err) {
        srs_error_free(err);
        return 0;
    }

    srs_flv_buffer_t out = {0};
    if ((err = srs_flv_buffer_append_header(&out, r.has_audio, r.has_video))) abort();
    bool have_cfg = false;
    size_t tags = 0;
    srs_flv_tag_t tag;
    while (!(err = srs_flv_read_tag(&r, &tag))) {
        if (tag.data < data || tag.data + tag.size > data + size) abort();
        tags++;
        if (tag.type == SRS_FLV_TAG_VIDEO) check_video(&tag, &cfg, &have_cfg);
        if (tag.type == SRS_FLV_TAG_AUDIO) {
            srs_flv_audio_t a;
            srs_error_free(srs_flv_parse_audio(tag.data, tag.size, &a));
        }
        if (srs_flv_buffer_append_tag(&out, tag.type, tag.timestamp, tag.data, tag.size)) abort();
    }
    srs_error_free(err);

    /* What we wrote reads back as the same tags, in the same order. */
    srs_flv_reader_t again;
    if ((err = srs_flv_reader_init(&again, out.data, out.len))) abort();
    srs_flv_reader_rewind(&r);
    for (size_t i = 0; i < tags; i++) {
        srs_flv_tag_t a, b;
        if (srs_flv_read_tag(&r, &a) || srs_flv_read_tag(&again, &b)) abort();
        if (a.type != b.type || a.timestamp != b.timestamp || a.size != b.size) abort();
        if (a.size && memcmp(a.data, b.data, a.size)) abort();
    }
    if (!srs_flv_reader_eof(&again)) abort();
    srs_flv_buffer_free(&out);
    return 0;
}
