// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

extern "C" {
#include "srs_kernel_avc.h"
#include "srs_kernel_flv.h"
}

typedef std::vector<uint8_t> Bytes;

// A Baseline 3.1 SPS and a PPS, as x264 writes them for a small picture.
static const uint8_t kSps[] = {0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xE8, 0x06, 0xD0, 0xA1, 0x35};
static const uint8_t kPps[] = {0x68, 0xCE, 0x06, 0xE2};

static Bytes length_prefixed(const std::vector<Bytes> &nalus)
{
    Bytes out;
    for (const Bytes &n : nalus) {
        uint32_t len = (uint32_t)n.size();
        out.push_back((uint8_t)(len >> 24));
        out.push_back((uint8_t)(len >> 16));
        out.push_back((uint8_t)(len >> 8));
        out.push_back((uint8_t)len);
        out.insert(out.end(), n.begin(), n.end());
    }
    return out;
}

static Bytes video_tag(uint8_t first, uint8_t avc_type, int32_t cts, const Bytes &payload)
{
    Bytes out = {first, avc_type, (uint8_t)(cts >> 16), (uint8_t)(cts >> 8), (uint8_t)cts};
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

// The FLV of the tests: script, AVC sequence header, IDR, P frame, AAC frame; the AAC frame's
// timestamp needs the extended byte.
struct TinyFlv {
    Bytes script = {0x02, 0x00, 0x0A, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a', 0x05};
    Bytes seq_header, idr, inter, aac = {0xAF, 0x01, 0x21, 0x10, 0x04, 0x60, 0x8C, 0x1C};
    Bytes idr_nalu, p_nalu;
    srs_flv_buffer_t buf = {};

    TinyFlv()
    {
        uint8_t config[64];
        size_t n = 0;
        HELPER_EXPECT_SUCCESS(srs_avc_build_config(kSps, sizeof(kSps), kPps, sizeof(kPps), config, sizeof(config), &n));
        seq_header = video_tag(0x17, 0, 0, Bytes(config, config + n));
        idr_nalu = Bytes(300, 0xAB);
        idr_nalu[0] = 0x65;
        p_nalu = {0x41, 0x9A, 0x02, 0x03};
        Bytes sei = {0x06, 0x05, 0x01, 0x80};
        idr = video_tag(0x17, 1, 40, length_prefixed({sei, idr_nalu}));
        inter = video_tag(0x27, 1, -40, length_prefixed({p_nalu}));

        HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_header(&buf, true, true));
        HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_tag(&buf, SRS_FLV_TAG_SCRIPT, 0, script.data(), script.size()));
        HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_tag(&buf, SRS_FLV_TAG_VIDEO, 0, seq_header.data(), seq_header.size()));
        HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_tag(&buf, SRS_FLV_TAG_VIDEO, 40, idr.data(), idr.size()));
        HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_tag(&buf, SRS_FLV_TAG_VIDEO, 80, inter.data(), inter.size()));
        HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_tag(&buf, SRS_FLV_TAG_AUDIO, 0x01020304, aac.data(), aac.size()));
    }
    ~TinyFlv() { srs_flv_buffer_free(&buf); }
};

static void expect_tag(srs_flv_reader_t *r, uint8_t type, uint32_t timestamp, const Bytes &data)
{
    srs_flv_tag_t tag;
    HELPER_EXPECT_SUCCESS(srs_flv_read_tag(r, &tag));
    EXPECT_EQ(type, tag.type);
    EXPECT_EQ(timestamp, tag.timestamp);
    EXPECT_FALSE(tag.encrypted);
    EXPECT_EQ(0u, tag.stream_id);
    ASSERT_EQ(data.size(), tag.size);
    EXPECT_EQ(0, memcmp(data.data(), tag.data, tag.size));
}

