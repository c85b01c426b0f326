/* SPDX-License-Identifier: MIT */
#include "srs_kernel_map.h"
#include "srs_core_context.h"

#include <stdlib.h>
#include <string.h>

/* Separate chaining: each bucket is a singly linked list; the bucket count is a power of two
 * and doubles when the map is 3/4 full, so chains stay short. */
struct srs_map_entry_s {
    srs_map_entry_t *next;
    uint64_t hash;
    void *value;
    char key[];
};

struct srs_map_s {
    srs_map_entry_t **buckets;
    size_t nbuckets;
    size_t size;
    uint64_t seed;  /* Random per map, so remote peers cannot precompute colliding keys. */
};

#define SRS_MAP_INITIAL_BUCKETS 16

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) abort();
    return p;
}

uint64_t srs_hash_string(uint64_t seed, const char *key)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t map_hash(const srs_map_t *m, const char *key)
{
    return srs_hash_string(m->seed, key);
}

srs_map_t *srs_map_new(void)
{
    srs_map_t *m = (srs_map_t *)xcalloc(1, sizeof(*m));
    m->nbuckets = SRS_MAP_INITIAL_BUCKETS;
    m->buckets = (srs_map_entry_t **)xcalloc(m->nbuckets, sizeof(*m->buckets));
    srs_random_bytes(&m->seed, sizeof(m->seed)); /* from getrandom: a peer cannot predict it */
    return m;
}

void srs_map_free(srs_map_t *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        srs_map_entry_t *e = m->buckets[i];
        while (e) {
            srs_map_entry_t *next = e->next;
            free(e);
            e = next;
        }
    }
    free(m->buckets);
    free(m);
}

static srs_map_entry_t *map_find(srs_map_t *m, const char *key, uint64_t hash)
{
    for (srs_map_entry_t *e = m->buckets[hash & (m->nbuckets - 1)]; e; e = e->next) {
        if (e->hash == hash && strcmp(e->key, key) == 0) return e;
    }
    return NULL;
}

void *srs_map_get(srs_map_t *m, const char *key)
{
    srs_map_entry_t *e = map_find(m, key, map_hash(m, key));
    return e ? e->value : NULL;
}

static void map_grow(srs_map_t *m)
{
    size_t n = m->nbuckets * 2;
    srs_map_entry_t **buckets = (srs_map_entry_t **)xcalloc(n, sizeof(*buckets));
    for (size_t i = 0; i < m->nbuckets; i++) {
        srs_map_entry_t *e = m->buckets[i];
        while (e) {
            srs_map_entry_t *next = e->next;
            size_t b = e->hash & (n - 1);
            e->next = buckets[b];
            buckets[b] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = buckets;
    m->nbuckets = n;
}

void srs_map_set(srs_map_t *m, const char *key, void *value)
{
    uint64_t hash = map_hash(m, key);
    srs_map_entry_t *e = map_find(m, key, hash);
    if (e) {
        e->value = value;
        return;
    }

    if ((m->size + 1) * 4 > m->nbuckets * 3) map_grow(m);

    size_t len = strlen(key);
    e = (srs_map_entry_t *)xcalloc(1, sizeof(*e) + len + 1);
    memcpy(e->key, key, len + 1);
    e->hash = hash;
    e->value = value;
    size_t b = hash & (m->nbuckets - 1);
    e->next = m->buckets[b];
    m->buckets[b] = e;
    m->size++;
}

/* Unlink and free one entry known to be in the map; returns its value. */
static void *map_unlink(srs_map_t *m, srs_map_entry_t *target)
{
    srs_map_entry_t **pp = &m->buckets[target->hash & (m->nbuckets - 1)];
    while (*pp && *pp != target) pp = &(*pp)->next;
    if (!*pp) return NULL;
    *pp = target->next;
    void *value = target->value;
    free(target);
    m->size--;
    return value;
}

void *srs_map_remove(srs_map_t *m, const char *key)
{
    srs_map_entry_t *e = map_find(m, key, map_hash(m, key));
    return e ? map_unlink(m, e) : NULL;
}

size_t srs_map_size(const srs_map_t *m)
{
    return m->size;
}

void srs_map_iter_init(srs_map_iter_t *it, srs_map_t *m)
{
    memset(it, 0, sizeof(*it));
    it->map = m;
}

bool srs_map_iter_next(srs_map_iter_t *it)
{
    srs_map_t *m = it->map;
    srs_map_entry_t *e = it->next;
    while (!e && it->bucket < m->nbuckets) e = m->buckets[it->bucket++];

    it->current = e;
    if (!e) {
        it->next = NULL;
        it->key = NULL;
        it->value = NULL;
        return false;
    }
    it->next = e->next;
    it->key = e->key;
    it->value = e->value;
    return true;
}

void *srs_map_iter_remove(srs_map_iter_t *it)
{
    if (!it->current) return NULL;
    void *value = map_unlink(it->map, it->current);
    it->current = NULL;
    it->key = NULL;
    return value;
}
