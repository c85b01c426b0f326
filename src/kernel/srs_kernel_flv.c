/* SPDX-License-Identifier: MIT */
#include "srs_kernel_flv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A tool loads a test clip, not a movie: refuse anything larger rather than exhaust memory. */
#define FLV_MAX_FILE_SIZE (1024LL * 1024 * 1024)

static uint32_t get_u24(const uint8_t *p) { return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2]; }
static uint32_t get_u32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | get_u24(p + 1); }
static void put_u24(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 16); p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)v; }
static void put_u32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); put_u24(p + 1, v); }

srs_error_t srs_flv_reader_init(srs_flv_reader_t *r, const uint8_t *data, size_t len)
{
    memset(r, 0, sizeof(*r));
    if (!data || len < SRS_FLV_HEADER_SIZE) return srs_error_new(ERROR_FLV_INVALID, "flv header needs 9 bytes, got %zu", len);
    if (data[0] != 'F' || data[1] != 'L' || data[2] != 'V') return srs_error_new(ERROR_FLV_INVALID, "no FLV signature");
    if (data[3] != 1) return srs_error_new(ERROR_FLV_INVALID, "flv version %u", data[3]);

    uint32_t offset = get_u32(data + 5);
    if (offset < SRS_FLV_HEADER_SIZE) return srs_error_new(ERROR_FLV_INVALID, "flv data offset %u", offset);
    /* The offset may skip a future, longer header; PreviousTagSize0 follows it. */
    if ((uint64_t)offset + SRS_FLV_PREVIOUS_TAG_SIZE > len) {
        return srs_error_new(ERROR_FLV_INVALID, "flv data offset %u past end %zu", offset, len);
    }
    r->data = data;
    r->len = len;
    r->has_audio = (data[4] & 0x04) != 0;
    r->has_video = (data[4] & 0x01) != 0;
    r->first_tag = (size_t)offset + SRS_FLV_PREVIOUS_TAG_SIZE;
    r->pos = r->first_tag;
    return srs_success;
}

bool srs_flv_reader_eof(const srs_flv_reader_t *r)
{
    return r->pos >= r->len;
}

srs_error_t srs_flv_read_tag(srs_flv_reader_t *r, srs_flv_tag_t *tag)
{
    if (srs_flv_reader_eof(r)) return srs_error_new(ERROR_SYSTEM_EOF, "flv end at %zu", r->pos);

    size_t left = r->len - r->pos;
    if (left < SRS_FLV_TAG_HEADER_SIZE) {
        return srs_error_new(ERROR_FLV_INVALID, "flv tag header at %zu truncated, %zu bytes left", r->pos, left);
    }
    const uint8_t *p = r->data + r->pos;
    uint32_t size = get_u24(p + 1);
    /* Both terms are small (u24 + constants), so the sum cannot overflow size_t. */
    size_t need = SRS_FLV_TAG_SIZE(size);
    if (need > left) {
        return srs_error_new(ERROR_FLV_INVALID, "flv tag at %zu needs %zu bytes, %zu left", r->pos, need, left);
    }

    tag->type = p[0] & 0x1F;
    tag->encrypted = (p[0] & 0x20) != 0;
    tag->timestamp = get_u24(p + 4) | ((uint32_t)p[7] << 24);
    tag->stream_id = get_u24(p + 8);
    tag->data = p + SRS_FLV_TAG_HEADER_SIZE;
    tag->size = size;
    r->pos += need;
    return srs_success;
}

void srs_flv_reader_rewind(srs_flv_reader_t *r)
{
    r->pos = r->first_tag;
}

srs_error_t srs_flv_parse_video(const uint8_t *data, size_t size, srs_flv_video_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!data || size < 1) return srs_error_new(ERROR_FLV_INVALID, "empty video tag");
    out->frame_type = data[0] >> 4;
    out->codec_id = data[0] & 0x0F;
    if (out->codec_id != SRS_FLV_CODEC_AVC) {
        out->payload = data + 1;
        out->payload_size = size - 1;
        return srs_success;
    }
    if (size < 5) return srs_error_new(ERROR_FLV_INVALID, "avc video tag needs 5 bytes, got %zu", size);
    out->avc_packet_type = data[1];
    /* Sign-extend the 24-bit composition time. */
    uint32_t cts = get_u24(data + 2);
    out->composition_time = (cts & 0x800000) ? (int32_t)(cts | 0xFF000000u) : (int32_t)cts;
    out->payload = data + 5;
    out->payload_size = size - 5;
    return srs_success;
}

srs_error_t srs_flv_parse_audio(const uint8_t *data, size_t size, srs_flv_audio_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!data || size < 1) return srs_error_new(ERROR_FLV_INVALID, "empty audio tag");
    out->sound_format = data[0] >> 4;
    out->sound_rate = (data[0] >> 2) & 0x03;
    out->sound_size = (data[0] >> 1) & 0x01;
    out->sound_type = data[0] & 0x01;
    if (out->sound_format != SRS_FLV_SOUND_AAC) {
        out->payload = data + 1;
        out->payload_size = size - 1;
        return srs_success;
    }
    if (size < 2) return srs_error_new(ERROR_FLV_INVALID, "aac audio tag needs 2 bytes, got %zu", size);
    out->aac_packet_type = data[1];
    out->payload = data + 2;
    out->payload_size = size - 2;
    return srs_success;
}

