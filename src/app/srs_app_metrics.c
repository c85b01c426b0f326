/* SPDX-License-Identifier: MIT */
#include "srs_app_metrics.h"
#include "srs_app_https.h"
#include "srs_app_http_stream.h"
#include "srs_app_lb_shm.h"
#include "srs_app_master.h"
#include "srs_app_pprof.h"
#include "srs_app_pprof_heap.h"
#include "srs_app_rtmp_conn.h"
#include "srs_app_srt_server.h"
#include "srs_app_srs_api.h"
#include "srs_core_log.h"
#include "srs_kernel_prometheus.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_resp.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static srs_tcp_server_t *exporter;
static srs_utime_t started_wall;

/* Origins as the load balancer lists them, collected first: a family's samples go together. */
typedef struct {
    char id[400];
    char ip[64];
    bool alive;
} origin_row_t;

typedef struct {
    origin_row_t *rows;
    size_t n, cap;
} origin_rows_t;

static void collect_origin(void *ctx, const srs_origin_t *o, bool alive)
{
    origin_rows_t *r = (origin_rows_t *)ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->rows = (origin_row_t *)realloc(r->rows, r->cap * sizeof(*r->rows));
        if (!r->rows) abort();
    }
    origin_row_t *row = &r->rows[r->n++];
    srs_origin_id(o, row->id, sizeof(row->id));
    snprintf(row->ip, sizeof(row->ip), "%s", o->ip);
    row->alive = alive;
}

static void put_pick(void *ctx, const char *origin_id, uint64_t picks)
{
    const char *labels[] = {"origin", origin_id};
    srs_prom_sample_u64((srs_strbuf_t *)ctx, "srs_proxy_origin_picks_total", labels, 1, picks);
}

typedef struct {
    const char *table[8];
    uint64_t capacity[8];
    int n;
} shm_rows_t;

static void put_shm_table(void *ctx, const char *table, uint32_t entries, uint32_t capacity, uint64_t evictions)
{
    SRS_UNUSED(entries);
    SRS_UNUSED(evictions);
    shm_rows_t *r = (shm_rows_t *)ctx;
    if (r->n == 8) return;
    r->table[r->n] = table;
    r->capacity[r->n] = capacity;
    r->n++;
}

/* PROXY_WORKERS > 1: the master's counters and the shared tables' capacities (every sample of a
 * worker also carries worker="<index>"); their entries are srs_proxy_lb_entries. */
static void render_workers(srs_proxy_t *p, srs_strbuf_t *out)
{
    srs_master_render_metrics(out);
    if (!p->lb || !srs_lb_is_shm(p->lb)) return;
    shm_rows_t r;
    memset(&r, 0, sizeof(r));
    srs_lb_shm_foreach_table(p->lb, put_shm_table, &r);
    srs_prom_family(out, "srs_proxy_shm_capacity", "gauge",
                    "Capacity of each table of the shared region (PROXY_MAX_ORIGINS, PROXY_LB_MAX_STREAMS, PROXY_LB_MAX_SESSIONS).");
    for (int i = 0; i < r.n; i++) {
        const char *labels[] = {"table", r.table[i]};
        srs_prom_sample_u64(out, "srs_proxy_shm_capacity", labels, 1, r.capacity[i]);
    }
}

