// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <stdlib.h>
#include <string.h>
#include <string>
#include <vector>

// The gtest build has no cJSON include path of its own.
#include <cjson/cJSON.h>

extern "C" {
#include "srs_protocol_sdp.h"
}

// An answer like the one SRS sends (srs-origin-notes.md), one host candidate per m-line.
static const char *kSrsAnswer =
    "v=0\r\n"
    "o=SRS/7.0.143(SRSX) 94823752 2 IN IP4 0.0.0.0\r\n"
    "s=SRSPlaySession\r\n"
    "t=0 0\r\n"
    "a=ice-lite\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "a=msid-semantic: WMS live/livestream\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 96\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:8b1f2c3d\r\n"
    "a=ice-pwd:4j6p0x9q2w8e7r5t1y3u6i8o0p2a4s6d\r\n"
    "a=setup:passive\r\n"
    "a=mid:0\r\n"
    "a=sendonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=candidate:0 1 udp 2130706431 127.0.0.1 8001 typ host generation 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 101\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:8b1f2c3d\r\n"
    "a=ice-pwd:4j6p0x9q2w8e7r5t1y3u6i8o0p2a4s6d\r\n"
    "a=setup:passive\r\n"
    "a=mid:1\r\n"
    "a=sendonly\r\n"
    "a=rtpmap:101 H264/90000\r\n"
    "a=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=candidate:0 1 udp 2130706431 127.0.0.1 8001 typ host generation 0\r\n";

static std::string replace_all(std::string s, const std::string &from, const std::string &to)
{
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
    return s;
}

// The SDP as it sits inside a JSON string: CR and LF escaped.
static std::string json_escape(const std::string &sdp)
{
    return replace_all(replace_all(sdp, "\r", "\\r"), "\n", "\\n");
}

struct Rewrite {
    std::string out;
    int count = -1;
};

static Rewrite rewrite(const std::string &sdp, std::vector<int> ports, int proxy_port, const char *ip)
{
    Rewrite r;
    char *out = NULL;
    size_t out_len = 0;
    srs_error_t err = srs_sdp_rewrite_candidates(sdp.data(), sdp.size(), ports.data(), (int)ports.size(),
                                                 proxy_port, ip, &out, &out_len, &r.count);
    EXPECT_TRUE(err == srs_success) << srs_error_desc(err);
    srs_error_free(err);
    if (out) {
        EXPECT_EQ(strlen(out), out_len);
        r.out.assign(out, out_len);
        free(out);
    }
    return r;
}

TEST(ProtocolSdpTest, CredentialsFromPlainSdpWithCrlfAndLf)
{
    char ufrag[64], pwd[64];
    HELPER_EXPECT_SUCCESS(srs_sdp_ice_credentials(kSrsAnswer, strlen(kSrsAnswer), ufrag, sizeof(ufrag), pwd, sizeof(pwd)));
    EXPECT_STREQ("8b1f2c3d", ufrag);
    EXPECT_STREQ("4j6p0x9q2w8e7r5t1y3u6i8o0p2a4s6d", pwd);

    std::string lf = replace_all(kSrsAnswer, "\r\n", "\n");
    memset(ufrag, 0, sizeof(ufrag));
    HELPER_EXPECT_SUCCESS(srs_sdp_ice_credentials(lf.data(), lf.size(), ufrag, sizeof(ufrag), pwd, sizeof(pwd)));
    EXPECT_STREQ("8b1f2c3d", ufrag);
    EXPECT_STREQ("4j6p0x9q2w8e7r5t1y3u6i8o0p2a4s6d", pwd);
}

TEST(ProtocolSdpTest, CredentialsFromJsonEscapedSdp)
{
    std::string body = "{\"sdp\":\"" + json_escape(kSrsAnswer) + "\",\"streamurl\":\"webrtc://localhost/live/livestream\"}";
    char ufrag[64], pwd[64];
    HELPER_EXPECT_SUCCESS(srs_sdp_ice_credentials(body.data(), body.size(), ufrag, sizeof(ufrag), pwd, sizeof(pwd)));
    EXPECT_STREQ("8b1f2c3d", ufrag);
    EXPECT_STREQ("4j6p0x9q2w8e7r5t1y3u6i8o0p2a4s6d", pwd);
}

