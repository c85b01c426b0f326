/* SPDX-License-Identifier: MIT */
/* Inter-worker relay of UDP datagrams (PROXY_WORKERS > 1).
 *
 * The kernel hashes a UDP flow to one worker (SO_REUSEPORT); when a worker restarts, flows are
 * hashed again and a caller's datagrams can land on a worker that does not hold its session. For
 * SRT the session cannot move (the origin knows the proxy by its socket's 5-tuple), so the worker
 * that receives such a datagram hands it to the owner over an AF_UNIX datagram socket, with the
 * client's address; the owner handles it as if its own listener had received it.
 *
 * Two pieces, both free of allocation and locks on the packet path:
 * - the SRT directory: origin socket id → owning worker index and the caller's address, an
 *   open-addressed array in memory shared by every worker (mapped before the fork). Each slot is
 *   one 64-bit word (socket id, worker) published with a release store after the address, so
 *   readers need no lock; a probe never goes further than SRS_SRT_DIR_PROBE slots.
 * - the message: a fixed header (magic, kind, the client's address) before the datagram. */
#ifndef SRS_KERNEL_WORKER_RELAY_H
#define SRS_KERNEL_WORKER_RELAY_H

#include "srs_core.h"
#include "srs_kernel_addr_map.h"

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_SRT_DIR_PROBE 32

typedef struct srs_srt_dir_s srs_srt_dir_t;

/* Bytes for a directory of capacity slots (rounded up to a power of two, at least 64). */
size_t srs_srt_dir_bytes(uint32_t capacity);
/* Lays the directory out in mem (srs_srt_dir_bytes, zeroed, shared, 8-byte aligned). */
srs_srt_dir_t *srs_srt_dir_init(void *mem, uint32_t capacity);

/* Registers socket_id (not 0) as worker's (0..65533) with the caller's address. False when another
 * worker holds that id, or no slot is free within the probe (the session then is not reachable
 * from other workers; the caller decides what to count). */
bool srs_srt_dir_put(srs_srt_dir_t *d, uint32_t socket_id, int worker, const srs_addr_key_t *caller);
/* The worker holding socket_id, with its caller's address, or -1. */
int srs_srt_dir_owner(const srs_srt_dir_t *d, uint32_t socket_id, srs_addr_key_t *caller);
/* Removes socket_id when it is worker's. */
void srs_srt_dir_remove(srs_srt_dir_t *d, uint32_t socket_id, int worker);
/* Removes every entry of worker (the master, when that worker died: its sessions are gone). */
size_t srs_srt_dir_clear_worker(srs_srt_dir_t *d, int worker);
/* Live entries (for metrics). */
uint32_t srs_srt_dir_count(const srs_srt_dir_t *d);
uint32_t srs_srt_dir_capacity(const srs_srt_dir_t *d);

/* The message between workers: header, then the datagram as received. */
#define SRS_WORKER_MSG_HEADER 24
#define SRS_WORKER_MSG_SRT 1
/* Writes the header for a datagram of kind from `from` (AF_INET or AF_INET6) into hdr
 * (SRS_WORKER_MSG_HEADER bytes); false for another family. */
bool srs_worker_msg_header(uint8_t *hdr, uint8_t kind, const struct sockaddr *from);
/* Parses a message; false when it is not one (short, bad magic, unknown family). */
bool srs_worker_msg_decode(const uint8_t *buf, size_t len, uint8_t *kind, struct sockaddr_storage *from,
                           socklen_t *from_len, const uint8_t **payload, size_t *payload_len);

#ifdef __cplusplus
}
#endif

#endif
