/* SPDX-License-Identifier: MIT */
#include "srs_app_config.h"
#include "srs_core_log.h"
#include "srs_kernel_dotenv.h"
#include "srs_kernel_duration.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_MASK "******"

/* ---- .env into the environment ---- */

/* The keys this load has set, so a key repeated in the file takes its last value (Go builds a
 * map first) while a key the process already had is never touched. */
typedef struct {
    char **keys;
    size_t count, cap;
    srs_error_t err;
} dotenv_apply_t;

static bool dotenv_applied(const dotenv_apply_t *a, const char *key)
{
    for (size_t i = 0; i < a->count; i++) {
        if (!strcmp(a->keys[i], key)) return true;
    }
    return false;
}

static void dotenv_apply(void *ctx, const char *key, const char *value)
{
    dotenv_apply_t *a = (dotenv_apply_t *)ctx;
    /* An empty key cannot be a variable; Go's os.Setenv refuses it as well. */
    if (a->err || !*key) return;
    bool ours = dotenv_applied(a, key);
    if (!ours && getenv(key)) return;

    if (!ours && a->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        char **keys = (char **)realloc(a->keys, cap * sizeof(*keys));
        if (!keys) { a->err = srs_error_new(ERROR_SYSTEM_NOMEM, "no memory for .env keys"); return; }
        a->keys = keys;
        a->cap = cap;
    }
    char *copy = ours ? NULL : strdup(key);
    if (!ours && !copy) { a->err = srs_error_new(ERROR_SYSTEM_NOMEM, "no memory for .env key"); return; }
    if (setenv(key, value, 1) != 0) {
        free(copy);
        a->err = srs_error_new(ERROR_ENV_FILE, "setenv %s", key);
        return;
    }
    if (copy) a->keys[a->count++] = copy;
}

/* Read the whole file; *missing is set (and no error) when it does not exist. */
static srs_error_t read_file(const char *path, char **out, size_t *out_len, bool *missing)
{
    *missing = false;
    FILE *f = fopen(path, "rb");
    if (!f) {
        /* errno is cleared so later errors do not carry this harmless ENOENT. */
        if (errno == ENOENT) { *missing = true; errno = 0; return srs_success; }
        return srs_error_new(ERROR_SYSTEM_FILE, "open %s", path);
    }

    srs_error_t err = srs_success;
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= SRS_CONFIG_DOTENV_MAX) {
                err = srs_error_new(ERROR_ENV_FILE, "%s is not smaller than %d bytes", path, SRS_CONFIG_DOTENV_MAX);
                break;
            }
            size_t bigger_cap = cap ? cap * 2 : 4096;
            char *bigger = (char *)realloc(text, bigger_cap);
            if (!bigger) { err = srs_error_new(ERROR_SYSTEM_NOMEM, "read %s", path); break; }
            text = bigger;
            cap = bigger_cap;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        /* A directory opens fine and fails here, with EISDIR. */
        if (ferror(f)) { err = srs_error_new(ERROR_SYSTEM_FILE, "read %s", path); break; }
        if (n == 0 || feof(f)) break;
    }
    fclose(f);
    if (err) { free(text); return err; }
    *out = text;
    *out_len = len;
    return srs_success;
}

static srs_error_t load_dotenv(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    bool missing = false;
    srs_error_t err = read_file(path, &text, &len, &missing);
    if (err) return err;
    if (missing) {
        srs_log_info("no .env file found, skipping");
        return srs_success;
    }

    dotenv_apply_t apply = {0};
    err = srs_dotenv_parse(text, len, dotenv_apply, &apply);
    if (!err) err = apply.err;
    else srs_error_free(apply.err);
    for (size_t i = 0; i < apply.count; i++) free(apply.keys[i]);
    free(apply.keys);
    free(text);
    if (err) return srs_error_wrap(err, "parse %s", path);
    srs_log_info("successfully loaded .env file %s", path);
    return srs_success;
}

/* ---- one reader per kind of variable ---- */

/* As Go: unset or empty takes the default. */
static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return (v && *v) ? v : def;
}

static srs_error_t read_listen(const char *name, const char *def, srs_listen_t *out)
{
    const char *v = env_or(name, def);
    srs_error_t err = srs_listen_parse(v, out);
    if (err) return srs_error_wrap(err, "invalid %s=%s", name, v);
    return srs_success;
}

