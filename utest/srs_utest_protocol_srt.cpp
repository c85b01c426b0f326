// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <string>
#include <vector>

extern "C" {
#include "srs_kernel_stream_url.h"
#include "srs_protocol_srt.h"
}

// Real handshakes, captured on loopback between ffmpeg 5.1 / srt-live-transmit (libsrt 1.5.1) and a
// libsrt listener.
// ffmpeg (libsrt 1.5.1) induction request: version 4, extension 2, socket 0x068bd619, dest 0.
static const uint8_t kInduction[] = {
    0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02, 0x16, 0x3e, 0x58, 0x2c, 0x00, 0x00, 0x05, 0xdc,
    0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x01, 0x06, 0x8b, 0xd6, 0x19, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// libsrt listener induction response: version 5, encryption 2 (AES-128), magic 0x4A17, cookie 0xe867b66b.
static const uint8_t kInductionResponse[] = {
    0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x75, 0xd6, 0x06, 0x8b, 0xd6, 0x19,
    0x00, 0x00, 0x00, 0x05, 0x00, 0x02, 0x4a, 0x17, 0x16, 0x3e, 0x58, 0x2c, 0x00, 0x00, 0x05, 0xdc,
    0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x01, 0x06, 0x8b, 0xd6, 0x19, 0xe8, 0x67, 0xb6, 0x6b,
    0x01, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// ffmpeg conclusion, passphrase + pbkeylen=16: HSREQ, SID "#!::r=live/livestream,m=publish", KMREQ.
static const uint8_t kConclusion[] = {
    0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x49, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x05, 0x00, 0x02, 0x00, 0x07, 0x16, 0x3e, 0x58, 0x2c, 0x00, 0x00, 0x05, 0xdc,
    0x00, 0x00, 0x20, 0x00, 0xff, 0xff, 0xff, 0xff, 0x06, 0x8b, 0xd6, 0x19, 0xe8, 0x67, 0xb6, 0x6b,
    0x01, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x03, 0x00, 0x01, 0x05, 0x01, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x78, 0x00, 0x00,
    0x00, 0x05, 0x00, 0x08, 0x3a, 0x3a, 0x21, 0x23, 0x69, 0x6c, 0x3d, 0x72, 0x6c, 0x2f, 0x65, 0x76,
    0x73, 0x65, 0x76, 0x69, 0x61, 0x65, 0x72, 0x74, 0x3d, 0x6d, 0x2c, 0x6d, 0x6c, 0x62, 0x75, 0x70,
    0x00, 0x68, 0x73, 0x69, 0x00, 0x03, 0x00, 0x0e, 0x12, 0x20, 0x29, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04, 0x04, 0x04, 0x01, 0xed, 0x6c, 0x42, 0x05, 0xc1, 0x28,
    0x49, 0xbe, 0x3c, 0x65, 0x0d, 0x2b, 0x88, 0x24, 0x2a, 0x12, 0xfa, 0xed, 0xa5, 0xb7, 0x31, 0x79,
    0xcd, 0xd2, 0xfa, 0x2a, 0x86, 0x6f, 0xde, 0xdd, 0xb5, 0x81, 0x7d, 0xc9, 0xe3, 0x20, 0x5d, 0x03,
};
// libsrt listener conclusion response: socket 0x2ef9779d, HSRSP and KMRSP.
static const uint8_t kConclusionResponse[] = {
    0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x2f, 0x06, 0x8b, 0xd6, 0x19,
    0x00, 0x00, 0x00, 0x05, 0x00, 0x02, 0x00, 0x03, 0x16, 0x3e, 0x58, 0x2c, 0x00, 0x00, 0x05, 0xdc,
    0x00, 0x00, 0x20, 0x00, 0xff, 0xff, 0xff, 0xff, 0x2e, 0xf9, 0x77, 0x9d, 0xe8, 0x67, 0xb6, 0x6b,
    0x01, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x02, 0x00, 0x03, 0x00, 0x01, 0x05, 0x01, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x78, 0x00, 0x78,
    0x00, 0x04, 0x00, 0x0e, 0x12, 0x20, 0x29, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00,
    0x00, 0x00, 0x04, 0x04, 0x04, 0x01, 0xed, 0x6c, 0x42, 0x05, 0xc1, 0x28, 0x49, 0xbe, 0x3c, 0x65,
    0x0d, 0x2b, 0x88, 0x24, 0x2a, 0x12, 0xfa, 0xed, 0xa5, 0xb7, 0x31, 0x79, 0xcd, 0xd2, 0xfa, 0x2a,
    0x86, 0x6f, 0xde, 0xdd, 0xb5, 0x81, 0x7d, 0xc9, 0xe3, 0x20, 0x5d, 0x03,
};
// libsrt listener rejection of a wrong passphrase: handshake type 1010 (1000 + REJ_BADSECRET).
static const uint8_t kRejection[] = {
    0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x6a, 0xd0, 0x2b, 0x4a, 0xda, 0x3b,
    0x00, 0x00, 0x00, 0x05, 0x00, 0x02, 0x00, 0x07, 0x28, 0x16, 0xc4, 0xa3, 0x00, 0x00, 0x05, 0xdc,
    0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x03, 0xf2, 0x14, 0x5f, 0x7f, 0x84, 0x41, 0x80, 0x2c, 0x18,
    0x01, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// ffmpeg conclusion with the plain stream id "live/livestream" (no encryption).
static const uint8_t kPlainConclusion[] = {
    0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4d, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x05, 0x64, 0xfd, 0x1b, 0xcc, 0x00, 0x00, 0x05, 0xdc,
    0x00, 0x00, 0x20, 0x00, 0xff, 0xff, 0xff, 0xff, 0x02, 0x03, 0x39, 0xcf, 0xf1, 0x0f, 0x23, 0x39,
    0x01, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x03, 0x00, 0x01, 0x05, 0x01, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x78, 0x00, 0x00,
    0x00, 0x05, 0x00, 0x04, 0x65, 0x76, 0x69, 0x6c, 0x76, 0x69, 0x6c, 0x2f, 0x72, 0x74, 0x73, 0x65,
    0x00, 0x6d, 0x61, 0x65,
};

typedef std::vector<uint8_t> bytes;

static bytes of(const uint8_t *p, size_t n) { return bytes(p, p + n); }

static std::vector<uint16_t> ext_types(const srs_srt_handshake_t &hs, std::vector<size_t> *lens = nullptr)
{
    std::vector<uint16_t> types;
    size_t pos = 0;
    srs_srt_ext_t ext;
    while (srs_srt_ext_next(&hs, &pos, &ext)) {
        types.push_back(ext.type);
        if (lens) lens->push_back(ext.len);
    }
    return types;
}

static std::string stream_id_of(const bytes &pkt)
{
    srs_srt_handshake_t hs;
    srs_error_t err = srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs);
    EXPECT_TRUE(err == srs_success) << srs_error_desc(err);
    srs_error_free(err);
    char sid[SRS_SRT_MAX_STREAM_ID + 1];
    bool found = false;
    HELPER_EXPECT_SUCCESS(srs_srt_handshake_stream_id(&hs, sid, sizeof(sid), &found));
    return found ? std::string(sid) : std::string("(none)");
}

// A conclusion with one SID extension holding `sid_words` (already encoded) after the 64 bytes.
static bytes conclusion_with_sid(const bytes &sid_words)
{
    bytes pkt(kConclusion, kConclusion + SRS_SRT_HANDSHAKE_SIZE);
    pkt.push_back(0x00);
    pkt.push_back(SRS_SRT_EXT_SID);
    pkt.push_back((uint8_t)((sid_words.size() / 4) >> 8));
    pkt.push_back((uint8_t)(sid_words.size() / 4));
    pkt.insert(pkt.end(), sid_words.begin(), sid_words.end());
    return pkt;
}

TEST(ProtocolSrtTest, ParsesARealInductionRequest)
{
    srs_srt_handshake_t hs;
    HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(kInduction, sizeof(kInduction), &hs));
    EXPECT_EQ(0u, hs.dest_socket_id);
    EXPECT_EQ(4u, hs.version);
    EXPECT_EQ(0, hs.encryption);
    EXPECT_EQ(2, hs.extension);
    EXPECT_EQ(0x163e582cu, hs.initial_seq);
    EXPECT_EQ(1500u, hs.mtu);
    EXPECT_EQ(8192u, hs.flow_window);
    EXPECT_EQ(SRS_SRT_HS_INDUCTION, hs.type);
    EXPECT_EQ(0x068bd619u, hs.socket_id);
    EXPECT_EQ(0u, hs.syn_cookie);
    EXPECT_EQ(nullptr, hs.ext);
    EXPECT_EQ(0u, hs.ext_len);
    EXPECT_TRUE(srs_srt_is_handshake(kInduction, sizeof(kInduction)));
    EXPECT_EQ(0u, srs_srt_dest_socket_id(kInduction, sizeof(kInduction)));
}

TEST(ProtocolSrtTest, ParsesARealConclusionWithHsreqSidAndKmreq)
{
    srs_srt_handshake_t hs;
    HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(kConclusion, sizeof(kConclusion), &hs));
    EXPECT_EQ(5u, hs.version);
    EXPECT_EQ(2, hs.encryption);  // AES-128
    EXPECT_EQ(7, hs.extension);   // HSREQ | KMREQ | CONFIG
    EXPECT_EQ(SRS_SRT_HS_CONCLUSION, hs.type);
    EXPECT_EQ(0x068bd619u, hs.socket_id);
    EXPECT_EQ(0xe867b66bu, hs.syn_cookie);   // the listener's, echoed
    std::vector<size_t> lens;
    EXPECT_EQ((std::vector<uint16_t>{SRS_SRT_EXT_HSREQ, SRS_SRT_EXT_SID, SRS_SRT_EXT_KMREQ}), ext_types(hs, &lens));
    EXPECT_EQ((std::vector<size_t>{12, 32, 56}), lens);
    EXPECT_EQ("#!::r=live/livestream,m=publish", stream_id_of(of(kConclusion, sizeof(kConclusion))));
}

