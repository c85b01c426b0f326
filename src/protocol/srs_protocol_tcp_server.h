/* SPDX-License-Identifier: MIT */
/* A TCP listener with one accept coroutine and one detached coroutine per connection (its own
 * linear code path). The server tracks its live connections so shutdown can interrupt them, or
 * wait for them to finish (graceful quit). A process-wide limit refuses connections cleanly. */
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

/* Connections over all servers, and the limit (0 = unlimited). */
int srs_tcp_server_total_conns(void);
void srs_tcp_server_set_max_total(int max);
/* Refused over the limit since start. */
uint64_t srs_tcp_server_refused_total(void);

#ifdef __cplusplus
}
#endif

#endif
