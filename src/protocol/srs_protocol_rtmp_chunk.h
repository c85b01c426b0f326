/* SPDX-License-Identifier: MIT */
/* The RTMP chunk stream: messages in, messages out, over an ST socket (or any byte source, so the
 * parser can be fuzzed from memory).
 *
 * Reading de-chunks with the input chunk size (128 until the peer's SetChunkSize), keeps one
 * state per chunk stream id (fmt 0/1/2/3 headers, timestamp deltas, extended timestamps) and
 * returns whole messages. Limits, each an error that closes the connection: message size
 * (8 MiB by default; ERROR_RTMP_TOO_LARGE), and as ERROR_RTMP_CHUNK: a new chunk stream must start with fmt 0 (librtmp's fmt 1 on csid 2
 * is allowed), a fmt 0/1 header inside a message must not change its length, chunk size
 * 1..0xFFFFFF, at most SRS_RTMP_MAX_CHUNK_STREAMS chunk streams, and the payload bytes a
 * connection buffers at once (2 x the message limit).
 *
 * Extended timestamps: the 4 bytes follow a fmt 0/1/2 header whose 24-bit field is 0xFFFFFF.
 * On a fmt 3 chunk of such a stream, librtmp and ffmpeg repeat them and FMLE does not, so the
 * reader peeks: when the 4 bytes equal the stream's last extended value they are the extended
 * timestamp, else they are payload. The writer always repeats them.
 *
 * Writing chunks with the output chunk size: fmt 0 for the first chunk (absolute timestamp),
 * fmt 3 for the rest, headers and payload gathered with writev (the payload is not copied).
 * Writing a SetChunkSize message switches the output chunk size after it, so a relay may
 * forward the peer's SetChunkSize and both ends stay in step.
 *
 * Protocol control messages the reader acts on, and still returns: SetChunkSize (input chunk
 * size), Abort (drops the partial message), WindowAckSize (an Acknowledgement is sent each time
 * that many bytes have been read).
 *
 * Coroutines: one coroutine reads and any number may write; writes are serialised (a writer
 * waits for the one in progress), and an acknowledgement due while another coroutine is
 * writing is sent right after that write. */
#ifndef SRS_PROTOCOL_RTMP_CHUNK_H
#define SRS_PROTOCOL_RTMP_CHUNK_H

#include "srs_core.h"
#include "srs_core_error.h"

#include <st.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Message types (RTMP specification 5.4, 6, 7.1). */
#define SRS_RTMP_MSG_SET_CHUNK_SIZE 1
#define SRS_RTMP_MSG_ABORT 2
#define SRS_RTMP_MSG_ACK 3
#define SRS_RTMP_MSG_USER_CONTROL 4
#define SRS_RTMP_MSG_WINDOW_ACK_SIZE 5
#define SRS_RTMP_MSG_SET_PEER_BANDWIDTH 6
#define SRS_RTMP_MSG_AUDIO 8
#define SRS_RTMP_MSG_VIDEO 9
#define SRS_RTMP_MSG_DATA_AMF3 15
#define SRS_RTMP_MSG_SHARED_OBJECT_AMF3 16
#define SRS_RTMP_MSG_COMMAND_AMF3 17
#define SRS_RTMP_MSG_DATA_AMF0 18
#define SRS_RTMP_MSG_SHARED_OBJECT_AMF0 19
#define SRS_RTMP_MSG_COMMAND_AMF0 20
#define SRS_RTMP_MSG_AGGREGATE 22

/* Chunk stream ids, as SRS uses them. */
#define SRS_RTMP_CSID_PROTOCOL 2  /* protocol control messages */
#define SRS_RTMP_CSID_COMMAND 3   /* connect, createStream, _result */
#define SRS_RTMP_CSID_STREAM 5    /* commands on a message stream: publish, play, onStatus */
#define SRS_RTMP_CSID_VIDEO 6
#define SRS_RTMP_CSID_AUDIO 7
#define SRS_RTMP_CSID_MIN 2
#define SRS_RTMP_CSID_MAX 65599

#define SRS_RTMP_DEFAULT_CHUNK_SIZE 128
#define SRS_RTMP_MAX_CHUNK_SIZE 0xFFFFFF
/* The 24-bit message length field. */
#define SRS_RTMP_MAX_MESSAGE_LENGTH 0xFFFFFF
#define SRS_RTMP_DEFAULT_MAX_MESSAGE_SIZE (8 * 1024 * 1024)
/* Distinct chunk stream ids one peer may use. */
#define SRS_RTMP_MAX_CHUNK_STREAMS 128