TEST(ProtocolSrtTest, ParsesResponsesAndRejections)
{
    srs_srt_handshake_t hs;
    HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(kInductionResponse, sizeof(kInductionResponse), &hs));
    EXPECT_EQ(SRS_SRT_MAGIC, hs.extension);
    EXPECT_EQ(0xe867b66bu, hs.syn_cookie);
    EXPECT_EQ(0x068bd619u, hs.dest_socket_id);

    HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(kConclusionResponse, sizeof(kConclusionResponse), &hs));
    EXPECT_EQ(SRS_SRT_HS_CONCLUSION, hs.type);
    EXPECT_EQ(0x2ef9779du, hs.socket_id);  // the listener's socket: the caller's destination from now on
    EXPECT_EQ((std::vector<uint16_t>{SRS_SRT_EXT_HSRSP, SRS_SRT_EXT_KMRSP}), ext_types(hs));
    EXPECT_EQ("(none)", stream_id_of(of(kConclusionResponse, sizeof(kConclusionResponse))));
    EXPECT_FALSE(srs_srt_handshake_is_rejection(hs.type));

    HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(kRejection, sizeof(kRejection), &hs));
    EXPECT_TRUE(srs_srt_handshake_is_rejection(hs.type));
    EXPECT_EQ(1010u, hs.type);
    EXPECT_EQ(srs_srt_handshake_reject_type(10), hs.type);
    EXPECT_EQ(2503u, srs_srt_handshake_reject_type(SRS_SRT_REJX_DOWN));
    EXPECT_FALSE(srs_srt_handshake_is_rejection(SRS_SRT_HS_INDUCTION));
    EXPECT_FALSE(srs_srt_handshake_is_rejection(SRS_SRT_HS_DONE));
    EXPECT_FALSE(srs_srt_handshake_is_rejection(SRS_SRT_HS_AGREEMENT));
}

