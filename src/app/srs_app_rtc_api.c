/* SPDX-License-Identifier: MIT */
#include "srs_app_rtc_api.h"
#include "srs_app_lb_shm.h"
#include "srs_app_api.h"
#include "srs_app_rtc_server.h"
#include "srs_core_log.h"
#include "srs_kernel_endpoint.h"
#include "srs_kernel_stream_url.h"
#include "srs_protocol_sdp.h"
#include "srs_protocol_st.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Offers and answers are a few KiB; legacy envelopes a little more. */
#define SRS_RTC_MAX_SDP_BODY (256 * 1024)
#define SRS_RTC_ORIGIN_CONNECT_TIMEOUT (3 * SRS_UTIME_SECONDS)
#define SRS_RTC_ORIGIN_IO_TIMEOUT (10 * SRS_UTIME_SECONDS)

typedef struct {
    const char *path;
    bool publish;
    bool legacy;
} rtc_route_t;

static const rtc_route_t routes[] = {
    {"/rtc/v1/whip/", true, false},
    {"/rtc/v1/whep/", false, false},
    {"/rtc/v1/publish/", true, true},
    {"/rtc/v1/play/", false, true},
};

/* With or without the trailing slash (Go redirects the bare form; we just serve it). */
static const rtc_route_t *find_route(const char *path)
{
    for (size_t i = 0; i < SRS_ARRAY_SIZE(routes); i++) {
        size_t n = strlen(routes[i].path);
        if (!strcmp(path, routes[i].path) || (!strncmp(path, routes[i].path, n - 1) && path[n - 1] == 0)) {
            return &routes[i];
        }
    }
    return NULL;
}

bool srs_rtc_api_match(const char *path)
{
    return find_route(path) != NULL;
}

/* Clients choose what they send: their errors are logged a few times per interval at most. */
static srs_log_limit_t signalling_log = SRS_LOG_LIMIT_INIT(10 * SRS_UTIME_SECONDS, 10);

/* Answers an error as SRS-shaped JSON with CORS, and frees cause. */
static srs_error_t reply_error(srs_http_conn_t *c, int status, srs_error_t cause)
{
    return srs_api_reply_error(c, status, cause, "RTC signalling");
}

static srs_error_t stream_url_of(srs_http_request_t *req, const rtc_route_t *route, const char *body, size_t len,
                                 char *out, size_t size)
{
    if (route->legacy) {
        cJSON *json = cJSON_ParseWithLength(body, len);
        const cJSON *su = json ? cJSON_GetObjectItemCaseSensitive(json, "streamurl") : NULL;
        srs_error_t err = srs_success;
        bool found = cJSON_IsString(su) && su->valuestring[0];
        if (found) err = srs_stream_url_build(su->valuestring, out, size);
        cJSON_Delete(json);
        if (found) return err;
    }
    char app[128], stream[256];
    if (!srs_http_query_get(req->query, "app", app, sizeof(app)) || !app[0] ||
        !srs_http_query_get(req->query, "stream", stream, sizeof(stream)) || !stream[0]) {
        return srs_error_new(ERROR_STREAM_URL, "no app or stream in %s", req->target);
    }
    return srs_api_stream_url(req, app, stream, out, size);
}

/* "http://10.0.0.1:1985/rtc/v1/whip/?x" → "/rtc/v1/whip/?x": the client reaches it through us. */
static void location_to_proxy(const char *location, char *out, size_t size)
{
    const char *p = strstr(location, "://");
    if (p) {
        const char *slash = strchr(p + 3, '/');
        location = slash ? slash : "/";
    }
    snprintf(out, size, "%s", location);
}

static int origin_rtc_ports(const srs_origin_t *o, int *ports, int max)
{
    int n = 0;
    for (int i = 0; i < o->n_rtc && n < max; i++) {
        srs_endpoint_t ep;
        srs_error_t err = srs_endpoint_parse(o->rtc[i], &ep);
        if (err) {
            srs_error_free(err);
            continue;
        }
        ports[n++] = ep.port;
    }
    if (n == 0 && o->rtc_port && max > 0) ports[n++] = o->rtc_port;
    return n;
}

