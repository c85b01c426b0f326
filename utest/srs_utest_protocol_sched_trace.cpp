// SPDX-License-Identifier: MIT
// The scheduler trace: recording switches, and the Chrome trace-event JSON written from them.
#include "srs_utest.h"

#include <cJSON.h>
#include <map>
#include <string>
#include <vector>

extern "C" {
#include "srs_protocol_coroutine.h"
#include "srs_protocol_sched_trace.h"
#include "srs_protocol_st.h"
}

namespace {

srs_error_t append_sink(void *ctx, const char *data, size_t len)
{
    ((std::string *)ctx)->append(data, len);
    return srs_success;
}

srs_error_t failing_sink(void *ctx, const char *data, size_t len)
{
    (void)data;
    (void)len;
    ++*(int *)ctx;
    return srs_error_new(ERROR_SYSTEM_IO, "peer went away");
}

struct Slice {
    int tid;
    std::string name;
    double ts, dur;
};

std::vector<Slice> slices(cJSON *root)
{
    std::vector<Slice> out;
    cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItem(root, "traceEvents"))
    {
        if (strcmp(cJSON_GetObjectItem(ev, "ph")->valuestring, "X")) continue;
        EXPECT_STREQ("switch", cJSON_GetObjectItem(ev, "cat")->valuestring);
        out.push_back({cJSON_GetObjectItem(ev, "tid")->valueint, cJSON_GetObjectItem(ev, "name")->valuestring,
                       cJSON_GetObjectItem(ev, "ts")->valuedouble, cJSON_GetObjectItem(ev, "dur")->valuedouble});
    }
    return out;
}

} // namespace

TEST(ProtocolSchedTraceTest, JsonHasSlicesIdleAndRunTimes)
{
    srs_sched_trace_t *t = srs_sched_trace_new(16);
    uint32_t a = srs_sched_trace_add_thread(t, "rtc-mux", "abc1234");
    uint32_t b = srs_sched_trace_add_thread(t, "timer \"x\"", "def5678");
    EXPECT_EQ(2u, a);
    EXPECT_EQ(3u, b);
    t->start_ns = 1000000;
    t->stop_ns = 1020000;
    srs_sched_trace_add_event(t, 1001000, a, SRS_TRACE_SWITCH_IN);
    srs_sched_trace_add_event(t, 1004000, a, SRS_TRACE_SWITCH_OUT);
    srs_sched_trace_add_event(t, 1010000, b, SRS_TRACE_SWITCH_IN);
    srs_sched_trace_add_event(t, 1011500, b, SRS_TRACE_SWITCH_OUT);
    srs_sched_trace_add_event(t, 1012000, a, SRS_TRACE_SWITCH_IN);
    // a ended without a switch out (ST skips the callback of an ending thread): b's switch in closes it.
    srs_sched_trace_add_event(t, 1013000, b, SRS_TRACE_SWITCH_IN);
    srs_sched_trace_add_event(t, 1014000, b, SRS_TRACE_SWITCH_OUT);

    std::string json;
    HELPER_EXPECT_SUCCESS(srs_sched_trace_write_json(t, 2000, append_sink, &json));
    srs_sched_trace_free(t);
    cJSON *root = cJSON_Parse(json.c_str());
    ASSERT_TRUE(root != NULL) << json;

    std::vector<Slice> s = slices(root);
    ASSERT_EQ(5u, s.size()) << json;
    EXPECT_EQ(2, s[0].tid);
    EXPECT_EQ("rtc-mux", s[0].name);
    EXPECT_DOUBLE_EQ(1.0, s[0].ts);
    EXPECT_DOUBLE_EQ(3.0, s[0].dur);
    // The 6 us without a coroutine are on the idle track; the 1 us and 0.5 us gaps are too short.
    EXPECT_EQ((int)SRS_TRACE_TID_IDLE, s[1].tid);
    EXPECT_DOUBLE_EQ(4.0, s[1].ts);
    EXPECT_DOUBLE_EQ(6.0, s[1].dur);
    EXPECT_EQ("timer \"x\"", s[2].name);
    EXPECT_DOUBLE_EQ(1.5, s[2].dur);
    EXPECT_EQ(2, s[3].tid);
    EXPECT_DOUBLE_EQ(12.0, s[3].ts);
    EXPECT_DOUBLE_EQ(1.0, s[3].dur);
    EXPECT_EQ(3, s[4].tid);

    // Track names carry the context id.
    std::map<int, std::string> names;
    cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItem(root, "traceEvents"))
    {
        if (!strcmp(cJSON_GetObjectItem(ev, "name")->valuestring, "thread_name")) {
            names[cJSON_GetObjectItem(ev, "tid")->valueint] = cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "args"), "name")->valuestring;
        }
    }
    EXPECT_EQ("rtc-mux [abc1234]", names[2]);
    EXPECT_EQ("main and coroutine exits", names[0]);

    // The summary: idle total counts every gap; coroutines by run time, longest first.
    cJSON *other = cJSON_GetObjectItem(root, "otherData");
    EXPECT_DOUBLE_EQ(7.5, cJSON_GetObjectItem(other, "idle_us")->valuedouble);
    EXPECT_DOUBLE_EQ(20.0, cJSON_GetObjectItem(other, "duration_us")->valuedouble);
    EXPECT_EQ(7, cJSON_GetObjectItem(other, "switch_events")->valueint);
    cJSON *cos = cJSON_GetObjectItem(other, "coroutines");
    ASSERT_EQ(2, cJSON_GetArraySize(cos));
    cJSON *first = cJSON_GetArrayItem(cos, 0);
    EXPECT_STREQ("rtc-mux", cJSON_GetObjectItem(first, "name")->valuestring);
    EXPECT_STREQ("abc1234", cJSON_GetObjectItem(first, "cid")->valuestring);
    EXPECT_DOUBLE_EQ(4.0, cJSON_GetObjectItem(first, "run_us")->valuedouble);
    EXPECT_EQ(2, cJSON_GetObjectItem(first, "runs")->valueint);
    EXPECT_DOUBLE_EQ(2.5, cJSON_GetObjectItem(cJSON_GetArrayItem(cos, 1), "run_us")->valuedouble);
    cJSON_Delete(root);
}