static void render_process(srs_strbuf_t *out)
{
    const char *build[] = {"version", SRS_PROXY_VERSION, "signature", SRS_PROXY_SIGNATURE,
                           "cpu_profiler", srs_pprof_cpu_available() ? "yes" : "no",
                           "heap_sampler", srs_heap_sampler_available() ? "yes" : "no"};
    srs_prom_family(out, "srs_proxy_build_info", "gauge", "Always 1; the labels say which build runs.");
    srs_prom_sample_u64(out, "srs_proxy_build_info", build, 4, 1);

    srs_prom_family(out, "srs_proxy_start_time_seconds", "gauge", "When the proxy started, in seconds since the epoch.");
    srs_prom_sample_double(out, "srs_proxy_start_time_seconds", NULL, 0, (double)started_wall / SRS_UTIME_SECONDS);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    srs_prom_family(out, "srs_proxy_cpu_seconds_total", "counter", "CPU time the proxy used, user and system.");
    srs_prom_sample_double(out, "srs_proxy_cpu_seconds_total", NULL, 0, cpu);

    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    srs_prom_family(out, "srs_proxy_resident_memory_bytes", "gauge", "Resident memory of the proxy.");
    srs_prom_sample_u64(out, "srs_proxy_resident_memory_bytes", NULL, 0, (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE));
    /* What malloc has handed out and not had back: beside RSS it tells a leak from fragmentation. */
    struct mallinfo2 mi = mallinfo2();
    srs_prom_family(out, "srs_proxy_heap_inuse_bytes", "gauge", "Heap bytes in use (glibc mallinfo2: uordblks + hblkhd).");
    srs_prom_sample_u64(out, "srs_proxy_heap_inuse_bytes", NULL, 0, (uint64_t)(mi.uordblks + mi.hblkhd));

    srs_prom_family(out, "srs_proxy_coroutines", "gauge", "Live coroutines (see /debug/pprof/goroutine).");
    srs_prom_sample_u64(out, "srs_proxy_coroutines", NULL, 0, (uint64_t)srs_coroutine_registry_count());
}


static void render_tcp_refused(void *ctx, const char *name, int conns, const uint64_t refused[SRS_TCP_REFUSE_REASONS])
{
    SRS_UNUSED(conns);
    for (int r = 0; r < SRS_TCP_REFUSE_REASONS; r++) {
        const char *labels[] = {"listener", name, "reason", srs_tcp_refuse_reason_name((srs_tcp_refuse_reason_t)r)};
        srs_prom_sample_u64((srs_strbuf_t *)ctx, "srs_proxy_tcp_refused_by_reason_total", labels, 2, refused[r]);
    }
}
static void render_tcp(srs_proxy_t *p, srs_strbuf_t *out)
{
    /* Every TCP listener of the proxy; a new one goes here too. */
    struct { const char *name; srs_tcp_server_t *s; } listeners[] = {
        {"rtmp", p->rtmp}, {"http_api", p->http_api}, {"system_api", p->system_api}, {"http_server", p->http_server},
    };
    srs_prom_family(out, "srs_proxy_tcp_connections", "gauge", "Live TCP connections by listener.");
    for (size_t i = 0; i < SRS_ARRAY_SIZE(listeners); i++) {
        if (!listeners[i].s) continue;
        const char *labels[] = {"listener", listeners[i].name};
        srs_prom_sample_u64(out, "srs_proxy_tcp_connections", labels, 1, (uint64_t)srs_tcp_server_conn_count(listeners[i].s));
    }
    if (srs_pprof_port()) {
        const char *labels[] = {"listener", "pprof"};
        srs_prom_sample_u64(out, "srs_proxy_tcp_connections", labels, 1, (uint64_t)srs_pprof_conn_count());
    }
    if (exporter) {
        const char *labels[] = {"listener", "exporter"};
        srs_prom_sample_u64(out, "srs_proxy_tcp_connections", labels, 1, (uint64_t)srs_tcp_server_conn_count(exporter));
    }
    srs_prom_family(out, "srs_proxy_tcp_connections_limit", "gauge", "PROXY_MAX_CONNECTIONS over all listeners (0: none).");
    srs_prom_sample_u64(out, "srs_proxy_tcp_connections_limit", NULL, 0, p->cfg ? (uint64_t)p->cfg->max_connections : 0);
    srs_prom_family(out, "srs_proxy_tcp_refused_total", "counter", "TCP connections refused over PROXY_MAX_CONNECTIONS.");
    srs_prom_sample_u64(out, "srs_proxy_tcp_refused_total", NULL, 0, srs_tcp_server_refused_total());
    /* Fair shares: refusals by listener and reason (total, listener, per_ip). */
    srs_prom_family(out, "srs_proxy_tcp_refused_by_reason_total", "counter",
                    "TCP connections refused, by listener and by the limit hit (total: PROXY_MAX_CONNECTIONS, listener: its own pool, per_ip: one address's share).");
    srs_tcp_server_foreach(render_tcp_refused, out);
    /* Origins' replies the HTTP stream server refused (502/504 to the player). */
    const srs_http_stream_stats_t *hs = srs_http_stream_stats();
    srs_prom_family(out, "srs_proxy_http_origin_refused_total", "counter",
                    "Origin replies refused by the HTTP stream server, by reason.");
    const struct { const char *reason; uint64_t v; } rows[] = {
        {"playlist_too_large", hs->playlist_too_large}, {"timeout", hs->origin_timeout}, {"bad_reply", hs->origin_bad_reply}};
    for (size_t i = 0; i < SRS_ARRAY_SIZE(rows); i++) {
        const char *labels[] = {"reason", rows[i].reason};
        srs_prom_sample_u64(out, "srs_proxy_http_origin_refused_total", labels, 1, rows[i].v);
    }
}

