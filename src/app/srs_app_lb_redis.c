/* SPDX-License-Identifier: MIT */
/* The Redis load balancer (spec §3.2): several proxies share origins, sticky picks and HLS/WebRTC
 * sessions through one Redis, with the Go proxy's keys, JSON values and TTLs, so C and Go proxies
 * can share it. Fixed against Go (spec §11.3):
 * - HLS and WebRTC sessions load back, so a session signalled on one proxy is served by another;
 *   a playlist request reuses its stream's spbhid;
 * - the all-servers list and a first pick are read-modify-writes done atomically in Lua scripts;
 * - a sticky pick (srs-proxy-url:*) expires with its origin: it gets the origin TTL, renewed on
 *   every pick.
 * Redis lost at runtime: live sessions go on (the relays keep their own tables); picks, loads and
 * stores use a local cache of what this proxy saw (origins, sticky picks, sessions), and a pick
 * with no live origin cached fails with ERROR_ORIGIN_NONE. A background coroutine reconnects with
 * backoff, logs when Redis is back and then writes the local cache back (in case Redis restarted
 * empty), without overwriting newer values. It also deletes ended WebRTC sessions (the relay's
 * packet coroutine must not wait for Redis) and re-writes live ones, so they can move to another
 * proxy for as long as they live. */
#include "srs_app_lb.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_map.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_resp.h"
#include "srs_protocol_st.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LB_CONNECT_TIMEOUT (2 * SRS_UTIME_SECONDS)
#define LB_IO_TIMEOUT (3 * SRS_UTIME_SECONDS)
/* The background coroutine wakes at least this often (reconnect, resync, queued deletes). */
#define LB_WORKER_TICK (1 * SRS_UTIME_SECONDS)
/* An idle connection is checked this often. */
#define LB_KEEPALIVE (5 * SRS_UTIME_SECONDS)
/* Live WebRTC sessions are re-written this often, well within their 120 s TTL. */
#define LB_RTC_REFRESH (10 * SRS_UTIME_SECONDS)
/* A session the relay never reported as ended is not kept alive in Redis longer than this. */
#define LB_RTC_MAX_AGE (24 * 3600 * SRS_UTIME_SECONDS)
/* Ended WebRTC sessions waiting for their keys to be deleted; more are left to expire. */
#define LB_DELETE_QUEUE 1024
#define LB_KEY_SIZE 1536
#define LB_ID_SIZE 400
#define LB_URL_SIZE 1024

/* Key names, after the optional "<prefix>:" (spec §3.2). */
#define LB_KEY_SERVER "srs-proxy-server:"
#define LB_KEY_ALL_SERVERS "srs-proxy-all-servers"
#define LB_KEY_URL "srs-proxy-url:"
#define LB_KEY_HLS "srs-proxy-hls:"
#define LB_KEY_SPBHID "srs-proxy-spbhid:"
#define LB_KEY_RTC "srs-proxy-rtc:"
#define LB_KEY_UFRAG "srs-proxy-ufrag:"

/* Set the origin (ARGV[3] "NX": only when missing, to keep a newer value), then rewrite the
 * all-servers JSON array: drop keys that expired, add this one. Atomic, unlike Go's. The array
 * stays a JSON string of key names, which is what Go proxies read. */
static const char *LB_SCRIPT_UPDATE =
    "if ARGV[3] == 'NX' then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')\n"
    "else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end\n"
    "local list = {}\n"
    "local all = redis.call('GET', KEYS[2])\n"
    "if all then\n"
    "  local ok, v = pcall(cjson.decode, all)\n"
    "  if ok and type(v) == 'table' then list = v end\n"
    "end\n"
    "local out, seen = {}, {}\n"
    "for _, k in ipairs(list) do\n"
    "  if type(k) == 'string' and not seen[k] and redis.call('EXISTS', k) == 1 then\n"
    "    seen[k] = true\n"
    "    out[#out + 1] = cjson.encode(k)\n"
    "  end\n"
    "end\n"
    "if not seen[KEYS[1]] then out[#out + 1] = cjson.encode(KEYS[1]) end\n"
    "redis.call('SET', KEYS[2], '[' .. table.concat(out, ',') .. ']')\n"
    "return #out\n";

/* The sticky origin of a stream while it lives (its pick renewed), else one at random (ARGV[2])
 * among the live ones in all-servers, stored as the new sticky pick with the origin TTL.
 * Returns {server key, server JSON}, or {} when no origin lives. */
static const char *LB_SCRIPT_PICK =
    "local sk = redis.call('GET', KEYS[1])\n"
    "if sk then\n"
    "  local s = redis.call('GET', sk)\n"
    "  if s then\n"
    "    redis.call('PEXPIRE', KEYS[1], ARGV[1])\n"
    "    return {sk, s}\n"
    "  end\n"
    "end\n"
    "local alive = {}\n"
    "local all = redis.call('GET', KEYS[2])\n"
    "if all then\n"
    "  local ok, list = pcall(cjson.decode, all)\n"
    "  if ok and type(list) == 'table' then\n"
    "    for _, k in ipairs(list) do\n"
    "      if type(k) == 'string' then\n"
    "        local s = redis.call('GET', k)\n"
    "        if s then alive[#alive + 1] = {k, s} end\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "if #alive == 0 then return {} end\n"
    "local chosen = alive[(tonumber(ARGV[2]) % #alive) + 1]\n"
    "redis.call('SET', KEYS[1], chosen[1], 'PX', ARGV[1])\n"
    "return chosen\n";

/* Every live origin: {key1, json1, key2, json2, ...}. */
static const char *LB_SCRIPT_LIST =
    "local out = {}\n"
    "local all = redis.call('GET', KEYS[1])\n"
    "if not all then return out end\n"
    "local ok, list = pcall(cjson.decode, all)\n"
    "if not ok or type(list) ~= 'table' then return out end\n"
    "for _, k in ipairs(list) do\n"
    "  if type(k) == 'string' then\n"
    "    local s = redis.call('GET', k)\n"
    "    if s then out[#out + 1] = k; out[#out + 1] = s end\n"
    "  end\n"
    "end\n"
    "return out\n";

/* An HLS session by spbhid (KEYS[1]), its TTL renewed, and its stream's entry too while that
 * entry still names this spbhid (ARGV[2] = the hls key prefix, ARGV[3] = the spbhid). */
static const char *LB_SCRIPT_LOAD_SPBHID =
    "local v = redis.call('GET', KEYS[1])\n"
    "if not v then return false end\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[1])\n"
    "local ok, o = pcall(cjson.decode, v)\n"
    "if ok and type(o) == 'table' and type(o.stream_url) == 'string' then\n"
    "  local hk = ARGV[2] .. o.stream_url\n"
    "  local h = redis.call('GET', hk)\n"
    "  if h then\n"
    "    local ok2, ho = pcall(cjson.decode, h)\n"
    "    if ok2 and type(ho) == 'table' and ho.spbhid == ARGV[3] then redis.call('PEXPIRE', hk, ARGV[1]) end\n"
    "  end\n"
    "end\n"
    "return v\n";

