// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <string.h>

#include <vector>

extern "C" {
#include "srs_protocol_rtp.h"
}

typedef std::vector<uint8_t> Bytes;

static Bytes nalu(uint8_t header, size_t size)
{
    Bytes n(size);
    n[0] = header;
    for (size_t i = 1; i < size; i++) n[i] = (uint8_t)(i * 7);
    return n;
}

static std::vector<srs_avc_nalu_t> view(const std::vector<Bytes> &nalus)
{
    std::vector<srs_avc_nalu_t> v;
    for (const Bytes &n : nalus) v.push_back({n.data(), n.size()});
    return v;
}

static srs_rtp_packet_t parse(const srs_rtp_out_t &o)
{
    srs_rtp_packet_t p;
    srs_error_t err = srs_rtp_parse(o.data, o.size, &p);
    EXPECT_TRUE(err == srs_success) << srs_error_desc(err);
    srs_error_free(err);
    return p;
}

// A packetizer that frees itself.
struct Packetizer {
    srs_rtp_packetizer_t p;
    explicit Packetizer(uint16_t first_seq = 100, uint8_t pt = 102)
    {
        HELPER_EXPECT_SUCCESS(srs_rtp_packetizer_init(&p, 0x11223344, pt, first_seq, 0));
    }
    ~Packetizer() { srs_rtp_packetizer_free(&p); }
    void packetize(const std::vector<Bytes> &nalus, uint32_t ts)
    {
        std::vector<srs_avc_nalu_t> v = view(nalus);
        HELPER_EXPECT_SUCCESS(srs_rtp_packetize_h264(&p, v.data(), v.size(), ts));
    }
};

struct Checker {
    srs_rtp_h264_checker_t c;
    Checker() { HELPER_EXPECT_SUCCESS(srs_rtp_h264_checker_init(&c, 1 << 20)); }
    ~Checker() { srs_rtp_h264_checker_free(&c); }
    bool feed(const srs_rtp_out_t &o)
    {
        srs_rtp_packet_t pkt = parse(o);
        bool ready = false;
        HELPER_EXPECT_SUCCESS(srs_rtp_h264_checker_feed(&c, &pkt, &ready));
        return ready;
    }
};

TEST(ProtocolRtpTest, HeaderRoundTripWithCsrcsAndExtension)
{
    const uint8_t ext[] = {0x10, 0xAA, 0x00, 0x00, 0x22, 0x01, 0x02, 0x00};
    srs_rtp_header_t h = {};
    h.marker = true;
    h.payload_type = 96;
    h.sequence = 0xFFFE;
    h.timestamp = 0xDEADBEEF;
    h.ssrc = 0x01020304;
    h.csrc_count = 2;
    h.csrc[0] = 0xA0A0A0A0;
    h.csrc[1] = 0xB0B0B0B0;
    h.extension = true;
    h.extension_profile = 0xBEDE;
    h.extension_data = ext;
    h.extension_size = sizeof(ext);
    const uint8_t payload[] = {0xF8, 0xFF, 0xFE};

    uint8_t buf[128];
    size_t n = 0;
    HELPER_EXPECT_SUCCESS(srs_rtp_write(&h, payload, sizeof(payload), 0, buf, sizeof(buf), &n));
    EXPECT_EQ(12u + 8 + 4 + 8 + 3, n);
    EXPECT_EQ(srs_rtp_header_size(&h) + sizeof(payload), n);
    EXPECT_EQ(0x92, buf[0]); // V=2, X, CC=2
    EXPECT_EQ(0x80 | 96, buf[1]);

    srs_rtp_packet_t p;
    HELPER_EXPECT_SUCCESS(srs_rtp_parse(buf, n, &p));
    EXPECT_TRUE(p.header.marker);
    EXPECT_EQ(96, p.header.payload_type);
    EXPECT_EQ(0xFFFE, p.header.sequence);
    EXPECT_EQ(0xDEADBEEFu, p.header.timestamp);
    EXPECT_EQ(0x01020304u, p.header.ssrc);
    ASSERT_EQ(2, p.header.csrc_count);
    EXPECT_EQ(0xA0A0A0A0u, p.header.csrc[0]);
    EXPECT_EQ(0xB0B0B0B0u, p.header.csrc[1]);
    EXPECT_TRUE(p.header.extension);
    EXPECT_EQ(0xBEDE, p.header.extension_profile);
    ASSERT_EQ(sizeof(ext), p.header.extension_size);
    EXPECT_EQ(0, memcmp(ext, p.header.extension_data, sizeof(ext)));
    EXPECT_EQ(32u, p.header_size);
    ASSERT_EQ(sizeof(payload), p.payload_size);
    EXPECT_EQ(0, memcmp(payload, p.payload, sizeof(payload)));
    EXPECT_EQ(0u, p.padding_size);
}

