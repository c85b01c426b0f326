// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <arpa/inet.h>
#include <string.h>

#include <stdlib.h>
#include <string>
#include <vector>

extern "C" {
#include "srs_app_config.h"
#include "srs_app_srt_session.h"
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

static srs_srt_session_t *session_at(const struct sockaddr_in &sa, uint32_t client_socket_id)
{
    return srs_srt_session_new((const struct sockaddr *)&sa, sizeof(sa), client_socket_id, 1000);
}

struct SrtTable {
    srs_srt_table_t *t = srs_srt_table_new();
    ~SrtTable() { srs_srt_table_free(t); }
};

TEST(AppSrtTableTest, NewSessionIsAHandshakeAtItsAddress)
{
    struct sockaddr_in a = addr_v4("10.0.0.1", 5000);
    srs_srt_session_t *s = session_at(a, 42);
    EXPECT_EQ(SRS_SRT_SESSION_HANDSHAKE, s->state);
    EXPECT_EQ(42u, s->client_socket_id);
    EXPECT_EQ(0u, s->origin_socket_id);
    EXPECT_EQ(-1, s->origin_fd);
    srs_addr_key_t ka = key_of(a);
    EXPECT_TRUE(srs_addr_key_equal(&s->peer_key, &ka));
    EXPECT_EQ(1000, s->created_at);
    EXPECT_EQ(1000, s->last_client_at);
    EXPECT_EQ(7u, strlen(s->cid.id));
    srs_srt_session_free(s);
    srs_srt_session_free(NULL);
}

TEST(AppSrtTableTest, FindsByAddressThenByOriginSocketId)
{
    SrtTable tb;
    struct sockaddr_in a = addr_v4("10.0.0.1", 5000);
    srs_srt_session_t *s = session_at(a, 42);
    srs_srt_table_add(tb.t, s);
    srs_addr_key_t ka = key_of(a);
    EXPECT_EQ(s, srs_srt_table_by_addr(tb.t, &ka));
    EXPECT_EQ(nullptr, srs_srt_table_by_origin_id(tb.t, 99));
    EXPECT_EQ(1u, tb.t->count);

    HELPER_EXPECT_SUCCESS(srs_srt_table_bind_origin_id(tb.t, s, 99));
    EXPECT_EQ(99u, s->origin_socket_id);
    EXPECT_EQ(s, srs_srt_table_by_origin_id(tb.t, 99));
    HELPER_EXPECT_SUCCESS(srs_srt_table_bind_origin_id(tb.t, s, 99));  // again: no conflict with itself
    HELPER_EXPECT_FAILED_CODE(srs_srt_table_bind_origin_id(tb.t, s, 0), ERROR_SRT_HANDSHAKE);

    srs_srt_table_remove(tb.t, s);
    EXPECT_EQ(nullptr, srs_srt_table_by_addr(tb.t, &ka));
    EXPECT_EQ(nullptr, srs_srt_table_by_origin_id(tb.t, 99));
    EXPECT_EQ(0u, tb.t->count);
    EXPECT_EQ(nullptr, tb.t->head);
    srs_srt_table_remove(tb.t, s);  // twice is harmless
    EXPECT_EQ(0u, tb.t->count);
    srs_srt_session_free(s);
}

// Two origins may pick the same socket id: packets naming it could not be told apart.
TEST(AppSrtTableTest, ASecondSessionCannotTakeAnOriginSocketId)
{
    SrtTable tb;
    srs_srt_session_t *a = session_at(addr_v4("10.0.0.1", 5000), 1);
    srs_srt_session_t *b = session_at(addr_v4("10.0.0.2", 5000), 2);
    srs_srt_table_add(tb.t, a);
    srs_srt_table_add(tb.t, b);
    HELPER_EXPECT_SUCCESS(srs_srt_table_bind_origin_id(tb.t, a, 77));
    HELPER_EXPECT_FAILED_CODE(srs_srt_table_bind_origin_id(tb.t, b, 77), ERROR_SRT_HANDSHAKE);
    EXPECT_EQ(0u, b->origin_socket_id);
    EXPECT_EQ(a, srs_srt_table_by_origin_id(tb.t, 77));
    // Ending b must not drop a's entry.
    srs_srt_table_remove(tb.t, b);
    EXPECT_EQ(a, srs_srt_table_by_origin_id(tb.t, 77));
    srs_srt_table_remove(tb.t, a);
    srs_srt_session_free(a);
    srs_srt_session_free(b);
}

// A client restarted on the same port (or libsrt sockets sharing one port): the newest handshake
// owns the address; the older session keeps relaying by its origin socket id.
TEST(AppSrtTableTest, NewestSessionOwnsASharedAddress)
{
    SrtTable tb;
    struct sockaddr_in addr = addr_v4("10.0.0.1", 5000);
    srs_addr_key_t k = key_of(addr);
    srs_srt_session_t *old_s = session_at(addr, 1);
    srs_srt_table_add(tb.t, old_s);
    HELPER_EXPECT_SUCCESS(srs_srt_table_bind_origin_id(tb.t, old_s, 11));
    srs_srt_session_t *new_s = session_at(addr, 2);
    srs_srt_table_add(tb.t, new_s);
    EXPECT_EQ(new_s, srs_srt_table_by_addr(tb.t, &k));
    EXPECT_FALSE(old_s->addr_bound);
    EXPECT_TRUE(new_s->addr_bound);
    EXPECT_EQ(old_s, srs_srt_table_by_origin_id(tb.t, 11));

    // Ending the old one leaves the new one's address entry alone.
    srs_srt_table_remove(tb.t, old_s);
    EXPECT_EQ(new_s, srs_srt_table_by_addr(tb.t, &k));
    srs_srt_table_unbind_addr(tb.t, new_s);
    EXPECT_EQ(nullptr, srs_srt_table_by_addr(tb.t, &k));
    EXPECT_EQ(1u, tb.t->count);
    srs_srt_table_remove(tb.t, new_s);
    srs_srt_session_free(old_s);
    srs_srt_session_free(new_s);
}

TEST(AppSrtTableTest, CountsSessionsAndHandshakesPerIp)
{
    SrtTable tb;
    struct sockaddr_in a1 = addr_v4("10.0.0.1", 5000), a2 = addr_v4("10.0.0.1", 5001), b = addr_v4("10.0.0.2", 5000);
    srs_srt_session_t *s1 = session_at(a1, 1), *s2 = session_at(a2, 2), *s3 = session_at(b, 3);
    srs_srt_table_add(tb.t, s1);
    srs_srt_table_add(tb.t, s2);
    srs_srt_table_add(tb.t, s3);
    // Any port of an IP counts for that IP.
    struct sockaddr_in other_port = addr_v4("10.0.0.1", 9);
    srs_srt_ip_count_t c = srs_srt_table_ip_count(tb.t, (const struct sockaddr *)&other_port);
    EXPECT_EQ(2u, c.sessions);
    EXPECT_EQ(2u, c.handshakes);
    EXPECT_EQ(1u, srs_srt_table_ip_count(tb.t, (const struct sockaddr *)&b).sessions);

    // A done handshake leaves the handshakes once, however often it is reported.
    srs_srt_table_handshake_done(tb.t, s1);
    srs_srt_table_handshake_done(tb.t, s1);
    c = srs_srt_table_ip_count(tb.t, (const struct sockaddr *)&a1);
    EXPECT_EQ(2u, c.sessions);
    EXPECT_EQ(1u, c.handshakes);

    // Removing takes both counts; the IP's entry goes with its last session.
    srs_srt_table_remove(tb.t, s2);
    c = srs_srt_table_ip_count(tb.t, (const struct sockaddr *)&a1);
    EXPECT_EQ(1u, c.sessions);
    EXPECT_EQ(0u, c.handshakes);
    srs_srt_table_remove(tb.t, s1);
    srs_srt_table_remove(tb.t, s3);
    EXPECT_EQ(0u, srs_srt_table_ip_count(tb.t, (const struct sockaddr *)&a1).sessions);
    EXPECT_EQ(0u, srs_addr_map_size(tb.t->by_ip));
    // Removing twice changes nothing.
    srs_srt_table_remove(tb.t, s1);
    EXPECT_EQ(0u, tb.t->count);
    srs_srt_session_free(s1);
    srs_srt_session_free(s2);
    srs_srt_session_free(s3);
}

TEST(AppSrtTableTest, AnIpv6SubscriberNetworkIsOneIp)
{
    SrtTable tb;
    struct sockaddr_in6 a, b, other;
    memset(&a, 0, sizeof(a));
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(5000);
    inet_pton(AF_INET6, "2001:db8:1:2::1", &a.sin6_addr);
    b = a;
    b.sin6_port = htons(6000);
    inet_pton(AF_INET6, "2001:db8:1:2:ffff:1:2:3", &b.sin6_addr);
    other = a;
    inet_pton(AF_INET6, "2001:db8:1:3::1", &other.sin6_addr);
    srs_srt_session_t *s1 = srs_srt_session_new((const struct sockaddr *)&a, sizeof(a), 1, 1000);
    srs_srt_table_add(tb.t, s1);
    EXPECT_EQ(1u, srs_srt_table_ip_count(tb.t, (const struct sockaddr *)&b).sessions);
    EXPECT_EQ(0u, srs_srt_table_ip_count(tb.t, (const struct sockaddr *)&other).sessions);
    EXPECT_EQ(SRS_SRT_BUDGET_IP_SESSIONS, srs_srt_table_budget(tb.t, (const struct sockaddr *)&b, 0, 1, 0));
    EXPECT_EQ(SRS_SRT_BUDGET_OK, srs_srt_table_budget(tb.t, (const struct sockaddr *)&other, 0, 1, 0));
    srs_srt_table_remove(tb.t, s1);
    srs_srt_session_free(s1);
}

TEST(AppSrtTableTest, BudgetsRefuseTheNextSessionOnly)
{
    SrtTable tb;
    std::vector<srs_srt_session_t *> all;
    struct sockaddr_in attacker = addr_v4("127.0.0.66", 40000), client = addr_v4("127.0.0.1", 40000);
    const struct sockaddr *att = (const struct sockaddr *)&attacker, *cli = (const struct sockaddr *)&client;
    // Handshakes per IP: 3 in progress from one IP (different ports) fill its share.
    for (int i = 0; i < 3; i++) {
        EXPECT_EQ(SRS_SRT_BUDGET_OK, srs_srt_table_budget(tb.t, att, 100, 5, 3));
        srs_srt_session_t *s = session_at(addr_v4("127.0.0.66", 40001 + i), (uint32_t)i + 1);
        srs_srt_table_add(tb.t, s);
        all.push_back(s);
    }
    EXPECT_EQ(SRS_SRT_BUDGET_IP_HANDSHAKES, srs_srt_table_budget(tb.t, att, 100, 5, 3));
    EXPECT_EQ(SRS_SRT_BUDGET_OK, srs_srt_table_budget(tb.t, cli, 100, 5, 3));   // another IP is not affected
    EXPECT_EQ(SRS_SRT_BUDGET_OK, srs_srt_table_budget(tb.t, att, 100, 5, 0));   // 0: unlimited
    // Done handshakes free the handshake share, not the session share.
    for (srs_srt_session_t *s : all) srs_srt_table_handshake_done(tb.t, s);
    for (int i = 0; i < 2; i++) {
        EXPECT_EQ(SRS_SRT_BUDGET_OK, srs_srt_table_budget(tb.t, att, 100, 5, 3));
        srs_srt_session_t *s = session_at(addr_v4("127.0.0.66", 41001 + i), (uint32_t)i + 10);
        srs_srt_table_add(tb.t, s);
        all.push_back(s);
    }
    EXPECT_EQ(SRS_SRT_BUDGET_IP_SESSIONS, srs_srt_table_budget(tb.t, att, 100, 5, 3));
    EXPECT_EQ(SRS_SRT_BUDGET_OK, srs_srt_table_budget(tb.t, att, 100, 0, 3));
    EXPECT_EQ(SRS_SRT_BUDGET_OK, srs_srt_table_budget(tb.t, cli, 100, 5, 3));
    // The total comes first, for every IP.
    EXPECT_EQ(SRS_SRT_BUDGET_SESSIONS, srs_srt_table_budget(tb.t, cli, 5, 5, 3));
    EXPECT_EQ(SRS_SRT_BUDGET_OK, srs_srt_table_budget(tb.t, cli, 0, 5, 3));
    // An ended session gives its share back.
    srs_srt_table_remove(tb.t, all.back());
    EXPECT_EQ(SRS_SRT_BUDGET_OK, srs_srt_table_budget(tb.t, att, 100, 5, 3));
    for (srs_srt_session_t *s : all) {
        srs_srt_table_remove(tb.t, s);
        srs_srt_session_free(s);
    }
}

TEST(AppSrtConfigTest, BudgetsAndHandshakeTimeoutFromTheEnvironment)
{
    const char *names[] = {"PROXY_SRT_MAX_SESSIONS", "PROXY_SRT_MAX_SESSIONS_PER_IP", "PROXY_SRT_MAX_HANDSHAKES_PER_IP",
                           "PROXY_SRT_HANDSHAKE_TIMEOUT"};
    for (const char *n : names) unsetenv(n);
    // Static files off, so the test does not depend on the working directory.
    const char *old_static = getenv("PROXY_STATIC_FILES");
    std::string saved_static = old_static ? old_static : "";
    setenv("PROXY_STATIC_FILES", "", 1);
    srs_config_t cfg;
    HELPER_EXPECT_SUCCESS(srs_config_load(&cfg, NULL));
    EXPECT_EQ(10000, cfg.srt_max_sessions);
    EXPECT_EQ(100, cfg.srt_max_sessions_per_ip);
    EXPECT_EQ(16, cfg.srt_max_handshakes_per_ip);
    EXPECT_EQ(10 * SRS_UTIME_SECONDS, cfg.srt_handshake_timeout);
    char text[4096];
    srs_config_describe(&cfg, text, sizeof(text));
    EXPECT_NE(nullptr, strstr(text, "PROXY_SRT_MAX_SESSIONS_PER_IP=100, PROXY_SRT_MAX_HANDSHAKES_PER_IP=16"));

    setenv("PROXY_SRT_MAX_SESSIONS", "7", 1);
    setenv("PROXY_SRT_MAX_SESSIONS_PER_IP", "0", 1);
    setenv("PROXY_SRT_MAX_HANDSHAKES_PER_IP", "2", 1);
    setenv("PROXY_SRT_HANDSHAKE_TIMEOUT", "4s", 1);
    HELPER_EXPECT_SUCCESS(srs_config_load(&cfg, NULL));
    EXPECT_EQ(7, cfg.srt_max_sessions);
    EXPECT_EQ(0, cfg.srt_max_sessions_per_ip);
    EXPECT_EQ(2, cfg.srt_max_handshakes_per_ip);
    EXPECT_EQ(4 * SRS_UTIME_SECONDS, cfg.srt_handshake_timeout);

    setenv("PROXY_SRT_MAX_SESSIONS_PER_IP", "-1", 1);
    HELPER_EXPECT_FAILED_CODE(srs_config_load(&cfg, NULL), ERROR_CONFIG_INVALID);
    setenv("PROXY_SRT_MAX_SESSIONS_PER_IP", "1", 1);
    setenv("PROXY_SRT_HANDSHAKE_TIMEOUT", "100ms", 1);
    HELPER_EXPECT_FAILED_CODE(srs_config_load(&cfg, NULL), ERROR_CONFIG_INVALID);
    for (const char *n : names) unsetenv(n);
    if (old_static) setenv("PROXY_STATIC_FILES", saved_static.c_str(), 1);
    else unsetenv("PROXY_STATIC_FILES");
}

TEST(AppSrtTableTest, ListHoldsEverySessionUntilRemoved)
{
    SrtTable tb;
    srs_srt_session_t *s[3];
    for (int i = 0; i < 3; i++) {
        s[i] = session_at(addr_v4("10.0.0.1", 5000 + i), (uint32_t)i + 1);
        srs_srt_table_add(tb.t, s[i]);
    }
    srs_srt_table_remove(tb.t, s[1]);  // from the middle
    int n = 0;
    for (srs_srt_session_t *p = tb.t->head; p; p = p->next) {
        EXPECT_NE(s[1], p);
        n++;
    }
    EXPECT_EQ(2, n);
    EXPECT_EQ(2u, tb.t->count);
    for (int i = 0; i < 3; i++) {
        srs_srt_table_remove(tb.t, s[i]);
        srs_srt_session_free(s[i]);
    }
    EXPECT_EQ(nullptr, tb.t->head);
}
