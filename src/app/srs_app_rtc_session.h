/* SPDX-License-Identifier: MIT */
/* WebRTC sessions as the proxy sees them, and the table that finds them: by ICE pair
 * ("answerUfrag:offerUfrag", the STUN USERNAME a client sends), by client address (one O(1)
 * lookup per datagram), and by the WHIP/WHEP Location the client DELETEs. The proxy terminates
 * nothing: it relays ICE, DTLS and SRTP between one client address and one origin socket. */
#ifndef SRS_APP_RTC_SESSION_H
#define SRS_APP_RTC_SESSION_H

#include "srs_core.h"
#include "srs_core_context.h"
#include "srs_core_error.h"
#include "srs_kernel_addr_map.h"
#include "srs_kernel_map.h"

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Addresses one session may be reached from at once (ICE checks several candidate pairs). */
#define SRS_RTC_MAX_ADDRS 4
#define SRS_RTC_UFRAG_MAX 128
#define SRS_RTC_PWD_MAX 256
#define SRS_RTC_TOKEN_SIZE 33
#define SRS_RTC_LOCATION_MAX 512

typedef struct srs_rtc_session_s {
    char ufrag[SRS_RTC_UFRAG_MAX];   /* "answerUfrag:offerUfrag" */
    char stream_url[256];
    char location[SRS_RTC_LOCATION_MAX]; /* the Location target the client DELETEs (with token), "" if none */
    char origin_location[SRS_RTC_LOCATION_MAX]; /* the origin's own Location, where the proxy sends the DELETE */
    char token[SRS_RTC_TOKEN_SIZE];  /* srs_random_token() in the Location: what grants DELETE */
    char ice_pwd[SRS_RTC_PWD_MAX];   /* the origin's a=ice-pwd: MESSAGE-INTEGRITY key of binding requests */
    srs_cid_t cid;
    bool publisher;
    char origin_ip[64];
    int origin_rtc_port;
    int origin_api_port;
    struct sockaddr_storage origin_addr; /* resolved once when signalled: the packet path never resolves */
    socklen_t origin_addr_len;
    srs_addr_key_t source;           /* the client's IP (port 0): offer's TCP peer, or first UDP address */

    int origin_fd;                   /* connected UDP socket to the origin, -1 until first bound */
    srs_addr_key_t addrs[SRS_RTC_MAX_ADDRS]; /* bound client addresses, oldest first */
    int naddrs;
    struct sockaddr_storage peer;    /* where origin→client packets go: the last active address */
    socklen_t peer_len;
    srs_addr_key_t peer_key;

    srs_utime_t created_at;          /* monotonic */
    srs_utime_t last_packet_at;      /* monotonic, either direction */
    bool closing;                    /* DTLS alert seen or origin socket failed: ends at the next sweep */
    uint64_t to_origin_packets, to_origin_bytes;
    uint64_t to_client_packets, to_client_bytes;
} srs_rtc_session_t;

typedef struct {
    srs_map_t *by_ufrag;
    srs_map_t *by_location;
    srs_addr_map_t *by_addr;
} srs_rtc_table_t;

srs_rtc_table_t *srs_rtc_table_new(void);
/* Frees the table only; the caller ends the sessions first. */
void srs_rtc_table_free(srs_rtc_table_t *t);

/* A new session with ufrag key and stream; not in any table yet. */
srs_rtc_session_t *srs_rtc_session_new(const char *ufrag, const char *stream_url, srs_utime_t now);

/* Adds by ufrag (and location if set). ERROR_RTC_SESSION if the ufrag is taken. */
srs_error_t srs_rtc_table_add(srs_rtc_table_t *t, srs_rtc_session_t *s);
/* Removes every entry that points at s (ufrag, location, addresses). */
void srs_rtc_table_remove(srs_rtc_table_t *t, srs_rtc_session_t *s);

srs_rtc_session_t *srs_rtc_table_by_ufrag(srs_rtc_table_t *t, const char *ufrag);
srs_rtc_session_t *srs_rtc_table_by_location(srs_rtc_table_t *t, const char *location);
srs_rtc_session_t *srs_rtc_table_by_addr(srs_rtc_table_t *t, const srs_addr_key_t *key);

/* Binds a client address to s (after a STUN binding request with its USERNAME): the address is
 * taken from any other session that held it (NAT port reuse: the USERNAME wins), s forgets its
 * oldest address when full, and s->peer becomes this address. */
void srs_rtc_table_bind(srs_rtc_table_t *t, srs_rtc_session_t *s, const struct sockaddr *addr, socklen_t len);

size_t srs_rtc_table_count(const srs_rtc_table_t *t);

/* Makes addr the session's peer if it differs (a packet came from another bound address). */
void srs_rtc_session_set_peer(srs_rtc_session_t *s, const srs_addr_key_t *key, const struct sockaddr *addr, socklen_t len);

#ifdef __cplusplus
}
#endif

#endif
