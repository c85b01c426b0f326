// SPDX-License-Identifier: MIT
// Origin registration (spec §2), the Go proxy's origin JSON (§3.2) and the memory balancer (§3.1).
#include "srs_utest.h"

#include <cstring>
#include <set>
#include <string>
#include <unistd.h>

extern "C" {
#include "srs_app_lb.h"
#include "srs_app_origin.h"
#include "srs_core_log.h"
}

// What a real SRS 7.0.18 origin posts, verbatim (srs-origin-notes.md).
static const char *kSrsHeartbeat =
    "{\"device_id\":\"origin1\",\"ip\":\"127.0.0.1\",\"server\":\"vid-0xi0801\",\"service\":\"0676p847\","
    "\"pid\":\"24648\",\"rtmp\":[\"19351\"],\"http\":[\"8081\"],\"api\":[\"19851\"],"
    "\"srt\":[\"udp://0.0.0.0:10081\"],\"rtc\":[\"udp://0.0.0.0:8001\"]}";

static srs_error_t parse_register(const std::string &body, srs_origin_t *o)
{
    return srs_origin_parse_register(body.data(), body.size(), o);
}

// The client-facing message of a failed registration ("ok" when it passed).
static std::string register_message(const std::string &body)
{
    srs_origin_t o;
    srs_error_t err = parse_register(body, &o);
    if (!err) return "ok";
    std::string msg = srs_error_message(err);
    EXPECT_EQ(ERROR_ORIGIN_INVALID, srs_error_code(err)) << body;
    srs_error_free(err);
    return msg;
}

TEST(AppOriginTest, RealSrsHeartbeatIsAccepted)
{
    srs_origin_t o;
    int64_t before = srs_time_now_wall();
    HELPER_EXPECT_SUCCESS(parse_register(kSrsHeartbeat, &o));
    EXPECT_STREQ("127.0.0.1", o.ip);
    EXPECT_STREQ("origin1", o.device_id);
    EXPECT_STREQ("vid-0xi0801", o.server_id);
    EXPECT_STREQ("0676p847", o.service_id);
    EXPECT_STREQ("24648", o.pid);
    ASSERT_EQ(1, o.n_rtmp);
    EXPECT_STREQ("19351", o.rtmp[0]);
    EXPECT_STREQ("udp://0.0.0.0:10081", o.srt[0]);
    EXPECT_EQ(19351, o.rtmp_port);
    EXPECT_EQ(8081, o.http_port);
    EXPECT_EQ(19851, o.api_port);
    EXPECT_EQ(8001, o.rtc_port);
    EXPECT_EQ(10081, o.srt_port);
    EXPECT_GE(o.updated_at, before);
    EXPECT_LE(o.updated_at, srs_time_now_wall());

    char id[400];
    srs_origin_id(&o, id, sizeof(id));
    EXPECT_STREQ("vid-0xi0801-0676p847-24648", id);
}

TEST(AppOriginTest, EachMissingFieldHasItsMessage)
{
    EXPECT_EQ("empty ip", register_message("{}"));
    EXPECT_EQ("empty ip", register_message(""));
    EXPECT_EQ("empty ip", register_message("{\"ip\":\"\",\"server\":\"s\"}"));
    EXPECT_EQ("empty ip", register_message("{\"ip\":null}"));
    EXPECT_EQ("empty server", register_message("{\"ip\":\"1.2.3.4\"}"));
    EXPECT_EQ("empty service", register_message("{\"ip\":\"1.2.3.4\",\"server\":\"s\"}"));
    EXPECT_EQ("empty pid", register_message("{\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\"}"));
    EXPECT_EQ("empty rtmp", register_message("{\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\"}"));
    EXPECT_EQ("empty rtmp", register_message("{\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[]}"));
    EXPECT_EQ("ok", register_message("{\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"]}"));
}

TEST(AppOriginTest, WrongTypesAndNotJsonFail)
{
    // pid must be a string, as Go's decoder wants it.
    EXPECT_EQ("invalid pid, not a string",
              register_message("{\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":24648,\"rtmp\":[\"1935\"]}"));
    EXPECT_EQ("invalid rtmp, not an array of strings",
              register_message("{\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[1935]}"));
    EXPECT_EQ("invalid rtmp, not an array",
              register_message("{\"ip\":\"1.2.3.4\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":\"1935\"}"));
    EXPECT_EQ("invalid json", register_message("not json"));
    EXPECT_EQ("invalid json", register_message("{\"ip\":\"1.2.3.4\""));
    EXPECT_EQ("invalid json", register_message("{} {}"));
    EXPECT_EQ("invalid json, not an object", register_message("[1,2]"));
    EXPECT_EQ("invalid json, not an object", register_message("\"ip\""));
    EXPECT_EQ("empty ip", register_message(" {} \n"));
}