/* An optional listener: unset or empty leaves it off. */
static srs_error_t read_listen_optional(const char *name, bool *enabled, srs_listen_t *out)
{
    *enabled = false;
    const char *v = getenv(name);
    if (!v || !*v) return srs_success;
    srs_error_t err = read_listen(name, "", out);
    if (err) return err;
    *enabled = true;
    return srs_success;
}

/* A Go duration, at least `min` (exclusive when `above` is set). */
static srs_error_t read_duration(const char *name, const char *def, srs_utime_t min, bool above, srs_utime_t *out)
{
    const char *v = env_or(name, def);
    srs_error_t err = srs_duration_parse(v, out);
    if (err) return srs_error_wrap(err, "invalid %s=%s", name, v);
    if (above ? *out <= min : *out < min) {
        char limit[32];
        srs_duration_format(min, limit, sizeof(limit));
        return srs_error_new(ERROR_CONFIG_INVALID, "invalid %s=%s: must be %s %s", name, v, above ? ">" : ">=", limit);
    }
    return srs_success;
}

/* A whole decimal number in [min, max]: an optional '-' and digits, nothing else. */
static srs_error_t read_int(const char *name, const char *def, int min, int max, int *out)
{
    const char *v = env_or(name, def);
    const char *p = v;
    bool neg = *p == '-';
    if (neg) p++;
    long long x = 0;
    bool ok = *p != '\0';
    for (; ok && *p; p++) {
        if (*p < '0' || *p > '9') ok = false;
        else if ((x = x * 10 + (*p - '0')) > (long long)INT_MAX + 1) ok = false;
    }
    if (neg) x = -x;
    if (!ok || x < min || x > max) {
        return srs_error_new(ERROR_CONFIG_INVALID, "invalid %s=%s: want a whole number in %d..%d", name, v, min, max);
    }
    *out = (int)x;
    return srs_success;
}

/* Text that must fit buf; a secret's value never appears in the error. */
static srs_error_t read_string(const char *name, const char *def, bool secret, char *buf, size_t size)
{
    const char *v = env_or(name, def);
    size_t len = strlen(v);
    if (len >= size) {
        if (secret) return srs_error_new(ERROR_CONFIG_INVALID, "invalid %s: %zu bytes, max %zu", name, len, size - 1);
        return srs_error_new(ERROR_CONFIG_INVALID, "invalid %s=%s: %zu bytes, max %zu", name, v, len, size - 1);
    }
    memcpy(buf, v, len + 1);
    return srs_success;
}

/* A host name or IP: letters, digits, '.', '-', '_' and ':' only, so it is safe to write into an
 * SDP candidate or to dial. */
