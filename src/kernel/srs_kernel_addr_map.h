/* SPDX-License-Identifier: MIT */
/* A hash table keyed by a socket address (IPv4 or IPv6 + port), for the UDP paths: one lookup
 * per datagram, no allocation and no string formatting on a lookup. Open addressing with linear
 * probing and backward-shift deletion; it grows (allocates) only when an address is added. */
#ifndef SRS_KERNEL_ADDR_MAP_H
#define SRS_KERNEL_ADDR_MAP_H

#include "srs_core.h"

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A normalised address: IPv4 is stored as such (not v4-mapped), unused bytes zero. */
typedef struct {
    uint8_t ip[16];
    uint16_t port;   /* network order, as in the sockaddr */
    uint8_t family;  /* AF_INET or AF_INET6; 0 = empty slot */
    uint8_t pad;
} srs_addr_key_t;

/* False for families other than IPv4/IPv6. */
bool srs_addr_key_from(const struct sockaddr *sa, srs_addr_key_t *key);
bool srs_addr_key_equal(const srs_addr_key_t *a, const srs_addr_key_t *b);

typedef struct srs_addr_map_s srs_addr_map_t;

srs_addr_map_t *srs_addr_map_new(void);
void srs_addr_map_free(srs_addr_map_t *m);
void *srs_addr_map_get(const srs_addr_map_t *m, const srs_addr_key_t *key);
/* Insert or replace; returns the previous value (NULL if none). */
void *srs_addr_map_set(srs_addr_map_t *m, const srs_addr_key_t *key, void *value);
/* Returns the removed value, NULL when absent. */
void *srs_addr_map_remove(srs_addr_map_t *m, const srs_addr_key_t *key);
size_t srs_addr_map_size(const srs_addr_map_t *m);

#ifdef __cplusplus
}
#endif

#endif
