/* SPDX-License-Identifier: MIT */
#include "srs_kernel_shm_table.h"
#include "srs_core_context.h"
#include "srs_kernel_map.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SHM_TABLE_MAGIC 0x53484d54u /* "SHMT" */
#define SHM_EVICT_SAMPLE 32
#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))

/* Indexes are stored +1 so that zeroed memory means "no node". */
typedef struct {
    int32_t next;       /* chain (or free list) link, node index + 1, 0 = end */
    uint32_t hash;
    int64_t last_use;
    int32_t owner;
    uint16_t mark;      /* repair scratch */
    uint16_t live;      /* linked into a chain (for the eviction sample) */
    char key[];         /* at offset 24: values stay 8-byte aligned (key_max is a multiple of 8) */         /* key_max bytes, then value_size bytes */
} shm_node_t;

struct srs_shm_table_s {
    pthread_mutex_t mu;
    uint32_t magic, capacity, key_max, value_size, stride;
    uint32_t count;         /* live entries */
    uint32_t hw;            /* nodes [0, hw) have been used; there are capacity + 1 nodes, so a
                             * replace always has a spare node and never evicts another key */
    int32_t free_head;      /* node index + 1, 0 = empty */
    uint32_t evict_cursor;
    uint64_t seed;
    uint64_t evictions, recoveries;
    uint64_t buckets_off, nodes_off;
};

static size_t node_stride(uint32_t key_max, uint32_t value_size)
{
    return ALIGN_UP(sizeof(shm_node_t) + key_max + value_size, 8);
}

size_t srs_shm_table_bytes(uint32_t capacity, uint32_t key_max, uint32_t value_size)
{
    size_t head = ALIGN_UP(sizeof(srs_shm_table_t), 64);
    size_t buckets = ALIGN_UP((size_t)capacity * sizeof(int32_t), 64);
    return ALIGN_UP(head + buckets + ((size_t)capacity + 1) * node_stride(key_max, value_size), 64);
}

static int32_t *buckets(const srs_shm_table_t *t) { return (int32_t *)((char *)t + t->buckets_off); }
static shm_node_t *node(const srs_shm_table_t *t, int32_t idx) { return (shm_node_t *)((char *)t + t->nodes_off + (size_t)idx * t->stride); }
static uint8_t *node_value(const srs_shm_table_t *t, shm_node_t *n) { return (uint8_t *)n->key + t->key_max; }

srs_error_t srs_shm_table_init(void *mem, uint32_t capacity, uint32_t key_max, uint32_t value_size, srs_shm_table_t **out)
{
    if (!mem || ((uintptr_t)mem & 63)) return srs_error_new(ERROR_SYSTEM_LIMIT, "shm table memory not 64-byte aligned");
    if (capacity < 1 || capacity > (1u << 30) || key_max < 2 || key_max > 65536 || value_size > (1u << 20)) {
        return srs_error_new(ERROR_SYSTEM_LIMIT, "shm table %u x (%u + %u): out of range", capacity, key_max, value_size);
    }
    srs_shm_table_t *t = (srs_shm_table_t *)mem;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    int r = pthread_mutex_init(&t->mu, &attr);
    pthread_mutexattr_destroy(&attr);
    if (r) return srs_error_new(ERROR_SYSTEM_LIMIT, "shm table mutex: %s", strerror(r));
    t->magic = SHM_TABLE_MAGIC;
    t->capacity = capacity;
    t->key_max = key_max;
    t->value_size = value_size;
    t->stride = (uint32_t)node_stride(key_max, value_size);
    srs_random_bytes(&t->seed, sizeof(t->seed)); /* getrandom: peers cannot predict it */
    t->buckets_off = ALIGN_UP(sizeof(srs_shm_table_t), 64);
    t->nodes_off = t->buckets_off + ALIGN_UP((size_t)capacity * sizeof(int32_t), 64);
    *out = t;
    return srs_success;
}

/* Seeded per table (srs_hash_string), folded to 32 bits. */
static uint32_t key_hash(const srs_shm_table_t *t, const char *key)
{
    uint64_t h = srs_hash_string(t->seed, key);
    h ^= h >> 29;
    return (uint32_t)(h ^ (h >> 32));
}

/* Rebuilds what a dead holder may have left half-done: the count and the free list. Chains are
 * always consistent (each change to them is one aligned store). */
