/* SPDX-License-Identifier: MIT */
/* The mock origin's stream hub (see the header). */
#include "srs_mock_hub.h"

#include "srs_protocol_amf0.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"

#include <errno.h>
#include <st.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* About a minute of 25 fps video plus AAC audio per subscriber. */
#define SUB_QUEUE_CAP 4096
/* A "GOP" longer than this has no keyframes worth waiting for: start over. */
#define GOP_MAX_MSGS 8192

struct srs_mock_sub_s {
    srs_mock_stream_t *stream;
    srs_mock_msg_t **queue;
    size_t head, count;
    bool eof;
    bool wait_keyframe;
    uint64_t dropped;
    st_cond_t cond;
    srs_mock_sub_t *prev, *next;
};

struct srs_mock_stream_s {
    char key[512];
    bool published;
    srs_mock_msg_t *metadata, *video_sh, *audio_sh;
    srs_mock_msg_t **gop;
    size_t gop_count, gop_cap;
    srs_mock_sub_t *subs;
    srs_mock_stream_t *prev, *next;
};

static srs_mock_stream_t *streams;

srs_mock_msg_t *srs_mock_msg_new(uint8_t type, uint32_t timestamp, const uint8_t *data, uint32_t size)
{
    srs_mock_msg_t *m = (srs_mock_msg_t *)malloc(sizeof(*m) + size);
    if (!m) abort();
    m->refs = 1;
    m->type = type;
    m->timestamp = timestamp;
    m->size = size;
    if (size) memcpy(m->data, data, size);
    return m;
}

srs_mock_msg_t *srs_mock_msg_ref(srs_mock_msg_t *m)
{
    m->refs++;
    return m;
}

void srs_mock_msg_unref(srs_mock_msg_t *m)
{
    if (m && --m->refs == 0) free(m);
}

static bool is_video_sh(const srs_mock_msg_t *m)
{
    return m->type == 9 && m->size >= 2 && (m->data[0] & 0x0F) == 7 && m->data[1] == 0;
}

static bool is_audio_sh(const srs_mock_msg_t *m)
{
    return m->type == 8 && m->size >= 2 && (m->data[0] >> 4) == 10 && m->data[1] == 0;
}

static bool is_keyframe(const srs_mock_msg_t *m)
{
    return m->type == 9 && m->size >= 2 && (m->data[0] >> 4) == 1 && !is_video_sh(m);
}

/* ---- Streams ---- */

static srs_mock_stream_t *find_stream(const char *key)
{
    for (srs_mock_stream_t *s = streams; s; s = s->next) {
        if (!strcmp(s->key, key)) return s;
    }
    return NULL;
}

static srs_mock_stream_t *find_or_create(const char *key)
{
    srs_mock_stream_t *s = find_stream(key);
    if (s) return s;
    s = (srs_mock_stream_t *)calloc(1, sizeof(*s));
    if (!s) abort();
    snprintf(s->key, sizeof(s->key), "%s", key);
    s->next = streams;
    if (streams) streams->prev = s;
    streams = s;
    return s;
}

static void clear_gop(srs_mock_stream_t *s)
{
    for (size_t i = 0; i < s->gop_count; i++) srs_mock_msg_unref(s->gop[i]);
    s->gop_count = 0;
}

static void clear_cache(srs_mock_stream_t *s)
{
    clear_gop(s);
    srs_mock_msg_unref(s->metadata);
    srs_mock_msg_unref(s->video_sh);
    srs_mock_msg_unref(s->audio_sh);
    s->metadata = s->video_sh = s->audio_sh = NULL;
}

/* A stream with neither publisher nor subscriber is forgotten. */
static void maybe_free(srs_mock_stream_t *s)
{
    if (s->published || s->subs) return;
    if (s->prev) s->prev->next = s->next;
    else streams = s->next;
    if (s->next) s->next->prev = s->prev;
    clear_cache(s);
    free(s->gop);
    free(s);
}

int srs_mock_hub_stream_count(void)
{
    int n = 0;
    for (srs_mock_stream_t *s = streams; s; s = s->next) n++;
    return n;
}

bool srs_mock_hub_is_published(const char *key)
{
    srs_mock_stream_t *s = find_stream(key);
    return s && s->published;
}

/* ---- Subscribers ---- */

static void drop_queue(srs_mock_sub_t *sub)
{
    for (size_t i = 0; i < sub->count; i++) srs_mock_msg_unref(sub->queue[(sub->head + i) % SUB_QUEUE_CAP]);
    sub->dropped += sub->count;
    sub->head = sub->count = 0;
}

static void push(srs_mock_sub_t *sub, srs_mock_msg_t *m)
{
    if (sub->count == SUB_QUEUE_CAP) {
        /* Too far behind: start again at the next keyframe (the sequence headers are unchanged). */
        drop_queue(sub);
        sub->wait_keyframe = true;
    }
    if (sub->wait_keyframe) {
        if (!is_keyframe(m)) {
            sub->dropped++;
            return;
        }
        sub->wait_keyframe = false;
    }
    sub->queue[(sub->head + sub->count) % SUB_QUEUE_CAP] = srs_mock_msg_ref(m);
    sub->count++;
    st_cond_signal(sub->cond);
}

