/* SPDX-License-Identifier: MIT */
#include "srs_protocol_st.h"
#include "srs_protocol_coroutine.h"
#include "srs_core_log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

st_utime_t srs_st_timeout(srs_utime_t timeout)
{
    if (timeout == SRS_UTIME_NO_TIMEOUT) return ST_UTIME_NO_TIMEOUT;
    return timeout > 0 ? (st_utime_t)timeout : 0;
}

static st_utime_t monotonic_utime(void)
{
    return (st_utime_t)srs_time_now();
}

srs_error_t srs_st_init(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            srs_log_warn("raise RLIMIT_NOFILE to %llu failed", (unsigned long long)rl.rlim_max);
        }
    }
    if (st_set_eventsys(ST_EVENTSYS_POLL) != 0 && errno != EBUSY) {
        return srs_error_new(ERROR_SYSTEM_ST, "st_set_eventsys(poll)");
    }
    /* Timeouts must not jump with the wall clock. */
    st_set_utime_function(monotonic_utime);
    if (st_init() != 0) {
        return srs_error_new(ERROR_SYSTEM_ST, "st_init");
    }
    return srs_coroutine_global_init();
}

srs_error_t srs_st_error(const char *what)
{
    int e = errno;
    if (e == ETIME || e == ETIMEDOUT) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "%s timeout", what);
    if (e == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "%s interrupted", what);
    if (e == ECONNRESET || e == EPIPE) return srs_error_new(ERROR_SYSTEM_EOF, "%s: %s", what, strerror(e));
    return srs_error_new(ERROR_SYSTEM_IO, "%s: %s", what, strerror(e));
}

srs_error_t srs_sockaddr_resolve(const char *host, int port, srs_sockaddr_t *out)
{
    memset(out, 0, sizeof(*out));
    if (port < 0 || port > 65535) return srs_error_new(ERROR_SYSTEM_DNS, "invalid port %d", port);
    if (!host || !host[0]) host = "0.0.0.0";
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        out->len = sizeof(*v4);
        return srs_success;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        out->len = sizeof(*v6);
        return srs_success;
    }
    /* A name: getaddrinfo blocks the process, acceptable for rare, configured names only. */
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    int r = getaddrinfo(host, NULL, &hints, &res);
    if (r != 0 || !res) {
        return srs_error_new(ERROR_SYSTEM_DNS, "resolve %s: %s", host, gai_strerror(r));
    }
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->len = res->ai_addrlen;
    freeaddrinfo(res);
    if (out->ss.ss_family == AF_INET) v4->sin_port = htons((uint16_t)port);
    else v6->sin6_port = htons((uint16_t)port);
    return srs_success;
}

const char *srs_sockaddr_string(const srs_sockaddr_t *addr, char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (addr->ss.ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)&addr->ss;
        inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof(ip));
        snprintf(buf, size, "%s:%d", ip, ntohs(v4->sin_port));
    } else if (addr->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&addr->ss;
        inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof(ip));
        snprintf(buf, size, "[%s]:%d", ip, ntohs(v6->sin6_port));
    } else {
        snprintf(buf, size, "unknown");
    }
    return buf;
}

void srs_sockaddr_unmap(srs_sockaddr_t *addr)
{
    if (addr->ss.ss_family != AF_INET6) return;
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&addr->ss;
    if (!IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) return;
    struct sockaddr_in v4;
    memset(&v4, 0, sizeof(v4));
    v4.sin_family = AF_INET;
    v4.sin_port = v6->sin6_port;
    memcpy(&v4.sin_addr, &v6->sin6_addr.s6_addr[12], 4);
    memset(&addr->ss, 0, sizeof(addr->ss));
    memcpy(&addr->ss, &v4, sizeof(v4));
    addr->len = sizeof(v4);
}

int srs_sockaddr_port(const srs_sockaddr_t *addr)
{
    if (addr->ss.ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)&addr->ss)->sin_port);
    if (addr->ss.ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)&addr->ss)->sin6_port);
    return 0;
}

static bool reuseport;

void srs_socket_set_reuseport(bool on)
{
    reuseport = on;
}