TEST(AppOriginTest, EveryEndpointFormInEveryList)
{
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(parse_register(
        "{\"ip\":\"10.0.0.1\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"tcp://:1935\"],"
        "\"http\":[\"0.0.0.0:8080\"],\"api\":[\"tcp://127.0.0.1:1985\"],\"rtc\":[\"udp:1.2.3.4:8000\"],"
        "\"srt\":[\"udp://[::]:10080\"]}", &o));
    EXPECT_EQ(1935, o.rtmp_port);
    EXPECT_EQ(8080, o.http_port);
    EXPECT_EQ(1985, o.api_port);
    EXPECT_EQ(8000, o.rtc_port);
    EXPECT_EQ(10080, o.srt_port);
    EXPECT_STREQ("tcp://:1935", o.rtmp[0]);
}

TEST(AppOriginTest, PortsSkipTheOtherTransportAndBadEntries)
{
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(parse_register(
        "{\"ip\":\"10.0.0.1\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],"
        "\"http\":[\"garbage\",\"8080\"],\"rtc\":[\"tcp://0.0.0.0:8000\",\"udp://0.0.0.0:8001\"],\"srt\":[\"tcp://1\"]}", &o));
    EXPECT_EQ(8080, o.http_port);
    EXPECT_EQ(8001, o.rtc_port);
    EXPECT_EQ(0, o.srt_port);
    EXPECT_EQ(0, o.api_port);
    EXPECT_EQ(2, o.n_rtc);
}

TEST(AppOriginTest, RtmpFirstEndpointMustParse)
{
    std::string head = "{\"ip\":\"10.0.0.1\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":";
    EXPECT_NE(std::string::npos, register_message(head + "[\"abc\",\"1935\"]}").find("invalid rtmp abc"));
    EXPECT_NE(std::string::npos, register_message(head + "[\"0\"]}").find("invalid rtmp 0"));
    EXPECT_NE(std::string::npos, register_message(head + "[\"udp://1935\"]}").find("not tcp"));
    EXPECT_EQ("ok", register_message(head + "[\"1935\",\"abc\"]}"));
}

TEST(AppOriginTest, LongListsKeepTheFirstAndLongFieldsFail)
{
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(parse_register(
        "{\"ip\":\"10.0.0.1\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\","
        "\"rtmp\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]}", &o));
    EXPECT_EQ(SRS_ORIGIN_MAX_ENDPOINTS, o.n_rtmp);
    EXPECT_STREQ("4", o.rtmp[3]);

    std::string head = "{\"ip\":\"10.0.0.1\",\"server\":\"s\",\"service\":\"v\",\"rtmp\":[\"1935\"],\"pid\":";
    EXPECT_EQ("ok", register_message(head + "\"" + std::string(31, '1') + "\"}"));
    EXPECT_EQ("invalid pid, longer than 31", register_message(head + "\"" + std::string(32, '1') + "\"}"));
    EXPECT_NE("ok", register_message("{\"ip\":\"10.0.0.1\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"" +
                                     std::string(64, '1') + "\"]}"));
}

TEST(AppOriginTest, JsonRoundTrip)
{
    srs_origin_t o, back;
    HELPER_EXPECT_SUCCESS(parse_register(kSrsHeartbeat, &o));
    o.updated_at = 1730016000LL * 1000000 + 123456;
    char *json = srs_origin_to_json(&o);
    HELPER_EXPECT_SUCCESS(srs_origin_from_json(json, strlen(json), &back));
    free(json);
    EXPECT_EQ(0, memcmp(&o, &back, sizeof(o)));
}

TEST(AppOriginTest, JsonHasGoFieldsAndTimeFormat)
{
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(parse_register(
        "{\"ip\":\"10.0.0.1\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"]}", &o));
    o.updated_at = 1730016000LL * 1000000 + 120000;
    char *json = srs_origin_to_json(&o);
    EXPECT_STREQ("{\"ip\":\"10.0.0.1\",\"server_id\":\"s\",\"service_id\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],"
                 "\"update_at\":\"2024-10-27T08:00:00.12Z\"}", json);
    free(json);

    o.updated_at = 951868799LL * 1000000;
    json = srs_origin_to_json(&o);
    EXPECT_NE(nullptr, strstr(json, "\"update_at\":\"2000-02-29T23:59:59Z\""));
    free(json);
}

