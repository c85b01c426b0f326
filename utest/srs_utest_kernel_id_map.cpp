// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <map>
#include <stdint.h>

extern "C" {
#include "srs_kernel_id_map.h"
}

static void *val(uintptr_t v) { return (void *)v; }

TEST(KernelIdMapTest, SetGetReplaceRemove)
{
    srs_id_map_t *m = srs_id_map_new();
    EXPECT_EQ(nullptr, srs_id_map_get(m, 7));
    EXPECT_EQ(nullptr, srs_id_map_set(m, 7, val(70)));
    EXPECT_EQ(val(70), srs_id_map_get(m, 7));
    EXPECT_EQ(val(70), srs_id_map_set(m, 7, val(71)));  // replace returns the old value
    EXPECT_EQ(val(71), srs_id_map_get(m, 7));
    EXPECT_EQ(1u, srs_id_map_size(m));
    EXPECT_EQ(val(71), srs_id_map_remove(m, 7));
    EXPECT_EQ(nullptr, srs_id_map_remove(m, 7));
    EXPECT_EQ(nullptr, srs_id_map_get(m, 7));
    EXPECT_EQ(0u, srs_id_map_size(m));
    srs_id_map_free(m);
    srs_id_map_free(NULL);
}

TEST(KernelIdMapTest, ZeroIsNeverAKey)
{
    srs_id_map_t *m = srs_id_map_new();
    EXPECT_EQ(nullptr, srs_id_map_set(m, 0, val(1)));
    EXPECT_EQ(nullptr, srs_id_map_get(m, 0));
    EXPECT_EQ(0u, srs_id_map_size(m));
    EXPECT_EQ(nullptr, srs_id_map_remove(m, 0));
    srs_id_map_free(m);
}

// libsrt hands out socket ids counting down from a random start: a dense run must stay findable
// through growth and backward-shift deletion.
TEST(KernelIdMapTest, ManySequentialIdsSurviveGrowthAndRemoval)
{
    srs_id_map_t *m = srs_id_map_new();
    std::map<uint32_t, uintptr_t> ref;
    const uint32_t start = 0x3fffff00u;
    for (uint32_t i = 0; i < 20000; i++) {
        srs_id_map_set(m, start - i, val(i + 1));
        ref[start - i] = i + 1;
    }
    // Remove every third, and a few ids that were never there.
    for (uint32_t i = 0; i < 20000; i += 3) {
        EXPECT_EQ(val(i + 1), srs_id_map_remove(m, start - i));
        ref.erase(start - i);
    }
    EXPECT_EQ(nullptr, srs_id_map_remove(m, 1));
    EXPECT_EQ(ref.size(), srs_id_map_size(m));
    for (const auto &kv : ref) ASSERT_EQ(val(kv.second), srs_id_map_get(m, kv.first)) << kv.first;
    for (uint32_t i = 0; i < 20000; i += 3) ASSERT_EQ(nullptr, srs_id_map_get(m, start - i));
    srs_id_map_free(m);
}
