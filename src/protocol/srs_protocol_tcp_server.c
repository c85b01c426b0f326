/* SPDX-License-Identifier: MIT */
#include "srs_protocol_tcp_server.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct srs_tcp_conn_s srs_tcp_conn_t;
struct srs_tcp_conn_s {
    srs_tcp_server_t *server;
    st_netfd_t fd;
    srs_sockaddr_t peer;
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
};

static int total_conns;
static int max_total;
static uint64_t refused_total;
static srs_log_limit_t refuse_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 3);

int srs_tcp_server_total_conns(void) { return total_conns; }
void srs_tcp_server_set_max_total(int max) { max_total = max; }
uint64_t srs_tcp_server_refused_total(void) { return refused_total; }
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
    total_conns--;
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

        if (max_total > 0 && total_conns >= max_total) {
            refused_total++;
            char text[80];
            srs_log_limited(&refuse_log, SRS_LOG_WARN, "%s: refuse %s, %d connections reach PROXY_MAX_CONNECTIONS=%d",
                            s->name, srs_sockaddr_string(&peer, text, sizeof(text)), total_conns, max_total);
            if (s->on_refuse) s->on_refuse(s->ctx, fd);
            srs_st_close(fd);
            continue;
        }

        srs_tcp_conn_t *c = (srs_tcp_conn_t *)calloc(1, sizeof(*c));
        if (!c) abort();
        c->server = s;
        c->fd = fd;
        c->peer = peer;
        c->co = srs_coroutine_new(s->name, conn_cycle, c);
        c->next = s->conns;
        if (s->conns) s->conns->prev = c;
        s->conns = c;
        s->nconns++;
        total_conns++;
        if ((err = srs_coroutine_start_detached(c->co)) != srs_success) {
            /* Unreachable in practice (ST could not allocate a stack). */
            srs_log_error("%s: %s", s->name, srs_error_summary(err));
            srs_error_free(err);
            s->conns = c->next;
            if (c->next) c->next->prev = NULL;
            s->nconns--;
            total_conns--;
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
    free(s);
}
