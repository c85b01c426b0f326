/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: replaced by the engineer building this module in this session. */
#include "srs_bench.h"

srs_error_t srs_bench_rtmp_play_start(const srs_bench_config_t *cfg, srs_bench_stats_t *stats)
{
    SRS_UNUSED(cfg);
    SRS_UNUSED(stats);
    return srs_error_new(ERROR_CONFIG_INVALID, "this kind of client is not built yet");
}
