/* SPDX-License-Identifier: MIT */
#include "srs_protocol_resp.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"

#include <hiredis/read.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Replies: hiredis builds them through these functions, so they are our type from the start.
 * A NULL return tells hiredis "out of memory", which fails the reader: that is also how a
 * reply over our limits, or an element hiredis would put outside its array, is refused. */

void srs_resp_reply_free(srs_resp_reply_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->elements; i++) srs_resp_reply_free(r->element[i]);
    free(r->element);
    free(r->str);
    free(r);
}

struct srs_resp_reader_s {
    redisReader *reader;
    bool failed;
    bool over_budget;
    size_t max_bytes, max_nodes;
    size_t bytes, nodes;       /* of the reply being parsed */
};

/* The reader whose srs_resp_reader_next runs now: hiredis calls the create functions only from
 * there, and one thread runs every coroutine. */
static srs_resp_reader_t *reader_current;

/* Charge one node of `bytes` to the reply being parsed; false when over its budget. */
static bool reply_charge(size_t bytes)
{
    srs_resp_reader_t *r = reader_current;
    if (!r) return true;
    r->nodes++;
    r->bytes += bytes;
    if (r->nodes > r->max_nodes || r->bytes > r->max_bytes) {
        r->over_budget = true;
        return false;
    }
    return true;
}

/* Put a new reply into its parent array, checking the slot hiredis chose really exists. */
static void *reply_attach(const redisReadTask *task, srs_resp_reply_t *r)
{
    if (!task->parent) return r;
    srs_resp_reply_t *parent = (srs_resp_reply_t *)task->parent->obj;
    if (!parent || parent->type != SRS_RESP_ARRAY || task->idx < 0 || (size_t)task->idx >= parent->elements ||
        parent->element[task->idx]) {
        srs_resp_reply_free(r);
        return NULL;
    }
    parent->element[task->idx] = r;
    return r;
}

static srs_resp_reply_t *reply_new(srs_resp_type_t type)
{
    srs_resp_reply_t *r = (srs_resp_reply_t *)calloc(1, sizeof(*r));
    if (r) r->type = type;
    return r;
}

static void *reply_create_string(const redisReadTask *task, char *str, size_t len)
{
    if (task->type != SRS_RESP_STRING && task->type != SRS_RESP_STATUS && task->type != SRS_RESP_ERROR) return NULL;
    if (!reply_charge(sizeof(srs_resp_reply_t) + len + 1)) return NULL;
    srs_resp_reply_t *r = reply_new((srs_resp_type_t)task->type);
    if (!r || !(r->str = (char *)malloc(len + 1))) {
        free(r);
        return NULL;
    }
    memcpy(r->str, str, len);
    r->str[len] = '\0';
    r->len = len;
    return reply_attach(task, r);
}

static void *reply_create_array(const redisReadTask *task, int elements)
{
    if (elements < 0 || elements > SRS_RESP_MAX_ELEMENTS) return NULL;
    /* Charged before the element array is allocated: a huge array over budget costs nothing. */
    if (!reply_charge(sizeof(srs_resp_reply_t) + (size_t)elements * sizeof(srs_resp_reply_t *))) return NULL;
    srs_resp_reply_t *r = reply_new(SRS_RESP_ARRAY);
    if (!r || !(r->element = (srs_resp_reply_t **)calloc(elements ? (size_t)elements : 1, sizeof(*r->element)))) {
        free(r);
        return NULL;
    }
    r->elements = (size_t)elements;
    return reply_attach(task, r);
}

static void *reply_create_integer(const redisReadTask *task, long long value)
{
    if (!reply_charge(sizeof(srs_resp_reply_t))) return NULL;
    srs_resp_reply_t *r = reply_new(SRS_RESP_INTEGER);
    if (!r) return NULL;
    r->integer = value;
    return reply_attach(task, r);
}

static void *reply_create_nil(const redisReadTask *task)
{
    if (!reply_charge(sizeof(srs_resp_reply_t))) return NULL;
    srs_resp_reply_t *r = reply_new(SRS_RESP_NIL);
    if (!r) return NULL;
    return reply_attach(task, r);
}

