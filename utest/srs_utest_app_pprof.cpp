// SPDX-License-Identifier: MIT
// The debug listener's pieces: the coroutine dump, symbolizing this very process, pprof's
// symbol request bodies, heap profile text and scaling, and /metrics.
#include "srs_utest.h"

#include <cmath>
#include <cstring>
#include <string>
#include <unistd.h>

extern "C" {
#include "srs_app_lb.h"
#include "srs_app_metrics.h"
#include "srs_app_pprof_goroutine.h"
#include "srs_app_pprof_heap.h"
#include "srs_app_pprof_symbol.h"
#include "srs_kernel_strbuf.h"
}

namespace {

// Names for the fake addresses of the dump tests: functions at 0x1000 and 0x2000.
bool fake_symbolize(uint64_t addr, const char **name, uint64_t *offset)
{
    if (addr >= 0x1000 && addr < 0x1100) {
        *name = "accept_cycle";
        *offset = addr - 0x1000;
    } else if (addr >= 0x2000 && addr < 0x2200) {
        *name = "srs_tcp_server_start";
        *offset = addr - 0x2000;
    } else if (addr >= 0x3000 && addr < 0x3100) {
        *name = "mux_cycle";
        *offset = addr - 0x3000;
    } else {
        return false;
    }
    return true;
}

srs_pprof_coroutine_t co(const char *name, const char *cid, srs_co_state_t state, srs_utime_t in_state, uint64_t cycle,
                         uint64_t created_by)
{
    srs_pprof_coroutine_t c;
    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "%s", name);
    snprintf(c.cid, sizeof(c.cid), "%s", cid);
    c.state = state;
    c.in_state = in_state;
    c.age = 65 * SRS_UTIME_SECONDS + 2 * SRS_UTIME_MILLISECONDS;
    c.cycle = cycle;
    c.created_by = created_by;
    return c;
}

std::string render(const std::vector<srs_pprof_coroutine_t> &cos, int debug, const char *maps = NULL)
{
    srs_strbuf_t out = {};
    srs_pprof_goroutine_render(cos.data(), cos.size(), debug, fake_symbolize, maps, &out);
    std::string s(out.data ? out.data : "", out.len);
    srs_strbuf_free(&out);
    return s;
}

const std::vector<srs_pprof_coroutine_t> kListeners = {
    co("HTTP API", "aaaaaaa", SRS_CO_WAIT_READ, 12345 * SRS_UTIME_MILLISECONDS, 0x1000, 0x207c),
    co("rtc-mux", "bbbbbbb", SRS_CO_RUNNABLE, 0, 0x3000, 0x2100),
    co("HTTP API", "ccccccc", SRS_CO_WAIT_READ, 1 * SRS_UTIME_SECONDS, 0x1000, 0x207c),
};

} // namespace

TEST(AppPprofGoroutineTest, LegacyCountFormatGroupsByNameAndSite)
{
    // pprof steps every address back by one: the cycle's entry is written + 1, so it lands on it.
    EXPECT_EQ("goroutine profile: total 3\n"
              "2 @ 0x1001 0x207c\n"
              "1 @ 0x3001 0x2100\n"
              "\n--- Memory map: ---\n"
              "00400000-00452000 r-xp 00000000 08:02 1 /bin/srs-proxy\n",
              render(kListeners, 0, "00400000-00452000 r-xp 00000000 08:02 1 /bin/srs-proxy\n"));
}

TEST(AppPprofGoroutineTest, DebugOneNamesStatesAndFrames)
{
    std::string s = render(kListeners, 1);
    EXPECT_EQ(0u, s.find("goroutine profile: total 3\n2 @ 0x1001 0x207c\n"
                         "# labels: {\"name\":\"HTTP API\"}\n"
                         "# states: 2 waiting on fd for read;\n"
                         "#\t0x1000\taccept_cycle+0x0\n"
                         "#\t0x207b\tsrs_tcp_server_start+0x7b\n\n")) << s;
    EXPECT_NE(std::string::npos, s.find("1 @ 0x3001 0x2100\n# labels: {\"name\":\"rtc-mux\"}\n# states: 1 running;\n")) << s;
    EXPECT_EQ(std::string::npos, s.find("Memory map"));
}

TEST(AppPprofGoroutineTest, DebugTwoIsOneBlockPerCoroutine)
{
    std::string s = render(kListeners, 2);
    EXPECT_EQ(0u, s.find("coroutine 1 [waiting on fd for read, 12.345s]:\n"
                         "\tname:       HTTP API\n"
                         "\tcid:        aaaaaaa\n"
                         "\tage:        65.002s\n"
                         "\tcycle:      accept_cycle\n"
                         "\tcreated by: srs_tcp_server_start+0x7b\n\n")) << s;
    EXPECT_NE(std::string::npos, s.find("coroutine 2 [running, 0.000s]:\n\tname:       rtc-mux\n"));
    EXPECT_NE(std::string::npos, s.find("coroutine 3 [waiting on fd for read, 1.000s]:"));
    // An address nothing names stays an address.
    std::string unknown = render({co("x", "ddddddd", SRS_CO_SLEEPING, 0, 0x9000, 0x9100)}, 2);
    EXPECT_NE(std::string::npos, unknown.find("\tcycle:      0x9000\n\tcreated by: 0x90ff\n"));
}