TEST(ProtocolRtpTest, PaddingIsStrippedFromPayload)
{
    srs_rtp_header_t h = {};
    h.payload_type = 102;
    const uint8_t payload[] = {1, 2, 3, 4, 5};
    uint8_t buf[64];
    size_t n = 0;
    HELPER_EXPECT_SUCCESS(srs_rtp_write(&h, payload, sizeof(payload), 3, buf, sizeof(buf), &n));
    EXPECT_EQ(12u + 5 + 3, n);
    EXPECT_EQ(0xA0, buf[0]);
    EXPECT_EQ(3, buf[n - 1]);
    srs_rtp_packet_t p;
    HELPER_EXPECT_SUCCESS(srs_rtp_parse(buf, n, &p));
    EXPECT_EQ(3u, p.padding_size);
    ASSERT_EQ(5u, p.payload_size);
    EXPECT_EQ(0, memcmp(payload, p.payload, 5));

    // A padding-only packet: the whole body is padding.
    HELPER_EXPECT_FAILED_CODE(srs_rtp_write(&h, NULL, 0, 200, buf, sizeof(buf), &n), ERROR_RTC_RTP); // 212 > 64
    uint8_t big[256];
    HELPER_EXPECT_SUCCESS(srs_rtp_write(&h, NULL, 0, 200, big, sizeof(big), &n));
    HELPER_EXPECT_SUCCESS(srs_rtp_parse(big, n, &p));
    EXPECT_EQ(0u, p.payload_size);
}

TEST(ProtocolRtpTest, MalformedHeadersRejected)
{
    uint8_t base[] = {0x80, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xAA, 0xBB};
    srs_rtp_packet_t p;
    HELPER_EXPECT_SUCCESS(srs_rtp_parse(base, sizeof(base), &p));
    EXPECT_EQ(2u, p.payload_size);

    uint8_t b[sizeof(base)];
    memcpy(b, base, sizeof(b));
    b[0] = 0x40; // version 1
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(b, sizeof(b), &p), ERROR_RTC_RTP);
    b[0] = 0xC0; // version 3
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(b, sizeof(b), &p), ERROR_RTC_RTP);

    memcpy(b, base, sizeof(b));
    b[0] = 0xA0; // padding of 0xBB bytes, longer than the packet
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(b, sizeof(b), &p), ERROR_RTC_RTP);
    b[sizeof(b) - 1] = 0; // padding count 0
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(b, sizeof(b), &p), ERROR_RTC_RTP);
    b[sizeof(b) - 1] = 2; // exactly the body: fine
    HELPER_EXPECT_SUCCESS(srs_rtp_parse(b, sizeof(b), &p));
    EXPECT_EQ(0u, p.payload_size);
    b[sizeof(b) - 1] = 3; // one byte into the header
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(b, sizeof(b), &p), ERROR_RTC_RTP);

    memcpy(b, base, sizeof(b));
    b[0] = 0x81; // one CSRC: 4 bytes, only 2 follow
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(b, sizeof(b), &p), ERROR_RTC_RTP);
    b[0] = 0x8F;
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(b, sizeof(b), &p), ERROR_RTC_RTP);

    memcpy(b, base, sizeof(b));
    b[0] = 0x90; // extension header needs 4 bytes, 2 follow
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(b, sizeof(b), &p), ERROR_RTC_RTP);
    uint8_t ext[] = {0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1, 0x10};
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(ext, sizeof(ext), &p), ERROR_RTC_RTP); // 4 extension bytes, 1 there

    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(base, 11, &p), ERROR_RTC_RTP);
    HELPER_EXPECT_FAILED_CODE(srs_rtp_parse(NULL, 0, &p), ERROR_RTC_RTP);
}

TEST(ProtocolRtpTest, WriteRejectsBadHeadersAndSmallBuffers)
{
    srs_rtp_header_t h = {};
    uint8_t buf[32];
    size_t n = 0;
    const uint8_t payload[20] = {};
    h.payload_type = 128;
    HELPER_EXPECT_FAILED_CODE(srs_rtp_write(&h, payload, 1, 0, buf, sizeof(buf), &n), ERROR_RTC_RTP);
    h.payload_type = 96;
    h.csrc_count = 16;
    HELPER_EXPECT_FAILED_CODE(srs_rtp_write(&h, payload, 1, 0, buf, sizeof(buf), &n), ERROR_RTC_RTP);
    h.csrc_count = 0;
    h.extension = true;
    h.extension_size = 3;
    HELPER_EXPECT_FAILED_CODE(srs_rtp_write(&h, payload, 1, 0, buf, sizeof(buf), &n), ERROR_RTC_RTP);
    h.extension = false;
    HELPER_EXPECT_SUCCESS(srs_rtp_write(&h, payload, 20, 0, buf, sizeof(buf), &n));
    HELPER_EXPECT_FAILED_CODE(srs_rtp_write(&h, payload, 20, 1, buf, sizeof(buf), &n), ERROR_RTC_RTP);
    HELPER_EXPECT_FAILED_CODE(srs_rtp_write(&h, payload, 21, 0, buf, sizeof(buf), &n), ERROR_RTC_RTP);
}

TEST(ProtocolRtpTest, SmallNaluIsSingleNalPacket)
{
    Packetizer pk;
    Bytes n = nalu(0x41, 100);
    pk.packetize({n}, 9000);
    ASSERT_EQ(1u, pk.p.nb_packets);
    srs_rtp_packet_t p = parse(pk.p.packets[0]);
    EXPECT_TRUE(p.header.marker);
    EXPECT_EQ(102, p.header.payload_type);
    EXPECT_EQ(100, p.header.sequence);
    EXPECT_EQ(9000u, p.header.timestamp);
    EXPECT_EQ(0x11223344u, p.header.ssrc);
    EXPECT_EQ(n, Bytes(p.payload, p.payload + p.payload_size));
}

