// SPDX-License-Identifier: MIT
// The string-keyed hash map that session tables are built on.
#include "srs_utest.h"

#include <map>
#include <string>

extern "C" {
#include "srs_kernel_map.h"
}

static int values[10000];

TEST(KernelMapTest, SetGetRemove)
{
    srs_map_t *m = srs_map_new();
    EXPECT_EQ(0u, srs_map_size(m));
    EXPECT_TRUE(srs_map_get(m, "a") == NULL);

    srs_map_set(m, "a", &values[1]);
    srs_map_set(m, "b", &values[2]);
    srs_map_set(m, "", &values[3]);
    EXPECT_EQ(3u, srs_map_size(m));
    EXPECT_EQ(&values[1], srs_map_get(m, "a"));
    EXPECT_EQ(&values[2], srs_map_get(m, "b"));
    EXPECT_EQ(&values[3], srs_map_get(m, ""));

    EXPECT_EQ(&values[1], srs_map_remove(m, "a"));
    EXPECT_TRUE(srs_map_get(m, "a") == NULL);
    EXPECT_TRUE(srs_map_remove(m, "a") == NULL);
    EXPECT_EQ(2u, srs_map_size(m));
    srs_map_free(m);
    srs_map_free(NULL);
}

TEST(KernelMapTest, SetReplacesAndCopiesKey)
{
    srs_map_t *m = srs_map_new();
    char key[8] = "live";
    srs_map_set(m, key, &values[1]);
    key[0] = 'X';  // The map kept its own copy.
    EXPECT_EQ(&values[1], srs_map_get(m, "live"));
    EXPECT_TRUE(srs_map_get(m, "Xive") == NULL);

    srs_map_set(m, "live", &values[2]);
    EXPECT_EQ(1u, srs_map_size(m));
    EXPECT_EQ(&values[2], srs_map_get(m, "live"));
    srs_map_free(m);
}

TEST(KernelMapTest, GrowsAndKeepsEveryEntry)
{
    srs_map_t *m = srs_map_new();
    for (int i = 0; i < 10000; i++) srs_map_set(m, ("k" + std::to_string(i)).c_str(), &values[i]);
    EXPECT_EQ(10000u, srs_map_size(m));
    for (int i = 0; i < 10000; i++) {
        ASSERT_EQ(&values[i], srs_map_get(m, ("k" + std::to_string(i)).c_str())) << i;
    }
    for (int i = 0; i < 10000; i += 2) srs_map_remove(m, ("k" + std::to_string(i)).c_str());
    EXPECT_EQ(5000u, srs_map_size(m));
    EXPECT_TRUE(srs_map_get(m, "k0") == NULL);
    EXPECT_EQ(&values[9999], srs_map_get(m, "k9999"));
    srs_map_free(m);
}

TEST(KernelMapTest, IterateVisitsEachEntryOnce)
{
    srs_map_t *m = srs_map_new();
    for (int i = 0; i < 100; i++) srs_map_set(m, std::to_string(i).c_str(), &values[i]);

    std::map<std::string, void *> seen;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, m); srs_map_iter_next(&it);) {
        EXPECT_TRUE(seen.find(it.key) == seen.end()) << it.key;
        seen[it.key] = it.value;
    }
    ASSERT_EQ(100u, seen.size());
    for (int i = 0; i < 100; i++) EXPECT_EQ(&values[i], seen[std::to_string(i)]);

    srs_map_t *empty = srs_map_new();
    srs_map_iter_init(&it, empty);
    EXPECT_FALSE(srs_map_iter_next(&it));
    srs_map_free(empty);
    srs_map_free(m);
}

TEST(KernelMapTest, IterateWhileRemovingCurrent)
{
    srs_map_t *m = srs_map_new();
    for (int i = 0; i < 1000; i++) srs_map_set(m, std::to_string(i).c_str(), &values[i]);

    // Remove the even ones through the iterator, the multiples of 3 through srs_map_remove.
    int visited = 0;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, m); srs_map_iter_next(&it);) {
        visited++;
        int i = (int)((int *)it.value - values);
        if (i % 2 == 0) {
            EXPECT_EQ(&values[i], srs_map_iter_remove(&it));
        } else if (i % 3 == 0) {
            EXPECT_EQ(&values[i], srs_map_remove(m, it.key));
        }
    }
    EXPECT_EQ(1000, visited);

    size_t expected = 0;
    for (int i = 0; i < 1000; i++) {
        bool kept = i % 2 != 0 && i % 3 != 0;
        expected += kept;
        EXPECT_EQ(kept ? &values[i] : NULL, srs_map_get(m, std::to_string(i).c_str())) << i;
    }
    EXPECT_EQ(expected, srs_map_size(m));
    srs_map_free(m);
}
