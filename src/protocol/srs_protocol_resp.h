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

/* Limits on what a server may send: an array larger than this, or a reply that needs more than
 * SRS_RESP_MAX_PENDING buffered bytes, is a protocol error (no unbounded allocation). */
#define SRS_RESP_MAX_ELEMENTS (1024 * 1024)
#define SRS_RESP_MAX_PENDING (64 * 1024 * 1024)

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

/* A client: one connection, shared by coroutines one pipeline at a time. */
typedef struct {
    const char *host;
    int port;
    const char *password;            /* "" or NULL: no AUTH */
    int db;                          /* SELECT when not 0 */
    srs_utime_t connect_timeout;
    srs_utime_t io_timeout;          /* for each write and each read */
    srs_utime_t backoff_min, backoff_max; /* wait between failed connects, doubling */
} srs_resp_client_config_t;

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
 * which the caller frees. Connects first when needed; while a failed connect's backoff runs,
 * fails at once with ERROR_REDIS. A reply of type SRS_RESP_ERROR is a reply, not a failure.
 * Any I/O or protocol failure closes the connection; a connection that had worked before is
 * retried once on a new one (Redis restarted, idle timeout), since every command we send is
 * idempotent. On failure every replies[i] is NULL. */
srs_error_t srs_resp_client_pipeline(srs_resp_client_t *c, const srs_resp_cmds_t *cmds, srs_resp_reply_t **replies);
/* One command, NULL-terminated C strings. */
srs_error_t srs_resp_client_command(srs_resp_client_t *c, srs_resp_reply_t **reply, const char *arg0, ...)
    __attribute__((sentinel));

/* True while connected and the last exchange worked. */
bool srs_resp_client_is_up(const srs_resp_client_t *c);
/* How many connections were established so far: a change means Redis may have restarted. */
uint64_t srs_resp_client_generation(const srs_resp_client_t *c);

#ifdef __cplusplus
}
#endif

#endif
