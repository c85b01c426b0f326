// SPDX-License-Identifier: MIT
// Stream URLs (the stickiness key) and listen endpoints (as origins register them).
#include "srs_utest.h"

#include <cstring>
#include <string>

extern "C" {
#include "srs_kernel_endpoint.h"
#include "srs_kernel_stream_url.h"
}

static std::string build_url(const char *url)
{
    char out[256];
    srs_error_t err = srs_stream_url_build(url, out, sizeof(out));
    if (err) {
        std::string s = std::string("error: ") + srs_error_summary(err);
        srs_error_free(err);
        return s;
    }
    return out;
}

static std::string from_parts(const char *host, const char *app, const char *stream)
{
    char out[256];
    srs_error_t err = srs_stream_url_from_parts(host, app, stream, out, sizeof(out));
    if (err) {
        srs_error_free(err);
        return "error";
    }
    return out;
}

TEST(KernelStreamUrlTest, IpHostIsDefaultVhost)
{
    EXPECT_EQ("__defaultVhost__/live/livestream", build_url("rtmp://1.2.3.4:1935/live/livestream?t=1"));
    EXPECT_EQ("__defaultVhost__/live/livestream", build_url("rtmp://127.0.0.1/live/livestream"));
}

TEST(KernelStreamUrlTest, Ipv6HostIsDefaultVhost)
{
    EXPECT_EQ("__defaultVhost__/live/s", build_url("rtmp://[::1]:1935/live/s"));
    EXPECT_EQ("__defaultVhost__/live/s", build_url("http://[::1]/live/s"));
    // An IPv6 literal with a dot (IPv4-mapped) is still an address, not a vhost.
    EXPECT_EQ("__defaultVhost__/live/s", build_url("http://[::ffff:1.2.3.4]:80/live/s"));
}

TEST(KernelStreamUrlTest, DotlessNameIsDefaultVhost)
{
    EXPECT_EQ("__defaultVhost__/live/s", build_url("rtmp://localhost/live/s"));
    EXPECT_EQ("__defaultVhost__/live/s", build_url("srt://origin:10080/live/s"));
}

TEST(KernelStreamUrlTest, DomainIsVhostWithoutPort)
{
    EXPECT_EQ("example.com/live/s", build_url("rtmp://example.com/live/s"));
    EXPECT_EQ("example.com/live/s.flv", build_url("http://example.com:8080/live/s.flv"));
    EXPECT_EQ("example.com/live/s", build_url("rtmp://user:pass@example.com:1935/live/s"));
}

TEST(KernelStreamUrlTest, QueryAndFragmentDropped)
{
    EXPECT_EQ("example.com/live/s", build_url("rtmp://example.com/live/s?vhost=x&token=1"));
    EXPECT_EQ("example.com/live/s", build_url("http://example.com/live/s#frag"));
    EXPECT_EQ("__defaultVhost__/live/s", build_url("rtmp://1.2.3.4/live/s?a=/b/c"));
}

TEST(KernelStreamUrlTest, RejectsMissingSchemeOrPath)
{
    char out[256];
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("example.com/live/s", out, sizeof(out)), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("/live/s", out, sizeof(out)), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("://example.com/live/s", out, sizeof(out)), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("rtmp://example.com", out, sizeof(out)), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("rtmp://example.com/", out, sizeof(out)), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("rtmp://example.com?x=/live/s", out, sizeof(out)), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("", out, sizeof(out)), ERROR_STREAM_URL);
}

TEST(KernelStreamUrlTest, RejectsBadHostAndSmallBuffer)
{
    char out[256];
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("rtmp://[::1/live/s", out, sizeof(out)), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("rtmp://[::1]x/live/s", out, sizeof(out)), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("rtmp://example.com:19x/live/s", out, sizeof(out)), ERROR_STREAM_URL);

    char small[20];
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("rtmp://1.2.3.4/live/s", small, sizeof(small)), ERROR_STREAM_URL);
    char exact[25];  // 24 characters and the NUL
    HELPER_EXPECT_FAILED_CODE(srs_stream_url_build("rtmp://1.2.3.4/live/ss", exact, 24), ERROR_STREAM_URL);
    HELPER_EXPECT_SUCCESS(srs_stream_url_build("rtmp://1.2.3.4/live/ss", exact, sizeof(exact)));
    EXPECT_STREQ("__defaultVhost__/live/ss", exact);
}

TEST(KernelStreamUrlTest, FromPartsAppliesVhostRule)
{
    EXPECT_EQ("__defaultVhost__/live/s", from_parts("1.2.3.4", "live", "s"));
    EXPECT_EQ("__defaultVhost__/live/s", from_parts(NULL, "live", "s"));
    EXPECT_EQ("__defaultVhost__/live/s", from_parts("", "live", "s"));
    EXPECT_EQ("__defaultVhost__/live/s", from_parts("[::1]:18080", "live", "s"));
    EXPECT_EQ("__defaultVhost__/live/s", from_parts("::1", "live", "s"));
    EXPECT_EQ("example.com/live/s", from_parts("example.com:8080", "live", "s"));
    EXPECT_EQ("example.com/live/s", from_parts("example.com", "live", "s"));
    EXPECT_EQ("error", from_parts("example.com", "", "s"));
    EXPECT_EQ("error", from_parts("example.com", "live", NULL));
    EXPECT_EQ("error", from_parts("[::1", "live", "s"));
}

