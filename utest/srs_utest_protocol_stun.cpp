// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <string.h>
#include <string>
#include <vector>
#include <arpa/inet.h>
#include <netinet/in.h>

extern "C" {
#include "srs_protocol_stun.h"
}

// RFC 5769 §2.1 sample request: SOFTWARE "STUN test client", PRIORITY, ICE-CONTROLLED, USERNAME "evtj:h6vY" padded
// with spaces, MESSAGE-INTEGRITY and FINGERPRINT.
static const char *kRfc5769Password = "VOkJxbRl1RmTxUk/WvJxBt";
static const uint8_t kRfc5769Request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

// RFC 5769 §2.2 sample IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853.
static const uint8_t kRfc5769ResponseV4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

static const uint8_t kTxid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

// A STUN header (type, length, cookie, kTxid) followed by the given attribute bytes.
static std::vector<uint8_t> make_stun(uint16_t type, const std::vector<uint8_t> &attrs, int length = -1)
{
    size_t n = length >= 0 ? (size_t)length : attrs.size();
    std::vector<uint8_t> m(20 + attrs.size());
    m[0] = (uint8_t)(type >> 8); m[1] = (uint8_t)type;
    m[2] = (uint8_t)(n >> 8); m[3] = (uint8_t)n;
    memcpy(&m[4], "\x21\x12\xa4\x42", 4);
    memcpy(&m[8], kTxid, 12);
    if (!attrs.empty()) memcpy(&m[20], attrs.data(), attrs.size());
    return m;
}

static std::string username_of(const srs_stun_msg_t &m)
{
    return m.username ? std::string((const char *)m.username, m.username_len) : std::string();
}

TEST(ProtocolStunTest, BindingRequestRoundTrips)
{
    srs_stun_build_t b = {};
    b.type = SRS_STUN_BINDING_REQUEST;
    b.txid = kTxid;
    b.username = "answerUfrag:offerUfrag";
    b.priority = 1845501695;
    b.use_candidate = true;
    b.ice_controlling = true;
    b.tiebreaker = 0x0102030405060708ULL;
    b.integrity_pwd = "server-ice-password-123";
    b.fingerprint = true;

    uint8_t buf[512];
    size_t len = 0;
    HELPER_EXPECT_SUCCESS(srs_stun_build(&b, buf, sizeof(buf), &len));
    EXPECT_EQ(0u, len % 4);
    EXPECT_EQ(SRS_RTC_PACKET_STUN, srs_rtc_classify(buf, len));

    srs_stun_msg_t m;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(buf, len, &m));
    EXPECT_EQ(SRS_STUN_BINDING_REQUEST, m.type);
    EXPECT_EQ(0, memcmp(kTxid, m.txid, 12));
    EXPECT_EQ("answerUfrag:offerUfrag", username_of(m));
    EXPECT_EQ(1845501695u, m.priority);
    EXPECT_TRUE(m.use_candidate);
    EXPECT_TRUE(m.ice_controlling);
    EXPECT_FALSE(m.ice_controlled);
    EXPECT_EQ(0x0102030405060708ULL, m.ice_tiebreaker);
    EXPECT_FALSE(m.has_xor_mapped);
    ASSERT_TRUE(m.has_integrity);
    ASSERT_TRUE(m.has_fingerprint);
    EXPECT_EQ(len - 8, m.fingerprint_offset);
    EXPECT_EQ(len - 8 - 24, m.integrity_offset);

    EXPECT_TRUE(srs_stun_check_integrity(buf, len, &m, "server-ice-password-123"));
    EXPECT_FALSE(srs_stun_check_integrity(buf, len, &m, "server-ice-password-124"));
    EXPECT_FALSE(srs_stun_check_integrity(buf, len, &m, ""));
    EXPECT_TRUE(srs_stun_check_fingerprint(buf, len, &m));

    // One flipped bit in the username breaks both checks.
    buf[24] ^= 0x01;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(buf, len, &m));
    EXPECT_FALSE(srs_stun_check_integrity(buf, len, &m, "server-ice-password-123"));
    EXPECT_FALSE(srs_stun_check_fingerprint(buf, len, &m));
}