TEST(ProtocolRtpTest, SmallParameterSetsAndIdrAggregateIntoOneStapA)
{
    Packetizer pk;
    Bytes sps = nalu(0x67, 13), pps = nalu(0x68, 4), idr = nalu(0x65, 500);
    pk.packetize({sps, pps, idr}, 0);
    ASSERT_EQ(1u, pk.p.nb_packets);
    srs_rtp_packet_t p = parse(pk.p.packets[0]);
    EXPECT_TRUE(p.header.marker);
    ASSERT_EQ(1u + 2 + 13 + 2 + 4 + 2 + 500, p.payload_size);
    EXPECT_EQ(0x60 | SRS_RTP_H264_STAP_A, p.payload[0]); // NRI of the highest, 3
    const uint8_t *b = p.payload + 1;
    for (const Bytes *n : {&sps, &pps, &idr}) {
        size_t size = (size_t)((b[0] << 8) | b[1]);
        ASSERT_EQ(n->size(), size);
        EXPECT_EQ(*n, Bytes(b + 2, b + 2 + size));
        b += 2 + size;
    }
}

TEST(ProtocolRtpTest, ParameterSetsGoBeforeEachIdr)
{
    Packetizer pk;
    Bytes sps = nalu(0x67, 13), pps = nalu(0x68, 4);
    HELPER_EXPECT_SUCCESS(srs_rtp_packetizer_set_h264_params(&pk.p, sps.data(), sps.size(), pps.data(), pps.size()));
    for (int i = 0; i < 2; i++) {
        pk.packetize({nalu(0x65, 200)}, 3000 * i);
        ASSERT_EQ(1u, pk.p.nb_packets);
        srs_rtp_packet_t p = parse(pk.p.packets[0]);
        ASSERT_EQ(SRS_RTP_H264_STAP_A, p.payload[0] & 0x1F);
        EXPECT_EQ(sps, Bytes(p.payload + 3, p.payload + 3 + sps.size()));
        EXPECT_EQ(1u + 2 + 13 + 2 + 4 + 2 + 200, p.payload_size);
    }
    // A P frame goes alone.
    pk.packetize({nalu(0x41, 200)}, 9000);
    ASSERT_EQ(1u, pk.p.nb_packets);
    EXPECT_EQ(0x41, parse(pk.p.packets[0]).payload[0]);
    // An IDR that carries its own SPS gets no second copy.
    pk.packetize({nalu(0x67, 10), nalu(0x68, 3), nalu(0x65, 200)}, 12000);
    srs_rtp_packet_t p = parse(pk.p.packets[0]);
    EXPECT_EQ(1u + 2 + 10 + 2 + 3 + 2 + 200, p.payload_size);
}

TEST(ProtocolRtpTest, LargeNaluSplitsIntoFuA)
{
    Packetizer pk;
    Bytes n = nalu(0x65, 5000);
    pk.packetize({n}, 90000);
    // 4999 bytes after the NAL header in 1198-byte fragments.
    ASSERT_EQ(5u, pk.p.nb_packets);
    Bytes rebuilt = {(uint8_t)0x65};
    for (size_t i = 0; i < pk.p.nb_packets; i++) {
        EXPECT_LE(pk.p.packets[i].size, 12u + 1200);
        srs_rtp_packet_t p = parse(pk.p.packets[i]);
        ASSERT_GE(p.payload_size, 2u);
        EXPECT_EQ(0x60 | SRS_RTP_H264_FU_A, p.payload[0]);
        bool s = p.payload[1] & 0x80, e = p.payload[1] & 0x40;
        EXPECT_EQ(i == 0, s) << i;
        EXPECT_EQ(i == pk.p.nb_packets - 1, e) << i;
        EXPECT_EQ(0, p.payload[1] & 0x20); // R
        EXPECT_EQ(5, p.payload[1] & 0x1F);
        EXPECT_EQ(i == pk.p.nb_packets - 1, p.header.marker) << i;
        EXPECT_EQ(90000u, p.header.timestamp);
        rebuilt.insert(rebuilt.end(), p.payload + 2, p.payload + p.payload_size);
    }
    EXPECT_EQ(n, rebuilt);
}

TEST(ProtocolRtpTest, MarkerOnlyOnLastPacketOfAccessUnit)
{
    Packetizer pk;
    pk.packetize({nalu(0x67, 13), nalu(0x68, 4), nalu(0x65, 3000), nalu(0x65, 100), nalu(0x65, 1300)}, 0);
    // STAP-A(SPS, PPS), FU-A x3, single(100), FU-A x2.
    ASSERT_EQ(7u, pk.p.nb_packets);
    const uint8_t types[] = {24, 28, 28, 28, 0x65 & 0x1F, 28, 28};
    for (size_t i = 0; i < pk.p.nb_packets; i++) {
        srs_rtp_packet_t p = parse(pk.p.packets[i]);
        EXPECT_EQ(types[i], p.payload[0] & 0x1F) << i;
        EXPECT_EQ(i == pk.p.nb_packets - 1, p.header.marker) << i;
    }
}

