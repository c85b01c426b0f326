/* SPDX-License-Identifier: MIT */
/* A TCP listener with one accept coroutine and one detached coroutine per connection (its own
 * linear code path). The server tracks its live connections so shutdown can interrupt them, or
 * wait for them to finish (graceful quit). Limits per pool and per source address refuse
 * connections cleanly (see srs_tcp_server_set_own_limits). */
#ifndef SRS_PROTOCOL_TCP_SERVER_H
#define SRS_PROTOCOL_TCP_SERVER_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_st.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Serves one connection; the server closes fd after it returns. The returned error is logged at
 * debug level (peers closing is normal) and freed. */
typedef srs_error_t (*srs_tcp_conn_fn)(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer);
/* Optional: says no to a connection over the limit (e.g. an HTTP 503) before it is closed. */
typedef void (*srs_tcp_refuse_fn)(void *ctx, st_netfd_t fd);

typedef struct srs_tcp_server_s srs_tcp_server_t;

/* Binds host:port (host "" = all interfaces) and starts accepting. name is for logs. */
srs_error_t srs_tcp_server_start(const char *name, const char *host, int port, srs_tcp_conn_fn on_conn,
                                 srs_tcp_refuse_fn on_refuse, void *ctx, srs_tcp_server_t **out);
/* The port actually bound (useful with port 0). */
int srs_tcp_server_port(const srs_tcp_server_t *s);
int srs_tcp_server_conn_count(const srs_tcp_server_t *s);
/* Stop accepting; live connections go on. */
void srs_tcp_server_close_listener(srs_tcp_server_t *s);
/* Interrupt every live connection (their coroutines end soon after). */
void srs_tcp_server_interrupt_all(srs_tcp_server_t *s);
/* Wait until no connection is live or the timeout passes; true when none is left. */
bool srs_tcp_server_wait_idle(srs_tcp_server_t *s, srs_utime_t timeout);
/* Close the listener, interrupt and wait for every connection, free. NULL is fine. */
void srs_tcp_server_free(srs_tcp_server_t *s);

/* Fair shares. Every listener belongs to a pool of connections: by default the shared pool
 * (PROXY_MAX_CONNECTIONS over every listener in it); a listener given its own limits gets a
 * private pool that the shared one cannot starve (the system API, the debug listener). Within a
 * pool one source address may hold at most max_per_ip connections (0 = no such limit), so one
 * host cannot take a pool's whole share. A connection over a limit is refused: on_refuse
 * answers (HTTP 503) or it is just closed (RTMP), counted per listener and reason, and logged
 * through a rate limiter. The per-address table holds only addresses with live connections. */
typedef enum {
    SRS_TCP_REFUSE_TOTAL = 0, /* the shared pool is full (PROXY_MAX_CONNECTIONS) */
    SRS_TCP_REFUSE_LISTENER,  /* the listener's own pool is full */
    SRS_TCP_REFUSE_PER_IP,    /* the source address holds its share of the pool */
    SRS_TCP_REFUSE_REASONS,
} srs_tcp_refuse_reason_t;
const char *srs_tcp_refuse_reason_name(srs_tcp_refuse_reason_t r);

/* Connections in the shared pool, and its limits (0 = unlimited). */
int srs_tcp_server_total_conns(void);
void srs_tcp_server_set_max_total(int max);
void srs_tcp_server_set_max_per_ip(int max);
/* Takes the listener out of the shared pool: at most max connections (0 = unlimited), at most
 * max_per_ip from one address (0 = unlimited). Call right after start. */
void srs_tcp_server_set_own_limits(srs_tcp_server_t *s, int max, int max_per_ip);
/* Refused since start, every listener and reason together. */
uint64_t srs_tcp_server_refused_total(void);
/* Every live listener: name, live connections, refusals by reason. */
typedef void (*srs_tcp_server_visit_fn)(void *ctx, const char *name, int conns, const uint64_t refused[SRS_TCP_REFUSE_REASONS]);
void srs_tcp_server_foreach(srs_tcp_server_visit_fn fn, void *ctx);

/* The admission rule (pure, tested): whether one more connection fits a pool holding `count`
 * (limit max) of which `ip_count` from this address (limit max_per_ip); 0 = unlimited. */
bool srs_tcp_admit(int count, int max, int ip_count, int max_per_ip, srs_tcp_refuse_reason_t *why);

#ifdef __cplusplus
}
#endif

#endif
