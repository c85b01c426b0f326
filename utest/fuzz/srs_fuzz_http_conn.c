/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the bytes as what a client sends on a keep-alive connection. They go through
 * a socket pair into the buffered reader, so head framing, pipelining, bodies (length or chunked,
 * across buffer refills) and error answers all run as in the server. */
#include "srs_protocol_http.h"
#include "srs_protocol_st.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready = false;
    if (!ready) {
        srs_error_t err = srs_st_init();
        if (err) abort();
        ready = true;
    }
    /* More than the socket buffer would block the writer; real heads are limited anyway. */
    if (size > 64 * 1024) return 0;

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) abort();
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(sv[1], data + off, size - off);
        if (n <= 0) abort();
        off += (size_t)n;
    }
    shutdown(sv[1], SHUT_WR);

    st_netfd_t fd = st_netfd_open_socket(sv[0]);
    if (!fd) abort();
    srs_http_conn_t *c = srs_http_conn_new(fd);
    srs_http_conn_set_timeouts(c, 100 * SRS_UTIME_MILLISECONDS, 100 * SRS_UTIME_MILLISECONDS);
    srs_http_request_t req = {0};
    for (int i = 0; i < 64; i++) {
        srs_error_t err = srs_http_read_request(c, &req);
        if (err) {
            int status = srs_http_status_of_error(err);
            if (status) srs_error_free(srs_http_write_error(c, status, srs_error_code(err), "bad"));
            srs_error_free(err);
            break;
        }
        char buf[7];
        size_t n = 1, total = 0;
        while (n && !err) {
            err = srs_http_read_body(c, buf, sizeof(buf), &n);
            total += n;
        }
        /* A body can never be longer than what was sent. */
        if (total > size) abort();
        srs_error_free(err);
        if (!srs_http_body_eof(c)) break;
        srs_error_free(srs_http_write_response(c, 200, NULL, "ok", 2));
    }
    srs_http_request_free(&req);
    srs_http_conn_free(c);
    st_netfd_close(fd);
    close(sv[1]);
    return 0;
}