srs_mock_sub_t *srs_mock_hub_subscribe(const char *key)
{
    srs_mock_sub_t *sub = (srs_mock_sub_t *)calloc(1, sizeof(*sub));
    if (!sub) abort();
    sub->queue = (srs_mock_msg_t **)calloc(SUB_QUEUE_CAP, sizeof(*sub->queue));
    if (!sub->queue || (sub->cond = st_cond_new()) == NULL) abort();
    srs_mock_stream_t *s = find_or_create(key);
    sub->stream = s;
    sub->next = s->subs;
    if (s->subs) s->subs->prev = sub;
    s->subs = sub;
    if (s->published) {
        if (s->metadata) push(sub, s->metadata);
        if (s->video_sh) push(sub, s->video_sh);
        if (s->audio_sh) push(sub, s->audio_sh);
        for (size_t i = 0; i < s->gop_count; i++) push(sub, s->gop[i]);
    }
    return sub;
}

srs_error_t srs_mock_sub_read(srs_mock_sub_t *sub, srs_utime_t timeout, srs_mock_msg_t **out)
{
    while (sub->count == 0) {
        if (sub->eof) return srs_error_new(ERROR_SYSTEM_EOF, "stream %s unpublished", sub->stream->key);
        srs_coroutine_set_state(SRS_CO_WAIT_COND);
        int r = st_cond_timedwait(sub->cond, srs_st_timeout(timeout));
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
        if (r < 0) {
            if (errno == EINTR) return srs_error_new(ERROR_SYSTEM_INTERRUPTED, "stream %s read interrupted", sub->stream->key);
            if (sub->count == 0) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "stream %s: no message", sub->stream->key);
        }
    }
    *out = sub->queue[sub->head];
    sub->head = (sub->head + 1) % SUB_QUEUE_CAP;
    sub->count--;
    return srs_success;
}

uint64_t srs_mock_sub_dropped(const srs_mock_sub_t *sub) { return sub->dropped; }

void srs_mock_sub_free(srs_mock_sub_t *sub)
{
    if (!sub) return;
    srs_mock_stream_t *s = sub->stream;
    if (sub->prev) sub->prev->next = sub->next;
    else s->subs = sub->next;
    if (sub->next) sub->next->prev = sub->prev;
    drop_queue(sub);
    free(sub->queue);
    st_cond_destroy(sub->cond);
    free(sub);
    maybe_free(s);
}

/* ---- Publishers ---- */

srs_error_t srs_mock_hub_publish(const char *key, srs_mock_stream_t **out)
{
    srs_mock_stream_t *s = find_or_create(key);
    if (s->published) return srs_error_new(ERROR_RTMP_REFUSED, "stream %s is busy", key);
    s->published = true;
    /* Subscribers left over from the previous publisher end; waiting ones now get this one. */
    *out = s;
    return srs_success;
}

void srs_mock_hub_unpublish(srs_mock_stream_t *s)
{
    if (!s) return;
    s->published = false;
    clear_cache(s);
    for (srs_mock_sub_t *sub = s->subs; sub; sub = sub->next) {
        sub->eof = true;
        st_cond_signal(sub->cond);
    }
    maybe_free(s);
}

/* "@setDataFrame", "onMetaData", {...} → the bytes after "@setDataFrame"; and whether the data
 * message is the metadata. */
static bool strip_set_data_frame(const uint8_t **data, uint32_t *size)
{
    srs_amf0_t *name = NULL;
    size_t used = 0;
    srs_error_t err = srs_amf0_decode(*data, *size, &name, &used);
    if (err) {
        srs_error_free(err);
        return false;
    }
    const char *text = srs_amf0_string(name);
    bool set_data_frame = text && !strcmp(text, "@setDataFrame");
    bool metadata = text && !strcmp(text, "onMetaData");
    srs_amf0_free(name);
    if (!set_data_frame) return metadata;
    *data += used;
    *size -= (uint32_t)used;
    return strip_set_data_frame(data, size);
}

static void gop_append(srs_mock_stream_t *s, srs_mock_msg_t *m)
{
    if (s->gop_count == GOP_MAX_MSGS) clear_gop(s);
    if (s->gop_count == s->gop_cap) {
        s->gop_cap = s->gop_cap ? s->gop_cap * 2 : 256;
        s->gop = (srs_mock_msg_t **)realloc(s->gop, s->gop_cap * sizeof(*s->gop));
        if (!s->gop) abort();
    }
    s->gop[s->gop_count++] = srs_mock_msg_ref(m);
}

void srs_mock_stream_write(srs_mock_stream_t *s, uint8_t type, uint32_t timestamp, const uint8_t *data, uint32_t size)
{
    bool metadata = false;
    if (type == 18) metadata = strip_set_data_frame(&data, &size);
    srs_mock_msg_t *m = srs_mock_msg_new(type, timestamp, data, size);

    if (metadata) {
        srs_mock_msg_unref(s->metadata);
        s->metadata = srs_mock_msg_ref(m);
    } else if (is_video_sh(m)) {
        srs_mock_msg_unref(s->video_sh);
        s->video_sh = srs_mock_msg_ref(m);
    } else if (is_audio_sh(m)) {
        srs_mock_msg_unref(s->audio_sh);
        s->audio_sh = srs_mock_msg_ref(m);
    } else if (is_keyframe(m)) {
        clear_gop(s);
        gop_append(s, m);
    } else if (s->gop_count && (type == 8 || type == 9)) {
        gop_append(s, m);
    }

    for (srs_mock_sub_t *sub = s->subs; sub; sub = sub->next) {
        if (!sub->eof) push(sub, m);
    }
    srs_mock_msg_unref(m);
}
