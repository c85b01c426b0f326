// SPDX-License-Identifier: MIT
// The shared-memory table (srs_kernel_shm_table.h) and the workers' balancer over it
// (srs_app_lb_shm.h): several processes (fork) on one MAP_SHARED region, including processes
// killed at any instant while they hold the lock.
#include "srs_utest.h"

#include <csignal>
#include <cstring>
#include <map>
#include <string>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern "C" {
#include "srs_app_lb_shm.h"
#include "srs_app_master.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_shm_table.h"
}

namespace {

struct Region {
    void *mem;
    size_t bytes;
    srs_shm_table_t *t;
    Region(uint32_t cap, uint32_t key_max, uint32_t value_size) : t(NULL)
    {
        bytes = srs_shm_table_bytes(cap, key_max, value_size);
        mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        HELPER_EXPECT_SUCCESS(srs_shm_table_init(mem, cap, key_max, value_size, &t));
    }
    ~Region() { munmap(mem, bytes); }
};

// A value whose every byte derives from the key: a half-written entry would not match.
struct Value {
    char bytes[96];
};
static Value value_of(const std::string &key, int gen)
{
    Value v;
    for (size_t i = 0; i < sizeof(v.bytes); i++) v.bytes[i] = (char)(key[i % key.size()] + gen + (int)i);
    return v;
}
static bool value_matches(const char *key, const Value &v)
{
    std::string k(key);
    for (int gen = 0; gen < 256; gen++) {
        Value w = value_of(k, gen);
        if (!memcmp(&w, &v, sizeof(v))) return true;
    }
    return false;
}

static bool visit_check(void *ctx, const char *key, const void *value, const srs_shm_meta_t *meta)
{
    (void)meta;
    int *bad = (int *)ctx;
    Value v;
    memcpy(&v, value, sizeof(v));
    if (!value_matches(key, v)) (*bad)++;
    return false;
}

// A child that hammers the table until killed.
static void hammer(srs_shm_table_t *t, int id)
{
    srs_random_after_fork();
    for (uint64_t i = 0;; i++) {
        char key[32];
        snprintf(key, sizeof(key), "k%d-%llu", id, (unsigned long long)(srs_random_u64() % 200));
        Value v = value_of(key, (int)(i % 200));
        srs_shm_table_lock(t);
        uint64_t op = srs_random_u64() % 4;
        if (op < 2) {
            srs_error_t err = srs_shm_table_put(t, key, &v, getpid(), (int64_t)i);
            srs_error_free(err);
        } else if (op == 2) {
            srs_shm_table_remove(t, key, 0);
        } else {
            Value out;
            srs_shm_table_get(t, key, &out, NULL, (int64_t)i, 0, true);
        }
        srs_shm_table_unlock(t);
    }
}

} // namespace

