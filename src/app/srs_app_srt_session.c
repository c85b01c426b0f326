/* SPDX-License-Identifier: MIT */
#include "srs_app_srt_session.h"

#include <stdlib.h>
#include <string.h>

/* The per-IP budgets' key: no port, and for IPv6 the /64 prefix only (one subscriber's network,
 * whose 2^64 addresses would otherwise each get a share). */
static void to_ip_key(srs_addr_key_t *k)
{
    k->port = 0;
    if (k->family == AF_INET6) memset(k->ip + 8, 0, 8);
}

srs_srt_session_t *srs_srt_session_new(const struct sockaddr *addr, socklen_t len, uint32_t client_socket_id,
                                       srs_utime_t now)
{
    srs_srt_session_t *s = (srs_srt_session_t *)calloc(1, sizeof(*s));
    if (!s) abort();
    s->cid = srs_cid_generate();
    s->state = SRS_SRT_SESSION_HANDSHAKE;
    s->client_socket_id = client_socket_id;
    s->origin_fd = -1;
    if (len > sizeof(s->peer)) len = sizeof(s->peer);
    memcpy(&s->peer, addr, len);
    s->peer_len = len;
    srs_addr_key_from(addr, &s->peer_key);
    s->ip_key = s->peer_key;
    to_ip_key(&s->ip_key);
    s->created_at = s->last_client_at = now;
    return s;
}

void srs_srt_session_free(srs_srt_session_t *s)
{
    if (!s) return;
    if (s->wakeup) st_cond_destroy(s->wakeup);
    free(s);
}

srs_srt_table_t *srs_srt_table_new(void)
{
    srs_srt_table_t *t = (srs_srt_table_t *)calloc(1, sizeof(*t));
    if (!t) abort();
    t->by_addr = srs_addr_map_new();
    t->by_origin_id = srs_id_map_new();
    t->by_ip = srs_addr_map_new();
    return t;
}

void srs_srt_table_free(srs_srt_table_t *t)
{
    if (!t) return;
    srs_addr_map_free(t->by_addr);
    srs_id_map_free(t->by_origin_id);
    srs_addr_map_free(t->by_ip);   /* empty: every session was removed first */
    free(t);
}

static void bind_addr(srs_srt_table_t *t, srs_srt_session_t *s)
{
    srs_srt_session_t *holder = (srs_srt_session_t *)srs_addr_map_get(t->by_addr, &s->peer_key);
    if (holder && holder != s) holder->addr_bound = false;
    srs_addr_map_set(t->by_addr, &s->peer_key, s);
    s->addr_bound = true;
}

void srs_srt_table_unbind_addr(srs_srt_table_t *t, srs_srt_session_t *s)
{
    if (s->addr_bound && srs_addr_map_get(t->by_addr, &s->peer_key) == s) srs_addr_map_remove(t->by_addr, &s->peer_key);
    s->addr_bound = false;
}

void srs_srt_table_add(srs_srt_table_t *t, srs_srt_session_t *s)
{
    s->prev = NULL;
    s->next = t->head;
    if (t->head) t->head->prev = s;
    t->head = s;
    t->count++;
    bind_addr(t, s);

    srs_srt_ip_count_t *c = (srs_srt_ip_count_t *)srs_addr_map_get(t->by_ip, &s->ip_key);
    if (!c) {
        c = (srs_srt_ip_count_t *)calloc(1, sizeof(*c));
        if (!c) abort();
        srs_addr_map_set(t->by_ip, &s->ip_key, c);
    }
    c->sessions++;
    c->handshakes++;
    s->in_handshake = true;
}

void srs_srt_table_handshake_done(srs_srt_table_t *t, srs_srt_session_t *s)
{
    if (!s->in_handshake) return;
    s->in_handshake = false;
    srs_srt_ip_count_t *c = (srs_srt_ip_count_t *)srs_addr_map_get(t->by_ip, &s->ip_key);
    if (c && c->handshakes) c->handshakes--;
}

srs_srt_ip_count_t srs_srt_table_ip_count(const srs_srt_table_t *t, const struct sockaddr *addr)
{
    srs_srt_ip_count_t zero = {0, 0};
    srs_addr_key_t key;
    if (!srs_addr_key_from(addr, &key)) return zero;
    to_ip_key(&key);
    const srs_srt_ip_count_t *c = (const srs_srt_ip_count_t *)srs_addr_map_get(t->by_ip, &key);
    return c ? *c : zero;
}

srs_srt_budget_t srs_srt_table_budget(const srs_srt_table_t *t, const struct sockaddr *addr, int max_sessions,
                                      int max_per_ip, int max_handshakes_per_ip)
{
    if (max_sessions > 0 && t->count >= (size_t)max_sessions) return SRS_SRT_BUDGET_SESSIONS;
    srs_srt_ip_count_t ip = srs_srt_table_ip_count(t, addr);
    if (max_per_ip > 0 && ip.sessions >= (uint32_t)max_per_ip) return SRS_SRT_BUDGET_IP_SESSIONS;
    if (max_handshakes_per_ip > 0 && ip.handshakes >= (uint32_t)max_handshakes_per_ip) return SRS_SRT_BUDGET_IP_HANDSHAKES;
    return SRS_SRT_BUDGET_OK;
}

/* s leaves its IP's counts; the entry goes with the IP's last session. */
static void uncount_ip(srs_srt_table_t *t, srs_srt_session_t *s)
{
    srs_srt_table_handshake_done(t, s);
    srs_srt_ip_count_t *c = (srs_srt_ip_count_t *)srs_addr_map_get(t->by_ip, &s->ip_key);
    if (!c) return;
    if (c->sessions) c->sessions--;
    if (!c->sessions) free(srs_addr_map_remove(t->by_ip, &s->ip_key));
}

void srs_srt_table_remove(srs_srt_table_t *t, srs_srt_session_t *s)
{
    srs_srt_table_unbind_addr(t, s);
    if (s->origin_socket_id && srs_id_map_get(t->by_origin_id, s->origin_socket_id) == s) {
        srs_id_map_remove(t->by_origin_id, s->origin_socket_id);
    }
    if (s->prev) s->prev->next = s->next;
    else if (t->head == s) t->head = s->next;
    else return; /* not in the list */
    if (s->next) s->next->prev = s->prev;
    s->prev = s->next = NULL;
    t->count--;
    uncount_ip(t, s);
}

srs_srt_session_t *srs_srt_table_by_addr(srs_srt_table_t *t, const srs_addr_key_t *key)
{
    return (srs_srt_session_t *)srs_addr_map_get(t->by_addr, key);
}

srs_srt_session_t *srs_srt_table_by_origin_id(srs_srt_table_t *t, uint32_t origin_socket_id)
{
    return (srs_srt_session_t *)srs_id_map_get(t->by_origin_id, origin_socket_id);
}

srs_error_t srs_srt_table_bind_origin_id(srs_srt_table_t *t, srs_srt_session_t *s, uint32_t origin_socket_id)
{
    if (!origin_socket_id) return srs_error_new(ERROR_SRT_HANDSHAKE, "origin socket id 0");
    srs_srt_session_t *holder = (srs_srt_session_t *)srs_id_map_get(t->by_origin_id, origin_socket_id);
    if (holder && holder != s) {
        return srs_error_new(ERROR_SRT_HANDSHAKE, "origin socket id %u is taken by session %s", origin_socket_id,
                             holder->cid.id);
    }
    srs_id_map_set(t->by_origin_id, origin_socket_id, s);
    s->origin_socket_id = origin_socket_id;
    return srs_success;
}
