/* SPDX-License-Identifier: MIT */
/* The little SDP the WHIP/WHEP proxy needs: the ICE credentials of an offer or answer, the legacy
 * JSON envelope {"sdp":"..."}, and the rewrite of the origin's host candidates so that clients
 * send their UDP to the proxy. Works on an SDP as is or still JSON-escaped inside an envelope. */
#ifndef SRS_PROTOCOL_SDP_H
#define SRS_PROTOCOL_SDP_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* First non-empty a=ice-ufrag / a=ice-pwd values (stop at whitespace or backslash, so an SDP
 * still JSON-escaped inside an envelope works). ufrag and pwd are NUL-terminated. ERROR_RTC_SDP
 * if either is missing or longer than the buffer (size - 1 characters). */
srs_error_t srs_sdp_ice_credentials(const char *sdp, size_t len, char *ufrag, size_t ufrag_size,
                                    char *pwd, size_t pwd_size);

/* The legacy envelope: if body (after leading whitespace) is a JSON object with a non-empty
 * string "sdp", *sdp is a malloc'ed copy of it (unescaped) and true is returned; else false
 * and *sdp is left alone. Trailing bytes other than whitespace after the object are not JSON. */
bool srs_sdp_unwrap_envelope(const char *body, size_t len, char **sdp);

/* Rewrite host candidates of the origin for the proxy: in every "a=candidate:" line (at the
 * start of the text or after LF or a JSON-escaped "\n"; it ends at CR, LF, a backslash or a
 * quote) whose transport is udp and whose "<ip> <port> typ host" has a port in origin_ports,
 * the port becomes proxy_port and, when candidate_ip is non-NULL and non-empty, the ip becomes
 * candidate_ip (IPv4 or IPv6 text, checked). tcp, srflx, relay and prflx candidates stay.
 * Everything else is copied byte for byte. *out is malloc'ed, NUL-terminated, *out_len its
 * length without the NUL; *count = candidates rewritten. ERROR_RTC_SDP on bad arguments. */
srs_error_t srs_sdp_rewrite_candidates(const char *sdp, size_t len, const int *origin_ports, int n_ports,
                                       int proxy_port, const char *candidate_ip,
                                       char **out, size_t *out_len, int *count);

#ifdef __cplusplus
}
#endif

#endif