TEST(KernelShmTableTest, PutGetReplaceRemoveWithOwners)
{
    Region r(64, 32, sizeof(Value));
    srs_shm_table_t *t = r.t;
    Value a = value_of("alpha", 1), b = value_of("alpha", 2), out;
    srs_shm_meta_t meta;
    srs_shm_table_lock(t);
    HELPER_EXPECT_SUCCESS(srs_shm_table_put(t, "alpha", &a, 100, 10));
    EXPECT_TRUE(srs_shm_table_get(t, "alpha", &out, &meta, 11, 0, false));
    EXPECT_EQ(0, memcmp(&a, &out, sizeof(a)));
    EXPECT_EQ(100, meta.owner);
    EXPECT_EQ(10, meta.last_use);
    // Replace: a new value, still one entry.
    HELPER_EXPECT_SUCCESS(srs_shm_table_put(t, "alpha", &b, 100, 12));
    EXPECT_EQ(1u, srs_shm_table_count(t));
    EXPECT_TRUE(srs_shm_table_get(t, "alpha", &out, NULL, 13, 0, false));
    EXPECT_EQ(0, memcmp(&b, &out, sizeof(b)));
    // Another owner cannot remove it; the owner can, after a claim moves it.
    EXPECT_FALSE(srs_shm_table_remove(t, "alpha", 200));
    EXPECT_TRUE(srs_shm_table_set_owner(t, "alpha", 200));
    EXPECT_FALSE(srs_shm_table_remove(t, "alpha", 100));
    EXPECT_TRUE(srs_shm_table_remove(t, "alpha", 200));
    EXPECT_FALSE(srs_shm_table_get(t, "alpha", NULL, NULL, 14, 0, false));
    // A key longer than key_max is refused.
    HELPER_EXPECT_FAILED_CODE(srs_shm_table_put(t, std::string(40, 'x').c_str(), &a, 0, 1), ERROR_SYSTEM_LIMIT);
    // Expiry: not used for `alive` → gone on lookup; touch keeps it.
    HELPER_EXPECT_SUCCESS(srs_shm_table_put(t, "beta", &a, 0, 100));
    EXPECT_TRUE(srs_shm_table_get(t, "beta", NULL, NULL, 150, 100, true));
    EXPECT_TRUE(srs_shm_table_get(t, "beta", NULL, NULL, 240, 100, false));
    EXPECT_FALSE(srs_shm_table_get(t, "beta", NULL, NULL, 250, 100, false));
    HELPER_EXPECT_SUCCESS(srs_shm_table_put(t, "gamma", &a, 0, 100));
    HELPER_EXPECT_SUCCESS(srs_shm_table_put(t, "delta", &a, 0, 300));
    EXPECT_EQ(1u, srs_shm_table_sweep(t, 350, 100));
    EXPECT_EQ(1u, srs_shm_table_count(t));
    srs_shm_table_unlock(t);
    EXPECT_TRUE(srs_shm_table_check(t));
}

TEST(KernelShmTableTest, FullTableEvictsLeastRecentlyUsed)
{
    Region r(8, 16, sizeof(Value));
    srs_shm_table_t *t = r.t;
    Value v = value_of("x", 0);
    srs_shm_table_lock(t);
    for (int i = 0; i < 8; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        HELPER_EXPECT_SUCCESS(srs_shm_table_put(t, key, &v, 0, 100 + i));
    }
    HELPER_EXPECT_SUCCESS(srs_shm_table_put(t, "k8", &v, 0, 200));
    EXPECT_EQ(8u, srs_shm_table_count(t));
    EXPECT_EQ(1u, srs_shm_table_evictions(t));
    EXPECT_FALSE(srs_shm_table_get(t, "k0", NULL, NULL, 0, 0, false)); // the oldest
    EXPECT_TRUE(srs_shm_table_get(t, "k8", NULL, NULL, 0, 0, false));
    srs_shm_table_unlock(t);
    EXPECT_TRUE(srs_shm_table_check(t));
}

// Replacing a key of a full table uses the spare node: no other key is evicted for it.
TEST(KernelShmTableTest, ReplaceInFullTableEvictsNothing)
{
    Region r(4, 16, sizeof(Value));
    srs_shm_table_t *t = r.t;
    Value v = value_of("x", 0);
    srs_shm_table_lock(t);
    for (int i = 0; i < 4; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        HELPER_EXPECT_SUCCESS(srs_shm_table_put(t, key, &v, 0, 100 + i));
    }
    for (int round = 0; round < 20; round++) HELPER_EXPECT_SUCCESS(srs_shm_table_put(t, "k3", &v, 0, 200 + round));
    EXPECT_EQ(4u, srs_shm_table_count(t));
    EXPECT_EQ(0u, srs_shm_table_evictions(t));
    for (int i = 0; i < 4; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        EXPECT_TRUE(srs_shm_table_get(t, key, NULL, NULL, 0, 0, false)) << key;
    }
    srs_shm_table_unlock(t);
    EXPECT_TRUE(srs_shm_table_check(t));
}

