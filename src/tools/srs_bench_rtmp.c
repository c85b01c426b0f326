/* SPDX-License-Identifier: MIT */
#include "srs_bench_rtmp.h"

#include "srs_protocol_rtmp_msg.h"

srs_error_t srs_bench_rtmp_open(const char *url, bool publish, srs_rtmp_client_t **out)
{
    srs_error_t err = srs_success;
    *out = NULL;
    char tc_url[1024], stream[1024];
    srs_rtmp_url_t u;
    if ((err = srs_rtmp_url_split(url, tc_url, sizeof(tc_url), stream, sizeof(stream))) != srs_success) return err;
    if ((err = srs_rtmp_url_parse(tc_url, stream, &u)) != srs_success) return srs_error_wrap(err, "URL %s", url);

    srs_rtmp_client_t *c = NULL;
    err = srs_rtmp_client_open(u.host, u.port, SRS_BENCH_RTMP_CONNECT_TIMEOUT, SRS_BENCH_RTMP_TIMEOUT,
                               SRS_BENCH_RTMP_CHUNK_SIZE, &c);
    if (err) return err;
    srs_amf0_t *object = srs_rtmp_client_connect_object(tc_url, u.app);
    err = srs_rtmp_client_connect_app(c, object);
    srs_amf0_free(object);
    if (!err) err = publish ? srs_rtmp_client_publish(c, stream) : srs_rtmp_client_play(c, stream);
    if (err) {
        srs_rtmp_client_close(c);
        return srs_error_wrap(err, "%s %s", publish ? "publish" : "play", url);
    }
    *out = c;
    return srs_success;
}