static void render_rtc(srs_proxy_t *p, srs_strbuf_t *out)
{
    srs_rtc_stats_t zero;
    memset(&zero, 0, sizeof(zero));
    const srs_rtc_stats_t *s = p->rtc ? srs_rtc_server_stats(p->rtc) : &zero;

    srs_prom_family(out, "srs_proxy_rtc_sessions", "gauge", "Live WebRTC sessions (WHIP and WHEP).");
    srs_prom_sample_u64(out, "srs_proxy_rtc_sessions", NULL, 0, p->rtc ? (uint64_t)srs_rtc_server_session_count(p->rtc) : 0);
    srs_prom_family(out, "srs_proxy_rtc_sessions_created_total", "counter", "WebRTC sessions signalled.");
    srs_prom_sample_u64(out, "srs_proxy_rtc_sessions_created_total", NULL, 0, s->sessions_created);
    srs_prom_family(out, "srs_proxy_rtc_sessions_ended_total", "counter", "WebRTC sessions ended (timeout, DELETE, alert, error).");
    srs_prom_sample_u64(out, "srs_proxy_rtc_sessions_ended_total", NULL, 0, s->sessions_ended);

    const char *to_origin[] = {"direction", "to_origin"}, *to_client[] = {"direction", "to_client"};
    srs_prom_family(out, "srs_proxy_rtc_packets_total", "counter", "UDP datagrams the WebRTC relay forwarded, by direction.");
    srs_prom_sample_u64(out, "srs_proxy_rtc_packets_total", to_origin, 1, s->to_origin_packets);
    srs_prom_sample_u64(out, "srs_proxy_rtc_packets_total", to_client, 1, s->to_client_packets);
    srs_prom_family(out, "srs_proxy_rtc_bytes_total", "counter", "UDP payload bytes the WebRTC relay forwarded, by direction.");
    srs_prom_sample_u64(out, "srs_proxy_rtc_bytes_total", to_origin, 1, s->to_origin_bytes);
    srs_prom_sample_u64(out, "srs_proxy_rtc_bytes_total", to_client, 1, s->to_client_bytes);

    struct { const char *reason; uint64_t n; } drops[] = {
        {"unknown_address", s->drop_unknown_addr}, {"unknown_ufrag", s->drop_unknown_ufrag},
        {"invalid_stun", s->drop_stun_invalid}, {"send_to_origin", s->drop_send_to_origin},
        {"send_to_client", s->drop_send_to_client}, {"resolver_busy", s->drop_resolver_busy},
        {"stun_integrity", s->drop_stun_integrity},
    };
    srs_prom_family(out, "srs_proxy_rtc_dropped_packets_total", "counter", "UDP datagrams the WebRTC relay dropped, by reason.");
    for (size_t i = 0; i < SRS_ARRAY_SIZE(drops); i++) {
        const char *labels[] = {"reason", drops[i].reason};
        srs_prom_sample_u64(out, "srs_proxy_rtc_dropped_packets_total", labels, 1, drops[i].n);
    }

    struct { const char *reason; uint64_t n; } refused[] = {
        {"max_sessions", s->refused_max_sessions}, {"max_sessions_per_ip", s->refused_per_ip},
        {"offer_rate", s->refused_offer_rate},
    };
    srs_prom_family(out, "srs_proxy_rtc_sessions_refused_total", "counter",
                    "WebRTC sessions refused over a budget (PROXY_RTC_MAX_SESSIONS, _PER_IP, PROXY_RTC_OFFERS_PER_IP).");
    for (size_t i = 0; i < SRS_ARRAY_SIZE(refused); i++) {
        const char *labels[] = {"reason", refused[i].reason};
        srs_prom_sample_u64(out, "srs_proxy_rtc_sessions_refused_total", labels, 1, refused[i].n);
    }
    srs_prom_family(out, "srs_proxy_rtc_sessions_never_bound_total", "counter",
                    "WebRTC sessions ended after PROXY_RTC_PENDING_TIMEOUT without a binding.");
    srs_prom_sample_u64(out, "srs_proxy_rtc_sessions_never_bound_total", NULL, 0, s->sessions_never_bound);
}

