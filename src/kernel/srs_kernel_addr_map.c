/* SPDX-License-Identifier: MIT */
#include "srs_kernel_addr_map.h"
#include "srs_core_context.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    srs_addr_key_t key;
    void *value;
} slot_t;

struct srs_addr_map_s {
    slot_t *slots;
    size_t cap;   /* power of two */
    size_t size;
};

bool srs_addr_key_from(const struct sockaddr *sa, srs_addr_key_t *key)
{
    memset(key, 0, sizeof(*key));
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        memcpy(key->ip, &v4->sin_addr, 4);
        key->port = v4->sin_port;
        key->family = AF_INET;
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        memcpy(key->ip, &v6->sin6_addr, 16);
        key->port = v6->sin6_port;
        key->family = AF_INET6;
        return true;
    }
    return false;
}

bool srs_addr_key_equal(const srs_addr_key_t *a, const srs_addr_key_t *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

static size_t hash_key(const srs_addr_key_t *k)
{
    /* FNV-1a over the 20 bytes from a process-wide seed out of getrandom: peers choose their
     * source ports, so they must not be able to predict which addresses share a bucket. */
    static uint64_t seed;
    if (!seed) {
        srs_random_bytes(&seed, sizeof(seed));
        seed |= 1;
    }
    uint64_t h = seed;
    const uint8_t *p = (const uint8_t *)k;
    for (size_t i = 0; i < sizeof(*k); i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 29));
}

srs_addr_map_t *srs_addr_map_new(void)
{
    srs_addr_map_t *m = (srs_addr_map_t *)calloc(1, sizeof(*m));
    if (!m) abort();
    m->cap = 64;
    m->slots = (slot_t *)calloc(m->cap, sizeof(slot_t));
    if (!m->slots) abort();
    return m;
}

void srs_addr_map_free(srs_addr_map_t *m)
{
    if (!m) return;
    free(m->slots);
    free(m);
}

static slot_t *find(const srs_addr_map_t *m, const srs_addr_key_t *key)
{
    size_t mask = m->cap - 1;
    for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
        slot_t *s = &m->slots[i];
        if (!s->key.family) return NULL;
        if (srs_addr_key_equal(&s->key, key)) return s;
    }
}

void *srs_addr_map_get(const srs_addr_map_t *m, const srs_addr_key_t *key)
{
    slot_t *s = find(m, key);
    return s ? s->value : NULL;
}

static void put(slot_t *slots, size_t cap, const srs_addr_key_t *key, void *value)
{
    size_t mask = cap - 1;
    size_t i = hash_key(key) & mask;
    while (slots[i].key.family) i = (i + 1) & mask;
    slots[i].key = *key;
    slots[i].value = value;
}

static void grow(srs_addr_map_t *m)
{
    size_t cap = m->cap * 2;
    slot_t *slots = (slot_t *)calloc(cap, sizeof(slot_t));
    if (!slots) abort();
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key.family) put(slots, cap, &m->slots[i].key, m->slots[i].value);
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

void *srs_addr_map_set(srs_addr_map_t *m, const srs_addr_key_t *key, void *value)
{
    slot_t *s = find(m, key);
    if (s) {
        void *old = s->value;
        s->value = value;
        return old;
    }
    /* Keep the load under one half so probes stay short. */
    if ((m->size + 1) * 2 > m->cap) grow(m);
    put(m->slots, m->cap, key, value);
    m->size++;
    return NULL;
}

void *srs_addr_map_remove(srs_addr_map_t *m, const srs_addr_key_t *key)
{
    slot_t *s = find(m, key);
    if (!s) return NULL;
    void *value = s->value;
    size_t mask = m->cap - 1;
    size_t hole = (size_t)(s - m->slots);
    /* Backward-shift deletion: pull later entries of the probe run into the hole. */
    for (size_t i = (hole + 1) & mask; m->slots[i].key.family; i = (i + 1) & mask) {
        size_t home = hash_key(&m->slots[i].key) & mask;
        /* Move it if its home is not in (hole, i] cyclically. */
        bool between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!between) {
            m->slots[hole] = m->slots[i];
            hole = i;
        }
    }
    memset(&m->slots[hole], 0, sizeof(slot_t));
    m->size--;
    return value;
}

size_t srs_addr_map_size(const srs_addr_map_t *m)
{
    return m->size;
}
