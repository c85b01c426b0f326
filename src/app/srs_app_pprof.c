/* SPDX-License-Identifier: MIT */
/* The debug listener: routing, the index page, cmdline, and the helpers the handlers share. */
#include "srs_app_pprof.h"
#include "srs_app_master.h"
#include "srs_app_pprof_heap.h"
#include "srs_app_pprof_symbol.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"
#include "srs_protocol_tcp_server.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srs_tcp_server_t *server;
/* PROXY_WORKERS > 1: this worker's own debug port (start_worker_listener). */
static srs_tcp_server_t *worker_server;

int64_t srs_pprof_query_int(const srs_http_request_t *req, const char *key, int64_t def)
{
    char text[32];
    if (!srs_http_query_get(req->query, key, text, sizeof(text)) || !text[0]) return def;
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    return end && *end == '\0' ? (int64_t)v : def;
}

srs_error_t srs_pprof_reply(srs_http_conn_t *c, int status, const char *content_type, const char *filename,
                            const void *body, size_t len)
{
    srs_http_headers_t h = {0};
    srs_http_headers_set(&h, "Content-Type", content_type);
    srs_http_headers_set(&h, "X-Content-Type-Options", "nosniff");
    if (filename) {
        char disposition[128];
        snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", filename);
        srs_http_headers_set(&h, "Content-Disposition", disposition);
    }
    srs_error_t err = srs_http_write_response(c, status, &h, body, len);
    srs_http_headers_free(&h);
    return err;
}

srs_error_t srs_pprof_reply_error(srs_http_conn_t *c, int status, const char *msg)
{
    char text[512];
    int n = snprintf(text, sizeof(text), "%s\n", msg);
    return srs_pprof_reply(c, status, "text/plain; charset=utf-8", NULL, text, (size_t)SRS_MIN(n, (int)sizeof(text) - 1));
}

static size_t heap_stacks(void)
{
    srs_heap_bucket_t *b = NULL;
    size_t n = srs_heap_sampler_snapshot(&b);
    free(b);
    return n;
}

/* Like Go's index: what there is, with counts, links and one line on each. */
static srs_error_t serve_index(srs_http_conn_t *c, const char *base)
{
    size_t stacks = heap_stacks();
    int coroutines = srs_coroutine_registry_count();
    srs_strbuf_t b = {0};
    srs_strbuf_printf(&b,
        "<html>\n<head>\n<title>%s/</title>\n</head>\n<body>\n%s/<br>\n<p>%s-Proxy/%s, a C proxy on State Threads.</p>\n"
        "Types of profiles available:\n<table>\n<thead><td>Count</td><td>Profile</td></thead>\n",
        base, base, SRS_PROXY_SIGNATURE, SRS_PROXY_VERSION);
    srs_strbuf_printf(&b, "<tr><td>%zu</td><td><a href='allocs?debug=1'>allocs</a></td></tr>\n", stacks);
    srs_strbuf_printf(&b, "<tr><td></td><td><a href='cmdline'>cmdline</a></td></tr>\n");
    srs_strbuf_printf(&b, "<tr><td>%d</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>\n", coroutines);
    srs_strbuf_printf(&b, "<tr><td>%zu</td><td><a href='heap?debug=1'>heap</a></td></tr>\n", stacks);
    srs_strbuf_printf(&b, "<tr><td></td><td><a href='profile'>profile</a></td></tr>\n");
    srs_strbuf_printf(&b, "<tr><td></td><td><a href='symbol'>symbol</a></td></tr>\n");
    srs_strbuf_printf(&b, "<tr><td></td><td><a href='trace'>trace</a></td></tr>\n");
    srs_strbuf_puts(&b,
        "</table>\n<a href='goroutine?debug=2'>full coroutine dump</a>\n<br>\n<p>\nProfile Descriptions:\n<ul>\n"
        "<li><div class=profile-name>allocs: </div> A sampling of all memory allocations since the debug listener started (alloc_space).</li>\n"
        "<li><div class=profile-name>cmdline: </div> The command line invocation of the current program.</li>\n"
        "<li><div class=profile-name>goroutine: </div> Every live coroutine: name, context id, state and for how long, what started it. Use debug=2 as a query parameter to see each one.</li>\n"
        "<li><div class=profile-name>heap: </div> A sampling of memory allocations of live objects (inuse_space).</li>\n"
        "<li><div class=profile-name>profile: </div> CPU profile (gperftools). You can specify the duration in the seconds GET parameter (default 30). One at a time: another request meanwhile gets 409 Conflict. After you get the profile file, use the go tool pprof command to investigate the profile.</li>\n"
        "<li><div class=profile-name>symbol: </div> Function names for addresses: POST 0xaddr+0xaddr.</li>\n"
        "<li><div class=profile-name>trace: </div> A trace of the State Threads scheduler (every coroutine switch, idle time in poll) as Chrome trace-event JSON: open it in ui.perfetto.dev or chrome://tracing. You can specify the duration in the seconds GET parameter (default 1).</li>\n"
        "</ul>\n</p>\n</body>\n</html>\n");
    srs_error_t err = srs_pprof_reply(c, 200, "text/html; charset=utf-8", NULL, b.data, b.len);
    srs_strbuf_free(&b);
    return err;
}

