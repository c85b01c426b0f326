/* SPDX-License-Identifier: MIT */
#include "srs_kernel_worker_relay.h"

#include <netinet/in.h>
#include <string.h>

#define DIR_MAGIC 0x53525444u /* "SRTD" */
#define MSG_MAGIC 0x53575231u /* "SWR1" */
/* A slot's word: socket id in the high 32 bits, worker + 1 in the low 16. */
#define W_EMPTY 0ull
#define W_TOMB 0xFFFFull
#define W_BUSY 0xFFFEull /* being written: matches nothing, ends no probe */
#define W_WORKER_MAX 0xFFFD

typedef struct {
    uint64_t word;
    srs_addr_key_t caller;
    uint32_t pad;
} dir_slot_t;

struct srs_srt_dir_s {
    uint32_t magic, capacity, count, pad;
    dir_slot_t slots[];
};

static uint32_t round_capacity(uint32_t capacity)
{
    uint32_t c = 64;
    while (c < capacity && c < (1u << 30)) c <<= 1;
    return c;
}

size_t srs_srt_dir_bytes(uint32_t capacity)
{
    return sizeof(srs_srt_dir_t) + (size_t)round_capacity(capacity) * sizeof(dir_slot_t);
}

srs_srt_dir_t *srs_srt_dir_init(void *mem, uint32_t capacity)
{
    srs_srt_dir_t *d = (srs_srt_dir_t *)mem;
    d->magic = DIR_MAGIC;
    d->capacity = round_capacity(capacity);
    return d;
}

/* Socket ids are random (the origin's), but a peer chooses its own: mix anyway. */
static uint32_t slot_of(const srs_srt_dir_t *d, uint32_t id)
{
    uint32_t h = id * 0x9E3779B1u;
    h ^= h >> 15;
    return h & (d->capacity - 1);
}

static uint64_t load(const dir_slot_t *s) { return __atomic_load_n(&s->word, __ATOMIC_ACQUIRE); }
static uint32_t word_id(uint64_t w) { return (uint32_t)(w >> 32); }
static int word_worker(uint64_t w) { return (int)(w & 0xFFFF) - 1; }
static bool word_live(uint64_t w) { return w != W_EMPTY && w != W_TOMB && w != W_BUSY; }