static srs_error_t read_host(const char *name, const char *def, char *buf, size_t size)
{
    srs_error_t err = read_string(name, def, false, buf, size);
    if (err) return err;
    if (strspn(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") != strlen(buf)) {
        return srs_error_new(ERROR_CONFIG_INVALID, "invalid %s=%s: not a host name or IP", name, buf);
    }
    return srs_success;
}

/* The port of an origin server: "1935" or "host:1935", as the origins register them. Empty is
 * allowed here; whoever needs it says so. */
static srs_error_t read_origin_port(const char *name, const char *def, char *buf, size_t size)
{
    srs_error_t err = read_string(name, def, false, buf, size);
    if (err) return err;
    srs_listen_t l;
    if (*buf && (err = srs_listen_parse(buf, &l)) != srs_success) return srs_error_wrap(err, "invalid %s=%s", name, buf);
    return srs_success;
}

/* One of two words: *out is true for `yes`. */
static srs_error_t read_choice(const char *name, const char *def, const char *no, const char *yes, bool *out)
{
    const char *v = env_or(name, def);
    if (strcmp(v, no) && strcmp(v, yes)) {
        return srs_error_new(ERROR_CONFIG_INVALID, "invalid %s=%s: want %s or %s", name, v, no, yes);
    }
    *out = !strcmp(v, yes);
    return srs_success;
}

/* Unlike Go, which treats empty as the default: set but empty turns static files off. */
static srs_error_t read_static_files(srs_config_t *cfg)
{
    const char *name = "PROXY_STATIC_FILES";
    const char *v = getenv(name);
    if (!v) v = "./trunk/research";
    cfg->static_files_enabled = *v != '\0';
    if (!cfg->static_files_enabled) return srs_success;

    srs_error_t err = read_string(name, v, false, cfg->static_files, sizeof(cfg->static_files));
    if (err) return err;
    struct stat st;
    if (stat(v, &st) != 0) {
        return srs_error_new(ERROR_CONFIG_INVALID, "invalid %s=%s: %s (set %s= to disable static files)", name, v, strerror(errno), name);
    }
    if (!S_ISDIR(st.st_mode)) {
        return srs_error_new(ERROR_CONFIG_INVALID, "invalid %s=%s: not a directory (set %s= to disable static files)", name, v, name);
    }
    return srs_success;
}

/* PROXY_PPROF wins; GO_PPROF is the Go proxy's name for the same thing. */
static srs_error_t read_pprof(srs_config_t *cfg)
{
    const char *v = getenv("PROXY_PPROF");
    const char *name = (v && *v) ? "PROXY_PPROF" : "GO_PPROF";
    return read_listen_optional(name, &cfg->pprof_enabled, &cfg->pprof);
}

static srs_error_t read_log_level(srs_config_t *cfg)
{
    const char *name = "PROXY_LOG_LEVEL";
    const char *v = env_or(name, "info");
    cfg->log_level = srs_log_level_parse(v);
    if (cfg->log_level < 0) return srs_error_new(ERROR_CONFIG_INVALID, "invalid %s=%s: want debug, info, warn or error", name, v);
    return srs_success;
}

static srs_error_t read_default_backend(srs_config_t *cfg)
{
    srs_error_t err;
    if ((err = read_choice("PROXY_DEFAULT_BACKEND_ENABLED", "off", "off", "on", &cfg->default_backend_enabled)) != srs_success) return err;
    if ((err = read_host("PROXY_DEFAULT_BACKEND_IP", "127.0.0.1", cfg->default_backend_ip, sizeof(cfg->default_backend_ip))) != srs_success) return err;
    if ((err = read_origin_port("PROXY_DEFAULT_BACKEND_RTMP", "1935", cfg->default_backend_rtmp, sizeof(cfg->default_backend_rtmp))) != srs_success) return err;
    if ((err = read_origin_port("PROXY_DEFAULT_BACKEND_HTTP", "", cfg->default_backend_http, sizeof(cfg->default_backend_http))) != srs_success) return err;
    if ((err = read_origin_port("PROXY_DEFAULT_BACKEND_API", "1985", cfg->default_backend_api, sizeof(cfg->default_backend_api))) != srs_success) return err;
    if ((err = read_origin_port("PROXY_DEFAULT_BACKEND_RTC", "8000", cfg->default_backend_rtc, sizeof(cfg->default_backend_rtc))) != srs_success) return err;
    if ((err = read_origin_port("PROXY_DEFAULT_BACKEND_SRT", "10080", cfg->default_backend_srt, sizeof(cfg->default_backend_srt))) != srs_success) return err;
    if (cfg->default_backend_enabled && !*cfg->default_backend_ip) return srs_error_new(ERROR_CONFIG_INVALID, "empty default backend ip");
    if (cfg->default_backend_enabled && !*cfg->default_backend_rtmp) return srs_error_new(ERROR_CONFIG_INVALID, "empty default backend rtmp");
    return srs_success;
}

static srs_error_t read_redis(srs_config_t *cfg)
{
    srs_error_t err;
    if ((err = read_choice("PROXY_LOAD_BALANCER_TYPE", "memory", "memory", "redis", &cfg->lb_redis)) != srs_success) return err;
    if ((err = read_string("PROXY_REDIS_HOST", "127.0.0.1", false, cfg->redis_host, sizeof(cfg->redis_host))) != srs_success) return err;
    if ((err = read_int("PROXY_REDIS_PORT", "6379", 1, 65535, &cfg->redis_port)) != srs_success) return err;
    if ((err = read_string("PROXY_REDIS_PASSWORD", "", true, cfg->redis_password, sizeof(cfg->redis_password))) != srs_success) return err;
    if ((err = read_int("PROXY_REDIS_DB", "0", 0, INT_MAX, &cfg->redis_db)) != srs_success) return err;
    return read_string("PROXY_REDIS_KEY_PREFIX", "", false, cfg->redis_key_prefix, sizeof(cfg->redis_key_prefix));
}

/* PROXY_WORKERS: a number, or "auto" for the online CPUs. */
static srs_error_t read_workers(srs_config_t *cfg)
{
    const char *name = "PROXY_WORKERS";
    const char *v = env_or(name, "1");
    if (!strcmp(v, "auto")) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->workers = n < 1 ? 1 : n > SRS_CONFIG_MAX_WORKERS ? SRS_CONFIG_MAX_WORKERS : (int)n;
    } else {
        srs_error_t err = read_int(name, "1", 1, SRS_CONFIG_MAX_WORKERS, &cfg->workers);
        if (err) return srs_error_wrap(err, "or auto");
    }
    return srs_success;
}