/* A stream's HLS entry (KEYS[1]) while the session its spbhid names lives (ARGV[2] = the spbhid
 * key prefix); both TTLs renewed. */
static const char *LB_SCRIPT_LOAD_HLS_STREAM =
    "local h = redis.call('GET', KEYS[1])\n"
    "if not h then return false end\n"
    "local ok, o = pcall(cjson.decode, h)\n"
    "if not ok or type(o) ~= 'table' or type(o.spbhid) ~= 'string' then return false end\n"
    "local sk = ARGV[2] .. o.spbhid\n"
    "if redis.call('EXISTS', sk) == 0 then return false end\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[1])\n"
    "redis.call('PEXPIRE', sk, ARGV[1])\n"
    "return h\n";

/* An ended WebRTC session: its ufrag key, and its stream's entry if that still names it. */
static const char *LB_SCRIPT_REMOVE_RTC =
    "redis.call('DEL', KEYS[1])\n"
    "if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end\n"
    "return 1\n";

typedef struct {
    char *ufrag;
    char *stream_url; /* NULL when this proxy did not know the session */
} lb_delete_t;

typedef struct {
    srs_lb_t base;
    srs_resp_client_t *redis;
    char prefix[300];          /* "<prefix>:" or "" */
    srs_utime_t ttl;
    srs_lb_clock_fn clock;

    /* The local cache. */
    srs_map_t *origins;        /* server key → srs_origin_t* */
    srs_map_t *picked;         /* stream URL → srs_lb_entry_t* (server key) */
    srs_map_t *hls_streams;    /* stream URL → srs_lb_entry_t* */
    srs_map_t *hls_sessions;   /* spbhid → srs_lb_entry_t* */
    srs_map_t *rtc;            /* ufrag → srs_lb_entry_t*: live WebRTC sessions of this proxy */

    lb_delete_t deletes[LB_DELETE_QUEUE];
    int del_head, del_count;
    st_cond_t wake;
    srs_coroutine_t *worker;
    uint64_t synced_generation;
    srs_utime_t last_refresh;  /* monotonic */
    srs_utime_t last_ping;     /* monotonic */
    srs_log_limit_t log_limit;
} lb_redis_t;

/* ------------------------------------------------------------------------------------------ */
/* Keys, JSON and replies */

static srs_error_t lb_key(const lb_redis_t *self, const char *kind, const char *name, char *out, size_t size)
{
    int n = snprintf(out, size, "%s%s%s", self->prefix, kind, name);
    if (n < 0 || (size_t)n >= size) return srs_error_new(ERROR_SYSTEM_LIMIT, "redis key %s<%zu bytes> too long", kind, strlen(name));
    return srs_success;
}

/* lb_key for the background loops, which skip a key that does not fit. */
static bool lb_key_ok(const lb_redis_t *self, const char *kind, const char *name, char *out, size_t size)
{
    srs_error_t err = lb_key(self, kind, name, out, size);
    srs_error_free(err);
    return err == srs_success;
}

/* A duration in milliseconds, as PX wants it (at least 1). */
static void ms_text(srs_utime_t t, char *out, size_t size)
{
    snprintf(out, size, "%lld", (long long)SRS_MAX(t / SRS_UTIME_MILLISECONDS, 1));
}

/* {"<names[0]>":"<values[0]>",...} in this order, as Go's json.Marshal of the session structs. */
static char *json_object(const char *const *names, const char *const *values, int n)
{
    cJSON *obj = cJSON_CreateObject();
    if (!obj) abort();
    for (int i = 0; i < n; i++) {
        if (!cJSON_AddStringToObject(obj, names[i], values[i])) abort();
    }
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!text) abort();
    return text;
}

static char *hls_json(const char *spbhid, const char *stream_url, const char *full_url)
{
    const char *names[] = {"spbhid", "stream_url", "full_url"};
    const char *values[] = {spbhid, stream_url, full_url};
    return json_object(names, values, 3);
}

static char *rtc_json(const char *stream_url, const char *ufrag)
{
    const char *names[] = {"stream_url", "ufrag"};
    const char *values[] = {stream_url, ufrag};
    return json_object(names, values, 2);
}

/* The ufrag key's value: the Go proxy's JSON plus "ice_pwd" (the origin's ICE password, which
 * Go ignores), so another proxy taking the session over can check MESSAGE-INTEGRITY. */
static char *rtc_ufrag_json(const char *stream_url, const char *ufrag, const char *ice_pwd)
{
    if (!ice_pwd || !ice_pwd[0]) return rtc_json(stream_url, ufrag);
    const char *names[] = {"stream_url", "ufrag", "ice_pwd"};
    const char *values[] = {stream_url, ufrag, ice_pwd};
    return json_object(names, values, 3);
}

/* A session field read back from Redis (anyone who reaches Redis may have written it): non-empty,
 * no control characters; a stream URL is "vhost/app/stream" (slashes, no "..") as
 * srs_stream_url_build makes it. */
static bool value_sane(const char *name, const char *v)
{
    if (!v[0]) return false;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) return false;
    }
    if (!strcmp(name, "stream_url")) return strchr(v, '/') && !strstr(v, "..");
    return true;
}

/* The string fields `names` of a JSON object into outs (sizes bytes each), validated. */
static srs_error_t json_fields(const char *key, const srs_resp_reply_t *r, int n, const char *const *names,
                               char *const *outs, const size_t *sizes)
{
    cJSON *root = cJSON_ParseWithLength(r->str, r->len);
    srs_error_t err = srs_success;
    if (!root || !cJSON_IsObject(root)) err = srs_error_new(ERROR_REDIS, "redis key %s: not a JSON object", key);
    for (int i = 0; !err && i < n; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, names[i]);
        if (!cJSON_IsString(v)) {
            err = srs_error_new(ERROR_REDIS, "redis key %s: no string %s", key, names[i]);
        } else if (strlen(v->valuestring) >= sizes[i]) {
            err = srs_error_new(ERROR_REDIS, "redis key %s: %s too long", key, names[i]);
        } else if (!value_sane(names[i], v->valuestring)) {
            err = srs_error_new(ERROR_REDIS, "redis key %s: invalid %s", key, names[i]);
        } else {
            memcpy(outs[i], v->valuestring, strlen(v->valuestring) + 1);
        }
    }
    cJSON_Delete(root);
    if (err) srs_lb_stats()->invalid_redis_values++;
    return err;
}