srs_error_t srs_flv_write_header(bool has_audio, bool has_video, uint8_t *buf, size_t size, size_t *written)
{
    if (size < SRS_FLV_FILE_HEADER_SIZE) return srs_error_new(ERROR_FLV_INVALID, "flv header needs 13 bytes, have %zu", size);
    buf[0] = 'F';
    buf[1] = 'L';
    buf[2] = 'V';
    buf[3] = 1;
    buf[4] = (uint8_t)((has_audio ? 0x04 : 0) | (has_video ? 0x01 : 0));
    put_u32(buf + 5, SRS_FLV_HEADER_SIZE);
    put_u32(buf + 9, 0);
    *written = SRS_FLV_FILE_HEADER_SIZE;
    return srs_success;
}

srs_error_t srs_flv_write_tag(uint8_t type, uint32_t timestamp, const uint8_t *data, size_t data_size,
                              uint8_t *buf, size_t size, size_t *written)
{
    if (type > 0x1F) return srs_error_new(ERROR_FLV_INVALID, "flv tag type %u", type);
    if (data_size > SRS_FLV_MAX_TAG_DATA) return srs_error_new(ERROR_FLV_INVALID, "flv tag data %zu too large", data_size);
    size_t need = SRS_FLV_TAG_SIZE(data_size);
    if (size < need) return srs_error_new(ERROR_FLV_INVALID, "flv tag needs %zu bytes, have %zu", need, size);

    buf[0] = type;
    put_u24(buf + 1, (uint32_t)data_size);
    put_u24(buf + 4, timestamp & 0xFFFFFF);
    buf[7] = (uint8_t)(timestamp >> 24);
    put_u24(buf + 8, 0);
    if (data_size) memcpy(buf + SRS_FLV_TAG_HEADER_SIZE, data, data_size);
    put_u32(buf + SRS_FLV_TAG_HEADER_SIZE + data_size, (uint32_t)(SRS_FLV_TAG_HEADER_SIZE + data_size));
    *written = need;
    return srs_success;
}

/* Make room for `more` bytes after len, doubling to keep appends amortised O(1). */
static srs_error_t flv_buffer_reserve(srs_flv_buffer_t *b, size_t more)
{
    if (more <= b->cap - b->len) return srs_success;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < more) {
        if (cap > SIZE_MAX / 2) return srs_error_new(ERROR_SYSTEM_NOMEM, "flv buffer of %zu bytes", b->len);
        cap *= 2;
    }
    uint8_t *data = realloc(b->data, cap);
    if (!data) return srs_error_new(ERROR_SYSTEM_NOMEM, "flv buffer of %zu bytes", cap);
    b->data = data;
    b->cap = cap;
    return srs_success;
}

srs_error_t srs_flv_buffer_append_header(srs_flv_buffer_t *b, bool has_audio, bool has_video)
{
    srs_error_t err = flv_buffer_reserve(b, SRS_FLV_FILE_HEADER_SIZE);
    if (err) return srs_error_wrap(err, "flv header");
    size_t n = 0;
    if ((err = srs_flv_write_header(has_audio, has_video, b->data + b->len, b->cap - b->len, &n))) return err;
    b->len += n;
    return srs_success;
}

srs_error_t srs_flv_buffer_append_tag(srs_flv_buffer_t *b, uint8_t type, uint32_t timestamp,
                                      const uint8_t *data, size_t data_size)
{
    if (data_size > SRS_FLV_MAX_TAG_DATA) return srs_error_new(ERROR_FLV_INVALID, "flv tag data %zu too large", data_size);
    srs_error_t err = flv_buffer_reserve(b, SRS_FLV_TAG_SIZE(data_size));
    if (err) return srs_error_wrap(err, "flv tag");
    size_t n = 0;
    if ((err = srs_flv_write_tag(type, timestamp, data, data_size, b->data + b->len, b->cap - b->len, &n))) return err;
    b->len += n;
    return srs_success;
}

void srs_flv_buffer_clear(srs_flv_buffer_t *b)
{
    b->len = 0;
}

void srs_flv_buffer_free(srs_flv_buffer_t *b)
{
    srs_freep(b->data);
    b->len = b->cap = 0;
}

srs_error_t srs_flv_load_file(const char *path, uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return srs_error_new(ERROR_SYSTEM_FILE, "open %s", path);

    srs_error_t err = srs_success;
    uint8_t *buf = NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        err = srs_error_new(ERROR_SYSTEM_FILE, "stat %s", path);
    } else if (!S_ISREG(st.st_mode) || st.st_size > FLV_MAX_FILE_SIZE) {
        err = srs_error_new(ERROR_SYSTEM_FILE, "%s is not a regular file up to 1 GiB", path);
    } else if (!(buf = malloc(st.st_size ? (size_t)st.st_size : 1))) {
        err = srs_error_new(ERROR_SYSTEM_NOMEM, "%lld bytes for %s", (long long)st.st_size, path);
    } else if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        err = srs_error_new(ERROR_SYSTEM_FILE, "read %s", path);
        srs_freep(buf);
    }
    fclose(f);
    if (err) return err;
    *data = buf;
    *len = (size_t)st.st_size;
    return srs_success;
}
