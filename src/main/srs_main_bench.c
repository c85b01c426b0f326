/* SPDX-License-Identifier: MIT */
/* srs-bench: N players (WebRTC, RTMP, HTTP-FLV) and an RTMP publisher; see trunk/doc/srs-bench.md. */
#include "srs_bench.h"
#include "srs_core_log.h"
#include "srs_protocol_st.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SRS_BENCH_REPORT_INTERVAL 5

static volatile sig_atomic_t stop_requested;
static void on_stop(int signo) { SRS_UNUSED(signo); stop_requested = 1; }

static int usage(const char *argv0, int status)
{
    fprintf(status ? stderr : stdout,
            "Usage: %s [-sr URL -nn N] [-pr URL -i FILE] [options]\n"
            "  -sr URL        play: webrtc://host[:apiport]/app/stream (SRS's /rtc/v1/play/),\n"
            "                 whep://host:port/rtc/v1/whep/?app=&stream= (or http://.../whep/...),\n"
            "                 rtmp://host[:port]/app/stream, http://host:port/app/stream.flv\n"
            "  -nn N          number of players (default 1)\n"
            "  -pr URL        publish: rtmp://host[:port]/app/stream, looping -i in real time\n"
            "  -i FILE        FLV file for the publisher\n"
            "  -delay MS      wait between starting two players (default 10)\n"
            "  -duration S    run for S seconds (default: until SIGINT/SIGTERM)\n"
            "  -raw           WebRTC: the origin is srs-mock-origin -raw; count packets by their clear\n"
            "                 RTP header (detected from its answer too)\n"
            "  -log LEVEL     debug|info|warn|error (default info)\n"
            "Live stats go to stderr every %d s; the last line of stdout is the summary as JSON.\n"
            "The exit status is non-zero when any player failed.\n",
            argv0, SRS_BENCH_REPORT_INTERVAL);
    return status;
}

static bool starts_with(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

static srs_error_t start_modules(const srs_bench_config_t *cfg, srs_bench_stats_t *stats)
{
    srs_error_t err = srs_success;
    if (cfg->pr[0] && (err = srs_bench_rtmp_publish_start(cfg, stats)) != srs_success) return err;
    if (!cfg->sr[0]) return srs_success;
    if (starts_with(cfg->sr, "rtmp://")) return srs_bench_rtmp_play_start(cfg, stats);
    if (starts_with(cfg->sr, "http://") && strstr(cfg->sr, ".flv")) return srs_bench_flv_play_start(cfg, stats);
    if (starts_with(cfg->sr, "webrtc://") || starts_with(cfg->sr, "whep://") || starts_with(cfg->sr, "http://")) {
        return srs_bench_rtc_start(cfg, stats);
    }
    return srs_error_new(ERROR_CONFIG_INVALID, "-sr %s: unknown scheme", cfg->sr);
}

int main(int argc, char **argv)
{
    static srs_bench_config_t cfg;
    static srs_bench_stats_t stats;
    cfg.nn = 1;
    cfg.delay_ms = 10;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "-h") || !strcmp(k, "--help")) return usage(argv[0], 0);
        if (!strcmp(k, "-raw")) {
            cfg.raw = true;
            continue;
        }
        if (i + 1 >= argc) return usage(argv[0], 2);
        const char *v = argv[++i];
        if (!strcmp(k, "-sr")) snprintf(cfg.sr, sizeof(cfg.sr), "%s", v);
        else if (!strcmp(k, "-pr")) snprintf(cfg.pr, sizeof(cfg.pr), "%s", v);
        else if (!strcmp(k, "-i")) snprintf(cfg.input, sizeof(cfg.input), "%s", v);
        else if (!strcmp(k, "-nn")) cfg.nn = atoi(v);
        else if (!strcmp(k, "-delay")) cfg.delay_ms = atoi(v);
        else if (!strcmp(k, "-duration")) cfg.duration_s = atoi(v);
        else if (!strcmp(k, "-log")) {
            int level = srs_log_level_parse(v);
            if (level < 0) return usage(argv[0], 2);
            srs_log_set_level((srs_log_level_t)level);
        } else return usage(argv[0], 2);
    }
    if ((!cfg.sr[0] && !cfg.pr[0]) || cfg.nn < 1 || cfg.delay_ms < 0 || cfg.duration_s < 0) return usage(argv[0], 2);

    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);

    srs_utime_t start = srs_time_now();
    srs_error_t err = srs_st_init();
    if (!err) err = start_modules(&cfg, &stats);
    if (err) {
        srs_log_error("srs-bench: %s", srs_error_desc(err));
        srs_error_free(err);
        return 2;
    }

    srs_utime_t last_report = start;
    while (!stop_requested) {
        st_usleep(100 * 1000);
        srs_utime_t now = srs_time_now();
        if (cfg.duration_s && now - start >= (srs_utime_t)cfg.duration_s * SRS_UTIME_SECONDS) break;
        if (now - last_report >= SRS_BENCH_REPORT_INTERVAL * SRS_UTIME_SECONDS) {
            last_report = now;
            char *line = srs_bench_stats_json(&stats, (double)(now - start) / SRS_UTIME_SECONDS);
            fprintf(stderr, "%s\n", line);
            free(line);
        }
    }
    char *summary = srs_bench_stats_json(&stats, (double)(srs_time_now() - start) / SRS_UTIME_SECONDS);
    printf("%s\n", summary);
    fflush(stdout);
    free(summary);
    /* Players are torn down with the process: sockets close, origins see the peers go. */
    _exit(stats.players_failed > 0 ? 1 : 0);
}
