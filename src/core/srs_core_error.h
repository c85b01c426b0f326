/* SPDX-License-Identifier: MIT */
/* Error chains after SRS: every function that can fail returns srs_error_t, NULL on success.
 * An error records where it was made (function, file, line), the coroutine's context id and
 * errno; srs_error_wrap adds a layer of context on top. The caller owns the chain and frees it
 * with srs_error_reset. */
#ifndef SRS_CORE_ERROR_H
#define SRS_CORE_ERROR_H

#include "srs_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X-macro of error codes: name, value, description. Ranges follow SRS: system 1000+,
 * RTMP 2000+, app 3000+, HTTP 4000+, RTC 5000+, SRT 6000+, proxy 7000+. */
#define SRS_ERROR_CODES(X) \
    X(ERROR_SYSTEM_IO, 1000, "I/O error") \
    X(ERROR_SYSTEM_TIMEOUT, 1001, "timeout") \
    X(ERROR_SYSTEM_INTERRUPTED, 1002, "coroutine interrupted") \
    X(ERROR_SYSTEM_EOF, 1003, "peer closed") \
    X(ERROR_SYSTEM_SOCKET, 1004, "socket failed") \
    X(ERROR_SYSTEM_BIND, 1005, "bind failed") \
    X(ERROR_SYSTEM_LISTEN, 1006, "listen failed") \
    X(ERROR_SYSTEM_CONNECT, 1007, "connect failed") \
    X(ERROR_SYSTEM_DNS, 1008, "resolve failed") \
    X(ERROR_SYSTEM_FILE, 1009, "file error") \
    X(ERROR_SYSTEM_ST, 1010, "state-threads failed") \
    X(ERROR_SYSTEM_COROUTINE, 1011, "coroutine failed") \
    X(ERROR_SYSTEM_NOMEM, 1012, "out of memory") \
    X(ERROR_SYSTEM_LIMIT, 1013, "limit reached") \
    X(ERROR_RTMP_HANDSHAKE, 2000, "RTMP handshake failed") \
    X(ERROR_RTMP_CHUNK, 2001, "RTMP chunk invalid") \
    X(ERROR_RTMP_AMF0, 2002, "AMF0 invalid") \
    X(ERROR_RTMP_MESSAGE, 2003, "RTMP message invalid") \
    X(ERROR_RTMP_REFUSED, 2004, "RTMP refused") \
    X(ERROR_FLV_INVALID, 2005, "FLV invalid") \
    X(ERROR_AVC_INVALID, 2006, "H.264 (AVC) data invalid") \
    X(ERROR_RTMP_TOO_LARGE, 2007, "RTMP message too large") \
    X(ERROR_RTMP_AMF0_BUDGET, 2008, "AMF0 decode budget exceeded") \
    X(ERROR_RTMP_STREAM_NOT_FOUND, 2048, "stream not found (SRS's code)") \
    X(ERROR_RTMP_CLIENT_NOT_FOUND, 2049, "client not found (SRS's code)") \
    X(ERROR_CONFIG_INVALID, 3000, "invalid configuration") \
    X(ERROR_ENV_FILE, 3001, "invalid .env file") \
    X(ERROR_SIGNAL, 3002, "signal handling failed") \
    X(ERROR_HTTP_PARSE, 4000, "HTTP message malformed") \
    X(ERROR_HTTP_TOO_LARGE, 4001, "HTTP message too large") \
    X(ERROR_HTTP_URI_TOO_LONG, 4002, "HTTP URI too long") \
    X(ERROR_HTTP_HEADERS_TOO_LARGE, 4003, "HTTP headers too large") \
    X(ERROR_HTTP_STATUS, 4004, "HTTP unexpected status") \
    X(ERROR_HTTP_NOT_FOUND, 4005, "HTTP not found") \
    X(ERROR_HTTP_METHOD, 4006, "HTTP method not allowed") \
    X(ERROR_HTTP_UNAUTHORIZED, 4007, "HTTP unauthorized") \
    X(ERROR_JSON, 4008, "JSON invalid") \
    X(ERROR_TLS, 4009, "TLS failed") \
    X(ERROR_RTC_STUN, 5000, "STUN invalid") \
    X(ERROR_RTC_SDP, 5001, "SDP invalid") \
    X(ERROR_RTC_SESSION, 5002, "WebRTC session failed") \
    X(ERROR_RTC_DTLS, 5003, "DTLS failed") \
    X(ERROR_RTC_SRTP, 5004, "SRTP failed") \
    X(ERROR_RTC_RTP, 5005, "RTP invalid") \
    X(ERROR_RTC_RTCP, 5006, "RTCP invalid") \
    X(ERROR_SRT_HANDSHAKE, 6000, "SRT handshake invalid") \
    X(ERROR_SRT_STREAMID, 6001, "SRT stream id invalid") \
    X(ERROR_ORIGIN_INVALID, 7000, "origin registration invalid") \
    X(ERROR_ORIGIN_NONE, 7001, "no origin available") \
    X(ERROR_ORIGIN_PORT, 7002, "origin has no such server") \
    X(ERROR_STREAM_URL, 7003, "stream URL invalid") \
    X(ERROR_LB, 7004, "load balancer failed") \
    X(ERROR_REDIS, 7005, "Redis failed") \
    X(ERROR_SESSION_NOT_FOUND, 7006, "session not found")

enum srs_error_code {
    ERROR_SUCCESS = 0,
#define SRS_ERROR_ENUM(name, value, text) name = value,
    SRS_ERROR_CODES(SRS_ERROR_ENUM)
#undef SRS_ERROR_ENUM
};

typedef struct srs_error_s *srs_error_t;
#define srs_success ((srs_error_t)NULL)

srs_error_t srs_error_create(const char *func, const char *file, int line, int code,
                             srs_error_t wrapped, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* New error with a code; message formatted like printf. */
#define srs_error_new(code, ...) \
    srs_error_create(__func__, __FILE__, __LINE__, (code), NULL, __VA_ARGS__)
/* Wrap an error with more context; the code is inherited from the cause. */
#define srs_error_wrap(err, ...) \
    srs_error_create(__func__, __FILE__, __LINE__, 0, (err), __VA_ARGS__)

/* The code of the root cause, ERROR_SUCCESS for srs_success. */
int srs_error_code(srs_error_t err);
/* The symbolic name of a code, e.g. "ERROR_HTTP_PARSE". */
const char *srs_error_code_name(int code);
/* The text of a code, e.g. "HTTP message malformed". */
const char *srs_error_code_text(int code);
/* One line: "code=4000(ERROR_HTTP_PARSE)(HTTP message malformed) : outer : inner". Valid until
 * the error is freed. */
const char *srs_error_summary(srs_error_t err);
/* The summary plus one line per layer: "thread [pid][cid]: func() [file:line][errno=N]". */
const char *srs_error_desc(srs_error_t err);
/* The message of the outermost layer only. */
const char *srs_error_message(srs_error_t err);
/* The message of the innermost layer (the root cause), e.g. "empty rtmp". */
const char *srs_error_cause_message(srs_error_t err);
void srs_error_free(srs_error_t err);
#define srs_error_reset(err) do { srs_error_free(err); (err) = NULL; } while (0)

#ifdef __cplusplus
}
#endif

#endif
