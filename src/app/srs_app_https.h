/* SPDX-License-Identifier: MIT */
/* HTTPS: TLS listeners twin to the HTTP API (PROXY_HTTPS_API) and the HTTP stream server
 * (PROXY_HTTPS_SERVER), serving exactly what the plain ones serve (the TLS transport sits under
 * srs_http_conn). One SSL_CTX from PROXY_HTTPS_CERT/PROXY_HTTPS_KEY; SIGHUP, or a change of
 * either file (checked every 5 s by the "https-watch" coroutine), re-reads the files and swaps it
 * for new connections, while live ones keep the context they started with (each SSL
 * holds a reference). A reload that fails keeps the old certificate. Both listeners join the
 * shared connection pool with their plain twins (PROXY_MAX_CONNECTIONS[_PER_IP]); a refused
 * connection is closed without an answer (a plain 503 means nothing to a TLS client). */
#ifndef SRS_APP_HTTPS_H
#define SRS_APP_HTTPS_H

#include "srs_app_server.h"
#include "srs_kernel_strbuf.h"

/* Loads the certificate and starts the enabled listeners (none when both are off). */
srs_error_t srs_https_start(srs_proxy_t *p);
/* Re-reads the certificate and key (SIGHUP); on an error the old ones stay, and it says why. */
srs_error_t srs_https_reload(void);
/* Stop accepting; live connections go on. */
void srs_https_close_listeners(void);
/* Live connections on both listeners. */
int srs_https_conn_count(void);
/* Interrupts and waits for every connection, frees the context. */
void srs_https_free(void);
/* Prometheus families: handshakes by result, reloads by result, live connections. */
void srs_https_metrics(srs_strbuf_t *out);

#endif
