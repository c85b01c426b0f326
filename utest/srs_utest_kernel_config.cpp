// SPDX-License-Identifier: MIT
// The pure parsers behind the configuration: .env text, Go durations, listen addresses.
#include "srs_utest.h"

#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "srs_kernel_dotenv.h"
#include "srs_kernel_duration.h"
#include "srs_kernel_listen.h"
}

typedef std::vector<std::pair<std::string, std::string>> Pairs;

static void collect(void *ctx, const char *key, const char *value)
{
    static_cast<Pairs *>(ctx)->emplace_back(key, value);
}

// Parse text and return the pairs in order; the parse must succeed.
static Pairs dotenv(const std::string &text)
{
    Pairs pairs;
    HELPER_EXPECT_SUCCESS(srs_dotenv_parse(text.data(), text.size(), collect, &pairs));
    return pairs;
}

// The value of the only pair parsed from "K=<value>".
static std::string dotenv_value(const std::string &value)
{
    Pairs pairs = dotenv("K=" + value);
    EXPECT_EQ(1u, pairs.size()) << value;
    return pairs.empty() ? "<none>" : pairs[0].second;
}

TEST(KernelDotenvTest, PairsInFileOrder)
{
    Pairs pairs = dotenv("A=1\nB=two\nA=3\n");
    ASSERT_EQ(3u, pairs.size());
    EXPECT_EQ(Pairs({{"A", "1"}, {"B", "two"}, {"A", "3"}}), pairs);
}

TEST(KernelDotenvTest, SkipsEmptyAndCommentLines)
{
    Pairs pairs = dotenv("\n   \n# A=1\n  # B=2\n\t\nC=3");
    EXPECT_EQ(Pairs({{"C", "3"}}), pairs);
}

TEST(KernelDotenvTest, SkipsLinesWithoutEquals)
{
    Pairs pairs = dotenv("JUSTAWORD\nexport ALSO\nD=4\n");
    EXPECT_EQ(Pairs({{"D", "4"}}), pairs);
}

TEST(KernelDotenvTest, ExportPrefixIsRemoved)
{
    EXPECT_EQ(Pairs({{"PROXY_HTTP_API", "1985"}}), dotenv("export PROXY_HTTP_API=1985"));
    EXPECT_EQ(Pairs({{"X", "1"}}), dotenv("  export   X = 1  "));
    // Only "export " with one space is a prefix; "export=1" is a key named export.
    EXPECT_EQ(Pairs({{"export", "1"}}), dotenv("export=1"));
}

TEST(KernelDotenvTest, SplitsAtFirstEqualsAndTrims)
{
    EXPECT_EQ(Pairs({{"URL", "a=b=c"}}), dotenv("URL=a=b=c"));
    EXPECT_EQ(Pairs({{"KEY", "value with  inner spaces"}}), dotenv("  KEY  =  value with  inner spaces  "));
    EXPECT_EQ(Pairs({{"EMPTY", ""}}), dotenv("EMPTY="));
    // An empty key is reported; the caller decides what to do with it.
    EXPECT_EQ(Pairs({{"", "x"}}), dotenv("=x"));
}

TEST(KernelDotenvTest, SingleQuotesAreRaw)
{
    EXPECT_EQ("a # b \\n \"c\"", dotenv_value("'a # b \\n \"c\"'"));
    EXPECT_EQ("", dotenv_value("''"));
    // A lone quote is not a quoted value.
    EXPECT_EQ("'", dotenv_value("'"));
}

TEST(KernelDotenvTest, DoubleQuotesUnescapeInGoOrder)
{
    EXPECT_EQ("a # b", dotenv_value("\"a # b\""));
    EXPECT_EQ("line1\nline2", dotenv_value("\"line1\\nline2\""));
    EXPECT_EQ("cr\rhere", dotenv_value("\"cr\\rhere\""));
    EXPECT_EQ("say \"hi\"", dotenv_value("\"say \\\"hi\\\"\""));
    EXPECT_EQ("back\\slash", dotenv_value("\"back\\\\slash\""));
    // \n is replaced before \\, so "\\n" becomes a backslash and a newline, as in Go.
    EXPECT_EQ("\\\n", dotenv_value("\"\\\\n\""));
    EXPECT_EQ("", dotenv_value("\"\""));
    // Spaces inside the quotes stay.
    EXPECT_EQ("  padded  ", dotenv_value("\"  padded  \""));
}

TEST(KernelDotenvTest, InlineCommentNeedsSpaceBeforeHash)
{
    EXPECT_EQ("30s", dotenv_value("30s # force quit"));
    EXPECT_EQ("30s", dotenv_value("30s\t # tab then space"));
    EXPECT_EQ("a#b", dotenv_value("a#b"));
    // A value that starts with '#' has no " #" to cut at, so Go keeps it whole.
    EXPECT_EQ("# not cut", dotenv_value("# not cut"));
    // A quoted value followed by a comment is not quoted: the quotes stay.
    EXPECT_EQ("\"x\"", dotenv_value("\"x\" # note"));
}

