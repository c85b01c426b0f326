/* SPDX-License-Identifier: MIT */
/* srs-proxy: a proxy in front of SRS origin servers. Configured by the environment (and .env),
 * as the Go srs-proxy; see README.md. */
#include "srs_app_config.h"
#include "srs_app_master.h"
#include "srs_app_server.h"
#include "srs_app_signal.h"
#include "srs_core_log.h"
#include "srs_protocol_st.h"

#include <stdio.h>
#include <string.h>

static int usage(const char *argv0)
{
    printf("Usage: %s [-v|--version] [-h|--help]\n"
           "Configured by environment variables (and ./.env), as the Go srs-proxy:\n"
           "  PROXY_RTMP_SERVER=11935 PROXY_HTTP_SERVER=18080 PROXY_HTTP_API=11985\n"
           "  PROXY_WEBRTC_SERVER=18000 PROXY_SRT_SERVER=20080 PROXY_SYSTEM_API=12025 ...\n"
           "See README.md for every variable.\n", argv0);
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
            printf("%s\n", SRS_PROXY_VERSION);
            return 0;
        }
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return usage(argv[0]);
        fprintf(stderr, "unknown argument '%s' (try --help)\n", argv[i]);
        return 2;
    }

    srs_log_info("%s-Proxy/%s started", SRS_PROXY_SIGNATURE, SRS_PROXY_VERSION);

    static srs_config_t cfg;
    /* The configuration is loaded and checked once, before any worker exists; State Threads
     * starts in the process that serves (the only one, or each worker after the fork). */
    srs_error_t err = srs_config_load(&cfg, ".env");
    if (!err && cfg.workers > 1) {
        srs_log_set_level((srs_log_level_t)cfg.log_level);
        srs_config_log(&cfg);
        int worker = -1, status = 0;
        if ((err = srs_master_run(&cfg, &worker, &status)) == srs_success && worker < 0) return status;
    }
    if (!err) err = srs_st_init();
    if (!err) {
        srs_log_set_level((srs_log_level_t)cfg.log_level);
        srs_config_log(&cfg);
        err = srs_signal_start();
    }
    if (!err) err = srs_proxy_run(&cfg);
    srs_signal_stop();
    if (err) {
        srs_log_error("main: %s", srs_error_desc(err));
        srs_error_free(err);
        return 1;
    }
    srs_log_info("%s-Proxy/%s quit", SRS_PROXY_SIGNATURE, SRS_PROXY_VERSION);
    return 0;
}
