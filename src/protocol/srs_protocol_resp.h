/* SPDX-License-Identifier: MIT */
/* A Redis client over ST sockets: commands encoded as RESP arrays of bulk strings, replies parsed
 * by hiredis's redisReader (only its parser: hiredis's own connect/read would block every
 * coroutine), one connection with AUTH and SELECT on connect, pipelining, connect and I/O
 * timeouts, and reconnection with backoff. Errors name host:port; the password never appears in
 * a log line or an error. */
#ifndef SRS_PROTOCOL_RESP_H
#define SRS_PROTOCOL_RESP_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reply types; the values are hiredis's REDIS_REPLY_*. */
typedef enum {
    SRS_RESP_STRING = 1,
    SRS_RESP_ARRAY = 2,
    SRS_RESP_INTEGER = 3,
    SRS_RESP_NIL = 4,
    SRS_RESP_STATUS = 5,
    SRS_RESP_ERROR = 6,
} srs_resp_type_t;

typedef struct srs_resp_reply_s srs_resp_reply_t;
struct srs_resp_reply_s {
    srs_resp_type_t type;
    long long integer;              /* INTEGER */
    char *str; size_t len;          /* STRING, STATUS, ERROR; NUL-terminated (a STRING may hold NULs) */
    srs_resp_reply_t **element;     /* ARRAY: `elements` replies */
    size_t elements;
};
/* Frees a reply and its elements; NULL is harmless. */
void srs_resp_reply_free(srs_resp_reply_t *r);

/* Limits on what a server may send (a server is input too: issue 21): an array larger than
 * SRS_RESP_MAX_ELEMENTS, more than SRS_RESP_MAX_PENDING bytes buffered and not yet parsed (a bulk
 * string's body waits there whole), or one reply that would take more than
 * SRS_RESP_MAX_REPLY_BYTES of memory (every node counted: its struct, its string, its element
 * array) or more than SRS_RESP_MAX_REPLY_NODES nodes is a protocol error: the reader fails, no
 * unbounded allocation (e.g. `*1048576` arrays of `*1048576` arrays of `:1` stop at 16 MiB). */
#define SRS_RESP_MAX_ELEMENTS (1024 * 1024)
#define SRS_RESP_MAX_PENDING (16 * 1024 * 1024)
#define SRS_RESP_MAX_REPLY_BYTES (16 * 1024 * 1024)
#define SRS_RESP_MAX_REPLY_NODES (1024 * 1024)

/* Commands to send: each appended as a RESP array of bulk strings (binary-safe). */
typedef struct {
    char *data;
    size_t len, cap;
    int count;         /* commands appended, i.e. replies to expect */
} srs_resp_cmds_t;

void srs_resp_cmds_init(srs_resp_cmds_t *c);
void srs_resp_cmds_free(srs_resp_cmds_t *c);
/* Empty it for reuse, keeping the memory. */
void srs_resp_cmds_reset(srs_resp_cmds_t *c);
/* One command of argc arguments; lens may be NULL when every argument is a C string. */
void srs_resp_cmds_append(srs_resp_cmds_t *c, int argc, const char *const *argv, const size_t *lens);
/* One command from C strings, NULL-terminated: srs_resp_cmds_add(c, "GET", key, NULL). */
void srs_resp_cmds_add(srs_resp_cmds_t *c, const char *arg0, ...) __attribute__((sentinel));

/* The reply parser: feed bytes as they arrive, take whole replies out. */
typedef struct srs_resp_reader_s srs_resp_reader_t;
srs_resp_reader_t *srs_resp_reader_new(void);
void srs_resp_reader_free(srs_resp_reader_t *r);
/* ERROR_REDIS when the bytes waiting for a whole reply would exceed SRS_RESP_MAX_PENDING. */
srs_error_t srs_resp_reader_feed(srs_resp_reader_t *r, const void *data, size_t len);
/* The next whole reply (the caller frees it), or *out = NULL when more bytes are needed.
 * Malformed input is ERROR_REDIS, and the reader stays failed. */