TEST(ProtocolRtpTest, SequenceNumbersContinueAndWrap)
{
    Packetizer pk(65533);
    std::vector<uint16_t> seqs;
    for (int frame = 0; frame < 3; frame++) {
        pk.packetize({nalu(0x41, 2500)}, 3000 * frame); // 3 FU-A packets each
        for (size_t i = 0; i < pk.p.nb_packets; i++) seqs.push_back(parse(pk.p.packets[i]).header.sequence);
    }
    ASSERT_EQ(9u, seqs.size());
    for (size_t i = 0; i < seqs.size(); i++) EXPECT_EQ((uint16_t)(65533 + i), seqs[i]) << i;
    EXPECT_EQ(0, seqs[3]);
    EXPECT_EQ(6, pk.p.sequence);

    // An empty access unit takes no sequence number.
    pk.packetize({}, 0);
    EXPECT_EQ(0u, pk.p.nb_packets);
    EXPECT_EQ(6, pk.p.sequence);
}

TEST(ProtocolRtpTest, PacketizerRejectsBadArguments)
{
    srs_rtp_packetizer_t p;
    HELPER_EXPECT_FAILED_CODE(srs_rtp_packetizer_init(&p, 1, 96, 0, 8), ERROR_RTC_RTP);
    HELPER_EXPECT_FAILED_CODE(srs_rtp_packetizer_init(&p, 1, 96, 0, 1401), ERROR_RTC_RTP);
    HELPER_EXPECT_FAILED_CODE(srs_rtp_packetizer_init(&p, 1, 200, 0, 0), ERROR_RTC_RTP);
    HELPER_EXPECT_SUCCESS(srs_rtp_packetizer_init(&p, 1, 96, 0, 0));
    EXPECT_EQ((size_t)SRS_RTP_DEFAULT_MAX_PAYLOAD, p.max_payload);
    uint8_t big[300] = {0x67};
    HELPER_EXPECT_FAILED_CODE(srs_rtp_packetizer_set_h264_params(&p, big, sizeof(big), big, 4), ERROR_RTC_RTP);
    HELPER_EXPECT_FAILED_CODE(srs_rtp_packetize_opus(&p, big, 0, 0), ERROR_RTC_RTP);
    srs_rtp_packetizer_free(&p);
}

TEST(ProtocolRtpTest, OpusSilencePacket)
{
    Packetizer pk(7, 111);
    for (uint32_t i = 0; i < 3; i++) {
        HELPER_EXPECT_SUCCESS(srs_rtp_packetize_opus(&pk.p, srs_rtp_opus_silence, sizeof(srs_rtp_opus_silence),
                                                     i * SRS_RTP_OPUS_FRAME_SAMPLES));
        ASSERT_EQ(1u, pk.p.nb_packets);
        srs_rtp_packet_t p = parse(pk.p.packets[0]);
        EXPECT_FALSE(p.header.marker);
        EXPECT_EQ(111, p.header.payload_type);
        EXPECT_EQ(7 + i, p.header.sequence);
        EXPECT_EQ(960 * i, p.header.timestamp);
        EXPECT_EQ(Bytes({0xF8, 0xFF, 0xFE}), Bytes(p.payload, p.payload + p.payload_size));
    }
}

static Bytes length_prefixed(const std::vector<Bytes> &nalus)
{
    Bytes out;
    for (const Bytes &n : nalus) {
        uint32_t len = (uint32_t)n.size();
        Bytes prefix = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
        out.insert(out.end(), prefix.begin(), prefix.end());
        out.insert(out.end(), n.begin(), n.end());
    }
    return out;
}

TEST(ProtocolRtpTest, CheckerReassemblesFrames)
{
    Packetizer pk;
    Checker ck;
    std::vector<Bytes> key = {nalu(0x67, 13), nalu(0x68, 4), nalu(0x65, 5000), nalu(0x65, 50)};
    pk.packetize(key, 0);
    for (size_t i = 0; i < pk.p.nb_packets; i++) {
        bool ready = ck.feed(pk.p.packets[i]);
        EXPECT_EQ(i == pk.p.nb_packets - 1, ready) << i;
    }
    EXPECT_EQ(1u, ck.c.frames);
    EXPECT_EQ(1u, ck.c.keyframes);
    EXPECT_TRUE(ck.c.frame_keyframe);
    EXPECT_EQ(4u, ck.c.frame_nalus);
    EXPECT_EQ(length_prefixed(key), Bytes(ck.c.frame, ck.c.frame + ck.c.frame_size));

    std::vector<Bytes> inter = {nalu(0x41, 700)};
    pk.packetize(inter, 3000);
    EXPECT_TRUE(ck.feed(pk.p.packets[0]));
    EXPECT_FALSE(ck.c.frame_keyframe);
    EXPECT_EQ(length_prefixed(inter), Bytes(ck.c.frame, ck.c.frame + ck.c.frame_size));
    EXPECT_EQ(2u, ck.c.frames);
    EXPECT_EQ(0u, ck.c.broken_frames);
    EXPECT_EQ(0u, ck.c.fu_errors);
}