TEST(ProtocolStunTest, BuildWithoutOptionsHasNoAttributes)
{
    srs_stun_build_t b = {};
    b.type = SRS_STUN_BINDING_REQUEST;
    uint8_t buf[64], buf2[64];
    size_t len = 0, len2 = 0;
    HELPER_EXPECT_SUCCESS(srs_stun_build(&b, buf, sizeof(buf), &len));
    HELPER_EXPECT_SUCCESS(srs_stun_build(&b, buf2, sizeof(buf2), &len2));
    EXPECT_EQ(20u, len);
    EXPECT_NE(0, memcmp(buf + 8, buf2 + 8, 12)) << "a NULL txid must be random";

    srs_stun_msg_t m;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(buf, len, &m));
    EXPECT_TRUE(m.username == NULL);
    EXPECT_FALSE(m.has_integrity);
    EXPECT_FALSE(m.has_fingerprint);
    EXPECT_FALSE(srs_stun_check_integrity(buf, len, &m, "x"));
    EXPECT_FALSE(srs_stun_check_fingerprint(buf, len, &m));
}

TEST(ProtocolStunTest, BuildRejectsSmallBufferAndBadInput)
{
    srs_stun_build_t b = {};
    b.type = SRS_STUN_BINDING_REQUEST;
    b.username = "abcd:efgh";
    b.integrity_pwd = "pwd";
    b.fingerprint = true;
    uint8_t buf[128];
    size_t len = 0;
    HELPER_EXPECT_SUCCESS(srs_stun_build(&b, buf, sizeof(buf), &len));
    EXPECT_EQ(20u + 16 + 24 + 8, len);
    // Every size below the exact one fails.
    for (size_t size = 0; size < len; size++) {
        HELPER_EXPECT_FAILED_CODE(srs_stun_build(&b, buf, size, &len), ERROR_RTC_STUN);
    }

    std::string long_name(514, 'u');
    b.username = long_name.c_str();
    HELPER_EXPECT_FAILED_CODE(srs_stun_build(&b, buf, sizeof(buf), &len), ERROR_RTC_STUN);

    b.username = NULL;
    b.type = 0xC001;
    HELPER_EXPECT_FAILED_CODE(srs_stun_build(&b, buf, sizeof(buf), &len), ERROR_RTC_STUN);

    struct sockaddr sa = {};
    sa.sa_family = AF_UNIX;
    b.type = SRS_STUN_BINDING_SUCCESS;
    b.xor_mapped = &sa;
    HELPER_EXPECT_FAILED_CODE(srs_stun_build(&b, buf, sizeof(buf), &len), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, SuccessResponseXorMappedIpv4)
{
    struct sockaddr_in sin = {};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(51234);
    inet_pton(AF_INET, "192.168.1.20", &sin.sin_addr);

    srs_stun_build_t b = {};
    b.type = SRS_STUN_BINDING_SUCCESS;
    b.txid = kTxid;
    b.xor_mapped = (const struct sockaddr *)&sin;
    b.integrity_pwd = "pwd";
    b.fingerprint = true;
    uint8_t buf[128];
    size_t len = 0;
    HELPER_EXPECT_SUCCESS(srs_stun_build(&b, buf, sizeof(buf), &len));

    srs_stun_msg_t m;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(buf, len, &m));
    EXPECT_EQ(SRS_STUN_BINDING_SUCCESS, m.type);
    ASSERT_TRUE(m.has_xor_mapped);
    const struct sockaddr_in *got = (const struct sockaddr_in *)&m.xor_mapped;
    ASSERT_EQ(AF_INET, got->sin_family);
    EXPECT_EQ(51234, ntohs(got->sin_port));
    EXPECT_EQ(sin.sin_addr.s_addr, got->sin_addr.s_addr);
    // The wire form is xor'ed, not plain.
    EXPECT_EQ(0, memcmp(buf + 20, "\x00\x20\x00\x08\x00\x01", 6));
    EXPECT_NE(0, memcmp(buf + 28, &sin.sin_addr, 4));
    EXPECT_TRUE(srs_stun_check_integrity(buf, len, &m, "pwd"));
    EXPECT_TRUE(srs_stun_check_fingerprint(buf, len, &m));
}