TEST(AppPprofGoroutineTest, SnapshotSeesTheRegistry)
{
    srs_pprof_coroutine_t *cos = NULL;
    size_t n = srs_pprof_coroutines_snapshot(&cos);
    EXPECT_EQ((size_t)srs_coroutine_registry_count(), n);
    free(cos);
}

TEST(AppPprofSymbolTest, NamesFunctionsOfThisProcess)
{
    // A function of the binary itself (a PIE: the load bias is applied), with an offset.
    const char *name = NULL;
    uint64_t off = 0;
    uint64_t addr = (uint64_t)(uintptr_t)&srs_strbuf_append;
    ASSERT_TRUE(srs_pprof_symbolize(addr + 3, &name, &off)) << srs_pprof_symbols_problem();
    EXPECT_STREQ("srs_strbuf_append", name);
    EXPECT_EQ(3u, off);
    EXPECT_STREQ("", srs_pprof_symbols_problem());
    // A function of a shared library, through dladdr.
    ASSERT_TRUE(srs_pprof_symbolize((uint64_t)(uintptr_t)&getpid, &name, &off));
    EXPECT_NE(std::string::npos, std::string(name).find("getpid")) << name;
    EXPECT_FALSE(srs_pprof_symbolize(8, &name, &off));
}

TEST(AppPprofSymbolTest, ParsesSymbolRequestBodies)
{
    uint64_t a[8];
    const char *body = "0x4a1b+0X4A2C+ 123 \n+junk++0x+0xffffffffffffffff+0x10000000000000000+18446744073709551616";
    size_t n = srs_pprof_parse_addresses(body, strlen(body), a, 8);
    ASSERT_EQ(4u, n);
    EXPECT_EQ(0x4a1bu, a[0]);
    EXPECT_EQ(0x4a2cu, a[1]);
    EXPECT_EQ(123u, a[2]);
    EXPECT_EQ(0xffffffffffffffffu, a[3]);
    // At most max are kept.
    EXPECT_EQ(2u, srs_pprof_parse_addresses(body, strlen(body), a, 2));
    EXPECT_EQ(0u, srs_pprof_parse_addresses("", 0, a, 8));
}

TEST(AppPprofHeapTest, LegacyTextIsGperftoolsHeapz)
{
    srs_heap_bucket_t b[2];
    memset(b, 0, sizeof(b));
    b[0].alloc_count = 3;
    b[0].alloc_bytes = 3000;
    b[0].free_count = 1;
    b[0].free_bytes = 1000;
    b[0].depth = 2;
    b[0].pcs[0] = 0x401234;
    b[0].pcs[1] = 0x405678;
    b[1].alloc_count = 1;
    b[1].alloc_bytes = 600000;
    b[1].depth = 1;
    b[1].pcs[0] = 0x409999;
    srs_strbuf_t out = {};
    srs_heap_render_legacy(b, 2, 524288, "maps-here\n", &out);
    EXPECT_EQ("heap profile: 3: 602000 [4: 603000] @ heap_v2/524288\n"
              "2: 2000 [3: 3000] @ 0x401234 0x405678\n"
              "1: 600000 [1: 600000] @ 0x409999\n"
              "\nMAPPED_LIBRARIES:\nmaps-here\n",
              std::string(out.data, out.len));
    srs_strbuf_free(&out);
}

TEST(AppPprofHeapTest, ScalesSamplesLikePprof)
{
    int64_t n, bytes;
    // A 1 KiB object is sampled with probability 1 - exp(-1024/524288): one stands for ~512.
    srs_heap_scale(1, 1024, 524288, &n, &bytes);
    double scale = 1 / (1 - exp(-1024.0 / 524288));
    EXPECT_EQ((int64_t)scale, n);
    EXPECT_EQ((int64_t)(1024 * scale), bytes);
    // Big objects are always sampled: barely scaled.
    srs_heap_scale(2, 20 * 1024 * 1024, 524288, &n, &bytes);
    EXPECT_EQ(2, n);
    srs_heap_scale(0, 0, 524288, &n, &bytes);
    EXPECT_EQ(0, n);
    EXPECT_EQ(0, bytes);
}