TEST(KernelStreamUrlTest, SameKeyAcrossProtocols)
{
    // A publisher by RTMP and a player by HTTP (Host with a port) reach the same origin.
    EXPECT_EQ(build_url("rtmp://127.0.0.1:11935/live/livestream"), from_parts("127.0.0.1:18080", "live", "livestream"));
    EXPECT_EQ(build_url("rtmp://example.com/live/livestream"), from_parts("example.com:18080", "live", "livestream"));
}

static std::string parse_ep(const char *text, srs_endpoint_t *ep)
{
    srs_error_t err = srs_endpoint_parse(text, ep);
    if (err) {
        int code = srs_error_code(err);
        srs_error_free(err);
        return "error " + std::to_string(code);
    }
    return "ok";
}

TEST(KernelEndpointTest, BarePortAndHostPort)
{
    srs_endpoint_t ep;
    ASSERT_EQ("ok", parse_ep("1935", &ep));
    EXPECT_STREQ("", ep.proto);
    EXPECT_STREQ("", ep.host);
    EXPECT_EQ(1935, ep.port);

    ASSERT_EQ("ok", parse_ep("0.0.0.0:19351", &ep));
    EXPECT_STREQ("", ep.proto);
    EXPECT_STREQ("0.0.0.0", ep.host);
    EXPECT_EQ(19351, ep.port);

    ASSERT_EQ("ok", parse_ep("[::]:8080", &ep));
    EXPECT_STREQ("::", ep.host);
    EXPECT_EQ(8080, ep.port);

    ASSERT_EQ("ok", parse_ep("localhost:1", &ep));
    EXPECT_STREQ("localhost", ep.host);
    EXPECT_EQ(1, ep.port);
}

TEST(KernelEndpointTest, ProtoSchemeForms)
{
    srs_endpoint_t ep;
    ASSERT_EQ("ok", parse_ep("tcp://1935", &ep));
    EXPECT_STREQ("tcp", ep.proto);
    EXPECT_STREQ("", ep.host);
    EXPECT_EQ(1935, ep.port);

    ASSERT_EQ("ok", parse_ep("tcp://:1935", &ep));
    EXPECT_STREQ("tcp", ep.proto);
    EXPECT_STREQ("", ep.host);
    EXPECT_EQ(1935, ep.port);

    ASSERT_EQ("ok", parse_ep("tcp://127.0.0.1:1985", &ep));
    EXPECT_STREQ("127.0.0.1", ep.host);
    EXPECT_EQ(1985, ep.port);

    ASSERT_EQ("ok", parse_ep("udp://0.0.0.0:8000", &ep));
    EXPECT_STREQ("udp", ep.proto);
    EXPECT_STREQ("0.0.0.0", ep.host);
    EXPECT_EQ(8000, ep.port);

    ASSERT_EQ("ok", parse_ep("udp://[::]:8000", &ep));
    EXPECT_STREQ("udp", ep.proto);
    EXPECT_STREQ("::", ep.host);
    EXPECT_EQ(8000, ep.port);

    ASSERT_EQ("ok", parse_ep("UDP://65535", &ep));
    EXPECT_STREQ("udp", ep.proto);
    EXPECT_EQ(65535, ep.port);
}

TEST(KernelEndpointTest, LegacyProtoColonForm)
{
    srs_endpoint_t ep;
    ASSERT_EQ("ok", parse_ep("udp:1.2.3.4:8000", &ep));
    EXPECT_STREQ("udp", ep.proto);
    EXPECT_STREQ("1.2.3.4", ep.host);
    EXPECT_EQ(8000, ep.port);

    ASSERT_EQ("ok", parse_ep("udp:[::1]:8000", &ep));
    EXPECT_STREQ("udp", ep.proto);
    EXPECT_STREQ("::1", ep.host);
    EXPECT_EQ(8000, ep.port);
}

TEST(KernelEndpointTest, RejectsBadPortsAndGarbage)
{
    srs_endpoint_t ep;
    std::string invalid = "error " + std::to_string(ERROR_CONFIG_INVALID);
    const char *bad[] = {
        "0", "65536", "99999999", "-1", "abc", "", "1935x", " 1935", "tcp://", "tcp://:0", "tcp://host:",
        "udp://0.0.0.0:65536", "udp://[::1", "udp://[::1]8000", "udp://[::1]", "verylongproto://1935",
        "t_p://1935", "tcp://ho st:1935", "::1:1935", "1.2.3.4:5:6", "tcp://a:b:1935",
    };
    for (const char *text : bad) {
        EXPECT_EQ(invalid, parse_ep(text, &ep)) << text;
    }

    std::string long_host = "tcp://" + std::string(64, 'a') + ":1935";
    EXPECT_EQ(invalid, parse_ep(long_host.c_str(), &ep));
    std::string max_host = "tcp://" + std::string(63, 'a') + ":1935";
    EXPECT_EQ("ok", parse_ep(max_host.c_str(), &ep));
    EXPECT_EQ(63u, strlen(ep.host));
}
