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
 * random 31-bit numbers), since packets naming it could not be told apart.
 *
 * A session never changes its client address: packets naming its socket id from any other address
 * are dropped, as libsrt itself does ("CONSIDERED ATTACK ATTEMPT" in its receive queue). SRT has
 * no per-packet authentication without encryption, and a socket id is no secret from anyone on
 * the path, so following a new address would let anyone who learns the id steal or inject into
 * the session.
 *
 * The table also counts sessions and handshakes in progress per client IP (any port; for IPv6 the
 * /64 prefix, one subscriber's network), for the
 * per-address budgets: an entry lives while the IP has a session, so there are never more entries
 * than sessions. */
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
    char stream_id[SRS_SRT_REDACTED_SIZE];   /* redacted (srs_srt_streamid_redact): shown and logged */
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

    srs_addr_key_t peer_key;         /* the client's address, for the session's whole life */
    struct sockaddr_storage peer;
    socklen_t peer_len;
    bool addr_bound;                 /* peer_key is in the table's address index */
    srs_addr_key_t ip_key;           /* peer_key without the port (IPv6: its /64): the per-IP budgets */
    bool in_handshake;               /* counted in its IP's handshakes in progress */
    bool caller_done;                /* the client sent a packet naming the origin's socket id */

    /* The handshake with the origin. The coroutine holds this session across its switch points:
     * allowed because the session's owner (the sweeper, or the server's free) joins the coroutine
     * (handshaker is NULL again) before it frees the session, and nobody else frees one. */
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
    uint32_t address_changes;        /* always 0: a session never moves (kept for the sessions list) */

    void *owner;                     /* the server, for the session's coroutine */
    srs_srt_session_t *prev, *next;  /* the table's list of every session */
};

/* What one client IP holds. */
typedef struct {
    uint32_t sessions;               /* sessions in the table (any state) */
    uint32_t handshakes;             /* of which not yet done by the client (in_handshake) */
} srs_srt_ip_count_t;

typedef struct {
    srs_addr_map_t *by_addr;         /* client address → session (its handshake) */
    srs_id_map_t *by_origin_id;      /* origin socket id → established session */
    srs_addr_map_t *by_ip;           /* client IP (port 0) → srs_srt_ip_count_t, while it has sessions */
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

/* What the IP of addr holds now: zeros when nothing. */
srs_srt_ip_count_t srs_srt_table_ip_count(const srs_srt_table_t *t, const struct sockaddr *addr);
/* Which budget a new session from addr would break, if any (0 = unlimited for each). */
typedef enum {
    SRS_SRT_BUDGET_OK = 0,
    SRS_SRT_BUDGET_SESSIONS,         /* max_sessions sessions in all */
    SRS_SRT_BUDGET_IP_SESSIONS,      /* max_per_ip sessions of addr's IP */
    SRS_SRT_BUDGET_IP_HANDSHAKES,    /* max_handshakes_per_ip handshakes in progress of addr's IP */
} srs_srt_budget_t;
srs_srt_budget_t srs_srt_table_budget(const srs_srt_table_t *t, const struct sockaddr *addr, int max_sessions,
                                      int max_per_ip, int max_handshakes_per_ip);
/* The client finished its side of the handshake (or gave up): s leaves its IP's handshakes in
 * progress. Once only; removing s does it too. */
void srs_srt_table_handshake_done(srs_srt_table_t *t, srs_srt_session_t *s);

#ifdef __cplusplus
}
#endif

#endif
