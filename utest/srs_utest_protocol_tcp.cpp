// SPDX-License-Identifier: MIT
// TCP_NODELAY on every TCP socket the proxy accepts or opens (Nagle would hold a burst of small
// control replies for the peer's delayed ACK).
#include "srs_utest.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

extern "C" {
#include "srs_protocol_st.h"
#include "srs_protocol_tcp_server.h"
}

static int nodelay_of(st_netfd_t fd)
{
    int v = -1;
    socklen_t len = sizeof(v);
    if (getsockopt(st_netfd_fileno(fd), IPPROTO_TCP, TCP_NODELAY, &v, &len) < 0) return -1;
    return v;
}

static int accepted_nodelay = -1;

static srs_error_t record_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    (void)ctx;
    (void)peer;
    accepted_nodelay = nodelay_of(fd);
    return srs_success;
}

TEST(ProtocolTcpTest, AcceptedAndConnectedSocketsHaveNodelay)
{
    accepted_nodelay = -1;
    srs_tcp_server_t *server = NULL;
    HELPER_EXPECT_SUCCESS(srs_tcp_server_start("nodelay", "127.0.0.1", 0, record_conn, NULL, NULL, &server));
    ASSERT_TRUE(server != NULL);
    st_netfd_t fd = NULL;
    HELPER_EXPECT_SUCCESS(srs_tcp_connect("127.0.0.1", srs_tcp_server_port(server), SRS_UTIME_SECONDS, &fd));
    ASSERT_TRUE(fd != NULL);
    EXPECT_NE(0, nodelay_of(fd));
    for (int i = 0; i < 200 && accepted_nodelay < 0; i++) {
        srs_error_t err = srs_st_usleep(5 * SRS_UTIME_MILLISECONDS);
        srs_error_free(err);
    }
    EXPECT_GT(accepted_nodelay, 0);
    srs_st_close(fd);
    srs_tcp_server_free(server);
}
