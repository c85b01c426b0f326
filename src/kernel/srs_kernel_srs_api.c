/* SPDX-License-Identifier: MIT */
/* Merging SRS API replies of several origins (see the header). */
#include "srs_kernel_srs_api.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_names[SRS_SRS_API_KINDS] = {"streams", "clients", "vhosts", "summaries"};

const char *srs_srs_api_kind_name(srs_srs_api_kind_t kind)
{
    return (unsigned)kind < SRS_SRS_API_KINDS ? kind_names[kind] : "unknown";
}

static const char *or_empty(const char *s) { return s ? s : ""; }

/* The parsed reply when it is SRS-shaped ({"code":0,...}), else NULL with *why set. */
static cJSON *parse_reply(const srs_srs_api_reply_t *r, size_t max_body, const char **why)
{
    if (!r->body) {
        *why = r->error ? r->error : "no answer";
        return NULL;
    }
    if (r->len > max_body) {
        *why = "reply too large";
        return NULL;
    }
    cJSON *root = cJSON_ParseWithLength(r->body, r->len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        *why = "reply is not a JSON object";
        return NULL;
    }
    cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
    if (!cJSON_IsNumber(code) || code->valuedouble != 0) {
        cJSON_Delete(root);
        *why = "reply code is not 0";
        return NULL;
    }
    return root;
}

static void add_head(cJSON *out, const srs_srs_api_merge_opts_t *o)
{
    cJSON_AddNumberToObject(out, "code", 0);
    cJSON_AddStringToObject(out, "server", or_empty(o->server));
    cJSON_AddStringToObject(out, "service", or_empty(o->service));
    cJSON_AddStringToObject(out, "pid", or_empty(o->pid));
}

static void tag_origin(cJSON *entry, const char *origin)
{
    /* Every "origin" the reply has: JSON allows a key twice, and a reader may take either. */
    while (cJSON_GetObjectItemCaseSensitive(entry, "origin")) cJSON_DeleteItemFromObjectCaseSensitive(entry, "origin");
    cJSON_AddStringToObject(entry, "origin", origin);
}

static char *print_and_free(cJSON *out)
{
    char *text = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    if (!text) abort(); /* only out of memory */
    return text;
}

static char *merge_summaries(const srs_srs_api_reply_t *replies, int n, const srs_srs_api_merge_opts_t *o)
{
    cJSON *out = cJSON_CreateObject();
    add_head(out, o);
    cJSON *data = cJSON_AddObjectToObject(out, "data");
    cJSON *origins = cJSON_AddArrayToObject(out, "origins");
    cJSON *unavailable = cJSON_AddArrayToObject(out, "unavailable");
    int answered = 0;
    for (int i = 0; i < n; i++) {
        const char *origin = or_empty(replies[i].origin);
        const char *why = NULL;
        cJSON *root = parse_reply(&replies[i], o->max_body, &why);
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "id", origin);
        cJSON *d = root ? cJSON_DetachItemFromObjectCaseSensitive(root, "data") : NULL;
        if (d && cJSON_IsObject(d)) {
            cJSON_AddBoolToObject(item, "ok", true);
            cJSON_AddItemToObject(item, "data", d);
            answered++;
        } else {
            cJSON_Delete(d);
            cJSON_AddBoolToObject(item, "ok", false);
            cJSON_AddStringToObject(item, "msg", why ? why : "reply has no data object");
            cJSON_AddItemToArray(unavailable, cJSON_CreateString(origin));
        }
        cJSON_AddItemToArray(origins, item);
        cJSON_Delete(root);
    }
    cJSON_AddBoolToObject(data, "ok", true);
    cJSON_AddNumberToObject(data, "now_ms", (double)o->now_ms);
    cJSON *self = cJSON_AddObjectToObject(data, "self");
    cJSON_AddStringToObject(self, "version", or_empty(o->version));
    cJSON_AddStringToObject(self, "pid", or_empty(o->pid));
    cJSON_AddNumberToObject(data, "origins", answered);
    return print_and_free(out);
}