static void render_srt(srs_proxy_t *p, srs_strbuf_t *out)
{
    srs_srt_stats_t zero;
    memset(&zero, 0, sizeof(zero));
    const srs_srt_stats_t *s = p->srt ? srs_srt_server_stats(p->srt) : &zero;

    srs_prom_family(out, "srs_proxy_srt_sessions", "gauge", "Live SRT sessions.");
    srs_prom_sample_u64(out, "srs_proxy_srt_sessions", NULL, 0, p->srt ? (uint64_t)srs_srt_server_session_count(p->srt) : 0);
    srs_prom_family(out, "srs_proxy_srt_sessions_created_total", "counter", "SRT sessions whose handshake reached an origin.");
    srs_prom_sample_u64(out, "srs_proxy_srt_sessions_created_total", NULL, 0, s->sessions_created);

    const char *to_origin[] = {"direction", "to_origin"}, *to_client[] = {"direction", "to_client"};
    srs_prom_family(out, "srs_proxy_srt_packets_total", "counter", "UDP datagrams the SRT relay forwarded, by direction.");
    srs_prom_sample_u64(out, "srs_proxy_srt_packets_total", to_origin, 1, s->to_origin_packets);
    srs_prom_sample_u64(out, "srs_proxy_srt_packets_total", to_client, 1, s->to_client_packets);
    srs_prom_family(out, "srs_proxy_srt_bytes_total", "counter", "UDP payload bytes the SRT relay forwarded, by direction.");
    srs_prom_sample_u64(out, "srs_proxy_srt_bytes_total", to_origin, 1, s->to_origin_bytes);
    srs_prom_sample_u64(out, "srs_proxy_srt_bytes_total", to_client, 1, s->to_client_bytes);

    struct { const char *reason; uint64_t n; } drops[] = {
        {"malformed", s->drop_malformed}, {"bad_cookie", s->drop_bad_cookie}, {"bad_stream_id", s->drop_bad_stream_id},
        {"unknown_socket", s->drop_unknown_socket}, {"session_limit", s->drop_session_limit},
        {"send_to_origin", s->drop_send_to_origin}, {"send_to_client", s->drop_send_to_client},
        {"ip_session_limit", s->drop_ip_session_limit}, {"ip_handshake_limit", s->drop_ip_handshake_limit},
        {"foreign_address", s->drop_foreign_address}, {"worker_relay", s->drop_worker_relay},
    };
    srs_prom_family(out, "srs_proxy_srt_dropped_packets_total", "counter", "UDP datagrams the SRT relay dropped, by reason.");
    for (size_t i = 0; i < SRS_ARRAY_SIZE(drops); i++) {
        const char *labels[] = {"reason", drops[i].reason};
        srs_prom_sample_u64(out, "srs_proxy_srt_dropped_packets_total", labels, 1, drops[i].n);
    }
    /* PROXY_WORKERS > 1: datagrams for another worker's session, handed over or taken in. */
    const char *relay_out[] = {"direction", "out"}, *relay_in[] = {"direction", "in"};
    srs_prom_family(out, "srs_proxy_srt_worker_relayed_packets_total", "counter",
                    "SRT datagrams relayed between workers: out, to the worker holding the session; in, from another worker.");
    srs_prom_sample_u64(out, "srs_proxy_srt_worker_relayed_packets_total", relay_out, 1, s->worker_relayed_out);
    srs_prom_sample_u64(out, "srs_proxy_srt_worker_relayed_packets_total", relay_in, 1, s->worker_relayed_in);
    srs_prom_family(out, "srs_proxy_srt_worker_directory_misses_total", "counter",
                    "SRT sessions left out of the workers' directory (full, or their origin socket id is another worker's).");
    srs_prom_sample_u64(out, "srs_proxy_srt_worker_directory_misses_total", NULL, 0, s->worker_directory_full);
}