TEST(ProtocolStunTest, SuccessResponseXorMappedIpv6)
{
    struct sockaddr_in6 sin6 = {};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(8000);
    inet_pton(AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677", &sin6.sin6_addr);

    srs_stun_build_t b = {};
    b.type = SRS_STUN_BINDING_SUCCESS;
    b.txid = kTxid;
    b.xor_mapped = (const struct sockaddr *)&sin6;
    uint8_t buf[128];
    size_t len = 0;
    HELPER_EXPECT_SUCCESS(srs_stun_build(&b, buf, sizeof(buf), &len));
    EXPECT_EQ(20u + 24, len);

    srs_stun_msg_t m;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(buf, len, &m));
    ASSERT_TRUE(m.has_xor_mapped);
    const struct sockaddr_in6 *got = (const struct sockaddr_in6 *)&m.xor_mapped;
    ASSERT_EQ(AF_INET6, got->sin6_family);
    EXPECT_EQ(8000, ntohs(got->sin6_port));
    EXPECT_EQ(0, memcmp(&sin6.sin6_addr, &got->sin6_addr, 16));
}

TEST(ProtocolStunTest, Rfc5769SampleRequestVerifies)
{
    srs_stun_msg_t m;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(kRfc5769Request, sizeof(kRfc5769Request), &m));
    EXPECT_EQ(SRS_STUN_BINDING_REQUEST, m.type);
    EXPECT_EQ("evtj:h6vY", username_of(m));
    EXPECT_EQ(0x6e0001ffu, m.priority);
    EXPECT_TRUE(m.ice_controlled);
    EXPECT_FALSE(m.ice_controlling);
    EXPECT_EQ(0x932ff9b151263b36ULL, m.ice_tiebreaker);
    EXPECT_FALSE(m.use_candidate);
    EXPECT_TRUE(srs_stun_check_integrity(kRfc5769Request, sizeof(kRfc5769Request), &m, kRfc5769Password));
    EXPECT_FALSE(srs_stun_check_integrity(kRfc5769Request, sizeof(kRfc5769Request), &m, "VOkJxbRl1RmTxUk/WvJxBT"));
    EXPECT_TRUE(srs_stun_check_fingerprint(kRfc5769Request, sizeof(kRfc5769Request), &m));
}

TEST(ProtocolStunTest, Rfc5769SampleResponseVerifies)
{
    srs_stun_msg_t m;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(kRfc5769ResponseV4, sizeof(kRfc5769ResponseV4), &m));
    EXPECT_EQ(SRS_STUN_BINDING_SUCCESS, m.type);
    EXPECT_TRUE(m.username == NULL);
    ASSERT_TRUE(m.has_xor_mapped);
    const struct sockaddr_in *got = (const struct sockaddr_in *)&m.xor_mapped;
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &got->sin_addr, ip, sizeof(ip));
    EXPECT_STREQ("192.0.2.1", ip);
    EXPECT_EQ(32853, ntohs(got->sin_port));
    EXPECT_TRUE(srs_stun_check_integrity(kRfc5769ResponseV4, sizeof(kRfc5769ResponseV4), &m, kRfc5769Password));
    EXPECT_TRUE(srs_stun_check_fingerprint(kRfc5769ResponseV4, sizeof(kRfc5769ResponseV4), &m));
}

TEST(ProtocolStunTest, NoUsernameParsesWithNullUsername)
{
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST, {0x00, 0x24, 0x00, 0x04, 0, 0, 0, 7});
    srs_stun_msg_t msg;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(m.data(), m.size(), &msg));
    EXPECT_TRUE(msg.username == NULL);
    EXPECT_EQ(0u, msg.username_len);
    EXPECT_EQ(7u, msg.priority);
}

TEST(ProtocolStunTest, UnknownAttributesAreSkipped)
{
    // SOFTWARE (3 bytes + 1 padding), then USERNAME.
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST,
        {0x80, 0x22, 0x00, 0x03, 'a', 'b', 'c', 0, 0x00, 0x06, 0x00, 0x03, 'x', ':', 'y', 0});
    srs_stun_msg_t msg;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(m.data(), m.size(), &msg));
    EXPECT_EQ("x:y", username_of(msg));
}