TEST(ProtocolSdpTest, CredentialsTakeFirstNonEmptyValue)
{
    std::string sdp = "v=0\na=ice-ufrag:\na=ice-ufrag:abcd\na=ice-pwd:first\ta=ice-pwd:second\n";
    char ufrag[8], pwd[8];
    HELPER_EXPECT_SUCCESS(srs_sdp_ice_credentials(sdp.data(), sdp.size(), ufrag, sizeof(ufrag), pwd, sizeof(pwd)));
    EXPECT_STREQ("abcd", ufrag);
    EXPECT_STREQ("first", pwd);
}

TEST(ProtocolSdpTest, CredentialsMissingOrTooLongFail)
{
    char ufrag[16], pwd[16];
    std::string no_ufrag = "v=0\r\na=ice-pwd:abcdefgh\r\n";
    HELPER_EXPECT_FAILED_CODE(srs_sdp_ice_credentials(no_ufrag.data(), no_ufrag.size(), ufrag, sizeof(ufrag), pwd, sizeof(pwd)), ERROR_RTC_SDP);
    std::string no_pwd = "v=0\r\na=ice-ufrag:abcd\r\n";
    HELPER_EXPECT_FAILED_CODE(srs_sdp_ice_credentials(no_pwd.data(), no_pwd.size(), ufrag, sizeof(ufrag), pwd, sizeof(pwd)), ERROR_RTC_SDP);
    std::string empty = "v=0\r\na=ice-ufrag:\r\na=ice-pwd:\r\n";
    HELPER_EXPECT_FAILED_CODE(srs_sdp_ice_credentials(empty.data(), empty.size(), ufrag, sizeof(ufrag), pwd, sizeof(pwd)), ERROR_RTC_SDP);
    HELPER_EXPECT_FAILED_CODE(srs_sdp_ice_credentials(NULL, 0, ufrag, sizeof(ufrag), pwd, sizeof(pwd)), ERROR_RTC_SDP);

    // 16 characters need 17 bytes with the NUL.
    std::string long_pwd = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef\r\n";
    HELPER_EXPECT_FAILED_CODE(srs_sdp_ice_credentials(long_pwd.data(), long_pwd.size(), ufrag, sizeof(ufrag), pwd, sizeof(pwd)), ERROR_RTC_SDP);
    std::string fits = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcde\r\n";
    HELPER_EXPECT_SUCCESS(srs_sdp_ice_credentials(fits.data(), fits.size(), ufrag, sizeof(ufrag), pwd, sizeof(pwd)));
    EXPECT_STREQ("0123456789abcde", pwd);

    // The length bounds the search: a value after len is not seen.
    std::string cut = "a=ice-ufrag:abcd\r\na=ice-pwd:xyz";
    HELPER_EXPECT_FAILED_CODE(srs_sdp_ice_credentials(cut.data(), cut.size() - 3, ufrag, sizeof(ufrag), pwd, sizeof(pwd)), ERROR_RTC_SDP);
}

TEST(ProtocolSdpTest, EnvelopeUnwrapsEscapedSdp)
{
    std::string body = "  \r\n{\"api\":\"http://127.0.0.1:1985/rtc/v1/play/\",\"sdp\":\"" + json_escape(kSrsAnswer)
        + "\",\"streamurl\":\"webrtc://localhost/live/livestream\"}\n";
    char *sdp = NULL;
    ASSERT_TRUE(srs_sdp_unwrap_envelope(body.data(), body.size(), &sdp));
    ASSERT_TRUE(sdp != NULL);
    EXPECT_STREQ(kSrsAnswer, sdp);
    free(sdp);
}

TEST(ProtocolSdpTest, EnvelopeRejectsNonJsonAndMissingSdp)
{
    char *sdp = NULL;
    EXPECT_FALSE(srs_sdp_unwrap_envelope(kSrsAnswer, strlen(kSrsAnswer), &sdp));
    const char *cases[] = {
        "",
        "   ",
        "{\"streamurl\":\"webrtc://localhost/live/livestream\"}",
        "{\"sdp\":\"\"}",
        "{\"sdp\":42}",
        "{\"sdp\":\"v=0\"",              // cut short
        "{\"sdp\":\"v=0\"} trailing",     // not only JSON
        "[\"sdp\"]",
        "{\"sdp\":\"v=0\\r\\n\"}",        // valid, checked last
    };
    for (size_t i = 0; i + 1 < sizeof(cases) / sizeof(cases[0]); i++) {
        EXPECT_FALSE(srs_sdp_unwrap_envelope(cases[i], strlen(cases[i]), &sdp)) << cases[i];
        EXPECT_TRUE(sdp == NULL);
    }
    const char *ok = cases[sizeof(cases) / sizeof(cases[0]) - 1];
    ASSERT_TRUE(srs_sdp_unwrap_envelope(ok, strlen(ok), &sdp));
    EXPECT_STREQ("v=0\r\n", sdp);
    free(sdp);
    // The length bounds the parse: the object is cut short within len.
    EXPECT_FALSE(srs_sdp_unwrap_envelope(ok, strlen(ok) - 1, &sdp));
}

