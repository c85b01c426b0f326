/* SPDX-License-Identifier: MIT */
#include "srs_app_https.h"
#include "srs_app_http_api.h"
#include "srs_app_http_stream.h"
#include "srs_core_log.h"
#include "srs_kernel_prometheus.h"
#include "srs_protocol_http.h"
#include "srs_protocol_tls.h"

#include <string.h>
#include <sys/stat.h>

/* How often the certificate and key files are checked for a change (a renewal by certbot or a
 * Kubernetes secret update reloads them without a SIGHUP). */
#define SRS_HTTPS_WATCH_INTERVAL (5 * SRS_UTIME_SECONDS)

static const srs_config_t *https_cfg;
/* The context new connections take; a reload replaces it (live SSLs hold their own reference). */
static SSL_CTX *current_ctx;
static srs_tcp_server_t *https_api, *https_server;
static uint64_t reloads_ok, reloads_failed;
static srs_coroutine_t *watch_co;
/* What the files looked like at the last load attempt: a change of any field is a new file. */
typedef struct { dev_t dev; ino_t ino; off_t size; struct timespec mtime; } file_id_t;
static file_id_t cert_seen, key_seen;

static void file_id(const char *path, file_id_t *out)
{
    struct stat st;
    memset(out, 0, sizeof(*out));
    if (stat(path, &st) == 0) {
        out->dev = st.st_dev;
        out->ino = st.st_ino;
        out->size = st.st_size;
        out->mtime = st.st_mtim;
    }
}

static bool file_id_same(const file_id_t *a, const file_id_t *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static srs_error_t https_api_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    return srs_http_api_on_conn_tls(ctx, fd, peer, current_ctx);
}

static srs_error_t https_stream_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    return srs_http_stream_on_conn_tls(ctx, fd, peer, current_ctx);
}

srs_error_t srs_https_reload(void)
{
    if (!https_cfg || (!https_cfg->https_api_enabled && !https_cfg->https_server_enabled)) return srs_success;
    file_id(https_cfg->https_cert, &cert_seen);
    file_id(https_cfg->https_key, &key_seen);
    SSL_CTX *ctx = NULL;
    srs_error_t err = srs_tls_server_ctx_new(https_cfg->https_cert, https_cfg->https_key, &ctx);
    if (err) {
        reloads_failed++;
        return srs_error_wrap(err, "reload PROXY_HTTPS_CERT/PROXY_HTTPS_KEY, keep the old certificate");
    }
    /* No switch between here and the swap: a connection starting now takes one or the other. */
    SSL_CTX_free(current_ctx);
    current_ctx = ctx;
    reloads_ok++;
    srs_log_info("HTTPS certificate loaded from %s", https_cfg->https_cert);
    return srs_success;
}

/* Reloads when either file changed since the last attempt (a failed one is not retried until
 * the files change again, or a SIGHUP). */
static srs_error_t watch_cycle(void *arg)
{
    SRS_UNUSED(arg);
    for (;;) {
        srs_error_t err = srs_st_usleep(SRS_HTTPS_WATCH_INTERVAL);
        if (err) return err;
        file_id_t cert, key;
        file_id(https_cfg->https_cert, &cert);
        file_id(https_cfg->https_key, &key);
        if (file_id_same(&cert, &cert_seen) && file_id_same(&key, &key_seen)) continue;
        srs_log_info("HTTPS certificate or key changed on disk, reload");
        if ((err = srs_https_reload()) != srs_success) {
            srs_log_error("%s", srs_error_summary(err));
            srs_error_free(err);
        }
    }
}

srs_error_t srs_https_start(srs_proxy_t *p)
{
    const srs_config_t *cfg = p->cfg;
    https_cfg = cfg;
    if (!cfg->https_api_enabled && !cfg->https_server_enabled) return srs_success;
    srs_error_t err = srs_https_reload();
    if (err) return srs_error_wrap(err, "HTTPS");
    /* No on_refuse: a refused TLS client is closed (a plaintext 503 would be noise to it). */
    if (cfg->https_api_enabled) {
        err = srs_tcp_server_start("HTTPS API", cfg->https_api.host, cfg->https_api.port, https_api_on_conn, NULL, p, &https_api);
        if (err) return srs_error_wrap(err, "start HTTPS API");
    }
    if (cfg->https_server_enabled) {
        err = srs_tcp_server_start("HTTPS Stream", cfg->https_server.host, cfg->https_server.port, https_stream_on_conn, NULL, p,
                                   &https_server);
        if (err) return srs_error_wrap(err, "start HTTPS Stream");
    }
    watch_co = srs_coroutine_new("https-watch", watch_cycle, NULL);
    return srs_coroutine_start(watch_co);
}

void srs_https_close_listeners(void)
{
    srs_tcp_server_close_listener(https_api);
    srs_tcp_server_close_listener(https_server);
}

int srs_https_conn_count(void)
{
    return (https_api ? srs_tcp_server_conn_count(https_api) : 0) +
           (https_server ? srs_tcp_server_conn_count(https_server) : 0);
}

void srs_https_free(void)
{
    srs_coroutine_free(watch_co);
    watch_co = NULL;
    srs_tcp_server_free(https_server);
    srs_tcp_server_free(https_api);
    https_server = https_api = NULL;
    SSL_CTX_free(current_ctx);
    current_ctx = NULL;
    https_cfg = NULL;
}

void srs_https_metrics(srs_strbuf_t *out)
{
    srs_http_tls_stats_t st;
    srs_http_tls_stats(&st);
    srs_prom_family(out, "srs_proxy_tls_handshakes_total", "counter",
                    "TLS handshakes on the HTTPS listeners by result (ok, failed, timeout: not done within PROXY_HTTP_HEAD_TIMEOUT, closed).");
    const struct { const char *result; uint64_t v; } rows[] = {
        {"ok", st.handshakes}, {"failed", st.handshake_failures}, {"timeout", st.handshake_timeouts}, {"closed", st.handshake_closed}};
    for (size_t i = 0; i < SRS_ARRAY_SIZE(rows); i++) {
        const char *labels[] = {"result", rows[i].result};
        srs_prom_sample_u64(out, "srs_proxy_tls_handshakes_total", labels, 1, rows[i].v);
    }
    srs_prom_family(out, "srs_proxy_tls_cert_reloads_total", "counter", "Certificate loads (start and SIGHUP) by result.");
    const char *ok[] = {"result", "ok"}, *failed[] = {"result", "failed"};
    srs_prom_sample_u64(out, "srs_proxy_tls_cert_reloads_total", ok, 1, reloads_ok);
    srs_prom_sample_u64(out, "srs_proxy_tls_cert_reloads_total", failed, 1, reloads_failed);
    srs_prom_family(out, "srs_proxy_https_connections", "gauge", "Live connections on the HTTPS listeners.");
    const char *api[] = {"listener", "https_api"}, *server[] = {"listener", "https_server"};
    srs_prom_sample_u64(out, "srs_proxy_https_connections", api, 1, https_api ? (uint64_t)srs_tcp_server_conn_count(https_api) : 0);
    srs_prom_sample_u64(out, "srs_proxy_https_connections", server, 1,
                        https_server ? (uint64_t)srs_tcp_server_conn_count(https_server) : 0);
}
