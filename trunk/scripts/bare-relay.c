/* SPDX-License-Identifier: MIT */
/* bare-relay: the reference for what the kernel costs when forwarding WebRTC media.
 *
 *   bare-relay LISTEN_PORT ORIGIN_IP ORIGIN_PORT
 *
 * The same socket work as srs-proxy's WebRTC relay, and nothing else: one UDP listener for
 * clients, one connected UDP socket per client address toward the origin, one epoll loop;
 * client→origin is recvfrom + send, origin→client is recv + sendto through the listener. No ICE
 * awareness, no limits, no expiry: it is a measuring stick, not a product. Built by
 * trunk/scripts/bench-whep.sh with `cc -O2`; prints its packet counts every second (as JSON lines with
 * a monotonic timestamp, so a benchmark can take the counts of any window) and on SIGINT/SIGTERM. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 65536
#define BUF_SIZE 65536

typedef struct {
    struct sockaddr_in addr; /* the client */
    int fd;                  /* connected to the origin; 0 = free slot */
} client_t;

static client_t clients[MAX_CLIENTS];
static volatile sig_atomic_t stop;
static unsigned long long to_origin, to_client;

static void on_signal(int s) { (void)s; stop = 1; }

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_counts(void)
{
    printf("{\"t\":%.3f,\"to_origin_packets\":%llu,\"to_client_packets\":%llu}\n", now_seconds(), to_origin, to_client);
    fflush(stdout);
}

static size_t slot_of(const struct sockaddr_in *a)
{
    uint64_t h = ((uint64_t)a->sin_addr.s_addr << 16 | a->sin_port) * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 48) % MAX_CLIENTS;
}

/* Open addressing by client address; a new address gets a socket to the origin. */
static client_t *client_for(const struct sockaddr_in *a, const struct sockaddr_in *origin, int ep)
{
    for (size_t i = slot_of(a), n = 0; n < MAX_CLIENTS; i = (i + 1) % MAX_CLIENTS, n++) {
        client_t *c = &clients[i];
        if (c->fd && c->addr.sin_addr.s_addr == a->sin_addr.s_addr && c->addr.sin_port == a->sin_port) return c;
        if (c->fd) continue;
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (fd < 0 || connect(fd, (const struct sockaddr *)origin, sizeof(*origin)) < 0) {
            if (fd >= 0) close(fd);
            return NULL;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        c->addr = *a;
        c->fd = fd;
        return c;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "Usage: %s LISTEN_PORT ORIGIN_IP ORIGIN_PORT\n", argv[0]);
        return 2;
    }
    struct sockaddr_in listen_addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    struct sockaddr_in origin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
    inet_pton(AF_INET, "127.0.0.1", &listen_addr.sin_addr);
    if (inet_pton(AF_INET, argv[2], &origin.sin_addr) != 1) return 2;

    int lfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int size = 10 * 1024 * 1024;
    setsockopt(lfd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
    setsockopt(lfd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
    if (bind(lfd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) < 0) {
        perror("bind");
        return 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    static char buf[BUF_SIZE];
    struct epoll_event events[256];
    double last_print = now_seconds();
    while (!stop) {
        if (now_seconds() - last_print >= 1) {
            last_print = now_seconds();
            print_counts();
        }
        int n = epoll_wait(ep, events, 256, 200);
        for (int i = 0; i < n; i++) {
            client_t *c = (client_t *)events[i].data.ptr;
            if (!c) {
                for (;;) {
                    struct sockaddr_in from;
                    socklen_t len = sizeof(from);
                    ssize_t r = recvfrom(lfd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
                    if (r < 0) break;
                    client_t *to = client_for(&from, &origin, ep);
                    if (to && send(to->fd, buf, (size_t)r, 0) == r) to_origin++;
                }
                continue;
            }
            for (;;) {
                ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
                if (r < 0) break;
                if (sendto(lfd, buf, (size_t)r, 0, (struct sockaddr *)&c->addr, sizeof(c->addr)) == r) to_client++;
            }
        }
    }
    print_counts();
    return 0;
}
