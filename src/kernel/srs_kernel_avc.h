/* SPDX-License-Identifier: MIT */
/* H.264 (AVC) bitstream helpers for FLV and RTP (ISO/IEC 14496-15 §5.2.4.1 and ITU-T H.264
 * Annex B): the AVCDecoderConfigurationRecord of an FLV sequence header (SPS/PPS out), and the
 * split of an access unit into NALUs, length-prefixed (FLV/MP4) or with start codes (Annex B).
 * Nothing is copied: a NALU points into the input, which must outlive it. */
#ifndef SRS_KERNEL_AVC_H
#define SRS_KERNEL_AVC_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* nal_unit_type, the low 5 bits of the first byte of a NALU. */
#define SRS_AVC_NALU_NON_IDR 1
#define SRS_AVC_NALU_IDR 5
#define SRS_AVC_NALU_SEI 6
#define SRS_AVC_NALU_SPS 7
#define SRS_AVC_NALU_PPS 8
#define SRS_AVC_NALU_AUD 9
#define srs_avc_nalu_type(first_byte) ((uint8_t)((first_byte) & 0x1F))

/* Parameter sets kept per record; a real stream has one of each. Extra ones are checked and
 * skipped. */
#define SRS_AVC_MAX_SPS 4
#define SRS_AVC_MAX_PPS 4

typedef struct {
    const uint8_t *data; /* starts with the NAL header byte */
    size_t size;
} srs_avc_nalu_t;

typedef struct {
    uint8_t profile;            /* AVCProfileIndication, e.g. 66 Baseline */
    uint8_t profile_compat;
    uint8_t level;              /* e.g. 31 for 3.1 */
    uint8_t nalu_length_size;   /* 1, 2 or 4: the prefix size of the NALUs in the stream */
    size_t nb_sps, nb_pps;      /* kept, at most SRS_AVC_MAX_SPS/PPS */
    srs_avc_nalu_t sps[SRS_AVC_MAX_SPS];
    srs_avc_nalu_t pps[SRS_AVC_MAX_PPS];
} srs_avc_config_t;

/* Parse an AVCDecoderConfigurationRecord: version 1, profile, compat, level, length size
 * (lengthSizeMinusOne 3 is 4 bytes; 2, a 3-byte prefix, is rejected), the SPS list then the PPS
 * list, each entry a u16 size and a NALU of the right type. Needs at least one SPS and one PPS.
 * Bytes after the PPS list (the high-profile extension) are ignored. Errors: ERROR_AVC_INVALID. */
srs_error_t srs_avc_parse_config(const uint8_t *data, size_t size, srs_avc_config_t *out);

/* Build a record with one SPS and one PPS and a 4-byte length size, e.g. for an FLV sequence
 * header. Errors (ERROR_AVC_INVALID): an SPS shorter than 4 bytes (profile and level come from
 * it), an empty or oversized (> u16) set, buffer too small. */
srs_error_t srs_avc_build_config(const uint8_t *sps, size_t sps_size, const uint8_t *pps, size_t pps_size,
                                 uint8_t *buf, size_t size, size_t *written);

/* Split NALUs each prefixed by a big-endian length of `length_size` (1, 2 or 4) bytes. Empty
 * NALUs are skipped. Errors (ERROR_AVC_INVALID): a bad length size, a prefix or NALU running past
 * the end, more than `max` NALUs. */
srs_error_t srs_avc_split_nalus(const uint8_t *data, size_t size, int length_size,
                                srs_avc_nalu_t *nalus, size_t max, size_t *count);

/* Split an Annex B byte stream at its start codes (00 00 01 or 00 00 00 01). Trailing zero
 * bytes before a start code belong to no NALU; empty NALUs are skipped. Errors
 * (ERROR_AVC_INVALID): data not starting with a start code (after leading zeros), more than
 * `max` NALUs. */
srs_error_t srs_avc_split_annexb(const uint8_t *data, size_t size,
                                 srs_avc_nalu_t *nalus, size_t max, size_t *count);

/* True when one of the NALUs is an IDR slice. */
bool srs_avc_has_idr(const srs_avc_nalu_t *nalus, size_t count);

#ifdef __cplusplus
}
#endif

#endif
