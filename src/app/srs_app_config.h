/* SPDX-License-Identifier: MIT */
/* The proxy's configuration, read from the environment exactly like the Go proxy (spec 1.1):
 * a .env file fills variables not already set, a variable that is unset or empty takes its
 * default, and every value is checked once at startup. Unlike Go, an invalid value fails
 * startup with a message naming the variable, PROXY_STATIC_FILES= (empty) disables static
 * files, and the Redis password is never logged. */
#ifndef SRS_APP_CONFIG_H
#define SRS_APP_CONFIG_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_kernel_listen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The default .env file, in the working directory as in Go. */
#define SRS_CONFIG_DOTENV ".env"
/* A larger .env file is refused; a real one is a few KiB. */
#define SRS_CONFIG_DOTENV_MAX (1024 * 1024)
/* PROXY_WORKERS at most. */
#define SRS_CONFIG_MAX_WORKERS 256

typedef struct {
    /* listeners */
    srs_listen_t http_api, http_server, rtmp_server, webrtc_server, srt_server, system_api;
    bool pprof_enabled; srs_listen_t pprof;           /* PROXY_PPROF, or GO_PPROF as alias */
    bool exporter_enabled; srs_listen_t exporter;     /* PROXY_EXPORTER (new, optional): own /metrics listener */
    srs_utime_t force_quit_timeout, grace_quit_timeout, origin_server_ttl;
    char static_files[1024];  bool static_files_enabled;
    bool lb_redis;            /* PROXY_LOAD_BALANCER_TYPE: "memory" (default) or "redis"; others invalid */
    char redis_host[256]; int redis_port; char redis_password[256]; int redis_db; char redis_key_prefix[256];
    bool default_backend_enabled;
    char default_backend_ip[64], default_backend_rtmp[64], default_backend_http[64],
         default_backend_api[64], default_backend_rtc[64], default_backend_srt[64];
    /* New in this proxy (not in Go), all optional: */
    char webrtc_candidate[64];           /* PROXY_WEBRTC_CANDIDATE, "" = keep the origin's IP */
    srs_utime_t rtc_session_timeout;     /* PROXY_RTC_SESSION_TIMEOUT, default 30s */
    srs_utime_t srt_session_timeout;     /* PROXY_SRT_SESSION_TIMEOUT, default 30s */
    int max_connections;                 /* PROXY_MAX_CONNECTIONS, default 10000 (0 = unlimited) */
    char system_api_token[256];          /* PROXY_SYSTEM_API_TOKEN, "" = no token required */
    /* HTTP hardening (fair shares of connections, playlist bounds). */
    int max_connections_per_ip;          /* PROXY_MAX_CONNECTIONS_PER_IP, default 5000 (0 = unlimited): one source address in the shared pool */
    int system_api_max_connections;      /* PROXY_SYSTEM_API_MAX_CONNECTIONS, default 1000: the system API's own pool (also the exporter's) */
    int system_api_max_connections_per_ip; /* PROXY_SYSTEM_API_MAX_CONNECTIONS_PER_IP, default 100 */
    int hls_max_playlist;                /* PROXY_HLS_MAX_PLAYLIST, default 1048576 bytes from the origin; the rewrite may give 4x */
    srs_utime_t http_head_timeout;       /* PROXY_HTTP_HEAD_TIMEOUT, default 10s: a request head, whole, from its first byte */
    srs_utime_t http_body_timeout;       /* PROXY_HTTP_BODY_TIMEOUT, default 30s: a request body, whole, from the end of its head */
    /* WebRTC budgets (srs_app_rtc_api.c, srs_app_rtc_server.c); 0 = no cap: */
    int rtc_max_sessions;                /* PROXY_RTC_MAX_SESSIONS, default 10000 */
    int rtc_max_sessions_per_ip;         /* PROXY_RTC_MAX_SESSIONS_PER_IP, default 1000 */
    int rtc_offers_per_ip;               /* PROXY_RTC_OFFERS_PER_IP, offers per second per address, default 500 */
    srs_utime_t rtc_pending_timeout;     /* PROXY_RTC_PENDING_TIMEOUT, offered but never bound, default 10s */
    /* SRS's API through the proxy (srs_app_srs_api.c): */
    srs_utime_t srs_api_timeout;         /* PROXY_SRS_API_TIMEOUT, default 3s: whole answer of all origins */
    srs_utime_t srs_api_cache;           /* PROXY_SRS_API_CACHE, default 1s: an origin's list is asked at most once per this */
    int srs_api_max_entries;             /* PROXY_SRS_API_MAX_ENTRIES, default 10000: merged entries over all origins */
    int log_level;                       /* PROXY_LOG_LEVEL: debug|info|warn|error, default info (srs_core_log.h) */
    /* SRT budgets (srs_app_srt_server.c); over one, the caller gets a rejection (SRT_REJ_RESOURCE). */
    int srt_max_sessions;                /* PROXY_SRT_MAX_SESSIONS, default 10000 (0 = unlimited) */
    int srt_max_sessions_per_ip;         /* PROXY_SRT_MAX_SESSIONS_PER_IP, default 100 (0 = unlimited) */
    int srt_max_handshakes_per_ip;       /* PROXY_SRT_MAX_HANDSHAKES_PER_IP, default 16 (0 = unlimited) */
    srs_utime_t srt_handshake_timeout;   /* PROXY_SRT_HANDSHAKE_TIMEOUT, default 10s: induction to the
                                          * caller's first packet after the conclusion, in all */
    /* Load balancer table bounds (srs_lb_limits_t in srs_app_lb.h): */
    int max_origins;                     /* PROXY_MAX_ORIGINS, default 1024 origins known at once */
    int lb_max_streams;                  /* PROXY_LB_MAX_STREAMS, default 10000 sticky picks */
    int lb_max_sessions;                 /* PROXY_LB_MAX_SESSIONS, default 50000 entries per session table */
    srs_utime_t lb_pick_idle;            /* PROXY_LB_PICK_IDLE, default 3600s: an unused sticky pick expires */
    /* Workers (srs_app_master.c): */
    int workers;                         /* PROXY_WORKERS, default 1 (one process, no master); a number 1..256 or "auto" (online CPUs) */
    /* HTTPS (srs_app_https.c): TLS listeners twin to the HTTP API and the HTTP stream server, off
     * by default; the certificate and key are re-read on SIGHUP. */
    bool https_api_enabled, https_server_enabled;
    srs_listen_t https_api;              /* PROXY_HTTPS_API, default off: WHIP/WHEP over TLS */
    srs_listen_t https_server;           /* PROXY_HTTPS_SERVER, default off: FLV/TS/HLS/static over TLS */
    char https_cert[1024];               /* PROXY_HTTPS_CERT: PEM, full chain, leaf first */
    char https_key[1024];                /* PROXY_HTTPS_KEY: PEM private key */
} srs_config_t;