TEST(ProtocolRtpTest, CheckerFlagsMissingFuAMiddle)
{
    Packetizer pk;
    Checker ck;
    pk.packetize({nalu(0x65, 5000)}, 0);
    ASSERT_EQ(5u, pk.p.nb_packets);
    for (size_t i = 0; i < pk.p.nb_packets; i++) {
        if (i == 2) continue;
        EXPECT_FALSE(ck.feed(pk.p.packets[i]));
    }
    EXPECT_EQ(0u, ck.c.frames);
    EXPECT_EQ(1u, ck.c.broken_frames);
    EXPECT_EQ(1u, ck.c.fu_errors);

    // The next frame arrives whole and is good again.
    pk.packetize({nalu(0x41, 3000)}, 3000);
    for (size_t i = 0; i < pk.p.nb_packets; i++) ck.feed(pk.p.packets[i]);
    EXPECT_EQ(1u, ck.c.frames);
    EXPECT_EQ(1u, ck.c.broken_frames);
}

TEST(ProtocolRtpTest, CheckerFlagsMissingFuAStartAndLostMarker)
{
    Packetizer pk;
    Checker ck;
    pk.packetize({nalu(0x41, 100)}, 0);
    ck.feed(pk.p.packets[0]);
    EXPECT_EQ(1u, ck.c.frames);

    // The FU-A start is lost: the middle and end cannot make a NALU.
    pk.packetize({nalu(0x41, 3000)}, 3000);
    for (size_t i = 1; i < pk.p.nb_packets; i++) EXPECT_FALSE(ck.feed(pk.p.packets[i]));
    EXPECT_EQ(1u, ck.c.fu_errors);
    EXPECT_EQ(1u, ck.c.broken_frames);

    // The marker packet is lost: the frame ends broken when the next timestamp comes; the next
    // frame is broken too, since the lost packet might have been its first.
    pk.packetize({nalu(0x41, 3000)}, 6000);
    for (size_t i = 0; i + 1 < pk.p.nb_packets; i++) ck.feed(pk.p.packets[i]);
    pk.packetize({nalu(0x41, 100)}, 9000);
    EXPECT_FALSE(ck.feed(pk.p.packets[0]));
    EXPECT_EQ(3u, ck.c.broken_frames);
    EXPECT_EQ(2u, ck.c.fu_errors);
    EXPECT_EQ(1u, ck.c.frames);

    // Then all is well again.
    pk.packetize({nalu(0x41, 100)}, 12000);
    EXPECT_TRUE(ck.feed(pk.p.packets[0]));
    EXPECT_EQ(2u, ck.c.frames);
}

TEST(ProtocolRtpTest, CheckerDropsDuplicatesAndRejectsMalformed)
{
    Packetizer pk;
    Checker ck;
    pk.packetize({nalu(0x41, 2000)}, 0);
    ck.feed(pk.p.packets[0]);
    ck.feed(pk.p.packets[0]);
    EXPECT_TRUE(ck.feed(pk.p.packets[1]));
    EXPECT_EQ(1u, ck.c.out_of_order);
    EXPECT_EQ(1u, ck.c.frames);

    // A STAP-A whose NALU size runs past the payload.
    srs_rtp_header_t h = {};
    h.payload_type = 102;
    h.sequence = pk.p.sequence;
    h.timestamp = 3000;
    h.marker = true;
    const uint8_t stap[] = {0x78, 0x00, 0x09, 0x41, 0x01};
    uint8_t buf[64];
    size_t n = 0;
    HELPER_EXPECT_SUCCESS(srs_rtp_write(&h, stap, sizeof(stap), 0, buf, sizeof(buf), &n));
    srs_rtp_packet_t p;
    HELPER_EXPECT_SUCCESS(srs_rtp_parse(buf, n, &p));
    bool ready = true;
    HELPER_EXPECT_FAILED_CODE(srs_rtp_h264_checker_feed(&ck.c, &p, &ready), ERROR_RTC_RTP);
    EXPECT_FALSE(ready);
    EXPECT_EQ(1u, ck.c.malformed);
    EXPECT_EQ(1u, ck.c.broken_frames);

    // An FU-B (type 29) is not in packetization-mode 1.
    const uint8_t fub[] = {0x7D, 0x85, 0x00, 0x01, 0x02};
    h.sequence++;
    h.timestamp = 6000;
    HELPER_EXPECT_SUCCESS(srs_rtp_write(&h, fub, sizeof(fub), 0, buf, sizeof(buf), &n));
    HELPER_EXPECT_SUCCESS(srs_rtp_parse(buf, n, &p));
    HELPER_EXPECT_FAILED_CODE(srs_rtp_h264_checker_feed(&ck.c, &p, &ready), ERROR_RTC_RTP);
    EXPECT_EQ(2u, ck.c.malformed);
}

// Feed sequence numbers with 20 ms spacing and a matching 48 kHz timestamp.
static srs_rtp_seq_result_t feed_seq(srs_rtp_recv_stats_t *s, uint16_t seq, int index)
{
    return srs_rtp_stats_update(s, seq, (uint32_t)(index * 960), 100, 1000000 + index * 20000);
}

