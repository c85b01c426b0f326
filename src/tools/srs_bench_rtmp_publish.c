/* SPDX-License-Identifier: MIT */
/* srs-bench -pr rtmp://host[:port]/app/stream -i file.flv: one publisher that loops the FLV file
 * in real time. Each loop shifts the timestamps past the previous one, so they keep increasing as
 * from a live encoder; the metadata goes out once. A publisher that cannot publish, or loses its
 * connection, counts in players_failed (so the exit status tells). */
#include "srs_bench.h"
#include "srs_bench_rtmp.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_flv.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"

#include <stdlib.h>

/* The gap between the last tag of a loop and the first of the next (one frame at 25 fps). */
#define LOOP_GAP_MS 40

typedef struct {
    const srs_bench_config_t *cfg;
    srs_bench_stats_t *stats;
    uint8_t *file;
    size_t len;
    srs_flv_reader_t reader;
} publisher_t;

/* What the server sends (acknowledgements are due as we read); its close stops the publisher. */
typedef struct {
    srs_rtmp_conn_t *conn;
    srs_coroutine_t *publisher;
} publish_reader_t;

static srs_error_t reader_cycle(void *arg)
{
    publish_reader_t *r = (publish_reader_t *)arg;
    for (;;) {
        srs_rtmp_msg_t msg;
        srs_error_t err = srs_rtmp_read_message(r->conn, &msg);
        if (err) {
            if (srs_error_code(err) != ERROR_SYSTEM_INTERRUPTED) srs_coroutine_interrupt(r->publisher);
            return err;
        }
    }
}

static uint32_t csid_of(uint8_t type)
{
    return type == SRS_FLV_TAG_AUDIO ? SRS_RTMP_CSID_AUDIO : type == SRS_FLV_TAG_VIDEO ? SRS_RTMP_CSID_VIDEO
                                                                                         : SRS_RTMP_CSID_STREAM;
}

/* Send every tag of the file once, offset by `offset` ms, each at its time from `start`. */
static srs_error_t publish_once(publisher_t *p, srs_rtmp_client_t *c, srs_utime_t start, uint32_t offset,
                                bool with_metadata, uint32_t *last_ts)
{
    srs_error_t err = srs_success;
    int sent = 0;
    srs_flv_reader_rewind(&p->reader);
    for (;;) {
        srs_flv_tag_t tag;
        if ((err = srs_flv_read_tag(&p->reader, &tag)) != srs_success) {
            /* The end, or a truncated last tag (a file still being written): loop. */
            if (sent == 0) return srs_error_wrap(err, "no tag to publish in %s", p->cfg->input);
            srs_error_free(err);
            return srs_success;
        }
        bool media = tag.type == SRS_FLV_TAG_AUDIO || tag.type == SRS_FLV_TAG_VIDEO;
        if (!media && !(tag.type == SRS_FLV_TAG_SCRIPT && with_metadata)) continue;
        uint32_t ts = offset + tag.timestamp;
        if (tag.timestamp > *last_ts) *last_ts = tag.timestamp;
        srs_utime_t wait = start + (srs_utime_t)ts * SRS_UTIME_MILLISECONDS - srs_time_now();
        if (wait > 0 && (err = srs_st_usleep(wait)) != srs_success) return err;

        srs_rtmp_msg_t msg = {tag.type, ts, c->stream_id, 0, (uint8_t *)tag.data, (uint32_t)tag.size};
        if ((err = srs_rtmp_write_message(c->conn, &msg, csid_of(tag.type))) != srs_success) return err;
        p->stats->published++;
        sent++;
    }
}

static srs_error_t publish(publisher_t *p, srs_rtmp_client_t *c)
{
    srs_error_t err = srs_success;
    srs_utime_t start = srs_time_now();
    uint32_t offset = 0;
    for (bool first = true;; first = false) {
        uint32_t last_ts = 0;
        if ((err = publish_once(p, c, start, offset, first, &last_ts)) != srs_success) return err;
        offset += last_ts + LOOP_GAP_MS;
    }
}

static srs_error_t publisher_cycle(void *arg)
{
    publisher_t *p = (publisher_t *)arg;
    srs_rtmp_client_t *c = NULL;
    srs_error_t err = srs_bench_rtmp_open(p->cfg->pr, true, &c);
    if (!err) {
        srs_log_info("publishing %s from %s", p->cfg->pr, p->cfg->input);
        /* The server may stay silent for good; writes must not stall forever. */
        srs_rtmp_conn_set_timeouts(c->conn, SRS_UTIME_NO_TIMEOUT, SRS_BENCH_RTMP_TIMEOUT);
        publish_reader_t pr = {c->conn, srs_coroutine_self()};
        srs_coroutine_t *reader = srs_coroutine_new("bench-publish-reader", reader_cycle, &pr);
        srs_coroutine_set_cid(reader, srs_context_id());
        if ((err = srs_coroutine_start(reader)) == srs_success) err = publish(p, c);
        srs_coroutine_free(reader);
    }
    srs_log_error("publisher %s failed: %s", p->cfg->pr, srs_error_summary(err));
    p->stats->players_failed++;
    srs_rtmp_client_close(c);
    return err;
}

srs_error_t srs_bench_rtmp_publish_start(const srs_bench_config_t *cfg, srs_bench_stats_t *stats)
{
    srs_error_t err = srs_success;
    if (!cfg->input[0]) return srs_error_new(ERROR_CONFIG_INVALID, "-pr needs -i FILE.flv");
    publisher_t *p = (publisher_t *)calloc(1, sizeof(*p));
    if (!p) abort();
    p->cfg = cfg;
    p->stats = stats;
    if ((err = srs_flv_load_file(cfg->input, &p->file, &p->len)) != srs_success ||
        (err = srs_flv_reader_init(&p->reader, p->file, p->len)) != srs_success) {
        free(p->file);
        free(p);
        return srs_error_wrap(err, "-i %s", cfg->input);
    }
    /* Lives as long as the process. */
    return srs_coroutine_start_detached(srs_coroutine_new("bench-publisher", publisher_cycle, p));
}