// A holder that dies with the lock: the next locker repairs the table and goes on.
TEST(KernelShmTableTest, HolderDeathIsRepaired)
{
    Region r(32, 16, sizeof(Value));
    srs_shm_table_t *t = r.t;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        srs_shm_table_lock(t);
        Value v = value_of("dead", 3);
        srs_error_t err = srs_shm_table_put(t, "dead", &v, getpid(), 1);
        srs_error_free(err);
        _exit(0); // still holding the lock
    }
    int status = 0;
    waitpid(pid, &status, 0);
    srs_shm_table_lock(t); // EOWNERDEAD inside: repaired, not stuck
    EXPECT_TRUE(srs_shm_table_get(t, "dead", NULL, NULL, 0, 0, false));
    srs_shm_table_unlock(t);
    EXPECT_EQ(1u, srs_shm_table_recoveries(t));
    EXPECT_TRUE(srs_shm_table_check(t));
}

// Processes killed with SIGKILL at random instants (inside put/remove, holding the lock or not)
// while others run: after each kill the table is whole and no entry is half-written.
TEST(KernelShmTableTest, ConcurrentProcessesKilledAtRandomKeepTheTableWhole)
{
    Region r(512, 32, sizeof(Value));
    srs_shm_table_t *t = r.t;
    const int kChildren = 3, kRounds = 12;
    pid_t kids[kChildren];
    for (int i = 0; i < kChildren; i++) {
        kids[i] = fork();
        ASSERT_GE(kids[i], 0);
        if (kids[i] == 0) hammer(t, i);
    }
    for (int round = 0; round < kRounds; round++) {
        usleep(20000 + (useconds_t)(srs_random_u64() % 30000));
        int victim = (int)(srs_random_u64() % kChildren);
        kill(kids[victim], SIGKILL);
        waitpid(kids[victim], NULL, 0);
        EXPECT_TRUE(srs_shm_table_check(t)) << "round " << round;
        int bad = 0;
        srs_shm_table_lock(t);
        srs_shm_table_foreach(t, visit_check, &bad);
        srs_shm_table_unlock(t);
        EXPECT_EQ(0, bad) << "half-written entries in round " << round;
        kids[victim] = fork();
        ASSERT_GE(kids[victim], 0);
        if (kids[victim] == 0) hammer(t, victim);
    }
    for (int i = 0; i < kChildren; i++) {
        kill(kids[i], SIGKILL);
        waitpid(kids[i], NULL, 0);
    }
    EXPECT_TRUE(srs_shm_table_check(t));
    EXPECT_LE(srs_shm_table_count(t), 512u);
}

// Several processes each own a key range: at the end each range is exactly what its owner left.
TEST(KernelShmTableTest, ConcurrentProcessesSeeEachOthersWrites)
{
    Region r(4096, 32, sizeof(Value));
    srs_shm_table_t *t = r.t;
    const int kChildren = 4, kKeys = 500;
    pid_t kids[kChildren];
    for (int c = 0; c < kChildren; c++) {
        kids[c] = fork();
        ASSERT_GE(kids[c], 0);
        if (kids[c] == 0) {
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < kKeys; k++) {
                    char key[32];
                    snprintf(key, sizeof(key), "c%d-%d", c, k);
                    Value v = value_of(key, round);
                    srs_shm_table_lock(t);
                    srs_error_t err = srs_shm_table_put(t, key, &v, getpid(), round);
                    srs_shm_table_unlock(t);
                    if (err) _exit(2);
                }
            }
            for (int k = 0; k < kKeys; k += 2) {
                char key[32];
                snprintf(key, sizeof(key), "c%d-%d", c, k);
                srs_shm_table_lock(t);
                bool removed = srs_shm_table_remove(t, key, getpid());
                srs_shm_table_unlock(t);
                if (!removed) _exit(3);
            }
            _exit(0);
        }
    }
    for (int c = 0; c < kChildren; c++) {
        int status = -1;
        waitpid(kids[c], &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << c << " status " << status;
    }
    EXPECT_EQ((uint32_t)(kChildren * kKeys / 2), srs_shm_table_count(t));
    srs_shm_table_lock(t);
    for (int c = 0; c < kChildren; c++) {
        for (int k = 0; k < kKeys; k++) {
            char key[32];
            snprintf(key, sizeof(key), "c%d-%d", c, k);
            Value out;
            bool found = srs_shm_table_get(t, key, &out, NULL, 0, 0, false);
            EXPECT_EQ(k % 2 == 1, found) << key;
            if (found) {
                EXPECT_EQ(0, memcmp(&out, value_of(key, 2).bytes, sizeof(out))) << key;
            }
        }
    }
    srs_shm_table_unlock(t);
    EXPECT_TRUE(srs_shm_table_check(t));
}