TEST(AppOriginTest, ReadsWhatGoWrites)
{
    const char *go = "{\"ip\":\"127.0.0.1\",\"device_id\":\"origin1\",\"server_id\":\"vid-0xi0801\","
                     "\"service_id\":\"0676p847\",\"pid\":\"24648\",\"rtmp\":[\"19351\"],\"http\":[\"8081\"],"
                     "\"api\":[\"19851\"],\"srt\":[\"udp://0.0.0.0:10081\"],\"rtc\":[\"udp://0.0.0.0:8001\"],"
                     "\"update_at\":\"2026-01-02T15:04:05.123456789+08:00\"}";
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(srs_origin_from_json(go, strlen(go), &o));
    EXPECT_STREQ("vid-0xi0801", o.server_id);
    EXPECT_STREQ("0676p847", o.service_id);
    EXPECT_STREQ("origin1", o.device_id);
    EXPECT_EQ(1767337445LL * 1000000 + 123456, o.updated_at);
    EXPECT_EQ(19351, o.rtmp_port);
    EXPECT_EQ(8001, o.rtc_port);
    EXPECT_EQ(10081, o.srt_port);

    const char *negative = "{\"update_at\":\"1970-01-01T00:00:00.5-00:01\"}";
    HELPER_EXPECT_SUCCESS(srs_origin_from_json(negative, strlen(negative), &o));
    EXPECT_EQ(60LL * 1000000 + 500000, o.updated_at);

    const char *bad[] = {
        "{\"update_at\":\"2026-01-02 15:04:05Z\"}", "{\"update_at\":\"2026-02-30T00:00:00Z\"}",
        "{\"update_at\":\"2026-01-02T15:04:05\"}", "{\"update_at\":\"2026-01-02T15:04:05.Z\"}",
        "{\"update_at\":12}", "{\"pid\":1}", "[]", "nope",
    };
    for (const char *text : bad) HELPER_EXPECT_FAILED_CODE(srs_origin_from_json(text, strlen(text), &o), ERROR_ORIGIN_INVALID);
}

TEST(AppOriginTest, DescribeForLogs)
{
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(parse_register(kSrsHeartbeat, &o));
    char desc[256];
    srs_origin_describe(&o, desc, sizeof(desc));
    EXPECT_STREQ("SRS ip=127.0.0.1, id=vid-0xi0801-0676p847-24648, rtmp=19351, http=8081, api=19851, rtc=8001, srt=10081", desc);

    o.http_port = o.srt_port = 0;
    srs_origin_describe(&o, desc, sizeof(desc));
    EXPECT_STREQ("SRS ip=127.0.0.1, id=vid-0xi0801-0676p847-24648, rtmp=19351, api=19851, rtc=8001", desc);

    char tiny[10];
    srs_origin_describe(&o, tiny, sizeof(tiny));
    EXPECT_STREQ("SRS ip=12", tiny);
}

TEST(AppOriginTest, DefaultBackend)
{
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(srs_origin_default_backend("127.0.0.1", "1935", "", "1985", "8000", "10080", &o));
    EXPECT_STREQ("127.0.0.1", o.ip);
    EXPECT_EQ(0, strncmp(o.server_id, "default-", 8));
    EXPECT_EQ(8u + 7u, strlen(o.server_id));
    EXPECT_EQ(7u, strlen(o.service_id));
    EXPECT_EQ(std::to_string(getpid()), o.pid);
    EXPECT_EQ(1935, o.rtmp_port);
    EXPECT_EQ(0, o.n_http);
    EXPECT_EQ(0, o.http_port);
    EXPECT_EQ(1985, o.api_port);
    EXPECT_EQ(8000, o.rtc_port);
    EXPECT_EQ(10080, o.srt_port);
    EXPECT_GT(o.updated_at, 0);

    srs_error_t err = srs_origin_default_backend("", "1935", NULL, NULL, NULL, NULL, &o);
    ASSERT_TRUE(err != srs_success);
    EXPECT_STREQ("empty default backend ip", srs_error_message(err));
    srs_error_reset(err);
    err = srs_origin_default_backend("127.0.0.1", "", NULL, NULL, NULL, NULL, &o);
    ASSERT_TRUE(err != srs_success);
    EXPECT_STREQ("empty default backend rtmp", srs_error_message(err));
    srs_error_reset(err);
    HELPER_EXPECT_FAILED(srs_origin_default_backend("127.0.0.1", "19x", NULL, NULL, NULL, NULL, &o));
}

// The memory balancer, on a fake wall clock.
static int64_t fake_now;
static int64_t fake_clock() { return fake_now; }

static const srs_utime_t kTtl = 300 * SRS_UTIME_SECONDS;

class AppLbMemoryTest : public ::testing::Test {
protected:
    srs_lb_t *lb = nullptr;
    void SetUp() override
    {
        fake_now = 1730016000LL * SRS_UTIME_SECONDS;
        lb = srs_lb_memory_new(kTtl, fake_clock);
    }
    void TearDown() override { srs_lb_free(lb); }

