// SPDX-License-Identifier: MIT
// The pure pieces of the tools' WebRTC: srs-bench's offer and URL forms, the mock origin's answer
// (as SRS answers: ICE-lite, BUNDLE, passive, the offer's payload types), and its packet cache
// (one loop of the FLV packetized once, replayed with running sequence numbers and timestamps).
#include "srs_utest.h"

#include <string.h>

#include <string>
#include <vector>

extern "C" {
#include "srs_bench_rtc.h"
#include "srs_kernel_avc.h"
#include "srs_kernel_flv.h"
#include "srs_protocol_rtp_loop.h"
#include "srs_protocol_rtp.h"
#include "srs_protocol_srtp.h"
#include "srs_protocol_rtc_sdp.h"
}

static const char *kFingerprint =
    "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

static std::string take(char *s)
{
    std::string r = s ? s : "";
    free(s);
    return r;
}

static std::string build_offer(const char *ip = "127.0.0.1", int port = 50000)
{
    srs_rtc_sdp_offer_t o = {"benchufrag", "benchpassword0123456789", kFingerprint, ip, port};
    char *out = NULL;
    HELPER_EXPECT_SUCCESS(srs_rtc_sdp_build_offer(&o, &out));
    return take(out);
}

static srs_rtc_sdp_t parse(const std::string &sdp)
{
    srs_rtc_sdp_t d;
    HELPER_EXPECT_SUCCESS(srs_rtc_sdp_parse(sdp.data(), sdp.size(), &d));
    return d;
}

static std::string answer_to(const srs_rtc_sdp_t *offer, bool publish = false, bool raw = false)
{
    srs_rtc_sdp_answer_t a = {offer, publish, "mockufrg", "mockpassword0123456789ab", kFingerprint, "127.0.0.1", 8001,
                            1111, 2222, "live/livestream", raw};
    char *out = NULL;
    HELPER_EXPECT_SUCCESS(srs_rtc_sdp_build_answer(&a, &out));
    return take(out);
}

static bool has_line(const std::string &sdp, const std::string &line)
{
    return sdp.find(line + "\r\n") != std::string::npos;
}

TEST(ProtocolRtcSdpTest, BenchOfferIsH264AndOpusInOneBundle)
{
    std::string offer = build_offer();
    srs_rtc_sdp_t d = parse(offer);
    EXPECT_STREQ("benchufrag", d.ufrag);
    EXPECT_STREQ("benchpassword0123456789", d.pwd);
    EXPECT_STREQ(kFingerprint, d.fingerprint);
    EXPECT_STREQ("actpass", d.setup);
    EXPECT_TRUE(d.bundle);
    EXPECT_FALSE(d.ice_lite);
    ASSERT_EQ(2, d.n_media);
    EXPECT_STREQ("audio", d.media[0].kind);
    EXPECT_STREQ("0", d.media[0].mid);
    EXPECT_STREQ("video", d.media[1].kind);
    EXPECT_STREQ("1", d.media[1].mid);
    for (int i = 0; i < 2; i++) {
        EXPECT_EQ(SRS_RTC_SDP_RECVONLY, d.media[i].direction);
        EXPECT_TRUE(d.media[i].rtcp_mux);
    }
    EXPECT_EQ(SRS_RTC_SDP_OPUS_PT, srs_rtc_sdp_opus_pt(&d));
    EXPECT_EQ(SRS_RTC_SDP_H264_PT, srs_rtc_sdp_h264_pt(&d));
    EXPECT_TRUE(has_line(offer, "a=group:BUNDLE 0 1"));
    EXPECT_TRUE(has_line(offer, "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"));
    EXPECT_STREQ("127.0.0.1", d.candidate_ip);
    EXPECT_EQ(50000, d.candidate_port);
    // Without a candidate address, no candidate line.
    EXPECT_EQ(std::string::npos, build_offer("", 0).find("a=candidate:"));
}