TEST(KernelFlvTest, ReadsBackEveryTagWithTimestamps)
{
    TinyFlv flv;
    srs_flv_reader_t r;
    HELPER_EXPECT_SUCCESS(srs_flv_reader_init(&r, flv.buf.data, flv.buf.len));
    EXPECT_TRUE(r.has_audio);
    EXPECT_TRUE(r.has_video);
    expect_tag(&r, SRS_FLV_TAG_SCRIPT, 0, flv.script);
    expect_tag(&r, SRS_FLV_TAG_VIDEO, 0, flv.seq_header);
    expect_tag(&r, SRS_FLV_TAG_VIDEO, 40, flv.idr);
    expect_tag(&r, SRS_FLV_TAG_VIDEO, 80, flv.inter);
    expect_tag(&r, SRS_FLV_TAG_AUDIO, 0x01020304, flv.aac);
    EXPECT_TRUE(srs_flv_reader_eof(&r));

    srs_flv_tag_t tag;
    HELPER_EXPECT_FAILED_CODE(srs_flv_read_tag(&r, &tag), ERROR_SYSTEM_EOF);
}

TEST(KernelFlvTest, WriterSplitsTimestampIntoExtendedByte)
{
    uint8_t buf[32];
    size_t n = 0;
    const uint8_t data[] = {0xAF, 0x01};
    HELPER_EXPECT_SUCCESS(srs_flv_write_tag(SRS_FLV_TAG_AUDIO, 0x01020304, data, sizeof(data), buf, sizeof(buf), &n));
    ASSERT_EQ(SRS_FLV_TAG_SIZE(2), n);
    const uint8_t want[] = {8, 0, 0, 2, 0x02, 0x03, 0x04, 0x01, 0, 0, 0, 0xAF, 0x01, 0, 0, 0, 13};
    ASSERT_EQ(sizeof(want), n);
    EXPECT_EQ(0, memcmp(want, buf, n));

    HELPER_EXPECT_SUCCESS(srs_flv_write_header(true, false, buf, sizeof(buf), &n));
    const uint8_t header[] = {'F', 'L', 'V', 1, 0x04, 0, 0, 0, 9, 0, 0, 0, 0};
    ASSERT_EQ(sizeof(header), n);
    EXPECT_EQ(0, memcmp(header, buf, n));
}

TEST(KernelFlvTest, WriterRejectsSmallBuffer)
{
    uint8_t buf[16];
    size_t n = 0;
    const uint8_t data[8] = {};
    HELPER_EXPECT_FAILED_CODE(srs_flv_write_tag(SRS_FLV_TAG_VIDEO, 0, data, sizeof(data), buf, sizeof(buf), &n), ERROR_FLV_INVALID);
    HELPER_EXPECT_FAILED_CODE(srs_flv_write_header(true, true, buf, 12, &n), ERROR_FLV_INVALID);
    HELPER_EXPECT_FAILED_CODE(srs_flv_write_tag(0x40, 0, data, 0, buf, sizeof(buf), &n), ERROR_FLV_INVALID);
}

TEST(KernelFlvTest, RewindLoopsToFirstTag)
{
    TinyFlv flv;
    srs_flv_reader_t r;
    HELPER_EXPECT_SUCCESS(srs_flv_reader_init(&r, flv.buf.data, flv.buf.len));
    srs_flv_tag_t tag;
    int count = 0;
    while (!srs_flv_reader_eof(&r)) {
        HELPER_EXPECT_SUCCESS(srs_flv_read_tag(&r, &tag));
        count++;
    }
    EXPECT_EQ(5, count);
    srs_flv_reader_rewind(&r);
    expect_tag(&r, SRS_FLV_TAG_SCRIPT, 0, flv.script);
}