static int64_t fake_now = 1000 * SRS_UTIME_SECONDS;
static int64_t fake_clock(void) { return fake_now; }

static srs_origin_t make_origin(const char *server)
{
    srs_origin_t o;
    memset(&o, 0, sizeof(o));
    snprintf(o.ip, sizeof(o.ip), "127.0.0.1");
    snprintf(o.server_id, sizeof(o.server_id), "%s", server);
    snprintf(o.service_id, sizeof(o.service_id), "svc");
    snprintf(o.pid, sizeof(o.pid), "1");
    snprintf(o.rtmp[0], sizeof(o.rtmp[0]), "1935");
    o.n_rtmp = 1;
    o.rtmp_port = 1935;
    o.updated_at = fake_now;
    return o;
}

// Two workers: an origin registered through one is picked by the other, a stream goes to the same
// origin whichever picks it, and a WebRTC session taken by one is forgotten by the other.
TEST(AppLbShmTest, WorkersShareOriginsPicksAndSessions)
{
    srs_lb_shm_sizes_t sizes = {16, 64, 64};
    srs_lb_shm_region_t *region = NULL;
    HELPER_EXPECT_SUCCESS(srs_lb_shm_region_new(&sizes, &region));
    ASSERT_TRUE(region != NULL);
    srs_lb_t *lb = srs_lb_shm_new(region, 30 * SRS_UTIME_SECONDS, fake_clock);
    EXPECT_TRUE(srs_lb_is_shm(lb));

    int to_parent[2];
    ASSERT_EQ(0, pipe(to_parent));
    for (int i = 0; i < 4; i++) {
        char server[16];
        snprintf(server, sizeof(server), "o%d", i);
        srs_origin_t o = make_origin(server);
        HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &o));
    }
    HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "/live/s", "a:b", "pwd-of-origin"));

    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // The "other worker": picks the stream, adopts the session.
        srs_lb_t *mine = srs_lb_shm_new(region, 30 * SRS_UTIME_SECONDS, fake_clock);
        srs_origin_t picked;
        srs_error_t err = mine->vt->pick(mine, "/live/stream", &picked);
        char stream[64] = "", pwd[64] = "";
        if (!err) err = mine->vt->load_rtc_by_ufrag(mine, "a:b", stream, sizeof(stream), pwd, sizeof(pwd));
        int ok = !err && !strcmp(stream, "/live/s") && !strcmp(pwd, "pwd-of-origin");
        srs_error_free(err);
        srs_lb_shm_claim_rtc(mine, "a:b");
        char line[256];
        snprintf(line, sizeof(line), "%d %s", ok, picked.server_id);
        ssize_t n = write(to_parent[1], line, strlen(line) + 1);
        (void)n;
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    char line[256] = "";
    ASSERT_GT(read(to_parent[0], line, sizeof(line)), 0);
    int ok = 0;
    char child_pick[64] = "";
    ASSERT_EQ(2, sscanf(line, "%d %63s", &ok, child_pick));
    EXPECT_EQ(1, ok);

    // The same origin here: the pick is sticky across processes.
    srs_origin_t here;
    HELPER_EXPECT_SUCCESS(lb->vt->pick(lb, "/live/stream", &here));
    EXPECT_STREQ(child_pick, here.server_id);

    // Taken by the child: this worker sees it, and cannot remove the child's entry.
    EXPECT_TRUE(srs_lb_shm_rtc_taken(lb, "a:b", NULL));
    HELPER_EXPECT_SUCCESS(lb->vt->remove_rtc(lb, "a:b"));
    char stream[64];
    HELPER_EXPECT_SUCCESS(lb->vt->load_rtc_by_ufrag(lb, "a:b", stream, sizeof(stream), NULL, 0));

    // Origins: every one known, and silent ones forgotten after 10 TTLs with their picks.
    size_t n = 0;
    lb->vt->foreach_origin(lb, [](void *ctx, const srs_origin_t *, bool alive) { if (alive) (*(size_t *)ctx)++; }, &n);
    EXPECT_EQ(4u, n);
    fake_now += 11 * 30 * SRS_UTIME_SECONDS;
    lb->vt->sweep(lb);
    srs_origin_t none;
    HELPER_EXPECT_FAILED_CODE(lb->vt->pick(lb, "/live/stream", &none), ERROR_ORIGIN_NONE);
    // Sessions expire 120 s after their last use.
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_rtc_by_ufrag(lb, "a:b", stream, sizeof(stream), NULL, 0), ERROR_SESSION_NOT_FOUND);

    // HLS: the stream's spbhid and the session, both ways.
    HELPER_EXPECT_SUCCESS(lb->vt->store_hls(lb, "/live/h", "spb1", "http://o/live/h.m3u8"));
    char spbhid[64], su[256], fu[256];
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_stream(lb, "/live/h", spbhid, sizeof(spbhid)));
    EXPECT_STREQ("spb1", spbhid);
    HELPER_EXPECT_SUCCESS(lb->vt->load_hls_by_spbhid(lb, "spb1", su, sizeof(su), fu, sizeof(fu)));
    EXPECT_STREQ("/live/h", su);
    EXPECT_STREQ("http://o/live/h.m3u8", fu);

    close(to_parent[0]);
    close(to_parent[1]);
    lb->vt->free(lb);
    srs_lb_shm_region_free(region);
}