static void repair(srs_shm_table_t *t)
{
    for (uint32_t i = 0; i < t->hw; i++) node(t, (int32_t)i)->mark = 0;
    uint32_t count = 0;
    int32_t *b = buckets(t);
    for (uint32_t i = 0; i < t->capacity; i++) {
        uint32_t steps = 0;
        for (int32_t link = b[i]; link && steps <= t->hw; link = node(t, link - 1)->next, steps++) {
            shm_node_t *n = node(t, link - 1);
            if (n->mark) break; /* never happens: a chain cannot loop; stop rather than spin */
            n->mark = 1;
            count++;
        }
    }
    t->free_head = 0;
    for (uint32_t i = t->hw; i-- > 0;) {
        shm_node_t *n = node(t, (int32_t)i);
        n->live = (uint16_t)(n->mark ? 1 : 0);
        if (n->mark) continue;
        n->next = t->free_head;
        t->free_head = (int32_t)i + 1;
    }
    t->count = count;
    t->recoveries++;
}

void srs_shm_table_lock(srs_shm_table_t *t)
{
    int r = pthread_mutex_lock(&t->mu);
    if (r == EOWNERDEAD) {
        repair(t);
        pthread_mutex_consistent(&t->mu);
    } else if (r) {
        /* ENOTRECOVERABLE cannot happen (every EOWNERDEAD is made consistent): a broken region. */
        abort();
    }
}

void srs_shm_table_unlock(srs_shm_table_t *t)
{
    pthread_mutex_unlock(&t->mu);
}

/* The link (bucket head or a node's next) that points at key's node, or NULL. */
static int32_t *find_link(srs_shm_table_t *t, const char *key, uint32_t hash)
{
    int32_t *link = &buckets(t)[hash % t->capacity];
    uint32_t steps = 0;
    while (*link && steps++ <= t->capacity) {
        shm_node_t *n = node(t, *link - 1);
        if (n->hash == hash && !strcmp(n->key, key)) return link;
        link = &n->next;
    }
    return NULL;
}

static void publish(int32_t *link, int32_t value)
{
    __atomic_store_n(link, value, __ATOMIC_RELEASE);
}

static void free_node(srs_shm_table_t *t, int32_t idx)
{
    shm_node_t *n = node(t, idx);
    n->live = 0;
    n->next = t->free_head;
    t->free_head = idx + 1;
}

static void unlink_at(srs_shm_table_t *t, int32_t *link)
{
    int32_t idx = *link - 1;
    publish(link, node(t, idx)->next);
    t->count--;
    free_node(t, idx);
}

/* The least recently used of a sample of live nodes (at most one node is free when full). */
static void evict_one(srs_shm_table_t *t)
{
    int32_t victim = -1;
    int64_t oldest = INT64_MAX;
    uint32_t nodes = t->capacity + 1;
    for (uint32_t i = 0; i < SHM_EVICT_SAMPLE && i < nodes; i++) {
        int32_t idx = (int32_t)(t->evict_cursor++ % nodes);
        if ((uint32_t)idx >= t->hw) continue;
        shm_node_t *n = node(t, idx);
        if (n->live && n->last_use < oldest) {
            oldest = n->last_use;
            victim = idx;
        }
    }
    if (victim < 0) return;
    int32_t *link = find_link(t, node(t, victim)->key, node(t, victim)->hash);
    if (link && *link - 1 == victim) {
        unlink_at(t, link);
        t->evictions++;
    }
}

/* A free node; a new key in a full table first evicts one. */
static int32_t alloc_node(srs_shm_table_t *t, bool new_key)
{
    if (new_key && t->count >= t->capacity) evict_one(t);
    if (new_key && t->count >= t->capacity) return -1;
    if (t->free_head) {
        int32_t idx = t->free_head - 1;
        t->free_head = node(t, idx)->next;
        return idx;
    }
    if (t->hw < t->capacity + 1) return (int32_t)t->hw++;
    return -1;
}

bool srs_shm_table_get(srs_shm_table_t *t, const char *key, void *value, srs_shm_meta_t *meta, int64_t now,
                       int64_t alive, bool touch)
{
    int32_t *link = find_link(t, key, key_hash(t, key));
    if (!link) return false;
    shm_node_t *n = node(t, *link - 1);
    if (alive > 0 && now - n->last_use >= alive) {
        unlink_at(t, link);
        return false;
    }
    if (touch) n->last_use = now;
    if (value) memcpy(value, node_value(t, n), t->value_size);
    if (meta) {
        meta->last_use = n->last_use;
        meta->owner = n->owner;
    }
    return true;
}

