/* SPDX-License-Identifier: MIT */
/* The load balancer: which origin serves a stream, and the HLS/WebRTC sessions that must find
 * their stream again (spec §3). One interface, two implementations: memory (one proxy) and Redis
 * (several proxies sharing state). */
#ifndef SRS_APP_LB_H
#define SRS_APP_LB_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_app_origin.h"
#include "srs_kernel_map.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srs_lb_s srs_lb_t;

/* Loads (get) refresh the entry's last use. Missing entries → ERROR_SESSION_NOT_FOUND. */
typedef struct {
    /* Register or refresh an origin (replaces the one with the same id). */
    srs_error_t (*update)(srs_lb_t *lb, const srs_origin_t *origin);
    /* The origin for a stream URL (sticky); copies it into *out. ERROR_ORIGIN_NONE when no origin. */
    srs_error_t (*pick)(srs_lb_t *lb, const char *stream_url, srs_origin_t *out);
    /* HLS play sessions: one per (stream URL); spbhid → stream URL + full URL. */
    srs_error_t (*store_hls)(srs_lb_t *lb, const char *stream_url, const char *spbhid, const char *full_url);
    srs_error_t (*load_hls_by_spbhid)(srs_lb_t *lb, const char *spbhid, char *stream_url, size_t su_size, char *full_url, size_t fu_size);
    /* The spbhid already issued for a stream URL, so a playlist request reuses it (no leak). */
    srs_error_t (*load_hls_by_stream)(srs_lb_t *lb, const char *stream_url, char *spbhid, size_t size);
    /* WebRTC sessions: ufrag ("answerUfrag:offerUfrag") → stream URL and the origin's ICE password
     * (the answer's a=ice-pwd: the key of the MESSAGE-INTEGRITY a proxy checks before it binds an
     * address; "" when unknown). load copies the password into pwd (pwd_size bytes, "" if none; pwd NULL: not wanted). */
    srs_error_t (*store_rtc)(srs_lb_t *lb, const char *stream_url, const char *ufrag, const char *ice_pwd);
    srs_error_t (*load_rtc_by_ufrag)(srs_lb_t *lb, const char *ufrag, char *stream_url, size_t size,
                                     char *pwd, size_t pwd_size);
    /* Forget a session (it ended); removing a missing one succeeds. */
    srs_error_t (*remove_rtc)(srs_lb_t *lb, const char *ufrag);
    /* Drop expired HLS/RTC entries and sticky picks of origins long gone; called every few seconds. */
    void (*sweep)(srs_lb_t *lb);
    /* Every origin known (for metrics and /api/v1 listings): calls fn per origin with alive flag. */
    void (*foreach_origin)(srs_lb_t *lb, void (*fn)(void *ctx, const srs_origin_t *o, bool alive), void *ctx);
    void (*free)(srs_lb_t *lb);
} srs_lb_vtable_t;

struct srs_lb_s { const srs_lb_vtable_t *vt; };

#define SRS_LB_HLS_ALIVE (120 * SRS_UTIME_SECONDS)
#define SRS_LB_RTC_ALIVE (120 * SRS_UTIME_SECONDS)
/* Origins not heard from for this many TTLs are forgotten (with their sticky picks). */
#define SRS_LB_ORIGIN_FORGET_TTLS 10
/* PROXY_ORIGIN_SERVER_TTL's default. */
#define SRS_LB_ORIGIN_TTL_DEFAULT (300 * SRS_UTIME_SECONDS)

/* Every table of both balancers has a bound (issue 15): a peer that registers origins or asks
 * for streams and sessions must not grow the proxy without end. Process-wide, set once at startup
 * from the config (srs_app_config.c); a zero field keeps its default. */
typedef struct {
    /* PROXY_MAX_ORIGINS, default 1024: origins known at once. A new one when full takes the slot
     * of the longest-silent dead one, else it is refused (503); known ones always refresh. The
     * Redis balancer's local cache of origins has the same bound. */
    size_t max_origins;
    /* PROXY_LB_MAX_STREAMS, default 10000: sticky picks (stream URL -> origin). When full, the
     * least recently used eighth is dropped (those streams are picked afresh next time). */
    size_t max_streams;
    /* PROXY_LB_MAX_SESSIONS, default 50000: entries of each session table (HLS streams, HLS
     * sessions, WebRTC sessions; the Redis balancer's local copies too). When full, the least
     * recently used eighth is dropped. */
    size_t max_sessions;
    /* PROXY_LB_PICK_IDLE, default 3600s: a sticky pick unused this long expires (every pick of
     * the stream renews it). */
    srs_utime_t pick_idle;
} srs_lb_limits_t;
#define SRS_LB_MAX_ORIGINS_DEFAULT 1024
#define SRS_LB_MAX_STREAMS_DEFAULT 10000
#define SRS_LB_MAX_SESSIONS_DEFAULT 50000
#define SRS_LB_PICK_IDLE_DEFAULT (3600 * SRS_UTIME_SECONDS)
void srs_lb_set_limits(const srs_lb_limits_t *limits);
/* The limits in force (defaults filled in). */
const srs_lb_limits_t *srs_lb_limits(void);

/* What the bounds did, process-wide, for /metrics. */
typedef struct {
    uint64_t evicted_picks;     /* sticky picks dropped because the table was full */
    uint64_t evicted_sessions;  /* HLS/WebRTC session entries dropped because their table was full */
    uint64_t refused_origins;   /* registrations refused: PROXY_MAX_ORIGINS live origins known */
    uint64_t invalid_redis_values; /* origins/sessions read from Redis that failed validation */
} srs_lb_stats_t;
srs_lb_stats_t *srs_lb_stats(void);

