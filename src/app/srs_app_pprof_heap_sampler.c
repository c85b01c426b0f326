/* SPDX-License-Identifier: MIT */
/* The allocation sampler behind /debug/pprof/heap and /debug/pprof/allocs (see the header).
 * Tables are allocated once, from glibc directly, when sampling starts; a spin lock guards them
 * (the proxy has one thread, the lock only makes other threads of a test binary safe). */
#include "srs_app_pprof_heap.h"
#include "srs_core_context.h"
#include "srs_protocol_coroutine.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Sanitizers replace malloc themselves; the wrappers need glibc underneath and a frame-pointer
 * chain laid out as [saved fp, return address] (x86-64, arm64). */
#if defined(SRS_SANITIZER) || defined(SRS_FUZZ) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SRS_HEAP_SAMPLER 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define SRS_HEAP_SAMPLER 0
#endif
#endif
#if !defined(SRS_HEAP_SAMPLER)
#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))
#define SRS_HEAP_SAMPLER 1
#else
#define SRS_HEAP_SAMPLER 0
#endif
#endif

void srs_heap_scale(uint64_t count, uint64_t bytes, int64_t rate, int64_t *est_count, int64_t *est_bytes)
{
    if (!count || !bytes || rate <= 1) {
        *est_count = (int64_t)count;
        *est_bytes = (int64_t)bytes;
        return;
    }
    double avg = (double)bytes / (double)count;
    double scale = 1.0 / (1.0 - exp(-avg / (double)rate));
    *est_count = (int64_t)((double)count * scale);
    *est_bytes = (int64_t)((double)bytes * scale);
}

#if SRS_HEAP_SAMPLER

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

/* Live sampled blocks: open addressing on the pointer; 0 is a free slot, 1 a removed one. Filled
 * to half at most: 2048 live samples, about 1 GiB of live heap at the 512 KiB sampling rate. */
#define LIVE_SLOTS (1u << 12)
#define LIVE_TOMB ((uintptr_t)1)
typedef struct {
    uintptr_t ptr;
    size_t size;
    uint32_t bucket;
} live_t;

/* Call stacks (the proxy has a few dozen); bucket 0 takes the samples of stacks that no longer fit. */
#define BUCKETS (1u << 10)
typedef struct {
    bool used;
    uint64_t hash;
    srs_heap_bucket_t b;
} bucket_t;

/* The stack walk skips a fixed number of frames: keep the compiler from inlining or splitting them. */
#if defined(__clang__)
#define SRS_FRAME_KEEP __attribute__((noinline))
#else
#define SRS_FRAME_KEEP __attribute__((noinline, noipa))
#endif

static volatile int sampling;
static volatile int locked;
static live_t *live;
static size_t live_used, live_tombs;
static bucket_t *buckets;
static uint64_t dropped, rng;
static uintptr_t main_stack_lo, main_stack_hi;
static __thread int64_t until_sample;
static __thread int in_sampler;

static void lock(void)
{
    while (__atomic_exchange_n(&locked, 1, __ATOMIC_ACQUIRE)) {
    }
}

static void unlock(void)
{
    __atomic_store_n(&locked, 0, __ATOMIC_RELEASE);
}

/* Bytes until the next sample: exponential with mean SRS_HEAP_SAMPLE_RATE. */
static int64_t next_interval(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    double u = (double)(rng >> 11) * (1.0 / 9007199254740992.0); /* [0, 1) */
    return (int64_t)(-log(1.0 - u) * SRS_HEAP_SAMPLE_RATE) + 1;
}

static size_t live_slot(uintptr_t p)
{
    return (size_t)(((uint64_t)(p >> 4) * 0x9E3779B97F4A7C15ULL) >> 48) & (LIVE_SLOTS - 1);
}

static live_t *live_find(uintptr_t p)
{
    size_t i = live_slot(p);
    for (size_t n = 0; n < LIVE_SLOTS; n++, i = (i + 1) & (LIVE_SLOTS - 1)) {
        uintptr_t k = __atomic_load_n(&live[i].ptr, __ATOMIC_RELAXED);
        if (k == p) return &live[i];
        if (k == 0) return NULL;
    }
    return NULL;
}

/* Put the live entries back without tombstones. Under the lock. */
static void live_rebuild(void)
{
    live_t *keep = (live_t *)__libc_malloc((live_used ? live_used : 1) * sizeof(*keep));
    if (!keep) return;
    size_t n = 0;
    for (size_t i = 0; i < LIVE_SLOTS; i++) {
        if (live[i].ptr > LIVE_TOMB) keep[n++] = live[i];
    }
    memset(live, 0, LIVE_SLOTS * sizeof(*live));
    for (size_t k = 0; k < n; k++) {
        size_t i = live_slot(keep[k].ptr);
        while (live[i].ptr) i = (i + 1) & (LIVE_SLOTS - 1);
        live[i] = keep[k];
    }
    live_tombs = 0;
    __libc_free(keep);
}

