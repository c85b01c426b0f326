/* SPDX-License-Identifier: MIT */
#include "srs_app_http_api.h"
#include "srs_app_api.h"
#include "srs_app_metrics.h"
#include "srs_app_rtc_api.h"
#include "srs_app_rtc_server.h"
#include "srs_app_srt_server.h"
#include "srs_app_srs_api.h"
#include "srs_protocol_st.h"

#include <stdio.h>
#include <string.h>

static void add_rtc_session(void *ctx, const srs_rtc_session_t *s)
{
    cJSON *item = cJSON_CreateObject();
    char peer[80] = "";
    if (s->peer_len) {
        srs_sockaddr_t a;
        memcpy(&a.ss, &s->peer, s->peer_len);
        a.len = s->peer_len;
        srs_sockaddr_string(&a, peer, sizeof(peer));
    }
    cJSON_AddStringToObject(item, "id", s->cid.id);
    cJSON_AddStringToObject(item, "type", "webrtc");
    cJSON_AddStringToObject(item, "role", s->publisher ? "publish" : "play");
    cJSON_AddStringToObject(item, "ufrag", s->ufrag);
    cJSON_AddStringToObject(item, "stream_url", s->stream_url);
    cJSON_AddStringToObject(item, "client", peer);
    char origin[96];
    snprintf(origin, sizeof(origin), "%s:%d", s->origin_ip, s->origin_rtc_port);
    cJSON_AddStringToObject(item, "origin", origin);
    cJSON_AddNumberToObject(item, "age_ms", (double)((srs_utime_t)st_utime_last_clock() - s->created_at) / 1000);
    cJSON_AddNumberToObject(item, "idle_ms", (double)((srs_utime_t)st_utime_last_clock() - s->last_packet_at) / 1000);
    cJSON_AddNumberToObject(item, "to_origin_packets", (double)s->to_origin_packets);
    cJSON_AddNumberToObject(item, "to_origin_bytes", (double)s->to_origin_bytes);
    cJSON_AddNumberToObject(item, "to_client_packets", (double)s->to_client_packets);
    cJSON_AddNumberToObject(item, "to_client_bytes", (double)s->to_client_bytes);
    cJSON_AddItemToArray((cJSON *)ctx, item);
}

static const char *srt_state_name(srs_srt_session_state_t state)
{
    switch (state) {
    case SRS_SRT_SESSION_HANDSHAKE: return "handshake";
    case SRS_SRT_SESSION_ESTABLISHED: return "established";
    default: return "closing";
    }
}

static void add_srt_session(void *ctx, const srs_srt_session_t *s)
{
    cJSON *item = cJSON_CreateObject();
    char peer[80] = "";
    srs_sockaddr_t a;
    memcpy(&a.ss, &s->peer, s->peer_len);
    a.len = s->peer_len;
    srs_sockaddr_string(&a, peer, sizeof(peer));
    cJSON_AddStringToObject(item, "id", s->cid.id);
    cJSON_AddStringToObject(item, "type", "srt");
    cJSON_AddStringToObject(item, "role", s->publish ? "publish" : "play");
    cJSON_AddStringToObject(item, "state", srt_state_name(s->state));
    char sid[SRS_SRT_REDACTED_SIZE];
    cJSON_AddStringToObject(item, "stream_id", srs_srt_streamid_redact(s->stream_id, sid, sizeof(sid)));
    cJSON_AddStringToObject(item, "stream_url", s->stream_url);
    cJSON_AddStringToObject(item, "client", peer);
    char origin[96] = "";
    if (s->origin_port) snprintf(origin, sizeof(origin), "%s:%d", s->origin_ip, s->origin_port);
    cJSON_AddStringToObject(item, "origin", origin);
    cJSON_AddNumberToObject(item, "client_socket_id", (double)s->client_socket_id);
    cJSON_AddNumberToObject(item, "origin_socket_id", (double)s->origin_socket_id);
    cJSON_AddNumberToObject(item, "address_changes", (double)s->address_changes);
    cJSON_AddNumberToObject(item, "age_ms", (double)((srs_utime_t)st_utime_last_clock() - s->created_at) / 1000);
    cJSON_AddNumberToObject(item, "idle_ms", (double)((srs_utime_t)st_utime_last_clock() - s->last_client_at) / 1000);
    cJSON_AddNumberToObject(item, "to_origin_packets", (double)s->to_origin_packets);
    cJSON_AddNumberToObject(item, "to_origin_bytes", (double)s->to_origin_bytes);
    cJSON_AddNumberToObject(item, "to_client_packets", (double)s->to_client_packets);
    cJSON_AddNumberToObject(item, "to_client_bytes", (double)s->to_client_bytes);
    cJSON_AddItemToArray((cJSON *)ctx, item);
}

/* What an operator asks when one player stutters: every live session and its counters. */
srs_error_t srs_api_serve_sessions(srs_proxy_t *p, srs_http_conn_t *c)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddNumberToObject(obj, "code", 0);
    cJSON_AddStringToObject(obj, "pid", srs_api_pid());
    cJSON *list = cJSON_AddArrayToObject(obj, "sessions");
    srs_rtc_server_foreach(p->rtc, add_rtc_session, list);
    srs_srt_server_foreach(p->srt, add_srt_session, list);
    return srs_api_write_json(c, 200, obj, NULL);
}

static srs_error_t http_api_handle(void *ctx, srs_http_conn_t *c, srs_http_request_t *req)
{
    srs_proxy_t *p = (srs_proxy_t *)ctx;
    if (!strcmp(req->path, "/api/v1/versions") || !strcmp(req->path, "/api/v1/versions/")) {
        return srs_srs_api_serve_versions(p, c);
    }
    if (srs_rtc_api_match(req->path) || (!strcmp(req->method, "DELETE") && !strncmp(req->path, "/rtc/", 5))) {
        return srs_rtc_api_serve(p, c, req);
    }
    /* /api/v1/sessions lives on the system API (srs_app_system_api.c): 404 here, as any unknown path. */
    if (!strcmp(req->path, "/metrics")) return srs_metrics_serve(p, c);
    if (srs_srs_api_match(req->path)) return srs_srs_api_serve(p, c, req);
    return srs_http_write_error(c, 404, ERROR_HTTP_NOT_FOUND, "not found");
}

srs_error_t srs_http_api_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    SRS_UNUSED(peer);
    return srs_http_serve_conn(fd, NULL, http_api_handle, ctx);
}

srs_error_t srs_http_api_on_conn_tls(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer, SSL_CTX *tls)
{
    SRS_UNUSED(peer);
    return srs_http_serve_conn_tls(fd, tls, NULL, http_api_handle, ctx);
}