/* argv from /proc/self/cmdline: NUL-separated for Go's pprof, newline-separated for gperftools'. */
static srs_error_t serve_cmdline(srs_http_conn_t *c, bool legacy)
{
    srs_strbuf_t b = {0};
    srs_error_t err = srs_pprof_read_proc_file("/proc/self/cmdline", &b);
    if (err) {
        srs_strbuf_free(&b);
        return srs_error_wrap(err, "cmdline");
    }
    /* The kernel ends every argument with a NUL. */
    if (b.len && b.data[b.len - 1] == '\0') b.len--;
    if (legacy) {
        for (size_t i = 0; i < b.len; i++) {
            if (b.data[i] == '\0') b.data[i] = '\n';
        }
        srs_strbuf_putc(&b, '\n');
    }
    err = srs_pprof_reply(c, 200, "text/plain; charset=utf-8", NULL, b.data, b.len);
    srs_strbuf_free(&b);
    return err;
}

static srs_error_t pprof_handle(void *ctx, srs_http_conn_t *c, srs_http_request_t *req)
{
    SRS_UNUSED(ctx);
    const char *path = req->path;
    const char *base;
    bool legacy;
    if (!strncmp(path, "/debug/pprof", 12) && (path[12] == '\0' || path[12] == '/')) {
        base = "/debug/pprof";
        legacy = false;
        path += 12;
    } else if (!strncmp(path, "/pprof", 6) && (path[6] == '\0' || path[6] == '/')) {
        base = "/pprof";
        legacy = true;
        path += 6;
    } else {
        return srs_pprof_reply_error(c, 404, "404 page not found: the profiles are under /debug/pprof/");
    }
    if (*path == '/') path++;

    if (!*path) return serve_index(c, base);
    if (!strcmp(path, "profile")) return srs_pprof_serve_cpu(c, req, legacy);
    if (!strcmp(path, "heap")) return srs_pprof_serve_heap(c, req, false, legacy);
    if (!strcmp(path, "allocs")) return srs_pprof_serve_heap(c, req, true, legacy);
    if (!strcmp(path, "goroutine")) return srs_pprof_serve_goroutine(c, req);
    if (!strcmp(path, "symbol")) return srs_pprof_serve_symbol(c, req);
    if (!strcmp(path, "trace")) return srs_pprof_serve_trace(c, req);
    if (!strcmp(path, "cmdline")) return serve_cmdline(c, legacy);
    return srs_pprof_reply_error(c, 404, "Unknown profile");
}

static srs_error_t pprof_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    SRS_UNUSED(peer);
    return srs_http_serve_conn(fd, NULL, pprof_handle, ctx);
}

/* Loopback only: 127.0.0.0/8, ::1, or the name localhost. */
static bool is_loopback(const char *host)
{
    if (!host[0]) return false;
    if (!strcmp(host, "localhost")) return true;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

/* PROXY_WORKERS > 1: the debug port is shared (the kernel picks a worker), so each worker also
 * listens alone on 127.0.0.1:<port + 1 + index>, to profile a given one. Not with port 0. */
static srs_error_t start_worker_listener(const srs_config_t *cfg)
{
    int index = srs_worker_index();
    if (index < 0 || cfg->pprof.port <= 0) return srs_success;
    int port = cfg->pprof.port + 1 + index;
    if (port > 65535) return srs_error_new(ERROR_CONFIG_INVALID, "PROXY_PPROF port %d + worker %d is over 65535", cfg->pprof.port, index);
    srs_socket_set_reuseport(false);
    srs_error_t err = srs_tcp_server_start("pprof-worker", "127.0.0.1", port, pprof_on_conn, NULL, NULL, &worker_server);
    srs_socket_set_reuseport(true);
    if (err) return srs_error_wrap(err, "debug listener of worker %d at 127.0.0.1:%d", index, port);
    srs_tcp_server_set_own_limits(worker_server, 64, 0);
    srs_log_info("Debug pprof of worker %d (pid %d) at http://127.0.0.1:%d/debug/pprof/", index, (int)getpid(), port);
    return srs_success;
}

srs_error_t srs_pprof_start(const srs_config_t *cfg)
{
    if (!cfg->pprof_enabled) return srs_success;
    /* From now on, so the heap profile shows what startup allocated too. */
    srs_heap_sampler_enable();

    char addr[96];
    srs_listen_format(&cfg->pprof, addr, sizeof(addr));
    if (!is_loopback(cfg->pprof.host)) {
        srs_log_warn("PROXY_PPROF=%s: the debug listener is reachable from other hosts and has no authentication: "
                     "anyone who reaches it can profile the proxy and read its memory layout; prefer 127.0.0.1:%d",
                     addr, cfg->pprof.port);
    }
    srs_error_t err = srs_tcp_server_start("pprof", cfg->pprof.host, cfg->pprof.port, pprof_on_conn, NULL, NULL, &server);
    if (err) return srs_error_wrap(err, "PROXY_PPROF=%s", addr);
    /* The debug listener has its own small share, not counted in PROXY_MAX_CONNECTIONS. */
    srs_tcp_server_set_own_limits(server, 64, 0);
    srs_log_info("Debug pprof at http://%s/debug/pprof/ (CPU profiler %s, heap sampler %s)", addr,
                 srs_pprof_cpu_available() ? "on" : "off in this build",
                 srs_heap_sampler_available() ? "on" : "off in this build");
    return start_worker_listener(cfg);
}

void srs_pprof_close_listener(void)
{
    srs_tcp_server_close_listener(server);
    srs_tcp_server_close_listener(worker_server);
}

void srs_pprof_free(void)
{
    srs_tcp_server_free(server);
    server = NULL;
    srs_tcp_server_free(worker_server);
    worker_server = NULL;
}

int srs_pprof_worker_port(void)
{
    return worker_server ? srs_tcp_server_port(worker_server) : 0;
}

int srs_pprof_port(void)
{
    return server ? srs_tcp_server_port(server) : 0;
}

int srs_pprof_conn_count(void)
{
    return server ? srs_tcp_server_conn_count(server) : 0;
}