/* HTTPS (TLS) listeners: off unless an address is given; then the PEM files are required. */
static srs_error_t read_https(srs_config_t *cfg)
{
    srs_error_t err;
    if ((err = read_listen_optional("PROXY_HTTPS_API", &cfg->https_api_enabled, &cfg->https_api)) != srs_success) return err;
    if ((err = read_listen_optional("PROXY_HTTPS_SERVER", &cfg->https_server_enabled, &cfg->https_server)) != srs_success) return err;
    if ((err = read_string("PROXY_HTTPS_CERT", "", false, cfg->https_cert, sizeof(cfg->https_cert))) != srs_success) return err;
    if ((err = read_string("PROXY_HTTPS_KEY", "", false, cfg->https_key, sizeof(cfg->https_key))) != srs_success) return err;
    if ((cfg->https_api_enabled || cfg->https_server_enabled) && (!*cfg->https_cert || !*cfg->https_key)) {
        return srs_error_new(ERROR_CONFIG_INVALID, "PROXY_HTTPS_API or PROXY_HTTPS_SERVER needs PROXY_HTTPS_CERT and PROXY_HTTPS_KEY");
    }
    return srs_success;
}

static srs_error_t read_all(srs_config_t *cfg)
{
    srs_error_t err;
    if ((err = read_pprof(cfg)) != srs_success) return err;
    if ((err = read_duration("PROXY_FORCE_QUIT_TIMEOUT", "30s", 0, false, &cfg->force_quit_timeout)) != srs_success) return err;
    if ((err = read_duration("PROXY_GRACE_QUIT_TIMEOUT", "20s", 0, false, &cfg->grace_quit_timeout)) != srs_success) return err;
    if ((err = read_listen("PROXY_HTTP_API", "11985", &cfg->http_api)) != srs_success) return err;
    if ((err = read_listen("PROXY_HTTP_SERVER", "18080", &cfg->http_server)) != srs_success) return err;
    if ((err = read_listen("PROXY_RTMP_SERVER", "11935", &cfg->rtmp_server)) != srs_success) return err;
    if ((err = read_listen("PROXY_WEBRTC_SERVER", "18000", &cfg->webrtc_server)) != srs_success) return err;
    if ((err = read_listen("PROXY_SRT_SERVER", "20080", &cfg->srt_server)) != srs_success) return err;
    if ((err = read_listen("PROXY_SYSTEM_API", "12025", &cfg->system_api)) != srs_success) return err;
    if ((err = read_static_files(cfg)) != srs_success) return err;
    if ((err = read_redis(cfg)) != srs_success) return err;
    if ((err = read_duration("PROXY_ORIGIN_SERVER_TTL", "300s", 0, true, &cfg->origin_server_ttl)) != srs_success) return err;
    if ((err = read_default_backend(cfg)) != srs_success) return err;

    /* New in this proxy. */
    if ((err = read_listen_optional("PROXY_EXPORTER", &cfg->exporter_enabled, &cfg->exporter)) != srs_success) return err;
    if ((err = read_host("PROXY_WEBRTC_CANDIDATE", "", cfg->webrtc_candidate, sizeof(cfg->webrtc_candidate))) != srs_success) return err;
    if ((err = read_duration("PROXY_RTC_SESSION_TIMEOUT", "30s", 0, true, &cfg->rtc_session_timeout)) != srs_success) return err;
    if ((err = read_duration("PROXY_SRT_SESSION_TIMEOUT", "30s", 0, true, &cfg->srt_session_timeout)) != srs_success) return err;
    if ((err = read_int("PROXY_MAX_CONNECTIONS", "10000", 0, INT_MAX, &cfg->max_connections)) != srs_success) return err;
    if ((err = read_string("PROXY_SYSTEM_API_TOKEN", "", true, cfg->system_api_token, sizeof(cfg->system_api_token))) != srs_success) return err;
    if ((err = read_int("PROXY_SRT_MAX_SESSIONS", "10000", 0, INT_MAX, &cfg->srt_max_sessions)) != srs_success) return err;
    if ((err = read_int("PROXY_SRT_MAX_SESSIONS_PER_IP", "100", 0, INT_MAX, &cfg->srt_max_sessions_per_ip)) != srs_success) return err;
    if ((err = read_int("PROXY_SRT_MAX_HANDSHAKES_PER_IP", "16", 0, INT_MAX, &cfg->srt_max_handshakes_per_ip)) != srs_success) return err;
    if ((err = read_duration("PROXY_SRT_HANDSHAKE_TIMEOUT", "10s", SRS_UTIME_SECONDS, false, &cfg->srt_handshake_timeout)) != srs_success) return err;
    /* HTTP hardening: fair shares of connections, playlist bounds. */
    if ((err = read_int("PROXY_MAX_CONNECTIONS_PER_IP", "5000", 0, INT_MAX, &cfg->max_connections_per_ip)) != srs_success) return err;
    if ((err = read_int("PROXY_SYSTEM_API_MAX_CONNECTIONS", "1000", 1, INT_MAX, &cfg->system_api_max_connections)) != srs_success) return err;
    if ((err = read_int("PROXY_SYSTEM_API_MAX_CONNECTIONS_PER_IP", "100", 0, INT_MAX, &cfg->system_api_max_connections_per_ip)) != srs_success) return err;
    if ((err = read_int("PROXY_HLS_MAX_PLAYLIST", "1048576", 1024, 64 * 1024 * 1024, &cfg->hls_max_playlist)) != srs_success) return err;
    if ((err = read_duration("PROXY_HTTP_HEAD_TIMEOUT", "10s", 1, false, &cfg->http_head_timeout)) != srs_success) return err;
    if ((err = read_duration("PROXY_HTTP_BODY_TIMEOUT", "30s", 1, false, &cfg->http_body_timeout)) != srs_success) return err;
    if ((err = read_int("PROXY_RTC_MAX_SESSIONS", "10000", 0, INT_MAX, &cfg->rtc_max_sessions)) != srs_success) return err;
    if ((err = read_int("PROXY_RTC_MAX_SESSIONS_PER_IP", "1000", 0, INT_MAX, &cfg->rtc_max_sessions_per_ip)) != srs_success) return err;
    if ((err = read_int("PROXY_RTC_OFFERS_PER_IP", "500", 0, INT_MAX, &cfg->rtc_offers_per_ip)) != srs_success) return err;
    if ((err = read_duration("PROXY_RTC_PENDING_TIMEOUT", "10s", 0, true, &cfg->rtc_pending_timeout)) != srs_success) return err;
    if ((err = read_duration("PROXY_SRS_API_TIMEOUT", "3s", 0, true, &cfg->srs_api_timeout)) != srs_success) return err;
    if ((err = read_duration("PROXY_SRS_API_CACHE", "1s", 0, false, &cfg->srs_api_cache)) != srs_success) return err;
    if ((err = read_int("PROXY_SRS_API_MAX_ENTRIES", "10000", 1, 1000000, &cfg->srs_api_max_entries)) != srs_success) return err;
    /* Load balancer table bounds. */
    if ((err = read_int("PROXY_MAX_ORIGINS", "1024", 1, INT_MAX, &cfg->max_origins)) != srs_success) return err;
    if ((err = read_int("PROXY_LB_MAX_STREAMS", "10000", 1, INT_MAX, &cfg->lb_max_streams)) != srs_success) return err;
    if ((err = read_int("PROXY_LB_MAX_SESSIONS", "50000", 1, INT_MAX, &cfg->lb_max_sessions)) != srs_success) return err;
    if ((err = read_duration("PROXY_LB_PICK_IDLE", "3600s", 0, true, &cfg->lb_pick_idle)) != srs_success) return err;
    if ((err = read_workers(cfg)) != srs_success) return err;
    if ((err = read_https(cfg)) != srs_success) return err;
    return read_log_level(cfg);
}