TEST(ProtocolRtpTest, StatsCountLossAcrossGap)
{
    srs_rtp_recv_stats_t s;
    srs_rtp_stats_init(&s, 0xABCD, SRS_RTP_OPUS_CLOCK_RATE);
    EXPECT_EQ(0u, srs_rtp_stats_expected(&s));
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 5) continue;
        EXPECT_EQ(SRS_RTP_SEQ_NEW, feed_seq(&s, (uint16_t)(1000 + i), i));
    }
    EXPECT_EQ(10u, srs_rtp_stats_expected(&s));
    EXPECT_EQ(8u, s.received);
    EXPECT_EQ(2u, srs_rtp_stats_lost(&s));
    EXPECT_EQ(800u, s.bytes);
    EXPECT_EQ(8u, s.packets);
    EXPECT_EQ(1000000, s.first_arrival);
    EXPECT_EQ(1000000 + 9 * 20000, s.last_arrival);
    EXPECT_EQ(800ull * 8 * 1000000 / (9 * 20000), srs_rtp_stats_bitrate(&s)); // 800 bytes in 180 ms
}

TEST(ProtocolRtpTest, StatsDuplicatesAreNoGainAndLateOnesCount)
{
    srs_rtp_recv_stats_t s;
    srs_rtp_stats_init(&s, 1, SRS_RTP_OPUS_CLOCK_RATE);
    for (int i = 0; i < 10; i++) {
        if (i == 5 || i == 7) continue;
        feed_seq(&s, (uint16_t)i, i);
    }
    EXPECT_EQ(2u, srs_rtp_stats_lost(&s));
    EXPECT_EQ(SRS_RTP_SEQ_DUPLICATE, feed_seq(&s, 3, 3));
    EXPECT_EQ(SRS_RTP_SEQ_DUPLICATE, feed_seq(&s, 9, 9));
    EXPECT_EQ(SRS_RTP_SEQ_DUPLICATE, feed_seq(&s, 3, 3));
    EXPECT_EQ(2u, srs_rtp_stats_lost(&s));
    EXPECT_EQ(3u, s.duplicates);
    EXPECT_EQ(8u, s.received);
    // A late (reordered) packet is not lost after all, but only once.
    EXPECT_EQ(SRS_RTP_SEQ_LATE, feed_seq(&s, 5, 5));
    EXPECT_EQ(SRS_RTP_SEQ_DUPLICATE, feed_seq(&s, 5, 5));
    EXPECT_EQ(1u, srs_rtp_stats_lost(&s));
    EXPECT_EQ(9u, s.received);
    EXPECT_EQ(13u, s.packets);
}

TEST(ProtocolRtpTest, StatsHandleWrap)
{
    srs_rtp_recv_stats_t s;
    srs_rtp_stats_init(&s, 1, SRS_RTP_OPUS_CLOCK_RATE);
    int index = 0;
    for (uint16_t seq = 65530; seq != 6; seq++) {
        if (seq == 1) continue; // lost just after the wrap
        feed_seq(&s, seq, index++);
    }
    EXPECT_EQ(12u, srs_rtp_stats_expected(&s));
    EXPECT_EQ(1u, srs_rtp_stats_lost(&s));
    srs_rtcp_report_block_t rb;
    srs_rtp_stats_report(&s, 0, &rb);
    EXPECT_EQ(65536u + 5, rb.highest_seq);
    // A late packet from before the wrap.
    EXPECT_EQ(SRS_RTP_SEQ_DUPLICATE, feed_seq(&s, 65535, 5));
    EXPECT_EQ(SRS_RTP_SEQ_LATE, feed_seq(&s, 1, 7));
    EXPECT_EQ(0u, srs_rtp_stats_lost(&s));

    // A packet that is earlier than the first one seen widens the range instead of going negative.
    srs_rtp_stats_init(&s, 1, SRS_RTP_OPUS_CLOCK_RATE);
    feed_seq(&s, 2, 0);
    feed_seq(&s, 3, 1);
    EXPECT_EQ(SRS_RTP_SEQ_LATE, feed_seq(&s, 65534, 2));
    EXPECT_EQ(6u, srs_rtp_stats_expected(&s));
    EXPECT_EQ(3u, srs_rtp_stats_lost(&s));
}

TEST(ProtocolRtpTest, StatsRestartAfterConfirmedJump)
{
    srs_rtp_recv_stats_t s;
    srs_rtp_stats_init(&s, 1, SRS_RTP_OPUS_CLOCK_RATE);
    for (int i = 0; i < 5; i++) feed_seq(&s, (uint16_t)(100 + i), i);
    EXPECT_EQ(SRS_RTP_SEQ_JUMP, feed_seq(&s, 40000, 5));
    EXPECT_EQ(5u, srs_rtp_stats_expected(&s)); // not counted yet
    EXPECT_EQ(SRS_RTP_SEQ_NEW, feed_seq(&s, 40001, 6));
    EXPECT_EQ(1u, srs_rtp_stats_expected(&s)); // the source restarted at 40001
    EXPECT_EQ(0u, srs_rtp_stats_lost(&s));
    // A lone stray far packet does not restart.
    EXPECT_EQ(SRS_RTP_SEQ_JUMP, feed_seq(&s, 10, 7));
    EXPECT_EQ(SRS_RTP_SEQ_NEW, feed_seq(&s, 40002, 8));
    EXPECT_EQ(2u, srs_rtp_stats_expected(&s));
}

