/* SPDX-License-Identifier: MIT */
/* The stream hub of srs-mock-origin: per stream ("app/stream"), one publisher fans out to any
 * number of subscribers (RTMP players, HTTP-FLV players, and the WebRTC module). Like SRS's
 * source with its GOP cache, it keeps what a new subscriber needs to decode at once: the
 * metadata, the audio and video sequence headers and the messages since the last video keyframe.
 *
 * Messages are shared (reference counted) and carry RTMP message types, which are also the FLV tag
 * types: 8 audio, 9 video, 18 data. A metadata message "@setDataFrame", "onMetaData", {...} is kept
 * and sent as "onMetaData", {...} (as SRS does).
 *
 * A subscriber that joins before any publisher waits for one. When the publisher leaves, its
 * subscribers read what is queued and then ERROR_SYSTEM_EOF (the mock ends its players, so tests
 * see the end). A subscriber that falls too far behind loses its queue and resumes at the next
 * keyframe. Single-threaded (State Threads): no locks. */
#ifndef SRS_MOCK_HUB_H
#define SRS_MOCK_HUB_H

#include "srs_core.h"
#include "srs_core_error.h"

typedef struct {
    int refs;
    uint8_t type;       /* 8 audio, 9 video, 18 data */
    uint32_t timestamp; /* ms */
    uint32_t size;
    uint8_t data[];
} srs_mock_msg_t;

/* A message with a copy of data and one reference. */
srs_mock_msg_t *srs_mock_msg_new(uint8_t type, uint32_t timestamp, const uint8_t *data, uint32_t size);
srs_mock_msg_t *srs_mock_msg_ref(srs_mock_msg_t *m);
/* Drop a reference; the last one frees. NULL is fine. */
void srs_mock_msg_unref(srs_mock_msg_t *m);

typedef struct srs_mock_stream_s srs_mock_stream_t;
typedef struct srs_mock_sub_s srs_mock_sub_t;

/* Become the publisher of key. ERROR_RTMP_REFUSED when the stream has one already (SRS's
 * "stream busy"). */
srs_error_t srs_mock_hub_publish(const char *key, srs_mock_stream_t **out);
/* The publisher leaves: the cache is dropped and the subscribers end after their queue. */
void srs_mock_hub_unpublish(srs_mock_stream_t *s);
/* A message from the publisher (copied), cached as needed and queued to every subscriber. */
void srs_mock_stream_write(srs_mock_stream_t *s, uint8_t type, uint32_t timestamp, const uint8_t *data, uint32_t size);

/* Subscribe to key (published or not yet). The queue starts with the cache. */
srs_mock_sub_t *srs_mock_hub_subscribe(const char *key);
/* The next message (the caller unrefs it), waiting up to timeout. Errors: ERROR_SYSTEM_EOF after
 * the publisher left, ERROR_SYSTEM_TIMEOUT, ERROR_SYSTEM_INTERRUPTED. */
srs_error_t srs_mock_sub_read(srs_mock_sub_t *sub, srs_utime_t timeout, srs_mock_msg_t **out);
/* Messages dropped because this subscriber fell behind. */
uint64_t srs_mock_sub_dropped(const srs_mock_sub_t *sub);
void srs_mock_sub_free(srs_mock_sub_t *sub);

/* For logs and tests: streams known, and whether key has a publisher now. */
int srs_mock_hub_stream_count(void);
bool srs_mock_hub_is_published(const char *key);

#endif
