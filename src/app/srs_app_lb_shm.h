/* SPDX-License-Identifier: MIT */
/* The shared-memory load balancer: the memory balancer's tables (origins, sticky picks, HLS
 * streams and sessions, WebRTC sessions) as fixed-size srs_shm_table_t in one region that the
 * master maps (MAP_SHARED | MAP_ANONYMOUS) before it forks the workers, so every worker sees
 * every origin and every session (PROXY_WORKERS > 1 with PROXY_LOAD_BALANCER_TYPE=memory).
 * Same rules and bounds as the memory balancer (sticky picks move off a dead origin and expire
 * after PROXY_LB_PICK_IDLE unused, sessions expire 120 s after their last use, origins silent for
 * SRS_LB_ORIGIN_FORGET_TTLS TTLs are forgotten, at most PROXY_MAX_ORIGINS origins, each table of
 * picks and sessions capped by PROXY_LB_MAX_STREAMS / PROXY_LB_MAX_SESSIONS); a full table drops
 * its least recently used entry (of a sample) rather than an eighth, counted in srs_lb_stats.
 * Locks are taken in one order (origins, picked, HLS streams, HLS sessions, WebRTC) and held for
 * one table operation only, never across a coroutine switch. */
#ifndef SRS_APP_LB_SHM_H
#define SRS_APP_LB_SHM_H

#include "srs_app_lb.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srs_lb_shm_region_s srs_lb_shm_region_t;

/* Table capacities: the memory balancer's bounds (srs_lb_limits_t). */
typedef struct {
    uint32_t origins;   /* PROXY_MAX_ORIGINS: origins */
    uint32_t streams;   /* PROXY_LB_MAX_STREAMS: sticky picks */
    uint32_t sessions;  /* PROXY_LB_MAX_SESSIONS: HLS streams, HLS sessions, WebRTC sessions */
} srs_lb_shm_sizes_t;
/* The sizes from the limits in force (srs_lb_limits()); ERROR_SYSTEM_LIMIT past 2^30 entries. */
srs_error_t srs_lb_shm_sizes_from_limits(srs_lb_shm_sizes_t *out);

/* Maps and lays out the region (before fork); NULL-safe free unmaps it. */
srs_error_t srs_lb_shm_region_new(const srs_lb_shm_sizes_t *sizes, srs_lb_shm_region_t **out);
void srs_lb_shm_region_free(srs_lb_shm_region_t *r);
size_t srs_lb_shm_region_bytes(const srs_lb_shm_region_t *r);

/* A balancer over the region, for this process (free does not unmap the region). */
srs_lb_t *srs_lb_shm_new(srs_lb_shm_region_t *r, srs_utime_t origin_ttl, srs_lb_clock_fn clock);

/* WebRTC session ownership across workers. The worker that signals a session owns it; a worker
 * that verified a binding request for it (MESSAGE-INTEGRITY) claims it; the previous owner's
 * sweeper then sees it taken and forgets its copy; remove_rtc only removes one's own entry.
 * All are no-ops (false) for any other balancer. */
void srs_lb_shm_claim_rtc(srs_lb_t *lb, const char *ufrag);
/* True when another worker took it, or a DELETE went through another worker: the caller (the
 * holder's sweeper, every half second) ends its copy. Otherwise refreshes the entry (and its
 * token's), so the directory lives as long as the session. *deleted (may be NULL): it was a DELETE. */
bool srs_lb_shm_rtc_taken(srs_lb_t *lb, const char *ufrag, bool *deleted);
bool srs_lb_is_shm(const srs_lb_t *lb);

/* WHIP/WHEP DELETE on any worker: what it needs of a session, in the shared directory. */
typedef struct {
    char ufrag[128];
    char token[33];                /* srs_random_token() of the session's Location */
    char origin_ip[64];
    int origin_api_port;
    char origin_location[512];     /* the origin's own Location ("" when none) */
} srs_lb_shm_rtc_delete_t;
/* After store_rtc: the token, origin API address and origin Location of the session (ufrag unused). */
srs_error_t srs_lb_shm_rtc_set_delete(srs_lb_t *lb, const char *ufrag, const srs_lb_shm_rtc_delete_t *d);
/* The live session whose token is token (compared in constant time; looked up by its first 16
 * characters); session, when not empty, must be its ufrag. Copies what a DELETE needs. */
bool srs_lb_shm_rtc_find_delete(srs_lb_t *lb, const char *token, const char *session, srs_lb_shm_rtc_delete_t *out);
/* The same by ufrag (the system API, which has its own authentication). */
bool srs_lb_shm_rtc_find_delete_by_ufrag(srs_lb_t *lb, const char *ufrag, srs_lb_shm_rtc_delete_t *out);
/* Marks the session (when its token is still token) deleted: no worker adopts it any more and its
 * holder's sweeper ends its copy; the entry expires as any other. True when marked. */
bool srs_lb_shm_rtc_mark_deleted(srs_lb_t *lb, const char *ufrag, const char *token);

/* Each table's entries, capacity and evictions (for /metrics); nothing for another balancer. */
void srs_lb_shm_foreach_table(srs_lb_t *lb, void (*fn)(void *ctx, const char *table, uint32_t entries, uint32_t capacity,
                                                      uint64_t evictions), void *ctx);

/* Entries of the shared tables, as srs_lb_memory_sizes has them (for srs_proxy_lb_entries);
 * leaves out untouched for another balancer. */
void srs_lb_shm_sizes(srs_lb_t *lb, srs_lb_memory_sizes_t *out);

/* Picks of each known origin since it registered (for /metrics); nothing for another balancer. */
void srs_lb_shm_foreach_picks(srs_lb_t *lb, void (*fn)(void *ctx, const char *origin_id, uint64_t picks), void *ctx);

#ifdef __cplusplus
}
#endif

#endif