TEST(ProtocolRtcSdpTest, OfferRefusesValuesThatWouldBreakLines)
{
    char *out = NULL;
    srs_rtc_sdp_offer_t o = {"bad ufrag", "pwd", kFingerprint, NULL, 0};
    HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_build_offer(&o, &out), ERROR_RTC_SDP);
    srs_rtc_sdp_offer_t o2 = {"u", "p\r\na=evil", kFingerprint, NULL, 0};
    HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_build_offer(&o2, &out), ERROR_RTC_SDP);
    srs_rtc_sdp_offer_t o3 = {"u", "p", "sha-1 AB:CD", NULL, 0};
    HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_build_offer(&o3, &out), ERROR_RTC_SDP);
    EXPECT_TRUE(out == NULL);
}

// What Chrome offers, cut down: many video codecs, H.264 in several profiles and modes, and a
// data channel.
static const char *kChromeOffer =
    "v=0\r\no=- 123 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1 2\r\na=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:ChRm\r\na=ice-pwd:chromepassword0123456789\r\na=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF:11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF\r\n"
    "a=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:ChRm\r\na=ice-pwd:chromepassword0123456789\r\n"
    "a=fingerprint:sha-256 11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF:11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF\r\n"
    "a=setup:actpass\r\na=mid:1\r\na=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\na=rtpmap:102 H264/90000\r\n"
    "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n"
    "a=rtpmap:104 H264/90000\r\na=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"
    "a=rtpmap:105 rtx/90000\r\n"
    "a=rtpmap:106 H264/90000\r\na=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:107 rtx/90000\r\na=rtpmap:108 H264/90000\r\na=fmtp:108 packetization-mode=1;profile-level-id=4d001f\r\n"
    "a=rtpmap:109 rtx/90000\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\n";