srs_error_t srs_shm_table_put(srs_shm_table_t *t, const char *key, const void *value, int32_t owner, int64_t now)
{
    size_t len = strlen(key);
    if (len >= t->key_max) return srs_error_new(ERROR_SYSTEM_LIMIT, "key of %zu bytes, max %u", len, t->key_max - 1);
    uint32_t hash = key_hash(t, key);
    int32_t idx = alloc_node(t, find_link(t, key, hash) == NULL);
    if (idx < 0) return srs_error_new(ERROR_SYSTEM_LIMIT, "shm table full");
    /* Written in full while unreachable. */
    shm_node_t *n = node(t, idx);
    n->hash = hash;
    n->last_use = now;
    n->owner = owner;
    memcpy(n->key, key, len + 1);
    memcpy(node_value(t, n), value, t->value_size);

    int32_t *link = find_link(t, key, hash);
    if (link) {
        /* Swap the new node in for the old one: one store. */
        int32_t old = *link - 1;
        n->next = node(t, old)->next;
        n->live = 1;
        publish(link, idx + 1);
        free_node(t, old);
        return srs_success;
    }
    int32_t *head = &buckets(t)[hash % t->capacity];
    n->next = *head;
    n->live = 1;
    publish(head, idx + 1);
    t->count++;
    return srs_success;
}

void *srs_shm_table_ref(srs_shm_table_t *t, const char *key)
{
    int32_t *link = find_link(t, key, key_hash(t, key));
    return link ? node_value(t, node(t, *link - 1)) : NULL;
}

bool srs_shm_table_set_owner(srs_shm_table_t *t, const char *key, int32_t owner)
{
    int32_t *link = find_link(t, key, key_hash(t, key));
    if (!link) return false;
    node(t, *link - 1)->owner = owner;
    return true;
}

bool srs_shm_table_remove(srs_shm_table_t *t, const char *key, int32_t owner)
{
    int32_t *link = find_link(t, key, key_hash(t, key));
    if (!link) return false;
    int32_t cur = node(t, *link - 1)->owner;
    if (owner && cur && cur != owner) return false;
    unlink_at(t, link);
    return true;
}

size_t srs_shm_table_foreach(srs_shm_table_t *t, srs_shm_visit_fn fn, void *ctx)
{
    size_t removed = 0;
    int32_t *b = buckets(t);
    for (uint32_t i = 0; i < t->capacity; i++) {
        int32_t *link = &b[i];
        while (*link) {
            shm_node_t *n = node(t, *link - 1);
            srs_shm_meta_t meta = {n->last_use, n->owner};
            if (fn(ctx, n->key, node_value(t, n), &meta)) {
                unlink_at(t, link);
                removed++;
            } else {
                link = &n->next;
            }
        }
    }
    return removed;
}

typedef struct {
    int64_t now, alive;
} sweep_ctx_t;

static bool sweep_visit(void *ctx, const char *key, const void *value, const srs_shm_meta_t *meta)
{
    SRS_UNUSED(key);
    SRS_UNUSED(value);
    const sweep_ctx_t *s = (const sweep_ctx_t *)ctx;
    return s->now - meta->last_use >= s->alive;
}

size_t srs_shm_table_sweep(srs_shm_table_t *t, int64_t now, int64_t alive)
{
    sweep_ctx_t s = {now, alive};
    return srs_shm_table_foreach(t, sweep_visit, &s);
}

uint32_t srs_shm_table_count(const srs_shm_table_t *t) { return __atomic_load_n(&t->count, __ATOMIC_RELAXED); }
uint32_t srs_shm_table_capacity(const srs_shm_table_t *t) { return t->capacity; }
uint64_t srs_shm_table_evictions(const srs_shm_table_t *t) { return __atomic_load_n(&t->evictions, __ATOMIC_RELAXED); }
uint64_t srs_shm_table_recoveries(const srs_shm_table_t *t) { return __atomic_load_n(&t->recoveries, __ATOMIC_RELAXED); }

bool srs_shm_table_check(srs_shm_table_t *t)
{
    srs_shm_table_lock(t);
    bool ok = t->magic == SHM_TABLE_MAGIC && t->hw <= t->capacity + 1 && t->count <= t->capacity;
    for (uint32_t i = 0; ok && i < t->hw; i++) node(t, (int32_t)i)->mark = 0;
    uint32_t live = 0, free_n = 0;
    int32_t *b = buckets(t);
    for (uint32_t i = 0; ok && i < t->capacity; i++) {
        for (int32_t link = b[i]; ok && link; link = node(t, link - 1)->next) {
            if (link < 1 || (uint32_t)link > t->hw) { ok = false; break; }
            shm_node_t *n = node(t, link - 1);
            if (n->mark || n->hash % t->capacity != i || strnlen(n->key, t->key_max) >= t->key_max) { ok = false; break; }
            /* Keys are unique. */
            int32_t *found = find_link(t, n->key, n->hash);
            if (!found || *found != link) { ok = false; break; }
            n->mark = 1;
            live++;
        }
    }
    for (int32_t link = t->free_head; ok && link; link = node(t, link - 1)->next) {
        if (link < 1 || (uint32_t)link > t->hw || node(t, link - 1)->mark) { ok = false; break; }
        node(t, link - 1)->mark = 2;
        free_n++;
    }
    ok = ok && live == t->count && live + free_n == t->hw;
    srs_shm_table_unlock(t);
    return ok;
}