    void add(const char *server, int rtmp_port, int64_t updated_at)
    {
        srs_origin_t o;
        memset(&o, 0, sizeof(o));
        snprintf(o.ip, sizeof(o.ip), "10.0.0.%d", rtmp_port % 250);
        snprintf(o.server_id, sizeof(o.server_id), "%s", server);
        snprintf(o.service_id, sizeof(o.service_id), "svc");
        snprintf(o.pid, sizeof(o.pid), "1");
        snprintf(o.rtmp[0], sizeof(o.rtmp[0]), "%d", rtmp_port);
        o.n_rtmp = 1;
        o.rtmp_port = rtmp_port;
        o.updated_at = updated_at;
        HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o));
    }

    // The server id picked for a stream, or "error <code>".
    std::string pick(const char *url)
    {
        srs_origin_t o;
        srs_error_t err = lb->vt->pick(lb, url, &o);
        if (err) {
            std::string s = "error " + std::to_string(srs_error_code(err));
            srs_error_free(err);
            return s;
        }
        return o.server_id;
    }

    srs_lb_memory_sizes_t sizes()
    {
        srs_lb_memory_sizes_t s;
        srs_lb_memory_sizes(lb, &s);
        return s;
    }
};

TEST_F(AppLbMemoryTest, NoOriginIsAnError)
{
    srs_origin_t o;
    srs_error_t err = lb->vt->pick(lb, "__defaultVhost__/live/s", &o);
    ASSERT_TRUE(err != srs_success);
    EXPECT_EQ(ERROR_ORIGIN_NONE, srs_error_code(err));
    EXPECT_STREQ("no server available for __defaultVhost__/live/s", srs_error_message(err));
    srs_error_free(err);
}

TEST_F(AppLbMemoryTest, PickIsStickyPerStream)
{
    add("a", 1001, fake_now);
    add("b", 1002, fake_now);
    add("c", 1003, fake_now);

    std::set<std::string> chosen;
    for (int i = 0; i < 60; i++) {
        std::string url = "__defaultVhost__/live/s" + std::to_string(i);
        std::string first = pick(url.c_str());
        ASSERT_NE(std::string::npos, std::string("abc").find(first)) << first;
        for (int j = 0; j < 5; j++) EXPECT_EQ(first, pick(url.c_str()));
        chosen.insert(first);
    }
    // Random among three: sixty streams do not all land on one origin.
    EXPECT_GT(chosen.size(), 1u);
    EXPECT_EQ(60u, sizes().picked);
}

TEST_F(AppLbMemoryTest, PickCopiesTheOrigin)
{
    add("a", 1935, fake_now);
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(lb->vt->pick(lb, "live/s", &o));
    EXPECT_EQ(1935, o.rtmp_port);
    EXPECT_STREQ("10.0.0.185", o.ip);

    // An update with the same id replaces the origin; the stream stays on it.
    add("a", 1936, fake_now);
    HELPER_EXPECT_SUCCESS(lb->vt->pick(lb, "live/s", &o));
    EXPECT_EQ(1936, o.rtmp_port);
    EXPECT_EQ(1u, sizes().origins);
}

TEST_F(AppLbMemoryTest, FirstPickPrefersAliveOrigins)
{
    add("dead", 1001, fake_now - kTtl);  // exactly TTL old: no longer alive
    add("alive", 1002, fake_now - kTtl + 1);
    for (int i = 0; i < 30; i++) {
        EXPECT_EQ("alive", pick(("live/s" + std::to_string(i)).c_str()));
    }
}

TEST_F(AppLbMemoryTest, FallsBackToAllWhenNoneAlive)
{
    add("old", 1001, fake_now - 2 * kTtl);
    EXPECT_EQ("old", pick("live/s"));
}

TEST_F(AppLbMemoryTest, RepicksWhenStickyExpiredAndAnotherIsAlive)
{
    add("a", 1001, fake_now);
    EXPECT_EQ("a", pick("live/s"));

    // a stops heartbeating; b registers.
    fake_now += kTtl;
    add("b", 1002, fake_now);
    EXPECT_EQ("b", pick("live/s"));

    // a comes back: the stream stays on b, which is alive.
    add("a", 1001, fake_now);
    EXPECT_EQ("b", pick("live/s"));
}

TEST_F(AppLbMemoryTest, KeepsStickyWhenEveryOriginExpired)
{
    add("a", 1001, fake_now);
    add("b", 1002, fake_now);
    std::string first = pick("live/s");
    fake_now += 2 * kTtl;
    for (int i = 0; i < 10; i++) EXPECT_EQ(first, pick("live/s"));
}

static void count_origins(void *ctx, const srs_origin_t *o, bool alive)
{
    std::string *s = (std::string *)ctx;
    *s += std::string(o->server_id) + (alive ? "+" : "-");
}

TEST_F(AppLbMemoryTest, ForeachReportsAliveness)
{
    add("a", 1001, fake_now - kTtl - 1);
    std::string seen;
    lb->vt->foreach_origin(lb, count_origins, &seen);
    EXPECT_EQ("a-", seen);

    add("a", 1001, fake_now);
    seen.clear();
    lb->vt->foreach_origin(lb, count_origins, &seen);
    EXPECT_EQ("a+", seen);
}

