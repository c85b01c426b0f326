/* SPDX-License-Identifier: MIT */
/* The UDP side shared by the WebRTC and SRT relays: one listener for clients (10 MiB buffers, as
 * SRS asks for its RTC socket) and one private epoll set for the per-session origin sockets, which
 * ST sees as a single fd, so its poll() does not grow with the number of sessions. */
#ifndef SRS_PROTOCOL_UDP_ENDPOINT_H
#define SRS_PROTOCOL_UDP_ENDPOINT_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_st.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    st_netfd_t listener;
    int lfd;                 /* the listener's fd, for recvmmsg/sendmmsg/sendto */
    int port;                /* the port actually bound */
    int epfd;                /* the session sockets' epoll set, -1 before open */
    st_netfd_t epoll_netfd;  /* epfd as ST sees it: wait on it with st_netfd_poll */
    char address[80];        /* "ip:port" bound, for logs */
} srs_udp_endpoint_t;

/* Binds host:port (host "" = all interfaces); name is for logs and errors ("WebRTC", "SRT"). */
srs_error_t srs_udp_endpoint_open(srs_udp_endpoint_t *e, const char *name, const char *host, int port);
/* Closes what open made, also after a failed open. */
void srs_udp_endpoint_close(srs_udp_endpoint_t *e);

#ifdef __cplusplus
}
#endif

#endif
