/* SPDX-License-Identifier: MIT */
#include "srs_protocol_tcp_server.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_kernel_map.h"

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A share of connections: a limit, a limit per source address, and the live counts. */
typedef struct {
    int count, max, max_per_ip;
    srs_map_t *per_ip; /* address text → live connections (intptr_t); only addresses with some */
} tcp_pool_t;

typedef struct srs_tcp_conn_s srs_tcp_conn_t;
struct srs_tcp_conn_s {
    srs_tcp_server_t *server;
    st_netfd_t fd;
    srs_sockaddr_t peer;
    char ip[64]; /* the key in its pool's per-address table */
    srs_coroutine_t *co;
    srs_tcp_conn_t *prev, *next;
};

struct srs_tcp_server_s {
    char name[32];
    st_netfd_t lfd;
    int port;
    srs_tcp_conn_fn on_conn;
    srs_tcp_refuse_fn on_refuse;
    void *ctx;
    srs_coroutine_t *accept_co;
    srs_tcp_conn_t *conns;
    int nconns;
    st_cond_t idle_cond; /* signalled when a connection ends */
    tcp_pool_t own;      /* its private pool, when pool == &own */
    tcp_pool_t *pool;
    uint64_t refused[SRS_TCP_REFUSE_REASONS];
    srs_tcp_server_t *reg_prev, *reg_next; /* every live server, for metrics */
};

static tcp_pool_t shared_pool;
static uint64_t refused_total;
static srs_tcp_server_t *registry;
static srs_log_limit_t refuse_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 3);

int srs_tcp_server_total_conns(void) { return shared_pool.count; }
void srs_tcp_server_set_max_total(int max) { shared_pool.max = max; }
void srs_tcp_server_set_max_per_ip(int max) { shared_pool.max_per_ip = max; }
uint64_t srs_tcp_server_refused_total(void) { return refused_total; }

void srs_tcp_server_set_own_limits(srs_tcp_server_t *s, int max, int max_per_ip)
{
    /* Only before the first connection: live ones are counted in the pool they joined. */
    if (s->nconns) return;
    s->own.max = max;
    s->own.max_per_ip = max_per_ip;
    s->pool = &s->own;
}

const char *srs_tcp_refuse_reason_name(srs_tcp_refuse_reason_t r)
{
    switch (r) {
    case SRS_TCP_REFUSE_TOTAL: return "total";
    case SRS_TCP_REFUSE_LISTENER: return "listener";
    case SRS_TCP_REFUSE_PER_IP: return "per_ip";
    default: return "unknown";
    }
}

bool srs_tcp_admit(int count, int max, int ip_count, int max_per_ip, srs_tcp_refuse_reason_t *why)
{
    if (max > 0 && count >= max) {
        *why = SRS_TCP_REFUSE_TOTAL;
        return false;
    }
    if (max_per_ip > 0 && ip_count >= max_per_ip) {
        *why = SRS_TCP_REFUSE_PER_IP;
        return false;
    }
    return true;
}

void srs_tcp_server_foreach(srs_tcp_server_visit_fn fn, void *ctx)
{
    for (srs_tcp_server_t *s = registry; s; s = s->reg_next) fn(ctx, s->name, s->nconns, s->refused);
}

/* The source address without the port: connections from one host share one count. */
static void peer_ip(const srs_sockaddr_t *peer, char *buf, size_t size)
{
    const struct sockaddr *sa = (const struct sockaddr *)&peer->ss;
    buf[0] = 0;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)size);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)size);
    }
}

static int pool_ip_count(tcp_pool_t *p, const char *ip)
{
    if (!p->per_ip) return 0;
    return (int)(intptr_t)srs_map_get(p->per_ip, ip);
}

static void pool_add(tcp_pool_t *p, const char *ip)
{
    p->count++;
    if (!p->per_ip) p->per_ip = srs_map_new();
    srs_map_set(p->per_ip, ip, (void *)(intptr_t)(pool_ip_count(p, ip) + 1));
}