srs_error_t srs_resp_reader_next(srs_resp_reader_t *r, srs_resp_reply_t **out);
/* A smaller per-reply budget than the defaults (tests, fuzzing); 0 keeps a default. */
void srs_resp_reader_set_budget(srs_resp_reader_t *r, size_t max_bytes, size_t max_nodes);
/* True once the reader failed because a reply went over its budget or SRS_RESP_MAX_PENDING
 * (not a syntax error). */
bool srs_resp_reader_over_budget(const srs_resp_reader_t *r);
/* Nodes and bytes of the reply being parsed now (0 between replies), for tests. */
void srs_resp_reader_usage(const srs_resp_reader_t *r, size_t *bytes, size_t *nodes);

/* Failed exchanges of every client, by reason, for /metrics (srs_proxy_redis_errors_total). */
typedef struct {
    uint64_t reply_too_large; /* a reply over its budget: the connection closed */
    uint64_t deadline;        /* the whole exchange (write, every read) took over io_timeout */
    uint64_t protocol;        /* malformed RESP */
    uint64_t io;              /* connect failures, resets, EOF */
    uint64_t fail_fast;       /* refused at once: down, or the connection stuck in an exchange */
} srs_resp_stats_t;
srs_resp_stats_t *srs_resp_stats(void);

/* A client: one connection, shared by coroutines one pipeline at a time. */
typedef struct {
    const char *host;
    int port;
    const char *password;            /* "" or NULL: no AUTH */
    int db;                          /* SELECT when not 0 */
    srs_utime_t connect_timeout;
    srs_utime_t io_timeout;          /* a deadline for one whole exchange: the write and every read */
    srs_utime_t backoff_min, backoff_max; /* wait between failed connects, doubling */
    /* For callers that have a fall-back (the Redis balancer's local cache): while the client is
     * down, or another coroutine's exchange has been waiting for more than SRS_RESP_STUCK,
     * srs_resp_client_pipeline fails at once (ERROR_REDIS) instead of queueing behind it, and only
     * srs_resp_client_reconnect connects again. */
    bool fail_fast;
} srs_resp_client_config_t;

/* How long an exchange may hold the connection before fail-fast callers stop waiting for it. */
#define SRS_RESP_STUCK (500 * SRS_UTIME_MILLISECONDS)

typedef struct srs_resp_client_s srs_resp_client_t;

/* Copies the config; does not connect. */
srs_resp_client_t *srs_resp_client_new(const srs_resp_client_config_t *cfg);
void srs_resp_client_free(srs_resp_client_t *c);
/* "host:port", for messages. */
const char *srs_resp_client_addr(const srs_resp_client_t *c);

/* Connect now, ignoring the backoff: TCP connect, AUTH, SELECT, PING. For startup, where a
 * failure is fatal. */
srs_error_t srs_resp_client_connect(srs_resp_client_t *c);

/* Send every command in cmds at once and read one reply per command into replies[0..count),
 * which the caller frees. The reader yields to other coroutines after every read, so a server
 * that never stops sending cannot starve them. Connects first when needed; while a failed connect's backoff runs,
 * fails at once with ERROR_REDIS. A reply of type SRS_RESP_ERROR is a reply, not a failure.
 * Any I/O or protocol failure closes the connection; a connection that had worked before is
 * retried once on a new one (Redis restarted, idle timeout), since every command we send is
 * idempotent. On failure every replies[i] is NULL. */
srs_error_t srs_resp_client_pipeline(srs_resp_client_t *c, const srs_resp_cmds_t *cmds, srs_resp_reply_t **replies);
/* One command, NULL-terminated C strings. */
srs_error_t srs_resp_client_command(srs_resp_client_t *c, srs_resp_reply_t **reply, const char *arg0, ...)
    __attribute__((sentinel));

/* When down: connect again once the backoff allows (the background coroutine of a fail-fast
 * client calls this). Does nothing while up or while another coroutine holds the connection. */
srs_error_t srs_resp_client_reconnect(srs_resp_client_t *c);

/* True while connected and the last exchange worked. */
bool srs_resp_client_is_up(const srs_resp_client_t *c);
/* How many connections were established so far: a change means Redis may have restarted. */
uint64_t srs_resp_client_generation(const srs_resp_client_t *c);

#ifdef __cplusplus
}
#endif

#endif
