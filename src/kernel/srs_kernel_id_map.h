/* SPDX-License-Identifier: MIT */
/* A hash table keyed by a non-zero 32-bit id (an SRT socket id), for the UDP paths: one lookup
 * per datagram, no allocation on a lookup. Open addressing with linear probing and
 * backward-shift deletion, like srs_kernel_addr_map; it grows (allocates) only on an insert.
 * Ids are mixed with a per-process random seed, so sequential ids (libsrt hands them out
 * counting down) spread out and a peer cannot aim lookups at one probe run. */
#ifndef SRS_KERNEL_ID_MAP_H
#define SRS_KERNEL_ID_MAP_H

#include "srs_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srs_id_map_s srs_id_map_t;

srs_id_map_t *srs_id_map_new(void);
/* Frees the table, not the values. NULL is fine. */
void srs_id_map_free(srs_id_map_t *m);
/* NULL when absent (and always for id 0, which marks an empty slot). */
void *srs_id_map_get(const srs_id_map_t *m, uint32_t id);
/* Insert or replace; returns the previous value (NULL if none). Id 0 is refused (NULL). */
void *srs_id_map_set(srs_id_map_t *m, uint32_t id, void *value);
/* Returns the removed value, NULL when absent. */
void *srs_id_map_remove(srs_id_map_t *m, uint32_t id);
size_t srs_id_map_size(const srs_id_map_t *m);

#ifdef __cplusplus
}
#endif

#endif