/* An error reply (a script failed, WRONGTYPE, OOM...) as an error; success otherwise. */
static srs_error_t reply_error(const srs_resp_reply_t *r, const char *what)
{
    if (r && r->type == SRS_RESP_ERROR) return srs_error_new(ERROR_REDIS, "redis %s: %s", what, r->str);
    return srs_success;
}

static bool reply_is_string(const srs_resp_reply_t *r)
{
    return r && r->type == SRS_RESP_STRING;
}

/* Run cmds and free the replies. *down (may be NULL) tells an unreachable Redis, for the local
 * cache to serve, from an error reply (a script failed, WRONGTYPE, OOM...), which is an error. */
static srs_error_t lb_run(lb_redis_t *self, const srs_resp_cmds_t *cmds, const char *what, bool *down)
{
    if (down) *down = false;
    if (!cmds->count) return srs_success;
    srs_resp_reply_t **replies = (srs_resp_reply_t **)calloc((size_t)cmds->count, sizeof(*replies));
    if (!replies) abort();
    srs_error_t err = srs_resp_client_pipeline(self->redis, cmds, replies);
    if (err && down) *down = true;
    for (int i = 0; i < cmds->count; i++) {
        if (!err) err = reply_error(replies[i], what);
        srs_resp_reply_free(replies[i]);
    }
    free(replies);
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* The local cache */

/* Keep the freshest copy of an origin; false when the cache is full of live origins
 * (PROXY_MAX_ORIGINS): a new one is then not cached. */
static bool cache_origin(lb_redis_t *self, const char *key, const srs_origin_t *o)
{
    srs_origin_t *c = (srs_origin_t *)srs_map_get(self->origins, key);
    if (!c && !srs_lb_origin_room(self->origins, NULL, key, srs_lb_now(self->clock), self->ttl)) {
        srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: origin cache full, %zu live origins (PROXY_MAX_ORIGINS)", srs_map_size(self->origins));
        return false;
    }
    if (!c) {
        if (!(c = (srs_origin_t *)malloc(sizeof(*c)))) abort();
        *c = *o;
        srs_map_set(self->origins, key, c);
        char desc[512];
        srs_origin_describe(o, desc, sizeof(desc));
        srs_log_limited(&self->log_limit, SRS_LOG_INFO, "lb: new origin %s, total %zu", desc, srs_map_size(self->origins));
    } else if (o->updated_at >= c->updated_at) {
        *c = *o;
    }
    return true;
}

/* The sticky pick, bounded by PROXY_LB_MAX_STREAMS (least recently used dropped) and renewed. */
static void cache_pick(lb_redis_t *self, const char *stream_url, const char *server_key)
{
    int64_t now = srs_lb_now(self->clock);
    srs_lb_entry_t *old = (srs_lb_entry_t *)srs_map_get(self->picked, stream_url);
    if (old && !strcmp(old->value, server_key)) {
        old->last_use = now;
        return;
    }
    srs_lb_stats()->evicted_picks +=
        srs_lb_entry_store_bounded(self->picked, stream_url, server_key, NULL, now, srs_lb_limits()->max_streams);
}

static bool origin_alive(const lb_redis_t *self, const srs_origin_t *o)
{
    return srs_lb_origin_alive(o, srs_lb_now(self->clock), self->ttl);
}

/* The cached sticky origin while it lives, else one at random among the live cached ones. */
static srs_error_t local_pick(lb_redis_t *self, const char *stream_url, srs_origin_t *out, char *key, size_t size)
{
    srs_lb_entry_t *pick = srs_lb_entry_load(self->picked, stream_url, srs_lb_now(self->clock), srs_lb_limits()->pick_idle);
    const char *sticky = pick ? pick->value : NULL;
    srs_origin_t *o = sticky ? (srs_origin_t *)srs_map_get(self->origins, sticky) : NULL;
    if (o && origin_alive(self, o)) {
        *out = *o;
        return srs_lb_copy_out(key, size, sticky);
    }

    size_t alive = 0;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) {
        if (origin_alive(self, (srs_origin_t *)it.value)) alive++;
    }
    if (!alive) return srs_error_new(ERROR_ORIGIN_NONE, "no live origin cached for %s", stream_url);
    size_t k = (size_t)(srs_random_u64() % alive);
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) {
        if (!origin_alive(self, (srs_origin_t *)it.value) || k-- > 0) continue;
        *out = *(srs_origin_t *)it.value;
        srs_error_t err = srs_lb_copy_out(key, size, it.key);
        if (!err) cache_pick(self, stream_url, it.key);
        return err;
    }
    return srs_error_new(ERROR_ORIGIN_NONE, "no live origin cached for %s", stream_url);
}

/* ------------------------------------------------------------------------------------------ */
/* Commands */

/* The update script for one origin, its key living ttl from the origin's own update time. */
static bool add_update(lb_redis_t *self, srs_resp_cmds_t *cmds, const char *key, const srs_origin_t *o, bool nx)
{
    srs_utime_t left = nx ? self->ttl - (srs_lb_now(self->clock) - o->updated_at) : self->ttl;
    if (left < SRS_UTIME_MILLISECONDS) return false;
    char all[LB_KEY_SIZE], ttl[32];
    lb_key_ok(self, LB_KEY_ALL_SERVERS, "", all, sizeof(all)); /* the prefix is short: it fits */
    ms_text(left, ttl, sizeof(ttl));
    char *json = srs_origin_to_json(o);
    srs_resp_cmds_add(cmds, "EVAL", LB_SCRIPT_UPDATE, "2", key, all, json, ttl, nx ? "NX" : "", NULL);
    free(json);
    return true;
}

static srs_error_t redis_update(srs_lb_t *lb, const srs_origin_t *origin)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    char id[LB_ID_SIZE], key[LB_KEY_SIZE];
    srs_origin_id(origin, id, sizeof(id));
    srs_error_t err = lb_key(self, LB_KEY_SERVER, id, key, sizeof(key));
    if (err) return err;
    if (!cache_origin(self, key, origin)) {
        return srs_error_new(ERROR_SYSTEM_LIMIT, "too many origins, %zu live ones known (PROXY_MAX_ORIGINS)", srs_map_size(self->origins));
    }

    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    add_update(self, &cmds, key, origin, false);
    bool down = false;
    err = lb_run(self, &cmds, "update origin", &down);
    srs_resp_cmds_free(&cmds);
    if (down) {
        /* Redis is unreachable: the origin is kept here, and written back when Redis returns. */
        srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: origin %s kept in the local cache only: %s", id, srs_error_summary(err));
        srs_error_reset(err);
    }
    return err;
}

