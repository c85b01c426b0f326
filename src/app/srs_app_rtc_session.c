/* SPDX-License-Identifier: MIT */
#include "srs_app_rtc_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

srs_rtc_table_t *srs_rtc_table_new(void)
{
    srs_rtc_table_t *t = (srs_rtc_table_t *)calloc(1, sizeof(*t));
    if (!t) abort();
    t->by_ufrag = srs_map_new();
    t->by_location = srs_map_new();
    t->by_addr = srs_addr_map_new();
    return t;
}

void srs_rtc_table_free(srs_rtc_table_t *t)
{
    if (!t) return;
    srs_map_free(t->by_ufrag);
    srs_map_free(t->by_location);
    srs_addr_map_free(t->by_addr);
    free(t);
}

srs_rtc_session_t *srs_rtc_session_new(const char *ufrag, const char *stream_url, srs_utime_t now)
{
    srs_rtc_session_t *s = (srs_rtc_session_t *)calloc(1, sizeof(*s));
    if (!s) abort();
    snprintf(s->ufrag, sizeof(s->ufrag), "%s", ufrag);
    snprintf(s->stream_url, sizeof(s->stream_url), "%s", stream_url);
    s->cid = srs_cid_generate();
    s->origin_fd = -1;
    s->created_at = s->last_packet_at = now;
    return s;
}

srs_error_t srs_rtc_table_add(srs_rtc_table_t *t, srs_rtc_session_t *s)
{
    if (srs_map_get(t->by_ufrag, s->ufrag)) {
        return srs_error_new(ERROR_RTC_SESSION, "session %s exists", s->ufrag);
    }
    srs_map_set(t->by_ufrag, s->ufrag, s);
    if (s->location[0]) srs_map_set(t->by_location, s->location, s);
    return srs_success;
}

void srs_rtc_table_remove(srs_rtc_table_t *t, srs_rtc_session_t *s)
{
    if (srs_map_get(t->by_ufrag, s->ufrag) == s) srs_map_remove(t->by_ufrag, s->ufrag);
    if (s->location[0] && srs_map_get(t->by_location, s->location) == s) srs_map_remove(t->by_location, s->location);
    for (int i = 0; i < s->naddrs; i++) {
        if (srs_addr_map_get(t->by_addr, &s->addrs[i]) == s) srs_addr_map_remove(t->by_addr, &s->addrs[i]);
    }
    s->naddrs = 0;
}

srs_rtc_session_t *srs_rtc_table_by_ufrag(srs_rtc_table_t *t, const char *ufrag)
{
    return (srs_rtc_session_t *)srs_map_get(t->by_ufrag, ufrag);
}

srs_rtc_session_t *srs_rtc_table_by_location(srs_rtc_table_t *t, const char *location)
{
    return (srs_rtc_session_t *)srs_map_get(t->by_location, location);
}

srs_rtc_session_t *srs_rtc_table_by_addr(srs_rtc_table_t *t, const srs_addr_key_t *key)
{
    return (srs_rtc_session_t *)srs_addr_map_get(t->by_addr, key);
}

size_t srs_rtc_table_count(const srs_rtc_table_t *t)
{
    return srs_map_size(t->by_ufrag);
}

static void session_forget_addr(srs_rtc_session_t *s, const srs_addr_key_t *key)
{
    for (int i = 0; i < s->naddrs; i++) {
        if (srs_addr_key_equal(&s->addrs[i], key)) {
            memmove(&s->addrs[i], &s->addrs[i + 1], (size_t)(s->naddrs - i - 1) * sizeof(s->addrs[0]));
            s->naddrs--;
            return;
        }
    }
}

void srs_rtc_session_set_peer(srs_rtc_session_t *s, const srs_addr_key_t *key, const struct sockaddr *addr, socklen_t len)
{
    if (s->peer_len == len && srs_addr_key_equal(&s->peer_key, key)) return;
    memcpy(&s->peer, addr, len);
    s->peer_len = len;
    s->peer_key = *key;
}

void srs_rtc_table_bind(srs_rtc_table_t *t, srs_rtc_session_t *s, const struct sockaddr *addr, socklen_t len)
{
    srs_addr_key_t key;
    if (!srs_addr_key_from(addr, &key)) return;

    srs_rtc_session_t *holder = (srs_rtc_session_t *)srs_addr_map_get(t->by_addr, &key);
    if (holder != s) {
        if (holder) session_forget_addr(holder, &key);
        if (s->naddrs == SRS_RTC_MAX_ADDRS) {
            if (srs_addr_map_get(t->by_addr, &s->addrs[0]) == s) srs_addr_map_remove(t->by_addr, &s->addrs[0]);
            memmove(&s->addrs[0], &s->addrs[1], (size_t)(SRS_RTC_MAX_ADDRS - 1) * sizeof(s->addrs[0]));
            s->naddrs--;
        }
        s->addrs[s->naddrs++] = key;
        srs_addr_map_set(t->by_addr, &key, s);
    }
    srs_rtc_session_set_peer(s, &key, addr, len);
}