/* The legacy API answers HTTP 200 with {"code":<non-zero>} on failure. */
static bool legacy_failed(const char *body, size_t len)
{
    cJSON *json = cJSON_ParseWithLength(body, len);
    const cJSON *code = json ? cJSON_GetObjectItemCaseSensitive(json, "code") : NULL;
    bool failed = !json || (cJSON_IsNumber(code) && code->valuedouble != 0);
    cJSON_Delete(json);
    return failed;
}

typedef struct {
    int status;
    char content_type[128];
    char location[512];
    char *body;
    size_t len;
} origin_answer_t;

static srs_error_t ask_origin(const srs_origin_t *origin, srs_http_request_t *req, const char *body, size_t len,
                              const char *default_type, origin_answer_t *ans)
{
    srs_http_headers_t h = {0};
    const char *type = srs_http_headers_get(&req->headers, "Content-Type");
    srs_http_headers_set(&h, "Content-Type", type ? type : default_type);
    const char *auth = srs_http_headers_get(&req->headers, "Authorization");
    if (auth) srs_http_headers_set(&h, "Authorization", auth);

    srs_http_client_t *cli = NULL;
    srs_error_t err = srs_http_client_do(origin->ip, origin->api_port, req->method, req->target, &h, body, len,
                                         SRS_RTC_ORIGIN_CONNECT_TIMEOUT, SRS_RTC_ORIGIN_IO_TIMEOUT, &cli);
    srs_http_headers_free(&h);
    if (err) return srs_error_wrap(err, "request origin %s:%d%s", origin->ip, origin->api_port, req->target);

    ans->status = cli->res.status;
    const char *v = srs_http_headers_get(&cli->res.headers, "Content-Type");
    snprintf(ans->content_type, sizeof(ans->content_type), "%s", v ? v : default_type);
    v = srs_http_headers_get(&cli->res.headers, "Location");
    if (v) location_to_proxy(v, ans->location, sizeof(ans->location));
    err = srs_http_read_body_all(cli->conn, SRS_RTC_MAX_SDP_BODY, &ans->body, &ans->len);
    srs_http_client_close(cli);
    if (err) return srs_error_wrap(err, "read origin answer");
    return srs_success;
}

static int status_of_origin_error(srs_error_t err)
{
    return srs_error_code(err) == ERROR_SYSTEM_TIMEOUT ? 504 : 502;
}

