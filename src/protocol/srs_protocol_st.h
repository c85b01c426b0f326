/* SPDX-License-Identifier: MIT */
/* State Threads glue: process setup, TCP/UDP sockets, and I/O calls that return srs_error_t
 * and mark the coroutine's state (waiting on read/write, sleeping) for the coroutine dump. */
#ifndef SRS_PROTOCOL_ST_H
#define SRS_PROTOCOL_ST_H

#include "srs_core.h"
#include "srs_core_error.h"

#include <netinet/in.h>
#include <st.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* poll event system (Debian's ST has no epoll), a monotonic clock, the coroutine registry,
 * and RLIMIT_NOFILE raised to its hard limit. */
srs_error_t srs_st_init(void);

/* A socket address of either family, with its length. */
typedef struct {
    struct sockaddr_storage ss;
    socklen_t len;
} srs_sockaddr_t;

/* Resolve host (numeric first; a name falls back to a blocking lookup) and port. An empty host
 * or "0.0.0.0" means all IPv4 interfaces, "::" all IPv6 ones. */
srs_error_t srs_sockaddr_resolve(const char *host, int port, srs_sockaddr_t *out);
/* "ip:port" or "[ip6]:port" into buf; returns buf. */
const char *srs_sockaddr_string(const srs_sockaddr_t *addr, char *buf, size_t size);
/* A v4-mapped IPv6 address (::ffff:a.b.c.d, from a dual-stack listener) becomes the IPv4 one,
 * so a host has one identity (per-address caps, X-Forwarded-For, logs) on either kind of
 * listener. Other addresses are left as they are. Not for UDP peers that are written back to
 * through the dual-stack socket (they keep the family the socket reports). */
void srs_sockaddr_unmap(srs_sockaddr_t *addr);
/* The port of an address (host order). */
int srs_sockaddr_port(const srs_sockaddr_t *addr);

/* Listeners opened from now on share their port with the other workers (SO_REUSEPORT): the
 * kernel spreads connections and UDP flows over them (PROXY_WORKERS > 1). */
void srs_socket_set_reuseport(bool on);

/* host "" (a bare port) listens dual-stack: [::] with IPV6_V6ONLY off, or 0.0.0.0 where IPv6
 * is absent; any other host exactly there. */
srs_error_t srs_tcp_listen(const char *host, int port, st_netfd_t *out);
srs_error_t srs_udp_listen(const char *host, int port, st_netfd_t *out);
/* The local address a socket is bound to (for listeners on port 0). */
srs_error_t srs_socket_local_addr(st_netfd_t fd, srs_sockaddr_t *out);

/* TCP_NODELAY: every TCP socket the proxy accepts or opens has it (srs_tcp_connect, the TCP
 * server's accept), so a small write (an RTMP control reply, an HTTP head) leaves at once instead
 * of waiting ~40 ms for the peer's delayed ACK (Nagle). Writers gather a message with writev so
 * nodelay does not turn into many tiny packets. */
void srs_tcp_set_nodelay(st_netfd_t fd);
srs_error_t srs_tcp_connect(const char *host, int port, srs_utime_t timeout, st_netfd_t *out);
/* A connected UDP socket: the kernel filters the source and skips the route lookup. */
srs_error_t srs_udp_connect(const char *host, int port, st_netfd_t *out);

srs_error_t srs_st_accept(st_netfd_t lfd, st_netfd_t *out, srs_sockaddr_t *peer, srs_utime_t timeout);
/* Reads what is available (at least one byte); EOF is ERROR_SYSTEM_EOF. */
srs_error_t srs_st_read(st_netfd_t fd, void *buf, size_t size, srs_utime_t timeout, size_t *nread);
srs_error_t srs_st_read_fully(st_netfd_t fd, void *buf, size_t size, srs_utime_t timeout);
srs_error_t srs_st_write(st_netfd_t fd, const void *buf, size_t size, srs_utime_t timeout);
srs_error_t srs_st_writev(st_netfd_t fd, const struct iovec *iov, int iovcnt, srs_utime_t timeout);
/* Sleep; an interrupt returns ERROR_SYSTEM_INTERRUPTED. */
srs_error_t srs_st_usleep(srs_utime_t us);

/* Every timeout handed to ST goes through this: ST reads (st_utime_t)-1 as "forever", so only
 * SRS_UTIME_NO_TIMEOUT may mean that, and any other negative (a deadline just passed) is 0. */
st_utime_t srs_st_timeout(srs_utime_t timeout);

/* Close and free; NULL is fine. */
void srs_st_close(st_netfd_t fd);
#define srs_st_close_and_clear(fd) do { srs_st_close(fd); (fd) = NULL; } while (0)

/* Map an st_* failure (-1 with errno) to an error with the right code. */
srs_error_t srs_st_error(const char *what);

#ifdef __cplusplus
}
#endif

#endif