TEST(ProtocolSdpTest, RewritesOnlyOriginUdpHostCandidates)
{
    std::string sdp =
        "v=0\r\n"
        "a=candidate:1 1 udp 2130706431 10.0.0.5 8000 typ host generation 0\r\n"
        "a=candidate:2 1 udp 2130706431 10.0.0.5 9000 typ host generation 0\r\n"
        "a=candidate:3 1 tcp 1518280447 10.0.0.5 8000 typ host tcptype passive\r\n"
        "a=candidate:4 1 udp 1686052607 203.0.113.7 8000 typ srflx raddr 10.0.0.5 rport 8000\r\n"
        "a=candidate:5 1 UDP 2130706431 10.0.0.6 8001 typ host\r\n"
        "a=rtcp-mux\r\n";
    Rewrite r = rewrite(sdp, {8000, 8001}, 18000, NULL);
    EXPECT_EQ(2, r.count);
    std::string want =
        "v=0\r\n"
        "a=candidate:1 1 udp 2130706431 10.0.0.5 18000 typ host generation 0\r\n"
        "a=candidate:2 1 udp 2130706431 10.0.0.5 9000 typ host generation 0\r\n"
        "a=candidate:3 1 tcp 1518280447 10.0.0.5 8000 typ host tcptype passive\r\n"
        "a=candidate:4 1 udp 1686052607 203.0.113.7 8000 typ srflx raddr 10.0.0.5 rport 8000\r\n"
        "a=candidate:5 1 UDP 2130706431 10.0.0.6 18000 typ host\r\n"
        "a=rtcp-mux\r\n";
    EXPECT_EQ(want, r.out);
}

TEST(ProtocolSdpTest, RewritesCandidateIp)
{
    std::string sdp = "a=candidate:1 1 udp 2130706431 10.0.0.5 8000 typ host generation 0\n"
                      "a=candidate:2 1 udp 2130706431 10.0.0.5 7000 typ host generation 0\n";
    Rewrite r = rewrite(sdp, {8000}, 18000, "192.168.3.4");
    EXPECT_EQ(1, r.count);
    EXPECT_EQ("a=candidate:1 1 udp 2130706431 192.168.3.4 18000 typ host generation 0\n"
              "a=candidate:2 1 udp 2130706431 10.0.0.5 7000 typ host generation 0\n", r.out);

    // An IPv6 candidate IP replaces an IPv4 address; an empty one keeps the address.
    r = rewrite(sdp, {8000}, 18000, "2001:db8::1");
    EXPECT_NE(std::string::npos, r.out.find("a=candidate:1 1 udp 2130706431 2001:db8::1 18000 typ host generation 0\n"));
    r = rewrite(sdp, {8000}, 18000, "");
    EXPECT_NE(std::string::npos, r.out.find("a=candidate:1 1 udp 2130706431 10.0.0.5 18000 typ host generation 0\n"));

    // Not an IP: refused, so nothing can be injected into the SDP.
    char *out = NULL;
    size_t out_len = 0;
    int count = 0, ports[] = {8000};
    HELPER_EXPECT_FAILED_CODE(srs_sdp_rewrite_candidates(sdp.data(), sdp.size(), ports, 1, 18000, "1.2.3.4\r\na=x",
                                                         &out, &out_len, &count), ERROR_RTC_SDP);
    HELPER_EXPECT_FAILED_CODE(srs_sdp_rewrite_candidates(sdp.data(), sdp.size(), ports, 1, 0, NULL,
                                                         &out, &out_len, &count), ERROR_RTC_SDP);
    EXPECT_TRUE(out == NULL);
}