static srs_error_t serve_offer(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req, const rtc_route_t *route)
{
    char *body = NULL, *offer = NULL;
    size_t len = 0;
    srs_error_t err = srs_http_read_body_all(c, SRS_RTC_MAX_SDP_BODY, &body, &len);
    if (err) {
        int status = srs_http_status_of_error(err);
        if (status) reply_error(c, status, srs_error_wrap(err, "read offer"));
        else srs_error_free(err);
        return srs_error_new(ERROR_HTTP_PARSE, "offer body");
    }

    origin_answer_t ans;
    memset(&ans, 0, sizeof(ans));
    char stream_url[256], offer_ufrag[64], offer_pwd[256], answer_ufrag[64], answer_pwd[256];
    srs_origin_t origin;
    char *rewritten = NULL;
    size_t rewritten_len = 0;
    int status = 400;

    const char *sdp = body;
    size_t sdp_len = len;
    if (route->legacy && srs_sdp_unwrap_envelope(body, len, &offer)) {
        sdp = offer;
        sdp_len = strlen(offer);
    }
    if ((err = stream_url_of(req, route, body, len, stream_url, sizeof(stream_url))) != srs_success) goto failed;
    if ((err = srs_sdp_ice_credentials(sdp, sdp_len, offer_ufrag, sizeof(offer_ufrag), offer_pwd, sizeof(offer_pwd))) != srs_success) {
        err = srs_error_wrap(err, "offer without a=ice-ufrag/a=ice-pwd");
        goto failed;
    }

    /* Budgets first, before the origin does any work: the offer's TCP peer is its source. */
    srs_addr_key_t source;
    memset(&source, 0, sizeof(source));
    {
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof(peer);
        if (!getpeername(st_netfd_fileno(srs_http_conn_fd(c)), (struct sockaddr *)&peer, &peer_len)) {
            srs_addr_key_from((struct sockaddr *)&peer, &source);
            source.port = 0;
        }
    }
    if ((err = srs_rtc_server_admit(p->rtc, &source, true)) != srs_success) {
        status = 503;
        goto failed;
    }

    if ((err = p->lb->vt->pick(p->lb, stream_url, &origin)) != srs_success) {
        status = srs_error_code(err) == ERROR_ORIGIN_NONE ? 503 : 500;
        goto failed;
    }
    status = 502;
    if (!origin.api_port || !origin.rtc_port) {
        err = srs_error_new(ERROR_ORIGIN_PORT, "origin %s has no %s", origin.ip, origin.api_port ? "rtc server" : "http api server");
        goto failed;
    }

    if ((err = ask_origin(&origin, req, body, len, route->legacy ? "application/json" : "application/sdp", &ans)) != srs_success) {
        status = status_of_origin_error(err);
        goto failed;
    }
    if (ans.status < 200 || ans.status > 299) {
        status = ans.status >= 500 || ans.status < 400 ? 502 : ans.status;
        err = srs_error_new(ERROR_HTTP_STATUS, "origin answered %d: %.200s", ans.status, ans.body ? ans.body : "");
        goto failed;
    }
    if (route->legacy && legacy_failed(ans.body, ans.len)) {
        /* The origin's own refusal ({"code":400}, as SRS): relay it, no session. */
        srs_log_limited(&signalling_log, SRS_LOG_WARN, "RTC signalling: origin refused %s: %.200s", stream_url, ans.body);
        srs_http_headers_t h = {0};
        srs_api_add_cors(&h);
        srs_http_headers_set(&h, "Content-Type", "application/json");
        err = srs_http_write_response(c, ans.status, &h, ans.body, ans.len);
        srs_http_headers_free(&h);
        goto done;
    }

    {
        char *answer = NULL;
        const char *asdp = ans.body;
        size_t asdp_len = ans.len;
        if (route->legacy && srs_sdp_unwrap_envelope(ans.body, ans.len, &answer)) {
            asdp = answer;
            asdp_len = strlen(answer);
        }
        err = srs_sdp_ice_credentials(asdp, asdp_len, answer_ufrag, sizeof(answer_ufrag), answer_pwd, sizeof(answer_pwd));
        free(answer);
        if (err) {
            err = srs_error_wrap(err, "origin answer without a=ice-ufrag");
            goto failed;
        }
    }

    {
        int ports[SRS_ORIGIN_MAX_ENDPOINTS];
        int nports = origin_rtc_ports(&origin, ports, SRS_ORIGIN_MAX_ENDPOINTS);
        int count = 0;
        err = srs_sdp_rewrite_candidates(ans.body, ans.len, ports, nports, srs_rtc_server_port(p->rtc),
                                         p->cfg->webrtc_candidate, &rewritten, &rewritten_len, &count);
        if (err) goto failed;
    }

    {
        /* The Location the client gets carries a token only this proxy and that client know:
         * it, and not the ufrag (in clear in every STUN check), grants DELETE. */
        char ufrag[SRS_RTC_UFRAG_MAX], token[SRS_TOKEN_LEN + 1], location[SRS_RTC_LOCATION_MAX];
        snprintf(ufrag, sizeof(ufrag), "%s:%s", answer_ufrag, offer_ufrag);
        srs_random_token(token);
        location[0] = 0;
        int n = 0;
        if (ans.location[0]) {
            n = snprintf(location, sizeof(location), "%s%s%s=%s", ans.location, strchr(ans.location, '?') ? "&" : "?",
                         SRS_RTC_TOKEN_PARAM, token);
        } else if (!route->legacy) {
            n = snprintf(location, sizeof(location), "%s?session=%s&%s=%s", req->path, ufrag, SRS_RTC_TOKEN_PARAM, token);
        }
        if (n < 0 || (size_t)n >= sizeof(location)) {
            err = srs_error_new(ERROR_RTC_SDP, "origin Location too long");
            goto failed;
        }
        srs_rtc_session_info_t info = {ufrag, stream_url, location, ans.location, token, answer_pwd, &source,
                                       route->publish, origin.ip, origin.rtc_port, origin.api_port};
        if ((err = srs_rtc_server_add_session(p->rtc, &info)) != srs_success) {
            status = srs_error_code(err) == ERROR_SYSTEM_LIMIT ? 503 : 500;
            goto failed;
        }
        srs_error_t lerr = p->lb->vt->store_rtc(p->lb, stream_url, ufrag, answer_pwd);
        if (!lerr && srs_lb_is_shm(p->lb) && location[0]) {
            /* Workers: a DELETE may reach any of them (srs_lb_shm_rtc_find_delete). */
            srs_lb_shm_rtc_delete_t d;
            memset(&d, 0, sizeof(d));
            snprintf(d.token, sizeof(d.token), "%s", token);
            snprintf(d.origin_ip, sizeof(d.origin_ip), "%s", origin.ip);
            d.origin_api_port = origin.api_port;
            snprintf(d.origin_location, sizeof(d.origin_location), "%s", ans.location);
            lerr = srs_lb_shm_rtc_set_delete(p->lb, ufrag, &d);
        }
        if (lerr) {
            srs_log_warn("RTC session %s: %s", ufrag, srs_error_summary(lerr));
            srs_error_free(lerr);
        }

        srs_http_headers_t h = {0};
        srs_api_add_cors(&h);
        srs_http_headers_set(&h, "Content-Type", ans.content_type);
        if (location[0]) srs_http_headers_set(&h, "Location", location);
        err = srs_http_write_response(c, ans.status, &h, rewritten, rewritten_len);
        srs_http_headers_free(&h);
    }
    goto done;

failed:
    err = reply_error(c, status, err);
done:
    free(rewritten);
    free(ans.body);
    free(offer);
    free(body);
    return err;
}

