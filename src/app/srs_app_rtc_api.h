/* SPDX-License-Identifier: MIT */
/* WebRTC signalling through the proxy, on the HTTP API:
 *   POST /rtc/v1/whip/?app=&stream=  and /rtc/v1/whep/   raw SDP offer → SDP answer (201)
 *   POST /rtc/v1/publish/ and /rtc/v1/play/             legacy JSON {"sdp","streamurl"} → {"code":0,"sdp",...}
 *   DELETE <Location>                                    ends the session at the origin and here
 * The Location the client gets is the origin's plus "&proxy_token=<32 hex>" (srs_random_token):
 * only a DELETE with that token (the exact Location, or ?session=<ufrag>&proxy_token=<token>)
 * ends a session; the system API ends any (srs_rtc_api_delete_by_ufrag). Offers are admitted
 * by the session budgets first (503 + JSON when over: srs_rtc_server_admit).
 *   OPTIONS                                              CORS preflight, as SRS
 * The offer goes to the origin picked for the stream; the answer comes back with the origin's RTC
 * host candidates rewritten to the proxy's UDP port (and IP, with PROXY_WEBRTC_CANDIDATE), and the
 * session is registered under "answerUfrag:offerUfrag" for the UDP relay. */
#ifndef SRS_APP_RTC_API_H
#define SRS_APP_RTC_API_H

#include "srs_app_server.h"
#include "srs_protocol_http.h"

bool srs_rtc_api_match(const char *path);
srs_error_t srs_rtc_api_serve(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req);
/* Ends the session ufrag (tells its origin first, at the origin's Location); 404 JSON if none.
 * For the system API, which checked its token. */
srs_error_t srs_rtc_api_delete_by_ufrag(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req, const char *ufrag);

#define SRS_RTC_TOKEN_PARAM "proxy_token"

#endif