TEST(ProtocolSrtTest, DecodesThePlainStreamIdOfFfmpeg)
{
    EXPECT_EQ("live/livestream", stream_id_of(of(kPlainConclusion, sizeof(kPlainConclusion))));
}

TEST(ProtocolSrtTest, RejectsEveryTruncation)
{
    srs_srt_handshake_t hs;
    // A prefix is a handshake only when it ends where an extension ends (64, 80, 116, 176): any
    // other cut is too short or lands inside an extension.
    for (size_t n = 0; n < sizeof(kConclusion); n++) {
        bool boundary = n == 64 || n == 80 || n == 116;
        if (boundary) {
            HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(kConclusion, n, &hs));
        } else {
            HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_parse(kConclusion, n, &hs), ERROR_SRT_HANDSHAKE);
        }
    }
    // The 64-byte prefix alone is a handshake without extensions.
    for (size_t n = 0; n < SRS_SRT_HANDSHAKE_SIZE; n++) {
        HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_parse(kInduction, n, &hs), ERROR_SRT_HANDSHAKE);
    }
}

TEST(ProtocolSrtTest, RejectsBadExtensionsAndNonHandshakes)
{
    srs_srt_handshake_t hs;
    // An extension claiming 0xFFFF words.
    bytes pkt = of(kConclusion, sizeof(kConclusion));
    pkt[66] = 0xff;
    pkt[67] = 0xff;
    HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs), ERROR_SRT_HANDSHAKE);
    // Two stray bytes after the last extension.
    pkt = of(kConclusion, sizeof(kConclusion));
    pkt.push_back(0);
    pkt.push_back(0);
    HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs), ERROR_SRT_HANDSHAKE);
    // A data packet (F bit clear), and a keepalive (control type 1).
    pkt = of(kInduction, sizeof(kInduction));
    pkt[0] = 0x00;
    HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs), ERROR_SRT_HANDSHAKE);
    EXPECT_FALSE(srs_srt_is_handshake(pkt.data(), pkt.size()));
    pkt[0] = 0x80;
    pkt[1] = 0x01;
    HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs), ERROR_SRT_HANDSHAKE);
    EXPECT_FALSE(srs_srt_is_handshake(pkt.data(), pkt.size()));
    HELPER_EXPECT_FAILED(srs_srt_handshake_parse(NULL, 0, &hs));
}