TEST(AppMetricsTest, RendersOriginsPicksAndEmptyParts)
{
    srs_proxy_t p;
    memset(&p, 0, sizeof(p));
    p.lb = srs_lb_memory_new(300 * SRS_UTIME_SECONDS, NULL);
    const char *body = "{\"ip\":\"127.0.0.1\",\"server\":\"srv\",\"service\":\"svc\",\"pid\":\"42\",\"rtmp\":[\"19351\"]}";
    srs_origin_t o;
    HELPER_EXPECT_SUCCESS(srs_origin_parse_register(body, strlen(body), &o));
    HELPER_EXPECT_SUCCESS(p.lb->vt->update(p.lb, &o));
    srs_origin_t picked;
    HELPER_EXPECT_SUCCESS(p.lb->vt->pick(p.lb, "__defaultVhost__/live/a", &picked));
    HELPER_EXPECT_SUCCESS(p.lb->vt->pick(p.lb, "__defaultVhost__/live/a", &picked));
    HELPER_EXPECT_SUCCESS(p.lb->vt->pick(p.lb, "__defaultVhost__/live/b", &picked));

    srs_strbuf_t out = {};
    srs_metrics_render(&p, &out);
    std::string m(out.data, out.len);
    srs_strbuf_free(&out);
    p.lb->vt->free(p.lb);

    EXPECT_NE(std::string::npos, m.find("\nsrs_proxy_origins 1\n"));
    EXPECT_NE(std::string::npos, m.find("\nsrs_proxy_origins_alive 1\n"));
    EXPECT_NE(std::string::npos, m.find("\nsrs_proxy_origin_up{origin=\"srv-svc-42\",ip=\"127.0.0.1\"} 1\n"));
    EXPECT_NE(std::string::npos, m.find("\nsrs_proxy_origin_picks_total{origin=\"srv-svc-42\"} 3\n"));
    EXPECT_NE(std::string::npos, m.find("\nsrs_proxy_lb_entries{table=\"picked\"} 2\n"));
    // No relay, no listeners: zeros, and the families are still there for dashboards.
    EXPECT_NE(std::string::npos, m.find("\nsrs_proxy_rtc_sessions 0\n"));
    EXPECT_NE(std::string::npos, m.find("\nsrs_proxy_rtc_packets_total{direction=\"to_client\"} 0\n"));
    EXPECT_NE(std::string::npos, m.find("# TYPE srs_proxy_tcp_connections gauge\n"));
    EXPECT_NE(std::string::npos, m.find("srs_proxy_build_info{version=\"" SRS_PROXY_VERSION "\""));
    // Every family is announced once, and every sample line belongs to the family announced last.
    size_t pos = 0;
    std::string family;
    while (pos < m.size()) {
        size_t end = m.find('\n', pos);
        std::string line = m.substr(pos, end - pos);
        pos = end + 1;
        if (line.rfind("# TYPE ", 0) == 0) {
            std::string name = line.substr(7, line.find(' ', 7) - 7);
            EXPECT_EQ(m.find(line), m.rfind(line)) << name;
            family = name;
        } else if (line[0] != '#') {
            EXPECT_EQ(0u, line.rfind(family, 0)) << line;
        }
    }
}

namespace {

// Big blocks: each is sampled with probability 1 - exp(-8 MiB / 512 KiB), i.e. always. Never
// touched, so they cost address space only.
__attribute__((noinline)) void *allocate_big_block()
{
    void *p = malloc(8 * 1024 * 1024);
    asm volatile("" : : "r"(p) : "memory"); // keep the allocation
    return p;
}

// The bucket whose stack starts in allocate_big_block, if any.
bool find_big_bucket(srs_heap_bucket_t *out)
{
    srs_heap_bucket_t *b = NULL;
    size_t n = srs_heap_sampler_snapshot(&b);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        const char *name = NULL;
        if (b[i].depth && srs_pprof_symbolize(b[i].pcs[0] - 1, &name, NULL) && strstr(name, "allocate_big_block")) {
            *out = b[i];
            found = true;
        }
    }
    free(b);
    return found;
}

} // namespace

TEST(AppPprofHeapTest, SamplerSeesAllocationsWithStacksAndFrees)
{
    if (!srs_heap_sampler_available()) GTEST_SKIP() << "no allocation sampler in a sanitizer build";
    srs_heap_sampler_enable(); // stays on for the tests after this one: they exercise the wrappers too
    EXPECT_TRUE(srs_heap_sampler_enabled());
    srs_heap_bucket_t before;
    memset(&before, 0, sizeof(before));
    find_big_bucket(&before);

    void *blocks[16];
    for (int i = 0; i < 16; i++) blocks[i] = allocate_big_block();
    srs_heap_bucket_t mid;
    ASSERT_TRUE(find_big_bucket(&mid));
    EXPECT_GE(mid.alloc_count - before.alloc_count, 15u);
    EXPECT_EQ(mid.free_count, before.free_count);
    // The caller of allocate_big_block is this test's body: the walk goes up the frames.
    ASSERT_GE(mid.depth, 2);
    const char *name = NULL;
    ASSERT_TRUE(srs_pprof_symbolize(mid.pcs[1] - 1, &name, NULL));
    EXPECT_NE(std::string::npos, std::string(name).find("TestBody")) << name;

    for (int i = 0; i < 16; i++) free(blocks[i]);
    srs_heap_bucket_t after;
    ASSERT_TRUE(find_big_bucket(&after));
    EXPECT_EQ(mid.alloc_count, after.alloc_count);
    EXPECT_EQ(after.alloc_count - after.free_count, before.alloc_count - before.free_count);
    // calloc and realloc go through the sampler too, and a realloc'ed block is not freed twice.
    void *p = calloc(1, 4 * 1024 * 1024);
    p = realloc(p, 16 * 1024 * 1024);
    free(p);
    EXPECT_EQ(0u, srs_heap_sampler_dropped());
}
