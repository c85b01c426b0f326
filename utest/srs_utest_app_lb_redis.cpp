// SPDX-License-Identifier: MIT
// The Redis load balancer against a real redis-server: the Go proxy's keys, JSON values and TTLs
// (spec §3.2), sessions shared by two balancers (two proxies), the fixes of spec §11.3, and the
// local cache while Redis is lost. HLS proxying is not built yet, so HLS sessions across proxies
// are tested here with two balancer instances.
#include "srs_utest.h"
#include "srs_utest_redis.h"

#include <cJSON.h>

#include <cstring>
#include <set>
#include <string>

extern "C" {
#include "srs_app_lb.h"
#include "srs_app_origin.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"
}

static const srs_utime_t kTtl = 300 * SRS_UTIME_SECONDS;

static srs_origin_t make_origin(const std::string &server, const std::string &pid, int rtmp)
{
    std::string body = "{\"ip\":\"127.0.0.1\",\"server\":\"" + server + "\",\"service\":\"svc\",\"pid\":\"" + pid +
                       "\",\"rtmp\":[\"" + std::to_string(rtmp) + "\"],\"api\":[\"1985\"],\"rtc\":[\"udp://0.0.0.0:8000\"]}";
    srs_origin_t o;
    srs_error_t err = srs_origin_parse_register(body.data(), body.size(), &o);
    EXPECT_TRUE(err == NULL) << srs_error_desc(err);
    srs_error_free(err);
    return o;
}

static srs_lb_t *new_lb(int port, const char *prefix = "", const char *password = "")
{
    srs_lb_redis_config_t cfg = {"127.0.0.1", port, password, 0, prefix, kTtl};
    srs_lb_t *lb = NULL;
    srs_error_t err = srs_lb_redis_new(&cfg, NULL, &lb);
    EXPECT_TRUE(err == NULL) << srs_error_desc(err);
    srs_error_free(err);
    return lb;
}

static srs_resp_client_t *raw_client(int port)
{
    srs_resp_client_config_t cfg = {"127.0.0.1", port, "", 0, SRS_UTIME_SECONDS, SRS_UTIME_SECONDS, 0, 0, false};
    return srs_resp_client_new(&cfg);
}

static std::string cmd(srs_resp_client_t *c, std::vector<std::string> args)
{
    return srs_utest_redis_run(c, args);
}

static long long ttl_ms(srs_resp_client_t *c, const std::string &key)
{
    std::string r = cmd(c, {"PTTL", key});
    return r.rfind("(int)", 0) == 0 ? std::stoll(r.substr(5)) : -100;
}

static std::string pick_id(srs_lb_t *lb, const char *url)
{
    srs_origin_t o;
    srs_error_t err = lb->vt->pick(lb, url, &o);
    if (err) {
        std::string s = std::string("(failed)") + srs_error_summary(err);
        srs_error_free(err);
        return s;
    }
    char id[400];
    srs_origin_id(&o, id, sizeof(id));
    return id;
}

// Let the balancers' background coroutines run.
static void run_for(srs_utime_t us)
{
    srs_error_t err = srs_st_usleep(us);
    srs_error_free(err);
}

TEST(AppLbRedisTest, RedisDownAtStartupNamesHostAndPort)
{
    int port = srs_utest_free_port();
    srs_lb_redis_config_t cfg = {"127.0.0.1", port, "topsecret", 0, "", kTtl};
    srs_lb_t *lb = NULL;
    srs_error_t err = srs_lb_redis_new(&cfg, NULL, &lb);
    ASSERT_TRUE(err != NULL);
    EXPECT_TRUE(lb == NULL);
    std::string text = srs_error_desc(err);
    EXPECT_NE(std::string::npos, text.find("unable to connect to redis 127.0.0.1:" + std::to_string(port))) << text;
    EXPECT_EQ(std::string::npos, text.find("topsecret")) << text;
    srs_error_free(err);
}