TEST(ProtocolSrtTest, WriteReproducesTheParsedPacket)
{
    for (const bytes &pkt : {of(kInduction, sizeof(kInduction)), of(kConclusion, sizeof(kConclusion)),
                             of(kConclusionResponse, sizeof(kConclusionResponse)), of(kRejection, sizeof(kRejection))}) {
        srs_srt_handshake_t hs;
        HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs));
        uint8_t out[SRS_SRT_MAX_HANDSHAKE];
        size_t len = 0;
        HELPER_EXPECT_SUCCESS(srs_srt_handshake_write(&hs, out, sizeof(out), &len));
        EXPECT_EQ(pkt, bytes(out, out + len));
        HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_write(&hs, out, pkt.size() - 1, &len), ERROR_SRT_HANDSHAKE);
    }
}

TEST(ProtocolSrtTest, StreamIdEncodingRoundTrips)
{
    std::string text;
    for (int n = 1; n <= SRS_SRT_MAX_STREAM_ID; n++) {
        text.push_back((char)('a' + n % 26));
        uint8_t words[SRS_SRT_MAX_STREAM_ID];
        size_t len = 0;
        HELPER_EXPECT_SUCCESS(srs_srt_stream_id_encode(text.c_str(), words, sizeof(words), &len));
        ASSERT_EQ((size_t)(n + 3) / 4 * 4, len);
        ASSERT_EQ(text, stream_id_of(conclusion_with_sid(bytes(words, words + len))));
    }
    // The word swap, as libsrt writes "abcde": "dcba" then "\0\0\0e".
    uint8_t words[8];
    size_t len = 0;
    HELPER_EXPECT_SUCCESS(srs_srt_stream_id_encode("abcde", words, sizeof(words), &len));
    EXPECT_EQ(bytes({'d', 'c', 'b', 'a', 0, 0, 0, 'e'}), bytes(words, words + len));
    // 513 bytes do not fit a SID; nor does text in a smaller buffer.
    uint8_t big[SRS_SRT_MAX_STREAM_ID + 8];
    HELPER_EXPECT_FAILED_CODE(srs_srt_stream_id_encode((text + "x").c_str(), big, sizeof(big), &len), ERROR_SRT_STREAMID);
    HELPER_EXPECT_FAILED_CODE(srs_srt_stream_id_encode("abcde", words, 4, &len), ERROR_SRT_STREAMID);
}