/* Loads `dotenv_path` (normally SRS_CONFIG_DOTENV; NULL skips it; a missing file is fine and logs
 * "no .env file found, skipping"; any other read error fails) into the process environment, each
 * key only if not already set, even when set to empty (as Go's LookupEnv); a key repeated in the
 * file takes its last value. Then reads every variable, applies defaults when the variable is
 * unset or empty (as Go), validates, and fills cfg.
 * PROXY_STATIC_FILES: unset -> "./trunk/research"; set to empty -> disabled; a path that is not an
 * existing directory -> error naming PROXY_STATIC_FILES. Every error names the variable and the
 * bad value (never a secret's value), e.g. "invalid PROXY_ORIGIN_SERVER_TTL=abc: ...".
 * The caller applies cfg->log_level with srs_log_set_level. */
srs_error_t srs_config_load(srs_config_t *cfg, const char *dotenv_path);

/* Writes every variable as it is used, "GO_PPROF=..., PROXY_FORCE_QUIT_TIMEOUT=30s, ...", into
 * buf; the Redis password and the system API token appear as "******" when set. */
void srs_config_describe(const srs_config_t *cfg, char *buf, size_t size);

/* One info log line with srs_config_describe. */
void srs_config_log(const srs_config_t *cfg);

#ifdef __cplusplus
}
#endif

#endif
