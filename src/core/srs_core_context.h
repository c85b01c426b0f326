/* SPDX-License-Identifier: MIT */
/* Context ids: a short random id per coroutine (connection, session), printed in every log line
 * and error, so one grep follows one connection. Core knows nothing of coroutines: the coroutine
 * layer installs a provider that returns the running coroutine's id. */
#ifndef SRS_CORE_CONTEXT_H
#define SRS_CORE_CONTEXT_H

#include "srs_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 7 lower-case hex characters, as the Go proxy. */
#define SRS_CID_LEN 7
typedef struct { char id[SRS_CID_LEN + 1]; } srs_cid_t;

/* A new random id. */
srs_cid_t srs_cid_generate(void);
/* The id of the running coroutine, or of the process before coroutines start. */
const char *srs_context_id(void);
/* The process id, made once at startup (or on first use). */
const char *srs_context_process_id(void);
/* Installed by the coroutine layer; NULL restores the process id. */
void srs_context_set_provider(const char *(*provider)(void));

/* A fast non-cryptographic random generator (xorshift), seeded from the kernel. */
uint64_t srs_random_u64(void);
/* In a child after fork: a fresh seed and process id, so workers do not repeat each other. */
void srs_random_after_fork(void);
/* Fill a buffer from the kernel's random source (for keys, tokens, ICE credentials). */
void srs_random_bytes(void *buf, size_t len);
/* An unguessable token for what grants access (session ids, Location tokens): 16 bytes from
 * getrandom as 32 lower-case hex characters + NUL. */
#define SRS_TOKEN_LEN 32
void srs_random_token(char out[SRS_TOKEN_LEN + 1]);

#ifdef __cplusplus
}
#endif

#endif
