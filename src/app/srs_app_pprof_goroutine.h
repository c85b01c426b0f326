/* SPDX-License-Identifier: MIT */
/* /debug/pprof/goroutine for State Threads: the coroutine registry rendered as Go renders
 * goroutines. A coroutine's stack cannot be walked while it is switched out, so its "stack" is
 * what identifies it: its cycle function, called from the place that created it.
 *
 *   debug=0  "goroutine profile: total N", then "count @ <cycle> <creator>" per group and the
 *            memory map: Go's legacy format, which `go tool pprof` reads (and symbolizes
 *            through /debug/pprof/symbol when the binary is not at hand).
 *   debug=1  the same groups (by name, cycle and creator) with names and states as # comments.
 *   debug=2  one block per coroutine: name, cid, state and how long in it, age, cycle, creator. */
#ifndef SRS_APP_PPROF_GOROUTINE_H
#define SRS_APP_PPROF_GOROUTINE_H

#include "srs_core.h"
#include "srs_core_context.h"
#include "srs_kernel_strbuf.h"
#include "srs_protocol_coroutine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One coroutine as the dump shows it (a copy: coroutines come and go). */
typedef struct {
    char name[32];
    char cid[SRS_CID_LEN + 1];
    srs_co_state_t state;
    srs_utime_t in_state;   /* how long in that state */
    srs_utime_t age;        /* since it started */
    uint64_t cycle;         /* the address of its cycle function */
    uint64_t created_by;    /* a return address in the function that created it */
} srs_pprof_coroutine_t;

/* A copy of the registry, now (the caller frees *out); returns how many. */
size_t srs_pprof_coroutines_snapshot(srs_pprof_coroutine_t **out);

/* Names an address and the offset into its function (srs_pprof_symbolize has this shape). */
typedef bool (*srs_pprof_goroutine_symbolize_fn)(uint64_t addr, const char **name, uint64_t *offset);

/* Render in the debug level's format; symbolize names addresses for debug 1 and 2 (NULL: bare
 * addresses); maps, the text of /proc/self/maps, ends a debug=0 profile (NULL: none). */
void srs_pprof_goroutine_render(const srs_pprof_coroutine_t *cos, size_t n, int debug,
                                srs_pprof_goroutine_symbolize_fn symbolize, const char *maps, srs_strbuf_t *out);

#ifdef __cplusplus
}
#endif

#endif