/* The load balancer's bounds (issue 15/21): table sizes of either balancer, what the bounds
 * dropped or refused, and the Redis client's failures by reason. */
static void render_lb_bounds(srs_proxy_t *p, srs_strbuf_t *out)
{
    /* One family for either balancer (Redis: its local caches); srt is the SRT relay's sessions. */
    srs_lb_memory_sizes_t m, r;
    srs_lb_memory_sizes(p->lb, &m);
    srs_lb_redis_sizes(p->lb, &r);
    srs_lb_shm_sizes(p->lb, &m); /* workers: the shared tables, the same for every worker */
    struct { const char *table; size_t n; } tables[] = {
        {"picked", m.picked + r.picked}, {"hls_streams", m.hls_streams + r.hls_streams},
        {"hls_sessions", m.hls_sessions + r.hls_sessions}, {"rtc_sessions", m.rtc_sessions + r.rtc_sessions},
        {"origins", m.origins + r.origins},
        {"srt_sessions", p->srt ? (size_t)srs_srt_server_session_count(p->srt) : 0},
    };
    srs_prom_family(out, "srs_proxy_lb_entries", "gauge", "Entries in the load balancer's tables (Redis: its local caches).");
    for (size_t i = 0; i < SRS_ARRAY_SIZE(tables); i++) {
        const char *labels[] = {"table", tables[i].table};
        srs_prom_sample_u64(out, "srs_proxy_lb_entries", labels, 1, tables[i].n);
    }
    const srs_lb_stats_t *st = srs_lb_stats();
    const char *picks[] = {"table", "picks"}, *sessions[] = {"table", "sessions"};
    srs_prom_family(out, "srs_proxy_lb_evictions_total", "counter", "Entries dropped because their table was full (PROXY_LB_MAX_STREAMS, PROXY_LB_MAX_SESSIONS).");
    srs_prom_sample_u64(out, "srs_proxy_lb_evictions_total", picks, 1, st->evicted_picks);
    srs_prom_sample_u64(out, "srs_proxy_lb_evictions_total", sessions, 1, st->evicted_sessions);
    srs_prom_family(out, "srs_proxy_lb_origins_refused_total", "counter", "Registrations refused: PROXY_MAX_ORIGINS live origins known.");
    srs_prom_sample_u64(out, "srs_proxy_lb_origins_refused_total", NULL, 0, st->refused_origins);
    srs_prom_family(out, "srs_proxy_lb_redis_invalid_values_total", "counter", "Origins and sessions read from Redis that failed validation.");
    srs_prom_sample_u64(out, "srs_proxy_lb_redis_invalid_values_total", NULL, 0, st->invalid_redis_values);

    const srs_resp_stats_t *rs = srs_resp_stats();
    struct { const char *reason; uint64_t n; } errs[] = {
        {"reply_too_large", rs->reply_too_large}, {"deadline", rs->deadline}, {"protocol", rs->protocol},
        {"io", rs->io}, {"fail_fast", rs->fail_fast},
    };
    srs_prom_family(out, "srs_proxy_redis_errors_total", "counter", "Failed Redis exchanges, by reason.");
    for (size_t i = 0; i < SRS_ARRAY_SIZE(errs); i++) {
        const char *labels[] = {"reason", errs[i].reason};
        srs_prom_sample_u64(out, "srs_proxy_redis_errors_total", labels, 1, errs[i].n);
    }
}