static void reply_free_object(void *obj)
{
    srs_resp_reply_free((srs_resp_reply_t *)obj);
}

static redisReplyObjectFunctions reply_functions = {
    reply_create_string, reply_create_array, reply_create_integer, reply_create_nil, reply_free_object,
};

srs_resp_reader_t *srs_resp_reader_new(void)
{
    srs_resp_reader_t *r = (srs_resp_reader_t *)calloc(1, sizeof(*r));
    if (!r || !(r->reader = redisReaderCreateWithFunctions(&reply_functions))) abort();
    r->max_bytes = SRS_RESP_MAX_REPLY_BYTES;
    r->max_nodes = SRS_RESP_MAX_REPLY_NODES;
    return r;
}

void srs_resp_reader_set_budget(srs_resp_reader_t *r, size_t max_bytes, size_t max_nodes)
{
    r->max_bytes = max_bytes ? max_bytes : SRS_RESP_MAX_REPLY_BYTES;
    r->max_nodes = max_nodes ? max_nodes : SRS_RESP_MAX_REPLY_NODES;
}

bool srs_resp_reader_over_budget(const srs_resp_reader_t *r)
{
    return r->over_budget;
}

void srs_resp_reader_usage(const srs_resp_reader_t *r, size_t *bytes, size_t *nodes)
{
    *bytes = r->bytes;
    *nodes = r->nodes;
}

static srs_resp_stats_t resp_stats;

srs_resp_stats_t *srs_resp_stats(void)
{
    return &resp_stats;
}

void srs_resp_reader_free(srs_resp_reader_t *r)
{
    if (!r) return;
    redisReaderFree(r->reader);
    free(r);
}

srs_error_t srs_resp_reader_feed(srs_resp_reader_t *r, const void *data, size_t len)
{
    if (r->failed) return srs_error_new(ERROR_REDIS, "RESP reader failed before");
    size_t pending = r->reader->len - r->reader->pos;
    if (len > SRS_RESP_MAX_PENDING || pending > SRS_RESP_MAX_PENDING - len) {
        r->failed = true;
        r->over_budget = true;
        return srs_error_new(ERROR_REDIS, "RESP reply larger than %d bytes", SRS_RESP_MAX_PENDING);
    }
    if (redisReaderFeed(r->reader, (const char *)data, len) != REDIS_OK) {
        r->failed = true;
        return srs_error_new(ERROR_REDIS, "RESP reader: %s", r->reader->errstr);
    }
    return srs_success;
}

srs_error_t srs_resp_reader_next(srs_resp_reader_t *r, srs_resp_reply_t **out)
{
    *out = NULL;
    if (r->failed) return srs_error_new(ERROR_REDIS, "RESP reader failed before");
    void *reply = NULL;
    reader_current = r;
    int ret = redisReaderGetReply(r->reader, &reply);
    reader_current = NULL;
    if (ret != REDIS_OK) {
        r->failed = true;
        if (r->over_budget) {
            return srs_error_new(ERROR_REDIS, "RESP reply over its budget of %zu bytes and %zu nodes", r->max_bytes, r->max_nodes);
        }
        /* Our create functions refuse what is over the limits; hiredis calls that OOM. */
        bool limit = r->reader->err == REDIS_ERR_OOM;
        return srs_error_new(ERROR_REDIS, "RESP protocol error: %s", limit ? "reply invalid or over the limits" : r->reader->errstr);
    }
    /* A whole reply leaves: the next one starts with a full budget. */
    if (reply) r->bytes = r->nodes = 0;
    *out = (srs_resp_reply_t *)reply;
    return srs_success;
}

/* ------------------------------------------------------------------------------------------ */
/* Commands */

void srs_resp_cmds_init(srs_resp_cmds_t *c)
{
    memset(c, 0, sizeof(*c));
}

void srs_resp_cmds_free(srs_resp_cmds_t *c)
{
    /* A command may carry the password (AUTH): do not leave it in freed memory. */
    if (c->data) memset(c->data, 0, c->cap);
    free(c->data);
    memset(c, 0, sizeof(*c));
}

