/* SPDX-License-Identifier: MIT */
/* libFuzzer: datagrams on the SRT UDP port, and stream ids. The bytes go through what the relay
 * does with a datagram (header helpers, handshake parse, extension walk, SID decode, stream id
 * parse and URL); a parsed handshake must write back to the same bytes, and a decoded stream id
 * must encode and decode to itself. The bytes as text go through the stream id parser too, and
 * through the redaction shown in logs: it always fits SRS_SRT_REDACTED_SIZE for an id the relay
 * accepts, and redacting twice changes nothing more. */
#include "srs_protocol_srt.h"

#include <stdlib.h>
#include <string.h>

static void check_redact(const char *sid)
{
    char once[SRS_SRT_REDACTED_SIZE], twice[SRS_SRT_REDACTED_SIZE];
    srs_srt_streamid_redact(sid, once, sizeof(once));
    size_t n = strlen(once);
    if (n >= sizeof(once)) abort();
    if (strlen(sid) <= SRS_SRT_MAX_STREAM_ID) {
        if (n > 2 * strlen(sid) + 4) abort();
        srs_srt_streamid_redact(once, twice, sizeof(twice));
        if (strcmp(once, twice)) abort();
    }
    /* A small buffer: cut short, still terminated, a prefix of the whole. */
    char small[16];
    srs_srt_streamid_redact(sid, small, sizeof(small));
    if (strlen(small) >= sizeof(small) || strncmp(small, once, strlen(small))) abort();
}

static void check_stream_id(const char *sid)
{
    check_redact(sid);
    srs_srt_stream_id_t info;
    srs_error_t err = srs_srt_stream_id_parse(sid, &info);
    bool ok = !err;
    srs_error_free(err);
    /* The thread-safe variant must agree. */
    srs_srt_stream_id_t again;
    if ((srs_srt_stream_id_check(sid, &again) == NULL) != ok) abort();
    if (!ok) return;
    if (!info.app[0] || !info.stream[0]) abort();
    char url[1024];
    err = srs_srt_stream_id_url(&info, url, sizeof(url));
    srs_error_free(err);
}

static void check_handshake(const uint8_t *data, size_t size)
{
    srs_srt_handshake_t hs;
    srs_error_t err = srs_srt_handshake_parse(data, size, &hs);
    if (err) {
        srs_error_free(err);
        return;
    }
    if (!srs_srt_is_handshake(data, size)) abort();

    /* Everything the relay rewrites or reads back must round-trip. */
    uint8_t out[2048];
    size_t len = 0;
    if (size <= sizeof(out)) {
        if ((err = srs_srt_handshake_write(&hs, out, sizeof(out), &len)) != srs_success) abort();
        /* The header's type-specific bytes (1..7 beyond the F bit and type) are not kept. */
        if (len != size || memcmp(out + 8, data + 8, size - 8)) abort();
    }

    size_t pos = 0, walked = 0;
    srs_srt_ext_t ext;
    while (srs_srt_ext_next(&hs, &pos, &ext)) walked += 4 + ext.len;
    if (walked != hs.ext_len) abort();

    char sid[SRS_SRT_MAX_STREAM_ID + 1];
    bool found = false;
    err = srs_srt_handshake_stream_id(&hs, sid, sizeof(sid), &found);
    if (err) {
        srs_error_free(err);
        return;
    }
    if (!found) return;
    if (strlen(sid) > SRS_SRT_MAX_STREAM_ID) abort();
    check_stream_id(sid);

    uint8_t words[SRS_SRT_MAX_STREAM_ID];
    if ((err = srs_srt_stream_id_encode(sid, words, sizeof(words), &len)) != srs_success) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_srt_dest_socket_id(data, size);
    if (srs_srt_is_control(data, size)) srs_srt_control_type(data);
    check_handshake(data, size);

    char *text = (char *)malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check_stream_id(text);
    free(text);
    return 0;
}