TEST_F(AppLbMemoryTest, SweepForgetsLongSilentOriginsAndTheirPicks)
{
    add("a", 1001, fake_now);
    EXPECT_EQ("a", pick("live/s"));
    fake_now += SRS_LB_ORIGIN_FORGET_TTLS * kTtl - 1;
    lb->vt->sweep(lb);
    EXPECT_EQ(1u, sizes().origins);
    EXPECT_EQ(1u, sizes().picked);

    fake_now += 1;
    add("b", 1002, fake_now);
    lb->vt->sweep(lb);
    EXPECT_EQ(1u, sizes().origins);
    EXPECT_EQ(0u, sizes().picked);
    EXPECT_EQ("b", pick("live/s"));
}

TEST_F(AppLbMemoryTest, HlsStoreAndLoad)
{
    char su[128], fu[256], spbhid[32];
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_hls_by_stream(lb, "live/s", spbhid, sizeof(spbhid)), ERROR_SESSION_NOT_FOUND);
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_hls_by_spbhid(lb, "abc", su, sizeof(su), fu, sizeof(fu)), ERROR_SESSION_NOT_FOUND);

    HELPER_EXPECT_SUCCESS(lb->vt->store_hls(lb, "live/s", "abc1234", "http://h/live/s.m3u8"));
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_stream(lb, "live/s", spbhid, sizeof(spbhid)));
    EXPECT_STREQ("abc1234", spbhid);
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_spbhid(lb, "abc1234", su, sizeof(su), fu, sizeof(fu)));
    EXPECT_STREQ("live/s", su);
    EXPECT_STREQ("http://h/live/s.m3u8", fu);

    // A buffer too small is an error, never a truncated id.
    char tiny[4];
    HELPER_EXPECT_FAILED(lb->vt->load_hls_by_stream(lb, "live/s", tiny, sizeof(tiny)));

    // A new spbhid for the stream: the old one still serves its players until it expires.
    HELPER_EXPECT_SUCCESS(lb->vt->store_hls(lb, "live/s", "def5678", "http://h/live/s.m3u8?x=1"));
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_stream(lb, "live/s", spbhid, sizeof(spbhid)));
    EXPECT_STREQ("def5678", spbhid);
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_spbhid(lb, "abc1234", su, sizeof(su), fu, sizeof(fu)));
    EXPECT_EQ(1u, sizes().hls_streams);
    EXPECT_EQ(2u, sizes().hls_sessions);
}

TEST_F(AppLbMemoryTest, HlsExpiresAfterLastUse)
{
    char su[128], fu[256], spbhid[32];
    HELPER_EXPECT_SUCCESS(lb->vt->store_hls(lb, "live/s", "abc1234", "http://h/live/s.m3u8"));

    // Loads keep it alive: each within 120 s of the previous one.
    for (int i = 0; i < 3; i++) {
        fake_now += SRS_LB_HLS_ALIVE - 1;
        HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_spbhid(lb, "abc1234", su, sizeof(su), fu, sizeof(fu)));
    }
    // Segment loads also kept the stream's playlist entry alive.
    fake_now += SRS_LB_HLS_ALIVE - 1;
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_stream(lb, "live/s", spbhid, sizeof(spbhid)));

    fake_now += SRS_LB_HLS_ALIVE;
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_hls_by_spbhid(lb, "abc1234", su, sizeof(su), fu, sizeof(fu)), ERROR_SESSION_NOT_FOUND);
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_hls_by_stream(lb, "live/s", spbhid, sizeof(spbhid)), ERROR_SESSION_NOT_FOUND);
    EXPECT_EQ(0u, sizes().hls_streams);
    EXPECT_EQ(0u, sizes().hls_sessions);
}

TEST_F(AppLbMemoryTest, RtcStoreLoadRemoveExpire)
{
    char su[128];
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_rtc_by_ufrag(lb, "ans:off", su, sizeof(su), NULL, 0), ERROR_SESSION_NOT_FOUND);
    HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "live/s", "ans:off", ""));
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "ans:off", su, sizeof(su), NULL, 0));
    EXPECT_STREQ("live/s", su);

    HELPER_EXPECT_SUCCESS(lb->vt->remove_rtc(lb, "ans:off"));
    HELPER_EXPECT_SUCCESS(lb->vt->remove_rtc(lb, "ans:off"));
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_rtc_by_ufrag(lb, "ans:off", su, sizeof(su), NULL, 0), ERROR_SESSION_NOT_FOUND);

    HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "live/s", "a2:o2", ""));
    fake_now += SRS_LB_RTC_ALIVE - 1;
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "a2:o2", su, sizeof(su), NULL, 0));  // refreshes
    fake_now += SRS_LB_RTC_ALIVE - 1;
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "a2:o2", su, sizeof(su), NULL, 0));
    fake_now += SRS_LB_RTC_ALIVE;
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_rtc_by_ufrag(lb, "a2:o2", su, sizeof(su), NULL, 0), ERROR_SESSION_NOT_FOUND);
}