/* Redis has no live origin but we know one: Redis lost its data (restart, flush). Write the
 * origin and the pick back, without overwriting what another proxy wrote meanwhile. */
static void republish_pick(lb_redis_t *self, const char *url_key, const char *server_key, const srs_origin_t *o)
{
    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    if (add_update(self, &cmds, server_key, o, true)) {
        char ttl[32];
        ms_text(self->ttl, ttl, sizeof(ttl));
        srs_resp_cmds_add(&cmds, "SET", url_key, server_key, "PX", ttl, "NX", NULL);
    }
    srs_error_t err = lb_run(self, &cmds, "republish origin", NULL);
    srs_resp_cmds_free(&cmds);
    if (err) srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: republish %s: %s", server_key, srs_error_summary(err));
    srs_error_free(err);
}

/* A server key from a reply: "<prefix>srs-proxy-server:<id>", printable, of a sane size. */
static bool server_key_sane(const lb_redis_t *self, const srs_resp_reply_t *key)
{
    size_t plen = strlen(self->prefix), klen = strlen(LB_KEY_SERVER);
    if (key->len >= LB_KEY_SIZE || key->len <= plen + klen || strlen(key->str) != key->len) return false;
    if (memcmp(key->str, self->prefix, plen) || memcmp(key->str + plen, LB_KEY_SERVER, klen)) return false;
    for (size_t i = 0; i < key->len; i++) {
        if ((unsigned char)key->str[i] < 0x20 || key->str[i] == 0x7f) return false;
    }
    return true;
}

static srs_error_t pick_from_reply(lb_redis_t *self, const char *stream_url, const srs_resp_reply_t *r, srs_origin_t *out)
{
    const srs_resp_reply_t *key = r->element[0], *json = r->element[1];
    if (!reply_is_string(key) || !reply_is_string(json) || !server_key_sane(self, key)) {
        srs_lb_stats()->invalid_redis_values++;
        return srs_error_new(ERROR_REDIS, "redis pick: unexpected reply");
    }
    srs_origin_t o;
    srs_error_t err = srs_origin_from_redis(json->str, json->len, &o);
    if (err) {
        srs_lb_stats()->invalid_redis_values++;
        return srs_error_wrap(err, "redis pick of %s: invalid origin value", stream_url);
    }
    if (cache_origin(self, key->str, &o)) cache_pick(self, stream_url, key->str);
    *out = o;
    return srs_success;
}

static srs_error_t redis_pick(srs_lb_t *lb, const char *stream_url, srs_origin_t *out)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    char url_key[LB_KEY_SIZE], all[LB_KEY_SIZE], ttl[32], rnd[32], server_key[LB_KEY_SIZE];
    srs_error_t err = lb_key(self, LB_KEY_URL, stream_url, url_key, sizeof(url_key));
    if (err) return err;
    if ((err = lb_key(self, LB_KEY_ALL_SERVERS, "", all, sizeof(all))) != srs_success) return err;
    ms_text(self->ttl, ttl, sizeof(ttl));
    snprintf(rnd, sizeof(rnd), "%llu", (unsigned long long)(srs_random_u64() % 2147483647ULL));

    srs_resp_reply_t *r = NULL;
    err = srs_resp_client_command(self->redis, &r, "EVAL", LB_SCRIPT_PICK, "2", url_key, all, ttl, rnd, NULL);
    if (err) {
        /* Redis is unreachable: the local cache, or a clean failure. */
        srs_error_t lerr = local_pick(self, stream_url, out, server_key, sizeof(server_key));
        if (!lerr) {
            srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: %s picked from the local cache: %s", stream_url, srs_error_summary(err));
            srs_error_free(err);
            return srs_success;
        }
        srs_error_free(lerr);
        lerr = srs_error_new(ERROR_ORIGIN_NONE, "no server available for %s: Redis unreachable (%s) and no live origin cached",
                             stream_url, srs_error_summary(err));
        srs_error_free(err);
        return lerr;
    }

    if (r->type == SRS_RESP_ARRAY && r->elements == 2) {
        err = pick_from_reply(self, stream_url, r, out);
        if (err) {
            /* Redis named an origin that fails validation: never dialled; what this proxy knows
             * serves, or no origin at all. */
            srs_error_t lerr = local_pick(self, stream_url, out, server_key, sizeof(server_key));
            srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: %s: %s", stream_url, srs_error_summary(err));
            if (lerr) {
                srs_error_free(lerr);
                lerr = srs_error_new(ERROR_ORIGIN_NONE, "no server available for %s: %s", stream_url, srs_error_summary(err));
            }
            srs_error_free(err);
            err = lerr;
        }
    } else if (r->type == SRS_RESP_ARRAY && r->elements == 0) {
        srs_error_t lerr = local_pick(self, stream_url, out, server_key, sizeof(server_key));
        if (!lerr) {
            srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: Redis has no live origin for %s, using cached %s", stream_url, server_key);
            republish_pick(self, url_key, server_key, out);
        } else {
            srs_error_free(lerr);
            err = srs_error_new(ERROR_ORIGIN_NONE, "no server available for %s", stream_url);
        }
    } else {
        err = reply_error(r, "pick");
        if (!err) err = srs_error_new(ERROR_REDIS, "redis pick: unexpected reply type %d", (int)r->type);
    }
    srs_resp_reply_free(r);
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* HLS and WebRTC sessions */

static srs_error_t redis_store_hls(srs_lb_t *lb, const char *stream_url, const char *spbhid, const char *full_url)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    char hls_key[LB_KEY_SIZE], spbhid_key[LB_KEY_SIZE], ttl[32];
    srs_error_t err = lb_key(self, LB_KEY_HLS, stream_url, hls_key, sizeof(hls_key));
    if (!err) err = lb_key(self, LB_KEY_SPBHID, spbhid, spbhid_key, sizeof(spbhid_key));
    if (err) return err;
    int64_t now = srs_lb_now(self->clock);
    srs_lb_entry_store(self->hls_streams, stream_url, spbhid, NULL, now);
    srs_lb_entry_store(self->hls_sessions, spbhid, stream_url, full_url, now);

    ms_text(SRS_LB_HLS_ALIVE, ttl, sizeof(ttl));
    char *json = hls_json(spbhid, stream_url, full_url);
    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    srs_resp_cmds_add(&cmds, "SET", hls_key, json, "PX", ttl, NULL);
    srs_resp_cmds_add(&cmds, "SET", spbhid_key, json, "PX", ttl, NULL);
    free(json);
    bool down = false;
    err = lb_run(self, &cmds, "store HLS", &down);
    srs_resp_cmds_free(&cmds);
    if (down) {
        srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: HLS %s kept in the local cache only: %s", spbhid, srs_error_summary(err));
        srs_error_reset(err);
    }
    return err;
}