TEST(ProtocolRtcSdpTest, AnswerTakesTheOffersOpusAndBestH264LikeSrs)
{
    srs_rtc_sdp_t offer = parse(kChromeOffer);
    ASSERT_EQ(3, offer.n_media);
    EXPECT_EQ(111, srs_rtc_sdp_opus_pt(&offer));
    // Mode 1 and constrained baseline 42e01f beats 42001f, 4d001f and the mode 0 one.
    EXPECT_EQ(106, srs_rtc_sdp_h264_pt(&offer));

    std::string answer = answer_to(&offer);
    EXPECT_TRUE(has_line(answer, "a=ice-lite"));
    EXPECT_TRUE(has_line(answer, "a=group:BUNDLE 0 1")) << answer; // the data channel is refused
    EXPECT_TRUE(has_line(answer, "m=audio 9 UDP/TLS/RTP/SAVPF 111"));
    EXPECT_TRUE(has_line(answer, "m=video 9 UDP/TLS/RTP/SAVPF 106"));
    EXPECT_TRUE(has_line(answer, "a=rtpmap:106 H264/90000"));
    EXPECT_TRUE(has_line(answer, "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"));
    EXPECT_TRUE(has_line(answer, "a=rtcp-fb:106 nack pli"));
    EXPECT_TRUE(has_line(answer, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel"));
    EXPECT_TRUE(has_line(answer, "a=ssrc:1111 cname:live/livestream"));
    EXPECT_TRUE(has_line(answer, "a=ssrc:2222 msid:live/livestream video-2222"));

    // What a client reads back from it.
    srs_rtc_sdp_t d = parse(answer);
    EXPECT_TRUE(d.ice_lite);
    EXPECT_STREQ("passive", d.setup);
    EXPECT_STREQ("mockufrg", d.ufrag);
    EXPECT_STREQ("mockpassword0123456789ab", d.pwd);
    EXPECT_STREQ(kFingerprint, d.fingerprint);
    EXPECT_STREQ("127.0.0.1", d.candidate_ip);
    EXPECT_EQ(8001, d.candidate_port);
    EXPECT_FALSE(d.raw_srtp);
    ASSERT_EQ(3, d.n_media);
    EXPECT_EQ(SRS_RTC_SDP_SENDONLY, d.media[0].direction);
    EXPECT_EQ(SRS_RTC_SDP_SENDONLY, d.media[1].direction);
    EXPECT_EQ(1111u, d.media[0].ssrc);
    EXPECT_EQ(2222u, d.media[1].ssrc);
    EXPECT_EQ(0, d.media[2].port);
    EXPECT_EQ(111, srs_rtc_sdp_opus_pt(&d));
    EXPECT_EQ(106, srs_rtc_sdp_h264_pt(&d));
    // One host candidate per accepted m-line.
    size_t count = 0;
    for (size_t pos = 0; (pos = answer.find("a=candidate:0 1 udp 2130706431 127.0.0.1 8001 typ host", pos)) != std::string::npos; pos++) count++;
    EXPECT_EQ(2u, count);
}

TEST(ProtocolRtcSdpTest, BenchOfferAnsweredAndReadBack)
{
    srs_rtc_sdp_t offer = parse(build_offer());
    srs_rtc_sdp_t d = parse(answer_to(&offer, false, true));
    EXPECT_TRUE(d.raw_srtp); // raw mode is marked for srs-bench
    EXPECT_EQ(SRS_RTC_SDP_OPUS_PT, srs_rtc_sdp_opus_pt(&d));
    EXPECT_EQ(SRS_RTC_SDP_H264_PT, srs_rtc_sdp_h264_pt(&d));
}

TEST(ProtocolRtcSdpTest, PublisherAnswerReceivesAndAnnouncesNoSsrc)
{
    std::string text = build_offer();
    for (size_t p; (p = text.find("a=recvonly")) != std::string::npos;) text.replace(p, 10, "a=sendonly");
    srs_rtc_sdp_t offer = parse(text);
    std::string answer = answer_to(&offer, true);
    EXPECT_TRUE(has_line(answer, "a=recvonly"));
    EXPECT_EQ(std::string::npos, answer.find("a=sendonly"));
    EXPECT_EQ(std::string::npos, answer.find("a=ssrc:"));
    EXPECT_TRUE(has_line(answer, "s=SRSPublishSession"));
}

TEST(ProtocolRtcSdpTest, AnswerRefusesWhatSrsRefuses)
{
    srs_rtc_sdp_answer_t a = {NULL, false, "u", "p", kFingerprint, "127.0.0.1", 8001, 1, 2, "live/s", false};
    char *out = NULL;
    struct Case { std::string from, to; } cases[] = {
        {"a=group:BUNDLE 0 1\r\n", ""},                             // no BUNDLE
        {"a=ice-ufrag:benchufrag", "a=x:benchufrag"},               // no ICE credentials
        {"a=setup:actpass", "a=setup:passive"},                     // we are the DTLS server only
        {"opus/48000/2", "PCMU/8000"},                              // no codec we send...
    };
    for (const Case &c : cases) {
        std::string text = build_offer();
        for (size_t p; (p = text.find(c.from)) != std::string::npos;) text.replace(p, c.from.size(), c.to);
        if (c.from == "opus/48000/2") {
            for (size_t p; (p = text.find("H264/90000")) != std::string::npos;) text.replace(p, 10, "VP8/90000");
        }
        srs_rtc_sdp_t offer = parse(text);
        a.offer = &offer;
        HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_build_answer(&a, &out), ERROR_RTC_SDP);
        EXPECT_TRUE(out == NULL) << c.from;
    }
}

TEST(ProtocolRtcSdpTest, OneStreamOfEachKindAndOnlyWithAMid)
{
    // A first audio m-line without a mid cannot be bundled: the second one is taken, and a third
    // audio m-line is refused, so the answer's payload type is the one the player will get.
    std::string sdp = "v=0\r\na=group:BUNDLE a b\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\n"
                      "m=audio 9 UDP/TLS/RTP/SAVPF 100\r\na=rtpmap:100 opus/48000/2\r\n"
                      "m=audio 9 UDP/TLS/RTP/SAVPF 101\r\na=mid:a\r\na=rtpmap:101 opus/48000/2\r\n"
                      "m=audio 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:b\r\na=rtpmap:102 opus/48000/2\r\n";
    srs_rtc_sdp_t offer = parse(sdp);
    EXPECT_EQ(101, srs_rtc_sdp_opus_pt(&offer));
    std::string answer = answer_to(&offer);
    EXPECT_TRUE(has_line(answer, "a=group:BUNDLE a")) << answer;
    EXPECT_TRUE(has_line(answer, "m=audio 0 UDP/TLS/RTP/SAVPF 100"));
    EXPECT_TRUE(has_line(answer, "m=audio 9 UDP/TLS/RTP/SAVPF 101"));
    EXPECT_TRUE(has_line(answer, "m=audio 0 UDP/TLS/RTP/SAVPF 102"));
    srs_rtc_sdp_t back = parse(answer);
    EXPECT_EQ(101, srs_rtc_sdp_opus_pt(&back));
}

TEST(ProtocolRtcSdpTest, FmtpBeforeRtpmapAndModeZeroOnly)
{
    std::string head = "v=0\r\na=group:BUNDLE 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 100 101\r\na=mid:0\r\n";
    srs_rtc_sdp_t d = parse(head + "a=fmtp:101 packetization-mode=1\r\na=rtpmap:101 H264/90000\r\n");
    EXPECT_EQ(101, d.media[0].h264_pt);
    // Mode 0 (or no fmtp) cannot carry FU-A: no usable H.264.
    d = parse(head + "a=rtpmap:100 H264/90000\r\na=fmtp:100 packetization-mode=0\r\na=rtpmap:101 h264/90000\r\n");
    EXPECT_EQ(-1, d.media[0].h264_pt);
}

TEST(ProtocolRtcSdpTest, ParserRejectsMalformedInput)
{
    srs_rtc_sdp_t d;
    HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_parse("", 0, &d), ERROR_RTC_SDP);
    HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_parse("hello", 5, &d), ERROR_RTC_SDP);
    std::string nul("v=0\r\na=ice-ufrag:a\0b\r\n", 22);
    HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_parse(nul.data(), nul.size(), &d), ERROR_RTC_SDP);
    std::string many = "v=0\r\n";
    for (int i = 0; i <= SRS_RTC_SDP_MAX_MEDIA; i++) many += "m=audio 9 RTP/AVP 0\r\n";
    HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_parse(many.data(), many.size(), &d), ERROR_RTC_SDP);
    for (const char *bad : {"v=0\r\nm=audio\r\n", "v=0\r\nm=audio x RTP/AVP 0\r\n", "v=0\r\nm=audio 70000 RTP/AVP 0\r\n",
                            "v=0\r\nm=audio 9 RTP/AVP\r\n"}) {
        HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_parse(bad, strlen(bad), &d), ERROR_RTC_SDP);
    }
    std::string long_ufrag = "v=0\r\na=ice-ufrag:" + std::string(100, 'u') + "\r\n";
    HELPER_EXPECT_FAILED_CODE(srs_rtc_sdp_parse(long_ufrag.data(), long_ufrag.size(), &d), ERROR_RTC_SDP);
    // Odd but harmless lines are ignored, not trusted.
    const char *odd = "v=0\na=rtpmap:999 H264/90000\na=rtpmap:1\na=fmtp:\na=candidate:1 1 udp 1 1.2.3.4 99999 typ host\n"
                      "a=ssrc:99999999999 cname:x\n";
    HELPER_EXPECT_SUCCESS(srs_rtc_sdp_parse(odd, strlen(odd), &d));
    EXPECT_EQ(0, d.candidate_port);
}

