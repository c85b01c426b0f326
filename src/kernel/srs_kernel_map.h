/* SPDX-License-Identifier: MIT */
/* A string-keyed hash map: O(1) get/set/remove, grows as it fills. The map copies keys and owns
 * those copies; values are opaque pointers the caller owns (free them before srs_map_free). */
#ifndef SRS_KERNEL_MAP_H
#define SRS_KERNEL_MAP_H

#include "srs_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srs_map_s srs_map_t;
typedef struct srs_map_entry_s srs_map_entry_t;

srs_map_t *srs_map_new(void);
/* FNV-1a 64 over a NUL-terminated key, its offset basis mixed with a seed from getrandom, so
 * keys a peer chooses cannot be aimed at one bucket; shared by every string-keyed table. */
uint64_t srs_hash_string(uint64_t seed, const char *key);
/* Frees the map and its key copies, not the values. NULL is harmless. */
void srs_map_free(srs_map_t *m);

/* The value stored under key, or NULL. */
void *srs_map_get(srs_map_t *m, const char *key);
/* Store value under key (the key is copied), replacing any previous value (not freed). */
void srs_map_set(srs_map_t *m, const char *key, void *value);
/* Remove key; returns its value (for the caller to free), or NULL when absent. */
void *srs_map_remove(srs_map_t *m, const char *key);
size_t srs_map_size(const srs_map_t *m);

/* Iteration in no particular order:
 *     srs_map_iter_t it;
 *     for (srs_map_iter_init(&it, m); srs_map_iter_next(&it);) { it.key, it.value ... }
 * The current entry may be removed with srs_map_iter_remove (or srs_map_remove); adding keys
 * while iterating is not allowed (the map may grow and move entries). */
typedef struct {
    srs_map_t *map;
    size_t bucket;            /* The next bucket to visit. */
    srs_map_entry_t *current;
    srs_map_entry_t *next;    /* Fetched ahead, so the current entry may go away. */
    const char *key;          /* Valid until the entry is removed. */
    void *value;
} srs_map_iter_t;

void srs_map_iter_init(srs_map_iter_t *it, srs_map_t *m);
/* Advance to the next entry; false when done. */
bool srs_map_iter_next(srs_map_iter_t *it);
/* Remove the current entry; returns its value. it->key is no longer valid afterwards. */
void *srs_map_iter_remove(srs_map_iter_t *it);

#ifdef __cplusplus
}
#endif

#endif