// The shared balancer has the memory balancer's bounds (srs_lb_limits_t): PROXY_MAX_ORIGINS (a new
// origin takes the longest-silent dead one's slot, else 503; known ones always refresh),
// PROXY_LB_PICK_IDLE, and evictions counted in srs_lb_stats.
TEST(AppLbShmTest, SameBoundsAsTheMemoryBalancer)
{
    srs_lb_limits_t limits = {3, 4, 50000, 60 * SRS_UTIME_SECONDS};
    srs_lb_set_limits(&limits);
    srs_lb_shm_sizes_t sizes;
    HELPER_EXPECT_SUCCESS(srs_lb_shm_sizes_from_limits(&sizes));
    EXPECT_EQ(3u, sizes.origins);
    EXPECT_EQ(4u, sizes.streams);
    EXPECT_EQ(50000u, sizes.sessions);
    srs_lb_shm_region_t *region = NULL;
    HELPER_EXPECT_SUCCESS(srs_lb_shm_region_new(&sizes, &region));
    srs_lb_t *lb = srs_lb_shm_new(region, 30 * SRS_UTIME_SECONDS, fake_clock);
    srs_lb_stats_t before = *srs_lb_stats();

    srs_origin_t a = make_origin("a"), b = make_origin("b"), c = make_origin("c"), d = make_origin("d");
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &a));
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &b));
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &c));
    // Full of live origins: a new one is refused, a known one refreshes.
    HELPER_EXPECT_FAILED_CODE(lb->vt->update(lb, &d), ERROR_SYSTEM_LIMIT);
    EXPECT_EQ(before.refused_origins + 1, srs_lb_stats()->refused_origins);
    for (int i = 0; i < 10; i++) HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &c));
    srs_lb_memory_sizes_t m;
    memset(&m, 0, sizeof(m));
    srs_lb_shm_sizes(lb, &m);
    EXPECT_EQ(3u, m.origins);

    // a goes silent first, then b: d takes a's slot (the longest silent dead one).
    fake_now += 20 * SRS_UTIME_SECONDS;
    b.updated_at = c.updated_at = fake_now;
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &b));
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &c));
    fake_now += 31 * SRS_UTIME_SECONDS;
    d.updated_at = fake_now;
    HELPER_EXPECT_SUCCESS(lb->vt->update(lb, &d));
    std::map<std::string, bool> known;
    lb->vt->foreach_origin(lb, [](void *ctx, const srs_origin_t *o, bool alive) {
        (*(std::map<std::string, bool> *)ctx)[o->server_id] = alive; }, &known);
    EXPECT_EQ(3u, known.size());
    EXPECT_EQ(0u, known.count("a"));
    EXPECT_EQ(1u, known.count("b"));
    EXPECT_EQ(1u, known.count("c"));
    EXPECT_TRUE(known["d"]);

    // Sticky picks: capped at PROXY_LB_MAX_STREAMS (evictions counted), idle ones expire.
    for (int i = 0; i < 6; i++) {
        char url[32];
        snprintf(url, sizeof(url), "/live/s%d", i);
        srs_origin_t o;
        HELPER_EXPECT_SUCCESS(lb->vt->pick(lb, url, &o));
        EXPECT_STREQ("d", o.server_id); // the only live one
    }
    memset(&m, 0, sizeof(m));
    srs_lb_shm_sizes(lb, &m);
    EXPECT_EQ(4u, m.picked);
    EXPECT_EQ(before.evicted_picks + 2, srs_lb_stats()->evicted_picks);
    fake_now += 61 * SRS_UTIME_SECONDS;
    lb->vt->sweep(lb);
    memset(&m, 0, sizeof(m));
    srs_lb_shm_sizes(lb, &m);
    EXPECT_EQ(0u, m.picked);

    lb->vt->free(lb);
    srs_lb_shm_region_free(region);
    srs_lb_limits_t defaults = {0, 0, 0, 0};
    srs_lb_set_limits(&defaults);
}