static bool token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la && i < lb; i++) diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* What the DELETE needs of a session, copied before the origin round trip (the session may be
 * freed meanwhile: idle sweep, DTLS alert, a new offer with the same ufrags, another DELETE). */
typedef struct {
    char ufrag[SRS_RTC_UFRAG_MAX];
    char token[SRS_RTC_TOKEN_SIZE];
    char origin_ip[64];
    int origin_api_port;
    char origin_location[SRS_RTC_LOCATION_MAX];
} delete_copy_t;

/* forward_auth: the client's Authorization goes to the origin (WHIP/WHEP); never the system
 * API's own token. d is our copy: nothing shared is touched across the origin round trip. */
static srs_error_t delete_copied(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req, const delete_copy_t *d,
                                 const char *why, bool forward_auth)
{
    /* Tell the origin (at its own Location), then end here whatever it says: the client is gone. */
    int status = 200;
    if (d->origin_location[0] && d->origin_api_port) {
        srs_http_headers_t h = {0};
        const char *auth = forward_auth ? srs_http_headers_get(&req->headers, "Authorization") : NULL;
        if (auth) srs_http_headers_set(&h, "Authorization", auth);
        srs_http_client_t *cli = NULL;
        srs_error_t err = srs_http_client_do(d->origin_ip, d->origin_api_port, "DELETE", d->origin_location, &h, NULL, 0,
                                             SRS_RTC_ORIGIN_CONNECT_TIMEOUT, SRS_RTC_ORIGIN_IO_TIMEOUT, &cli);
        srs_http_headers_free(&h);
        if (err) {
            srs_log_limited(&signalling_log, SRS_LOG_WARN, "RTC DELETE %s at origin: %s", d->ufrag, srs_error_summary(err));
            srs_error_free(err);
        } else {
            if (cli->res.status >= 200 && cli->res.status <= 299) status = cli->res.status;
            srs_http_client_close(cli);
        }
    }
    /* The same session only (keys are never reused; a new offer with these ufrags has another token).
     * Held by another worker: mark it in the shared directory, its holder's sweeper ends it. */
    srs_rtc_session_t *now = srs_rtc_server_find_by_ufrag(p->rtc, d->ufrag);
    if (now && !strcmp(now->token, d->token)) {
        srs_rtc_server_end_session(p->rtc, now, why);
    } else if (srs_lb_shm_rtc_mark_deleted(p->lb, d->ufrag, d->token)) {
        srs_log_limited(&signalling_log, SRS_LOG_INFO, "RTC session %s %s, held by another worker: marked to end", d->ufrag, why);
    }

    srs_http_headers_t rh = {0};
    srs_api_add_cors(&rh);
    srs_error_t err = srs_http_write_response(c, status, &rh, NULL, 0);
    srs_http_headers_free(&rh);
    return err;
}

