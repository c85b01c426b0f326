// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <string.h>
#include <errno.h>

extern "C" {
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"
}

static srs_error_t fail_inner() { errno = ECONNREFUSED; return srs_error_new(ERROR_SYSTEM_CONNECT, "dial %s", "1.2.3.4:80"); }
static srs_error_t fail_outer()
{
    srs_error_t err = fail_inner();
    if (err) return srs_error_wrap(err, "pick origin for %s", "live/s");
    return srs_success;
}

TEST(CoreErrorTest, ChainKeepsCodeAndEveryLayer)
{
    srs_error_t err = fail_outer();
    ASSERT_TRUE(err != srs_success);
    EXPECT_EQ(ERROR_SYSTEM_CONNECT, srs_error_code(err));
    EXPECT_STREQ("pick origin for live/s", srs_error_message(err));
    std::string summary = srs_error_summary(err);
    EXPECT_EQ("code=1007(ERROR_SYSTEM_CONNECT)(connect failed) : pick origin for live/s : dial 1.2.3.4:80", summary);
    std::string desc = srs_error_desc(err);
    EXPECT_NE(std::string::npos, desc.find("fail_outer() [utest/srs_utest_core.cpp:"));
    EXPECT_NE(std::string::npos, desc.find("fail_inner() [utest/srs_utest_core.cpp:"));
    EXPECT_NE(std::string::npos, desc.find("[errno=111]"));
    EXPECT_NE(std::string::npos, desc.find(std::string("][") + srs_context_id() + "]"));
    srs_error_reset(err);
    EXPECT_TRUE(err == srs_success);
}

TEST(CoreErrorTest, SuccessIsNullAndNamed)
{
    EXPECT_EQ(ERROR_SUCCESS, srs_error_code(srs_success));
    EXPECT_STREQ("ERROR_HTTP_PARSE", srs_error_code_name(ERROR_HTTP_PARSE));
    EXPECT_STREQ("Unknown", srs_error_code_name(123456));
    srs_error_free(srs_success);
}

TEST(CoreContextTest, CidIsSevenHexChars)
{
    srs_cid_t a = srs_cid_generate(), b = srs_cid_generate();
    EXPECT_EQ(7u, strlen(a.id));
    EXPECT_EQ(strspn(a.id, "0123456789abcdef"), 7u);
    EXPECT_STRNE(a.id, b.id);
}

TEST(CoreLogTest, LevelsParse)
{
    EXPECT_EQ(SRS_LOG_DEBUG, srs_log_level_parse("debug"));
    EXPECT_EQ(SRS_LOG_WARN, srs_log_level_parse("WARN"));
    EXPECT_EQ(SRS_LOG_ERROR, srs_log_level_parse("error"));
    EXPECT_EQ(-1, srs_log_level_parse("loud"));
}

TEST(CoreLogTest, EscapesControlCharactersSoNoLineCanBeForged)
{
    char text[64] = "a\n[ERROR] b\x1b";
    size_t n = srs_log_escape_inplace(text, strlen(text), sizeof(text));
    EXPECT_EQ(std::string("a\\x0a[ERROR] b\\x1b"), std::string(text, n));

    char clean[16] = "plain text";
    EXPECT_EQ(strlen(clean), srs_log_escape_inplace(clean, strlen(clean), sizeof(clean)));
}

TEST(CoreLogTest, EscapeCutsFromTheEndWithinCapacity)
{
    char text[8] = "ab\r\ncd";  /* 6 bytes; escaped it would need 12 */
    size_t n = srs_log_escape_inplace(text, 6, 8);
    EXPECT_LE(n, 8u);
    EXPECT_EQ(std::string("ab\\x0d"), std::string(text, n));
}

TEST(CoreContextTest, TokensAre128BitsOfHexAndDiffer)
{
    char a[SRS_TOKEN_LEN + 1], b[SRS_TOKEN_LEN + 1];
    srs_random_token(a);
    srs_random_token(b);
    EXPECT_EQ(32u, strlen(a));
    EXPECT_EQ(strspn(a, "0123456789abcdef"), strlen(a));
    EXPECT_STRNE(a, b);
}