static srs_error_t open_bound(const char *host, int port, int type, int *out_fd)
{
    srs_sockaddr_t addr;
    /* A bare port listens dual-stack, as Go's ":port": [::] with IPV6_V6ONLY off takes IPv4 too
     * (as v4-mapped addresses); where IPv6 is absent, 0.0.0.0. */
    bool dual = !host || !*host;
    srs_error_t err = srs_sockaddr_resolve(dual ? "::" : host, port, &addr);
    if (err) return srs_error_wrap(err, "listen address");
    int fd = socket(addr.ss.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0 && dual) return open_bound("0.0.0.0", port, type, out_fd);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_SOCKET, "socket");
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0) {
        close(fd);
        return srs_error_new(ERROR_SYSTEM_SOCKET, "SO_REUSEPORT: %s", strerror(errno));
    }
    int v6only = 0;
    if (dual) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
    if (bind(fd, (struct sockaddr *)&addr.ss, addr.len) < 0) {
        if (dual && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
            close(fd);
            return open_bound("0.0.0.0", port, type, out_fd);
        }
        char text[80];
        err = srs_error_new(ERROR_SYSTEM_BIND, "bind %s %s: %s", type == SOCK_STREAM ? "tcp" : "udp",
                            srs_sockaddr_string(&addr, text, sizeof(text)), strerror(errno));
        close(fd);
        return err;
    }
    *out_fd = fd;
    return srs_success;
}

static srs_error_t wrap_fd(int fd, st_netfd_t *out)
{
    st_netfd_t stfd = st_netfd_open_socket(fd);
    if (!stfd) {
        close(fd);
        return srs_error_new(ERROR_SYSTEM_ST, "st_netfd_open_socket fd=%d", fd);
    }
    *out = stfd;
    return srs_success;
}

srs_error_t srs_tcp_listen(const char *host, int port, st_netfd_t *out)
{
    int fd = -1;
    srs_error_t err = open_bound(host, port, SOCK_STREAM, &fd);
    if (err) return err;
    if (listen(fd, 1024) < 0) {
        close(fd);
        return srs_error_new(ERROR_SYSTEM_LISTEN, "listen port %d", port);
    }
    return wrap_fd(fd, out);
}

srs_error_t srs_udp_listen(const char *host, int port, st_netfd_t *out)
{
    int fd = -1;
    srs_error_t err = open_bound(host, port, SOCK_DGRAM, &fd);
    if (err) return err;
    return wrap_fd(fd, out);
}

srs_error_t srs_socket_local_addr(st_netfd_t fd, srs_sockaddr_t *out)
{
    memset(out, 0, sizeof(*out));
    out->len = sizeof(out->ss);
    if (getsockname(st_netfd_fileno(fd), (struct sockaddr *)&out->ss, &out->len) < 0) {
        return srs_error_new(ERROR_SYSTEM_SOCKET, "getsockname");
    }
    return srs_success;
}