static srs_error_t delete_session(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req,
                                  const srs_rtc_session_t *s, const char *why, bool forward_auth)
{
    delete_copy_t d;
    snprintf(d.ufrag, sizeof(d.ufrag), "%s", s->ufrag);
    snprintf(d.token, sizeof(d.token), "%s", s->token);
    snprintf(d.origin_ip, sizeof(d.origin_ip), "%s", s->origin_ip);
    d.origin_api_port = s->origin_api_port;
    snprintf(d.origin_location, sizeof(d.origin_location), "%s", s->origin_location);
    s = NULL; /* not touched again: looked up by ufrag and token after the round trip */
    return delete_copied(p, c, req, &d, why, forward_auth);
}

/* A session of another worker (PROXY_WORKERS > 1): what the DELETE needs is in the shared
 * directory, copied out under its lock. */
static srs_error_t delete_shared(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req,
                                 const srs_lb_shm_rtc_delete_t *e, const char *why, bool forward_auth)
{
    delete_copy_t d;
    snprintf(d.ufrag, sizeof(d.ufrag), "%s", e->ufrag);
    snprintf(d.token, sizeof(d.token), "%s", e->token);
    snprintf(d.origin_ip, sizeof(d.origin_ip), "%s", e->origin_ip);
    d.origin_api_port = e->origin_api_port;
    snprintf(d.origin_location, sizeof(d.origin_location), "%s", e->origin_location);
    return delete_copied(p, c, req, &d, why, forward_auth);
}

/* DELETE by the session's own Location (which holds its token), or ?session=<ufrag> with that
 * token: knowing a ufrag (it travels in clear) is not enough. */
static srs_error_t serve_delete(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req)
{
    srs_rtc_session_t *s = srs_rtc_server_find_by_location(p->rtc, req->target);
    if (s && !s->token[0]) s = NULL;
    char ufrag[SRS_RTC_UFRAG_MAX], token[SRS_RTC_TOKEN_SIZE + 8];
    bool has_token = srs_http_query_get(req->query, SRS_RTC_TOKEN_PARAM, token, sizeof(token));
    bool has_session = srs_http_query_get(req->query, "session", ufrag, sizeof(ufrag));
    if (!s && has_session && has_token) {
        s = srs_rtc_server_find_by_ufrag(p->rtc, ufrag);
        if (s && (!s->token[0] || !token_equal(token, s->token))) s = NULL;
    }
    if (!s && has_token && srs_lb_is_shm(p->lb)) {
        srs_lb_shm_rtc_delete_t e;
        if (srs_lb_shm_rtc_find_delete(p->lb, token, has_session ? ufrag : NULL, &e)) {
            return delete_shared(p, c, req, &e, "deleted by client", true);
        }
    }
    if (!s) return reply_error(c, 404, srs_error_new(ERROR_SESSION_NOT_FOUND, "no WebRTC session for this Location"));
    return delete_session(p, c, req, s, "deleted by client", true);
}

srs_error_t srs_rtc_api_delete_by_ufrag(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req, const char *ufrag)
{
    srs_rtc_session_t *s = srs_rtc_server_find_by_ufrag(p->rtc, ufrag);
    if (!s) {
        srs_lb_shm_rtc_delete_t e;
        if (srs_lb_shm_rtc_find_delete_by_ufrag(p->lb, ufrag, &e)) {
            return delete_shared(p, c, req, &e, "deleted through the system API", false);
        }
        return reply_error(c, 404, srs_error_new(ERROR_SESSION_NOT_FOUND, "no WebRTC session %s", ufrag));
    }
    return delete_session(p, c, req, s, "deleted through the system API", false);
}

srs_error_t srs_rtc_api_serve(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req)
{
    const rtc_route_t *route = find_route(req->path);
    if (!strcmp(req->method, "OPTIONS")) {
        srs_http_headers_t h = {0};
        srs_api_add_cors(&h);
        srs_error_t err = srs_http_write_response(c, 200, &h, NULL, 0);
        srs_http_headers_free(&h);
        return err;
    }
    if (!strcmp(req->method, "DELETE")) return serve_delete(p, c, req);
    if (!strcmp(req->method, "POST") && route) return serve_offer(p, c, req, route);
    return reply_error(c, 405, srs_error_new(ERROR_HTTP_METHOD, "method %s not allowed", req->method));
}
