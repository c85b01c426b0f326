/* SPDX-License-Identifier: MIT */
/* Fuzz the merge of SRS API replies from several origins (srs_kernel_srs_api.c): what any origin
 * answers must give a well-formed SRS answer within the bounds.
 * Input: byte 0 = kind (mod 4), byte 1 = start, byte 2 = count (255 = all), then up to 4
 * origin replies separated by NUL bytes (an empty one counts as "did not answer"). */
#include "srs_kernel_srs_api.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    srs_srs_api_kind_t kind = (srs_srs_api_kind_t)(data[0] % SRS_SRS_API_KINDS);
    int start = data[1], count = data[2] == 255 ? -1 : data[2];
    data += 3;
    size -= 3;

    srs_srs_api_reply_t replies[4];
    static const char *names[4] = {"o1", "o2", "o3", "o4"};
    int n = 0;
    size_t pos = 0;
    while (n < 4 && pos <= size) {
        const uint8_t *end = (const uint8_t *)memchr(data + pos, 0, size - pos);
        size_t len = end ? (size_t)(end - (data + pos)) : size - pos;
        replies[n].origin = names[n];
        replies[n].body = len ? (const char *)data + pos : NULL;
        replies[n].len = len;
        replies[n].error = len ? NULL : "timeout";
        n++;
        pos += len + 1;
        if (!end) break;
    }

    srs_srs_api_merge_opts_t o = {start, count, MAX_ENTRIES, 4096, "srv", "svc", "1", "1.0", 0};
    char *text = srs_srs_api_merge(kind, replies, n, &o);
    cJSON *root = cJSON_Parse(text);
    if (!root) abort();
    cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
    if (!cJSON_IsNumber(code) || code->valuedouble != 0) abort();
    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "origins")) != n) abort();
    if (kind != SRS_SRS_API_SUMMARIES) {
        cJSON *list = cJSON_GetObjectItemCaseSensitive(root, srs_srs_api_kind_name(kind));
        cJSON *total = cJSON_GetObjectItemCaseSensitive(root, "total");
        if (!cJSON_IsArray(list) || !cJSON_IsNumber(total) || total->valuedouble > MAX_ENTRIES) abort();
        int got = cJSON_GetArraySize(list);
        if (count >= 0 && got > count) abort();
        cJSON *e = NULL;
        cJSON_ArrayForEach(e, list) {
            cJSON *origin = cJSON_GetObjectItemCaseSensitive(e, "origin");
            if (!cJSON_IsString(origin) || origin->valuestring[0] != 'o') abort();
        }
        /* Every id listed is owned by some origin. */
        cJSON_ArrayForEach(e, list) {
            cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
            if (cJSON_IsString(id) && id->valuestring[0] && kind != SRS_SRS_API_VHOSTS) {
                int owner = srs_srs_api_find_owner(kind, replies, n, id->valuestring, 4096);
                if (owner < 0 || owner >= n) abort();
            }
        }
    }
    cJSON_Delete(root);
    free(text);
    if (srs_srs_api_find_owner(kind, replies, n, "x", 4096) >= n) abort();
    return 0;
}