void srs_tcp_set_nodelay(st_netfd_t fd)
{
    int on = 1;
    /* Best effort: a socket that refuses it still works, only slower. */
    (void)setsockopt(st_netfd_fileno(fd), IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

srs_error_t srs_tcp_connect(const char *host, int port, srs_utime_t timeout, st_netfd_t *out)
{
    srs_sockaddr_t addr;
    srs_error_t err = srs_sockaddr_resolve(host, port, &addr);
    if (err) return srs_error_wrap(err, "connect");
    int fd = socket(addr.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_SOCKET, "socket");
    st_netfd_t stfd = NULL;
    if ((err = wrap_fd(fd, &stfd)) != srs_success) return err;
    srs_tcp_set_nodelay(stfd);
    srs_coroutine_set_state(SRS_CO_WAIT_WRITE);
    int r = st_connect(stfd, (struct sockaddr *)&addr.ss, (int)addr.len, srs_st_timeout(timeout));
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (r < 0) {
        int e = errno;
        char text[80];
        srs_sockaddr_string(&addr, text, sizeof(text));
        st_netfd_close(stfd);
        errno = e;
        if (e == ETIME) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "connect %s timeout", text);
        if (e == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "connect %s interrupted", text);
        return srs_error_new(ERROR_SYSTEM_CONNECT, "connect %s: %s", text, strerror(e));
    }
    *out = stfd;
    return srs_success;
}

srs_error_t srs_udp_connect(const char *host, int port, st_netfd_t *out)
{
    srs_sockaddr_t addr;
    srs_error_t err = srs_sockaddr_resolve(host, port, &addr);
    if (err) return srs_error_wrap(err, "udp connect");
    int fd = socket(addr.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_SOCKET, "socket");
    if (connect(fd, (struct sockaddr *)&addr.ss, addr.len) < 0) {
        char text[80];
        err = srs_error_new(ERROR_SYSTEM_CONNECT, "udp connect %s: %s",
                            srs_sockaddr_string(&addr, text, sizeof(text)), strerror(errno));
        close(fd);
        return err;
    }
    return wrap_fd(fd, out);
}

srs_error_t srs_st_accept(st_netfd_t lfd, st_netfd_t *out, srs_sockaddr_t *peer, srs_utime_t timeout)
{
    srs_sockaddr_t tmp;
    if (!peer) peer = &tmp;
    memset(peer, 0, sizeof(*peer));
    int len = (int)sizeof(peer->ss);
    srs_coroutine_set_state(SRS_CO_WAIT_READ);
    st_netfd_t fd = st_accept(lfd, (struct sockaddr *)&peer->ss, &len, srs_st_timeout(timeout));
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (!fd) return srs_st_error("accept");
    peer->len = (socklen_t)len;
    srs_sockaddr_unmap(peer);
    fcntl(st_netfd_fileno(fd), F_SETFD, FD_CLOEXEC);
    *out = fd;
    return srs_success;
}

srs_error_t srs_st_read(st_netfd_t fd, void *buf, size_t size, srs_utime_t timeout, size_t *nread)
{
    srs_coroutine_set_state(SRS_CO_WAIT_READ);
    ssize_t n = st_read(fd, buf, size, srs_st_timeout(timeout));
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (n < 0) return srs_st_error("read");
    if (n == 0) return srs_error_new(ERROR_SYSTEM_EOF, "read: peer closed");
    *nread = (size_t)n;
    return srs_success;
}

srs_error_t srs_st_read_fully(st_netfd_t fd, void *buf, size_t size, srs_utime_t timeout)
{
    srs_coroutine_set_state(SRS_CO_WAIT_READ);
    ssize_t n = st_read_fully(fd, buf, size, srs_st_timeout(timeout));
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (n < 0) return srs_st_error("read");
    if ((size_t)n != size) return srs_error_new(ERROR_SYSTEM_EOF, "read: peer closed after %zd of %zu bytes", n, size);
    return srs_success;
}

srs_error_t srs_st_write(st_netfd_t fd, const void *buf, size_t size, srs_utime_t timeout)
{
    srs_coroutine_set_state(SRS_CO_WAIT_WRITE);
    ssize_t n = st_write(fd, buf, size, srs_st_timeout(timeout));
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (n < 0 || (size_t)n != size) return srs_st_error("write");
    return srs_success;
}

srs_error_t srs_st_writev(st_netfd_t fd, const struct iovec *iov, int iovcnt, srs_utime_t timeout)
{
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) total += iov[i].iov_len;
    srs_coroutine_set_state(SRS_CO_WAIT_WRITE);
    ssize_t n = st_writev(fd, iov, iovcnt, srs_st_timeout(timeout));
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (n < 0 || (size_t)n != total) return srs_st_error("writev");
    return srs_success;
}

srs_error_t srs_st_usleep(srs_utime_t us)
{
    srs_coroutine_set_state(SRS_CO_SLEEPING);
    int r = st_usleep(srs_st_timeout(us));
    srs_coroutine_set_state(SRS_CO_RUNNABLE);
    if (r < 0 && errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "sleep interrupted");
    return srs_success;
}

void srs_st_close(st_netfd_t fd)
{
    if (fd) st_netfd_close(fd);
}