TEST(AppLbRedisTest, OriginKeyJsonAndTtlAreGos)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_lb_t *lb = new_lb(server.port);
    srs_resp_client_t *raw = raw_client(server.port);
    srs_origin_t o = make_origin("vid-1", "100", 19351);
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o));

    // The value is exactly the origin's Go JSON, with the origin TTL.
    char *json = srs_origin_to_json(&o);
    EXPECT_EQ(json, cmd(raw, {"GET", "srs-proxy-server:vid-1-svc-100"}));
    free(json);
    long long ttl = ttl_ms(raw, "srs-proxy-server:vid-1-svc-100");
    EXPECT_GT(ttl, 298000);
    EXPECT_LE(ttl, 300000);

    // all-servers is a JSON array of keys, with no TTL, as Go proxies read it.
    EXPECT_EQ("[\"srs-proxy-server:vid-1-svc-100\"]", cmd(raw, {"GET", "srs-proxy-all-servers"}));
    EXPECT_EQ("(int)-1", cmd(raw, {"TTL", "srs-proxy-all-servers"}));
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o));
    EXPECT_EQ("[\"srs-proxy-server:vid-1-svc-100\"]", cmd(raw, {"GET", "srs-proxy-all-servers"}));

    // An expired origin leaves the list at the next update.
    srs_origin_t o2 = make_origin("vid-2", "200", 19352);
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o2));
    EXPECT_EQ("[\"srs-proxy-server:vid-1-svc-100\",\"srs-proxy-server:vid-2-svc-200\"]", cmd(raw, {"GET", "srs-proxy-all-servers"}));
    cmd(raw, {"DEL", "srs-proxy-server:vid-1-svc-100"});
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o2));
    EXPECT_EQ("[\"srs-proxy-server:vid-2-svc-200\"]", cmd(raw, {"GET", "srs-proxy-all-servers"}));

    // A list corrupted by hand is rebuilt rather than failing every registration.
    cmd(raw, {"SET", "srs-proxy-all-servers", "not json"});
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o2));
    EXPECT_EQ("[\"srs-proxy-server:vid-2-svc-200\"]", cmd(raw, {"GET", "srs-proxy-all-servers"}));

    srs_lb_free(lb);
    srs_resp_client_free(raw);
}

TEST(AppLbRedisTest, KeyPrefixComesFirstInEveryKey)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_lb_t *lb = new_lb(server.port, "myapp");
    srs_resp_client_t *raw = raw_client(server.port);
    srs_origin_t o = make_origin("vid-1", "100", 19351);
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o));
    EXPECT_EQ("vid-1-svc-100", pick_id(lb, "__defaultVhost__/live/s"));
    HELPER_EXPECT_SUCCESS(lb->vt->store_hls(lb, "__defaultVhost__/live/s", "spb1", "http://h/live/s.m3u8"));
    HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "__defaultVhost__/live/s", "a1:b1", ""));

    EXPECT_EQ("[\"myapp:srs-proxy-server:vid-1-svc-100\"]", cmd(raw, {"GET", "myapp:srs-proxy-all-servers"}));
    EXPECT_EQ("myapp:srs-proxy-server:vid-1-svc-100", cmd(raw, {"GET", "myapp:srs-proxy-url:__defaultVhost__/live/s"}));
    const char *keys[] = {"myapp:srs-proxy-server:vid-1-svc-100", "myapp:srs-proxy-hls:__defaultVhost__/live/s",
                          "myapp:srs-proxy-spbhid:spb1", "myapp:srs-proxy-rtc:__defaultVhost__/live/s",
                          "myapp:srs-proxy-ufrag:a1:b1"};
    for (const char *k : keys) EXPECT_EQ("(int)1", cmd(raw, {"EXISTS", k})) << k;
    EXPECT_EQ("(array)7", cmd(raw, {"KEYS", "*"}));
    srs_lb_free(lb);
    srs_resp_client_free(raw);
}