TEST(ProtocolSrtTest, RejectsOversizedOrBrokenStreamIds)
{
    srs_srt_handshake_t hs;
    char sid[SRS_SRT_MAX_STREAM_ID + 1];
    bool found = false;
    // 132 words: longer than libsrt allows.
    bytes pkt = conclusion_with_sid(bytes(132 * 4, 'a'));
    HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs));
    HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_stream_id(&hs, sid, sizeof(sid), &found), ERROR_SRT_STREAMID);
    EXPECT_FALSE(found);
    // A NUL inside the text (not trailing padding).
    pkt = conclusion_with_sid(bytes({'c', 'b', 0, 'a', 'h', 'g', 'f', 'e'}));
    HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs));
    HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_stream_id(&hs, sid, sizeof(sid), &found), ERROR_SRT_STREAMID);
    // A buffer too small for it.
    pkt = of(kConclusion, sizeof(kConclusion));
    HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs));
    HELPER_EXPECT_FAILED_CODE(srs_srt_handshake_stream_id(&hs, sid, 16, &found), ERROR_SRT_STREAMID);
    // All padding: an empty stream id, found.
    pkt = conclusion_with_sid(bytes(4, 0));
    HELPER_EXPECT_SUCCESS(srs_srt_handshake_parse(pkt.data(), pkt.size(), &hs));
    HELPER_EXPECT_SUCCESS(srs_srt_handshake_stream_id(&hs, sid, sizeof(sid), &found));
    EXPECT_TRUE(found);
    EXPECT_STREQ("", sid);
}

TEST(ProtocolSrtTest, PeerIpIsWrittenAsLibsrtDoes)
{
    struct sockaddr_in v4;
    memset(&v4, 0, sizeof(v4));
    v4.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
    uint8_t ip[16];
    srs_srt_peer_ip_encode((struct sockaddr *)&v4, ip);
    // The captured packets carry 127.0.0.1 this way at offset 48.
    EXPECT_EQ(bytes(kInduction + 48, kInduction + 64), bytes(ip, ip + 16));

    struct sockaddr_in6 v6;
    memset(&v6, 0, sizeof(v6));
    v6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "2001:db8::1", &v6.sin6_addr);
    srs_srt_peer_ip_encode((struct sockaddr *)&v6, ip);
    EXPECT_EQ(bytes({0xb8, 0x0d, 0x01, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0}), bytes(ip, ip + 16));

    struct sockaddr other;
    memset(&other, 0, sizeof(other));
    other.sa_family = AF_UNIX;
    srs_srt_peer_ip_encode(&other, ip);
    EXPECT_EQ(bytes(16, 0), bytes(ip, ip + 16));
}

TEST(ProtocolSrtTest, SynCookieIsPerAddressPortBucketAndSecret)
{
    const uint8_t secret[32] = {1, 2, 3};
    const uint8_t other_secret[32] = {9};
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(5000);
    inet_pton(AF_INET, "10.0.0.1", &a.sin_addr);
    struct sockaddr_in b = a;
    b.sin_port = htons(5001);
    struct sockaddr_in c = a;
    inet_pton(AF_INET, "10.0.0.2", &c.sin_addr);

    uint32_t ca = srs_srt_syn_cookie(secret, sizeof(secret), (struct sockaddr *)&a, 7);
    EXPECT_NE(0u, ca);
    EXPECT_EQ(ca, srs_srt_syn_cookie(secret, sizeof(secret), (struct sockaddr *)&a, 7));
    EXPECT_NE(ca, srs_srt_syn_cookie(secret, sizeof(secret), (struct sockaddr *)&b, 7));
    EXPECT_NE(ca, srs_srt_syn_cookie(secret, sizeof(secret), (struct sockaddr *)&c, 7));
    EXPECT_NE(ca, srs_srt_syn_cookie(secret, sizeof(secret), (struct sockaddr *)&a, 8));
    EXPECT_NE(ca, srs_srt_syn_cookie(other_secret, sizeof(other_secret), (struct sockaddr *)&a, 7));
}

