/* SPDX-License-Identifier: MIT */
/* SRT sessions as the proxy sees them, and the table that finds them.
 *
 * Socket ids: the proxy rewrites none. The client's conclusion goes to the origin with the
 * client's own socket id, so the origin addresses the client directly; the origin's conclusion
 * response goes back to the client unchanged in that field, so the client learns the origin's
 * socket id and puts it in every later packet as the destination (as the Go proxy does). Hence:
 *   - client → origin packets are found by their destination socket id = the origin's id (O(1));
 *   - origin → client packets arrive on the session's own socket: no lookup at all;
 *   - a client's handshake retransmissions (destination 0) are found by the client address.
 * Two origins may hand out the same socket id; the second such session is refused (rare: ids are
 * random 31-bit numbers), since packets naming it could not be told apart. */
#ifndef SRS_APP_SRT_SESSION_H
#define SRS_APP_SRT_SESSION_H

#include "srs_core.h"
#include "srs_core_context.h"
#include "srs_core_error.h"
#include "srs_kernel_addr_map.h"
#include "srs_kernel_id_map.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_srt.h"

#include <st.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SRS_SRT_SESSION_HANDSHAKE = 0,  /* the session's coroutine talks to the origin */
    SRS_SRT_SESSION_ESTABLISHED,    /* relaying */
    SRS_SRT_SESSION_CLOSING,        /* ends at the next sweep */
} srs_srt_session_state_t;

typedef struct srs_srt_session_s srs_srt_session_t;
struct srs_srt_session_s {
    srs_cid_t cid;
    char stream_id[SRS_SRT_MAX_STREAM_ID + 1];
    char stream_url[256];
    bool publish;
    char origin_ip[64];
    int origin_port;
    srs_srt_session_state_t state;
    const char *close_reason;        /* a static string, for the end log */

    uint32_t client_socket_id;       /* the client's SRT socket id */
    uint32_t origin_socket_id;       /* the origin's, from its conclusion response; 0 before */
    uint32_t client_cookie;          /* the cookie the client concluded with */
    int origin_fd;                   /* connected UDP socket to the origin, -1 before */

    srs_addr_key_t peer_key;         /* the client's current address */
    struct sockaddr_storage peer;
    socklen_t peer_len;
    bool addr_bound;                 /* peer_key is in the table's address index */

    /* The handshake with the origin. */
    srs_coroutine_t *handshaker;
    st_cond_t wakeup;                /* the origin answered */
    uint32_t origin_cookie;          /* from the origin's induction response; 0 before */
    bool origin_unreachable;         /* ICMP unreachable seen by the forwarder during the handshake */
    uint8_t conclusion[SRS_SRT_MAX_HANDSHAKE];   /* the client's conclusion, as received */
    size_t conclusion_len;
    uint8_t response[SRS_SRT_MAX_HANDSHAKE];     /* what the client got back, for its retransmissions */
    size_t response_len;

    srs_utime_t created_at;          /* monotonic */
    srs_utime_t last_client_at;      /* monotonic: a client that stops sending is gone */
    uint64_t to_origin_packets, to_origin_bytes;
    uint64_t to_client_packets, to_client_bytes;
    uint32_t address_changes;

    void *owner;                     /* the server, for the session's coroutine */
    srs_srt_session_t *prev, *next;  /* the table's list of every session */
};

typedef struct {
    srs_addr_map_t *by_addr;         /* client address → session (its handshake) */
    srs_id_map_t *by_origin_id;      /* origin socket id → established session */
    srs_srt_session_t *head;         /* every session */
    size_t count;
} srs_srt_table_t;

/* A session in the handshake state for a client at addr; in no table yet, no socket, no
 * coroutine (the server adds those). */
srs_srt_session_t *srs_srt_session_new(const struct sockaddr *addr, socklen_t len, uint32_t client_socket_id,
                                       srs_utime_t now);
/* Frees the record and its condition variable; the owner stopped its coroutine and closed its
 * socket first. NULL is fine. */
void srs_srt_session_free(srs_srt_session_t *s);

srs_srt_table_t *srs_srt_table_new(void);
/* Frees the table only; the caller ends the sessions first. */
void srs_srt_table_free(srs_srt_table_t *t);

/* Adds s to the list and indexes its address (taking the address from any other session). */
void srs_srt_table_add(srs_srt_table_t *t, srs_srt_session_t *s);
/* Removes every entry that points at s. */
void srs_srt_table_remove(srs_srt_table_t *t, srs_srt_session_t *s);
/* Forgets s's address (another session of that address takes over its handshake). */
void srs_srt_table_unbind_addr(srs_srt_table_t *t, srs_srt_session_t *s);

srs_srt_session_t *srs_srt_table_by_addr(srs_srt_table_t *t, const srs_addr_key_t *key);
srs_srt_session_t *srs_srt_table_by_origin_id(srs_srt_table_t *t, uint32_t origin_socket_id);

/* Indexes s by the origin's socket id (s->origin_socket_id is set). ERROR_SRT_HANDSHAKE when
 * the id is 0 or another session holds it. */
srs_error_t srs_srt_table_bind_origin_id(srs_srt_table_t *t, srs_srt_session_t *s, uint32_t origin_socket_id);

/* The client now sends from addr: s->peer follows. The old address leaves the address index and
 * the new one does not enter it: a client that names the origin's socket id got its handshake
 * answer, so only the socket-id index is needed from then on. */
void srs_srt_table_move_peer(srs_srt_table_t *t, srs_srt_session_t *s, const struct sockaddr *addr, socklen_t len);

#ifdef __cplusplus
}
#endif

#endif
