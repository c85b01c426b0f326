// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string>

extern "C" {
#include "srs_kernel_srs_api.h"
}

namespace {

struct Merged {
    cJSON *root = nullptr;
    ~Merged() { cJSON_Delete(root); }
};

void merge(Merged &m, srs_srs_api_kind_t kind, const srs_srs_api_reply_t *r, int n, int start = 0, int count = -1,
           size_t max_entries = 100, size_t max_body = 1 << 20)
{
    srs_srs_api_merge_opts_t o = {start, count, max_entries, max_body, "srs-proxy", "svc", "42", "7.0.143", 1000};
    char *text = srs_srs_api_merge(kind, r, n, &o);
    m.root = cJSON_Parse(text);
    free(text);
    ASSERT_TRUE(m.root != nullptr);
}

srs_srs_api_reply_t reply(const char *origin, const char *body)
{
    srs_srs_api_reply_t r = {origin, body, body ? strlen(body) : 0, body ? nullptr : "timeout"};
    return r;
}

const char *str(cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

double num(cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

const char *A = "{\"code\":0,\"server\":\"a\",\"total\":2,\"streams\":[{\"id\":\"vid-1\",\"name\":\"s1\"},{\"id\":\"vid-2\",\"name\":\"s2\"}]}";
const char *B = "{\"code\":0,\"server\":\"b\",\"total\":1,\"streams\":[{\"id\":\"vid-3\",\"name\":\"s3\"}]}";

} // namespace

TEST(KernelSrsApiTest, MergesListsInOrderAndTagsEachEntryWithItsOrigin)
{
    srs_srs_api_reply_t r[2] = {reply("o-a", A), reply("o-b", B)};
    Merged m;
    merge(m, SRS_SRS_API_STREAMS, r, 2);
    EXPECT_EQ(0, num(m.root, "code"));
    EXPECT_STREQ("srs-proxy", str(m.root, "server"));
    EXPECT_STREQ("42", str(m.root, "pid"));
    EXPECT_EQ(3, num(m.root, "total"));
    cJSON *list = cJSON_GetObjectItem(m.root, "streams");
    ASSERT_EQ(3, cJSON_GetArraySize(list));
    EXPECT_STREQ("s1", str(cJSON_GetArrayItem(list, 0), "name"));
    EXPECT_STREQ("o-a", str(cJSON_GetArrayItem(list, 0), "origin"));
    EXPECT_STREQ("o-b", str(cJSON_GetArrayItem(list, 2), "origin"));
    EXPECT_EQ(0, cJSON_GetArraySize(cJSON_GetObjectItem(m.root, "unavailable")));
    EXPECT_EQ(2, cJSON_GetArraySize(cJSON_GetObjectItem(m.root, "origins")));
}

TEST(KernelSrsApiTest, PagesTheMergedList)
{
    srs_srs_api_reply_t r[2] = {reply("o-a", A), reply("o-b", B)};
    Merged m;
    merge(m, SRS_SRS_API_STREAMS, r, 2, 1, 1);
    cJSON *list = cJSON_GetObjectItem(m.root, "streams");
    ASSERT_EQ(1, cJSON_GetArraySize(list));
    EXPECT_STREQ("vid-2", str(cJSON_GetArrayItem(list, 0), "id"));
    EXPECT_EQ(3, num(m.root, "total"));
    Merged past;
    merge(past, SRS_SRS_API_STREAMS, r, 2, 10, 5);
    EXPECT_EQ(0, cJSON_GetArraySize(cJSON_GetObjectItem(past.root, "streams")));
}

TEST(KernelSrsApiTest, SilentBrokenAndOversizedOriginsAreNamedNotMerged)
{
    std::string big = std::string(A) + std::string(64, ' ');
    srs_srs_api_reply_t r[5] = {reply("o-a", A), reply("o-silent", nullptr), reply("o-html", "<html>404</html>"),
                                reply("o-err", "{\"code\":2048}"), reply("o-big", big.c_str())};
    Merged m;
    merge(m, SRS_SRS_API_STREAMS, r, 5, 0, -1, 100, strlen(A));
    EXPECT_EQ(2, num(m.root, "total"));
    cJSON *un = cJSON_GetObjectItem(m.root, "unavailable");
    ASSERT_EQ(4, cJSON_GetArraySize(un));
    EXPECT_STREQ("o-silent", cJSON_GetArrayItem(un, 0)->valuestring);
    cJSON *origins = cJSON_GetObjectItem(m.root, "origins");
    EXPECT_STREQ("timeout", str(cJSON_GetArrayItem(origins, 1), "msg"));
    EXPECT_STREQ("reply is not a JSON object", str(cJSON_GetArrayItem(origins, 2), "msg"));
    EXPECT_STREQ("reply code is not 0", str(cJSON_GetArrayItem(origins, 3), "msg"));
    EXPECT_STREQ("reply too large", str(cJSON_GetArrayItem(origins, 4), "msg"));
}

TEST(KernelSrsApiTest, OnlyObjectsAreMergedAndTheTagCannotBeForged)
{
    srs_srs_api_reply_t r[1] = {reply("o-a", "{\"code\":0,\"streams\":[1,\"x\",null,[],{\"id\":\"e\",\"origin\":\"forged\"}]}")};
    Merged m;
    merge(m, SRS_SRS_API_STREAMS, r, 1);
    cJSON *list = cJSON_GetObjectItem(m.root, "streams");
    ASSERT_EQ(1, cJSON_GetArraySize(list));
    EXPECT_STREQ("o-a", str(cJSON_GetArrayItem(list, 0), "origin"));
    // Exactly one "origin" key remains.
    int origins = 0;
    cJSON *it = nullptr;
    cJSON_ArrayForEach(it, cJSON_GetArrayItem(list, 0)) origins += !strcmp(it->string, "origin");
    EXPECT_EQ(1, origins);
}

TEST(KernelSrsApiTest, BoundsEntriesOverAllOrigins)
{
    srs_srs_api_reply_t r[2] = {reply("o-a", A), reply("o-b", B)};
    Merged m;
    merge(m, SRS_SRS_API_STREAMS, r, 2, 0, -1, 2);
    EXPECT_EQ(2, num(m.root, "total"));
    EXPECT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(m.root, "truncated")));
}