TEST(BenchRtcUrlTest, UrlFormsOfSrsBench)
{
    srs_bench_rtc_url_t u;
    HELPER_EXPECT_SUCCESS(srs_bench_rtc_parse_url("webrtc://10.0.0.1/live/livestream", &u));
    EXPECT_EQ(SRS_BENCH_RTC_LEGACY, u.api);
    EXPECT_STREQ("10.0.0.1", u.host);
    EXPECT_EQ(1985, u.port);
    EXPECT_STREQ("/rtc/v1/play/", u.target);
    EXPECT_STREQ("webrtc://10.0.0.1/live/livestream", u.stream_url);

    HELPER_EXPECT_SUCCESS(srs_bench_rtc_parse_url("webrtc://h:11985/live/s?token=x", &u));
    EXPECT_EQ(11985, u.port);
    EXPECT_STREQ("webrtc://h:11985/live/s?token=x", u.stream_url);

    HELPER_EXPECT_SUCCESS(srs_bench_rtc_parse_url("whep://127.0.0.1:1985/rtc/v1/whep/?app=live&stream=s", &u));
    EXPECT_EQ(SRS_BENCH_RTC_WHEP, u.api);
    EXPECT_STREQ("/rtc/v1/whep/?app=live&stream=s", u.target);

    HELPER_EXPECT_SUCCESS(srs_bench_rtc_parse_url("http://example.com/rtc/v1/whep/?app=a&stream=b", &u));
    EXPECT_EQ(SRS_BENCH_RTC_WHEP, u.api);
    EXPECT_STREQ("example.com", u.host);
    EXPECT_EQ(80, u.port);

    HELPER_EXPECT_SUCCESS(srs_bench_rtc_parse_url("whep://[::1]:8080/w", &u));
    EXPECT_STREQ("::1", u.host);
    EXPECT_EQ(8080, u.port);

    for (const char *bad : {"rtmp://h/live/s", "webrtc://h/live", "webrtc:///live/s", "webrtc://h:0/live/s",
                            "webrtc://h:99999/live/s", "whep://h:x/", "webrtc://h/live/", "whep://[::1/"}) {
        HELPER_EXPECT_FAILED_CODE(srs_bench_rtc_parse_url(bad, &u), ERROR_CONFIG_INVALID);
    }
}