TEST(ProtocolSrtTest, HeaderHelpers)
{
    uint8_t data[20] = {0x12, 0x34, 0x56, 0x78};
    EXPECT_TRUE(srs_srt_is_packet(data, 16));
    EXPECT_FALSE(srs_srt_is_packet(data, 15));
    EXPECT_FALSE(srs_srt_is_control(data, sizeof(data)));

    srs_srt_set_dest_socket_id(data, sizeof(data), 0xdeadbeef);
    EXPECT_EQ(0xdeadbeefu, srs_srt_dest_socket_id(data, sizeof(data)));
    EXPECT_EQ(0u, srs_srt_dest_socket_id(data, 15));
    srs_srt_set_dest_socket_id(data, 15, 1);  // too short: untouched
    EXPECT_EQ(0xdeadbeefu, srs_srt_get_u32(data + 12));

    data[0] = 0x80;
    data[1] = SRS_SRT_CTRL_SHUTDOWN;
    EXPECT_TRUE(srs_srt_is_control(data, sizeof(data)));
    EXPECT_EQ(SRS_SRT_CTRL_SHUTDOWN, srs_srt_control_type(data));
    data[0] = 0xff;
    data[1] = 0xff;  // user-defined: KMREQ/KMRSP refreshes
    EXPECT_EQ(SRS_SRT_CTRL_USER, srs_srt_control_type(data));
    EXPECT_FALSE(srs_srt_is_control(data, 15));
}

// ---- stream ids ----

struct Sid {
    std::string vhost, app, stream;
    bool publish;
    bool operator==(const Sid &o) const
    {
        return vhost == o.vhost && app == o.app && stream == o.stream && publish == o.publish;
    }
};

static std::ostream &operator<<(std::ostream &os, const Sid &s)
{
    return os << "{vhost=" << s.vhost << " app=" << s.app << " stream=" << s.stream << " publish=" << s.publish << "}";
}

static Sid parse_sid(const char *text)
{
    srs_srt_stream_id_t out;
    srs_error_t err = srs_srt_stream_id_parse(text, &out);
    EXPECT_TRUE(err == srs_success) << text << ": " << srs_error_desc(err);
    srs_error_free(err);
    return Sid{out.vhost, out.app, out.stream, out.publish};
}

TEST(ProtocolSrtStreamIdTest, KeyedFormWithResourceHostAndMode)
{
    EXPECT_EQ((Sid{"", "live", "livestream", true}), parse_sid("#!::r=live/livestream,m=publish"));
    EXPECT_EQ((Sid{"", "live", "livestream", false}), parse_sid("#!::r=live/livestream,m=request"));
    EXPECT_EQ((Sid{"", "live", "livestream", false}), parse_sid("#!::r=live/livestream"));
    EXPECT_EQ((Sid{"", "live", "livestream", true}), parse_sid("#!::m=PUBLISH,r=live/livestream"));
    EXPECT_EQ((Sid{"srs.srt.com.cn", "live", "livestream", true}),
              parse_sid("#!::h=srs.srt.com.cn,r=live/livestream,m=publish"));
    // Other keys (auth, user, session) are the origin's business.
    EXPECT_EQ((Sid{"", "live", "s", false}), parse_sid("#!::u=admin,r=live/s,s=123,secret=x"));
    // '&' and ';' separate keys as ',' does; '?' too (old auth query strings).
    EXPECT_EQ((Sid{"", "live", "s", true}), parse_sid("#!::r=live/s&m=publish"));
    EXPECT_EQ((Sid{"", "live", "s", true}), parse_sid("#!::r=live/s;m=publish"));
    // No app: SRS's default app.
    EXPECT_EQ((Sid{"", "live", "s", false}), parse_sid("#!::r=s"));
    // Deeper paths keep everything after the app.
    EXPECT_EQ((Sid{"", "live", "a/b", false}), parse_sid("#!::r=live/a/b"));
}

TEST(ProtocolSrtStreamIdTest, OldStyleHostHoldsThePath)
{
    EXPECT_EQ((Sid{"", "live", "livestream", true}), parse_sid("#!::h=live/livestream,m=publish"));
    EXPECT_EQ((Sid{"srs.srt.com.cn", "live", "livestream", false}), parse_sid("#!::h=srs.srt.com.cn/live/livestream"));
    EXPECT_EQ((Sid{"", "live", "livestream", true}), parse_sid("#!::h=live/livestream?secret=xxx,m=publish"));
    // r wins over an old-style path, in either order.
    EXPECT_EQ((Sid{"", "live", "b", false}), parse_sid("#!::h=live/a,r=live/b"));
    EXPECT_EQ((Sid{"", "live", "b", false}), parse_sid("#!::r=live/b,h=live/a"));
}