TEST(KernelFlvTest, TruncatedFileErrorsAtTheCutTag)
{
    TinyFlv flv;
    // Every cut inside the last tag: the first four tags read, the fifth fails cleanly.
    size_t last_tag = flv.buf.len - SRS_FLV_TAG_SIZE(flv.aac.size());
    for (size_t len = last_tag + 1; len < flv.buf.len; len++) {
        srs_flv_reader_t r;
        HELPER_EXPECT_SUCCESS(srs_flv_reader_init(&r, flv.buf.data, len));
        srs_flv_tag_t tag;
        for (int i = 0; i < 4; i++) HELPER_EXPECT_SUCCESS(srs_flv_read_tag(&r, &tag));
        HELPER_EXPECT_FAILED_CODE(srs_flv_read_tag(&r, &tag), ERROR_FLV_INVALID);
        // The reader did not move, so the error repeats instead of skipping ahead.
        HELPER_EXPECT_FAILED_CODE(srs_flv_read_tag(&r, &tag), ERROR_FLV_INVALID);
    }
    // Every shorter cut never crashes and ends in an error or a clean end.
    for (size_t len = 0; len < flv.buf.len; len++) {
        srs_flv_reader_t r;
        srs_error_t err = srs_flv_reader_init(&r, flv.buf.data, len);
        srs_flv_tag_t tag;
        while (!err) err = srs_flv_read_tag(&r, &tag);
        EXPECT_TRUE(srs_error_code(err) == ERROR_FLV_INVALID || srs_error_code(err) == ERROR_SYSTEM_EOF) << len;
        srs_error_free(err);
    }
}