TEST(AppLbRedisTest, StickyPickIsSharedAndExpiresWithItsOrigin)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_lb_t *a = new_lb(server.port);
    srs_lb_t *b = new_lb(server.port);
    srs_resp_client_t *raw = raw_client(server.port);
    srs_origin_t o1 = make_origin("vid-1", "100", 19351), o2 = make_origin("vid-2", "200", 19352),
                 o3 = make_origin("vid-3", "300", 19353);
    HELPER_EXPECT_SUCCESS(a->vt->update(a, &o1));
    HELPER_EXPECT_SUCCESS(b->vt->update(b, &o2));
    HELPER_EXPECT_SUCCESS(a->vt->update(a, &o3));

    // Every stream is pinned once, for both proxies.
    std::set<std::string> seen;
    for (int i = 0; i < 30; i++) {
        std::string url = "__defaultVhost__/live/s" + std::to_string(i);
        std::string first = pick_id(i % 2 ? a : b, url.c_str());
        EXPECT_EQ(first, pick_id(i % 2 ? b : a, url.c_str()));
        seen.insert(first);
    }
    EXPECT_EQ(3u, seen.size());

    // The sticky key names the server key and lives as long as the origin TTL, renewed by picks.
    std::string picked = pick_id(a, "__defaultVhost__/live/s");
    std::string url_key = "srs-proxy-url:__defaultVhost__/live/s";
    EXPECT_EQ("srs-proxy-server:" + picked, cmd(raw, {"GET", url_key}));
    EXPECT_GT(ttl_ms(raw, url_key), 298000);
    cmd(raw, {"PEXPIRE", url_key, "5000"});
    EXPECT_EQ(picked, pick_id(b, "__defaultVhost__/live/s"));
    EXPECT_GT(ttl_ms(raw, url_key), 298000);

    // Its origin gone (heartbeats stopped, key expired): another one is picked and pinned.
    cmd(raw, {"DEL", "srs-proxy-server:" + picked});
    std::string moved = pick_id(b, "__defaultVhost__/live/s");
    EXPECT_NE(picked, moved);
    EXPECT_EQ(0u, moved.find("vid-"));
    EXPECT_EQ("srs-proxy-server:" + moved, cmd(raw, {"GET", url_key}));
    EXPECT_EQ(moved, pick_id(a, "__defaultVhost__/live/s"));

    srs_lb_free(a);
    srs_lb_free(b);
    srs_resp_client_free(raw);
}

TEST(AppLbRedisTest, ReadsAndPicksAnOriginWrittenByTheGoProxy)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_resp_client_t *raw = raw_client(server.port);
    // What Go's json.Marshal(OriginServer) stores: time in RFC 3339 with nanoseconds and an offset.
    std::string go_json =
        "{\"ip\":\"10.0.0.7\",\"device_id\":\"origin3\",\"server_id\":\"vid-go\",\"service_id\":\"svc-go\","
        "\"pid\":\"777\",\"rtmp\":[\"19353\"],\"http\":[\"8083\"],\"api\":[\"19853\"],"
        "\"srt\":[\"udp://0.0.0.0:10083\"],\"rtc\":[\"udp://0.0.0.0:8003\"],"
        "\"update_at\":\"2026-11-27T16:00:00.123456789+08:00\"}";
    EXPECT_EQ("OK", cmd(raw, {"SET", "srs-proxy-server:vid-go-svc-go-777", go_json, "EX", "300"}));
    EXPECT_EQ("OK", cmd(raw, {"SET", "srs-proxy-all-servers", "[\"srs-proxy-server:vid-go-svc-go-777\"]"}));

    srs_lb_t *lb = new_lb(server.port);
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(lb->vt->pick(lb, "__defaultVhost__/live/go", &o));
    EXPECT_STREQ("10.0.0.7", o.ip);
    EXPECT_STREQ("origin3", o.device_id);
    EXPECT_EQ(19353, o.rtmp_port);
    EXPECT_EQ(8083, o.http_port);
    EXPECT_EQ(19853, o.api_port);
    EXPECT_EQ(8003, o.rtc_port);
    EXPECT_EQ(10083, o.srt_port);
    EXPECT_EQ("srs-proxy-server:vid-go-svc-go-777", cmd(raw, {"GET", "srs-proxy-url:__defaultVhost__/live/go"}));

    // Our registration joins the Go proxy's list without losing its entry.
    srs_origin_t mine = make_origin("vid-c", "1", 19354);
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &mine));
    EXPECT_EQ("[\"srs-proxy-server:vid-go-svc-go-777\",\"srs-proxy-server:vid-c-svc-1\"]", cmd(raw, {"GET", "srs-proxy-all-servers"}));

    // The listing shows what Redis knows.
    std::set<std::string> ids;
    lb->vt->foreach_origin(lb, [](void *ctx, const srs_origin_t *x, bool) {
        char id[400];
        srs_origin_id(x, id, sizeof(id));
        ((std::set<std::string> *)ctx)->insert(id);
    }, &ids);
    EXPECT_EQ(std::set<std::string>({"vid-go-svc-go-777", "vid-c-svc-1"}), ids);
    srs_lb_free(lb);
    srs_resp_client_free(raw);
}

