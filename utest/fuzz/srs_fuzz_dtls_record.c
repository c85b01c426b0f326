/* SPDX-License-Identifier: MIT */
/* libFuzzer: datagrams a DTLS peer of the tools receives. Walk the DTLS records with the header
 * parser (every record inside the datagram, the walk ends exactly at its end), then hand the
 * datagram to a fresh DTLS server and to a client waiting for the server's first flight (the
 * custom BIO and the error paths), and to an SRTP session as RTP and as RTCP. */
#include "srs_protocol_dtls.h"
#include "srs_protocol_srtp.h"

#include <stdlib.h>
#include <string.h>

static srs_error_t discard(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    if (!data || len == 0 || len > 2048) abort();
    return srs_success;
}

static void must(srs_error_t err)
{
    if (err) abort();
}

static void ignore(srs_error_t err)
{
    srs_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Made once for the whole run: a certificate costs a key generation. */
    static srs_dtls_cert_t *cert;
    static srs_srtp_t *srtp;
    if (!cert) {
        must(srs_dtls_cert_new(&cert));
        srs_dtls_srtp_keys_t keys;
        memset(&keys, 0, sizeof(keys));
        keys.profile = SRS_SRTP_AES128_CM_SHA1_80;
        keys.key_len = 30;
        must(srs_srtp_new(&keys, &srtp));
    }

    size_t off = 0;
    while (off < size) {
        srs_dtls_record_t rec;
        srs_error_t err = srs_dtls_record_parse(data + off, size - off, &rec);
        if (err) {
            srs_error_free(err);
            break;
        }
        if (rec.size != SRS_DTLS_RECORD_HEADER_SIZE + (size_t)rec.length || rec.size > size - off) abort();
        if (srs_dtls_content_type(data + off, size - off) != rec.content_type) abort();
        off += rec.size;
    }
    if (off > size) abort();
    srs_dtls_is_client_hello(data, size);

    srs_dtls_t *server = NULL, *client = NULL;
    must(srs_dtls_new(cert, false, NULL, discard, NULL, &server));
    must(srs_dtls_new(cert, true, srs_dtls_cert_fingerprint(cert), discard, NULL, &client));
    ignore(srs_dtls_start(client));
    ignore(srs_dtls_on_recv(server, data, size));
    ignore(srs_dtls_on_recv(client, data, size));
    srs_dtls_timeout(server);
    if (srs_dtls_done(server) || srs_dtls_done(client)) abort(); /* no handshake from one datagram */
    srs_dtls_srtp_keys_t keys;
    ignore(srs_dtls_srtp_keys(client, &keys));
    ignore(srs_dtls_close(server));
    srs_dtls_free(server);
    srs_dtls_free(client);

    if (size <= 4096) {
        uint8_t buf[4096];
        size_t len = size;
        memcpy(buf, data, size);
        ignore(srs_srtp_unprotect_rtp(srtp, buf, &len));
        if (len > size) abort();
        len = size;
        memcpy(buf, data, size);
        ignore(srs_srtp_unprotect_rtcp(srtp, buf, &len));
        if (len > size) abort();
    }
    return 0;
}