/* A load through a script: the value (a JSON string), NULL when Redis has none. *down tells a
 * failed exchange (use the local cache) from an answer. */
static srs_error_t load_value(lb_redis_t *self, const char *script, const char *key, const char *arg2, const char *arg3,
                              srs_resp_reply_t **value, bool *down)
{
    char ttl[32];
    ms_text(SRS_LB_HLS_ALIVE, ttl, sizeof(ttl));
    srs_resp_reply_t *r = NULL;
    *value = NULL;
    *down = false;
    srs_error_t err = srs_resp_client_command(self->redis, &r, "EVAL", script, "1", key, ttl, arg2, arg3, NULL);
    if (err) {
        *down = true;
        return err;
    }
    if ((err = reply_error(r, "load")) != srs_success || r->type == SRS_RESP_NIL) {
        srs_resp_reply_free(r);
        return err;
    }
    if (!reply_is_string(r)) {
        srs_resp_reply_free(r);
        return srs_error_new(ERROR_REDIS, "redis load %s: unexpected reply", key);
    }
    *value = r;
    return srs_success;
}

static srs_error_t redis_load_hls_by_spbhid(srs_lb_t *lb, const char *spbhid, char *stream_url, size_t su_size,
                                            char *full_url, size_t fu_size)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    char key[LB_KEY_SIZE], hls_prefix[LB_KEY_SIZE];
    srs_error_t err = lb_key(self, LB_KEY_SPBHID, spbhid, key, sizeof(key));
    if (!err) err = lb_key(self, LB_KEY_HLS, "", hls_prefix, sizeof(hls_prefix));
    if (err) return err;

    srs_resp_reply_t *v = NULL;
    bool down = false;
    int64_t now = srs_lb_now(self->clock);
    err = load_value(self, LB_SCRIPT_LOAD_SPBHID, key, hls_prefix, spbhid, &v, &down);
    if (v) {
        char url[LB_URL_SIZE], full[LB_URL_SIZE];
        const char *names[] = {"stream_url", "full_url"};
        char *outs[] = {url, full};
        size_t sizes[] = {sizeof(url), sizeof(full)};
        err = json_fields(key, v, 2, names, outs, sizes);
        srs_resp_reply_free(v);
        if (!err) srs_lb_entry_store(self->hls_sessions, spbhid, url, full, now);
        if (!err) err = srs_lb_copy_out(stream_url, su_size, url);
        if (!err) err = srs_lb_copy_out(full_url, fu_size, full);
        return err;
    }
    if (err && !down) return err;

    /* Redis has none (it may have lost it) or is unreachable: what this proxy knows. */
    srs_lb_entry_t *e = srs_lb_entry_load(self->hls_sessions, spbhid, now, SRS_LB_HLS_ALIVE);
    if (!e) {
        srs_error_t nf = srs_error_new(ERROR_SESSION_NOT_FOUND, "no HLS streaming for SPBHID %s%s%s", spbhid,
                                       err ? ", Redis unreachable: " : "", err ? srs_error_summary(err) : "");
        srs_error_free(err);
        return nf;
    }
    srs_error_free(err);
    err = srs_lb_copy_out(stream_url, su_size, e->value);
    if (!err) err = srs_lb_copy_out(full_url, fu_size, e->extra);
    return err;
}

static srs_error_t redis_load_hls_by_stream(srs_lb_t *lb, const char *stream_url, char *spbhid, size_t size)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    char key[LB_KEY_SIZE], spbhid_prefix[LB_KEY_SIZE];
    srs_error_t err = lb_key(self, LB_KEY_HLS, stream_url, key, sizeof(key));
    if (!err) err = lb_key(self, LB_KEY_SPBHID, "", spbhid_prefix, sizeof(spbhid_prefix));
    if (err) return err;

    srs_resp_reply_t *v = NULL;
    bool down = false;
    int64_t now = srs_lb_now(self->clock);
    err = load_value(self, LB_SCRIPT_LOAD_HLS_STREAM, key, spbhid_prefix, "", &v, &down);
    if (v) {
        char id[LB_URL_SIZE], full[LB_URL_SIZE];
        const char *names[] = {"spbhid", "full_url"};
        char *outs[] = {id, full};
        size_t sizes[] = {sizeof(id), sizeof(full)};
        err = json_fields(key, v, 2, names, outs, sizes);
        srs_resp_reply_free(v);
        if (!err) {
            srs_lb_entry_store(self->hls_streams, stream_url, id, NULL, now);
            srs_lb_entry_store(self->hls_sessions, id, stream_url, full, now);
            err = srs_lb_copy_out(spbhid, size, id);
        }
        return err;
    }
    if (err && !down) return err;

    srs_lb_entry_t *e = srs_lb_entry_load(self->hls_streams, stream_url, now, SRS_LB_HLS_ALIVE);
    if (e && !srs_lb_entry_load(self->hls_sessions, e->value, now, SRS_LB_HLS_ALIVE)) {
        srs_lb_entry_free((srs_lb_entry_t *)srs_map_remove(self->hls_streams, stream_url));
        e = NULL;
    }
    if (!e) {
        srs_error_t nf = srs_error_new(ERROR_SESSION_NOT_FOUND, "no HLS streaming for %s%s%s", stream_url,
                                       err ? ", Redis unreachable: " : "", err ? srs_error_summary(err) : "");
        srs_error_free(err);
        return nf;
    }
    srs_error_free(err);
    return srs_lb_copy_out(spbhid, size, e->value);
}

static srs_error_t redis_store_rtc(srs_lb_t *lb, const char *stream_url, const char *ufrag, const char *ice_pwd)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    char rtc_key[LB_KEY_SIZE], ufrag_key[LB_KEY_SIZE], ttl[32];
    srs_error_t err = lb_key(self, LB_KEY_RTC, stream_url, rtc_key, sizeof(rtc_key));
    if (!err) err = lb_key(self, LB_KEY_UFRAG, ufrag, ufrag_key, sizeof(ufrag_key));
    if (err) return err;
    srs_lb_entry_store(self->rtc, ufrag, stream_url, ice_pwd, srs_lb_now(self->clock));

    ms_text(SRS_LB_RTC_ALIVE, ttl, sizeof(ttl));
    char *json = rtc_json(stream_url, ufrag);
    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    srs_resp_cmds_add(&cmds, "SET", rtc_key, json, "PX", ttl, NULL);
    free(json);
    json = rtc_ufrag_json(stream_url, ufrag, ice_pwd);
    srs_resp_cmds_add(&cmds, "SET", ufrag_key, json, "PX", ttl, NULL);
    free(json);
    bool down = false;
    err = lb_run(self, &cmds, "store WebRTC", &down);
    srs_resp_cmds_free(&cmds);
    if (down) {
        srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: WebRTC %s kept in the local cache only: %s", ufrag, srs_error_summary(err));
        srs_error_reset(err);
    }
    return err;
}