void srs_resp_cmds_reset(srs_resp_cmds_t *c)
{
    c->len = 0;
    c->count = 0;
}

static void cmds_reserve(srs_resp_cmds_t *c, size_t more)
{
    if (c->cap - c->len >= more) return;
    size_t cap = c->cap ? c->cap : 256;
    while (cap - c->len < more) cap *= 2;
    char *data = (char *)malloc(cap);
    if (!data) abort();
    if (c->len) memcpy(data, c->data, c->len);
    if (c->data) memset(c->data, 0, c->cap);
    free(c->data);
    c->data = data;
    c->cap = cap;
}

static void cmds_header(srs_resp_cmds_t *c, char kind, size_t n)
{
    char head[32];
    int len = snprintf(head, sizeof(head), "%c%zu\r\n", kind, n);
    cmds_reserve(c, (size_t)len);
    memcpy(c->data + c->len, head, (size_t)len);
    c->len += (size_t)len;
}

void srs_resp_cmds_append(srs_resp_cmds_t *c, int argc, const char *const *argv, const size_t *lens)
{
    cmds_header(c, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) {
        size_t len = lens ? lens[i] : strlen(argv[i]);
        cmds_header(c, '$', len);
        cmds_reserve(c, len + 2);
        if (len) memcpy(c->data + c->len, argv[i], len);
        memcpy(c->data + c->len + len, "\r\n", 2);
        c->len += len + 2;
    }
    c->count++;
}

#define SRS_RESP_MAX_ARGS 32

static int collect_args(const char *arg0, va_list ap, const char **argv)
{
    int argc = 0;
    for (const char *a = arg0; a; a = va_arg(ap, const char *)) {
        if (argc == SRS_RESP_MAX_ARGS) abort(); /* a programming error, not input */
        argv[argc++] = a;
    }
    return argc;
}

