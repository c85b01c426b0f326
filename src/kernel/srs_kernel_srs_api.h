/* SPDX-License-Identifier: MIT */
/* SRS's HTTP API across several origins, the pure part (no I/O, fuzzed): the replies of each
 * origin's /api/v1/streams/, /clients/, /vhosts/ and /summaries merged into one answer in SRS's
 * JSON shape, each entry tagged with the origin it came from; and which origin owns a stream or
 * client id. The replies are untrusted input: a body over max_body, one that is not JSON, not an
 * object with "code":0, or whose list is not an array, counts as an origin that did not answer
 * (named in "unavailable" with the reason); entries that are not objects are skipped; at most
 * max_entries entries are merged over all origins ("truncated":true when more were offered). */
#ifndef SRS_KERNEL_SRS_API_H
#define SRS_KERNEL_SRS_API_H

#include "srs_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SRS_SRS_API_STREAMS = 0, /* "streams": list of streams, "stream" for one */
    SRS_SRS_API_CLIENTS,     /* "clients" / "client" */
    SRS_SRS_API_VHOSTS,      /* "vhosts" / "vhost" */
    SRS_SRS_API_SUMMARIES,   /* "summaries": an object "data" per origin, no list */
    SRS_SRS_API_KINDS
} srs_srs_api_kind_t;

/* "streams", "clients", "vhosts", "summaries". */
const char *srs_srs_api_kind_name(srs_srs_api_kind_t kind);

/* One origin's answer. */
typedef struct {
    const char *origin; /* the origin's id ("<server>-<service>-<pid>"), tagged on every entry */
    const char *body;   /* the reply body; NULL when the origin did not answer (in time) */
    size_t len;
    const char *error;  /* why body is NULL ("timeout", ...); may be NULL */
} srs_srs_api_reply_t;

typedef struct {
    int start;          /* first merged entry to return, >= 0 */
    int count;          /* entries to return; < 0 = all */
    size_t max_entries; /* entries merged over all origins, at most */
    size_t max_body;    /* a reply longer than this is refused */
    /* The proxy's own head fields, as SRS's "server", "service", "pid"; and for summaries its
     * version and the wall clock in ms. NULL → "". */
    const char *server, *service, *pid, *version;
    int64_t now_ms;
} srs_srs_api_merge_opts_t;

/* The merged answer as JSON text (malloc'd, the caller frees); never NULL.
 * Lists: {"code":0,"server","service","pid","total":<merged>,"<kind>":[entries of
 *   [start, start+count) each with "origin":"<id>"],"origins":[{"id","ok","total"|"msg"}],
 *   "unavailable":["<id>",...]} (+ "truncated":true).
 * Summaries: {"code":0,"server","service","pid","data":{"ok","now_ms","self":{"version","pid"},
 *   "origins":<answered>},"origins":[{"id","ok","data"|"msg"}],"unavailable":[...]}. */
char *srs_srs_api_merge(srs_srs_api_kind_t kind, const srs_srs_api_reply_t *replies, int n,
                        const srs_srs_api_merge_opts_t *opts);

/* The index of the reply whose list (streams or clients) has an entry with "id" == id; -1 when
 * none does (or id is empty). The first origin wins when two name the same id. */
int srs_srs_api_find_owner(srs_srs_api_kind_t kind, const srs_srs_api_reply_t *replies, int n, const char *id,
                           size_t max_body);

#ifdef __cplusplus
}
#endif

#endif