bool srs_srt_dir_put(srs_srt_dir_t *d, uint32_t socket_id, int worker, const srs_addr_key_t *caller)
{
    if (!socket_id || worker < 0 || worker > W_WORKER_MAX - 1) return false;
    uint64_t mine = ((uint64_t)socket_id << 32) | (uint64_t)(worker + 1);
    for (int attempt = 0; attempt < 4; attempt++) {
        dir_slot_t *free_slot = NULL;
        uint64_t free_word = 0;
        uint32_t i = slot_of(d, socket_id);
        for (int p = 0; p < SRS_SRT_DIR_PROBE; p++, i = (i + 1) & (d->capacity - 1)) {
            dir_slot_t *s = &d->slots[i];
            uint64_t w = load(s);
            if (word_live(w) && word_id(w) == socket_id) {
                if (w != mine) return false; /* another worker's session has this id */
                /* Ours already: a new address is written the same way, behind a busy word. */
                if (!__atomic_compare_exchange_n(&s->word, &w, W_BUSY, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
                s->caller = *caller;
                __atomic_store_n(&s->word, mine, __ATOMIC_RELEASE);
                return true;
            }
            if (!free_slot && (w == W_EMPTY || w == W_TOMB)) {
                free_slot = s;
                free_word = w;
            }
            if (w == W_EMPTY) break;
        }
        if (!free_slot) return false;
        if (!__atomic_compare_exchange_n(&free_slot->word, &free_word, W_BUSY, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            continue; /* another worker took that slot meanwhile: look again */
        }
        free_slot->caller = *caller;
        __atomic_store_n(&free_slot->word, mine, __ATOMIC_RELEASE);
        __atomic_add_fetch(&d->count, 1, __ATOMIC_RELAXED);
        return true;
    }
    return false;
}

int srs_srt_dir_owner(const srs_srt_dir_t *d, uint32_t socket_id, srs_addr_key_t *caller)
{
    if (!socket_id) return -1;
    uint32_t i = slot_of(d, socket_id);
    for (int p = 0; p < SRS_SRT_DIR_PROBE; p++, i = (i + 1) & (d->capacity - 1)) {
        const dir_slot_t *s = &d->slots[i];
        uint64_t w = load(s);
        if (w == W_EMPTY) return -1;
        if (!word_live(w) || word_id(w) != socket_id) continue;
        srs_addr_key_t copy;
        memcpy(&copy, &s->caller, sizeof(copy));
        /* The address is the word's only if the word did not change while we read it. */
        if (load(s) != w) return -1;
        if (caller) *caller = copy;
        return word_worker(w);
    }
    return -1;
}

void srs_srt_dir_remove(srs_srt_dir_t *d, uint32_t socket_id, int worker)
{
    if (!socket_id || worker < 0) return;
    uint64_t mine = ((uint64_t)socket_id << 32) | (uint64_t)(worker + 1);
    uint32_t i = slot_of(d, socket_id);
    for (int p = 0; p < SRS_SRT_DIR_PROBE; p++, i = (i + 1) & (d->capacity - 1)) {
        dir_slot_t *s = &d->slots[i];
        uint64_t w = load(s);
        if (w == W_EMPTY) return;
        if (w != mine) continue;
        if (__atomic_compare_exchange_n(&s->word, &w, W_TOMB, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            __atomic_sub_fetch(&d->count, 1, __ATOMIC_RELAXED);
        }
        return;
    }
}

size_t srs_srt_dir_clear_worker(srs_srt_dir_t *d, int worker)
{
    size_t n = 0;
    for (uint32_t i = 0; i < d->capacity; i++) {
        dir_slot_t *s = &d->slots[i];
        uint64_t w = load(s);
        if (!word_live(w) || word_worker(w) != worker) continue;
        if (__atomic_compare_exchange_n(&s->word, &w, W_TOMB, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            __atomic_sub_fetch(&d->count, 1, __ATOMIC_RELAXED);
            n++;
        }
    }
    return n;
}

uint32_t srs_srt_dir_count(const srs_srt_dir_t *d) { return __atomic_load_n(&d->count, __ATOMIC_RELAXED); }
uint32_t srs_srt_dir_capacity(const srs_srt_dir_t *d) { return d->capacity; }

/* Header: magic (4, big endian), kind (1), family (1: 4 or 6), port (2, network order),
 * address (16: IPv4 in the first 4 bytes). */
bool srs_worker_msg_header(uint8_t *hdr, uint8_t kind, const struct sockaddr *from)
{
    memset(hdr, 0, SRS_WORKER_MSG_HEADER);
    hdr[0] = (uint8_t)(MSG_MAGIC >> 24);
    hdr[1] = (uint8_t)(MSG_MAGIC >> 16);
    hdr[2] = (uint8_t)(MSG_MAGIC >> 8);
    hdr[3] = (uint8_t)MSG_MAGIC;
    hdr[4] = kind;
    if (from->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)from;
        hdr[5] = 4;
        memcpy(hdr + 6, &a->sin_port, 2);
        memcpy(hdr + 8, &a->sin_addr, 4);
        return true;
    }
    if (from->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)from;
        hdr[5] = 6;
        memcpy(hdr + 6, &a->sin6_port, 2);
        memcpy(hdr + 8, &a->sin6_addr, 16);
        return true;
    }
    return false;
}

bool srs_worker_msg_decode(const uint8_t *buf, size_t len, uint8_t *kind, struct sockaddr_storage *from,
                           socklen_t *from_len, const uint8_t **payload, size_t *payload_len)
{
    if (len < SRS_WORKER_MSG_HEADER) return false;
    uint32_t magic = ((uint32_t)buf[0] << 24) | ((uint32_t)buf[1] << 16) | ((uint32_t)buf[2] << 8) | buf[3];
    if (magic != MSG_MAGIC) return false;
    memset(from, 0, sizeof(*from));
    if (buf[5] == 4) {
        struct sockaddr_in *a = (struct sockaddr_in *)from;
        a->sin_family = AF_INET;
        memcpy(&a->sin_port, buf + 6, 2);
        memcpy(&a->sin_addr, buf + 8, 4);
        *from_len = sizeof(*a);
    } else if (buf[5] == 6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)from;
        a->sin6_family = AF_INET6;
        memcpy(&a->sin6_port, buf + 6, 2);
        memcpy(&a->sin6_addr, buf + 8, 16);
        *from_len = sizeof(*a);
    } else {
        return false;
    }
    *kind = buf[4];
    *payload = buf + SRS_WORKER_MSG_HEADER;
    *payload_len = len - SRS_WORKER_MSG_HEADER;
    return true;
}
