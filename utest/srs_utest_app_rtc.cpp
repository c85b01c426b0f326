// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <string>

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

extern "C" {
#include "srs_app_lb.h"
#include "srs_app_rtc_server.h"
}
#include <unistd.h>
#include <netinet/in.h>

static int udp_socket_on(struct sockaddr_in *bound)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = addr_v4("127.0.0.1", 0);
    EXPECT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
    socklen_t len = sizeof(*bound);
    getsockname(fd, (struct sockaddr *)bound, &len);
    struct timeval tv = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

// One viewer whose address the kernel refuses (here: an IPv6 address on the IPv4 listener, as a
// route that vanished would) must not cost the others in the same sendmmsg batch their packets.
TEST(AppRtcServerTest, SendBatchSkipsAFailingMessageAndSendsTheRest)
{
    struct sockaddr_in from, a, b;
    int lfd = udp_socket_on(&from), ra = udp_socket_on(&a), rb = udp_socket_on(&b);
    struct sockaddr_in6 bad6;
    memset(&bad6, 0, sizeof(bad6));
    bad6.sin6_family = AF_INET6;
    bad6.sin6_port = htons(9);
    bad6.sin6_addr = in6addr_loopback;

    const char *payloads[4] = {"to-bad-first", "to-a", "to-bad-again", "to-b"};
    void *names[4] = {&bad6, &a, &bad6, &b};
    socklen_t lens[4] = {sizeof(bad6), sizeof(a), sizeof(bad6), sizeof(b)};
    struct iovec iov[4];
    struct mmsghdr msgs[4];
    memset(msgs, 0, sizeof(msgs));
    for (int i = 0; i < 4; i++) {
        iov[i].iov_base = (void *)payloads[i];
        iov[i].iov_len = strlen(payloads[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = names[i];
        msgs[i].msg_hdr.msg_namelen = lens[i];
    }
    bool sent[4];
    EXPECT_EQ(2, srs_rtc_send_batch(lfd, msgs, 4, sent));
    EXPECT_FALSE(sent[0]);
    EXPECT_TRUE(sent[1]);
    EXPECT_FALSE(sent[2]);
    EXPECT_TRUE(sent[3]);

    char buf[64];
    ssize_t n = recv(ra, buf, sizeof(buf), 0);
    ASSERT_EQ(4, n);
    EXPECT_EQ(0, memcmp(buf, "to-a", 4));
    n = recv(rb, buf, sizeof(buf), 0);
    ASSERT_EQ(4, n);
    EXPECT_EQ(0, memcmp(buf, "to-b", 4));
    close(lfd);
    close(ra);
    close(rb);
}

// The origin's ICE password travels with the session in the load balancer, so another proxy
// that takes the session over can check MESSAGE-INTEGRITY too.
TEST(AppRtcServerTest, LoadBalancerKeepsTheIcePassword)
{
    srs_lb_t *lb = srs_lb_memory_new(300 * SRS_UTIME_SECONDS, NULL);
    char url[256], pwd[256];
    HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "__defaultVhost__/live/s", "ans:off", "originpwd"));
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "ans:off", url, sizeof(url), pwd, sizeof(pwd)));
    EXPECT_STREQ("__defaultVhost__/live/s", url);
    EXPECT_STREQ("originpwd", pwd);
    // A session stored without one (a Go proxy's) loads with "".
    HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "__defaultVhost__/live/s", "a2:o2", ""));
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "a2:o2", url, sizeof(url), pwd, sizeof(pwd)));
    EXPECT_STREQ("", pwd);
    // Too small a buffer is an error, not a cut password.
    char tiny[4];
    HELPER_EXPECT_FAILED(lb->vt->load_rtc_by_ufrag(lb, "ans:off", url, sizeof(url), tiny, sizeof(tiny)));
    srs_lb_free(lb);
}

extern "C" {
#include "srs_app_config.h"
}

// The WebRTC budgets: defaults that keep one address's benchmarks working, 0 = no cap, and
// invalid values named in the error.
TEST(AppRtcServerTest, BudgetsFromTheEnvironment)
{
    const char *names[] = {"PROXY_RTC_MAX_SESSIONS", "PROXY_RTC_MAX_SESSIONS_PER_IP", "PROXY_RTC_OFFERS_PER_IP",
                           "PROXY_RTC_PENDING_TIMEOUT", "PROXY_STATIC_FILES"};
    for (const char *n : names) unsetenv(n);
    setenv("PROXY_STATIC_FILES", "", 1);
    srs_config_t cfg;
    HELPER_EXPECT_SUCCESS(srs_config_load(&cfg, NULL));
    EXPECT_EQ(10000, cfg.rtc_max_sessions);
    EXPECT_EQ(1000, cfg.rtc_max_sessions_per_ip);
    EXPECT_EQ(500, cfg.rtc_offers_per_ip);
    EXPECT_EQ(10 * SRS_UTIME_SECONDS, cfg.rtc_pending_timeout);
    char line[4096];
    srs_config_describe(&cfg, line, sizeof(line));
    EXPECT_NE(nullptr, strstr(line, "PROXY_RTC_MAX_SESSIONS=10000, PROXY_RTC_MAX_SESSIONS_PER_IP=1000, "
                                    "PROXY_RTC_OFFERS_PER_IP=500, PROXY_RTC_PENDING_TIMEOUT=10s")) << line;

    setenv("PROXY_RTC_MAX_SESSIONS", "0", 1);
    setenv("PROXY_RTC_MAX_SESSIONS_PER_IP", "3", 1);
    setenv("PROXY_RTC_OFFERS_PER_IP", "0", 1);
    setenv("PROXY_RTC_PENDING_TIMEOUT", "1500ms", 1);
    HELPER_EXPECT_SUCCESS(srs_config_load(&cfg, NULL));
    EXPECT_EQ(0, cfg.rtc_max_sessions);
    EXPECT_EQ(3, cfg.rtc_max_sessions_per_ip);
    EXPECT_EQ(0, cfg.rtc_offers_per_ip);
    EXPECT_EQ(1500 * SRS_UTIME_MILLISECONDS, cfg.rtc_pending_timeout);

    setenv("PROXY_RTC_MAX_SESSIONS_PER_IP", "-1", 1);
    srs_error_t err = srs_config_load(&cfg, NULL);
    ASSERT_TRUE(err != srs_success);
    EXPECT_NE(std::string::npos, std::string(srs_error_summary(err)).find("PROXY_RTC_MAX_SESSIONS_PER_IP=-1"));
    srs_error_free(err);
    for (const char *n : names) unsetenv(n);
}