TEST(KernelFlvTest, BadHeaderErrors)
{
    srs_flv_reader_t r;
    uint8_t ok[] = {'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0};
    HELPER_EXPECT_SUCCESS(srs_flv_reader_init(&r, ok, sizeof(ok)));
    EXPECT_TRUE(srs_flv_reader_eof(&r));

    uint8_t bad[sizeof(ok)];
    memcpy(bad, ok, sizeof(ok));
    bad[2] = 'X';
    HELPER_EXPECT_FAILED_CODE(srs_flv_reader_init(&r, bad, sizeof(bad)), ERROR_FLV_INVALID);
    memcpy(bad, ok, sizeof(ok));
    bad[3] = 2;
    HELPER_EXPECT_FAILED_CODE(srs_flv_reader_init(&r, bad, sizeof(bad)), ERROR_FLV_INVALID);
    memcpy(bad, ok, sizeof(ok));
    bad[8] = 8; // data offset inside the header
    HELPER_EXPECT_FAILED_CODE(srs_flv_reader_init(&r, bad, sizeof(bad)), ERROR_FLV_INVALID);
    memcpy(bad, ok, sizeof(ok));
    bad[5] = 0x80; // data offset far past the end
    HELPER_EXPECT_FAILED_CODE(srs_flv_reader_init(&r, bad, sizeof(bad)), ERROR_FLV_INVALID);
    HELPER_EXPECT_FAILED_CODE(srs_flv_reader_init(&r, ok, 9), ERROR_FLV_INVALID); // no PreviousTagSize0
    HELPER_EXPECT_FAILED_CODE(srs_flv_reader_init(&r, ok, 5), ERROR_FLV_INVALID);
    HELPER_EXPECT_FAILED_CODE(srs_flv_reader_init(&r, NULL, 0), ERROR_FLV_INVALID);
}

TEST(KernelFlvTest, ParsesVideoAndAudioTagHeaders)
{
    TinyFlv flv;
    srs_flv_video_t v;
    HELPER_EXPECT_SUCCESS(srs_flv_parse_video(flv.idr.data(), flv.idr.size(), &v));
    EXPECT_EQ(SRS_FLV_FRAME_KEY, v.frame_type);
    EXPECT_EQ(SRS_FLV_CODEC_AVC, v.codec_id);
    EXPECT_EQ(SRS_FLV_AVC_NALU, v.avc_packet_type);
    EXPECT_EQ(40, v.composition_time);
    EXPECT_EQ(flv.idr.size() - 5, v.payload_size);

    HELPER_EXPECT_SUCCESS(srs_flv_parse_video(flv.inter.data(), flv.inter.size(), &v));
    EXPECT_EQ(SRS_FLV_FRAME_INTER, v.frame_type);
    EXPECT_EQ(-40, v.composition_time); // sign-extended from 24 bits

    const uint8_t short_avc[] = {0x17, 0x01, 0x00};
    HELPER_EXPECT_FAILED_CODE(srs_flv_parse_video(short_avc, sizeof(short_avc), &v), ERROR_FLV_INVALID);
    HELPER_EXPECT_FAILED_CODE(srs_flv_parse_video(short_avc, 0, &v), ERROR_FLV_INVALID);
    const uint8_t vp6[] = {0x14, 0x00};
    HELPER_EXPECT_SUCCESS(srs_flv_parse_video(vp6, sizeof(vp6), &v));
    EXPECT_EQ(4, v.codec_id);
    EXPECT_EQ(1u, v.payload_size);

    srs_flv_audio_t a;
    HELPER_EXPECT_SUCCESS(srs_flv_parse_audio(flv.aac.data(), flv.aac.size(), &a));
    EXPECT_EQ(SRS_FLV_SOUND_AAC, a.sound_format);
    EXPECT_EQ(3, a.sound_rate);
    EXPECT_EQ(1, a.sound_size);
    EXPECT_EQ(1, a.sound_type);
    EXPECT_EQ(SRS_FLV_AAC_RAW, a.aac_packet_type);
    EXPECT_EQ(flv.aac.size() - 2, a.payload_size);
    HELPER_EXPECT_FAILED_CODE(srs_flv_parse_audio(flv.aac.data(), 1, &a), ERROR_FLV_INVALID);
}

TEST(KernelFlvTest, IdrTagSplitsIntoItsNalus)
{
    TinyFlv flv;
    srs_flv_video_t seq, v;
    srs_avc_config_t cfg;
    HELPER_EXPECT_SUCCESS(srs_flv_parse_video(flv.seq_header.data(), flv.seq_header.size(), &seq));
    EXPECT_EQ(SRS_FLV_AVC_SEQUENCE_HEADER, seq.avc_packet_type);
    HELPER_EXPECT_SUCCESS(srs_avc_parse_config(seq.payload, seq.payload_size, &cfg));
    HELPER_EXPECT_SUCCESS(srs_flv_parse_video(flv.idr.data(), flv.idr.size(), &v));

    srs_avc_nalu_t nalus[8];
    size_t count = 0;
    HELPER_EXPECT_SUCCESS(srs_avc_split_nalus(v.payload, v.payload_size, cfg.nalu_length_size, nalus, 8, &count));
    ASSERT_EQ(2u, count);
    EXPECT_EQ(SRS_AVC_NALU_SEI, srs_avc_nalu_type(nalus[0].data[0]));
    ASSERT_EQ(flv.idr_nalu.size(), nalus[1].size);
    EXPECT_EQ(0, memcmp(flv.idr_nalu.data(), nalus[1].data, nalus[1].size));
    EXPECT_TRUE(srs_avc_has_idr(nalus, count));
    EXPECT_FALSE(srs_avc_has_idr(nalus, 1));
}

TEST(KernelFlvTest, LoadsFileAndReportsMissingOne)
{
    TinyFlv flv;
    char path[] = "/tmp/srs_utest_flv_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ((ssize_t)flv.buf.len, write(fd, flv.buf.data, flv.buf.len));
    close(fd);

    uint8_t *data = NULL;
    size_t len = 0;
    HELPER_EXPECT_SUCCESS(srs_flv_load_file(path, &data, &len));
    unlink(path);
    ASSERT_EQ(flv.buf.len, len);
    EXPECT_EQ(0, memcmp(flv.buf.data, data, len));
    free(data);

    HELPER_EXPECT_FAILED_CODE(srs_flv_load_file(path, &data, &len), ERROR_SYSTEM_FILE);
    EXPECT_TRUE(data == NULL);
}

// The record written by hand after ISO/IEC 14496-15, not by our builder.
static Bytes config_record(uint8_t length_byte = 0xFF)
{
    Bytes r = {1, 0x42, 0xC0, 0x1F, length_byte, 0xE1, 0x00, (uint8_t)sizeof(kSps)};
    r.insert(r.end(), kSps, kSps + sizeof(kSps));
    r.push_back(1);
    r.push_back(0x00);
    r.push_back((uint8_t)sizeof(kPps));
    r.insert(r.end(), kPps, kPps + sizeof(kPps));
    return r;
}

TEST(KernelAvcTest, ConfigRecordGivesSpsAndPps)
{
    Bytes r = config_record();
    srs_avc_config_t cfg;
    HELPER_EXPECT_SUCCESS(srs_avc_parse_config(r.data(), r.size(), &cfg));
    EXPECT_EQ(0x42, cfg.profile);
    EXPECT_EQ(0x1F, cfg.level);
    EXPECT_EQ(4, cfg.nalu_length_size);
    ASSERT_EQ(1u, cfg.nb_sps);
    ASSERT_EQ(1u, cfg.nb_pps);
    ASSERT_EQ(sizeof(kSps), cfg.sps[0].size);
    EXPECT_EQ(0, memcmp(kSps, cfg.sps[0].data, sizeof(kSps)));
    ASSERT_EQ(sizeof(kPps), cfg.pps[0].size);
    EXPECT_EQ(0, memcmp(kPps, cfg.pps[0].data, sizeof(kPps)));

    // Our builder writes the same bytes.
    uint8_t buf[64];
    size_t n = 0;
    HELPER_EXPECT_SUCCESS(srs_avc_build_config(kSps, sizeof(kSps), kPps, sizeof(kPps), buf, sizeof(buf), &n));
    EXPECT_EQ(r, Bytes(buf, buf + n));
    HELPER_EXPECT_FAILED_CODE(srs_avc_build_config(kSps, sizeof(kSps), kPps, sizeof(kPps), buf, n - 1, &n), ERROR_AVC_INVALID);

    // A 2-byte length size.
    r = config_record(0xFD);
    HELPER_EXPECT_SUCCESS(srs_avc_parse_config(r.data(), r.size(), &cfg));
    EXPECT_EQ(2, cfg.nalu_length_size);
}

TEST(KernelAvcTest, ConfigRecordErrors)
{
    srs_avc_config_t cfg;
    Bytes good = config_record();
    Bytes r = good;
    r[0] = 0;
    HELPER_EXPECT_FAILED_CODE(srs_avc_parse_config(r.data(), r.size(), &cfg), ERROR_AVC_INVALID);
    r = config_record(0xFE); // lengthSizeMinusOne = 2
    HELPER_EXPECT_FAILED_CODE(srs_avc_parse_config(r.data(), r.size(), &cfg), ERROR_AVC_INVALID);
    r = good;
    r[7] = 0xFF; // SPS size past the end
    HELPER_EXPECT_FAILED_CODE(srs_avc_parse_config(r.data(), r.size(), &cfg), ERROR_AVC_INVALID);
    r = good;
    r[8] = 0x68; // the SPS slot holds a PPS
    HELPER_EXPECT_FAILED_CODE(srs_avc_parse_config(r.data(), r.size(), &cfg), ERROR_AVC_INVALID);
    r = good;
    r[5] = 0xE0; // no SPS
    HELPER_EXPECT_FAILED_CODE(srs_avc_parse_config(r.data(), r.size(), &cfg), ERROR_AVC_INVALID);
    // Cut anywhere: always an error.
    for (size_t len = 0; len < good.size(); len++) {
        HELPER_EXPECT_FAILED_CODE(srs_avc_parse_config(good.data(), len, &cfg), ERROR_AVC_INVALID);
    }
}

TEST(KernelAvcTest, SplitsLengthPrefixedNalus)
{
    const uint8_t two[] = {0, 2, 0x65, 0x88, 0, 0, 0, 1, 0x41};
    srs_avc_nalu_t nalus[4];
    size_t count = 0;
    HELPER_EXPECT_SUCCESS(srs_avc_split_nalus(two, sizeof(two), 2, nalus, 4, &count));
    ASSERT_EQ(2u, count); // {65 88}, an empty NALU (skipped), {41}
    EXPECT_EQ(2u, nalus[0].size);
    EXPECT_EQ(two + 2, nalus[0].data);
    EXPECT_EQ(two + 8, nalus[1].data);

    const uint8_t four[] = {0, 0, 0, 2, 0x65, 0x88, 0, 0, 0, 1, 0x41};
    HELPER_EXPECT_SUCCESS(srs_avc_split_nalus(four, sizeof(four), 4, nalus, 4, &count));
    ASSERT_EQ(2u, count);
    EXPECT_EQ(1u, nalus[1].size);
    EXPECT_EQ(0x41, nalus[1].data[0]);

    const uint8_t one[] = {1, 0x09, 0, 2, 0x41, 0x42};
    HELPER_EXPECT_SUCCESS(srs_avc_split_nalus(one, sizeof(one), 1, nalus, 4, &count));
    ASSERT_EQ(2u, count); // {09}, an empty NALU (skipped), {41 42}
    EXPECT_EQ(0x41, nalus[1].data[0]);
    EXPECT_EQ(2u, nalus[1].size);

    HELPER_EXPECT_FAILED_CODE(srs_avc_split_nalus(four, sizeof(four) - 1, 4, nalus, 4, &count), ERROR_AVC_INVALID);
    HELPER_EXPECT_FAILED_CODE(srs_avc_split_nalus(four, 2, 4, nalus, 4, &count), ERROR_AVC_INVALID);
    HELPER_EXPECT_FAILED_CODE(srs_avc_split_nalus(four, sizeof(four), 3, nalus, 4, &count), ERROR_AVC_INVALID);
    HELPER_EXPECT_FAILED_CODE(srs_avc_split_nalus(four, sizeof(four), 4, nalus, 1, &count), ERROR_AVC_INVALID);
}

TEST(KernelAvcTest, SplitsAnnexB)
{
    const uint8_t data[] = {0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xCE, 0, 0, 0, 0, 1, 0x65, 0x88, 0x00, 0x03, 0x01, 0, 0};
    srs_avc_nalu_t nalus[4];
    size_t count = 0;
    HELPER_EXPECT_SUCCESS(srs_avc_split_annexb(data, sizeof(data), nalus, 4, &count));
    ASSERT_EQ(3u, count);
    EXPECT_EQ(Bytes({0x67, 0x42}), Bytes(nalus[0].data, nalus[0].data + nalus[0].size));
    EXPECT_EQ(Bytes({0x68, 0xCE}), Bytes(nalus[1].data, nalus[1].data + nalus[1].size));
    // Trailing zeros belong to no NALU; the emulation prevention 00 03 stays.
    EXPECT_EQ(Bytes({0x65, 0x88, 0x00, 0x03, 0x01}), Bytes(nalus[2].data, nalus[2].data + nalus[2].size));

    const uint8_t no_start[] = {0x67, 0x42, 0, 0, 1, 0x68};
    HELPER_EXPECT_FAILED_CODE(srs_avc_split_annexb(no_start, sizeof(no_start), nalus, 4, &count), ERROR_AVC_INVALID);
    HELPER_EXPECT_FAILED_CODE(srs_avc_split_annexb(data, sizeof(data), nalus, 2, &count), ERROR_AVC_INVALID);
    const uint8_t only_zeros[] = {0, 0, 0};
    HELPER_EXPECT_FAILED_CODE(srs_avc_split_annexb(only_zeros, sizeof(only_zeros), nalus, 4, &count), ERROR_AVC_INVALID);
}