TEST(AppLbRedisTest, HlsSessionsLoadOnAnotherProxy)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_lb_t *a = new_lb(server.port);
    srs_lb_t *b = new_lb(server.port);
    srs_resp_client_t *raw = raw_client(server.port);
    const char *url = "__defaultVhost__/live/s";
    HELPER_EXPECT_SUCCESS(a->vt->store_hls(a, url, "spb-1", "http://127.0.0.1:18080/live/s.m3u8?token=x"));

    // The Go proxy's JSON field names and order, 120 s TTLs.
    std::string json = "{\"spbhid\":\"spb-1\",\"stream_url\":\"__defaultVhost__/live/s\","
                       "\"full_url\":\"http://127.0.0.1:18080/live/s.m3u8?token=x\"}";
    EXPECT_EQ(json, cmd(raw, {"GET", "srs-proxy-hls:__defaultVhost__/live/s"}));
    EXPECT_EQ(json, cmd(raw, {"GET", "srs-proxy-spbhid:spb-1"}));
    EXPECT_GT(ttl_ms(raw, "srs-proxy-spbhid:spb-1"), 118000);
    EXPECT_LE(ttl_ms(raw, "srs-proxy-spbhid:spb-1"), 120000);

    // A segment with that spbhid on proxy B finds the stream (Go's Redis balancer could not).
    char stream_url[256], full_url[256], spbhid[64];
    cmd(raw, {"PEXPIRE", "srs-proxy-spbhid:spb-1", "5000"});
    cmd(raw, {"PEXPIRE", "srs-proxy-hls:__defaultVhost__/live/s", "5000"});
    HELPER_EXPECT_SUCCESS(b->vt->load_hls_by_spbhid(b, "spb-1", stream_url, sizeof(stream_url), full_url, sizeof(full_url)));
    EXPECT_STREQ(url, stream_url);
    EXPECT_STREQ("http://127.0.0.1:18080/live/s.m3u8?token=x", full_url);
    // Loading renews both entries.
    EXPECT_GT(ttl_ms(raw, "srs-proxy-spbhid:spb-1"), 118000);
    EXPECT_GT(ttl_ms(raw, "srs-proxy-hls:__defaultVhost__/live/s"), 118000);

    // A playlist request on B reuses the spbhid instead of issuing a new one.
    HELPER_EXPECT_SUCCESS(b->vt->load_hls_by_stream(b, url, spbhid, sizeof(spbhid)));
    EXPECT_STREQ("spb-1", spbhid);

    HELPER_EXPECT_FAILED_CODE(b->vt->load_hls_by_spbhid(b, "nope", stream_url, sizeof(stream_url), full_url, sizeof(full_url)),
                              ERROR_SESSION_NOT_FOUND);
    HELPER_EXPECT_FAILED_CODE(b->vt->load_hls_by_stream(b, "__defaultVhost__/live/none", spbhid, sizeof(spbhid)),
                              ERROR_SESSION_NOT_FOUND);
    // A stream whose session expired has no spbhid to reuse.
    cmd(raw, {"DEL", "srs-proxy-spbhid:spb-1"});
    srs_lb_t *c = new_lb(server.port);
    HELPER_EXPECT_FAILED_CODE(c->vt->load_hls_by_stream(c, url, spbhid, sizeof(spbhid)), ERROR_SESSION_NOT_FOUND);

    srs_lb_free(a);
    srs_lb_free(b);
    srs_lb_free(c);
    srs_resp_client_free(raw);
}