TEST(ProtocolSrtStreamIdTest, PlainFormIsAPlayer)
{
    EXPECT_EQ((Sid{"", "live", "livestream", false}), parse_sid("live/livestream"));
    EXPECT_EQ((Sid{"", "live", "livestream", false}), parse_sid("live/livestream?secret=x&m=publish"));
    EXPECT_EQ((Sid{"", "live", "livestream", false}), parse_sid("livestream"));
    EXPECT_EQ((Sid{"", "app", "s", false}), parse_sid("app/s"));
}

TEST(ProtocolSrtStreamIdTest, RejectsWhatNoOriginCouldServe)
{
    const char *bad[] = {
        "", "#!::", "#!::m=publish", "#!::r=", "#!::r=live/", "#!::r=/s", "#!::r=live/livestream,m=play",
        "#!::r=live/a b", "#!::r=live/s#x", "#!::h=bad host,r=live/s", "#!::h=a:1935,r=live/s", "#!::h=,r=live/s",
        "/live/s", "live/", "?x=1", "live/s\x01", "#!::h=live/",
    };
    for (const char *text : bad) {
        srs_srt_stream_id_t out;
        HELPER_EXPECT_FAILED_CODE(srs_srt_stream_id_parse(text, &out), ERROR_SRT_STREAMID);
        EXPECT_STREQ("", out.app) << text;
        EXPECT_NE(nullptr, srs_srt_stream_id_check(text, &out)) << text;
    }
    srs_srt_stream_id_t out;
    HELPER_EXPECT_FAILED_CODE(srs_srt_stream_id_parse(NULL, &out), ERROR_SRT_STREAMID);
    std::string long_id = "#!::r=live/" + std::string(SRS_SRT_MAX_STREAM_ID, 's');
    HELPER_EXPECT_FAILED_CODE(srs_srt_stream_id_parse(long_id.c_str(), &out), ERROR_SRT_STREAMID);
    std::string long_app = "#!::r=" + std::string(200, 'a') + "/s";
    HELPER_EXPECT_FAILED_CODE(srs_srt_stream_id_parse(long_app.c_str(), &out), ERROR_SRT_STREAMID);
    EXPECT_EQ(nullptr, srs_srt_stream_id_check("#!::r=live/s", &out));
}

static std::string url_of(const char *sid)
{
    srs_srt_stream_id_t info;
    HELPER_EXPECT_SUCCESS(srs_srt_stream_id_parse(sid, &info));
    char url[256];
    HELPER_EXPECT_SUCCESS(srs_srt_stream_id_url(&info, url, sizeof(url)));
    return url;
}

static std::string rtmp_url_of(const char *url)
{
    char out[256];
    HELPER_EXPECT_SUCCESS(srs_stream_url_build(url, out, sizeof(out)));
    return out;
}

TEST(ProtocolSrtStreamIdTest, StreamUrlIsTheOneRtmpUses)
{
    // So the publisher over SRT and players over RTMP/FLV/WHEP reach the same origin.
    EXPECT_EQ("__defaultVhost__/live/livestream", url_of("#!::r=live/livestream,m=publish"));
    EXPECT_EQ(rtmp_url_of("rtmp://127.0.0.1/live/livestream"), url_of("#!::r=live/livestream,m=publish"));
    EXPECT_EQ(rtmp_url_of("rtmp://example.com/live/s"), url_of("#!::h=example.com,r=live/s"));
    EXPECT_EQ("__defaultVhost__/live/s", url_of("#!::h=localhost,r=live/s"));
    EXPECT_EQ("__defaultVhost__/live/livestream", url_of("live/livestream?secret=1"));

    srs_srt_stream_id_t info;
    HELPER_EXPECT_SUCCESS(srs_srt_stream_id_parse("#!::r=live/livestream", &info));
    char small[8];
    HELPER_EXPECT_FAILED_CODE(srs_srt_stream_id_url(&info, small, sizeof(small)), ERROR_STREAM_URL);
}