/* Under the lock. False when the table is full. */
static bool live_insert(uintptr_t p, size_t size, uint32_t bucket)
{
    if (live_used + live_tombs >= LIVE_SLOTS / 4 * 3) {
        if (live_used >= LIVE_SLOTS / 2) return false;
        live_rebuild();
    }
    size_t i = live_slot(p);
    live_t *slot = NULL;
    for (;; i = (i + 1) & (LIVE_SLOTS - 1)) {
        uintptr_t k = live[i].ptr;
        if (k == p) { /* a stale entry (freed behind our back, e.g. inside glibc): reuse it */
            live[i].size = size;
            live[i].bucket = bucket;
            return true;
        }
        if (k == LIVE_TOMB && !slot) slot = &live[i];
        if (k == 0) break;
    }
    if (!slot) slot = &live[i];
    else live_tombs--;
    slot->size = size;
    slot->bucket = bucket;
    __atomic_store_n(&slot->ptr, p, __ATOMIC_RELEASE);
    live_used++;
    return true;
}

static uint32_t bucket_for(const uint64_t *pcs, int depth)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < depth; i++) h = (h ^ pcs[i]) * 1099511628211ULL;
    h ^= (uint64_t)depth;
    size_t i = (size_t)(h % (BUCKETS - 1)) + 1;
    for (size_t n = 0; n < BUCKETS - 1; n++) {
        bucket_t *b = &buckets[i];
        if (!b->used) {
            b->used = true;
            b->hash = h;
            b->b.depth = depth;
            memcpy(b->b.pcs, pcs, (size_t)depth * sizeof(*pcs));
            return (uint32_t)i;
        }
        if (b->hash == h && b->b.depth == depth && !memcmp(b->b.pcs, pcs, (size_t)depth * sizeof(*pcs))) return (uint32_t)i;
        i = i + 1 < BUCKETS ? i + 1 : 1;
    }
    buckets[0].used = true;
    return 0;
}

/* Walk the frame-pointer chain of the running stack, reading only between this frame and the
 * top of the stack it runs on (a coroutine's entry frame, or the main thread's stack end). */
SRS_FRAME_KEEP static int capture_stack(uint64_t *pcs, int max)
{
    uintptr_t lo = (uintptr_t)__builtin_frame_address(0), hi = 0;
    srs_coroutine_t *co = srs_coroutine_self();
    if (co && co->stack_hi) hi = (uintptr_t)co->stack_hi + 2 * sizeof(uintptr_t);
    else if (lo >= main_stack_lo && lo < main_stack_hi) hi = main_stack_hi;
    if (hi <= lo || hi - lo > 64 * 1024 * 1024) return 0;

    int n = 0, skip = 2; /* the frames of sample_slow and of the malloc wrapper */
    uintptr_t fp = lo;
    while (n < max) {
        if (fp < lo || fp > hi - 2 * sizeof(uintptr_t) || (fp & (sizeof(uintptr_t) - 1))) break;
        uintptr_t next = ((const uintptr_t *)fp)[0], ret = ((const uintptr_t *)fp)[1];
        if (!ret) break;
        if (skip) skip--;
        else pcs[n++] = ret;
        if (next <= fp) break;
        fp = next;
    }
    return n;
}

SRS_FRAME_KEEP static void sample_slow(void *p, size_t size)
{
    until_sample = next_interval();
    if (in_sampler) return;
    in_sampler = 1;
    uint64_t pcs[SRS_HEAP_MAX_DEPTH];
    int depth = capture_stack(pcs, SRS_HEAP_MAX_DEPTH);
    lock();
    uint32_t b = bucket_for(pcs, depth);
    if (live_insert((uintptr_t)p, size, b)) {
        buckets[b].b.alloc_count++;
        buckets[b].b.alloc_bytes += size;
    } else {
        dropped++;
    }
    unlock();
    in_sampler = 0;
}

static inline void note_alloc(void *p, size_t size)
{
    if ((until_sample -= (int64_t)size) <= 0) sample_slow(p, size);
}

static void note_free(void *p)
{
    if (!live_find((uintptr_t)p)) return;
    lock();
    live_t *e = live_find((uintptr_t)p);
    if (e) {
        srs_heap_bucket_t *b = &buckets[e->bucket].b;
        b->free_count++;
        b->free_bytes += e->size;
        __atomic_store_n(&e->ptr, LIVE_TOMB, __ATOMIC_RELEASE);
        live_used--;
        live_tombs++;
    }
    unlock();
}

