// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <stdlib.h>
#include <string>

extern "C" {
#include "srs_kernel_m3u8.h"
}

static std::string rewrite(const std::string &in, int *count = nullptr, const char *id = "abc123")
{
    char *out = nullptr;
    size_t len = 0;
    int n = 0;
    srs_error_t err = srs_m3u8_rewrite(in.data(), in.size(), id, 0, &out, &len, &n);
    EXPECT_TRUE(err == srs_success) << srs_error_desc(err);
    srs_error_free(err);
    std::string s(out ? out : "", len);
    free(out);
    if (count) *count = n;
    return s;
}

TEST(KernelM3u8Test, SrsMasterPlaylistWithHlsCtx)
{
    // What SRS answers to the first request (srs-origin-notes.md).
    int n = 0;
    std::string out = rewrite("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\n"
                              "/live/livestream.m3u8?hls_ctx=ctx1\n", &n);
    EXPECT_EQ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\n"
              "/live/livestream.m3u8?hls_ctx=ctx1&spbhid=abc123\n", out);
    EXPECT_EQ(1, n);
}

TEST(KernelM3u8Test, MediaPlaylistRelativeAndAbsolute)
{
    int n = 0;
    std::string out = rewrite("#EXTM3U\r\n#EXT-X-TARGETDURATION:10\r\n#EXTINF:10.0,\r\nlivestream-1.ts?hls_ctx=c\r\n"
                              "#EXTINF:10.0,\r\nlivestream-2.ts\r\n#EXTINF:10.0,\r\nhttp://10.0.0.1:8081/live/livestream-3.ts\r\n"
                              "#EXTINF:10,\r\nhttps://origin.example.com\r\n", &n);
    EXPECT_EQ("#EXTM3U\r\n#EXT-X-TARGETDURATION:10\r\n#EXTINF:10.0,\r\nlivestream-1.ts?hls_ctx=c&spbhid=abc123\r\n"
              "#EXTINF:10.0,\r\nlivestream-2.ts?spbhid=abc123\r\n#EXTINF:10.0,\r\n/live/livestream-3.ts?spbhid=abc123\r\n"
              "#EXTINF:10,\r\n/?spbhid=abc123\r\n", out);
    EXPECT_EQ(4, n);
}

TEST(KernelM3u8Test, UriAttributesInTags)
{
    int n = 0;
    std::string out = rewrite("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\",BYTERANGE=\"1@0\"\n"
                              "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",URI=\"http://o:1/a/audio.m3u8?x=1\"\n"
                              "#EXTINF:4,\nseg-1.m4s\n#EXTINF:4,\nseg-2.aac\n", &n);
    EXPECT_EQ("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4?spbhid=abc123\",BYTERANGE=\"1@0\"\n"
              "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",URI=\"/a/audio.m3u8?x=1&spbhid=abc123\"\n"
              "#EXTINF:4,\nseg-1.m4s?spbhid=abc123\n#EXTINF:4,\nseg-2.aac?spbhid=abc123\n", out);
    EXPECT_EQ(4, n);
}

TEST(KernelM3u8Test, ExistingSpbhidFragmentAndTrailingAmpersand)
{
    int n = 0;
    std::string out = rewrite("a.ts?spbhid=zzz\nb.ts?x=1&\nc.ts#t=1\n", &n);
    EXPECT_EQ("a.ts?spbhid=zzz\nb.ts?x=1&spbhid=abc123\nc.ts?spbhid=abc123#t=1\n", out);
    EXPECT_EQ(2, n);
}

TEST(KernelM3u8Test, NothingToRewriteIsIdentical)
{
    int n = 0;
    std::string in = "#EXTM3U\n#EXT-X-ENDLIST\n\n";
    EXPECT_EQ(in, rewrite(in, &n));
    EXPECT_EQ(0, n);
    EXPECT_EQ("", rewrite("", &n));
}

TEST(KernelM3u8Test, RejectsUnsafeSpbhid)
{
    char *out = nullptr;
    size_t len = 0;
    int n = 0;
    HELPER_EXPECT_FAILED_CODE(srs_m3u8_rewrite("a.ts\n", 5, "a\nb", 0, &out, &len, &n), ERROR_HTTP_PARSE);
    HELPER_EXPECT_FAILED_CODE(srs_m3u8_rewrite("a.ts\n", 5, "", 0, &out, &len, &n), ERROR_HTTP_PARSE);
}

TEST(KernelM3u8Test, OutputBoundRefusesAnExplodingPlaylist)
{
    // One-character URIs each gain "?spbhid=" + 32 characters: the output grows ~20x.
    std::string in;
    for (int i = 0; i < 10000; i++) in += "a\n";
    const char *id = "0123456789abcdef0123456789abcdef";
    char *out = nullptr;
    size_t len = 0;
    int n = 0;
    HELPER_EXPECT_FAILED_CODE(srs_m3u8_rewrite(in.data(), in.size(), id, 4 * in.size(), &out, &len, &n),
                              ERROR_HTTP_TOO_LARGE);
    EXPECT_TRUE(out == nullptr);
    EXPECT_EQ(0u, len);
    EXPECT_EQ(0, n);

    // Unbounded, it is 10000 * (1 + 8 + 32 + 1) bytes; exactly that bound fits, one less does not.
    size_t full = 10000u * 42u;
    HELPER_EXPECT_SUCCESS(srs_m3u8_rewrite(in.data(), in.size(), id, full, &out, &len, &n));
    EXPECT_EQ(full, len);
    EXPECT_EQ(10000, n);
    free(out);
    out = nullptr;
    HELPER_EXPECT_FAILED_CODE(srs_m3u8_rewrite(in.data(), in.size(), id, full - 1, &out, &len, &n),
                              ERROR_HTTP_TOO_LARGE);
    EXPECT_TRUE(out == nullptr);
}
