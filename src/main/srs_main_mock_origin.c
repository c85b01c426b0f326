/* SPDX-License-Identifier: MIT */
/* srs-mock-origin: a stand-in SRS origin for tests and benchmarks; see trunk/doc/mock-origin.md. */
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_mock_origin.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(const char *argv0, int status)
{
    fprintf(status ? stderr : stdout,
            "Usage: %s [options]\n"
            "  -ip IP            address registered in the heartbeat (default 127.0.0.1)\n"
            "  -rtmp PORT        RTMP server (0 = off)\n"
            "  -http PORT        HTTP server: HTTP-FLV of what is published, HLS from -hls (0 = off)\n"
            "  -api PORT         HTTP API: WHIP/WHEP and /rtc/v1/play/ (0 = off)\n"
            "  -rtc PORT         WebRTC UDP port (0 = off)\n"
            "  -srt PORT         SRT UDP port (0 = off)\n"
            "  -candidate-port P the UDP port written into WebRTC answers (a relay in front; default -rtc)\n"
            "  -srt-passphrase P SRT encryption passphrase (10..79 bytes) every caller must use\n"
            "  -heartbeat URL    POST the SRS heartbeat here, e.g. http://127.0.0.1:12025/api/v1/srs/register\n"
            "  -interval SECS    heartbeat interval (default 9, as SRS)\n"
            "  -server ID        server id (default: random, like objs/srs.id)\n"
            "  -device ID        device_id (default origin1)\n"
            "  -flv FILE         media for WebRTC players (H.264 + AAC FLV, looped in real time)\n"
            "  -hls DIR          HLS files to serve (master playlist with hls_ctx, as SRS)\n"
            "  -raw              WebRTC: replay pre-encrypted packets (benchmarks)\n"
            "  -bad-fingerprint  WebRTC, tests only: advertise a wrong DTLS certificate fingerprint\n"
            "  -log LEVEL        debug|info|warn|error (default info)\n",
            argv0);
    return status;
}

/* Tests and scripts own its lifetime: a stop signal is a normal end. */
static void on_stop_signal(int signo)
{
    SRS_UNUSED(signo);
    _exit(0);
}

static int parse_port(const char *v)
{
    int p = atoi(v);
    return (p >= 0 && p <= 65535) ? p : -1;
}

int main(int argc, char **argv)
{
    static srs_mock_config_t cfg;
    snprintf(cfg.ip, sizeof(cfg.ip), "127.0.0.1");
    snprintf(cfg.device_id, sizeof(cfg.device_id), "origin1");
    snprintf(cfg.server_id, sizeof(cfg.server_id), "vid-%s", srs_cid_generate().id);
    snprintf(cfg.service_id, sizeof(cfg.service_id), "%s", srs_cid_generate().id);
    cfg.heartbeat_interval = 9;

    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "-h") || !strcmp(k, "--help")) return usage(argv[0], 0);
        if (!strcmp(k, "-raw")) {
            cfg.raw = true;
            continue;
        }
        if (!strcmp(k, "-bad-fingerprint")) {
            cfg.bad_fingerprint = true;
            continue;
        }
        if (i + 1 >= argc) return usage(argv[0], 2);
        const char *v = argv[++i];
        int *port = !strcmp(k, "-rtmp") ? &cfg.rtmp_port : !strcmp(k, "-http") ? &cfg.http_port
                  : !strcmp(k, "-api") ? &cfg.api_port : !strcmp(k, "-rtc") ? &cfg.rtc_port
                  : !strcmp(k, "-srt") ? &cfg.srt_port : !strcmp(k, "-candidate-port") ? &cfg.candidate_port : NULL;
        if (port) {
            if ((*port = parse_port(v)) < 0) return usage(argv[0], 2);
        } else if (!strcmp(k, "-ip")) snprintf(cfg.ip, sizeof(cfg.ip), "%s", v);
        else if (!strcmp(k, "-heartbeat")) snprintf(cfg.heartbeat_url, sizeof(cfg.heartbeat_url), "%s", v);
        else if (!strcmp(k, "-interval")) cfg.heartbeat_interval = atoi(v) > 0 ? atoi(v) : 9;
        else if (!strcmp(k, "-server")) snprintf(cfg.server_id, sizeof(cfg.server_id), "%s", v);
        else if (!strcmp(k, "-device")) snprintf(cfg.device_id, sizeof(cfg.device_id), "%s", v);
        else if (!strcmp(k, "-flv")) snprintf(cfg.flv_path, sizeof(cfg.flv_path), "%s", v);
        else if (!strcmp(k, "-hls")) snprintf(cfg.hls_dir, sizeof(cfg.hls_dir), "%s", v);
        else if (!strcmp(k, "-srt-passphrase")) snprintf(cfg.srt_passphrase, sizeof(cfg.srt_passphrase), "%s", v);
        else if (!strcmp(k, "-log")) {
            int level = srs_log_level_parse(v);
            if (level < 0) return usage(argv[0], 2);
            srs_log_set_level((srs_log_level_t)level);
        } else return usage(argv[0], 2);
    }

    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_stop_signal);
    signal(SIGINT, on_stop_signal);
    srs_error_t err = srs_st_init();
    if (!err && cfg.srt_port) err = srs_mock_srt_start(&cfg);
    if (!err && (cfg.api_port || cfg.rtc_port)) err = srs_mock_rtc_start(&cfg);
    if (!err && cfg.rtmp_port) err = srs_mock_rtmp_start(&cfg);
    if (!err && cfg.http_port) err = srs_mock_http_start(&cfg);
    if (!err) err = srs_mock_heartbeat_start(&cfg);
    if (err) {
        srs_log_error("srs-mock-origin: %s", srs_error_desc(err));
        srs_error_free(err);
        return 1;
    }
    srs_log_info("srs-mock-origin %s-%s started: ip=%s rtmp=%d http=%d api=%d rtc=%d srt=%d", cfg.server_id,
                 cfg.service_id, cfg.ip, cfg.rtmp_port, cfg.http_port, cfg.api_port, cfg.rtc_port, cfg.srt_port);
    for (;;) st_sleep(3600);
}