TEST_F(AppLbMemoryTest, SweepEmptiesExpiredTables)
{
    for (int i = 0; i < 100; i++) {
        std::string n = std::to_string(i);
        HELPER_EXPECT_SUCCESS(lb->vt->store_hls(lb, ("live/h" + n).c_str(), ("id" + n).c_str(), "http://h/x.m3u8"));
        HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, ("live/r" + n).c_str(), ("u" + n).c_str(), ""));
    }
    fake_now += SRS_LB_HLS_ALIVE - 1;
    char su[64];
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "u7", su, sizeof(su), NULL, 0));
    lb->vt->sweep(lb);
    EXPECT_EQ(100u, sizes().hls_streams);
    EXPECT_EQ(100u, sizes().rtc_sessions);

    fake_now += 1;
    lb->vt->sweep(lb);
    EXPECT_EQ(0u, sizes().hls_streams);
    EXPECT_EQ(0u, sizes().hls_sessions);
    EXPECT_EQ(1u, sizes().rtc_sessions);  // u7 was used later
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "u7", su, sizeof(su), NULL, 0));
    EXPECT_STREQ("live/r7", su);
}

// ---- Issue 15: registration validates the ip; every table has a bound. ----

static std::string heartbeat_with_ip(const char *ip)
{
    return std::string("{\"ip\":\"") + ip + "\",\"server\":\"s\",\"service\":\"v\",\"pid\":\"1\",\"rtmp\":[\"19351\"]}";
}

TEST(AppOriginTest, RegistrationRefusesIpsThatNameNoHost)
{
    EXPECT_EQ("invalid ip, not an IP address", register_message(heartbeat_with_ip("evil")));
    // Names are never resolved (ST has no async DNS): refused, not looked up.
    EXPECT_EQ("invalid ip, not an IP address", register_message(heartbeat_with_ip("localhost")));
    EXPECT_EQ("invalid ip, not an IP address", register_message(heartbeat_with_ip("10.0.0.1:1935")));
    EXPECT_EQ("invalid ip 0.0.0.0, unspecified address", register_message(heartbeat_with_ip("0.0.0.0")));
    EXPECT_EQ("invalid ip ::, unspecified address", register_message(heartbeat_with_ip("::")));
    EXPECT_EQ("invalid ip 224.0.0.1, multicast address", register_message(heartbeat_with_ip("224.0.0.1")));
    EXPECT_EQ("invalid ip 239.255.255.250, multicast address", register_message(heartbeat_with_ip("239.255.255.250")));
    EXPECT_EQ("invalid ip ff02::1, multicast address", register_message(heartbeat_with_ip("ff02::1")));
    EXPECT_EQ("invalid ip 255.255.255.255, broadcast address", register_message(heartbeat_with_ip("255.255.255.255")));
    EXPECT_EQ("invalid ip ::ffff:224.0.0.1, multicast address", register_message(heartbeat_with_ip("::ffff:224.0.0.1")));
    EXPECT_EQ("invalid ip ::ffff:0.0.0.0, unspecified address", register_message(heartbeat_with_ip("::ffff:0.0.0.0")));
    EXPECT_EQ("ok", register_message(heartbeat_with_ip("127.0.0.1")));
    EXPECT_EQ("ok", register_message(heartbeat_with_ip("10.1.2.3")));
    EXPECT_EQ("ok", register_message(heartbeat_with_ip("::1")));
    EXPECT_EQ("ok", register_message(heartbeat_with_ip("2001:db8::7")));
}