void srs_resp_cmds_add(srs_resp_cmds_t *c, const char *arg0, ...)
{
    const char *argv[SRS_RESP_MAX_ARGS];
    va_list ap;
    va_start(ap, arg0);
    int argc = collect_args(arg0, ap, argv);
    va_end(ap);
    srs_resp_cmds_append(c, argc, argv, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* The client */

#define SRS_RESP_READ_BUFFER (16 * 1024)

struct srs_resp_client_s {
    char host[256];
    int port;
    char password[256];
    int db;
    srs_utime_t connect_timeout, io_timeout, backoff_min, backoff_max;
    bool fail_fast;
    char addr[300];

    /* The connection, its parser and buffer: used by one pipeline at a time (lock). */
    st_mutex_t lock;
    st_netfd_t fd;
    srs_resp_reader_t *reader;
    char buf[SRS_RESP_READ_BUFFER];

    bool up;
    srs_utime_t down_since;      /* monotonic; 0 while not down */
    srs_utime_t backoff;         /* the current wait between connects; 0 after a success */
    srs_utime_t next_attempt;    /* monotonic; no connect before this */
    uint64_t generation;
    srs_utime_t busy_since;      /* monotonic; when the current holder took the lock, 0 when free */
    bool over_budget;            /* the last failed exchange ended on a reply over its budget */
};

srs_resp_client_t *srs_resp_client_new(const srs_resp_client_config_t *cfg)
{
    srs_resp_client_t *c = (srs_resp_client_t *)calloc(1, sizeof(*c));
    if (!c || !(c->lock = st_mutex_new())) abort();
    snprintf(c->host, sizeof(c->host), "%s", cfg->host ? cfg->host : "127.0.0.1");
    c->port = cfg->port;
    snprintf(c->password, sizeof(c->password), "%s", cfg->password ? cfg->password : "");
    c->db = cfg->db;
    c->connect_timeout = cfg->connect_timeout > 0 ? cfg->connect_timeout : 3 * SRS_UTIME_SECONDS;
    c->io_timeout = cfg->io_timeout > 0 ? cfg->io_timeout : 3 * SRS_UTIME_SECONDS;
    c->backoff_min = cfg->backoff_min > 0 ? cfg->backoff_min : 100 * SRS_UTIME_MILLISECONDS;
    c->backoff_max = cfg->backoff_max > 0 ? cfg->backoff_max : 2 * SRS_UTIME_SECONDS;
    c->fail_fast = cfg->fail_fast;
    /* An IPv6 literal gets brackets, so the port stays readable. */
    snprintf(c->addr, sizeof(c->addr), strchr(c->host, ':') ? "[%s]:%d" : "%s:%d", c->host, c->port);
    return c;
}

static void client_close(srs_resp_client_t *c)
{
    srs_st_close_and_clear(c->fd);
    srs_resp_reader_free(c->reader);
    c->reader = NULL;
    c->up = false;
}

void srs_resp_client_free(srs_resp_client_t *c)
{
    if (!c) return;
    client_close(c);
    st_mutex_destroy(c->lock);
    memset(c->password, 0, sizeof(c->password));
    free(c);
}

const char *srs_resp_client_addr(const srs_resp_client_t *c) { return c->addr; }
bool srs_resp_client_is_up(const srs_resp_client_t *c) { return c->up; }
uint64_t srs_resp_client_generation(const srs_resp_client_t *c) { return c->generation; }

/* Time left before the deadline, or a timeout error. */
static srs_error_t deadline_left(srs_utime_t deadline, const char *what, srs_utime_t *left)
{
    *left = deadline - srs_time_now();
    if (*left <= 0) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "%s: exchange deadline passed", what);
    return srs_success;
}

/* Write every command, then read the replies in order, all within one deadline (io_timeout):
 * a server that trickles bytes cannot hold the connection longer. After every read the reader
 * yields, so parsing a server's endless stream never starves the other coroutines. */
static srs_error_t client_exchange(srs_resp_client_t *c, const srs_resp_cmds_t *cmds, srs_resp_reply_t **replies)
{
    srs_utime_t deadline = srs_time_now() + c->io_timeout, left = 0;
    srs_error_t err = srs_st_write(c->fd, cmds->data, cmds->len, c->io_timeout);
    if (err) return srs_error_wrap(err, "send %d commands", cmds->count);
    for (int i = 0; i < cmds->count; i++) {
        for (;;) {
            if ((err = srs_resp_reader_next(c->reader, &replies[i])) != srs_success) {
                c->over_budget = srs_resp_reader_over_budget(c->reader);
                return err;
            }
            if (replies[i]) break;
            if ((err = deadline_left(deadline, "read reply", &left)) != srs_success) return err;
            size_t n = 0;
            if ((err = srs_st_read(c->fd, c->buf, sizeof(c->buf), left, &n)) != srs_success) {
                return srs_error_wrap(err, "read reply %d of %d", i + 1, cmds->count);
            }
            if ((err = srs_resp_reader_feed(c->reader, c->buf, n)) != srs_success) {
                c->over_budget = srs_resp_reader_over_budget(c->reader);
                return err;
            }
            if ((err = srs_st_usleep(0)) != srs_success) return err;
        }
    }
    return srs_success;
}

/* Count a failed exchange by its reason. */
static void count_failure(srs_resp_client_t *c, srs_error_t err)
{
    int code = srs_error_code(err);
    if (c->over_budget) {
        c->over_budget = false;
        resp_stats.reply_too_large++;
        /* The server chooses how often: one line per minute at most, the metric counts all. */
        static srs_log_limit_t over_budget_log = SRS_LOG_LIMIT_INIT(60 * SRS_UTIME_SECONDS, 1);
        srs_log_limited(&over_budget_log, SRS_LOG_WARN, "Redis %s: reply over its budget (%d bytes, %d nodes), closing the connection",
                        c->addr, SRS_RESP_MAX_REPLY_BYTES, SRS_RESP_MAX_REPLY_NODES);
    } else if (code == ERROR_SYSTEM_TIMEOUT) {
        resp_stats.deadline++;
    } else if (code == ERROR_REDIS) {
        resp_stats.protocol++;
    } else if (code != ERROR_SYSTEM_INTERRUPTED) {
        resp_stats.io++;
    }
}

/* The next connect waits: the backoff doubles up to backoff_max. */
static void client_backoff(srs_resp_client_t *c)
{
    c->backoff = c->backoff ? SRS_MIN(c->backoff * 2, c->backoff_max) : c->backoff_min;
    c->next_attempt = srs_time_now() + c->backoff;
}

static void replies_clear(srs_resp_reply_t **replies, int count)
{
    for (int i = 0; i < count; i++) {
        srs_resp_reply_free(replies[i]);
        replies[i] = NULL;
    }
}

/* A server's error text, with the password masked in case the server echoes it. */
static void error_text(const srs_resp_client_t *c, const srs_resp_reply_t *r, char *out, size_t size)
{
    const char *text = r && r->str ? r->str : "unexpected reply";
    size_t pw = strlen(c->password), n = 0;
    out[0] = '\0';
    while (*text && n + 1 < size) {
        if (pw && !strncmp(text, c->password, pw)) {
            n += (size_t)snprintf(out + n, size - n, "******");
            if (n >= size) break;
            text += pw;
            continue;
        }
        out[n++] = *text++;
        out[n] = '\0';
    }
}

/* TCP connect, then AUTH, SELECT and PING in one round trip. */
static srs_error_t client_open(srs_resp_client_t *c)
{
    srs_error_t err = srs_tcp_connect(c->host, c->port, c->connect_timeout, &c->fd);
    if (err) return err;
    c->reader = srs_resp_reader_new();

    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    const char *names[3];
    int n = 0;
    if (c->password[0]) {
        srs_resp_cmds_add(&cmds, "AUTH", c->password, NULL);
        names[n++] = "AUTH";
    }
    char db[16];
    if (c->db) {
        snprintf(db, sizeof(db), "%d", c->db);
        srs_resp_cmds_add(&cmds, "SELECT", db, NULL);
        names[n++] = "SELECT";
    }
    srs_resp_cmds_add(&cmds, "PING", NULL);
    names[n++] = "PING";

    srs_resp_reply_t *replies[3] = {NULL, NULL, NULL};
    err = client_exchange(c, &cmds, replies);
    srs_resp_cmds_free(&cmds);
    for (int i = 0; !err && i < n; i++) {
        bool ok = replies[i]->type == SRS_RESP_STATUS && (i < n - 1 ? !strcmp(replies[i]->str, "OK") : !strcmp(replies[i]->str, "PONG"));
        if (!ok) {
            char text[256];
            error_text(c, replies[i], text, sizeof(text));
            err = srs_error_new(ERROR_REDIS, "%s refused: %s", names[i], text);
        }
    }
    replies_clear(replies, 3);
    if (err) client_close(c);
    return err;
}

static void client_mark_down(srs_resp_client_t *c, srs_error_t err)
{
    c->up = false;
    if (c->down_since) return;
    c->down_since = srs_time_now();
    srs_log_warn("Redis %s unavailable: %s", c->addr, srs_error_summary(err));
}

static srs_error_t client_connect_locked(srs_resp_client_t *c, bool ignore_backoff)
{
    srs_utime_t now = srs_time_now();
    if (!ignore_backoff && c->next_attempt && now < c->next_attempt) {
        return srs_error_new(ERROR_REDIS, "redis %s unavailable, next connect in %lldms", c->addr,
                             (long long)((c->next_attempt - now) / SRS_UTIME_MILLISECONDS));
    }
    srs_error_t err = client_open(c);
    if (err) {
        count_failure(c, err);
        client_backoff(c);
        err = srs_error_wrap(err, "redis %s", c->addr);
        client_mark_down(c, err);
        return err;
    }
    /* The backoff is reset by the first exchange that works, not by the connect: a server that
     * answers PING but fails every real command (a reply bomb) is not retried in a tight loop. */
    c->next_attempt = 0;
    c->generation++;
    c->up = true;
    if (c->down_since) {
        srs_log_info("Redis %s is back after %.1fs", c->addr, (double)(srs_time_now() - c->down_since) / SRS_UTIME_SECONDS);
        c->down_since = 0;
    }
    return srs_success;
}

static srs_error_t client_lock(srs_resp_client_t *c)
{
    srs_coroutine_set_state(SRS_CO_WAIT_COND);
    int r = st_mutex_lock(c->lock);
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (r != 0) {
        return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "redis %s: interrupted waiting for the connection", c->addr);
    }
    c->busy_since = srs_time_now();
    return srs_success;
}