TEST(ProtocolRtpTest, JitterNearZeroWhenRegularAndGrowsWhenIrregular)
{
    srs_rtp_recv_stats_t regular, irregular;
    srs_rtp_stats_init(&regular, 1, SRS_RTP_OPUS_CLOCK_RATE);
    srs_rtp_stats_init(&irregular, 2, SRS_RTP_OPUS_CLOCK_RATE);
    srs_utime_t t = 5 * SRS_UTIME_SECONDS;
    uint32_t last = 0;
    bool grew = true;
    for (int i = 0; i < 100; i++) {
        uint32_t ts = 123456 + (uint32_t)i * 960;
        srs_rtp_stats_update(&regular, (uint16_t)i, ts, 100, t + i * 20000);
        // Arrivals alternate 10 ms early and on time: |D| = 10 ms = 480 ticks.
        srs_rtp_stats_update(&irregular, (uint16_t)i, ts, 100, t + i * 20000 - (i % 2) * 10000);
        if (i > 0 && i < 20 && srs_rtp_stats_jitter(&irregular) < last) grew = false;
        last = srs_rtp_stats_jitter(&irregular);
    }
    EXPECT_EQ(0u, srs_rtp_stats_jitter(&regular));
    EXPECT_TRUE(grew);
    // J converges to |D| (A.8): 480 * (1 - (15/16)^99) is about 479.
    EXPECT_GE(srs_rtp_stats_jitter(&irregular), 470u);
    EXPECT_LE(srs_rtp_stats_jitter(&irregular), 480u);
}

TEST(ProtocolRtpTest, ReceiverReportRoundTripFromStats)
{
    srs_rtp_recv_stats_t s;
    srs_rtp_stats_init(&s, 0xCAFEBABE, SRS_RTP_VIDEO_CLOCK_RATE);
    for (int i = 0; i < 10; i++) {
        if (i == 4) continue;
        srs_rtp_stats_update(&s, (uint16_t)(500 + i), (uint32_t)i * 3000, 1000, 1000000 + i * 33333);
    }
    srs_rtcp_sr_t sr = {};
    sr.ssrc = 0xCAFEBABE;
    sr.ntp = 0x1122334455667788ULL;
    srs_rtp_stats_on_sr(&s, &sr, 2000000);

    srs_rtcp_rr_t rr = {};
    rr.ssrc = 0x5EED;
    rr.count = 1;
    srs_rtp_stats_report(&s, 2500000, &rr.blocks[0]);
    EXPECT_EQ(25, rr.blocks[0].fraction_lost); // 1 of 10: 256 / 10
    EXPECT_EQ(1, rr.blocks[0].cumulative_lost);
    EXPECT_EQ(509u, rr.blocks[0].highest_seq);
    EXPECT_EQ(0x33445566u, rr.blocks[0].lsr);
    EXPECT_EQ(32768u, rr.blocks[0].dlsr); // 0.5 s in 1/65536 s

    uint8_t buf[128];
    size_t n = 0;
    HELPER_EXPECT_SUCCESS(srs_rtcp_write_rr(&rr, buf, sizeof(buf), &n));
    EXPECT_EQ(32u, n);
    EXPECT_EQ(0x81, buf[0]);
    EXPECT_EQ(201, buf[1]);
    EXPECT_EQ(7, buf[3]);

    srs_rtcp_packet_t pkts[4];
    size_t count = 0;
    HELPER_EXPECT_SUCCESS(srs_rtcp_split(buf, n, pkts, 4, &count));
    ASSERT_EQ(1u, count);
    srs_rtcp_rr_t back;
    HELPER_EXPECT_SUCCESS(srs_rtcp_parse_rr(&pkts[0], &back));
    EXPECT_EQ(0x5EEDu, back.ssrc);
    ASSERT_EQ(1, back.count);
    EXPECT_EQ(0xCAFEBABEu, back.blocks[0].ssrc);
    EXPECT_EQ(rr.blocks[0].fraction_lost, back.blocks[0].fraction_lost);
    EXPECT_EQ(1, back.blocks[0].cumulative_lost);
    EXPECT_EQ(509u, back.blocks[0].highest_seq);
    EXPECT_EQ(rr.blocks[0].jitter, back.blocks[0].jitter);
    EXPECT_EQ(0x33445566u, back.blocks[0].lsr);
    EXPECT_EQ(32768u, back.blocks[0].dlsr);

    // The next interval has no new loss.
    srs_rtp_stats_update(&s, 510, 30000, 1000, 1400000);
    srs_rtcp_report_block_t rb;
    srs_rtp_stats_report(&s, 2600000, &rb);
    EXPECT_EQ(0, rb.fraction_lost);
    EXPECT_EQ(1, rb.cumulative_lost);
}

