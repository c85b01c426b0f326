// SPDX-License-Identifier: MIT
// The inter-worker relay (srs_kernel_worker_relay.h): the shared SRT directory, used by several
// processes at once (fork), and the message that carries a datagram with its client's address.
#include "srs_utest.h"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern "C" {
#include "srs_kernel_worker_relay.h"
}

namespace {

struct Dir {
    void *mem;
    size_t bytes;
    srs_srt_dir_t *d;
    explicit Dir(uint32_t cap)
    {
        bytes = srs_srt_dir_bytes(cap);
        mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        d = srs_srt_dir_init(mem, cap);
    }
    ~Dir() { munmap(mem, bytes); }
};

static srs_addr_key_t addr4(const char *ip, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    srs_addr_key_t k;
    srs_addr_key_from((struct sockaddr *)&a, &k);
    return k;
}

} // namespace

TEST(KernelWorkerRelayTest, DirectoryOwnersAddressesAndRemoval)
{
    Dir dir(100);
    srs_srt_dir_t *d = dir.d;
    EXPECT_EQ(128u, srs_srt_dir_capacity(d));
    srs_addr_key_t a = addr4("127.0.0.1", 5000), b = addr4("127.0.0.66", 6000), got;
    EXPECT_FALSE(srs_srt_dir_put(d, 0, 1, &a)); // id 0 is the listener's
    EXPECT_TRUE(srs_srt_dir_put(d, 0x1234, 1, &a));
    EXPECT_EQ(1, srs_srt_dir_owner(d, 0x1234, &got));
    EXPECT_TRUE(srs_addr_key_equal(&a, &got));
    // Another worker cannot take an id that is held; the holder can update its address.
    EXPECT_FALSE(srs_srt_dir_put(d, 0x1234, 2, &b));
    EXPECT_TRUE(srs_srt_dir_put(d, 0x1234, 1, &b));
    EXPECT_EQ(1, srs_srt_dir_owner(d, 0x1234, &got));
    EXPECT_TRUE(srs_addr_key_equal(&b, &got));
    EXPECT_EQ(1u, srs_srt_dir_count(d));
    // Only the holder removes it.
    srs_srt_dir_remove(d, 0x1234, 2);
    EXPECT_EQ(1, srs_srt_dir_owner(d, 0x1234, NULL));
    srs_srt_dir_remove(d, 0x1234, 1);
    EXPECT_EQ(-1, srs_srt_dir_owner(d, 0x1234, NULL));
    EXPECT_EQ(0u, srs_srt_dir_count(d));
    EXPECT_EQ(-1, srs_srt_dir_owner(d, 0x9999, NULL));

    // A dead worker's entries go at once; the others stay.
    for (uint32_t id = 1; id <= 40; id++) EXPECT_TRUE(srs_srt_dir_put(d, id * 7919, (int)(id % 2), &a));
    EXPECT_EQ(20u, srs_srt_dir_clear_worker(d, 0));
    for (uint32_t id = 1; id <= 40; id++) EXPECT_EQ(id % 2 ? 1 : -1, srs_srt_dir_owner(d, id * 7919, NULL)) << id;
    EXPECT_EQ(20u, srs_srt_dir_count(d));
}

// A full neighbourhood refuses (bounded probe) instead of searching the whole table.
TEST(KernelWorkerRelayTest, DirectoryIsBounded)
{
    Dir dir(64);
    srs_srt_dir_t *d = dir.d;
    srs_addr_key_t a = addr4("127.0.0.1", 5000);
    int stored = 0;
    for (uint32_t id = 1; id <= 1000; id++) stored += srs_srt_dir_put(d, id, 0, &a);
    EXPECT_LE(stored, 64);
    EXPECT_GE(stored, 32);
    EXPECT_EQ((uint32_t)stored, srs_srt_dir_count(d));
    // Tombstones are reused.
    for (uint32_t id = 1; id <= 1000; id++) srs_srt_dir_remove(d, id, 0);
    EXPECT_EQ(0u, srs_srt_dir_count(d));
    EXPECT_TRUE(srs_srt_dir_put(d, 5000, 0, &a));
    EXPECT_EQ(0, srs_srt_dir_owner(d, 5000, NULL));
}