TEST(KernelSrsApiTest, SummariesKeepEachOriginsData)
{
    srs_srs_api_reply_t r[2] = {reply("o-a", "{\"code\":0,\"data\":{\"ok\":true,\"self\":{\"version\":\"7.0.18\"}}}"),
                                reply("o-b", "{\"code\":0}")};
    Merged m;
    merge(m, SRS_SRS_API_SUMMARIES, r, 2);
    cJSON *data = cJSON_GetObjectItem(m.root, "data");
    EXPECT_EQ(1, num(data, "origins"));
    EXPECT_STREQ("7.0.143", str(cJSON_GetObjectItem(data, "self"), "version"));
    cJSON *origins = cJSON_GetObjectItem(m.root, "origins");
    EXPECT_STREQ("7.0.18", str(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(origins, 0), "data"), "self"), "version"));
    EXPECT_STREQ("o-b", cJSON_GetArrayItem(cJSON_GetObjectItem(m.root, "unavailable"), 0)->valuestring);
}

TEST(KernelSrsApiTest, FindsTheOwnerOfAnId)
{
    srs_srs_api_reply_t r[3] = {reply("o-x", nullptr), reply("o-a", A), reply("o-b", B)};
    EXPECT_EQ(2, srs_srs_api_find_owner(SRS_SRS_API_STREAMS, r, 3, "vid-3", 1 << 20));
    EXPECT_EQ(1, srs_srs_api_find_owner(SRS_SRS_API_STREAMS, r, 3, "vid-1", 1 << 20));
    EXPECT_EQ(-1, srs_srs_api_find_owner(SRS_SRS_API_STREAMS, r, 3, "vid-9", 1 << 20));
    EXPECT_EQ(-1, srs_srs_api_find_owner(SRS_SRS_API_STREAMS, r, 3, "", 1 << 20));
    EXPECT_EQ(-1, srs_srs_api_find_owner(SRS_SRS_API_CLIENTS, r, 3, "vid-1", 1 << 20));
    EXPECT_EQ(-1, srs_srs_api_find_owner(SRS_SRS_API_SUMMARIES, r, 3, "vid-1", 1 << 20));
}

TEST(KernelSrsApiTest, EveryForgedOriginKeyIsReplaced)
{
    // Found by the fuzzer: a key given twice survived the first delete, and a reader found it first.
    srs_srs_api_reply_t r[1] = {reply("o-a", "{\"code\":0,\"streams\":[{\"id\":\"e\",\"origin\":\"f1\",\"origin\":\"f2\"}]}")};
    Merged m;
    merge(m, SRS_SRS_API_STREAMS, r, 1);
    cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItem(m.root, "streams"), 0);
    int origins = 0;
    cJSON *it = nullptr;
    cJSON_ArrayForEach(it, entry) origins += !strcmp(it->string, "origin");
    EXPECT_EQ(1, origins);
    EXPECT_STREQ("o-a", str(entry, "origin"));
}