static void pool_remove(tcp_pool_t *p, const char *ip)
{
    p->count--;
    int n = pool_ip_count(p, ip) - 1;
    if (n > 0) srs_map_set(p->per_ip, ip, (void *)(intptr_t)n);
    else if (p->per_ip) srs_map_remove(p->per_ip, ip);
    /* The shared pool's table goes with its last connection (so a test or a restart starts clean). */
    if (!p->count && p->per_ip) {
        srs_map_free(p->per_ip);
        p->per_ip = NULL;
    }
}
int srs_tcp_server_port(const srs_tcp_server_t *s) { return s->port; }
int srs_tcp_server_conn_count(const srs_tcp_server_t *s) { return s->nconns; }

static srs_error_t conn_cycle(void *arg)
{
    srs_tcp_conn_t *c = (srs_tcp_conn_t *)arg;
    srs_tcp_server_t *s = c->server;

    srs_error_t err = s->on_conn(s->ctx, c->fd, &c->peer);
    if (err) {
        char peer[80];
        srs_log_debug("%s: connection %s ended: %s", s->name,
                      srs_sockaddr_string(&c->peer, peer, sizeof(peer)), srs_error_summary(err));
        srs_error_free(err);
    }

    /* Unlink before returning: the coroutine record is freed right after, with no switch. */
    srs_st_close(c->fd);
    if (c->prev) c->prev->next = c->next;
    else s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    s->nconns--;
    pool_remove(s->pool, c->ip);
    st_cond_broadcast(s->idle_cond);
    free(c);
    return srs_success;
}

static srs_error_t accept_cycle(void *arg)
{
    srs_tcp_server_t *s = (srs_tcp_server_t *)arg;
    for (;;) {
        srs_error_t err = srs_coroutine_pull_self();
        if (err) return err;

        st_netfd_t fd = NULL;
        srs_sockaddr_t peer;
        if ((err = srs_st_accept(s->lfd, &fd, &peer, SRS_UTIME_NO_TIMEOUT)) != srs_success) {
            if (srs_error_code(err) == ERROR_SYSTEM_INTERRUPTED) return err;
            /* EMFILE and friends: back off instead of spinning. */
            srs_log_limited(&refuse_log, SRS_LOG_WARN, "%s: accept: %s", s->name, srs_error_summary(err));
            srs_error_free(err);
            if ((err = srs_st_usleep(100 * SRS_UTIME_MILLISECONDS)) != srs_success) return err;
            continue;
        }

        srs_tcp_set_nodelay(fd);

        char ip[64];
        peer_ip(&peer, ip, sizeof(ip));
        tcp_pool_t *pool = s->pool;
        srs_tcp_refuse_reason_t why = SRS_TCP_REFUSE_TOTAL;
        if (!srs_tcp_admit(pool->count, pool->max, pool_ip_count(pool, ip), pool->max_per_ip, &why)) {
            if (why == SRS_TCP_REFUSE_TOTAL && pool != &shared_pool) why = SRS_TCP_REFUSE_LISTENER;
            refused_total++;
            s->refused[why]++;
            srs_log_limited(&refuse_log, SRS_LOG_WARN, "%s: refuse %s (%s): %d connections (limit %d), %d from it (limit %d)%s",
                            s->name, ip, srs_tcp_refuse_reason_name(why), pool->count, pool->max, pool_ip_count(pool, ip),
                            pool->max_per_ip, pool == &shared_pool ? ", PROXY_MAX_CONNECTIONS[_PER_IP]" : "");
            if (s->on_refuse) s->on_refuse(s->ctx, fd);
            srs_st_close(fd);
            continue;
        }

        srs_tcp_conn_t *c = (srs_tcp_conn_t *)calloc(1, sizeof(*c));
        if (!c) abort();
        c->server = s;
        c->fd = fd;
        c->peer = peer;
        snprintf(c->ip, sizeof(c->ip), "%s", ip);
        c->co = srs_coroutine_new(s->name, conn_cycle, c);
        c->next = s->conns;
        if (s->conns) s->conns->prev = c;
        s->conns = c;
        s->nconns++;
        pool_add(pool, ip);
        if ((err = srs_coroutine_start_detached(c->co)) != srs_success) {
            /* Unreachable in practice (ST could not allocate a stack). */
            srs_log_error("%s: %s", s->name, srs_error_summary(err));
            srs_error_free(err);
            s->conns = c->next;
            if (c->next) c->next->prev = NULL;
            s->nconns--;
            pool_remove(pool, ip);
            free(c->co);
            srs_st_close(fd);
            free(c);
        }
    }
}