static std::string redact(const char *sid, size_t size = SRS_SRT_REDACTED_SIZE)
{
    std::vector<char> out(size ? size : 1, 'X');
    const char *r = srs_srt_streamid_redact(sid, out.data(), size);
    EXPECT_EQ(out.data(), r);
    return size ? std::string(out.data()) : std::string();
}

TEST(ProtocolSrtStreamIdTest, RedactKeepsHostResourceAndModeOnly)
{
    EXPECT_EQ("#!::r=live/livestream,m=publish", redact("#!::r=live/livestream,m=publish"));
    EXPECT_EQ("#!::h=example.com,r=live/s,m=request", redact("#!::h=example.com,r=live/s,m=request"));
    // Every other key's value, in whatever separator, and '?' inside r.
    EXPECT_EQ("#!::r=live/s,m=publish,passphrase=***,s=***,u=***",
              redact("#!::r=live/s,m=publish,passphrase=hunter2secret,s=sess-42,u=alice"));
    EXPECT_EQ("#!::r=live/s?secret=***&token=***;key=***", redact("#!::r=live/s?secret=abc&token=def;key=ghi"));
    // A value with '=' in it, a bare item, an empty value, empty items.
    EXPECT_EQ("#!::r=live/s,t=***,***,k=,,", redact("#!::r=live/s,t=a=b,bare-secret,k=,,"));
    // Keys are exact: "rr" or "H" are not r or h.
    EXPECT_EQ("#!::rr=***,H=***,r=live/s", redact("#!::rr=x,H=y,r=live/s"));
}

TEST(ProtocolSrtStreamIdTest, RedactHidesThePlainFormQuery)
{
    EXPECT_EQ("live/livestream", redact("live/livestream"));
    EXPECT_EQ("live/livestream?secret=***", redact("live/livestream?secret=6f1e2d"));
    EXPECT_EQ("live/s?secret=***&token=***;***", redact("live/s?secret=a&token=b;naked"));
    EXPECT_EQ("live/s?a=***", redact("live/s?a=1?b=2"));   // the rest of a value, '?' or not
    EXPECT_EQ("live/s?", redact("live/s?"));
    EXPECT_EQ("", redact(""));
    EXPECT_EQ("", redact(NULL));
}

TEST(ProtocolSrtStreamIdTest, RedactNeverShowsASecretWhenCutShort)
{
    const char *sid = "#!::r=live/s,passphrase=hunter2secret";
    // Every size: the result is a prefix of the full redaction, never with a byte of the secret.
    std::string full = redact(sid);
    for (size_t size = 0; size <= full.size() + 1; size++) {
        std::string r = redact(sid, size);
        EXPECT_EQ(0u, full.compare(0, r.size(), r)) << size;
        EXPECT_EQ(std::string::npos, r.find("hunter")) << size;
        EXPECT_LT(r.size(), size ? size : 1);
    }
    // The largest growth (every item a one-byte bare value) still fits SRS_SRT_REDACTED_SIZE.
    std::string worst = "#!::";
    while (worst.size() + 2 <= SRS_SRT_MAX_STREAM_ID) worst += "x,";
    std::string r = redact(worst.c_str());
    EXPECT_EQ(4 + (worst.size() - 4) * 2, r.size());
    EXPECT_EQ(std::string::npos, r.find('x'));
    std::string worst_kv = "#!::";
    while (worst_kv.size() + 4 <= SRS_SRT_MAX_STREAM_ID) worst_kv += "k=v,";
    EXPECT_EQ(std::string::npos, redact(worst_kv.c_str()).find('v'));
}

TEST(ProtocolSrtStreamIdTest, ParseErrorShowsTheRedactedId)
{
    srs_srt_stream_id_t out;
    srs_error_t err = srs_srt_stream_id_parse("#!::r=live/a b,passphrase=hunter2secret", &out);
    ASSERT_TRUE(err != NULL);
    std::string text = srs_error_summary(err);
    srs_error_free(err);
    EXPECT_EQ(std::string::npos, text.find("hunter2")) << text;
    EXPECT_NE(std::string::npos, text.find("passphrase=***")) << text;
}