// ---- the mock origin's packet cache: an FLV as a loop of RTP packets (srs_protocol_rtp_loop) ----

typedef std::vector<uint8_t> Bytes;

static Bytes nalu(uint8_t header, size_t size)
{
    Bytes n(size, 0x5A);
    n[0] = header;
    return n;
}

// An FLV of `frames` frames at 25 fps, a keyframe (IDR) every `gop`, the IDR `idr_size` bytes.
static Bytes make_flv(int frames, int gop, size_t idr_size, uint32_t first_ms = 0)
{
    srs_flv_buffer_t b = {};
    HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_header(&b, true, true));
    Bytes sps = {0x67, 0x42, 0xE0, 0x1F, 0x11}, pps = {0x68, 0xCE, 0x3C, 0x80};
    uint8_t cfg[64];
    size_t cfg_len = 0;
    HELPER_EXPECT_SUCCESS(srs_avc_build_config(sps.data(), sps.size(), pps.data(), pps.size(), cfg, sizeof(cfg), &cfg_len));
    Bytes seq(5 + cfg_len, 0); // keyframe AVC, sequence header, composition time 0
    seq[0] = 0x17;
    memcpy(&seq[5], cfg, cfg_len);
    HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_tag(&b, SRS_FLV_TAG_VIDEO, first_ms, seq.data(), seq.size()));
    for (int i = 0; i < frames; i++) {
        bool key = i % gop == 0;
        Bytes n = key ? nalu(0x65, idr_size) : nalu(0x41, 300);
        Bytes tag(9 + n.size(), 0); // AVC NALU tag, composition time 0, one NALU with a 4-byte length
        tag[0] = key ? 0x17 : 0x27;
        tag[1] = 1;
        tag[7] = (uint8_t)(n.size() >> 8);
        tag[8] = (uint8_t)n.size();
        memcpy(&tag[9], n.data(), n.size());
        HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_tag(&b, SRS_FLV_TAG_VIDEO, first_ms + i * 40, tag.data(), tag.size()));
        // An AAC tag the cache ignores (audio is Opus silence).
        uint8_t aac[] = {0xAF, 1, 0x21, 0x10};
        HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_tag(&b, SRS_FLV_TAG_AUDIO, first_ms + i * 40, aac, sizeof(aac)));
    }
    Bytes out(b.data, b.data + b.len);
    srs_flv_buffer_free(&b);
    return out;
}