static void render_origins(srs_proxy_t *p, srs_strbuf_t *out)
{
    origin_rows_t rows = {0};
    srs_lb_foreach_origin_cached(p->lb, collect_origin, &rows); /* no Redis I/O */
    size_t alive = 0;
    for (size_t i = 0; i < rows.n; i++) alive += rows.rows[i].alive;

    srs_prom_family(out, "srs_proxy_origins", "gauge", "Origins registered with the load balancer.");
    srs_prom_sample_u64(out, "srs_proxy_origins", NULL, 0, rows.n);
    srs_prom_family(out, "srs_proxy_origins_alive", "gauge", "Origins heard from within PROXY_ORIGIN_SERVER_TTL.");
    srs_prom_sample_u64(out, "srs_proxy_origins_alive", NULL, 0, alive);
    srs_prom_family(out, "srs_proxy_origin_up", "gauge", "1 when the origin is alive, 0 when its heartbeat is overdue.");
    for (size_t i = 0; i < rows.n; i++) {
        const char *labels[] = {"origin", rows.rows[i].id, "ip", rows.rows[i].ip};
        srs_prom_sample_u64(out, "srs_proxy_origin_up", labels, 2, rows.rows[i].alive ? 1 : 0);
    }
    free(rows.rows);

    srs_prom_family(out, "srs_proxy_origin_picks_total", "counter", "Streams the load balancer sent to each origin (memory balancer).");
    if (p->lb) srs_lb_memory_foreach_picks(p->lb, put_pick, out);
    if (p->lb) srs_lb_shm_foreach_picks(p->lb, put_pick, out);

    render_lb_bounds(p, out);
}

void srs_metrics_render(srs_proxy_t *p, srs_strbuf_t *out)
{
    if (!started_wall) started_wall = srs_time_now_wall();
    render_process(out);
    render_tcp(p, out);
    render_rtc(p, out);
    render_srt(p, out);
    srs_rtmp_metrics_render(out);
    render_origins(p, out);
    srs_srs_api_render_metrics(out);
    render_workers(p, out);
    srs_https_metrics(out);
}

srs_error_t srs_metrics_serve(srs_proxy_t *p, srs_http_conn_t *c)
{
    srs_strbuf_t out = {0};
    srs_metrics_render(p, &out);
    srs_http_headers_t h = {0};
    srs_http_headers_set(&h, "Content-Type", SRS_PROMETHEUS_CONTENT_TYPE);
    srs_error_t err = srs_http_write_response(c, 200, &h, out.data, out.len);
    srs_http_headers_free(&h);
    srs_strbuf_free(&out);
    return err;
}

static srs_error_t exporter_handle(void *ctx, srs_http_conn_t *c, srs_http_request_t *req)
{
    srs_proxy_t *p = (srs_proxy_t *)ctx;
    if (!strcmp(req->path, "/metrics")) return srs_metrics_serve(p, c);
    if (!strcmp(req->path, "/")) {
        static const char page[] = "<html><head><title>srs-proxy exporter</title></head>"
                                   "<body><a href='/metrics'>Metrics</a></body></html>\n";
        srs_http_headers_t h = {0};
        srs_http_headers_set(&h, "Content-Type", "text/html; charset=utf-8");
        srs_error_t err = srs_http_write_response(c, 200, &h, page, sizeof(page) - 1);
        srs_http_headers_free(&h);
        return err;
    }
    return srs_http_write_error(c, 404, ERROR_HTTP_NOT_FOUND, "not found: see /metrics");
}

static srs_error_t exporter_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    SRS_UNUSED(peer);
    return srs_http_serve_conn(fd, NULL, exporter_handle, ctx);
}

srs_error_t srs_metrics_exporter_start(srs_proxy_t *p)
{
    started_wall = srs_time_now_wall();
    const srs_config_t *cfg = p->cfg;
    if (!cfg || !cfg->exporter_enabled) return srs_success;
    char addr[96];
    srs_listen_format(&cfg->exporter, addr, sizeof(addr));
    srs_error_t err = srs_tcp_server_start("exporter", cfg->exporter.host, cfg->exporter.port, exporter_on_conn, NULL, p, &exporter);
    if (err) return srs_error_wrap(err, "PROXY_EXPORTER=%s", addr);
    /* Not counted in PROXY_MAX_CONNECTIONS: the system API's share. */
    srs_tcp_server_set_own_limits(exporter, cfg->system_api_max_connections, cfg->system_api_max_connections_per_ip);
    srs_log_info("Prometheus exporter at http://%s/metrics", addr);
    return srs_success;
}

void srs_metrics_exporter_close_listener(void)
{
    srs_tcp_server_close_listener(exporter);
}

void srs_metrics_exporter_free(void)
{
    srs_tcp_server_free(exporter);
    exporter = NULL;
}

int srs_metrics_exporter_port(void)
{
    return exporter ? srs_tcp_server_port(exporter) : 0;
}