TEST(AppLbRedisTest, WebrtcSessionsLoadOnAnotherProxyAndEndedOnesAreDeletedInTheBackground)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_lb_t *a = new_lb(server.port);
    srs_lb_t *b = new_lb(server.port);
    srs_resp_client_t *raw = raw_client(server.port);
    HELPER_EXPECT_SUCCESS(a->vt->store_rtc(a, "__defaultVhost__/live/s", "ans1:off1", ""));

    std::string json = "{\"stream_url\":\"__defaultVhost__/live/s\",\"ufrag\":\"ans1:off1\"}";
    EXPECT_EQ(json, cmd(raw, {"GET", "srs-proxy-ufrag:ans1:off1"}));
    EXPECT_EQ(json, cmd(raw, {"GET", "srs-proxy-rtc:__defaultVhost__/live/s"}));
    EXPECT_GT(ttl_ms(raw, "srs-proxy-ufrag:ans1:off1"), 118000);
    EXPECT_LE(ttl_ms(raw, "srs-proxy-ufrag:ans1:off1"), 120000);

    // A binding request for that ufrag arriving at proxy B finds the session.
    char url[256];
    HELPER_EXPECT_SUCCESS(b->vt->load_rtc_by_ufrag(b, "ans1:off1", url, sizeof(url), NULL, 0));
    EXPECT_STREQ("__defaultVhost__/live/s", url);
    HELPER_EXPECT_FAILED_CODE(b->vt->load_rtc_by_ufrag(b, "x:y", url, sizeof(url), NULL, 0), ERROR_SESSION_NOT_FOUND);

    // remove_rtc does no Redis I/O (the relay's packet coroutine calls it); the keys go soon after.
    HELPER_EXPECT_SUCCESS(a->vt->remove_rtc(a, "ans1:off1"));
    EXPECT_EQ(json, cmd(raw, {"GET", "srs-proxy-ufrag:ans1:off1"}));
    run_for(1500 * SRS_UTIME_MILLISECONDS);
    EXPECT_EQ("(nil)", cmd(raw, {"GET", "srs-proxy-ufrag:ans1:off1"}));
    EXPECT_EQ("(nil)", cmd(raw, {"GET", "srs-proxy-rtc:__defaultVhost__/live/s"}));

    // Ended and offered again at once with the same ufrag: the new session stays.
    HELPER_EXPECT_SUCCESS(a->vt->store_rtc(a, "__defaultVhost__/live/s", "ans2:off2", ""));
    HELPER_EXPECT_SUCCESS(a->vt->remove_rtc(a, "ans2:off2"));
    HELPER_EXPECT_SUCCESS(a->vt->store_rtc(a, "__defaultVhost__/live/s", "ans2:off2", ""));
    run_for(1500 * SRS_UTIME_MILLISECONDS);
    EXPECT_EQ("(int)1", cmd(raw, {"EXISTS", "srs-proxy-ufrag:ans2:off2"}));

    // Another session of the stream keeps its stream entry when an older one ends.
    HELPER_EXPECT_SUCCESS(b->vt->store_rtc(b, "__defaultVhost__/live/s", "ans3:off3", ""));
    HELPER_EXPECT_SUCCESS(a->vt->remove_rtc(a, "ans2:off2"));
    run_for(1500 * SRS_UTIME_MILLISECONDS);
    EXPECT_EQ("(nil)", cmd(raw, {"GET", "srs-proxy-ufrag:ans2:off2"}));
    EXPECT_NE(std::string::npos, cmd(raw, {"GET", "srs-proxy-rtc:__defaultVhost__/live/s"}).find("ans3:off3"));

    srs_lb_free(a);
    srs_lb_free(b);
    srs_resp_client_free(raw);
}

struct UpdateJob {
    srs_lb_t *lb;
    srs_origin_t origin;
    srs_error_t err;
};

static srs_error_t update_cycle(void *arg)
{
    UpdateJob *job = (UpdateJob *)arg;
    job->err = job->lb->vt->update(job->lb, &job->origin);
    return srs_success;
}