static srs_error_t redis_load_rtc_by_ufrag(srs_lb_t *lb, const char *ufrag, char *stream_url, size_t size, char *pwd,
                                           size_t pwd_size)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    char key[LB_KEY_SIZE], ttl[32];
    srs_error_t err = lb_key(self, LB_KEY_UFRAG, ufrag, key, sizeof(key));
    if (err) return err;
    ms_text(SRS_LB_RTC_ALIVE, ttl, sizeof(ttl));

    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    srs_resp_cmds_add(&cmds, "GET", key, NULL);
    srs_resp_cmds_add(&cmds, "PEXPIRE", key, ttl, NULL);
    srs_resp_reply_t *r[2] = {NULL, NULL};
    err = srs_resp_client_pipeline(self->redis, &cmds, r);
    srs_resp_cmds_free(&cmds);
    srs_resp_reply_free(r[1]);
    bool down = err != srs_success;

    if (!err && reply_is_string(r[0])) {
        char url[LB_URL_SIZE];
        const char *names[] = {"stream_url"};
        char *outs[] = {url};
        size_t sizes[] = {sizeof(url)};
        err = json_fields(key, r[0], 1, names, outs, sizes);
        /* The ICE password is this proxy's addition: absent when a Go proxy wrote the key. */
        char ice_pwd[256] = "";
        const char *pwd_names[] = {"ice_pwd"};
        char *pwd_outs[] = {ice_pwd};
        size_t pwd_sizes[] = {sizeof(ice_pwd)};
        srs_error_t perr = err ? srs_success : json_fields(key, r[0], 1, pwd_names, pwd_outs, pwd_sizes);
        if (perr) ice_pwd[0] = 0;
        srs_error_free(perr);
        srs_resp_reply_free(r[0]);
        /* A session found here is live here too: kept, and kept alive in Redis. */
        if (!err) srs_lb_entry_store(self->rtc, ufrag, url, ice_pwd, srs_lb_now(self->clock));
        if (!err && pwd) err = srs_lb_copy_out(pwd, pwd_size, ice_pwd);
        if (!err) err = srs_lb_copy_out(stream_url, size, url);
        return err;
    }
    if (!err) err = reply_error(r[0], "load WebRTC");
    srs_resp_reply_free(r[0]);
    if (err && !down) return err;

    srs_lb_entry_t *e = (srs_lb_entry_t *)srs_map_get(self->rtc, ufrag);
    if (!e) {
        srs_error_t nf = srs_error_new(ERROR_SESSION_NOT_FOUND, "no WebRTC streaming for ufrag %s%s%s", ufrag,
                                       err ? ", Redis unreachable: " : "", err ? srs_error_summary(err) : "");
        srs_error_free(err);
        return nf;
    }
    srs_error_free(err);
    if (pwd && (err = srs_lb_copy_out(pwd, pwd_size, e->extra ? e->extra : "")) != srs_success) return err;
    return srs_lb_copy_out(stream_url, size, e->value);
}

/* Called from the relay's packet coroutine: no Redis I/O here, the worker deletes the keys. */
static srs_error_t redis_remove_rtc(srs_lb_t *lb, const char *ufrag)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    srs_lb_entry_t *e = (srs_lb_entry_t *)srs_map_remove(self->rtc, ufrag);
    if (self->del_count == LB_DELETE_QUEUE) {
        srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: delete queue full, WebRTC %s expires by its TTL", ufrag);
        srs_lb_entry_free(e);
        return srs_success;
    }
    lb_delete_t *d = &self->deletes[(self->del_head + self->del_count++) % LB_DELETE_QUEUE];
    d->ufrag = srs_lb_strdup(ufrag);
    d->stream_url = e ? srs_lb_strdup(e->value) : NULL;
    srs_lb_entry_free(e);
    st_cond_signal(self->wake);
    return srs_success;
}

/* ------------------------------------------------------------------------------------------ */
/* Sweep and listing */

static void redis_sweep(srs_lb_t *lb)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    int64_t now = srs_lb_now(self->clock);
    srs_lb_entries_sweep(self->hls_streams, now, SRS_LB_HLS_ALIVE);
    srs_lb_entries_sweep(self->hls_sessions, now, SRS_LB_HLS_ALIVE);
    srs_lb_entries_sweep(self->rtc, now, LB_RTC_MAX_AGE);

    srs_lb_forget_origins(self->origins, NULL, self->picked, now, self->ttl);
}

/* Every origin Redis knows, validated, merged into the (bounded) cache. */
static void refresh_origins(lb_redis_t *self)
{
    char all[LB_KEY_SIZE];
    srs_error_t err = lb_key(self, LB_KEY_ALL_SERVERS, "", all, sizeof(all));
    srs_resp_reply_t *r = NULL;
    if (!err) err = srs_resp_client_command(self->redis, &r, "EVAL", LB_SCRIPT_LIST, "1", all, NULL);
    if (!err) err = reply_error(r, "list origins");
    for (size_t i = 0; !err && r->type == SRS_RESP_ARRAY && i + 1 < r->elements; i += 2) {
        const srs_resp_reply_t *key = r->element[i], *json = r->element[i + 1];
        srs_origin_t o;
        if (!reply_is_string(key) || !reply_is_string(json) || !server_key_sane(self, key)) {
            srs_lb_stats()->invalid_redis_values++;
            continue;
        }
        srs_error_t perr = srs_origin_from_redis(json->str, json->len, &o);
        if (!perr) cache_origin(self, key->str, &o);
        if (perr) srs_lb_stats()->invalid_redis_values++;
        srs_error_free(perr);
    }
    if (err) srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: list origins from the local cache: %s", srs_error_summary(err));
    srs_error_free(err);
    srs_resp_reply_free(r);
}