// What Redis holds is validated like a registration before the proxy dials it.
TEST(AppOriginTest, RedisValuesAreValidatedLikeRegistrations)
{
    srs_origin_t o;
    memset(&o, 0, sizeof(o));
    snprintf(o.ip, sizeof(o.ip), "10.0.0.9");
    snprintf(o.server_id, sizeof(o.server_id), "srv");
    snprintf(o.service_id, sizeof(o.service_id), "svc");
    snprintf(o.pid, sizeof(o.pid), "7");
    snprintf(o.rtmp[0], sizeof(o.rtmp[0]), "19351");
    o.n_rtmp = 1;
    o.updated_at = 1730016000LL * SRS_UTIME_SECONDS;
    char *good = srs_origin_to_json(&o);
    srs_origin_t back;
    HELPER_EXPECT_SUCCESS(srs_origin_from_redis(good, strlen(good), &back));
    EXPECT_EQ(19351, back.rtmp_port);
    free(good);

    const char *bad[] = {
        "not json", "[]", "{}", "{\"ip\":\"evil\"}",
        "{\"ip\":\"224.0.0.1\",\"server_id\":\"s\",\"service_id\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],\"update_at\":\"2024-10-27T08:00:00Z\"}",
        "{\"ip\":\"10.0.0.1\",\"server_id\":\"\",\"service_id\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"],\"update_at\":\"2024-10-27T08:00:00Z\"}",
        "{\"ip\":\"10.0.0.1\",\"server_id\":\"s\",\"service_id\":\"v\",\"pid\":\"1\",\"rtmp\":[\"udp://1935\"],\"update_at\":\"2024-10-27T08:00:00Z\"}",
        "{\"ip\":\"10.0.0.1\",\"server_id\":\"s\",\"service_id\":\"v\",\"pid\":\"1\",\"rtmp\":[\"1935\"]}",
        "{\"ip\":\"10.0.0.1\",\"server_id\":\"s\",\"service_id\":\"v\",\"pid\":1,\"rtmp\":[\"1935\"],\"update_at\":\"2024-10-27T08:00:00Z\"}",
    };
    for (const char *b : bad) {
        srs_error_t err = srs_origin_from_redis(b, strlen(b), &back);
        EXPECT_EQ(ERROR_ORIGIN_INVALID, srs_error_code(err)) << b;
        srs_error_free(err);
    }
}

// The limits are process-wide: each test sets its own and puts the defaults back.
class AppLbBoundsTest : public AppLbMemoryTest {
protected:
    void limit(size_t origins, size_t streams, size_t sessions, srs_utime_t pick_idle)
    {
        srs_lb_limits_t l = {origins, streams, sessions, pick_idle};
        srs_lb_set_limits(&l);
    }
    void TearDown() override
    {
        AppLbMemoryTest::TearDown();
        srs_lb_limits_t defaults = {0, 0, 0, 0};
        srs_lb_set_limits(&defaults);
    }
    srs_error_t try_add(const char *server, int64_t updated_at)
    {
        srs_origin_t o;
        memset(&o, 0, sizeof(o));
        snprintf(o.ip, sizeof(o.ip), "10.0.0.1");
        snprintf(o.server_id, sizeof(o.server_id), "%s", server);
        snprintf(o.service_id, sizeof(o.service_id), "svc");
        snprintf(o.pid, sizeof(o.pid), "1");
        o.n_rtmp = 1;
        o.rtmp_port = 1935;
        o.updated_at = updated_at;
        return lb->vt->update(lb, &o);
    }
};

TEST_F(AppLbBoundsTest, DefaultsAreDocumented)
{
    const srs_lb_limits_t *l = srs_lb_limits();
    EXPECT_EQ(1024u, l->max_origins);
    EXPECT_EQ(10000u, l->max_streams);
    EXPECT_EQ(50000u, l->max_sessions);
    EXPECT_EQ(3600 * SRS_UTIME_SECONDS, l->pick_idle);
}

// 20 000 distinct stream names (the origin refused them all) leave at most PROXY_LB_MAX_STREAMS
// sticky picks; the least recently used go first, a stream in use stays.
TEST_F(AppLbBoundsTest, StickyPicksAreCappedLeastRecentlyUsedFirst)
{
    limit(0, 1000, 0, 0);
    add("a", 1001, fake_now);
    uint64_t evicted = srs_lb_stats()->evicted_picks;
    for (int i = 0; i < 20000; i++) {
        fake_now += 1000;
        std::string url = "__defaultVhost__/live/flood" + std::to_string(i);
        ASSERT_EQ("a", pick(url.c_str()));
        // One stream in real use: picked again all the time.
        if (i % 100 == 0) {
            ASSERT_EQ("a", pick("__defaultVhost__/live/real"));
        }
        ASSERT_LE(sizes().picked, 1000u);
    }
    EXPECT_GE(srs_lb_stats()->evicted_picks - evicted, 19000u);
    // Which entries go (least recently used first) is checked in AppLbEntriesTest.
}

TEST_F(AppLbBoundsTest, StickyPicksExpireWhenIdleAndRenewOnUse)
{
    limit(0, 0, 0, 60 * SRS_UTIME_SECONDS);
    add("a", 1001, fake_now);
    ASSERT_EQ("a", pick("__defaultVhost__/live/s"));
    ASSERT_EQ("a", pick("__defaultVhost__/live/idle"));
    for (int i = 0; i < 5; i++) {
        fake_now += 50 * SRS_UTIME_SECONDS;
        add("a", 1001, fake_now); // the origin lives
        ASSERT_EQ("a", pick("__defaultVhost__/live/s"));
        lb->vt->sweep(lb);
    }
    // The used one stayed; the idle one expired although its origin lives.
    EXPECT_EQ(1u, sizes().picked);
}

