/* SPDX-License-Identifier: MIT */
/* srs-bench -sr rtmp://host[:port]/app/stream -nn N [-delay MS]: N RTMP players, started -delay
 * apart, each counting the messages (audio, video, data) and payload bytes it receives. A player
 * that cannot connect, is refused, or loses its stream before the end counts as failed. */
#include "srs_bench.h"
#include "srs_bench_rtmp.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"

#include <stdlib.h>

/* A player with no message for this long has lost its stream. */
#define PLAYER_IDLE_TIMEOUT (30 * SRS_UTIME_SECONDS)

static srs_log_limit_t player_errors = SRS_LOG_LIMIT_INIT(5 * SRS_UTIME_SECONDS, 5);

typedef struct {
    const srs_bench_config_t *cfg;
    srs_bench_stats_t *stats;
} players_t;

static srs_error_t player_cycle(void *arg)
{
    players_t *ps = (players_t *)arg;
    srs_bench_stats_t *stats = ps->stats;
    stats->players_started++;
    srs_rtmp_client_t *c = NULL;
    srs_error_t err = srs_bench_rtmp_open(ps->cfg->sr, false, &c);
    if (err) {
        stats->players_failed++;
        srs_log_limited(&player_errors, SRS_LOG_WARN, "player failed: %s", srs_error_summary(err));
        return err;
    }
    stats->players_alive++;
    srs_rtmp_conn_set_timeouts(c->conn, PLAYER_IDLE_TIMEOUT, SRS_BENCH_RTMP_TIMEOUT);
    for (;;) {
        srs_rtmp_msg_t msg;
        if ((err = srs_rtmp_read_message(c->conn, &msg)) != srs_success) break;
        if (msg.type == SRS_RTMP_MSG_AUDIO || msg.type == SRS_RTMP_MSG_VIDEO || msg.type == SRS_RTMP_MSG_DATA_AMF0) {
            stats->packets++;
            stats->bytes += msg.size;
        }
    }
    stats->players_alive--;
    stats->players_failed++;
    srs_log_limited(&player_errors, SRS_LOG_WARN, "player lost its stream: %s", srs_error_summary(err));
    srs_rtmp_client_close(c);
    return err;
}

/* Start the players -delay apart, from a coroutine of its own so the caller returns at once. */
static srs_error_t launcher_cycle(void *arg)
{
    players_t *ps = (players_t *)arg;
    for (int i = 0; i < ps->cfg->nn; i++) {
        srs_error_t err = srs_coroutine_start_detached(srs_coroutine_new("bench-rtmp-player", player_cycle, ps));
        if (err) return err;
        if (ps->cfg->delay_ms > 0 && i + 1 < ps->cfg->nn &&
            (err = srs_st_usleep(ps->cfg->delay_ms * SRS_UTIME_MILLISECONDS)) != srs_success) {
            return err;
        }
    }
    return srs_success;
}

srs_error_t srs_bench_rtmp_play_start(const srs_bench_config_t *cfg, srs_bench_stats_t *stats)
{
    char tc_url[1024], stream[1024];
    srs_error_t err = srs_rtmp_url_split(cfg->sr, tc_url, sizeof(tc_url), stream, sizeof(stream));
    if (err) return srs_error_wrap(err, "-sr");
    players_t *ps = (players_t *)calloc(1, sizeof(*ps));
    if (!ps) abort();
    ps->cfg = cfg;
    ps->stats = stats;
    /* Lives as long as the process. */
    return srs_coroutine_start_detached(srs_coroutine_new("bench-rtmp-launcher", launcher_cycle, ps));
}