// Four processes register, look up and remove their own ids at once: every process sees its own
// entries with its own address, and none of another's ids as its own.
TEST(KernelWorkerRelayTest, ConcurrentWorkersKeepTheirOwnEntries)
{
    Dir dir(4096);
    srs_srt_dir_t *d = dir.d;
    const int workers = 4;
    pid_t pids[workers];
    for (int w = 0; w < workers; w++) {
        pids[w] = fork();
        ASSERT_GE(pids[w], 0);
        if (pids[w] == 0) {
            srs_addr_key_t mine = addr4("127.0.0.1", 1000 + w), got;
            int bad = 0;
            for (int round = 0; round < 200; round++) {
                for (uint32_t i = 0; i < 50; i++) {
                    uint32_t id = (uint32_t)(w + 1) * 100000u + i;
                    if (!srs_srt_dir_put(d, id, w, &mine)) bad++;
                }
                for (uint32_t i = 0; i < 50; i++) {
                    uint32_t id = (uint32_t)(w + 1) * 100000u + i;
                    if (srs_srt_dir_owner(d, id, &got) != w || !srs_addr_key_equal(&got, &mine)) bad++;
                }
                for (uint32_t i = 0; i < 50; i += 2) srs_srt_dir_remove(d, (uint32_t)(w + 1) * 100000u + i, w);
            }
            _exit(bad ? 1 : 0);
        }
    }
    for (int w = 0; w < workers; w++) {
        int status = -1;
        waitpid(pids[w], &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << w;
    }
    // Each kept its odd ids.
    EXPECT_EQ((uint32_t)(workers * 25), srs_srt_dir_count(d));
    for (int w = 0; w < workers; w++) {
        for (uint32_t i = 0; i < 50; i++) {
            EXPECT_EQ(i % 2 ? w : -1, srs_srt_dir_owner(d, (uint32_t)(w + 1) * 100000u + i, NULL));
        }
    }
}

TEST(KernelWorkerRelayTest, MessageEncodeDecode)
{
    uint8_t buf[SRS_WORKER_MSG_HEADER + 16];
    struct sockaddr_in a4;
    memset(&a4, 0, sizeof(a4));
    a4.sin_family = AF_INET;
    a4.sin_port = htons(4200);
    inet_pton(AF_INET, "127.0.0.66", &a4.sin_addr);
    ASSERT_TRUE(srs_worker_msg_header(buf, SRS_WORKER_MSG_SRT, (struct sockaddr *)&a4));
    memcpy(buf + SRS_WORKER_MSG_HEADER, "0123456789abcdef", 16);
    uint8_t kind = 0;
    struct sockaddr_storage from;
    socklen_t from_len = 0;
    const uint8_t *payload = NULL;
    size_t len = 0;
    ASSERT_TRUE(srs_worker_msg_decode(buf, sizeof(buf), &kind, &from, &from_len, &payload, &len));
    EXPECT_EQ(SRS_WORKER_MSG_SRT, kind);
    EXPECT_EQ(sizeof(struct sockaddr_in), (size_t)from_len);
    EXPECT_EQ(0, memcmp(&a4, &from, sizeof(a4)));
    EXPECT_EQ(16u, len);
    EXPECT_EQ(0, memcmp(payload, "0123456789abcdef", 16));

    struct sockaddr_in6 a6;
    memset(&a6, 0, sizeof(a6));
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(4300);
    inet_pton(AF_INET6, "::1", &a6.sin6_addr);
    ASSERT_TRUE(srs_worker_msg_header(buf, SRS_WORKER_MSG_SRT, (struct sockaddr *)&a6));
    ASSERT_TRUE(srs_worker_msg_decode(buf, SRS_WORKER_MSG_HEADER, &kind, &from, &from_len, &payload, &len));
    EXPECT_EQ(sizeof(struct sockaddr_in6), (size_t)from_len);
    EXPECT_EQ(0, memcmp(&a6, &from, sizeof(a6)));
    EXPECT_EQ(0u, len);

    // Not a message: short, another magic, an unknown family.
    EXPECT_FALSE(srs_worker_msg_decode(buf, SRS_WORKER_MSG_HEADER - 1, &kind, &from, &from_len, &payload, &len));
    buf[0] ^= 1;
    EXPECT_FALSE(srs_worker_msg_decode(buf, sizeof(buf), &kind, &from, &from_len, &payload, &len));
    buf[0] ^= 1;
    buf[5] = 9;
    EXPECT_FALSE(srs_worker_msg_decode(buf, sizeof(buf), &kind, &from, &from_len, &payload, &len));
    struct sockaddr unix_addr;
    memset(&unix_addr, 0, sizeof(unix_addr));
    unix_addr.sa_family = AF_UNIX;
    EXPECT_FALSE(srs_worker_msg_header(buf, SRS_WORKER_MSG_SRT, &unix_addr));
}
