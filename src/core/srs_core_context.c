/* SPDX-License-Identifier: MIT */
#include "srs_core_context.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const char *(*context_provider)(void);
static srs_cid_t process_cid;

void srs_random_bytes(void *buf, size_t len)
{
    uint8_t *p = (uint8_t *)buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n <= 0) {
            /* getrandom cannot fail for small requests after boot; fall back to the PRNG. */
            for (; len > 0; len--) *p++ = (uint8_t)srs_random_u64();
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

void srs_random_token(char out[SRS_TOKEN_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t raw[SRS_TOKEN_LEN / 2];
    srs_random_bytes(raw, sizeof(raw));
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 0xf];
    }
    out[SRS_TOKEN_LEN] = 0;
}

/* Per process: a forked worker reseeds (srs_random_after_fork). */
static uint64_t state;

void srs_random_after_fork(void)
{
    state = 0;
    memset(&process_cid, 0, sizeof(process_cid));
}

uint64_t srs_random_u64(void)
{
    if (state == 0) {
        if (getrandom(&state, sizeof(state), 0) != sizeof(state) || state == 0) {
            state = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ULL;
        }
    }
    /* xorshift64* */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}

srs_cid_t srs_cid_generate(void)
{
    static const char hex[] = "0123456789abcdef";
    srs_cid_t cid;
    uint64_t r = srs_random_u64();
    for (int i = 0; i < SRS_CID_LEN; i++) {
        cid.id[i] = hex[r & 0xf];
        r >>= 4;
    }
    cid.id[SRS_CID_LEN] = 0;
    return cid;
}

const char *srs_context_process_id(void)
{
    if (!process_cid.id[0]) process_cid = srs_cid_generate();
    return process_cid.id;
}

const char *srs_context_id(void)
{
    const char *id = context_provider ? context_provider() : NULL;
    return id ? id : srs_context_process_id();
}

void srs_context_set_provider(const char *(*provider)(void))
{
    context_provider = provider;
}