struct Loop {
    srs_rtp_loop_t c;
    Loop() { memset(&c, 0, sizeof(c)); }
    ~Loop() { srs_rtp_loop_free(&c); }
};

static const srs_rtp_loop_ids_t kIds = {{0xA0A0A0A0u, 0xB0B0B0B0u}, {111, 106}, {65530, 100}, {4000000000u, 10}};

static srs_rtp_packet_t write_packet(const srs_rtp_loop_t *c, size_t i, uint64_t loop, Bytes &buf)
{
    buf.resize(SRS_RTP_PACKET_CAPACITY);
    size_t len = 0;
    HELPER_EXPECT_SUCCESS(srs_rtp_loop_write(c, i, loop, &kIds, buf.data(), buf.size(), &len));
    buf.resize(len);
    srs_rtp_packet_t p;
    HELPER_EXPECT_SUCCESS(srs_rtp_parse(buf.data(), buf.size(), &p));
    return p;
}

TEST(ProtocolRtpLoopTest, OneLoopOfTheFileWithOpusSilence)
{
    Bytes flv = make_flv(50, 25, 5000, 1000);
    Loop c;
    HELPER_EXPECT_SUCCESS(srs_rtp_loop_build(&c.c, flv.data(), flv.size()));
    EXPECT_EQ(2000u, c.c.duration_ms); // 50 frames of 40 ms
    EXPECT_EQ(50u, c.c.frames);
    EXPECT_EQ(2u, c.c.keyframes);
    EXPECT_EQ(100u, c.c.per_loop[SRS_RTP_LOOP_AUDIO]); // every 20 ms
    EXPECT_EQ(c.c.count, (size_t)(c.c.per_loop[0] + c.c.per_loop[1]));

    uint32_t last_ms = 0, index[2] = {0, 0};
    for (size_t i = 0; i < c.c.count; i++) {
        const srs_rtp_loop_packet_t &p = c.c.packets[i];
        EXPECT_GE(p.send_ms, last_ms) << i; // in send order
        last_ms = p.send_ms;
        EXPECT_EQ(index[p.kind]++, p.index) << i;
        if (p.kind == SRS_RTP_LOOP_AUDIO) {
            EXPECT_EQ(p.index * 20, p.send_ms);
            EXPECT_EQ(p.index * 960, p.timestamp);
        } else {
            EXPECT_EQ(p.send_ms * 90, p.timestamp); // timestamps start at the first tag
        }
    }
}