/* What Redis knows merged into the cache, then the cache: what this proxy knows. */
static void redis_foreach_origin(srs_lb_t *lb, void (*fn)(void *ctx, const srs_origin_t *o, bool alive), void *ctx)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    refresh_origins(self);
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) {
        const srs_origin_t *o = (const srs_origin_t *)it.value;
        fn(ctx, o, origin_alive(self, o));
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The background coroutine. It never iterates a map across a Redis call (other coroutines may
 * change the maps meanwhile): commands are built first, then sent. */

static void worker_deletes(lb_redis_t *self)
{
    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    while (self->del_count) {
        lb_delete_t d = self->deletes[self->del_head];
        self->del_head = (self->del_head + 1) % LB_DELETE_QUEUE;
        self->del_count--;
        /* Stored again since it ended (a new offer with the same ufrag): keep it. */
        char ufrag_key[LB_KEY_SIZE], rtc_key[LB_KEY_SIZE];
        if (!srs_map_get(self->rtc, d.ufrag) && lb_key_ok(self, LB_KEY_UFRAG, d.ufrag, ufrag_key, sizeof(ufrag_key))) {
            if (d.stream_url && lb_key_ok(self, LB_KEY_RTC, d.stream_url, rtc_key, sizeof(rtc_key))) {
                char *json = rtc_json(d.stream_url, d.ufrag);
                srs_resp_cmds_add(&cmds, "EVAL", LB_SCRIPT_REMOVE_RTC, "2", ufrag_key, rtc_key, json, NULL);
                free(json);
            } else {
                srs_resp_cmds_add(&cmds, "DEL", ufrag_key, NULL);
            }
        }
        free(d.ufrag);
        free(d.stream_url);
    }
    srs_error_t err = lb_run(self, &cmds, "delete WebRTC sessions", NULL);
    if (err) srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: %d ended WebRTC sessions left to expire: %s", cmds.count, srs_error_summary(err));
    srs_error_free(err);
    srs_resp_cmds_free(&cmds);
}

/* Commands of a background write-back, cut into pipelines of at most LB_BATCH_COMMANDS, so one
 * exchange never carries the whole cache (a resync of 10000 picks is 40 exchanges, with a yield
 * between them). */
#define LB_BATCH_COMMANDS 256
typedef struct {
    srs_resp_cmds_t *parts;
    int n, cap;
} lb_batch_t;

/* The pipeline to append the next command to. */
static srs_resp_cmds_t *batch_cur(lb_batch_t *b)
{
    if (b->n && b->parts[b->n - 1].count < LB_BATCH_COMMANDS) return &b->parts[b->n - 1];
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4;
        b->parts = (srs_resp_cmds_t *)realloc(b->parts, (size_t)b->cap * sizeof(*b->parts));
        if (!b->parts) abort();
    }
    srs_resp_cmds_init(&b->parts[b->n]);
    return &b->parts[b->n++];
}

static void batch_free(lb_batch_t *b)
{
    for (int i = 0; i < b->n; i++) srs_resp_cmds_free(&b->parts[i]);
    free(b->parts);
    memset(b, 0, sizeof(*b));
}

/* Send each pipeline in turn, yielding between them; stops at the first failure. */
static srs_error_t batch_run(lb_redis_t *self, lb_batch_t *b, const char *what, int *commands)
{
    *commands = 0;
    for (int i = 0; i < b->n; i++) {
        *commands += b->parts[i].count;
        srs_error_t err = lb_run(self, &b->parts[i], what, NULL);
        if (err) return err;
        if (i + 1 < b->n && (err = srs_st_usleep(0)) != srs_success) return err;
    }
    return srs_success;
}

/* Live WebRTC sessions of this proxy, their ufrag keys re-written with a fresh TTL. */
static size_t add_rtc_refresh(lb_redis_t *self, lb_batch_t *b)
{
    char ttl[32], key[LB_KEY_SIZE];
    ms_text(SRS_LB_RTC_ALIVE, ttl, sizeof(ttl));
    size_t n = 0;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->rtc); srs_map_iter_next(&it);) {
        const srs_lb_entry_t *e = (const srs_lb_entry_t *)it.value;
        if (!lb_key_ok(self, LB_KEY_UFRAG, it.key, key, sizeof(key))) continue;
        char *json = rtc_ufrag_json(e->value, it.key, e->extra);
        srs_resp_cmds_add(batch_cur(b), "SET", key, json, "PX", ttl, NULL);
        free(json);
        n++;
    }
    return n;
}

/* After a new connection (Redis may have restarted empty): write back what this proxy knows,
 * never over a value another proxy wrote meanwhile. */
static void worker_resync(lb_redis_t *self)
{
    lb_batch_t b = {0};
    int64_t now = srs_lb_now(self->clock);
    size_t origins = 0, picks = 0, hls = 0;
    char key[LB_KEY_SIZE], ttl[32];
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) {
        if (add_update(self, batch_cur(&b), it.key, (const srs_origin_t *)it.value, true)) origins++;
    }
    ms_text(self->ttl, ttl, sizeof(ttl));
    for (srs_map_iter_init(&it, self->picked); srs_map_iter_next(&it);) {
        const char *server_key = ((const srs_lb_entry_t *)it.value)->value;
        const srs_origin_t *o = (const srs_origin_t *)srs_map_get(self->origins, server_key);
        if (!o || !origin_alive(self, o) || !lb_key_ok(self, LB_KEY_URL, it.key, key, sizeof(key))) continue;
        srs_resp_cmds_add(batch_cur(&b), "SET", key, server_key, "PX", ttl, "NX", NULL);
        picks++;
    }
    for (srs_map_iter_init(&it, self->hls_sessions); srs_map_iter_next(&it);) {
        const srs_lb_entry_t *e = (const srs_lb_entry_t *)it.value;
        srs_utime_t left = SRS_LB_HLS_ALIVE - (now - e->last_use);
        if (left < SRS_UTIME_MILLISECONDS || !lb_key_ok(self, LB_KEY_SPBHID, it.key, key, sizeof(key))) continue;
        ms_text(left, ttl, sizeof(ttl));
        char *json = hls_json(it.key, e->value, e->extra);
        srs_resp_cmds_t *cmds = batch_cur(&b);
        srs_resp_cmds_add(cmds, "SET", key, json, "PX", ttl, "NX", NULL);
        /* The stream's entry, when it names this session. */
        const srs_lb_entry_t *s = (const srs_lb_entry_t *)srs_map_get(self->hls_streams, e->value);
        if (s && !strcmp(s->value, it.key) && lb_key_ok(self, LB_KEY_HLS, e->value, key, sizeof(key))) {
            srs_resp_cmds_add(cmds, "SET", key, json, "PX", ttl, "NX", NULL);
        }
        free(json);
        hls++;
    }
    size_t rtc = add_rtc_refresh(self, &b);
    self->last_refresh = srs_time_now();

    int sent = 0;
    srs_error_t err = batch_run(self, &b, "resync", &sent);
    batch_free(&b);
    if (err) {
        srs_log_warn("lb: resync to Redis %s: %s", srs_resp_client_addr(self->redis), srs_error_summary(err));
        srs_error_free(err);
        return;
    }
    srs_log_info("lb: Redis %s resynced from the local cache: %zu origins, %zu picks, %zu HLS and %zu WebRTC sessions",
                 srs_resp_client_addr(self->redis), origins, picks, hls, rtc);
}

