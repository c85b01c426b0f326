/* SPDX-License-Identifier: MIT */
/* libFuzzer: STUN datagrams from the WebRTC UDP port. Parse; when the parse succeeds, run the
 * integrity and fingerprint checks, and rebuild a request with the same USERNAME, which must
 * parse back to the same USERNAME. */
#include "srs_protocol_stun.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_rtc_classify(data, size);
    srs_rtc_is_rtcp(data, size);

    srs_stun_msg_t m;
    srs_error_t err = srs_stun_parse(data, size, &m);
    if (err) {
        srs_error_free(err);
        return 0;
    }
    srs_stun_check_integrity(data, size, &m, "VOkJxbRl1RmTxUk/WvJxBt");
    srs_stun_check_fingerprint(data, size, &m);

    char username[SRS_STUN_MAX_USERNAME + 1];
    if (!m.username || memchr(m.username, 0, m.username_len)) return 0;
    memcpy(username, m.username, m.username_len);
    username[m.username_len] = '\0';

    srs_stun_build_t b = {0};
    b.type = SRS_STUN_BINDING_REQUEST;
    b.txid = m.txid;
    b.username = username;
    b.priority = m.priority;
    b.use_candidate = m.use_candidate;
    b.integrity_pwd = "pwd";
    b.fingerprint = true;
    uint8_t buf[1024];
    size_t len = 0;
    srs_stun_msg_t again;
    if ((err = srs_stun_build(&b, buf, sizeof(buf), &len)) || (err = srs_stun_parse(buf, len, &again))) abort();
    if (again.username_len != m.username_len || memcmp(again.username, username, m.username_len)) abort();
    if (!srs_stun_check_integrity(buf, len, &again, "pwd") || !srs_stun_check_fingerprint(buf, len, &again)) abort();
    return 0;
}