static void client_unlock(srs_resp_client_t *c)
{
    c->busy_since = 0;
    st_mutex_unlock(c->lock);
}

srs_error_t srs_resp_client_connect(srs_resp_client_t *c)
{
    srs_error_t err = client_lock(c);
    if (err) return err;
    client_close(c);
    err = client_connect_locked(c, true);
    client_unlock(c);
    return err;
}

static srs_error_t client_pipeline_locked(srs_resp_client_t *c, const srs_resp_cmds_t *cmds, srs_resp_reply_t **replies)
{
    for (int attempt = 0;; attempt++) {
        bool reused = c->fd != NULL;
        srs_error_t err;
        if (!c->fd && (err = client_connect_locked(c, false)) != srs_success) return err;
        if ((err = client_exchange(c, cmds, replies)) == srs_success) {
            c->up = true;
            c->backoff = 0;
            return srs_success;
        }
        count_failure(c, err);
        replies_clear(replies, cmds->count);
        /* Replies may still be on the way: this connection is out of step for good. */
        client_close(c);
        int code = srs_error_code(err);
        bool retry = reused && attempt == 0 && (code == ERROR_SYSTEM_EOF || code == ERROR_SYSTEM_IO);
        if (!retry) {
            if (code != ERROR_SYSTEM_INTERRUPTED) client_backoff(c);
            err = srs_error_wrap(err, "redis %s", c->addr);
            if (code != ERROR_SYSTEM_INTERRUPTED) client_mark_down(c, err);
            return err;
        }
        srs_log_warn("Redis %s: connection lost (%s), reconnecting", c->addr, srs_error_summary(err));
        srs_error_free(err);
    }
}