TEST(ProtocolStunTest, RejectsTruncatedHeader)
{
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST, {});
    srs_stun_msg_t msg;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(m.data(), m.size(), &msg));
    for (size_t n = 0; n < 20; n++) {
        HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), n, &msg), ERROR_RTC_STUN);
    }
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(NULL, 0, &msg), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, RejectsBadMagicCookie)
{
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST, {});
    m[7] = 0x43;
    srs_stun_msg_t msg;
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, RejectsTopBitsSet)
{
    srs_stun_msg_t msg;
    std::vector<uint8_t> m = make_stun(0x4001, {});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    m = make_stun(0x8001, {});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, RejectsHeaderLengthNotActual)
{
    srs_stun_msg_t msg;
    std::vector<uint8_t> attrs = {0x00, 0x24, 0x00, 0x04, 0, 0, 0, 7};
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST, attrs, 12);
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    m = make_stun(SRS_STUN_BINDING_REQUEST, attrs, 4);
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    // A datagram with trailing bytes beyond the header length.
    m = make_stun(SRS_STUN_BINDING_REQUEST, attrs);
    m.push_back(0);
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, RejectsLengthNotMultipleOf4)
{
    srs_stun_msg_t msg;
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST, {0x00, 0x25, 0x00, 0x00, 0xAA, 0xBB});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, RejectsAttributeLengthPastEnd)
{
    srs_stun_msg_t msg;
    // USERNAME claims 100 bytes, only 4 follow.
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST, {0x00, 0x06, 0x00, 0x64, 'a', 'b', 'c', 'd'});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    m = make_stun(SRS_STUN_BINDING_REQUEST, {0x00, 0x06, 0xFF, 0xFF, 'a', 'b', 'c', 'd'});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, RejectsPaddingPastEnd)
{
    srs_stun_msg_t msg;
    // A USERNAME of 5 bytes takes 8 with its padding, but only 4 remain (the body is 12 bytes,
    // a multiple of 4, so only the padding check catches it).
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST,
        {0x00, 0x25, 0x00, 0x00, 0x00, 0x06, 0x00, 0x05, 'a', 'b', 'c', 'd'});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    // The same value with its padding inside the message parses.
    m = make_stun(SRS_STUN_BINDING_REQUEST,
        {0x00, 0x25, 0x00, 0x00, 0x00, 0x06, 0x00, 0x05, 'a', 'b', 'c', 'd', 'e', 0, 0, 0});
    HELPER_EXPECT_SUCCESS(srs_stun_parse(m.data(), m.size(), &msg));
    EXPECT_EQ("abcde", username_of(msg));
}

