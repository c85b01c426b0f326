/* SPDX-License-Identifier: MIT */
#include "srs_kernel_avc.h"

#include <string.h>

#define AVC_CONFIG_FIXED_SIZE 6 /* version, profile, compat, level, length size, SPS count */

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

/* Read `n` parameter sets of type `type` at *pos; keep up to `max` of them. */
static srs_error_t avc_parse_param_sets(const uint8_t *data, size_t size, size_t *pos, size_t n, uint8_t type,
                                        srs_avc_nalu_t *kept, size_t max, size_t *nb_kept)
{
    *nb_kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (size - *pos < 2) return srs_error_new(ERROR_AVC_INVALID, "param set %zu/%zu size truncated", i, n);
        size_t len = get_u16(data + *pos);
        *pos += 2;
        if (len == 0 || len > size - *pos) {
            return srs_error_new(ERROR_AVC_INVALID, "param set %zu/%zu of %zu bytes, %zu left", i, n, len, size - *pos);
        }
        const uint8_t *nalu = data + *pos;
        if (srs_avc_nalu_type(nalu[0]) != type) {
            return srs_error_new(ERROR_AVC_INVALID, "param set %zu/%zu has nalu type %u, want %u", i, n,
                                 srs_avc_nalu_type(nalu[0]), type);
        }
        if (*nb_kept < max) {
            kept[*nb_kept].data = nalu;
            kept[*nb_kept].size = len;
            (*nb_kept)++;
        }
        *pos += len;
    }
    return srs_success;
}

srs_error_t srs_avc_parse_config(const uint8_t *data, size_t size, srs_avc_config_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!data || size < AVC_CONFIG_FIXED_SIZE) return srs_error_new(ERROR_AVC_INVALID, "avc config of %zu bytes", size);
    if (data[0] != 1) return srs_error_new(ERROR_AVC_INVALID, "avc config version %u", data[0]);
    out->profile = data[1];
    out->profile_compat = data[2];
    out->level = data[3];
    int length_size = (data[4] & 0x03) + 1;
    if (length_size == 3) return srs_error_new(ERROR_AVC_INVALID, "avc nalu length size 3");
    out->nalu_length_size = (uint8_t)length_size;

    size_t pos = 6;
    srs_error_t err = avc_parse_param_sets(data, size, &pos, data[5] & 0x1F, SRS_AVC_NALU_SPS,
                                           out->sps, SRS_AVC_MAX_SPS, &out->nb_sps);
    if (err) return srs_error_wrap(err, "sps");
    if (pos >= size) return srs_error_new(ERROR_AVC_INVALID, "avc config has no pps count");
    size_t nb_pps = data[pos++];
    if ((err = avc_parse_param_sets(data, size, &pos, nb_pps, SRS_AVC_NALU_PPS, out->pps, SRS_AVC_MAX_PPS, &out->nb_pps))) {
        return srs_error_wrap(err, "pps");
    }
    if (!out->nb_sps || !out->nb_pps) {
        return srs_error_new(ERROR_AVC_INVALID, "avc config has %zu sps and %zu pps", out->nb_sps, out->nb_pps);
    }
    return srs_success;
}

srs_error_t srs_avc_build_config(const uint8_t *sps, size_t sps_size, const uint8_t *pps, size_t pps_size,
                                 uint8_t *buf, size_t size, size_t *written)
{
    if (!sps || sps_size < 4 || sps_size > 0xFFFF) return srs_error_new(ERROR_AVC_INVALID, "sps of %zu bytes", sps_size);
    if (!pps || pps_size < 1 || pps_size > 0xFFFF) return srs_error_new(ERROR_AVC_INVALID, "pps of %zu bytes", pps_size);
    size_t need = AVC_CONFIG_FIXED_SIZE + 2 + sps_size + 1 + 2 + pps_size;
    if (size < need) return srs_error_new(ERROR_AVC_INVALID, "avc config needs %zu bytes, have %zu", need, size);

    uint8_t *p = buf;
    *p++ = 1;
    *p++ = sps[1]; /* profile_idc, constraint flags and level_idc follow the SPS NAL header */
    *p++ = sps[2];
    *p++ = sps[3];
    *p++ = 0xFC | 3;  /* reserved bits, lengthSizeMinusOne = 3 */
    *p++ = 0xE0 | 1;  /* reserved bits, one SPS */
    *p++ = (uint8_t)(sps_size >> 8);
    *p++ = (uint8_t)sps_size;
    memcpy(p, sps, sps_size);
    p += sps_size;
    *p++ = 1;
    *p++ = (uint8_t)(pps_size >> 8);
    *p++ = (uint8_t)pps_size;
    memcpy(p, pps, pps_size);
    *written = need;
    return srs_success;
}