srs_error_t srs_resp_client_pipeline(srs_resp_client_t *c, const srs_resp_cmds_t *cmds, srs_resp_reply_t **replies)
{
    for (int i = 0; i < cmds->count; i++) replies[i] = NULL;
    if (cmds->count == 0) return srs_success;
    if (c->fail_fast) {
        /* Down (only srs_resp_client_reconnect connects), or stuck: the caller's fall-back now
         * beats waiting for a server that does not answer. */
        bool stuck = c->busy_since && srs_time_now() - c->busy_since > SRS_RESP_STUCK;
        if (!c->up || stuck) {
            resp_stats.fail_fast++;
            return srs_error_new(ERROR_REDIS, "redis %s %s", c->addr, stuck ? "busy with a slow exchange" : "unavailable");
        }
    }
    srs_error_t err = client_lock(c);
    if (err) return err;
    err = client_pipeline_locked(c, cmds, replies);
    client_unlock(c);
    return err;
}

srs_error_t srs_resp_client_reconnect(srs_resp_client_t *c)
{
    if (c->up || c->busy_since) return srs_success;
    srs_error_t err = client_lock(c);
    if (err) return err;
    if (!c->fd) err = client_connect_locked(c, false);
    client_unlock(c);
    return err;
}

srs_error_t srs_resp_client_command(srs_resp_client_t *c, srs_resp_reply_t **reply, const char *arg0, ...)
{
    const char *argv[SRS_RESP_MAX_ARGS];
    va_list ap;
    va_start(ap, arg0);
    int argc = collect_args(arg0, ap, argv);
    va_end(ap);

    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    srs_resp_cmds_append(&cmds, argc, argv, NULL);
    srs_error_t err = srs_resp_client_pipeline(c, &cmds, reply);
    srs_resp_cmds_free(&cmds);
    return err;
}
