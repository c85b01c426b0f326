/* SPDX-License-Identifier: MIT */
/* FLV (Adobe FLV file format v10.1, annex E): a demuxer over a buffer in memory and a writer of
 * the header and tags, for the tools (an RTMP publisher looping a file, the mock origin's
 * HTTP-FLV and its RTP packetizer). The reader never copies: a tag points into the buffer.
 *
 * Layout: a 9-byte header ("FLV", version 1, flags 0x04 audio | 0x01 video, u32 data offset),
 * then PreviousTagSize0 (u32, 0), then tags, each followed by its PreviousTagSize (u32 = 11 +
 * data size). A tag header is 11 bytes: type (low 5 bits; bit 5 is the encryption filter),
 * u24 data size, u24 timestamp in ms, u8 extended timestamp (the upper 8 bits), u24 stream id. */
#ifndef SRS_KERNEL_FLV_H
#define SRS_KERNEL_FLV_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_FLV_HEADER_SIZE 9
#define SRS_FLV_TAG_HEADER_SIZE 11
#define SRS_FLV_PREVIOUS_TAG_SIZE 4
/* The largest tag data a u24 can express. */
#define SRS_FLV_MAX_TAG_DATA 0xFFFFFF

#define SRS_FLV_TAG_AUDIO 8
#define SRS_FLV_TAG_VIDEO 9
#define SRS_FLV_TAG_SCRIPT 18

/* Video tag, first byte: frame type (high nibble) and codec id (low nibble). */
#define SRS_FLV_FRAME_KEY 1
#define SRS_FLV_FRAME_INTER 2
#define SRS_FLV_CODEC_AVC 7
/* AVCPacketType, the second byte of an AVC video tag. */
#define SRS_FLV_AVC_SEQUENCE_HEADER 0
#define SRS_FLV_AVC_NALU 1
#define SRS_FLV_AVC_END_OF_SEQUENCE 2

/* Audio tag, first byte: sound format (high nibble), rate, size, channels. */
#define SRS_FLV_SOUND_AAC 10
/* AACPacketType, the second byte of an AAC audio tag. */
#define SRS_FLV_AAC_SEQUENCE_HEADER 0
#define SRS_FLV_AAC_RAW 1

typedef struct {
    uint8_t type;        /* SRS_FLV_TAG_*; other values are returned too, the caller skips them */
    bool encrypted;      /* the filter bit; such data is not usable without the key */
    uint32_t timestamp;  /* ms, 32 bits: the u24 plus the extended byte as the upper 8 bits */
    uint32_t stream_id;  /* always 0 in valid files; reported, not checked */
    const uint8_t *data; /* into the reader's buffer */
    size_t size;
} srs_flv_tag_t;

typedef struct {
    const uint8_t *data;
    size_t len;
    size_t first_tag; /* offset of the first tag header */
    size_t pos;       /* offset of the next tag header */
    bool has_audio, has_video; /* the header's flags, informative only */
} srs_flv_reader_t;

/* Check the header ("FLV", version 1, data offset >= 9 and inside the buffer) and the
 * PreviousTagSize0 after it; the reader then stands at the first tag. The buffer must outlive
 * the reader. Errors: ERROR_FLV_INVALID. */
srs_error_t srs_flv_reader_init(srs_flv_reader_t *r, const uint8_t *data, size_t len);

/* True when every tag has been read (the next read would report the end). */
bool srs_flv_reader_eof(const srs_flv_reader_t *r);

/* Read the next tag (header, data and its PreviousTagSize, all inside the buffer). At the end:
 * ERROR_SYSTEM_EOF. A truncated tag: ERROR_FLV_INVALID, and the reader stays where it was.
 * PreviousTagSize is not compared with the tag size, as some muxers write it wrong. */
srs_error_t srs_flv_read_tag(srs_flv_reader_t *r, srs_flv_tag_t *tag);

/* Go back to the first tag, to loop the file. */
void srs_flv_reader_rewind(srs_flv_reader_t *r);