TEST(ProtocolSchedTraceTest, FullBufferCountsDropsAndSinkErrorsStop)
{
    srs_sched_trace_t *t = srs_sched_trace_new(2);
    uint32_t a = srs_sched_trace_add_thread(t, "a", "");
    EXPECT_TRUE(srs_sched_trace_add_event(t, 10, a, SRS_TRACE_SWITCH_IN));
    EXPECT_TRUE(srs_sched_trace_add_event(t, 20, a, SRS_TRACE_SWITCH_OUT));
    EXPECT_FALSE(srs_sched_trace_add_event(t, 30, a, SRS_TRACE_SWITCH_IN));
    EXPECT_EQ(1u, t->dropped);
    std::string json;
    HELPER_EXPECT_SUCCESS(srs_sched_trace_write_json(t, 0, append_sink, &json));
    EXPECT_NE(std::string::npos, json.find("\"dropped_events\":1"));
    int calls = 0;
    HELPER_EXPECT_FAILED_CODE(srs_sched_trace_write_json(t, 0, failing_sink, &calls), ERROR_SYSTEM_IO);
    EXPECT_EQ(1, calls);
    srs_sched_trace_free(t);
}

namespace {

srs_error_t sleeper(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        srs_error_t err = srs_st_usleep(1000);
        if (err) return err;
    }
    return srs_success;
}

} // namespace

TEST(ProtocolSchedTraceTest, RecordsRealSwitchesOfCoroutines)
{
    HELPER_EXPECT_SUCCESS(srs_sched_trace_start(1024));
    EXPECT_TRUE(srs_sched_trace_running());
    HELPER_EXPECT_FAILED_CODE(srs_sched_trace_start(1024), ERROR_SYSTEM_LIMIT);
    srs_coroutine_t *co = srs_coroutine_new("traced-sleeper", sleeper, NULL);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
    // Let it finish its sleeps; stopping it earlier would interrupt them.
    for (int i = 0; i < 100 && !co->done; i++) HELPER_EXPECT_SUCCESS(srs_st_usleep(1000));
    HELPER_EXPECT_SUCCESS(srs_coroutine_stop(co));
    srs_coroutine_free(co);
    // ST finishes a joined thread's exit when it next runs it (its record is gone by then).
    HELPER_EXPECT_SUCCESS(srs_st_usleep(1000));
    srs_sched_trace_t *t = srs_sched_trace_stop();
    ASSERT_TRUE(t != NULL);
    EXPECT_FALSE(srs_sched_trace_running());
    EXPECT_TRUE(srs_sched_trace_stop() == NULL);

    // The sleeper ran four times: its first run and three wake-ups, each switched in and out.
    uint32_t tid = 0;
    for (uint32_t i = 0; i < t->nthreads; i++) {
        if (!strcmp(t->threads[i].name, "traced-sleeper")) tid = i;
    }
    ASSERT_NE(0u, tid);
    int ins = 0, outs = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        if (t->events[i].tid != tid) continue;
        if (t->events[i].kind == SRS_TRACE_SWITCH_IN) ins++;
        else outs++;
        if (i) {
            EXPECT_GE(t->events[i].ts_ns, t->events[i - 1].ts_ns);
        }
    }
    EXPECT_EQ(4, ins);
    EXPECT_EQ(4, outs);
    srs_sched_trace_free(t);
}