TEST(ProtocolRtpLoopTest, KeyframesCarryParameterSetsAndLargeNalusFragment)
{
    Bytes flv = make_flv(3, 25, 5000);
    Loop c;
    HELPER_EXPECT_SUCCESS(srs_rtp_loop_build(&c.c, flv.data(), flv.size()));
    std::vector<srs_rtp_packet_t> video;
    std::vector<Bytes> bufs(c.c.count);
    for (size_t i = 0; i < c.c.count; i++) {
        if (c.c.packets[i].kind != SRS_RTP_LOOP_VIDEO) continue;
        video.push_back(write_packet(&c.c, i, 0, bufs[i]));
    }
    ASSERT_GE(video.size(), 4u);
    // The IDR has no SPS/PPS of its own: they go first, together in a STAP-A.
    EXPECT_EQ(SRS_RTP_H264_STAP_A, video[0].payload[0] & 0x1F);
    EXPECT_FALSE(video[0].header.marker);
    // Then the 5000-byte IDR as FU-A fragments, the last one with the marker.
    size_t i = 1;
    for (; i < video.size() && (video[i].payload[0] & 0x1F) == SRS_RTP_H264_FU_A; i++) {
        EXPECT_EQ(SRS_AVC_NALU_IDR, video[i].payload[1] & 0x1F);
    }
    EXPECT_GE(i, 5u);
    EXPECT_TRUE(video[i - 1].header.marker);
    EXPECT_TRUE(c.c.packets[1].keyframe || c.c.packets[0].keyframe);
    // A P frame fits one packet.
    EXPECT_EQ(SRS_AVC_NALU_NON_IDR, video[i].payload[0] & 0x1F);
    EXPECT_TRUE(video[i].header.marker);

    // A checker (as srs-bench runs) reassembles every frame.
    srs_rtp_h264_checker_t checker;
    HELPER_EXPECT_SUCCESS(srs_rtp_h264_checker_init(&checker, 1 << 20));
    for (const srs_rtp_packet_t &p : video) {
        bool ready = false;
        HELPER_EXPECT_SUCCESS(srs_rtp_h264_checker_feed(&checker, &p, &ready));
    }
    EXPECT_EQ(3u, checker.frames);
    EXPECT_EQ(1u, checker.keyframes);
    EXPECT_EQ(0u, checker.broken_frames);
    srs_rtp_h264_checker_free(&checker);
}

TEST(ProtocolRtpLoopTest, SequenceAndTimestampRunOnAcrossLoops)
{
    Bytes flv = make_flv(10, 5, 3000);
    Loop c;
    HELPER_EXPECT_SUCCESS(srs_rtp_loop_build(&c.c, flv.data(), flv.size()));
    ASSERT_EQ(400u, c.c.duration_ms);
    // Every packet of kind k in loop 0 then loop 1: sequence +1 each (wrapping at 65536).
    for (int kind = 0; kind < 2; kind++) {
        std::vector<srs_rtp_packet_t> seen;
        std::vector<Bytes> bufs(2 * c.c.count);
        for (uint64_t loop = 0; loop < 2; loop++) {
            for (size_t i = 0; i < c.c.count; i++) {
                if (c.c.packets[i].kind != kind) continue;
                seen.push_back(write_packet(&c.c, i, loop, bufs[loop * c.c.count + i]));
            }
        }
        ASSERT_EQ(2u * c.c.per_loop[kind], seen.size());
        EXPECT_EQ(kIds.first_seq[kind], seen[0].header.sequence);
        EXPECT_EQ(kIds.ssrc[kind], seen[0].header.ssrc);
        EXPECT_EQ(kIds.pt[kind], seen[0].header.payload_type);
        for (size_t i = 1; i < seen.size(); i++) {
            EXPECT_EQ((uint16_t)(seen[i - 1].header.sequence + 1), seen[i].header.sequence) << kind << " " << i;
            EXPECT_GE((uint32_t)(seen[i].header.timestamp - seen[i - 1].header.timestamp), 0u);
        }
        // The same packet one loop later is one loop duration later.
        uint32_t clock = kind == SRS_RTP_LOOP_VIDEO ? 90 : 48;
        EXPECT_EQ(400u * clock, (uint32_t)(seen[c.c.per_loop[kind]].header.timestamp - seen[0].header.timestamp));
    }
}