TEST(AppLbRedisTest, ConcurrentRegistrationsOnTwoProxiesAllReachTheList)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_lb_t *lbs[] = {new_lb(server.port), new_lb(server.port), new_lb(server.port)};
    srs_resp_client_t *raw = raw_client(server.port);

    // Interleaved on three connections; Go's GET-then-SET would lose some of them.
    const int n = 24;
    std::vector<UpdateJob> jobs(n);
    std::vector<srs_coroutine_t *> cos;
    for (int i = 0; i < n; i++) {
        jobs[i] = {lbs[i % 3], make_origin("vid-" + std::to_string(i), "1", 19000 + i), NULL};
        srs_coroutine_t *co = srs_coroutine_new("update", update_cycle, &jobs[i]);
        HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
        cos.push_back(co);
    }
    for (auto *co : cos) {
        while (!co->done) run_for(10 * SRS_UTIME_MILLISECONDS);
        srs_coroutine_free(co);
    }
    for (auto &j : jobs) HELPER_EXPECT_SUCCESS(j.err);

    cJSON *list = cJSON_Parse(cmd(raw, {"GET", "srs-proxy-all-servers"}).c_str());
    ASSERT_TRUE(cJSON_IsArray(list));
    EXPECT_EQ(n, cJSON_GetArraySize(list));
    cJSON_Delete(list);
    for (auto *lb : lbs) srs_lb_free(lb);
    srs_resp_client_free(raw);
}

TEST(AppLbRedisTest, NoOriginIsACleanError)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_lb_t *lb = new_lb(server.port);
    srs_origin_t o;
    HELPER_EXPECT_FAILED_CODE(lb->vt->pick(lb, "__defaultVhost__/live/s", &o), ERROR_ORIGIN_NONE);
    server.stop();
    srs_error_t err = lb->vt->pick(lb, "__defaultVhost__/live/s", &o);
    EXPECT_EQ(ERROR_ORIGIN_NONE, srs_error_code(err));
    std::string text = srs_error_summary(err);
    EXPECT_NE(std::string::npos, text.find("Redis unreachable")) << text;
    srs_error_free(err);
    srs_lb_free(lb);
}

TEST(AppLbRedisTest, RedisLostServesFromTheLocalCacheThenResyncs)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_lb_t *lb = new_lb(server.port);
    srs_origin_t o1 = make_origin("vid-1", "100", 19351);
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o1));
    EXPECT_EQ("vid-1-svc-100", pick_id(lb, "__defaultVhost__/live/s"));
    HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "__defaultVhost__/live/s", "a:b", ""));
    HELPER_EXPECT_SUCCESS(lb->vt->store_hls(lb, "__defaultVhost__/live/s", "spb-9", "http://h/live/s.m3u8"));

    server.stop();
    // Picks, registrations and sessions go on from what this proxy knows.
    EXPECT_EQ("vid-1-svc-100", pick_id(lb, "__defaultVhost__/live/s"));
    EXPECT_EQ("vid-1-svc-100", pick_id(lb, "__defaultVhost__/live/new"));
    srs_origin_t o2 = make_origin("vid-2", "200", 19352);
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o2));
    HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "__defaultVhost__/live/s", "c:d", ""));
    char url[256], full[256], spbhid[64];
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "a:b", url, sizeof(url), NULL, 0));
    EXPECT_STREQ("__defaultVhost__/live/s", url);
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_rtc_by_ufrag(lb, "x:y", url, sizeof(url), NULL, 0), ERROR_SESSION_NOT_FOUND);
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_spbhid(lb, "spb-9", url, sizeof(url), full, sizeof(full)));
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_stream(lb, "__defaultVhost__/live/s", spbhid, sizeof(spbhid)));
    EXPECT_STREQ("spb-9", spbhid);

    // Redis comes back empty, and another proxy pins a stream before this one notices: the
    // background coroutine writes back what Redis lost, but not over that newer value.
    ASSERT_TRUE(server.start());
    srs_resp_client_t *raw = raw_client(server.port);
    EXPECT_EQ("OK", cmd(raw, {"SET", "srs-proxy-url:__defaultVhost__/live/new", "srs-proxy-server:vid-2-svc-200"}));
    const char *keys[] = {"srs-proxy-server:vid-1-svc-100", "srs-proxy-server:vid-2-svc-200",
                          "srs-proxy-url:__defaultVhost__/live/s", "srs-proxy-ufrag:a:b", "srs-proxy-ufrag:c:d",
                          "srs-proxy-spbhid:spb-9", "srs-proxy-hls:__defaultVhost__/live/s"};
    for (int i = 0; i < 50 && cmd(raw, {"EXISTS", keys[0]}) != "(int)1"; i++) run_for(100 * SRS_UTIME_MILLISECONDS);
    for (const char *k : keys) EXPECT_EQ("(int)1", cmd(raw, {"EXISTS", k})) << k;
    EXPECT_GT(ttl_ms(raw, "srs-proxy-server:vid-2-svc-200"), 290000);
    EXPECT_GT(ttl_ms(raw, "srs-proxy-url:__defaultVhost__/live/s"), 290000);
    EXPECT_EQ("srs-proxy-server:vid-2-svc-200", cmd(raw, {"GET", "srs-proxy-url:__defaultVhost__/live/new"}));
    cJSON *list = cJSON_Parse(cmd(raw, {"GET", "srs-proxy-all-servers"}).c_str());
    EXPECT_EQ(2, cJSON_GetArraySize(list));
    cJSON_Delete(list);
    // Redis is the truth again.
    EXPECT_EQ("vid-2-svc-200", pick_id(lb, "__defaultVhost__/live/new"));
    srs_lb_free(lb);
    srs_resp_client_free(raw);
}