TEST(KernelDotenvTest, CrlfLineEnds)
{
    Pairs pairs = dotenv("A=1\r\nB=\"two\"\r\n# c\r\nC='3'\r\n");
    EXPECT_EQ(Pairs({{"A", "1"}, {"B", "two"}, {"C", "3"}}), pairs);
}

TEST(KernelDotenvTest, TrimsUnicodeSpacesLikeGo)
{
    // U+00A0 (no-break space) and U+3000 (ideographic space) are spaces to Go's TrimSpace.
    EXPECT_EQ(Pairs({{"K", "v"}}), dotenv("\xC2\xA0K\xE3\x80\x80=v\xC2\xA0"));
    // A lone lead byte is not a space.
    EXPECT_EQ(Pairs({{"K", "v\xC2"}}), dotenv("K=v\xC2"));
}

TEST(KernelDotenvTest, NoTrailingNewlineAndEmptyText)
{
    EXPECT_EQ(Pairs({{"A", "1"}}), dotenv("A=1"));
    EXPECT_TRUE(dotenv("").empty());
    HELPER_EXPECT_SUCCESS(srs_dotenv_parse(NULL, 0, collect, NULL));
}

TEST(KernelDotenvTest, RejectsNulAndOverlongLineBeforeAnyCallback)
{
    Pairs pairs;
    static const char nul_text[] = "A=1\nB=x\0y\n";
    std::string nul(nul_text, sizeof(nul_text) - 1);
    HELPER_EXPECT_FAILED_CODE(srs_dotenv_parse(nul.data(), nul.size(), collect, &pairs), ERROR_ENV_FILE);
    EXPECT_TRUE(pairs.empty());

    std::string longest = "A=" + std::string(SRS_DOTENV_MAX_LINE - 2, 'x');
    EXPECT_EQ(1u, dotenv(longest).size());
    std::string too_long = "A=1\n" + longest + "x\n";
    HELPER_EXPECT_FAILED_CODE(srs_dotenv_parse(too_long.data(), too_long.size(), collect, &pairs), ERROR_ENV_FILE);
    EXPECT_TRUE(pairs.empty());
}

// Microseconds of a duration that must parse.
static srs_utime_t duration(const char *text)
{
    srs_utime_t us = -12345;
    HELPER_EXPECT_SUCCESS(srs_duration_parse(text, &us));
    return us;
}

TEST(KernelDurationTest, GoForms)
{
    EXPECT_EQ(300 * SRS_UTIME_SECONDS, duration("300s"));
    EXPECT_EQ(90 * SRS_UTIME_SECONDS, duration("1m30s"));
    EXPECT_EQ(5400 * SRS_UTIME_SECONDS, duration("1.5h"));
    EXPECT_EQ(500 * SRS_UTIME_MILLISECONDS, duration("500ms"));
    EXPECT_EQ(2, duration("2us"));
    EXPECT_EQ(2, duration("2\xC2\xB5s"));  // micro sign
    EXPECT_EQ(2, duration("2\xCE\xBCs"));  // Greek mu
    EXPECT_EQ(0, duration("10ns"));
    EXPECT_EQ(1, duration("1500ns"));
    EXPECT_EQ(-SRS_UTIME_SECONDS, duration("-1s"));
    EXPECT_EQ(SRS_UTIME_SECONDS, duration("+1s"));
    EXPECT_EQ(0, duration("0"));
    EXPECT_EQ(0, duration("-0"));
    EXPECT_EQ(0, duration("0s"));
    EXPECT_EQ(500 * SRS_UTIME_MILLISECONDS, duration(".5s"));
    EXPECT_EQ(SRS_UTIME_SECONDS, duration("1.s"));
    EXPECT_EQ(3723 * SRS_UTIME_SECONDS + 4000, duration("1h2m3s4ms"));
    EXPECT_EQ(1, duration("1.0000000000000000000000001us"));
}

TEST(KernelDurationTest, Limits)
{
    // Go's largest duration is 1<<63-1 ns; the smallest is -1<<63 ns.
    EXPECT_EQ(9223372036854775LL, duration("9223372036854775807ns"));
    EXPECT_EQ(-9223372036854775LL, duration("-9223372036854775808ns"));
    EXPECT_EQ(9223372036854775LL, duration("2562047h47m16.854775807s"));
}