srs_error_t srs_config_load(srs_config_t *cfg, const char *dotenv_path)
{
    srs_error_t err;
    if (dotenv_path && (err = load_dotenv(dotenv_path)) != srs_success) {
        return srs_error_wrap(err, "load .env file");
    }
    memset(cfg, 0, sizeof(*cfg));
    return read_all(cfg);
}

/* ---- the startup log line ---- */

static const char *listen_text(bool enabled, const srs_listen_t *l, char *buf, size_t size)
{
    if (!enabled) return "";
    srs_listen_format(l, buf, size);
    return buf;
}

static const char *duration_text(srs_utime_t d, char *buf, size_t size)
{
    srs_duration_format(d, buf, size);
    return buf;
}

/* Appends to what buf already holds; each group of variables is one call. */
static void describe_append(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void describe_append(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

void srs_config_describe(const srs_config_t *cfg, char *buf, size_t size)
{
    char a[8][80], d[5][32];
    snprintf(buf, size,
             "PROXY_PPROF=%s, PROXY_FORCE_QUIT_TIMEOUT=%s, PROXY_GRACE_QUIT_TIMEOUT=%s, "
             "PROXY_HTTP_API=%s, PROXY_HTTP_SERVER=%s, PROXY_RTMP_SERVER=%s, "
             "PROXY_WEBRTC_SERVER=%s, PROXY_SRT_SERVER=%s, PROXY_SYSTEM_API=%s, PROXY_STATIC_FILES=%s, "
             "PROXY_DEFAULT_BACKEND_ENABLED=%s, PROXY_DEFAULT_BACKEND_IP=%s, PROXY_DEFAULT_BACKEND_RTMP=%s, "
             "PROXY_DEFAULT_BACKEND_HTTP=%s, PROXY_DEFAULT_BACKEND_API=%s, PROXY_DEFAULT_BACKEND_RTC=%s, "
             "PROXY_DEFAULT_BACKEND_SRT=%s, PROXY_LOAD_BALANCER_TYPE=%s, PROXY_REDIS_HOST=%s, PROXY_REDIS_PORT=%d, "
             "PROXY_REDIS_PASSWORD=%s, PROXY_REDIS_DB=%d, PROXY_REDIS_KEY_PREFIX=%s, PROXY_ORIGIN_SERVER_TTL=%s, "
             "PROXY_EXPORTER=%s, PROXY_WEBRTC_CANDIDATE=%s, PROXY_RTC_SESSION_TIMEOUT=%s, PROXY_SRT_SESSION_TIMEOUT=%s, "
             "PROXY_MAX_CONNECTIONS=%d, "
             "PROXY_SYSTEM_API_TOKEN=%s, PROXY_LOG_LEVEL=%s",
             listen_text(cfg->pprof_enabled, &cfg->pprof, a[0], sizeof(a[0])),
             duration_text(cfg->force_quit_timeout, d[0], sizeof(d[0])),
             duration_text(cfg->grace_quit_timeout, d[1], sizeof(d[1])),
             listen_text(true, &cfg->http_api, a[1], sizeof(a[1])),
             listen_text(true, &cfg->http_server, a[2], sizeof(a[2])),
             listen_text(true, &cfg->rtmp_server, a[3], sizeof(a[3])),
             listen_text(true, &cfg->webrtc_server, a[4], sizeof(a[4])),
             listen_text(true, &cfg->srt_server, a[5], sizeof(a[5])),
             listen_text(true, &cfg->system_api, a[6], sizeof(a[6])),
             cfg->static_files_enabled ? cfg->static_files : "(disabled)",
             cfg->default_backend_enabled ? "on" : "off", cfg->default_backend_ip, cfg->default_backend_rtmp,
             cfg->default_backend_http, cfg->default_backend_api, cfg->default_backend_rtc,
             cfg->default_backend_srt, cfg->lb_redis ? "redis" : "memory", cfg->redis_host, cfg->redis_port,
             *cfg->redis_password ? SECRET_MASK : "", cfg->redis_db, cfg->redis_key_prefix,
             duration_text(cfg->origin_server_ttl, d[2], sizeof(d[2])),
             listen_text(cfg->exporter_enabled, &cfg->exporter, a[7], sizeof(a[7])),
             cfg->webrtc_candidate, duration_text(cfg->rtc_session_timeout, d[3], sizeof(d[3])),
             duration_text(cfg->srt_session_timeout, d[4], sizeof(d[4])),
             cfg->max_connections, *cfg->system_api_token ? SECRET_MASK : "",
             srs_log_level_name((srs_log_level_t)cfg->log_level));
    char t[3][32];
    describe_append(buf, size, ", PROXY_SRT_MAX_SESSIONS=%d, PROXY_SRT_MAX_SESSIONS_PER_IP=%d, "
                    "PROXY_SRT_MAX_HANDSHAKES_PER_IP=%d, PROXY_SRT_HANDSHAKE_TIMEOUT=%s",
                    cfg->srt_max_sessions, cfg->srt_max_sessions_per_ip, cfg->srt_max_handshakes_per_ip,
                    duration_text(cfg->srt_handshake_timeout, t[0], sizeof(t[0])));
    describe_append(buf, size, ", PROXY_MAX_CONNECTIONS_PER_IP=%d, PROXY_SYSTEM_API_MAX_CONNECTIONS=%d, "
                    "PROXY_SYSTEM_API_MAX_CONNECTIONS_PER_IP=%d, PROXY_HLS_MAX_PLAYLIST=%d, "
                    "PROXY_HTTP_HEAD_TIMEOUT=%s, PROXY_HTTP_BODY_TIMEOUT=%s",
                    cfg->max_connections_per_ip, cfg->system_api_max_connections,
                    cfg->system_api_max_connections_per_ip, cfg->hls_max_playlist,
                    duration_text(cfg->http_head_timeout, t[1], sizeof(t[1])),
                    duration_text(cfg->http_body_timeout, t[2], sizeof(t[2])));
    describe_append(buf, size, ", PROXY_RTC_MAX_SESSIONS=%d, PROXY_RTC_MAX_SESSIONS_PER_IP=%d, "
                    "PROXY_RTC_OFFERS_PER_IP=%d, PROXY_RTC_PENDING_TIMEOUT=%s", cfg->rtc_max_sessions,
                    cfg->rtc_max_sessions_per_ip, cfg->rtc_offers_per_ip,
                    duration_text(cfg->rtc_pending_timeout, t[0], sizeof(t[0])));
    describe_append(buf, size, ", PROXY_SRS_API_TIMEOUT=%s, PROXY_SRS_API_CACHE=%s, PROXY_SRS_API_MAX_ENTRIES=%d",
                    duration_text(cfg->srs_api_timeout, t[0], sizeof(t[0])),
                    duration_text(cfg->srs_api_cache, t[1], sizeof(t[1])), cfg->srs_api_max_entries);
    describe_append(buf, size, ", PROXY_MAX_ORIGINS=%d, PROXY_LB_MAX_STREAMS=%d, PROXY_LB_MAX_SESSIONS=%d, PROXY_LB_PICK_IDLE=%s",
                    cfg->max_origins, cfg->lb_max_streams, cfg->lb_max_sessions,
                    duration_text(cfg->lb_pick_idle, t[0], sizeof(t[0])));
    describe_append(buf, size, ", PROXY_WORKERS=%d", cfg->workers);
    char h[2][80];
    describe_append(buf, size, ", PROXY_HTTPS_API=%s, PROXY_HTTPS_SERVER=%s, PROXY_HTTPS_CERT=%s, PROXY_HTTPS_KEY=%s",
                    listen_text(cfg->https_api_enabled, &cfg->https_api, h[0], sizeof(h[0])),
                    listen_text(cfg->https_server_enabled, &cfg->https_server, h[1], sizeof(h[1])),
                    cfg->https_cert, cfg->https_key);
}

void srs_config_log(const srs_config_t *cfg)
{
    char line[3072];
    srs_config_describe(cfg, line, sizeof(line));
    srs_log_info("load .env as %s", line);
}