/* Wall clock in microseconds; tests inject a fake one. */
typedef int64_t (*srs_lb_clock_fn)(void);

/* The memory balancer. origin_ttl > 0; clock NULL = the real wall clock. */
srs_lb_t *srs_lb_memory_new(srs_utime_t origin_ttl, srs_lb_clock_fn clock);

/* The Redis balancer (spec §3.2), for several proxies sharing one Redis: the Go proxy's keys,
 * JSON values and TTLs, so C and Go proxies can share it too. Connects (AUTH, SELECT, PING)
 * before returning: an unreachable Redis is an error naming host:port. While Redis is lost, a
 * local cache of origins, sticky picks and sessions serves (srs_app_lb_redis.c). */
typedef struct {
    const char *host;
    int port;
    const char *password;    /* never logged */
    int db;
    const char *key_prefix;  /* "" or "p": every key becomes "p:<key>" */
    srs_utime_t origin_ttl;  /* > 0 */
} srs_lb_redis_config_t;
srs_error_t srs_lb_redis_new(const srs_lb_redis_config_t *cfg, srs_lb_clock_fn clock, srs_lb_t **out);

/* How many entries each table of a balancer holds (for tests and metrics): the memory
 * balancer's tables, or the Redis balancer's local caches. */
typedef struct {
    size_t origins, picked, hls_streams, hls_sessions, rtc_sessions;
} srs_lb_memory_sizes_t;
void srs_lb_memory_sizes(srs_lb_t *lb, srs_lb_memory_sizes_t *out);
void srs_lb_redis_sizes(srs_lb_t *lb, srs_lb_memory_sizes_t *out);
/* foreach_origin without I/O (for /metrics, which must answer even when Redis does not): the
 * memory balancer's origins, or the Redis balancer's local cache (which its background coroutine
 * refreshes from Redis every 5 s). NULL lb is harmless. */
void srs_lb_foreach_origin_cached(srs_lb_t *lb, void (*fn)(void *ctx, const srs_origin_t *o, bool alive), void *ctx);
/* Picks of each known origin (by id) since it registered, for /metrics; nothing for any other
 * balancer. */
void srs_lb_memory_foreach_picks(srs_lb_t *lb, void (*fn)(void *ctx, const char *origin_id, uint64_t picks), void *ctx);

/* Helpers shared by the implementations. */
/* Now from the clock, or the real wall clock when clock is NULL. */
int64_t srs_lb_now(srs_lb_clock_fn clock);
/* An origin is alive when it registered less than ttl ago. */
bool srs_lb_origin_alive(const srs_origin_t *o, int64_t now, srs_utime_t ttl);
/* Copy src into dst (size bytes); ERROR_SYSTEM_LIMIT when it does not fit. */
srs_error_t srs_lb_copy_out(char *dst, size_t size, const char *src);

/* Session tables of both balancers (memory; Redis's local cache): string map values that expire
 * `alive` after their last use. An HLS stream (value = spbhid), an HLS session (value = stream URL,
 * extra = full URL) or a WebRTC session (value = stream URL, extra = the origin's ICE password). */
typedef struct {
    char *value;
    char *extra;
    int64_t last_use;
} srs_lb_entry_t;
/* Stores a copy of value (and extra, may be NULL) under key, replacing and freeing any old one.
 * A new key in a table of max_sessions entries first drops the least recently used eighth. */
void srs_lb_entry_store(srs_map_t *m, const char *key, const char *value, const char *extra, int64_t now);
/* The same with its own bound (cap > 0); returns how many entries were dropped to make room. */
size_t srs_lb_entry_store_bounded(srs_map_t *m, const char *key, const char *value, const char *extra, int64_t now,
                                  size_t cap);
/* Drops the least recently used entries until at most keep remain; returns how many it dropped.
 * One pass to find the cut (a selection over the last uses), one to drop: O(n). */
size_t srs_lb_entries_evict(srs_map_t *m, size_t keep);
/* A live entry with its last use refreshed; an expired one is dropped and counts as missing. */
srs_lb_entry_t *srs_lb_entry_load(srs_map_t *m, const char *key, int64_t now, srs_utime_t alive);
void srs_lb_entries_sweep(srs_map_t *m, int64_t now, srs_utime_t alive);
void srs_lb_entry_free(srs_lb_entry_t *e);
/* Drops origins silent for SRS_LB_ORIGIN_FORGET_TTLS × ttl from origins (id → srs_origin_t*), their
 * counters from picks (id → uint64_t*; may be NULL), and the sticky picks (stream URL →
 * srs_lb_entry_t* naming the origin id) that pointed at them or were idle for pick_idle. */
void srs_lb_forget_origins(srs_map_t *origins, srs_map_t *picks, srs_map_t *picked, int64_t now, srs_utime_t ttl);
/* Room for origin id in origins before it is added: true when it is known, or there is room, or
 * the longest-silent dead origin (not alive within ttl) was dropped for it (with its counter in
 * picks, may be NULL); false (and counted) when PROXY_MAX_ORIGINS live origins are known. */
bool srs_lb_origin_room(srs_map_t *origins, srs_map_t *picks, const char *id, int64_t now, srs_utime_t ttl);
/* strdup that never returns NULL. */
char *srs_lb_strdup(const char *s);
/* Frees every entry and the map. */
void srs_lb_entries_free(srs_map_t *m);
/* Free any balancer; NULL is harmless. */
void srs_lb_free(srs_lb_t *lb);

#ifdef __cplusplus
}
#endif

#endif