// WHIP/WHEP DELETE on any worker: the directory finds a session by its Location token (whole
// token compared; a forged one with the right first half fails), marks it deleted, after which no
// worker adopts it and its holder sees it taken.
TEST(AppLbShmTest, DeleteThroughAnotherWorker)
{
    srs_lb_shm_sizes_t sizes = {16, 64, 64};
    srs_lb_shm_region_t *region = NULL;
    HELPER_EXPECT_SUCCESS(srs_lb_shm_region_new(&sizes, &region));
    srs_lb_t *lb = srs_lb_shm_new(region, 30 * SRS_UTIME_SECONDS, fake_clock);
    HELPER_EXPECT_SUCCESS(lb->vt->store_rtc(lb, "/live/s", "a:b", "pwd"));
    srs_lb_shm_rtc_delete_t d;
    memset(&d, 0, sizeof(d));
    const char *token = "0123456789abcdef0123456789abcdef";
    snprintf(d.token, sizeof(d.token), "%s", token);
    snprintf(d.origin_ip, sizeof(d.origin_ip), "127.0.0.9");
    d.origin_api_port = 1985;
    snprintf(d.origin_location, sizeof(d.origin_location), "/rtc/v1/whep/?action=delete&token=x");
    HELPER_EXPECT_SUCCESS(srs_lb_shm_rtc_set_delete(lb, "a:b", &d));
    // Not a token, a forged one (same look-up half), or another session's name: nothing.
    srs_lb_shm_rtc_delete_t out;
    EXPECT_FALSE(srs_lb_shm_rtc_find_delete(lb, "0123", NULL, &out));
    EXPECT_FALSE(srs_lb_shm_rtc_find_delete(lb, "0123456789abcdefffffffffffffffff", NULL, &out));
    EXPECT_FALSE(srs_lb_shm_rtc_find_delete(lb, token, "x:y", &out));
    EXPECT_FALSE(srs_lb_shm_rtc_mark_deleted(lb, "a:b", "0123456789abcdefffffffffffffffff"));
    ASSERT_TRUE(srs_lb_shm_rtc_find_delete(lb, token, "a:b", &out));
    EXPECT_STREQ("a:b", out.ufrag);
    EXPECT_STREQ("127.0.0.9", out.origin_ip);
    EXPECT_EQ(1985, out.origin_api_port);
    EXPECT_STREQ("/rtc/v1/whep/?action=delete&token=x", out.origin_location);
    ASSERT_TRUE(srs_lb_shm_rtc_find_delete_by_ufrag(lb, "a:b", &out));
    EXPECT_STREQ(token, out.token);

    // Held by this worker: not taken. Another worker (a child) marks it deleted.
    bool deleted = true;
    EXPECT_FALSE(srs_lb_shm_rtc_taken(lb, "a:b", &deleted));
    EXPECT_FALSE(deleted);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        srs_lb_t *mine = srs_lb_shm_new(region, 30 * SRS_UTIME_SECONDS, fake_clock);
        _exit(srs_lb_shm_rtc_mark_deleted(mine, "a:b", token) ? 0 : 1);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    EXPECT_EQ(0, status);
    EXPECT_TRUE(srs_lb_shm_rtc_taken(lb, "a:b", &deleted));
    EXPECT_TRUE(deleted);
    // Nobody adopts it, claims it back, or deletes it twice.
    char stream[64];
    HELPER_EXPECT_FAILED_CODE(lb->vt->load_rtc_by_ufrag(lb, "a:b", stream, sizeof(stream), NULL, 0), ERROR_SESSION_NOT_FOUND);
    srs_lb_shm_claim_rtc(lb, "a:b");
    EXPECT_TRUE(srs_lb_shm_rtc_taken(lb, "a:b", &deleted));
    EXPECT_FALSE(srs_lb_shm_rtc_find_delete(lb, token, NULL, &out));
    EXPECT_FALSE(srs_lb_shm_rtc_find_delete_by_ufrag(lb, "a:b", &out));

    lb->vt->free(lb);
    srs_lb_shm_region_free(region);
}

TEST(AppMasterTest, RestartBackoff)
{
    // Healthy (lived 10 s or more): at once. Dying young: 100 ms, doubling, at most 5 s.
    EXPECT_EQ(0, srs_master_backoff(60 * SRS_UTIME_SECONDS, 0));
    EXPECT_EQ(0, srs_master_backoff(10 * SRS_UTIME_SECONDS, 5 * SRS_UTIME_SECONDS));
    EXPECT_EQ(100 * SRS_UTIME_MILLISECONDS, srs_master_backoff(SRS_UTIME_SECONDS, 0));
    EXPECT_EQ(200 * SRS_UTIME_MILLISECONDS, srs_master_backoff(SRS_UTIME_SECONDS, 100 * SRS_UTIME_MILLISECONDS));
    EXPECT_EQ(5 * SRS_UTIME_SECONDS, srs_master_backoff(SRS_UTIME_SECONDS, 3 * SRS_UTIME_SECONDS));
    EXPECT_EQ(5 * SRS_UTIME_SECONDS, srs_master_backoff(SRS_UTIME_SECONDS, 5 * SRS_UTIME_SECONDS));
    EXPECT_EQ(-1, srs_worker_index());
}
