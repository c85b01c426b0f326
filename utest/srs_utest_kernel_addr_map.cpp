// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <arpa/inet.h>
#include <map>
#include <string.h>

extern "C" {
#include "srs_kernel_addr_map.h"
}

static srs_addr_key_t v4(const char *ip, int port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &sa.sin_addr);
    srs_addr_key_t k;
    EXPECT_TRUE(srs_addr_key_from((struct sockaddr *)&sa, &k));
    return k;
}

static srs_addr_key_t v6(const char *ip, int port)
{
    struct sockaddr_in6 sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons((uint16_t)port);
    inet_pton(AF_INET6, ip, &sa.sin6_addr);
    srs_addr_key_t k;
    EXPECT_TRUE(srs_addr_key_from((struct sockaddr *)&sa, &k));
    return k;
}

TEST(KernelAddrMapTest, KeysDifferByFamilyIpAndPort)
{
    srs_addr_map_t *m = srs_addr_map_new();
    int a, b, c;
    srs_addr_key_t ka = v4("127.0.0.1", 5000), kb = v4("127.0.0.1", 5001), kc = v6("::1", 5000);
    EXPECT_EQ(nullptr, srs_addr_map_set(m, &ka, &a));
    EXPECT_EQ(nullptr, srs_addr_map_set(m, &kb, &b));
    EXPECT_EQ(nullptr, srs_addr_map_set(m, &kc, &c));
    EXPECT_EQ(&a, srs_addr_map_get(m, &ka));
    EXPECT_EQ(&b, srs_addr_map_get(m, &kb));
    EXPECT_EQ(&c, srs_addr_map_get(m, &kc));
    srs_addr_key_t missing = v4("127.0.0.2", 5000);
    EXPECT_EQ(nullptr, srs_addr_map_get(m, &missing));
    EXPECT_EQ(&a, srs_addr_map_set(m, &ka, &b));
    EXPECT_EQ(3u, srs_addr_map_size(m));
    srs_addr_map_free(m);
}

TEST(KernelAddrMapTest, UnknownFamilyIsRejected)
{
    struct sockaddr sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_family = AF_UNIX;
    srs_addr_key_t k;
    EXPECT_FALSE(srs_addr_key_from(&sa, &k));
}

// Many inserts and removals against std::map as the reference: growth and backward-shift
// deletion keep every remaining key reachable.
TEST(KernelAddrMapTest, MatchesReferenceUnderChurn)
{
    srs_addr_map_t *m = srs_addr_map_new();
    std::map<int, intptr_t> ref;
    uint32_t x = 12345;
    for (int round = 0; round < 20000; round++) {
        x = x * 1103515245 + 12345;
        int port = (int)(x >> 16) % 3000 + 1;
        srs_addr_key_t k = v4("10.0.0.1", port);
        if ((x >> 8) % 3 == 0) {
            void *got = srs_addr_map_remove(m, &k);
            auto it = ref.find(port);
            EXPECT_EQ(it == ref.end() ? nullptr : (void *)it->second, got);
            if (it != ref.end()) ref.erase(it);
        } else {
            srs_addr_map_set(m, &k, (void *)(intptr_t)(round + 1));
            ref[port] = round + 1;
        }
    }
    EXPECT_EQ(ref.size(), srs_addr_map_size(m));
    for (auto &kv : ref) {
        srs_addr_key_t k = v4("10.0.0.1", kv.first);
        EXPECT_EQ((void *)kv.second, srs_addr_map_get(m, &k));
    }
    srs_addr_map_free(m);
}
