// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include "srs_app_rtc_session.h"
}

static struct sockaddr_in addr_v4(const char *ip, int port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &sa.sin_addr);
    return sa;
}

static srs_addr_key_t key_of(const struct sockaddr_in &sa)
{
    srs_addr_key_t k;
    srs_addr_key_from((const struct sockaddr *)&sa, &k);
    return k;
}

struct RtcTable {
    srs_rtc_table_t *t = srs_rtc_table_new();
    ~RtcTable() { srs_rtc_table_free(t); }
};

TEST(AppRtcTableTest, AddFindsByUfragAndLocationOnly)
{
    RtcTable tb;
    srs_rtc_session_t *s = srs_rtc_session_new("ans:off", "__defaultVhost__/live/s", 0);
    snprintf(s->location, sizeof(s->location), "/rtc/v1/whip/?session=ans:off");
    HELPER_EXPECT_SUCCESS(srs_rtc_table_add(tb.t, s));
    EXPECT_EQ(s, srs_rtc_table_by_ufrag(tb.t, "ans:off"));
    EXPECT_EQ(s, srs_rtc_table_by_location(tb.t, "/rtc/v1/whip/?session=ans:off"));
    EXPECT_EQ(nullptr, srs_rtc_table_by_ufrag(tb.t, "ans"));
    EXPECT_EQ(-1, s->origin_fd);

    srs_rtc_session_t *dup = srs_rtc_session_new("ans:off", "x", 0);
    HELPER_EXPECT_FAILED_CODE(srs_rtc_table_add(tb.t, dup), ERROR_RTC_SESSION);
    free(dup);
    EXPECT_EQ(1u, srs_rtc_table_count(tb.t));

    srs_rtc_table_remove(tb.t, s);
    EXPECT_EQ(nullptr, srs_rtc_table_by_ufrag(tb.t, "ans:off"));
    EXPECT_EQ(nullptr, srs_rtc_table_by_location(tb.t, "/rtc/v1/whip/?session=ans:off"));
    EXPECT_EQ(0u, srs_rtc_table_count(tb.t));
    free(s);
}

TEST(AppRtcTableTest, BindMapsAddressAndSetsPeer)
{
    RtcTable tb;
    srs_rtc_session_t *s = srs_rtc_session_new("a:b", "v/live/s", 0);
    HELPER_EXPECT_SUCCESS(srs_rtc_table_add(tb.t, s));
    struct sockaddr_in c1 = addr_v4("10.0.0.1", 5000), c2 = addr_v4("10.0.0.2", 6000);
    srs_rtc_table_bind(tb.t, s, (struct sockaddr *)&c1, sizeof(c1));
    srs_addr_key_t k1 = key_of(c1), k2 = key_of(c2);
    EXPECT_EQ(s, srs_rtc_table_by_addr(tb.t, &k1));
    EXPECT_EQ(0, memcmp(&s->peer, &c1, sizeof(c1)));

    // Re-binding (NAT rebinding or ICE consent from a new address) keeps both, peer follows.
    srs_rtc_table_bind(tb.t, s, (struct sockaddr *)&c2, sizeof(c2));
    EXPECT_EQ(s, srs_rtc_table_by_addr(tb.t, &k1));
    EXPECT_EQ(s, srs_rtc_table_by_addr(tb.t, &k2));
    EXPECT_EQ(0, memcmp(&s->peer, &c2, sizeof(c2)));
    EXPECT_EQ(2, s->naddrs);

    // Binding the same address again changes nothing.
    srs_rtc_table_bind(tb.t, s, (struct sockaddr *)&c2, sizeof(c2));
    EXPECT_EQ(2, s->naddrs);

    srs_rtc_table_remove(tb.t, s);
    EXPECT_EQ(nullptr, srs_rtc_table_by_addr(tb.t, &k1));
    EXPECT_EQ(nullptr, srs_rtc_table_by_addr(tb.t, &k2));
    free(s);
}

TEST(AppRtcTableTest, UsernameWinsOverStaleAddress)
{
    RtcTable tb;
    srs_rtc_session_t *old_s = srs_rtc_session_new("old:1", "v/live/s", 0);
    srs_rtc_session_t *new_s = srs_rtc_session_new("new:2", "v/live/s", 0);
    HELPER_EXPECT_SUCCESS(srs_rtc_table_add(tb.t, old_s));
    HELPER_EXPECT_SUCCESS(srs_rtc_table_add(tb.t, new_s));
    struct sockaddr_in reused = addr_v4("192.0.2.1", 40000);
    srs_addr_key_t k = key_of(reused);
    srs_rtc_table_bind(tb.t, old_s, (struct sockaddr *)&reused, sizeof(reused));
    // A NAT hands the same port to another player whose STUN names the new session.
    srs_rtc_table_bind(tb.t, new_s, (struct sockaddr *)&reused, sizeof(reused));
    EXPECT_EQ(new_s, srs_rtc_table_by_addr(tb.t, &k));
    EXPECT_EQ(0, old_s->naddrs);
    // Ending the old session must not remove the new session's mapping.
    srs_rtc_table_remove(tb.t, old_s);
    EXPECT_EQ(new_s, srs_rtc_table_by_addr(tb.t, &k));
    srs_rtc_table_remove(tb.t, new_s);
    free(old_s);
    free(new_s);
}

TEST(AppRtcTableTest, OldestAddressIsForgottenWhenFull)
{
    RtcTable tb;
    srs_rtc_session_t *s = srs_rtc_session_new("a:b", "v/live/s", 0);
    HELPER_EXPECT_SUCCESS(srs_rtc_table_add(tb.t, s));
    for (int i = 0; i < SRS_RTC_MAX_ADDRS + 2; i++) {
        struct sockaddr_in c = addr_v4("10.0.0.9", 1000 + i);
        srs_rtc_table_bind(tb.t, s, (struct sockaddr *)&c, sizeof(c));
    }
    EXPECT_EQ(SRS_RTC_MAX_ADDRS, s->naddrs);
    struct sockaddr_in first = addr_v4("10.0.0.9", 1000), last = addr_v4("10.0.0.9", 1000 + SRS_RTC_MAX_ADDRS + 1);
    srs_addr_key_t kf = key_of(first), kl = key_of(last);
    EXPECT_EQ(nullptr, srs_rtc_table_by_addr(tb.t, &kf));
    EXPECT_EQ(s, srs_rtc_table_by_addr(tb.t, &kl));
    srs_rtc_table_remove(tb.t, s);
    free(s);
}