// Issue 21: what Redis holds is input. An origin value that fails a registration's validation is
// never dialled, sessions with garbage are not found, and both are counted.
TEST(AppLbRedisTest, GarbageValuesInRedisAreRefusedAndCounted)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_lb_t *lb = new_lb(server.port);
    srs_resp_client_t *raw = raw_client(server.port);
    EXPECT_EQ("OK", cmd(raw, {"SET", "srs-proxy-server:evil-svc-1",
                              "{\"ip\":\"224.0.0.1\",\"server_id\":\"evil\",\"service_id\":\"svc\",\"pid\":\"1\","
                              "\"rtmp\":[\"1935\"],\"update_at\":\"2099-01-01T00:00:00Z\"}"}));
    EXPECT_EQ("OK", cmd(raw, {"SET", "srs-proxy-all-servers", "[\"srs-proxy-server:evil-svc-1\"]"}));
    uint64_t invalid = srs_lb_stats()->invalid_redis_values;
    std::string r = pick_id(lb, "__defaultVhost__/live/s");
    EXPECT_EQ(0u, r.find("(failed)")) << r;
    EXPECT_GT(srs_lb_stats()->invalid_redis_values, invalid);
    srs_lb_memory_sizes_t sizes;
    srs_lb_redis_sizes(lb, &sizes);
    EXPECT_EQ(0u, sizes.origins);

    // Listing skips it too.
    int n = 0;
    lb->vt->foreach_origin(lb, [](void *ctx, const srs_origin_t *, bool) { (*(int *)ctx)++; }, &n);
    EXPECT_EQ(0, n);

    // Sessions: not JSON, a control character, no slash in the stream URL.
    EXPECT_EQ("OK", cmd(raw, {"SET", "srs-proxy-ufrag:a:b", "garbage"}));
    EXPECT_EQ("OK", cmd(raw, {"SET", "srs-proxy-ufrag:c:d", "{\"stream_url\":\"live\\u0001x/y\",\"ufrag\":\"c:d\"}"}));
    EXPECT_EQ("OK", cmd(raw, {"SET", "srs-proxy-spbhid:x", "{\"spbhid\":\"x\",\"stream_url\":\"nourl\",\"full_url\":\"f\"}"}));
    char url[256], full[256];
    invalid = srs_lb_stats()->invalid_redis_values;
    HELPER_EXPECT_FAILED(lb->vt->load_rtc_by_ufrag(lb, "a:b", url, sizeof(url), NULL, 0));
    HELPER_EXPECT_FAILED(lb->vt->load_rtc_by_ufrag(lb, "c:d", url, sizeof(url), NULL, 0));
    HELPER_EXPECT_FAILED(lb->vt->load_hls_by_spbhid(lb, "x", url, sizeof(url), full, sizeof(full)));
    EXPECT_EQ(invalid + 3, srs_lb_stats()->invalid_redis_values);
    srs_lb_redis_sizes(lb, &sizes);
    EXPECT_EQ(0u, sizes.rtc_sessions);
    EXPECT_EQ(0u, sizes.hls_sessions);
    srs_resp_client_free(raw);
    srs_lb_free(lb);
}