TEST_F(AppLbBoundsTest, SessionTablesAreCapped)
{
    limit(0, 0, 100, 0);
    uint64_t evicted = srs_lb_stats()->evicted_sessions;
    for (int i = 0; i < 5000; i++) {
        fake_now += 1000;
        std::string id = std::to_string(i);
        HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "__defaultVhost__/live/s", ("u" + id + ":o").c_str(), "pwd"));
        HELPER_EXPECT_SUCCESS(lb->vt->store_hls(lb, ("__defaultVhost__/live/s" + id).c_str(), ("spb" + id).c_str(), "http://h/x.m3u8"));
        ASSERT_LE(sizes().rtc_sessions, 100u);
        ASSERT_LE(sizes().hls_sessions, 100u);
        ASSERT_LE(sizes().hls_streams, 100u);
    }
    EXPECT_GT(srs_lb_stats()->evicted_sessions - evicted, 3 * 4000u);
    // The newest still load.
    char url[256], full[256];
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "u4999:o", url, sizeof(url), NULL, 0));
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_spbhid(lb, "spb4999", url, sizeof(url), full, sizeof(full)));
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_rtc_by_ufrag(lb, "u0:o", url, sizeof(url), NULL, 0), ERROR_SESSION_NOT_FOUND);
}

// PROXY_MAX_ORIGINS: known origins always refresh; a new one takes a dead one's slot, or is
// refused while all are alive.
TEST_F(AppLbBoundsTest, OriginsAreCappedButHeartbeatsPass)
{
    limit(3, 0, 0, 0);
    HELPER_EXPECT_SUCCESS(try_add("a", fake_now));
    HELPER_EXPECT_SUCCESS(try_add("b", fake_now));
    HELPER_EXPECT_SUCCESS(try_add("c", fake_now));
    uint64_t refused = srs_lb_stats()->refused_origins;
    HELPER_EXPECT_FAILED_CODE(try_add("evil", fake_now), ERROR_SYSTEM_LIMIT);
    EXPECT_EQ(refused + 1, srs_lb_stats()->refused_origins);
    EXPECT_EQ(3u, sizes().origins);

    fake_now += kTtl / 2;
    HELPER_EXPECT_SUCCESS(try_add("a", fake_now));
    HELPER_EXPECT_SUCCESS(try_add("b", fake_now));
    // c falls silent past its TTL: dead, its slot goes to the newcomer.
    fake_now += kTtl / 2 + SRS_UTIME_SECONDS;
    HELPER_EXPECT_SUCCESS(try_add("d", fake_now));
    EXPECT_EQ(3u, sizes().origins);
    std::set<std::string> ids;
    lb->vt->foreach_origin(lb, [](void *ctx, const srs_origin_t *o, bool) { ((std::set<std::string> *)ctx)->insert(o->server_id); }, &ids);
    EXPECT_EQ((std::set<std::string>{"a", "b", "d"}), ids);
}

// The eviction itself: exactly down to `keep`, oldest first, equal times handled.
TEST(AppLbEntriesTest, EvictDropsTheLeastRecentlyUsed)
{
    srs_map_t *m = srs_map_new();
    for (int i = 0; i < 1000; i++) srs_lb_entry_store_bounded(m, std::to_string(i).c_str(), "v", NULL, (i * 7919) % 1000, 0);
    EXPECT_EQ(900u, srs_lb_entries_evict(m, 100));
    EXPECT_EQ(100u, srs_map_size(m));
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, m); srs_map_iter_next(&it);) EXPECT_GE(((srs_lb_entry_t *)it.value)->last_use, 900);
    srs_lb_entries_free(m);

    // All at one time: still exactly `keep` left.
    m = srs_map_new();
    for (int i = 0; i < 500; i++) srs_lb_entry_store_bounded(m, std::to_string(i).c_str(), "v", NULL, 42, 0);
    EXPECT_EQ(499u, srs_lb_entries_evict(m, 1));
    EXPECT_EQ(1u, srs_map_size(m));
    EXPECT_EQ(0u, srs_lb_entries_evict(m, 1));
    srs_lb_entries_free(m);

    // A full table makes room by an eighth at once; replacing a key never evicts.
    m = srs_map_new();
    for (int i = 0; i < 80; i++) EXPECT_EQ(0u, srs_lb_entry_store_bounded(m, std::to_string(i).c_str(), "v", NULL, i, 80));
    EXPECT_EQ(0u, srs_lb_entry_store_bounded(m, "5", "w", NULL, 100, 80));
    EXPECT_EQ(10u, srs_lb_entry_store_bounded(m, "new", "v", NULL, 101, 80));
    EXPECT_EQ(71u, srs_map_size(m));
    EXPECT_TRUE(srs_map_get(m, "5") != NULL);
    EXPECT_TRUE(srs_map_get(m, "0") == NULL);
    srs_lb_entries_free(m);
}