TEST(CoreLogTest, LimitAllowsBurstThenCountsSuppressed)
{
    srs_log_limit_t limit = SRS_LOG_LIMIT_INIT(60 * SRS_UTIME_SECONDS, 2);
    uint64_t dropped = 99;
    EXPECT_TRUE(srs_log_limit_allow(&limit, &dropped));
    EXPECT_EQ(0u, dropped);
    EXPECT_TRUE(srs_log_limit_allow(&limit, &dropped));
    EXPECT_FALSE(srs_log_limit_allow(&limit, &dropped));
    EXPECT_FALSE(srs_log_limit_allow(&limit, &dropped));
    EXPECT_EQ(2u, limit.suppressed);
    limit.window_start -= 61 * SRS_UTIME_SECONDS;
    EXPECT_TRUE(srs_log_limit_allow(&limit, &dropped));
    EXPECT_EQ(2u, dropped);
}

struct CoProbe {
    int loops = 0;
    std::string cid_inside;
};

static srs_error_t probe_cycle(void *arg)
{
    CoProbe *p = (CoProbe *)arg;
    p->cid_inside = srs_context_id();
    for (;;) {
        srs_error_t err = srs_coroutine_pull_self();
        if (err) return srs_error_wrap(err, "probe loop");
        p->loops++;
        if ((err = srs_st_usleep(1000 * SRS_UTIME_SECONDS)) != srs_success) {
            srs_error_free(err);
        }
    }
}

TEST(ProtocolCoroutineTest, StopInterruptsSleepAndJoins)
{
    int before = srs_coroutine_registry_count();
    CoProbe probe;
    srs_coroutine_t *co = srs_coroutine_new("probe", probe_cycle, &probe);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
    EXPECT_EQ(before + 1, srs_coroutine_registry_count());
    st_usleep(1000);
    EXPECT_EQ(SRS_CO_SLEEPING, co->state);
    EXPECT_EQ(std::string(co->cid.id), probe.cid_inside);
    srs_error_t err = srs_coroutine_stop(co);
    EXPECT_EQ(ERROR_SYSTEM_INTERRUPTED, srs_error_code(err));
    srs_error_free(err);
    EXPECT_EQ(1, probe.loops);
    EXPECT_EQ(before, srs_coroutine_registry_count());
    srs_coroutine_free(co);
}

static srs_error_t quick_cycle(void *arg)
{
    (*(int *)arg)++;
    return srs_error_new(ERROR_SYSTEM_EOF, "done");
}

TEST(ProtocolCoroutineTest, DetachedFreesItself)
{
    int before = srs_coroutine_registry_count();
    int ran = 0;
    srs_coroutine_t *co = srs_coroutine_new("quick", quick_cycle, &ran);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start_detached(co));
    EXPECT_EQ(before + 1, srs_coroutine_registry_count());
    st_usleep(1000);
    EXPECT_EQ(1, ran);
    EXPECT_EQ(before, srs_coroutine_registry_count());
}

TEST(CoreTimeTest, TimeLeftIsNeverNegative)
{
    // A deadline just passed must not come out as -1: ST would read it as "no timeout" and a
    // srs-bench player once slept forever that way.
    srs_utime_t now = srs_time_now();
    EXPECT_EQ(0, srs_time_left(now - 1));
    EXPECT_EQ(0, srs_time_left(now - 5 * SRS_UTIME_SECONDS));
    srs_utime_t left = srs_time_left(now + 10 * SRS_UTIME_SECONDS);
    EXPECT_GT(left, 9 * SRS_UTIME_SECONDS);
    EXPECT_LE(left, 10 * SRS_UTIME_SECONDS);
}

TEST(ProtocolStTest, OnlyNoTimeoutMeansForever)
{
    EXPECT_EQ(ST_UTIME_NO_TIMEOUT, srs_st_timeout(SRS_UTIME_NO_TIMEOUT));
    EXPECT_EQ(0u, srs_st_timeout(-2));
    EXPECT_EQ(0u, srs_st_timeout(INT64_MIN));
    EXPECT_EQ(0u, srs_st_timeout(0));
    EXPECT_EQ(1500u, srs_st_timeout(1500));
}

static srs_error_t sleep_past_deadline_cycle(void *arg)
{
    srs_error_t err = srs_st_usleep(srs_time_left(srs_time_now() - 1));
    if (!err) *(bool *)arg = true;
    return err;
}

TEST(ProtocolStTest, SleepUntilPassedDeadlineReturns)
{
    bool woke = false;
    srs_coroutine_t *co = srs_coroutine_new("past", sleep_past_deadline_cycle, &woke);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
    st_usleep(1000);
    EXPECT_TRUE(woke);
    srs_error_free(srs_coroutine_stop(co));
    srs_coroutine_free(co);
}
