/* SPDX-License-Identifier: MIT */
#include "srs_protocol_coroutine.h"
#include "srs_core_log.h"
#include "srs_protocol_sched_trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SRS_SANITIZER
#define SRS_CO_DEFAULT_STACK (512 * 1024)
#else
/* mmap'ed by ST: untouched pages cost no memory. */
#define SRS_CO_DEFAULT_STACK (128 * 1024)
#endif

static int co_key = -1;
static srs_coroutine_t *registry_head;
static int registry_count;

const char *srs_co_state_name(srs_co_state_t state)
{
    switch (state) {
    case SRS_CO_CREATED: return "created";
    case SRS_CO_RUNNABLE: return "running";
    case SRS_CO_WAIT_READ: return "waiting on fd for read";
    case SRS_CO_WAIT_WRITE: return "waiting on fd for write";
    case SRS_CO_SLEEPING: return "sleeping";
    case SRS_CO_WAIT_COND: return "waiting on condition";
    case SRS_CO_JOINING: return "joining";
    case SRS_CO_DONE: return "done";
    }
    return "unknown";
}

static const char *current_cid(void)
{
    srs_coroutine_t *co = srs_coroutine_self();
    return co ? co->cid.id : NULL;
}

srs_error_t srs_coroutine_global_init(void)
{
    if (co_key >= 0) return srs_success;
    if (st_key_create(&co_key, NULL) != 0) {
        return srs_error_new(ERROR_SYSTEM_ST, "st_key_create");
    }
    srs_context_set_provider(current_cid);
    return srs_success;
}

srs_coroutine_t *srs_coroutine_self(void)
{
    if (co_key < 0 || !st_thread_self()) return NULL;
    return (srs_coroutine_t *)st_thread_getspecific(co_key);
}

static void registry_add(srs_coroutine_t *co)
{
    co->prev = NULL;
    co->next = registry_head;
    if (registry_head) registry_head->prev = co;
    registry_head = co;
    registry_count++;
}

static void registry_remove(srs_coroutine_t *co)
{
    if (co->prev) co->prev->next = co->next;
    else if (registry_head == co) registry_head = co->next;
    else return; /* not in the registry */
    if (co->next) co->next->prev = co->prev;
    co->prev = co->next = NULL;
    registry_count--;
}

srs_coroutine_t *srs_coroutine_registry_first(void) { return registry_head; }
int srs_coroutine_registry_count(void) { return registry_count; }

srs_coroutine_t *srs_coroutine_new(const char *name, srs_coroutine_cycle_fn cycle, void *arg)
{
    srs_coroutine_t *co = (srs_coroutine_t *)calloc(1, sizeof(*co));
    if (!co) abort();
    snprintf(co->name, sizeof(co->name), "%s", name);
    co->cid = srs_cid_generate();
    co->cycle = cycle;
    co->arg = arg;
    co->stack_size = SRS_CO_DEFAULT_STACK;
    co->created_by = __builtin_return_address(0);
    co->state = SRS_CO_CREATED;
    return co;
}

void srs_coroutine_set_cid(srs_coroutine_t *co, const char *cid)
{
    snprintf(co->cid.id, sizeof(co->cid.id), "%s", cid);
}

void srs_coroutine_set_stack_size(srs_coroutine_t *co, int bytes)
{
    if (bytes > 0) co->stack_size = bytes;
}

void srs_coroutine_set_state(srs_co_state_t state)
{
    srs_coroutine_t *co = srs_coroutine_self();
    if (co && co->state != state) {
        co->state = state;
        co->state_since = srs_time_now();
    }
}

static void *coroutine_main(void *arg)
{
    srs_coroutine_t *co = (srs_coroutine_t *)arg;
    st_thread_setspecific(co_key, co);
    co->stack_hi = __builtin_frame_address(0);
    srs_sched_trace_on_coroutine_start(); /* a first run passes no switch-in callback */
    srs_coroutine_set_state(SRS_CO_RUNNABLE);

    co->cycle_err = co->cycle(co->arg);

    co->done = true;
    srs_coroutine_set_state(SRS_CO_DONE);
    srs_sched_trace_on_coroutine_exit(); /* ST skips the switch-out callback of an ending thread */
    if (!co->joinable) {
        if (co->cycle_err) {
            srs_log_debug("coroutine %s done: %s", co->name, srs_error_summary(co->cycle_err));
            srs_error_free(co->cycle_err);
        }
        registry_remove(co);
        st_thread_setspecific(co_key, NULL);
        free(co);
    }
    /* The joiner frees the record while ST still runs this thread's exit: nothing may find it
     * through the thread any more (the switch callbacks of a trace look it up). */
    st_thread_setspecific(co_key, NULL);
    return NULL;
}

static srs_error_t coroutine_start(srs_coroutine_t *co, bool joinable)
{
    if (co->started) return srs_error_new(ERROR_SYSTEM_COROUTINE, "%s started twice", co->name);
    co->joinable = joinable;
    co->started = true;
    co->started_at = co->state_since = srs_time_now();
    co->state = SRS_CO_RUNNABLE;
    registry_add(co);
    co->trd = st_thread_create(coroutine_main, co, joinable ? 1 : 0, co->stack_size);
    if (!co->trd) {
        registry_remove(co);
        co->done = true;
        return srs_error_new(ERROR_SYSTEM_COROUTINE, "create coroutine %s", co->name);
    }
    return srs_success;
}

srs_error_t srs_coroutine_start(srs_coroutine_t *co) { return coroutine_start(co, true); }
srs_error_t srs_coroutine_start_detached(srs_coroutine_t *co) { return coroutine_start(co, false); }

void srs_coroutine_interrupt(srs_coroutine_t *co)
{
    if (!co || co->interrupted || co->done) {
        if (co) co->interrupted = true;
        return;
    }
    co->interrupted = true;
    if (co->trd) st_thread_interrupt(co->trd);
}

srs_error_t srs_coroutine_pull(srs_coroutine_t *co)
{
    if (co && co->interrupted) {
        return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "coroutine %s interrupted", co->name);
    }
    return srs_success;
}

srs_error_t srs_coroutine_pull_self(void)
{
    return srs_coroutine_pull(srs_coroutine_self());
}

srs_error_t srs_coroutine_stop(srs_coroutine_t *co)
{
    if (!co || !co->started || !co->joinable) return srs_success;
    srs_coroutine_interrupt(co);
    if (co->trd) {
        srs_coroutine_set_state(SRS_CO_JOINING);
        /* A caller that is itself interrupted gets EINTR once (ST clears the flag): join again,
         * or the record would be freed under a live thread. */
        while (st_thread_join(co->trd, NULL) != 0 && errno == EINTR) {
        }
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        co->trd = NULL;
        registry_remove(co);
    }
    srs_error_t err = co->cycle_err;
    co->cycle_err = NULL;
    return err;
}

void srs_coroutine_free(srs_coroutine_t *co)
{
    if (!co) return;
    srs_error_t err = srs_coroutine_stop(co);
    srs_error_free(err);
    free(co);
}