static void worker_round(lb_redis_t *self)
{
    /* Reconnect (the client keeps the backoff) even when no request comes, and notice a restart
     * of an idle Redis. */
    srs_utime_t now = srs_time_now();
    if (!srs_resp_client_is_up(self->redis)) {
        /* Requests never wait for Redis while it is down (fail fast): this is the only place
         * that connects again, with the client's backoff. */
        srs_error_t err = srs_resp_client_reconnect(self->redis);
        srs_error_free(err);
    }
    if (!srs_resp_client_is_up(self->redis) || now - self->last_ping >= LB_KEEPALIVE) {
        self->last_ping = now;
        srs_resp_reply_t *r = NULL;
        srs_error_t err = srs_resp_client_command(self->redis, &r, "PING", NULL);
        srs_resp_reply_free(r);
        /* The origins of every proxy into the cache, for srs_lb_foreach_origin_cached (metrics
         * never wait for Redis). */
        if (!err) refresh_origins(self);
        srs_error_free(err);
    }
    uint64_t generation = srs_resp_client_generation(self->redis);
    if (srs_resp_client_is_up(self->redis) && generation != self->synced_generation) {
        self->synced_generation = generation;
        worker_resync(self);
    }
    if (self->del_count) worker_deletes(self);
    if (srs_map_size(self->rtc) && srs_time_now() - self->last_refresh >= LB_RTC_REFRESH) {
        self->last_refresh = srs_time_now();
        lb_batch_t b = {0};
        add_rtc_refresh(self, &b);
        int sent = 0;
        srs_error_t err = batch_run(self, &b, "refresh WebRTC sessions", &sent);
        batch_free(&b);
        if (err) srs_log_limited(&self->log_limit, SRS_LOG_WARN, "lb: refresh WebRTC sessions: %s", srs_error_summary(err));
        srs_error_free(err);
    }
}

static srs_error_t worker_cycle(void *arg)
{
    lb_redis_t *self = (lb_redis_t *)arg;
    for (;;) {
        srs_coroutine_set_state(SRS_CO_WAIT_COND);
        int r = st_cond_timedwait(self->wake, srs_st_timeout(LB_WORKER_TICK));
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        if (r < 0 && errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "redis lb worker interrupted");
        worker_round(self);
        srs_error_t err = srs_coroutine_pull_self();
        if (err) return err;
    }
}

/* ------------------------------------------------------------------------------------------ */

static void redis_free(srs_lb_t *lb)
{
    lb_redis_t *self = (lb_redis_t *)lb;
    srs_coroutine_free(self->worker);
    /* Ended sessions not yet deleted expire by their TTL. */
    for (; self->del_count; self->del_count--, self->del_head = (self->del_head + 1) % LB_DELETE_QUEUE) {
        free(self->deletes[self->del_head].ufrag);
        free(self->deletes[self->del_head].stream_url);
    }
    if (self->wake) st_cond_destroy(self->wake);
    srs_resp_client_free(self->redis);
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) free(it.value);
    srs_map_free(self->origins);
    srs_lb_entries_free(self->picked);
    srs_lb_entries_free(self->hls_streams);
    srs_lb_entries_free(self->hls_sessions);
    srs_lb_entries_free(self->rtc);
    free(self);
}

static const srs_lb_vtable_t lb_redis_vtable = {
    .update = redis_update,
    .pick = redis_pick,
    .store_hls = redis_store_hls,
    .load_hls_by_spbhid = redis_load_hls_by_spbhid,
    .load_hls_by_stream = redis_load_hls_by_stream,
    .store_rtc = redis_store_rtc,
    .load_rtc_by_ufrag = redis_load_rtc_by_ufrag,
    .remove_rtc = redis_remove_rtc,
    .sweep = redis_sweep,
    .foreach_origin = redis_foreach_origin,
    .free = redis_free,
};

srs_error_t srs_lb_redis_new(const srs_lb_redis_config_t *cfg, srs_lb_clock_fn clock, srs_lb_t **out)
{
    *out = NULL;
    lb_redis_t *self = (lb_redis_t *)calloc(1, sizeof(*self));
    if (!self || !(self->wake = st_cond_new())) abort();
    self->base.vt = &lb_redis_vtable;
    self->ttl = cfg->origin_ttl > 0 ? cfg->origin_ttl : SRS_LB_ORIGIN_TTL_DEFAULT;
    self->clock = clock;
    if (cfg->key_prefix && cfg->key_prefix[0]) snprintf(self->prefix, sizeof(self->prefix), "%s:", cfg->key_prefix);
    self->origins = srs_map_new();
    self->picked = srs_map_new();
    self->hls_streams = srs_map_new();
    self->hls_sessions = srs_map_new();
    self->rtc = srs_map_new();
    self->log_limit = (srs_log_limit_t)SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);

    srs_resp_client_config_t rc = {cfg->host, cfg->port, cfg->password, cfg->db, LB_CONNECT_TIMEOUT, LB_IO_TIMEOUT, 0, 0, true};
    self->redis = srs_resp_client_new(&rc);
    srs_error_t err = srs_resp_client_connect(self->redis);
    if (err) {
        err = srs_error_wrap(err, "unable to connect to redis %s", srs_resp_client_addr(self->redis));
        redis_free(&self->base);
        return err;
    }
    self->synced_generation = srs_resp_client_generation(self->redis);
    self->last_refresh = srs_time_now();

    self->worker = srs_coroutine_new("redis-lb", worker_cycle, self);
    if ((err = srs_coroutine_start(self->worker)) != srs_success) {
        redis_free(&self->base);
        return srs_error_wrap(err, "start redis-lb");
    }
    *out = &self->base;
    return srs_success;
}

void srs_lb_redis_sizes(srs_lb_t *lb, srs_lb_memory_sizes_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!lb || lb->vt != &lb_redis_vtable) return;
    lb_redis_t *self = (lb_redis_t *)lb;
    out->origins = srs_map_size(self->origins);
    out->picked = srs_map_size(self->picked);
    out->hls_streams = srs_map_size(self->hls_streams);
    out->hls_sessions = srs_map_size(self->hls_sessions);
    out->rtc_sessions = srs_map_size(self->rtc);
}

void srs_lb_foreach_origin_cached(srs_lb_t *lb, void (*fn)(void *ctx, const srs_origin_t *o, bool alive), void *ctx)
{
    if (!lb) return;
    if (lb->vt != &lb_redis_vtable) {
        lb->vt->foreach_origin(lb, fn, ctx);
        return;
    }
    lb_redis_t *self = (lb_redis_t *)lb;
    srs_map_iter_t it;
    for (srs_map_iter_init(&it, self->origins); srs_map_iter_next(&it);) {
        const srs_origin_t *o = (const srs_origin_t *)it.value;
        fn(ctx, o, origin_alive(self, o));
    }
}