char *srs_srs_api_merge(srs_srs_api_kind_t kind, const srs_srs_api_reply_t *replies, int n,
                        const srs_srs_api_merge_opts_t *o)
{
    if (kind == SRS_SRS_API_SUMMARIES) return merge_summaries(replies, n, o);
    const char *name = srs_srs_api_kind_name(kind);

    cJSON *out = cJSON_CreateObject();
    add_head(out, o);
    cJSON *merged = cJSON_CreateArray();
    cJSON *origins = cJSON_CreateArray();
    cJSON *unavailable = cJSON_CreateArray();
    size_t total = 0;
    bool truncated = false;
    for (int i = 0; i < n; i++) {
        const char *origin = or_empty(replies[i].origin);
        const char *why = NULL;
        cJSON *root = parse_reply(&replies[i], o->max_body, &why);
        cJSON *list = root ? cJSON_GetObjectItemCaseSensitive(root, name) : NULL;
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "id", origin);
        if (!cJSON_IsArray(list)) {
            cJSON_AddBoolToObject(item, "ok", false);
            cJSON_AddStringToObject(item, "msg", why ? why : "reply has no list");
            cJSON_AddItemToArray(unavailable, cJSON_CreateString(origin));
            cJSON_AddItemToArray(origins, item);
            cJSON_Delete(root);
            continue;
        }
        int mine = 0;
        /* Detach one by one: each entry moves into the merged list without a copy. */
        while (list->child) {
            cJSON *entry = cJSON_DetachItemViaPointer(list, list->child);
            if (!cJSON_IsObject(entry)) {
                cJSON_Delete(entry);
                continue;
            }
            if (total >= o->max_entries) {
                cJSON_Delete(entry);
                truncated = true;
                continue;
            }
            tag_origin(entry, origin);
            cJSON_AddItemToArray(merged, entry);
            total++;
            mine++;
        }
        cJSON_AddBoolToObject(item, "ok", true);
        cJSON_AddNumberToObject(item, "total", mine);
        cJSON_AddItemToArray(origins, item);
        cJSON_Delete(root);
    }

    /* Pagination on the merged list. */
    size_t start = o->start > 0 ? (size_t)o->start : 0;
    size_t count = o->count < 0 ? total : (size_t)o->count;
    cJSON *page = cJSON_CreateArray();
    size_t index = 0;
    while (merged->child) {
        cJSON *entry = cJSON_DetachItemViaPointer(merged, merged->child);
        if (index >= start && index - start < count) cJSON_AddItemToArray(page, entry);
        else cJSON_Delete(entry);
        index++;
    }
    cJSON_Delete(merged);

    cJSON_AddNumberToObject(out, "total", (double)total);
    cJSON_AddItemToObject(out, name, page);
    cJSON_AddItemToObject(out, "origins", origins);
    cJSON_AddItemToObject(out, "unavailable", unavailable);
    if (truncated) cJSON_AddBoolToObject(out, "truncated", true);
    return print_and_free(out);
}

int srs_srs_api_find_owner(srs_srs_api_kind_t kind, const srs_srs_api_reply_t *replies, int n, const char *id,
                           size_t max_body)
{
    if (!id || !id[0] || kind == SRS_SRS_API_SUMMARIES || (unsigned)kind >= SRS_SRS_API_KINDS) return -1;
    const char *name = srs_srs_api_kind_name(kind);
    for (int i = 0; i < n; i++) {
        const char *why = NULL;
        cJSON *root = parse_reply(&replies[i], max_body, &why);
        cJSON *list = root ? cJSON_GetObjectItemCaseSensitive(root, name) : NULL;
        bool found = false;
        cJSON *entry = NULL;
        if (cJSON_IsArray(list)) {
            cJSON_ArrayForEach(entry, list) {
                cJSON *eid = cJSON_IsObject(entry) ? cJSON_GetObjectItemCaseSensitive(entry, "id") : NULL;
                if (cJSON_IsString(eid) && !strcmp(eid->valuestring, id)) {
                    found = true;
                    break;
                }
            }
        }
        cJSON_Delete(root);
        if (found) return i;
    }
    return -1;
}