/* One RTMP message. On read, payload points into the connection's buffer and stays valid until
 * the next srs_rtmp_read_message (or srs_rtmp_conn_free); copy what must live longer. */
typedef struct {
    uint8_t type;
    uint32_t timestamp;   /* milliseconds, 32-bit (wraps) */
    uint32_t stream_id;   /* message stream id */
    uint32_t csid;        /* chunk stream it came on (read only; the writer takes csid apart) */
    uint8_t *payload;
    uint32_t size;
} srs_rtmp_msg_t;

/* Where the bytes come from and go to. read returns what is available (at least one byte) or
 * an error (ERROR_SYSTEM_EOF at the end); writev writes everything or fails. */
typedef struct {
    srs_error_t (*read)(void *ctx, void *buf, size_t size, srs_utime_t timeout, size_t *nread);
    srs_error_t (*writev)(void *ctx, const struct iovec *iov, int iovcnt, srs_utime_t timeout);
    void *ctx;
} srs_rtmp_io_t;

typedef struct srs_rtmp_conn_s srs_rtmp_conn_t;

/* A connection over an ST socket, after the handshake. The socket stays the caller's. */
srs_rtmp_conn_t *srs_rtmp_conn_new(st_netfd_t fd);
/* A connection over any byte source/sink (tests, fuzzing). io is copied. */
srs_rtmp_conn_t *srs_rtmp_conn_new_io(const srs_rtmp_io_t *io);
void srs_rtmp_conn_free(srs_rtmp_conn_t *conn);

/* Per read and per write; SRS_UTIME_NO_TIMEOUT (the default) waits forever. */
void srs_rtmp_conn_set_timeouts(srs_rtmp_conn_t *conn, srs_utime_t recv_timeout, srs_utime_t send_timeout);
/* A deadline (a srs_time_now() value) for every read from now on, whatever the read timeout:
 * each read waits at most until it, and a read after it fails at once with ERROR_SYSTEM_TIMEOUT,
 * so a peer dripping one byte at a time cannot stretch a phase. SRS_UTIME_NO_TIMEOUT (the
 * default) removes it. Writes keep their own timeout. */
void srs_rtmp_conn_set_read_deadline(srs_rtmp_conn_t *conn, srs_utime_t deadline);
/* Largest message accepted on read, 1..0xFFFFFF (clamped). A header declaring more is refused
 * (ERROR_RTMP_TOO_LARGE) before any payload buffer is reserved for it; buffers grow with the
 * bytes that arrive, never to the declared size up front. */
void srs_rtmp_conn_set_max_message_size(srs_rtmp_conn_t *conn, uint32_t size);

uint32_t srs_rtmp_conn_in_chunk_size(const srs_rtmp_conn_t *conn);
uint32_t srs_rtmp_conn_out_chunk_size(const srs_rtmp_conn_t *conn);
/* The peer's acknowledgement window (its WindowAckSize), 0 when it sent none. */
uint32_t srs_rtmp_conn_ack_window(const srs_rtmp_conn_t *conn);
uint64_t srs_rtmp_conn_recv_bytes(const srs_rtmp_conn_t *conn);
uint64_t srs_rtmp_conn_send_bytes(const srs_rtmp_conn_t *conn);

/* The next complete message. Errors: ERROR_RTMP_CHUNK (malformed or over a limit),
 * ERROR_RTMP_MESSAGE (a short protocol control message), or the I/O error. */
srs_error_t srs_rtmp_read_message(srs_rtmp_conn_t *conn, srs_rtmp_msg_t *msg);

/* Send msg on chunk stream csid (2..65599). msg->csid is ignored. Errors: ERROR_RTMP_CHUNK for
 * a bad csid or a payload over 0xFFFFFF bytes, or the I/O error. */
srs_error_t srs_rtmp_write_message(srs_rtmp_conn_t *conn, const srs_rtmp_msg_t *msg, uint32_t csid);

/* Send SetChunkSize (csid 2, stream 0) and chunk with size from then on (1..0xFFFFFF). */
srs_error_t srs_rtmp_set_out_chunk_size(srs_rtmp_conn_t *conn, uint32_t size);

/* A protocol control message of one 32-bit value (SetChunkSize, Abort, Ack, WindowAckSize):
 * csid 2, stream 0, timestamp 0. */
srs_error_t srs_rtmp_write_u32_message(srs_rtmp_conn_t *conn, uint8_t type, uint32_t value);

/* The big-endian 32-bit value that starts a control message's payload. ERROR_RTMP_MESSAGE when
 * it has fewer than 4 bytes. */
srs_error_t srs_rtmp_msg_u32(const srs_rtmp_msg_t *msg, uint32_t *value);

#ifdef __cplusplus
}
#endif

#endif
