/* SPDX-License-Identifier: MIT */
#include "srs_kernel_id_map.h"
#include "srs_core_context.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t id;   /* 0 = empty */
    void *value;
} slot_t;

struct srs_id_map_s {
    slot_t *slots;
    size_t cap;    /* power of two */
    size_t size;
    uint64_t seed;
};

static size_t hash_id(const srs_id_map_t *m, uint32_t id)
{
    /* A 64-bit finaliser (splitmix64) over the seeded id: every input bit moves every output bit. */
    uint64_t h = (uint64_t)id ^ m->seed;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return (size_t)h;
}

srs_id_map_t *srs_id_map_new(void)
{
    srs_id_map_t *m = (srs_id_map_t *)calloc(1, sizeof(*m));
    if (!m) abort();
    m->cap = 64;
    m->slots = (slot_t *)calloc(m->cap, sizeof(slot_t));
    if (!m->slots) abort();
    srs_random_bytes(&m->seed, sizeof(m->seed)); /* from getrandom: a peer cannot predict it */
    return m;
}

void srs_id_map_free(srs_id_map_t *m)
{
    if (!m) return;
    free(m->slots);
    free(m);
}

static slot_t *find(const srs_id_map_t *m, uint32_t id)
{
    if (!id) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = hash_id(m, id) & mask;; i = (i + 1) & mask) {
        slot_t *s = &m->slots[i];
        if (!s->id) return NULL;
        if (s->id == id) return s;
    }
}

void *srs_id_map_get(const srs_id_map_t *m, uint32_t id)
{
    slot_t *s = find(m, id);
    return s ? s->value : NULL;
}

static void put(const srs_id_map_t *m, slot_t *slots, size_t cap, uint32_t id, void *value)
{
    size_t mask = cap - 1;
    size_t i = hash_id(m, id) & mask;
    while (slots[i].id) i = (i + 1) & mask;
    slots[i].id = id;
    slots[i].value = value;
}

static void grow(srs_id_map_t *m)
{
    size_t cap = m->cap * 2;
    slot_t *slots = (slot_t *)calloc(cap, sizeof(slot_t));
    if (!slots) abort();
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].id) put(m, slots, cap, m->slots[i].id, m->slots[i].value);
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

void *srs_id_map_set(srs_id_map_t *m, uint32_t id, void *value)
{
    if (!id) return NULL;
    slot_t *s = find(m, id);
    if (s) {
        void *old = s->value;
        s->value = value;
        return old;
    }
    /* Keep the load under one half so probes stay short. */
    if ((m->size + 1) * 2 > m->cap) grow(m);
    put(m, m->slots, m->cap, id, value);
    m->size++;
    return NULL;
}

void *srs_id_map_remove(srs_id_map_t *m, uint32_t id)
{
    slot_t *s = find(m, id);
    if (!s) return NULL;
    void *value = s->value;
    size_t mask = m->cap - 1;
    size_t hole = (size_t)(s - m->slots);
    /* Backward-shift deletion: pull later entries of the probe run into the hole. */
    for (size_t i = (hole + 1) & mask; m->slots[i].id; i = (i + 1) & mask) {
        size_t home = hash_id(m, m->slots[i].id) & mask;
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

size_t srs_id_map_size(const srs_id_map_t *m)
{
    return m->size;
}