srs_error_t srs_tcp_server_start(const char *name, const char *host, int port, srs_tcp_conn_fn on_conn,
                                 srs_tcp_refuse_fn on_refuse, void *ctx, srs_tcp_server_t **out)
{
    srs_tcp_server_t *s = (srs_tcp_server_t *)calloc(1, sizeof(*s));
    if (!s) abort();
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->on_conn = on_conn;
    s->on_refuse = on_refuse;
    s->ctx = ctx;
    s->pool = &shared_pool;
    srs_error_t err = srs_tcp_listen(host, port, &s->lfd);
    if (err) {
        free(s);
        return srs_error_wrap(err, "%s listen", name);
    }
    srs_sockaddr_t local;
    if ((err = srs_socket_local_addr(s->lfd, &local)) != srs_success) {
        srs_st_close(s->lfd);
        free(s);
        return err;
    }
    s->port = srs_sockaddr_port(&local);
    s->idle_cond = st_cond_new();
    s->reg_next = registry;
    if (registry) registry->reg_prev = s;
    registry = s;
    s->accept_co = srs_coroutine_new(name, accept_cycle, s);
    if ((err = srs_coroutine_start(s->accept_co)) != srs_success) {
        srs_tcp_server_free(s);
        return err;
    }
    char text[80];
    srs_log_info("%s listen at tcp://%s", name, srs_sockaddr_string(&local, text, sizeof(text)));
    *out = s;
    return srs_success;
}

void srs_tcp_server_close_listener(srs_tcp_server_t *s)
{
    if (!s) return;
    srs_coroutine_free(s->accept_co);
    s->accept_co = NULL;
    srs_st_close_and_clear(s->lfd);
}

void srs_tcp_server_interrupt_all(srs_tcp_server_t *s)
{
    for (srs_tcp_conn_t *c = s ? s->conns : NULL; c; c = c->next) {
        srs_coroutine_interrupt(c->co);
    }
}

bool srs_tcp_server_wait_idle(srs_tcp_server_t *s, srs_utime_t timeout)
{
    srs_utime_t deadline = srs_time_now() + timeout;
    while (s->nconns > 0) {
        srs_utime_t left = deadline - srs_time_now();
        if (left <= 0) return false;
        srs_coroutine_set_state(SRS_CO_WAIT_COND);
        st_cond_timedwait(s->idle_cond, srs_st_timeout(left));
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
    }
    return true;
}

void srs_tcp_server_free(srs_tcp_server_t *s)
{
    if (!s) return;
    srs_tcp_server_close_listener(s);
    srs_tcp_server_interrupt_all(s);
    /* Interrupted coroutines end at their next blocking call; this cannot wait long. */
    while (!srs_tcp_server_wait_idle(s, SRS_UTIME_SECONDS)) {
        srs_tcp_server_interrupt_all(s);
    }
    if (s->idle_cond) st_cond_destroy(s->idle_cond);
    if (s->reg_prev) s->reg_prev->reg_next = s->reg_next;
    else if (registry == s) registry = s->reg_next;
    if (s->reg_next) s->reg_next->reg_prev = s->reg_prev;
    if (s->own.per_ip) srs_map_free(s->own.per_ip);
    free(s);
}