/* The fields of a video tag's data. For codec AVC the 5-byte header is decoded (payload after
 * it); for other codecs only the first byte (payload after it). */
typedef struct {
    uint8_t frame_type;       /* SRS_FLV_FRAME_* (1 key, 2 inter, 3-5 others) */
    uint8_t codec_id;         /* SRS_FLV_CODEC_AVC = 7 */
    uint8_t avc_packet_type;  /* SRS_FLV_AVC_*, AVC only */
    int32_t composition_time; /* ms, signed 24 bits, AVC only: pts = dts + composition_time */
    const uint8_t *payload;   /* an AVCDecoderConfigurationRecord or length-prefixed NALUs */
    size_t payload_size;
} srs_flv_video_t;

/* Errors (ERROR_FLV_INVALID): empty data, or an AVC tag shorter than 5 bytes. */
srs_error_t srs_flv_parse_video(const uint8_t *data, size_t size, srs_flv_video_t *out);

typedef struct {
    uint8_t sound_format;    /* SRS_FLV_SOUND_AAC = 10 */
    uint8_t sound_rate;      /* 0 5.5 kHz, 1 11 kHz, 2 22 kHz, 3 44 kHz */
    uint8_t sound_size;      /* 0 8-bit, 1 16-bit */
    uint8_t sound_type;      /* 0 mono, 1 stereo */
    uint8_t aac_packet_type; /* SRS_FLV_AAC_*, AAC only */
    const uint8_t *payload;  /* after the 1-byte (2 for AAC) header */
    size_t payload_size;
} srs_flv_audio_t;

/* Errors (ERROR_FLV_INVALID): empty data, or an AAC tag shorter than 2 bytes. */
srs_error_t srs_flv_parse_audio(const uint8_t *data, size_t size, srs_flv_audio_t *out);

/* Writer into a caller buffer. The file header with PreviousTagSize0 is 13 bytes. */
#define SRS_FLV_FILE_HEADER_SIZE (SRS_FLV_HEADER_SIZE + SRS_FLV_PREVIOUS_TAG_SIZE)
/* The bytes a tag with `data_size` bytes of data takes: header + data + PreviousTagSize. */
#define SRS_FLV_TAG_SIZE(data_size) (SRS_FLV_TAG_HEADER_SIZE + (size_t)(data_size) + SRS_FLV_PREVIOUS_TAG_SIZE)

/* Write the header and PreviousTagSize0. ERROR_FLV_INVALID when size < 13. */
srs_error_t srs_flv_write_header(bool has_audio, bool has_video, uint8_t *buf, size_t size,
                                 size_t *written);
/* Write one tag (stream id 0, timestamp split into the u24 and the extended byte). Errors
 * (ERROR_FLV_INVALID): data larger than a u24, type not in 0..31, buffer too small. */
srs_error_t srs_flv_write_tag(uint8_t type, uint32_t timestamp, const uint8_t *data, size_t data_size,
                              uint8_t *buf, size_t size, size_t *written);

/* A growable buffer for a whole FLV stream or file; zero-initialise, free with
 * srs_flv_buffer_free. It keeps its memory between srs_flv_buffer_clear calls. */
typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
} srs_flv_buffer_t;

srs_error_t srs_flv_buffer_append_header(srs_flv_buffer_t *b, bool has_audio, bool has_video);
srs_error_t srs_flv_buffer_append_tag(srs_flv_buffer_t *b, uint8_t type, uint32_t timestamp,
                                      const uint8_t *data, size_t data_size);
void srs_flv_buffer_clear(srs_flv_buffer_t *b);
void srs_flv_buffer_free(srs_flv_buffer_t *b);

/* Read a whole file into a new heap buffer (the caller frees *data). Blocking stdio: for a
 * tool's startup, never from a serving coroutine. Errors: ERROR_SYSTEM_FILE, ERROR_SYSTEM_NOMEM. */
srs_error_t srs_flv_load_file(const char *path, uint8_t **data, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
