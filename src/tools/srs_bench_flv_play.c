/* SPDX-License-Identifier: MIT */
/* srs-bench -sr http://host[:port]/app/stream.flv -nn N [-delay MS]: N HTTP-FLV players, started
 * -delay apart, each reading the body as it arrives and counting FLV tags and their data bytes
 * (tags are split with the kernel's FLV reader). A player that cannot connect, gets another status
 * than 200 or no FLV, or whose stream ends before the end counts as failed. */
#include "srs_bench.h"
#include "srs_bench_rtc.h"
#include "srs_core_log.h"
#include "srs_kernel_flv.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_http.h"
#include "srs_protocol_st.h"

#include <stdlib.h>
#include <string.h>

#define FLV_CONNECT_TIMEOUT (3 * SRS_UTIME_SECONDS)
/* No byte for this long: the stream is lost. */
#define FLV_IDLE_TIMEOUT (30 * SRS_UTIME_SECONDS)
#define FLV_READ_SIZE (64 * 1024)
/* The largest tag plus one read: anything longer is no FLV. */
#define FLV_PENDING_MAX (SRS_FLV_TAG_SIZE(SRS_FLV_MAX_TAG_DATA) + FLV_READ_SIZE)

static srs_log_limit_t player_errors = SRS_LOG_LIMIT_INIT(5 * SRS_UTIME_SECONDS, 5);

typedef struct {
    const srs_bench_config_t *cfg;
    srs_bench_stats_t *stats;
    srs_bench_rtc_url_t url;
} flv_players_t;

/* Bytes of the body not yet counted as whole tags. */
typedef struct {
    uint8_t *data;
    size_t len, cap;
    bool header_seen;
} flv_pending_t;

/* Count the whole tags in p and keep the rest for the next read. */
static srs_error_t count_tags(flv_pending_t *p, srs_bench_stats_t *stats)
{
    srs_error_t err = srs_success;
    srs_flv_reader_t r;
    if (!p->header_seen) {
        if (p->len < SRS_FLV_FILE_HEADER_SIZE) return srs_success;
        if ((err = srs_flv_reader_init(&r, p->data, p->len)) != srs_success) return srs_error_wrap(err, "FLV header");
        p->header_seen = true;
    } else {
        /* Between tags, the reader needs no header: start it at the first pending byte. */
        memset(&r, 0, sizeof(r));
        r.data = p->data;
        r.len = p->len;
    }
    for (;;) {
        srs_flv_tag_t tag;
        size_t before = r.pos;
        if ((err = srs_flv_read_tag(&r, &tag)) != srs_success) {
            /* A tag not whole yet (or the end of what arrived): wait for more. */
            srs_error_free(err);
            r.pos = before;
            break;
        }
        stats->packets++;
        stats->bytes += tag.size;
    }
    memmove(p->data, p->data + r.pos, p->len - r.pos);
    p->len -= r.pos;
    return srs_success;
}

static srs_error_t read_stream(srs_http_client_t *cli, srs_bench_stats_t *stats)
{
    srs_error_t err = srs_success;
    flv_pending_t p = {0};
    for (;;) {
        if (p.len + FLV_READ_SIZE > p.cap) {
            if (p.len + FLV_READ_SIZE > FLV_PENDING_MAX) {
                err = srs_error_new(ERROR_FLV_INVALID, "no whole FLV tag in %zu bytes", p.len);
                break;
            }
            p.cap = p.len + FLV_READ_SIZE;
            if (!(p.data = (uint8_t *)realloc(p.data, p.cap))) abort();
        }
        size_t n = 0;
        if ((err = srs_http_read_body(cli->conn, p.data + p.len, FLV_READ_SIZE, &n)) != srs_success) break;
        if (n == 0) {
            err = srs_error_new(ERROR_SYSTEM_EOF, "the stream ended");
            break;
        }
        p.len += n;
        if ((err = count_tags(&p, stats)) != srs_success) break;
    }
    free(p.data);
    return err;
}

static srs_error_t player_cycle(void *arg)
{
    flv_players_t *ps = (flv_players_t *)arg;
    srs_bench_stats_t *stats = ps->stats;
    stats->players_started++;
    srs_http_client_t *cli = NULL;
    srs_error_t err = srs_http_client_do(ps->url.host, ps->url.port, "GET", ps->url.target, NULL, NULL, 0,
                                         FLV_CONNECT_TIMEOUT, FLV_IDLE_TIMEOUT, &cli);
    if (!err && cli->res.status != 200) err = srs_error_new(ERROR_HTTP_STATUS, "status %d", cli->res.status);
    if (err) {
        stats->players_failed++;
        srs_log_limited(&player_errors, SRS_LOG_WARN, "player %s failed: %s", ps->cfg->sr, srs_error_summary(err));
        srs_http_client_close(cli);
        return err;
    }
    stats->players_alive++;
    err = read_stream(cli, stats);
    stats->players_alive--;
    stats->players_failed++;
    srs_log_limited(&player_errors, SRS_LOG_WARN, "player %s lost its stream: %s", ps->cfg->sr, srs_error_summary(err));
    srs_http_client_close(cli);
    return err;
}

static srs_error_t launcher_cycle(void *arg)
{
    flv_players_t *ps = (flv_players_t *)arg;
    for (int i = 0; i < ps->cfg->nn; i++) {
        srs_error_t err = srs_coroutine_start_detached(srs_coroutine_new("bench-flv-player", player_cycle, ps));
        if (err) return err;
        if (ps->cfg->delay_ms > 0 && i + 1 < ps->cfg->nn &&
            (err = srs_st_usleep(ps->cfg->delay_ms * SRS_UTIME_MILLISECONDS)) != srs_success) {
            return err;
        }
    }
    return srs_success;
}

srs_error_t srs_bench_flv_play_start(const srs_bench_config_t *cfg, srs_bench_stats_t *stats)
{
    flv_players_t *ps = (flv_players_t *)calloc(1, sizeof(*ps));
    if (!ps) abort();
    ps->cfg = cfg;
    ps->stats = stats;
    /* The same http:// URL forms as the WHEP players. */
    srs_error_t err = srs_bench_rtc_parse_url(cfg->sr, &ps->url);
    if (err) {
        free(ps);
        return srs_error_wrap(err, "-sr");
    }
    /* Lives as long as the process. */
    return srs_coroutine_start_detached(srs_coroutine_new("bench-flv-launcher", launcher_cycle, ps));
}