TEST(ProtocolRtpLoopTest, RawModeBytesAreTheSameForEveryPlayerAndCountableByHeader)
{
    // Raw mode protects each packet once with the stream's key and sends those bytes to all:
    // the cache gives identical bytes for the same packet, and SRTP leaves the header clear.
    Bytes flv = make_flv(5, 5, 2000);
    Loop c;
    HELPER_EXPECT_SUCCESS(srs_rtp_loop_build(&c.c, flv.data(), flv.size()));
    Bytes a, b;
    write_packet(&c.c, 3, 7, a);
    write_packet(&c.c, 3, 7, b);
    EXPECT_EQ(a, b);

    srs_dtls_srtp_keys_t keys = {};
    keys.profile = SRS_SRTP_AES128_CM_SHA1_80;
    keys.key_len = 30;
    memset(keys.local_key, 7, keys.key_len);
    memset(keys.remote_key, 7, keys.key_len);
    srs_srtp_t *s = NULL;
    HELPER_EXPECT_SUCCESS(srs_srtp_new(&keys, &s));
    Bytes p = a;
    p.resize(a.size() + SRS_SRTP_MAX_TRAILER);
    size_t len = a.size();
    HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtp(s, p.data(), &len, p.size()));
    EXPECT_GT(len, a.size());
    EXPECT_TRUE(memcmp(p.data(), a.data(), SRS_RTP_HEADER_SIZE) == 0); // seq, ts, ssrc readable
    EXPECT_NE(0, memcmp(p.data() + SRS_RTP_HEADER_SIZE, a.data() + SRS_RTP_HEADER_SIZE, a.size() - SRS_RTP_HEADER_SIZE));
    srs_srtp_free(s);
}

TEST(ProtocolRtpLoopTest, WithoutAFileOnlyOpusSilence)
{
    Loop c;
    HELPER_EXPECT_SUCCESS(srs_rtp_loop_build(&c.c, NULL, 0));
    EXPECT_EQ((uint32_t)SRS_RTP_LOOP_AUDIO_ONLY_MS, c.c.duration_ms);
    EXPECT_EQ(0u, c.c.per_loop[SRS_RTP_LOOP_VIDEO]);
    EXPECT_EQ(50u, c.c.per_loop[SRS_RTP_LOOP_AUDIO]);
    Bytes buf;
    srs_rtp_packet_t p = write_packet(&c.c, 0, 0, buf);
    ASSERT_EQ(sizeof(srs_rtp_opus_silence), p.payload_size);
    EXPECT_EQ(0, memcmp(srs_rtp_opus_silence, p.payload, p.payload_size));
}

TEST(ProtocolRtpLoopTest, RejectsBadFilesAndSkipsFramesBeforeTheSequenceHeader)
{
    Loop c;
    const uint8_t junk[] = "not an flv at all";
    HELPER_EXPECT_FAILED_CODE(srs_rtp_loop_build(&c.c, junk, sizeof(junk)), ERROR_FLV_INVALID);
    EXPECT_EQ(0u, c.c.count);
    // Cut in the middle of a tag.
    Bytes flv = make_flv(5, 5, 2000);
    HELPER_EXPECT_FAILED_CODE(srs_rtp_loop_build(&c.c, flv.data(), flv.size() - 100), ERROR_FLV_INVALID);

    // A frame before any sequence header is skipped, not packetized.
    srs_flv_buffer_t b = {};
    HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_header(&b, false, true));
    uint8_t frame[] = {0x17, 1, 0, 0, 0, 0, 0, 0, 2, 0x65, 0x88};
    HELPER_EXPECT_SUCCESS(srs_flv_buffer_append_tag(&b, SRS_FLV_TAG_VIDEO, 0, frame, sizeof(frame)));
    HELPER_EXPECT_SUCCESS(srs_rtp_loop_build(&c.c, b.data, b.len));
    EXPECT_EQ(0u, c.c.frames);
    srs_flv_buffer_free(&b);

    Bytes small(8);
    size_t len = 0;
    HELPER_EXPECT_FAILED_CODE(srs_rtp_loop_write(&c.c, c.c.count, 0, &kIds, small.data(), small.size(), &len), ERROR_RTC_RTP);
    HELPER_EXPECT_FAILED_CODE(srs_rtp_loop_write(&c.c, 0, 0, &kIds, small.data(), small.size(), &len), ERROR_RTC_RTP);
}