TEST(KernelDurationTest, Errors)
{
    const char *bad[] = {
        "", "-", "+", "1", "00", "s", ".s", "1.2.3s", "1x", "1sm", "1 s", " 1s", "1s ", "abc",
        "--1s", "1S", "9223372036854775808ns", "2562048h", "99999999999999999999s",
        "9223372036854775807ns1ns", "-9223372036854775808ns1ns",
    };
    for (const char *text : bad) {
        srs_utime_t us = 7;
        srs_error_t err = srs_duration_parse(text, &us);
        EXPECT_TRUE(err != srs_success) << "'" << text << "' parsed as " << us;
        if (err) { EXPECT_EQ(ERROR_CONFIG_INVALID, srs_error_code(err)); }
        srs_error_free(err);
        EXPECT_EQ(7, us) << text;
    }
    srs_utime_t us;
    HELPER_EXPECT_FAILED(srs_duration_parse(NULL, &us));
}

TEST(KernelDurationTest, ErrorsSayWhatIsWrong)
{
    srs_utime_t us;
    srs_error_t err = srs_duration_parse("45", &us);
    ASSERT_TRUE(err != srs_success);
    EXPECT_NE(std::string::npos, std::string(srs_error_summary(err)).find("missing unit in duration \"45\""));
    srs_error_reset(err);
    err = srs_duration_parse("45x", &us);
    ASSERT_TRUE(err != srs_success);
    EXPECT_NE(std::string::npos, std::string(srs_error_summary(err)).find("unknown unit \"x\""));
    srs_error_reset(err);
}

TEST(KernelDurationTest, FormatIsShortAndExact)
{
    char buf[32];
    srs_duration_format(30 * SRS_UTIME_SECONDS, buf, sizeof(buf));
    EXPECT_STREQ("30s", buf);
    srs_duration_format(1500 * SRS_UTIME_MILLISECONDS, buf, sizeof(buf));
    EXPECT_STREQ("1500ms", buf);
    srs_duration_format(250, buf, sizeof(buf));
    EXPECT_STREQ("250us", buf);
    srs_duration_format(0, buf, sizeof(buf));
    EXPECT_STREQ("0s", buf);
}

static srs_listen_t listen_ok(const char *text)
{
    srs_listen_t l;
    memset(&l, 0x7f, sizeof(l));
    HELPER_EXPECT_SUCCESS(srs_listen_parse(text, &l));
    return l;
}

TEST(KernelListenTest, BarePortAndColonPortBindAllInterfaces)
{
    srs_listen_t l = listen_ok("12025");
    EXPECT_STREQ("", l.host);
    EXPECT_EQ(12025, l.port);
    l = listen_ok(":12025");
    EXPECT_STREQ("", l.host);
    EXPECT_EQ(12025, l.port);
    EXPECT_EQ(1, listen_ok("1").port);
    EXPECT_EQ(65535, listen_ok("65535").port);
}

TEST(KernelListenTest, HostPortBindsThatHost)
{
    srs_listen_t l = listen_ok("127.0.0.1:6060");
    EXPECT_STREQ("127.0.0.1", l.host);
    EXPECT_EQ(6060, l.port);
    l = listen_ok("[::1]:6060");
    EXPECT_STREQ("::1", l.host);
    EXPECT_EQ(6060, l.port);
    l = listen_ok("localhost:80");
    EXPECT_STREQ("localhost", l.host);
    l = listen_ok("[]:80");
    EXPECT_STREQ("", l.host);
}

TEST(KernelListenTest, Errors)
{
    std::string long_host = std::string(64, 'h') + ":80";
    const char *bad[] = {
        "", "0", ":0", "65536", "99999999999999999999", "-1", "+80", "80a", " 80", "80 ", ":",
        "1.2.3.4:", "::1:80", "[::1]", "[::1]80", "[::1:80", "a]:80", "h[:80", "1.2.3.4:80:81",
        "host name:80", long_host.c_str(),
    };
    for (const char *text : bad) {
        srs_listen_t l;
        srs_error_t err = srs_listen_parse(text, &l);
        EXPECT_TRUE(err != srs_success) << "'" << text << "'";
        if (err) { EXPECT_EQ(ERROR_CONFIG_INVALID, srs_error_code(err)); }
        srs_error_free(err);
    }
    srs_listen_t l;
    HELPER_EXPECT_FAILED(srs_listen_parse(NULL, &l));
    // The longest host that fits.
    std::string fits = std::string(63, 'h') + ":80";
    EXPECT_EQ(63u, strlen(listen_ok(fits.c_str()).host));
}

TEST(KernelListenTest, FormatRoundTrips)
{
    const char *forms[][2] = {
        {"11985", ":11985"}, {":11985", ":11985"}, {"127.0.0.1:6060", "127.0.0.1:6060"}, {"[::1]:6060", "[::1]:6060"},
    };
    for (auto &f : forms) {
        srs_listen_t l = listen_ok(f[0]);
        char buf[96];
        srs_listen_format(&l, buf, sizeof(buf));
        EXPECT_STREQ(f[1], buf);
    }
}