TEST(ProtocolStunTest, RejectsAttributeHeaderCutInHalf)
{
    srs_stun_msg_t msg;
    // Half an attribute header after a whole attribute, and on its own.
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST, {0x00, 0x25, 0x00, 0x00, 0x00, 0x06});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    m = make_stun(SRS_STUN_BINDING_REQUEST, {0x00, 0x06});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, RejectsFingerprintNotLast)
{
    srs_stun_msg_t msg;
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST,
        {0x80, 0x28, 0x00, 0x04, 1, 2, 3, 4, 0x00, 0x06, 0x00, 0x03, 'x', ':', 'y', 0});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    // Two fingerprints: the first one is not last either.
    m = make_stun(SRS_STUN_BINDING_REQUEST, {0x80, 0x28, 0x00, 0x04, 1, 2, 3, 4, 0x80, 0x28, 0x00, 0x04, 1, 2, 3, 4});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, RejectsBadAttributeSizes)
{
    srs_stun_msg_t msg;
    std::vector<uint8_t> username(4 + 516, 'u');
    username[0] = 0x00; username[1] = 0x06; username[2] = 0x02; username[3] = 0x02; // 514 bytes
    std::vector<uint8_t> m = make_stun(SRS_STUN_BINDING_REQUEST, username);
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    username[3] = 0x01; // 513 bytes is allowed
    m = make_stun(SRS_STUN_BINDING_REQUEST, username);
    HELPER_EXPECT_SUCCESS(srs_stun_parse(m.data(), m.size(), &msg));
    EXPECT_EQ(513u, msg.username_len);

    // MESSAGE-INTEGRITY of 16 bytes, FINGERPRINT of 8, PRIORITY of 8, XOR-MAPPED family 3.
    std::vector<uint8_t> integrity(4 + 16, 0);
    integrity[1] = 0x08; integrity[3] = 16;
    m = make_stun(SRS_STUN_BINDING_REQUEST, integrity);
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    m = make_stun(SRS_STUN_BINDING_REQUEST, {0x80, 0x28, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    m = make_stun(SRS_STUN_BINDING_REQUEST, {0x00, 0x24, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
    m = make_stun(SRS_STUN_BINDING_SUCCESS, {0x00, 0x20, 0x00, 0x08, 0, 3, 1, 2, 3, 4, 5, 6});
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(m.data(), m.size(), &msg), ERROR_RTC_STUN);
}

TEST(ProtocolStunTest, AttributesAfterIntegrityAreIgnored)
{
    srs_stun_build_t b = {};
    b.type = SRS_STUN_BINDING_REQUEST;
    b.txid = kTxid;
    b.integrity_pwd = "pwd";
    uint8_t buf[128];
    size_t len = 0;
    HELPER_EXPECT_SUCCESS(srs_stun_build(&b, buf, sizeof(buf), &len));
    // Append a USERNAME after MESSAGE-INTEGRITY and fix the header length.
    memcpy(buf + len, "\x00\x06\x00\x03x:y\x00", 8);
    len += 8;
    buf[3] = (uint8_t)(len - 20);
    srs_stun_msg_t m;
    HELPER_EXPECT_SUCCESS(srs_stun_parse(buf, len, &m));
    EXPECT_TRUE(m.has_integrity);
    EXPECT_TRUE(m.username == NULL);
}

TEST(ProtocolStunTest, RandomBytesNeverCrash)
{
    // 64 KB of random-ish bytes: as a whole, and as every prefix that has a plausible header.
    std::vector<uint8_t> buf(64 * 1024);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < buf.size(); i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    srs_stun_msg_t m;
    HELPER_EXPECT_FAILED_CODE(srs_stun_parse(buf.data(), buf.size(), &m), ERROR_RTC_STUN);

    // Make the header valid for the whole buffer minus a tail that fits the u16 length.
    size_t len = 20 + 0xFFFC;
    buf[0] = 0x00; buf[1] = 0x01; buf[2] = 0xFF; buf[3] = 0xFC;
    memcpy(&buf[4], "\x21\x12\xa4\x42", 4);
    srs_error_t err = srs_stun_parse(buf.data(), len, &m);
    // Random attributes almost surely go past the end somewhere; either way nothing crashed.
    if (err) {
        EXPECT_EQ(ERROR_RTC_STUN, srs_error_code(err));
        srs_error_free(err);
    }
    EXPECT_FALSE(srs_stun_check_integrity(buf.data(), len, &m, "pwd"));
}

TEST(ProtocolStunTest, ClassifiesByRfc7983FirstByte)
{
    uint8_t p[64] = {0};
    for (int b = 0; b < 256; b++) {
        p[0] = (uint8_t)b;
        srs_rtc_packet_kind_t want = SRS_RTC_PACKET_UNKNOWN;
        if (b <= 3) want = SRS_RTC_PACKET_STUN;
        else if (b >= 20 && b <= 63) want = SRS_RTC_PACKET_DTLS;
        else if (b >= 128 && b <= 191) want = SRS_RTC_PACKET_RTP_RTCP;
        EXPECT_EQ(want, srs_rtc_classify(p, sizeof(p))) << "first byte " << b;
    }
    // Too short for each kind.
    p[0] = 0x00;
    EXPECT_EQ(SRS_RTC_PACKET_UNKNOWN, srs_rtc_classify(p, 19));
    p[0] = 22;
    EXPECT_EQ(SRS_RTC_PACKET_DTLS, srs_rtc_classify(p, 13));
    EXPECT_EQ(SRS_RTC_PACKET_UNKNOWN, srs_rtc_classify(p, 12));
    p[0] = 0x80;
    EXPECT_EQ(SRS_RTC_PACKET_RTP_RTCP, srs_rtc_classify(p, 12));
    EXPECT_EQ(SRS_RTC_PACKET_UNKNOWN, srs_rtc_classify(p, 11));
    EXPECT_EQ(SRS_RTC_PACKET_UNKNOWN, srs_rtc_classify(p, 0));
    EXPECT_EQ(SRS_RTC_PACKET_UNKNOWN, srs_rtc_classify(NULL, 0));
}

TEST(ProtocolStunTest, RtcpByPayloadType)
{
    uint8_t p[32] = {0x80, 0};
    p[1] = 200; // SR
    EXPECT_TRUE(srs_rtc_is_rtcp(p, sizeof(p)));
    p[1] = 192;
    EXPECT_TRUE(srs_rtc_is_rtcp(p, sizeof(p)));
    p[1] = 223;
    EXPECT_TRUE(srs_rtc_is_rtcp(p, sizeof(p)));
    p[1] = 224;
    EXPECT_FALSE(srs_rtc_is_rtcp(p, sizeof(p)));
    p[1] = 96; // RTP
    EXPECT_FALSE(srs_rtc_is_rtcp(p, sizeof(p)));
    p[1] = 0x80 | 96; // RTP with the marker bit: payload 96 makes byte 224
    EXPECT_FALSE(srs_rtc_is_rtcp(p, sizeof(p)));
    p[1] = 201;
    EXPECT_FALSE(srs_rtc_is_rtcp(p, 11));
    p[0] = 0x00; // STUN
    EXPECT_FALSE(srs_rtc_is_rtcp(p, sizeof(p)));
}

// What the WebRTC relay requires before a binding request moves a session to a new address.
static std::vector<uint8_t> signed_request(const char *username, const char *pwd, bool fingerprint)
{
    srs_stun_build_t b;
    memset(&b, 0, sizeof(b));
    b.type = SRS_STUN_BINDING_REQUEST;
    b.username = username;
    b.priority = 1853824767;
    b.ice_controlling = true;
    b.tiebreaker = 0x1122334455667788ull;
    b.integrity_pwd = pwd;
    b.fingerprint = fingerprint;
    uint8_t buf[512];
    size_t len = 0;
    srs_error_t err = srs_stun_build(&b, buf, sizeof(buf), &len);
    EXPECT_TRUE(err == srs_success);
    srs_error_free(err);
    return std::vector<uint8_t>(buf, buf + len);
}

static bool authentic(const std::vector<uint8_t> &p, const char *pwd)
{
    srs_stun_msg_t m;
    srs_error_t err = srs_stun_parse(p.data(), p.size(), &m);
    if (err) {
        srs_error_free(err);
        return false;
    }
    return srs_stun_authentic(p.data(), p.size(), &m, pwd);
}

TEST(ProtocolStunTest, AuthenticNeedsIntegrityWithTheReceiversPassword)
{
    std::vector<uint8_t> ok = signed_request("oans:coff", "originpwd0123456789012", true);
    EXPECT_TRUE(authentic(ok, "originpwd0123456789012"));
    // The offerer's password (the wrong side), another one, an empty one: refused.
    EXPECT_FALSE(authentic(ok, "offerpwd01234567890123"));
    EXPECT_FALSE(authentic(ok, "originpwd0123456789013"));
    EXPECT_FALSE(authentic(ok, ""));
    EXPECT_FALSE(authentic(ok, NULL));
    // Without FINGERPRINT the integrity alone is enough.
    EXPECT_TRUE(authentic(signed_request("oans:coff", "originpwd0123456789012", false), "originpwd0123456789012"));
}

TEST(ProtocolStunTest, AuthenticRefusesNoIntegrityOrAnyChangedByte)
{
    // The stolen USERNAME alone (what the hijack sent).
    EXPECT_FALSE(authentic(signed_request("oans:coff", NULL, true), "originpwd0123456789012"));
    EXPECT_FALSE(authentic(signed_request("oans:coff", NULL, false), "originpwd0123456789012"));

    std::vector<uint8_t> ok = signed_request("oans:coff", "originpwd0123456789012", true);
    srs_stun_msg_t m;
    ASSERT_TRUE(srs_stun_parse(ok.data(), ok.size(), &m) == srs_success);
    ASSERT_TRUE(m.has_integrity && m.has_fingerprint);
    // Every byte the HMAC covers (header but the length, attributes before it) and the HMAC itself.
    size_t covered = m.integrity_offset + 4 + 20;
    for (size_t i = 0; i < covered; i++) {
        if (i == 2 || i == 3) continue; // the length: the parse refuses another one
        std::vector<uint8_t> bad = ok;
        bad[i] ^= 0x40;
        EXPECT_FALSE(authentic(bad, "originpwd0123456789012")) << "byte " << i;
    }
    // A good HMAC with a broken FINGERPRINT: refused too.
    std::vector<uint8_t> bad = ok;
    bad[bad.size() - 1] ^= 1;
    EXPECT_FALSE(authentic(bad, "originpwd0123456789012"));
}

TEST(ProtocolStunTest, AuthenticRfc5769SampleRequest)
{
    std::vector<uint8_t> p(kRfc5769Request, kRfc5769Request + sizeof(kRfc5769Request));
    EXPECT_TRUE(authentic(p, kRfc5769Password));
    EXPECT_FALSE(authentic(p, "VOkJxbRl1RmTxUk/WvJxBu"));
}