TEST(ProtocolSdpTest, RewritesIpv6Candidate)
{
    std::string sdp = "a=candidate:1 1 udp 2122260223 fd00::1:2 8000 typ host generation 0 network-id 2\r\n";
    Rewrite r = rewrite(sdp, {8000}, 18000, NULL);
    EXPECT_EQ(1, r.count);
    EXPECT_EQ("a=candidate:1 1 udp 2122260223 fd00::1:2 18000 typ host generation 0 network-id 2\r\n", r.out);
    r = rewrite(sdp, {8000}, 18000, "::1");
    EXPECT_EQ("a=candidate:1 1 udp 2122260223 ::1 18000 typ host generation 0 network-id 2\r\n", r.out);
}

TEST(ProtocolSdpTest, RewritesInsideJsonEnvelope)
{
    std::string body = "{\"code\":0,\"server\":\"vid-0\",\"sdp\":\"" + json_escape(kSrsAnswer) + "\",\"sessionid\":\"8b1f2c3d:Kx3b\"}";
    Rewrite r = rewrite(body, {8000, 8001}, 18000, "10.1.2.3");
    EXPECT_EQ(2, r.count);

    cJSON *root = cJSON_ParseWithLength(r.out.data(), r.out.size());
    ASSERT_TRUE(root != NULL) << r.out;
    cJSON *sdp = cJSON_GetObjectItem(root, "sdp");
    ASSERT_TRUE(cJSON_IsString(sdp));
    std::string want = replace_all(kSrsAnswer, "127.0.0.1 8001 typ host", "10.1.2.3 18000 typ host");
    EXPECT_EQ(want, std::string(sdp->valuestring));
    EXPECT_STREQ("8b1f2c3d:Kx3b", cJSON_GetObjectItem(root, "sessionid")->valuestring);
    cJSON_Delete(root);

    // The last line of an SDP without a line end, right before the closing quote.
    std::string tail = "{\"sdp\":\"v=0\\r\\na=candidate:0 1 udp 2130706431 127.0.0.1 8001 typ host\"}";
    r = rewrite(tail, {8001}, 18000, NULL);
    EXPECT_EQ(1, r.count);
    EXPECT_EQ("{\"sdp\":\"v=0\\r\\na=candidate:0 1 udp 2130706431 127.0.0.1 18000 typ host\"}", r.out);
}

TEST(ProtocolSdpTest, NoCandidateKeepsOutputIdentical)
{
    std::string sdp = replace_all(kSrsAnswer, "a=candidate:0 1 udp 2130706431 127.0.0.1 8001 typ host generation 0\r\n", "");
    Rewrite r = rewrite(sdp, {8000, 8001}, 18000, "10.1.2.3");
    EXPECT_EQ(0, r.count);
    EXPECT_EQ(sdp, r.out);

    r = rewrite("", {8000}, 18000, NULL);
    EXPECT_EQ(0, r.count);
    EXPECT_EQ("", r.out);

    // "a=candidate:" not at the start of a line is no candidate.
    std::string inline_text = "a=x a=candidate:0 1 udp 1 127.0.0.1 8000 typ host\r\n";
    r = rewrite(inline_text, {8000}, 18000, NULL);
    EXPECT_EQ(0, r.count);
    EXPECT_EQ(inline_text, r.out);
}

TEST(ProtocolSdpTest, RewritesSrsAnswer)
{
    Rewrite r = rewrite(kSrsAnswer, {8001}, 18000, NULL);
    EXPECT_EQ(2, r.count);
    EXPECT_EQ(replace_all(kSrsAnswer, " 8001 typ host", " 18000 typ host"), r.out);

    // Without a port of the origin nothing changes.
    r = rewrite(kSrsAnswer, {}, 18000, NULL);
    EXPECT_EQ(0, r.count);
    EXPECT_EQ(std::string(kSrsAnswer), r.out);
}

TEST(ProtocolSdpTest, MalformedCandidatesAreCopied)
{
    std::string sdp =
        "a=candidate:\r\n"
        "a=candidate:0 1 udp\r\n"
        "a=candidate:0 1 udp 1 127.0.0.1 80001 typ host\r\n"
        "a=candidate:0 1 udp 1 127.0.0.1 8000x typ host\r\n"
        "a=candidate:0 1 udp 1 127.0.0.1 8000 type host\r\n"
        "a=candidate:0 1 udp 1 127.0.0.1 8000";
    Rewrite r = rewrite(sdp, {8000}, 18000, "10.0.0.1");
    EXPECT_EQ(0, r.count);
    EXPECT_EQ(sdp, r.out);
}
