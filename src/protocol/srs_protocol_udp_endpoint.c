/* SPDX-License-Identifier: MIT */
#include "srs_protocol_udp_endpoint.h"
#include "srs_core_log.h"

#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* SRS asks for 10 MiB on its RTC socket; the kernel may cap it (net.core.rmem_max). */
#define SRS_UDP_SOCKET_BUFFER (10 * 1024 * 1024)

static void set_buffers(const char *name, int fd)
{
    int size = SRS_UDP_SOCKET_BUFFER;
    int rcv = 0, snd = 0;
    socklen_t len = sizeof(int);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &len);
    len = sizeof(int);
    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &len);
    srs_log_info("%s UDP socket buffers: asked %d, got rcvbuf=%d sndbuf=%d (the kernel doubles what it grants; "
                 "raise net.core.rmem_max/wmem_max for more)", name, size, rcv, snd);
}

srs_error_t srs_udp_endpoint_open(srs_udp_endpoint_t *e, const char *name, const char *host, int port)
{
    memset(e, 0, sizeof(*e));
    e->epfd = -1;
    srs_error_t err = srs_udp_listen(host, port, &e->listener);
    if (err) return srs_error_wrap(err, "%s listen", name);
    e->lfd = st_netfd_fileno(e->listener);
    srs_sockaddr_t local;
    if ((err = srs_socket_local_addr(e->listener, &local)) != srs_success) return err;
    e->port = srs_sockaddr_port(&local);
    srs_sockaddr_string(&local, e->address, sizeof(e->address));
    set_buffers(name, e->lfd);

    e->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (e->epfd < 0 || !(e->epoll_netfd = st_netfd_open(e->epfd))) {
        return srs_error_new(ERROR_SYSTEM_SOCKET, "epoll for %s sessions", name);
    }
    return srs_success;
}

void srs_udp_endpoint_close(srs_udp_endpoint_t *e)
{
    if (e->epoll_netfd) st_netfd_close(e->epoll_netfd);
    else if (e->epfd >= 0) close(e->epfd);
    e->epoll_netfd = NULL;
    e->epfd = -1;
    srs_st_close_and_clear(e->listener);
}
