/* SPDX-License-Identifier: MIT */
/* Coroutines after SRS's SrsFastCoroutine, in C: each has a name and a context id, starts a
 * cycle function, and is stopped by interrupt + join. Every live coroutine sits in one registry
 * (name, cid, state, start time) that the debug endpoints print.
 *
 * A joinable coroutine is stopped and freed by its owner (srs_coroutine_free). A detached one
 * (srs_coroutine_start_detached) frees itself when its cycle returns: the pattern for one
 * coroutine per connection. */
#ifndef SRS_PROTOCOL_COROUTINE_H
#define SRS_PROTOCOL_COROUTINE_H

#include "srs_core.h"
#include "srs_core_context.h"
#include "srs_core_error.h"

#include <st.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SRS_CO_CREATED = 0,
    SRS_CO_RUNNABLE,   /* running, or ready to run */
    SRS_CO_WAIT_READ,  /* blocked reading an fd (or accepting) */
    SRS_CO_WAIT_WRITE, /* blocked writing an fd (or connecting) */
    SRS_CO_SLEEPING,
    SRS_CO_WAIT_COND,
    SRS_CO_JOINING,
    SRS_CO_DONE,
} srs_co_state_t;

const char *srs_co_state_name(srs_co_state_t state);

typedef srs_error_t (*srs_coroutine_cycle_fn)(void *arg);

typedef struct srs_coroutine_s srs_coroutine_t;
struct srs_coroutine_s {
    char name[32];
    srs_cid_t cid;
    st_thread_t trd;
    srs_coroutine_cycle_fn cycle;
    void *arg;
    int stack_size;
    bool joinable;
    bool started;
    bool interrupted;
    bool done;
    srs_error_t cycle_err;    /* What the cycle returned; the owner takes it at stop. */
    srs_co_state_t state;
    srs_utime_t state_since;  /* monotonic, when the state was entered */
    srs_utime_t started_at;   /* monotonic */
    const void *created_by;   /* return address of the creator, to group like Go's dump */
    void *stack_hi;           /* the frame of the coroutine's entry: stack walks stop there */
    uint32_t trace_gen, trace_tid; /* its track in the scheduler trace being taken, if any */
    srs_coroutine_t *prev, *next; /* registry */
};

/* After st_init: creates the thread-local key and installs the context-id provider. */
srs_error_t srs_coroutine_global_init(void);

/* A new coroutine with a fresh context id; not started. name is copied. */
srs_coroutine_t *srs_coroutine_new(const char *name, srs_coroutine_cycle_fn cycle, void *arg);
/* Keep another context id (e.g. both relay directions of one connection share the cid). */
void srs_coroutine_set_cid(srs_coroutine_t *co, const char *cid);
/* Stack size in bytes; 0 keeps the default. */
void srs_coroutine_set_stack_size(srs_coroutine_t *co, int bytes);

srs_error_t srs_coroutine_start(srs_coroutine_t *co);
/* The coroutine frees itself when the cycle returns; an error the cycle returns is logged at
 * debug level and freed. The caller must not touch co after the cycle may have ended. */
srs_error_t srs_coroutine_start_detached(srs_coroutine_t *co);

/* Wakes a blocked coroutine; its next pull returns an error. */
void srs_coroutine_interrupt(srs_coroutine_t *co);
/* Non-NULL (an error to return) once the coroutine was interrupted. */
srs_error_t srs_coroutine_pull(srs_coroutine_t *co);
/* Interrupt + join; returns what the cycle returned (the caller owns it). Joinable only. */
srs_error_t srs_coroutine_stop(srs_coroutine_t *co);
/* Stop, discard the cycle's error, free. NULL is fine. */
void srs_coroutine_free(srs_coroutine_t *co);

/* The running coroutine's record, NULL for the primordial thread. */
srs_coroutine_t *srs_coroutine_self(void);
/* Pull for the running coroutine (success on the primordial thread). */
srs_error_t srs_coroutine_pull_self(void);
/* Mark what the running coroutine is about to block on (used by the I/O wrappers). */
void srs_coroutine_set_state(srs_co_state_t state);

/* The registry: first record and count; iterate with ->next. */
srs_coroutine_t *srs_coroutine_registry_first(void);
int srs_coroutine_registry_count(void);

#ifdef __cplusplus
}
#endif

#endif