TEST(ProtocolRtpTest, SenderReportAndCompoundWalk)
{
    srs_rtcp_sr_t sr = {};
    sr.ssrc = 0x01020304;
    sr.ntp = srs_rtcp_ntp_from_wall(1500000); // 1.5 s after 1970
    EXPECT_EQ((2208988801ULL << 32) | 0x80000000ULL, sr.ntp);
    sr.rtp_timestamp = 90000;
    sr.packet_count = 77;
    sr.octet_count = 77000;
    sr.count = 1;
    sr.blocks[0].ssrc = 9;
    sr.blocks[0].cumulative_lost = -3; // duplicates outnumbering losses, as RFC 3550 allows

    srs_rtcp_rr_t rr = {};
    rr.ssrc = 0x0A0B0C0D;
    uint8_t buf[256];
    size_t n1 = 0, n2 = 0;
    HELPER_EXPECT_SUCCESS(srs_rtcp_write_sr(&sr, buf, sizeof(buf), &n1));
    EXPECT_EQ(52u, n1);
    HELPER_EXPECT_SUCCESS(srs_rtcp_write_rr(&rr, buf + n1, sizeof(buf) - n1, &n2));
    // An SDES with padding at the end, as a compound's last packet may have.
    const uint8_t sdes[] = {0xA1, 202, 0, 3, 0, 0, 0, 9, 1, 1, 'x', 0, 0, 0, 0, 4};
    memcpy(buf + n1 + n2, sdes, sizeof(sdes));
    size_t len = n1 + n2 + sizeof(sdes);

    srs_rtcp_packet_t pkts[4];
    size_t count = 0;
    HELPER_EXPECT_SUCCESS(srs_rtcp_split(buf, len, pkts, 4, &count));
    ASSERT_EQ(3u, count);
    EXPECT_EQ(SRS_RTCP_SR, pkts[0].type);
    EXPECT_EQ(SRS_RTCP_RR, pkts[1].type);
    EXPECT_EQ(0, pkts[1].count);
    EXPECT_EQ(SRS_RTCP_SDES, pkts[2].type);
    EXPECT_EQ(12u, pkts[2].size); // the 4 padding bytes are not part of it

    srs_rtcp_sr_t back;
    HELPER_EXPECT_SUCCESS(srs_rtcp_parse_sr(&pkts[0], &back));
    EXPECT_EQ(sr.ssrc, back.ssrc);
    EXPECT_EQ(sr.ntp, back.ntp);
    EXPECT_EQ(90000u, back.rtp_timestamp);
    EXPECT_EQ(77u, back.packet_count);
    EXPECT_EQ(77000u, back.octet_count);
    ASSERT_EQ(1, back.count);
    EXPECT_EQ(-3, back.blocks[0].cumulative_lost);
    srs_rtcp_rr_t rr_back;
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_parse_rr(&pkts[0], &rr_back), ERROR_RTC_RTCP); // an SR is not an RR
    HELPER_EXPECT_SUCCESS(srs_rtcp_parse_rr(&pkts[1], &rr_back));
    EXPECT_EQ(0x0A0B0C0Du, rr_back.ssrc);
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_split(buf, len, pkts, 2, &count), ERROR_RTC_RTCP);
}

TEST(ProtocolRtpTest, CompoundWalkRejectsBadLengths)
{
    srs_rtcp_packet_t pkts[4];
    size_t count = 0;
    const uint8_t rr[] = {0x80, 201, 0, 1, 0, 0, 0, 1};
    HELPER_EXPECT_SUCCESS(srs_rtcp_split(rr, sizeof(rr), pkts, 4, &count));
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_split(rr, 7, pkts, 4, &count), ERROR_RTC_RTCP);  // length past the end
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_split(rr, 3, pkts, 4, &count), ERROR_RTC_RTCP);  // no header
    const uint8_t two[] = {0x80, 201, 0, 1, 0, 0, 0, 1, 0x80, 201};
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_split(two, sizeof(two), pkts, 4, &count), ERROR_RTC_RTCP); // bytes left over
    const uint8_t v1[] = {0x40, 201, 0, 1, 0, 0, 0, 1};
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_split(v1, sizeof(v1), pkts, 4, &count), ERROR_RTC_RTCP);
    const uint8_t pad[] = {0xA0, 201, 0, 1, 0, 0, 0, 5}; // padding into the header
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_split(pad, sizeof(pad), pkts, 4, &count), ERROR_RTC_RTCP);
    const uint8_t pad0[] = {0xA0, 201, 0, 1, 0, 0, 0, 0};
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_split(pad0, sizeof(pad0), pkts, 4, &count), ERROR_RTC_RTCP);
    // An RR that claims a report block it does not hold.
    const uint8_t short_rr[] = {0x81, 201, 0, 1, 0, 0, 0, 1};
    HELPER_EXPECT_SUCCESS(srs_rtcp_split(short_rr, sizeof(short_rr), pkts, 4, &count));
    srs_rtcp_rr_t out;
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_parse_rr(&pkts[0], &out), ERROR_RTC_RTCP);
    srs_rtcp_sr_t sr;
    HELPER_EXPECT_FAILED_CODE(srs_rtcp_parse_sr(&pkts[0], &sr), ERROR_RTC_RTCP);
}
