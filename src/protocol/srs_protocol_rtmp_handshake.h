/* SPDX-License-Identifier: MIT */
/* The RTMP handshake: C0C1 → S0S1S2 → C2.
 *
 * Simple form: S1 is random with a zero version, S2 echoes C1. Complex form (the "digest"
 * handshake of Flash Player / FMS, as SRS answers it): a 1536-byte C1/S1 is time(4) version(4)
 * and two 764-byte blocks, key and digest, in schema 0 (key first) or schema 1 (digest first).
 * The digest block is offset(4) random digest(32) random; the digest sits at (sum of the 4
 * offset bytes) % 728 into it, and is HMAC-SHA256 over the other 1504 bytes, keyed with the
 * first 30 bytes of the Flash Player key for C1 or the first 36 bytes of the FMS key for S1.
 * S2 (and C2) is random(1504) digest(32), keyed by HMAC-SHA256(full 68-byte FMS key (62-byte
 * Player key for C2), peer's C1 (S1) digest). Clients that check the digest (ffmpeg with a
 * version in S1, Flash) need the complex answer; everyone else takes either. */
#ifndef SRS_PROTOCOL_RTMP_HANDSHAKE_H
#define SRS_PROTOCOL_RTMP_HANDSHAKE_H

#include "srs_core.h"
#include "srs_core_error.h"

#include <st.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_RTMP_HANDSHAKE_SIZE 1536
#define SRS_RTMP_DIGEST_SIZE 32
/* C0/S0: plain RTMP. */
#define SRS_RTMP_VERSION 0x03

/* Where the 32-byte digest sits in a C1/S1 of schema 0 or 1 (from the packet's offset bytes). */
size_t srs_rtmp_digest_offset(const uint8_t packet[SRS_RTMP_HANDSHAKE_SIZE], int schema);

/* The schema (0 or 1) under which c1 carries a valid Flash Player digest, else -1 (SRS tries
 * schema 0 first). */
int srs_rtmp_c1_digest_schema(const uint8_t c1[SRS_RTMP_HANDSHAKE_SIZE]);
bool srs_rtmp_c1_digest_valid(const uint8_t c1[SRS_RTMP_HANDSHAKE_SIZE]);
/* Likewise for S1 with the FMS key. */
int srs_rtmp_s1_digest_schema(const uint8_t s1[SRS_RTMP_HANDSHAKE_SIZE]);

/* A complex C1 (as a Flash Player sends): time, version 0x80000702, random, FP digest. */
srs_error_t srs_rtmp_c1_build_complex(uint8_t c1[SRS_RTMP_HANDSHAKE_SIZE], int schema);
/* A complex S1 in the client's schema: time, version 0x01000504, random, FMS digest. The key
 * field is random (no RTMPE: nobody reads it for plain RTMP). */
srs_error_t srs_rtmp_s1_build_complex(uint8_t s1[SRS_RTMP_HANDSHAKE_SIZE], int schema);
/* S2 for a C1 digest: random(1504) + HMAC(HMAC(FMS full key, c1_digest), random). */
srs_error_t srs_rtmp_s2_build_complex(uint8_t s2[SRS_RTMP_HANDSHAKE_SIZE], const uint8_t c1_digest[SRS_RTMP_DIGEST_SIZE]);
/* What a digest-checking client verifies: S2's last 32 bytes are right for our C1 digest. */
bool srs_rtmp_s2_digest_valid(const uint8_t s2[SRS_RTMP_HANDSHAKE_SIZE], const uint8_t c1_digest[SRS_RTMP_DIGEST_SIZE]);

/* The server's whole answer from C0C1 (1537 bytes) into S0S1S2 (3073 bytes): complex when C1
 * has a valid digest, else simple. *complex tells which (may be NULL). Error
 * (ERROR_RTMP_HANDSHAKE) when C0 is not 3 (RTMPE and others are not supported). */
srs_error_t srs_rtmp_handshake_answer(const uint8_t *c0c1, uint8_t *s0s1s2, bool *complex);

/* Server side over a socket: read C0C1, write S0S1S2, read C2 (not checked, as SRS).
 * timeout is a total: the whole handshake ends within it (each read and write waits only for
 * what is left), else ERROR_SYSTEM_TIMEOUT. *complex (may be NULL) tells the form answered. */
srs_error_t srs_rtmp_handshake_server(st_netfd_t fd, srs_utime_t timeout, bool *complex);

/* Client side, simple form (what the Go proxy does; SRS accepts it): write C0C1 with a zero
 * version, read S0S1S2 (S0 must be 3), write C2 = S1; all within timeout (a total). */
srs_error_t srs_rtmp_handshake_client(st_netfd_t fd, srs_utime_t timeout);

#ifdef __cplusplus
}
#endif

#endif
