/* SPDX-License-Identifier: MIT */
/* A fixed-size string-keyed table that several processes share: it lives in memory the caller
 * provides (normally one mmap(MAP_SHARED | MAP_ANONYMOUS) region created before fork) and holds
 * no pointer, only offsets and indexes, so every process sees the same table at any address.
 *
 * Layout: a header with a process-shared robust mutex, `capacity` bucket heads and `capacity`
 * nodes (key + fixed-size value + owner pid + last use). Chained hashing: a node is written in
 * full while unreachable and published by one 4-byte store (the bucket head or the previous
 * node's next); a replaced value is a new node swapped in the same way. So a process that dies
 * while it holds the lock never leaves a half-written entry visible: the next locker gets
 * EOWNERDEAD, marks the mutex consistent and rebuilds the free list from the chains (a node
 * unlinked but not yet freed, or taken but not yet linked, returns to the free list).
 *
 * Bounds: at most `capacity` entries; a put into a full table evicts the least recently used
 * entry of a sample (counted). Every operation but the lock is O(1) expected; sweep and foreach
 * are O(capacity). The lock is only held for one table operation (never across a coroutine
 * switch) and callers take the locks of several tables always in the same order. No I/O. */
#ifndef SRS_KERNEL_SHM_TABLE_H
#define SRS_KERNEL_SHM_TABLE_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srs_shm_table_s srs_shm_table_t;

/* What an entry carries besides its key and value. */
typedef struct {
    int64_t last_use;  /* caller's clock (microseconds) */
    int32_t owner;     /* a pid, or 0 */
} srs_shm_meta_t;

/* Bytes a table needs (a multiple of 64). key_max includes the NUL. */
size_t srs_shm_table_bytes(uint32_t capacity, uint32_t key_max, uint32_t value_size);
/* Lays a table out in mem (bytes from srs_shm_table_bytes, zeroed, shared between the
 * processes that will use it, 64-byte aligned). */
srs_error_t srs_shm_table_init(void *mem, uint32_t capacity, uint32_t key_max, uint32_t value_size,
                               srs_shm_table_t **out);

/* Takes the table's lock; repairs the table when the last holder died holding it. */
void srs_shm_table_lock(srs_shm_table_t *t);
void srs_shm_table_unlock(srs_shm_table_t *t);

/* Everything below requires the lock. */

/* Copies the live entry of key into value (value_size bytes; NULL: not wanted) and meta (may be
 * NULL). alive > 0: an entry not used for `alive` is removed and counts as missing; touch
 * refreshes last_use to now. */
bool srs_shm_table_get(srs_shm_table_t *t, const char *key, void *value, srs_shm_meta_t *meta, int64_t now,
                       int64_t alive, bool touch);
/* Stores (or replaces) key's value with last_use = now and the owner. ERROR_SYSTEM_LIMIT when the
 * key does not fit key_max. A full table evicts its least recently used entry of a sample. */
srs_error_t srs_shm_table_put(srs_shm_table_t *t, const char *key, const void *value, int32_t owner, int64_t now);
/* The value of a live entry in place, or NULL; valid only until the unlock, and only for single
 * aligned stores of counters (anything larger goes through put, so it is never seen half-done). */
void *srs_shm_table_ref(srs_shm_table_t *t, const char *key);
/* Sets the owner of a live entry; false when missing. */
bool srs_shm_table_set_owner(srs_shm_table_t *t, const char *key, int32_t owner);
/* Removes key; with owner != 0 only when the entry is that owner's (or has none). True if removed. */
bool srs_shm_table_remove(srs_shm_table_t *t, const char *key, int32_t owner);
/* Visits every entry; fn returns true to remove it. fn must not block or take another lock. */
typedef bool (*srs_shm_visit_fn)(void *ctx, const char *key, const void *value, const srs_shm_meta_t *meta);
size_t srs_shm_table_foreach(srs_shm_table_t *t, srs_shm_visit_fn fn, void *ctx);
/* Removes entries not used for `alive` (> 0); returns how many. */
size_t srs_shm_table_sweep(srs_shm_table_t *t, int64_t now, int64_t alive);

/* Lock-free reads of counters (for metrics; may be a moment old). */
uint32_t srs_shm_table_count(const srs_shm_table_t *t);
uint32_t srs_shm_table_capacity(const srs_shm_table_t *t);
uint64_t srs_shm_table_evictions(const srs_shm_table_t *t);
/* How many times a holder died with the lock and the table was repaired. */
uint64_t srs_shm_table_recoveries(const srs_shm_table_t *t);
/* Checks the structure (chains, count, free list) under the lock; for tests. */
bool srs_shm_table_check(srs_shm_table_t *t);

#ifdef __cplusplus
}
#endif

#endif