void *malloc(size_t size)
{
    void *p = __libc_malloc(size);
    if (__builtin_expect(sampling, 0) && p) note_alloc(p, size);
    return p;
}

void *calloc(size_t n, size_t size)
{
    void *p = __libc_calloc(n, size);
    if (__builtin_expect(sampling, 0) && p) note_alloc(p, n * size); /* no overflow: it succeeded */
    return p;
}

void *realloc(void *old, size_t size)
{
    if (__builtin_expect(sampling, 0) && old && live_used) note_free(old);
    void *p = __libc_realloc(old, size);
    if (__builtin_expect(sampling, 0) && p && size) note_alloc(p, size);
    return p;
}

void free(void *p)
{
    if (__builtin_expect(sampling, 0) && p && live_used) note_free(p);
    __libc_free(p);
}

bool srs_heap_sampler_available(void)
{
    return true;
}

void srs_heap_sampler_enable(void)
{
    if (sampling) return;
    live = (live_t *)__libc_calloc(LIVE_SLOTS, sizeof(*live));
    buckets = (bucket_t *)__libc_calloc(BUCKETS, sizeof(*buckets));
    if (!live || !buckets) abort();
    /* Write every page now: the tables cost their memory at once, instead of RSS creeping up for
     * hours as samples land on fresh pages, which reads as a leak in a soak test. */
    memset(live, 0, LIVE_SLOTS * sizeof(*live));
    memset(buckets, 0, BUCKETS * sizeof(*buckets));
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &addr, &size);
        pthread_attr_destroy(&attr);
        main_stack_lo = (uintptr_t)addr;
        main_stack_hi = (uintptr_t)addr + size;
    }
    rng = srs_random_u64() | 1;
    until_sample = next_interval();
    __atomic_store_n(&sampling, 1, __ATOMIC_RELEASE);
}

bool srs_heap_sampler_enabled(void)
{
    return sampling != 0;
}

size_t srs_heap_sampler_snapshot(srs_heap_bucket_t **out)
{
    *out = NULL;
    if (!sampling) return 0;
    /* From glibc directly: a sampled copy would show up in the very profile it serves (and
     * sampling takes the lock). free() takes it back like any other block. */
    srs_heap_bucket_t *copy = (srs_heap_bucket_t *)__libc_malloc(BUCKETS * sizeof(*copy));
    if (!copy) abort();
    size_t n = 0;
    lock();
    for (size_t i = 0; i < BUCKETS; i++) {
        if (buckets[i].used && buckets[i].b.alloc_count) copy[n++] = buckets[i].b;
    }
    unlock();
    *out = copy;
    return n;
}

uint64_t srs_heap_sampler_dropped(void)
{
    return dropped;
}

#else /* no sampler in this build */

bool srs_heap_sampler_available(void) { return false; }
void srs_heap_sampler_enable(void) {}
bool srs_heap_sampler_enabled(void) { return false; }
size_t srs_heap_sampler_snapshot(srs_heap_bucket_t **out) { *out = NULL; return 0; }
uint64_t srs_heap_sampler_dropped(void) { return 0; }

#endif

void srs_heap_render_legacy(const srs_heap_bucket_t *buckets_in, size_t n, int64_t rate, const char *maps,
                            srs_strbuf_t *out)
{
    uint64_t in_n = 0, in_b = 0, al_n = 0, al_b = 0;
    for (size_t i = 0; i < n; i++) {
        const srs_heap_bucket_t *b = &buckets_in[i];
        in_n += b->alloc_count - b->free_count;
        in_b += b->alloc_bytes - b->free_bytes;
        al_n += b->alloc_count;
        al_b += b->alloc_bytes;
    }
    srs_strbuf_printf(out, "heap profile: %llu: %llu [%llu: %llu] @ heap_v2/%lld\n", (unsigned long long)in_n,
                      (unsigned long long)in_b, (unsigned long long)al_n, (unsigned long long)al_b, (long long)rate);
    for (size_t i = 0; i < n; i++) {
        const srs_heap_bucket_t *b = &buckets_in[i];
        srs_strbuf_printf(out, "%llu: %llu [%llu: %llu] @", (unsigned long long)(b->alloc_count - b->free_count),
                          (unsigned long long)(b->alloc_bytes - b->free_bytes), (unsigned long long)b->alloc_count,
                          (unsigned long long)b->alloc_bytes);
        for (int k = 0; k < b->depth; k++) srs_strbuf_printf(out, " 0x%llx", (unsigned long long)b->pcs[k]);
        srs_strbuf_putc(out, '\n');
    }
    srs_strbuf_puts(out, "\nMAPPED_LIBRARIES:\n");
    if (maps) srs_strbuf_puts(out, maps);
}
