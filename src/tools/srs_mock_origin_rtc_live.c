/* SPDX-License-Identifier: MIT */
/* A live WebRTC source of the mock origin: what an RTMP publisher sends to it (through the stream
 * hub) as RTP, as SRS does with rtmp_to_rtc: H.264 packetized as it arrives, with the parameter
 * sets before each keyframe; AAC is not transcoded, an Opus silence frame goes out every 20 ms
 * instead. Packetized once per stream, whatever the number of players. */
#include "srs_core_log.h"
#include "srs_kernel_avc.h"
#include "srs_kernel_flv.h"
#include "srs_mock_hub.h"
#include "srs_mock_origin_rtc.h"
#include "srs_protocol_rtp.h"

#include <stdlib.h>
#include <string.h>

#define LIVE_MAX_NALUS 256
#define LIVE_AUDIO_INTERVAL (20 * SRS_UTIME_MILLISECONDS)
/* After a stall, at most this many silence frames are sent at once to catch up. */
#define LIVE_MAX_AUDIO_BURST 5

struct srs_mock_rtc_live_s {
    srs_mock_sub_t *sub;
    srs_rtp_packetizer_t pkt[2]; /* by kind: audio, video */
    int length_size;             /* of the NALU lengths, 0 before a sequence header */
    uint32_t video_ts_base;
    srs_utime_t audio_next;
    uint32_t audio_ts;
    uint64_t frames;
};

static srs_log_limit_t live_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 5);

srs_error_t srs_mock_rtc_live_new(const char *key, const srs_rtp_loop_ids_t *ids, const uint16_t next_seq[2],
                                  srs_mock_rtc_live_t **out)
{
    srs_mock_rtc_live_t *l = calloc(1, sizeof(*l));
    if (!l) return srs_error_new(ERROR_SYSTEM_NOMEM, "live source");
    srs_error_t err = srs_success;
    for (int k = 0; k < 2 && !err; k++) {
        err = srs_rtp_packetizer_init(&l->pkt[k], ids->ssrc[k], ids->pt[k], next_seq[k], 0);
    }
    if (err) {
        srs_mock_rtc_live_free(l);
        return srs_error_wrap(err, "live source %s", key);
    }
    l->video_ts_base = ids->first_ts[SRS_RTP_LOOP_VIDEO];
    l->audio_ts = ids->first_ts[SRS_RTP_LOOP_AUDIO];
    l->audio_next = srs_time_now();
    l->sub = srs_mock_hub_subscribe(key);
    *out = l;
    return srs_success;
}

void srs_mock_rtc_live_free(srs_mock_rtc_live_t *l)
{
    if (!l) return;
    if (l->sub) srs_mock_sub_free(l->sub);
    for (int k = 0; k < 2; k++) srs_rtp_packetizer_free(&l->pkt[k]);
    free(l);
}

void srs_mock_rtc_live_next_seq(const srs_mock_rtc_live_t *l, uint16_t out[2])
{
    for (int k = 0; k < 2; k++) out[k] = l->pkt[k].sequence;
}

static void emit_all(srs_mock_rtc_live_t *l, int kind, srs_mock_rtc_emit_fn emit, void *ctx)
{
    for (size_t i = 0; i < l->pkt[kind].nb_packets; i++) emit(ctx, kind, l->pkt[kind].packets[i].data, l->pkt[kind].packets[i].size);
}

static srs_error_t on_video(srs_mock_rtc_live_t *l, const srs_mock_msg_t *m, srs_mock_rtc_emit_fn emit, void *ctx)
{
    srs_flv_video_t v;
    srs_error_t err = srs_flv_parse_video(m->data, m->size, &v);
    if (err || v.codec_id != SRS_FLV_CODEC_AVC) return err;
    srs_rtp_packetizer_t *p = &l->pkt[SRS_RTP_LOOP_VIDEO];
    if (v.avc_packet_type == SRS_FLV_AVC_SEQUENCE_HEADER) {
        srs_avc_config_t cfg;
        if ((err = srs_avc_parse_config(v.payload, v.payload_size, &cfg)) != srs_success) return err;
        l->length_size = cfg.nalu_length_size;
        return srs_rtp_packetizer_set_h264_params(p, cfg.sps[0].data, cfg.sps[0].size, cfg.pps[0].data, cfg.pps[0].size);
    }
    if (v.avc_packet_type != SRS_FLV_AVC_NALU || !l->length_size) return srs_success;
    srs_avc_nalu_t nalus[LIVE_MAX_NALUS];
    size_t count = 0;
    if ((err = srs_avc_split_nalus(v.payload, v.payload_size, l->length_size, nalus, LIVE_MAX_NALUS, &count)) != srs_success) {
        return err;
    }
    int64_t pts = (int64_t)m->timestamp + v.composition_time;
    uint32_t ts = l->video_ts_base + (uint32_t)((uint64_t)(pts < 0 ? 0 : pts) * 90);
    if ((err = srs_rtp_packetize_h264(p, nalus, count, ts)) != srs_success) return err;
    emit_all(l, SRS_RTP_LOOP_VIDEO, emit, ctx);
    l->frames++;
    return srs_success;
}

static void send_audio_due(srs_mock_rtc_live_t *l, srs_mock_rtc_emit_fn emit, void *ctx)
{
    srs_utime_t now = srs_time_now();
    if (now - l->audio_next > LIVE_MAX_AUDIO_BURST * LIVE_AUDIO_INTERVAL) l->audio_next = now;
    while (l->audio_next <= now) {
        srs_error_t err = srs_rtp_packetize_opus(&l->pkt[SRS_RTP_LOOP_AUDIO], srs_rtp_opus_silence,
                                                 sizeof(srs_rtp_opus_silence), l->audio_ts);
        if (err) {
            srs_error_free(err);
            return;
        }
        emit_all(l, SRS_RTP_LOOP_AUDIO, emit, ctx);
        l->audio_ts += SRS_RTP_OPUS_FRAME_SAMPLES;
        l->audio_next += LIVE_AUDIO_INTERVAL;
    }
}

srs_error_t srs_mock_rtc_live_pump(srs_mock_rtc_live_t *l, srs_utime_t timeout, srs_mock_rtc_emit_fn emit, void *ctx)
{
    srs_utime_t until_audio = l->audio_next - srs_time_now();
    srs_mock_msg_t *m = NULL;
    srs_error_t err = srs_mock_sub_read(l->sub, SRS_MAX(SRS_MIN(timeout, until_audio), 0), &m);
    if (err && srs_error_code(err) != ERROR_SYSTEM_TIMEOUT) return err;
    srs_error_reset(err);
    if (m && m->type == SRS_FLV_TAG_VIDEO && (err = on_video(l, m, emit, ctx)) != srs_success) {
        /* A bad frame of the publisher costs that frame only. */
        srs_log_limited(&live_log, SRS_LOG_WARN, "RTC live source: %s", srs_error_summary(err));
        srs_error_reset(err);
    }
    srs_mock_msg_unref(m);
    send_audio_due(l, emit, ctx);
    return srs_success;
}

uint64_t srs_mock_rtc_live_frames(const srs_mock_rtc_live_t *l)
{
    return l->frames;
}