srs_error_t srs_avc_split_nalus(const uint8_t *data, size_t size, int length_size,
                                srs_avc_nalu_t *nalus, size_t max, size_t *count)
{
    *count = 0;
    if (length_size != 1 && length_size != 2 && length_size != 4) {
        return srs_error_new(ERROR_AVC_INVALID, "nalu length size %d", length_size);
    }
    size_t pos = 0;
    while (pos < size) {
        if (size - pos < (size_t)length_size) return srs_error_new(ERROR_AVC_INVALID, "nalu length at %zu truncated", pos);
        size_t len = 0;
        for (int i = 0; i < length_size; i++) len = (len << 8) | data[pos + i];
        pos += (size_t)length_size;
        if (len > size - pos) return srs_error_new(ERROR_AVC_INVALID, "nalu of %zu bytes at %zu, %zu left", len, pos, size - pos);
        if (len == 0) continue;
        if (*count >= max) return srs_error_new(ERROR_AVC_INVALID, "more than %zu nalus", max);
        nalus[*count].data = data + pos;
        nalus[*count].size = len;
        (*count)++;
        pos += len;
    }
    return srs_success;
}

/* The offset after the start code at pos, or 0 when there is none at pos. */
static size_t avc_start_code_end(const uint8_t *data, size_t size, size_t pos)
{
    if (size - pos >= 3 && data[pos] == 0 && data[pos + 1] == 0 && data[pos + 2] == 1) return pos + 3;
    if (size - pos >= 4 && data[pos] == 0 && data[pos + 1] == 0 && data[pos + 2] == 0 && data[pos + 3] == 1) return pos + 4;
    return 0;
}

srs_error_t srs_avc_split_annexb(const uint8_t *data, size_t size,
                                 srs_avc_nalu_t *nalus, size_t max, size_t *count)
{
    *count = 0;
    size_t pos = 0;
    /* Leading zero bytes (leading_zero_8bits) may precede the first 00 00 01. */
    while (pos < size && data[pos] == 0 && !avc_start_code_end(data, size, pos)) pos++;
    size_t start = pos < size ? avc_start_code_end(data, size, pos) : 0;
    if (!start) return srs_error_new(ERROR_AVC_INVALID, "annex b without a start code");

    while (start <= size) {
        /* The NALU runs to the next 00 00 01; zeros before it are trailing_zero_8bits. */
        size_t next = start, end = size, after = size + 1;
        while (next + 3 <= size) {
            if (data[next] == 0 && data[next + 1] == 0 && data[next + 2] == 1) {
                end = next;
                after = next + 3;
                break;
            }
            next++;
        }
        while (end > start && data[end - 1] == 0) end--;
        if (end > start) {
            if (*count >= max) return srs_error_new(ERROR_AVC_INVALID, "more than %zu nalus", max);
            nalus[*count].data = data + start;
            nalus[*count].size = end - start;
            (*count)++;
        }
        start = after;
    }
    return srs_success;
}

bool srs_avc_has_idr(const srs_avc_nalu_t *nalus, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (nalus[i].size && srs_avc_nalu_type(nalus[i].data[0]) == SRS_AVC_NALU_IDR) return true;
    }
    return false;
}
