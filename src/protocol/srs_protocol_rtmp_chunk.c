/* SPDX-License-Identifier: MIT */
/* RTMP chunk stream reader and writer (RTMP specification 5.3). */
#include "srs_protocol_rtmp_chunk.h"

#include "srs_core_log.h"
#include "srs_protocol_st.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bytes read from the peer at once; chunk headers (at most 18 bytes) are parsed from here. */
#define READ_BUFFER_SIZE (64 * 1024)
/* Payload pieces at least this big are read straight into the message, skipping the copy. */
#define DIRECT_READ_MIN 4096
/* Chunks gathered into one writev: a header and a payload piece each (IOV_MAX is 1024). */
#define WRITE_CHUNKS_PER_CALL 256
/* Basic header (3) + message header (11) + extended timestamp (4). */
#define MAX_CHUNK_HEADER 18
#define EXTENDED_TIMESTAMP 0xFFFFFF
/* Chunk streams below this id have a direct slot (the usual ones are 2..8). */
#define FAST_CSIDS 64

typedef struct {
    uint32_t csid;
    bool seen;           /* had a header, so fmt 1/2/3 may follow */
    bool in_progress;    /* a message is partly received */
    bool extended;       /* the last fmt 0/1/2 header carried an extended timestamp */
    uint8_t type;
    uint32_t length;
    uint32_t stream_id;
    uint32_t timestamp;  /* absolute, of the current message */
    uint32_t ts_field;   /* last timestamp field: absolute (fmt 0) or delta (fmt 1/2) */
    uint8_t *payload;
    uint32_t cap;
    uint32_t received;
} chunk_stream_t;

struct srs_rtmp_conn_s {
    srs_rtmp_io_t io;
    srs_utime_t recv_timeout;
    srs_utime_t send_timeout;
    uint32_t max_message_size;
    srs_utime_t read_deadline;  /* srs_time_now() by which reads must end; SRS_UTIME_NO_TIMEOUT: none */

    /* Input. */
    uint8_t *in_buf;
    size_t in_start;
    size_t in_end;
    uint32_t in_chunk_size;
    chunk_stream_t *fast[FAST_CSIDS];
    chunk_stream_t **others;
    size_t nothers;
    size_t nstreams;
    size_t payload_bytes;   /* capacity of every chunk stream's payload buffer */
    uint64_t in_bytes;
    uint32_t ack_window;
    uint64_t acked_bytes;
    bool ack_pending;

    /* Output. */
    uint32_t out_chunk_size;
    uint64_t out_bytes;
    bool writing;
    st_cond_t write_done;   /* made when a second writer first has to wait */
    struct iovec iov[2 * WRITE_CHUNKS_PER_CALL];
    uint8_t fmt0[MAX_CHUNK_HEADER];
    uint8_t fmt3[3 + 4];
};

static srs_error_t fd_read(void *ctx, void *buf, size_t size, srs_utime_t timeout, size_t *nread)
{
    return srs_st_read((st_netfd_t)ctx, buf, size, timeout, nread);
}

static srs_error_t fd_writev(void *ctx, const struct iovec *iov, int iovcnt, srs_utime_t timeout)
{
    return srs_st_writev((st_netfd_t)ctx, iov, iovcnt, timeout);
}

srs_rtmp_conn_t *srs_rtmp_conn_new_io(const srs_rtmp_io_t *io)
{
    srs_rtmp_conn_t *c = (srs_rtmp_conn_t *)calloc(1, sizeof(*c));
    if (!c) abort();
    c->io = *io;
    c->in_buf = (uint8_t *)malloc(READ_BUFFER_SIZE);
    if (!c->in_buf) abort();
    c->recv_timeout = SRS_UTIME_NO_TIMEOUT;
    c->send_timeout = SRS_UTIME_NO_TIMEOUT;
    c->max_message_size = SRS_RTMP_DEFAULT_MAX_MESSAGE_SIZE;
    c->read_deadline = SRS_UTIME_NO_TIMEOUT;
    c->in_chunk_size = SRS_RTMP_DEFAULT_CHUNK_SIZE;
    c->out_chunk_size = SRS_RTMP_DEFAULT_CHUNK_SIZE;
    return c;
}

srs_rtmp_conn_t *srs_rtmp_conn_new(st_netfd_t fd)
{
    srs_rtmp_io_t io = {fd_read, fd_writev, fd};
    return srs_rtmp_conn_new_io(&io);
}

static void free_stream(chunk_stream_t *cs)
{
    if (!cs) return;
    free(cs->payload);
    free(cs);
}

void srs_rtmp_conn_free(srs_rtmp_conn_t *c)
{
    if (!c) return;
    for (int i = 0; i < FAST_CSIDS; i++) free_stream(c->fast[i]);
    for (size_t i = 0; i < c->nothers; i++) free_stream(c->others[i]);
    free(c->others);
    free(c->in_buf);
    if (c->write_done) st_cond_destroy(c->write_done);
    free(c);
}

void srs_rtmp_conn_set_timeouts(srs_rtmp_conn_t *c, srs_utime_t recv_timeout, srs_utime_t send_timeout)
{
    c->recv_timeout = recv_timeout;
    c->send_timeout = send_timeout;
}

void srs_rtmp_conn_set_read_deadline(srs_rtmp_conn_t *c, srs_utime_t deadline)
{
    c->read_deadline = deadline;
}

void srs_rtmp_conn_set_max_message_size(srs_rtmp_conn_t *c, uint32_t size)
{
    c->max_message_size = SRS_MAX(1, SRS_MIN(size, SRS_RTMP_MAX_MESSAGE_LENGTH));
}

uint32_t srs_rtmp_conn_in_chunk_size(const srs_rtmp_conn_t *c) { return c->in_chunk_size; }
uint32_t srs_rtmp_conn_out_chunk_size(const srs_rtmp_conn_t *c) { return c->out_chunk_size; }
uint32_t srs_rtmp_conn_ack_window(const srs_rtmp_conn_t *c) { return c->ack_window; }
uint64_t srs_rtmp_conn_recv_bytes(const srs_rtmp_conn_t *c) { return c->in_bytes; }
uint64_t srs_rtmp_conn_send_bytes(const srs_rtmp_conn_t *c) { return c->out_bytes; }

static uint32_t be24(const uint8_t *p) { return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2]; }
static uint32_t be32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | be24(p + 1); }
static uint32_t le32(const uint8_t *p) { return p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }

static void put_be24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    put_be24(p + 1, v);
}

srs_error_t srs_rtmp_msg_u32(const srs_rtmp_msg_t *msg, uint32_t *value)
{
    if (msg->size < 4) {
        return srs_error_new(ERROR_RTMP_MESSAGE, "message type %u needs 4 bytes, has %u", msg->type, msg->size);
    }
    *value = be32(msg->payload);
    return srs_success;
}

/* ---- Writing ---- */

/* Basic header for fmt and csid (1, 2 or 3 bytes); returns its length. */
static size_t put_basic_header(uint8_t *p, uint8_t fmt, uint32_t csid)
{
    if (csid < 64) {
        p[0] = (uint8_t)((fmt << 6) | csid);
        return 1;
    }
    if (csid < 320) {
        p[0] = (uint8_t)(fmt << 6);
        p[1] = (uint8_t)(csid - 64);
        return 2;
    }
    p[0] = (uint8_t)((fmt << 6) | 1);
    p[1] = (uint8_t)((csid - 64) & 0xFF);
    p[2] = (uint8_t)((csid - 64) >> 8);
    return 3;
}

static srs_error_t flush_iov(srs_rtmp_conn_t *c, int n)
{
    srs_error_t err = c->io.writev(c->io.ctx, c->iov, n, c->send_timeout);
    if (err) return srs_error_wrap(err, "write chunks");
    for (int i = 0; i < n; i++) c->out_bytes += c->iov[i].iov_len;
    return srs_success;
}

static srs_error_t write_chunks(srs_rtmp_conn_t *c, const srs_rtmp_msg_t *msg, uint32_t csid)
{
    srs_error_t err = srs_success;
    bool extended = msg->timestamp >= EXTENDED_TIMESTAMP;

    uint8_t *p = c->fmt0;
    p += put_basic_header(p, 0, csid);
    put_be24(p, extended ? EXTENDED_TIMESTAMP : msg->timestamp);
    put_be24(p + 3, msg->size);
    p[6] = msg->type;
    p[7] = (uint8_t)msg->stream_id;
    p[8] = (uint8_t)(msg->stream_id >> 8);
    p[9] = (uint8_t)(msg->stream_id >> 16);
    p[10] = (uint8_t)(msg->stream_id >> 24);
    p += 11;
    if (extended) {
        put_be32(p, msg->timestamp);
        p += 4;
    }
    size_t fmt0_len = (size_t)(p - c->fmt0);

    /* Every continuation has the same header, so one copy serves all. */
    p = c->fmt3;
    p += put_basic_header(p, 3, csid);
    if (extended) {
        put_be32(p, msg->timestamp);
        p += 4;
    }
    size_t fmt3_len = (size_t)(p - c->fmt3);

    int n = 0;
    uint32_t sent = 0;
    do {
        bool first = sent == 0 && n == 0;
        c->iov[n].iov_base = first ? c->fmt0 : c->fmt3;
        c->iov[n].iov_len = first ? fmt0_len : fmt3_len;
        n++;
        uint32_t piece = SRS_MIN(c->out_chunk_size, msg->size - sent);
        if (piece) {
            c->iov[n].iov_base = msg->payload + sent;
            c->iov[n].iov_len = piece;
            n++;
            sent += piece;
        }
        if (n == (int)SRS_ARRAY_SIZE(c->iov) || sent == msg->size) {
            if ((err = flush_iov(c, n)) != srs_success) return err;
            n = 0;
        }
    } while (sent < msg->size);
    return srs_success;
}

static srs_error_t send_ack(srs_rtmp_conn_t *c)
{
    srs_error_t err = srs_rtmp_write_u32_message(c, SRS_RTMP_MSG_ACK, (uint32_t)c->in_bytes);
    if (err) return srs_error_wrap(err, "send acknowledgement");
    return srs_success;
}

srs_error_t srs_rtmp_write_message(srs_rtmp_conn_t *c, const srs_rtmp_msg_t *msg, uint32_t csid)
{
    srs_error_t err = srs_success;
    if (csid < SRS_RTMP_CSID_MIN || csid > SRS_RTMP_CSID_MAX) {
        return srs_error_new(ERROR_RTMP_CHUNK, "write on csid %u, want %d..%d", csid, SRS_RTMP_CSID_MIN, SRS_RTMP_CSID_MAX);
    }
    if (msg->size > SRS_RTMP_MAX_MESSAGE_LENGTH) {
        return srs_error_new(ERROR_RTMP_CHUNK, "message of %u bytes, max %d", msg->size, SRS_RTMP_MAX_MESSAGE_LENGTH);
    }
    uint32_t new_chunk_size = 0;
    if (msg->type == SRS_RTMP_MSG_SET_CHUNK_SIZE) {
        if ((err = srs_rtmp_msg_u32(msg, &new_chunk_size)) != srs_success) return srs_error_wrap(err, "SetChunkSize");
        if (new_chunk_size < 1 || new_chunk_size > SRS_RTMP_MAX_CHUNK_SIZE) {
            return srs_error_new(ERROR_RTMP_CHUNK, "SetChunkSize %u, want 1..%d", new_chunk_size, SRS_RTMP_MAX_CHUNK_SIZE);
        }
    }

    /* One message at a time on the wire: wait for another coroutine's write. */
    while (c->writing) {
        if (!c->write_done && (c->write_done = st_cond_new()) == NULL) return srs_st_error("st_cond_new");
        if (st_cond_wait(c->write_done) < 0) {
            return srs_error_new(errno == EINTR ? ERROR_SYSTEM_INTERRUPTED : ERROR_SYSTEM_ST, "wait for writer");
        }
    }
    c->writing = true;
    err = write_chunks(c, msg, csid);
    if (!err && new_chunk_size) c->out_chunk_size = new_chunk_size;
    c->writing = false;
    if (c->write_done) st_cond_signal(c->write_done);
    if (err) return err;

    if (c->ack_pending) {
        c->ack_pending = false;
        return send_ack(c);
    }
    return srs_success;
}

srs_error_t srs_rtmp_write_u32_message(srs_rtmp_conn_t *c, uint8_t type, uint32_t value)
{
    uint8_t payload[4];
    put_be32(payload, value);
    srs_rtmp_msg_t msg = {type, 0, 0, SRS_RTMP_CSID_PROTOCOL, payload, sizeof(payload)};
    return srs_rtmp_write_message(c, &msg, SRS_RTMP_CSID_PROTOCOL);
}

srs_error_t srs_rtmp_set_out_chunk_size(srs_rtmp_conn_t *c, uint32_t size)
{
    return srs_rtmp_write_u32_message(c, SRS_RTMP_MSG_SET_CHUNK_SIZE, size);
}

/* ---- Reading ---- */

/* Read what the peer has into dst, count it, and acknowledge when the window is reached. */
static srs_error_t read_some(srs_rtmp_conn_t *c, uint8_t *dst, size_t max, size_t *nread)
{
    /* Each read gets the read timeout, or only what is left of the deadline when that is less. */
    srs_utime_t timeout = c->recv_timeout;
    if (c->read_deadline != SRS_UTIME_NO_TIMEOUT) {
        srs_utime_t left = c->read_deadline - srs_time_now();
        if (left <= 0) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "read chunk: deadline passed");
        if (timeout == SRS_UTIME_NO_TIMEOUT || left < timeout) timeout = left;
    }
    srs_error_t err = c->io.read(c->io.ctx, dst, max, timeout, nread);
    if (err) return srs_error_wrap(err, "read chunk");
    c->in_bytes += *nread;
    if (c->ack_window && c->in_bytes - c->acked_bytes >= c->ack_window) {
        c->acked_bytes = c->in_bytes;
        if (c->writing) {
            c->ack_pending = true; /* the writer sends it when done */
        } else if ((err = send_ack(c)) != srs_success) {
            return err;
        }
    }
    return srs_success;
}

/* At least n (<= MAX_CHUNK_HEADER) unread bytes in the read buffer. */
static srs_error_t ensure(srs_rtmp_conn_t *c, size_t n)
{
    while (c->in_end - c->in_start < n) {
        if (c->in_start > 0) {
            memmove(c->in_buf, c->in_buf + c->in_start, c->in_end - c->in_start);
            c->in_end -= c->in_start;
            c->in_start = 0;
        }
        size_t got = 0;
        srs_error_t err = read_some(c, c->in_buf + c->in_end, READ_BUFFER_SIZE - c->in_end, &got);
        if (err) return err;
        c->in_end += got;
    }
    return srs_success;
}

static chunk_stream_t *new_stream(srs_rtmp_conn_t *c, uint32_t csid)
{
    chunk_stream_t *cs = (chunk_stream_t *)calloc(1, sizeof(*cs));
    if (!cs) abort();
    cs->csid = csid;
    c->nstreams++;
    return cs;
}

static srs_error_t get_stream(srs_rtmp_conn_t *c, uint32_t csid, chunk_stream_t **out)
{
    if (csid < FAST_CSIDS && c->fast[csid]) {
        *out = c->fast[csid];
        return srs_success;
    }
    for (size_t i = 0; csid >= FAST_CSIDS && i < c->nothers; i++) {
        if (c->others[i]->csid == csid) {
            *out = c->others[i];
            return srs_success;
        }
    }
    if (c->nstreams >= SRS_RTMP_MAX_CHUNK_STREAMS) {
        return srs_error_new(ERROR_RTMP_CHUNK, "csid %u: more than %d chunk streams", csid, SRS_RTMP_MAX_CHUNK_STREAMS);
    }
    chunk_stream_t *cs = new_stream(c, csid);
    if (csid < FAST_CSIDS) {
        c->fast[csid] = cs;
    } else {
        chunk_stream_t **others = (chunk_stream_t **)realloc(c->others, (c->nothers + 1) * sizeof(*others));
        if (!others) abort();
        c->others = others;
        c->others[c->nothers++] = cs;
    }
    *out = cs;
    return srs_success;
}

/* Free the payload buffers of streams with no message in progress. */
static void reclaim_idle(srs_rtmp_conn_t *c)
{
    for (int i = 0; i < FAST_CSIDS + (int)c->nothers; i++) {
        chunk_stream_t *cs = i < FAST_CSIDS ? c->fast[i] : c->others[i - FAST_CSIDS];
        if (!cs || cs->in_progress || !cs->payload) continue;
        c->payload_bytes -= cs->cap;
        srs_freep(cs->payload);
        cs->cap = 0;
    }
}

/* Room for `need` payload bytes, growing by doubling up to the message length, within the
 * connection's budget of buffered payload. */
static srs_error_t reserve_payload(srs_rtmp_conn_t *c, chunk_stream_t *cs, uint32_t need)
{
    if (need <= cs->cap) return srs_success;
    uint32_t cap = SRS_MAX(need, SRS_MIN(cs->length, SRS_MAX(4096u, cs->cap * 2)));
    size_t budget = 2 * (size_t)c->max_message_size;
    if (c->payload_bytes - cs->cap + cap > budget) {
        reclaim_idle(c);
        if (c->payload_bytes - cs->cap + cap > budget) {
            return srs_error_new(ERROR_RTMP_CHUNK, "csid %u: %zu payload bytes buffered, max %zu", cs->csid,
                                 c->payload_bytes - cs->cap + cap, budget);
        }
    }
    uint8_t *p = (uint8_t *)realloc(cs->payload, cap);
    if (!p) abort();
    c->payload_bytes += cap - cs->cap;
    cs->payload = p;
    cs->cap = cap;
    return srs_success;
}

/* Read one chunk header and update the chunk stream it belongs to. */
static srs_error_t read_chunk_header(srs_rtmp_conn_t *c, chunk_stream_t **out)
{
    srs_error_t err = srs_success;
    if ((err = ensure(c, 1)) != srs_success) return err;
    const uint8_t *p = c->in_buf + c->in_start;
    uint8_t fmt = p[0] >> 6;
    uint32_t csid = p[0] & 0x3F;
    size_t bh = 1;
    if (csid <= 1) {
        bh = csid == 0 ? 2 : 3;
        if ((err = ensure(c, bh)) != srs_success) return err;
        p = c->in_buf + c->in_start;
        csid = 64 + p[1] + (bh == 3 ? (uint32_t)p[2] * 256 : 0);
    }
    c->in_start += bh;

    chunk_stream_t *cs = NULL;
    if ((err = get_stream(c, csid, &cs)) != srs_success) return err;
    if (!cs->seen && fmt != 0 && !(csid == 2 && fmt == 1)) {
        return srs_error_new(ERROR_RTMP_CHUNK, "csid %u: a new chunk stream starts with fmt %u, want 0", csid, fmt);
    }
    bool first = !cs->in_progress;

    static const size_t header_sizes[4] = {11, 7, 3, 0};
    size_t mh = header_sizes[fmt];
    if ((err = ensure(c, mh)) != srs_success) return err;
    p = c->in_buf + c->in_start;

    if (fmt <= 2) {
        uint32_t ts = be24(p);
        if (fmt <= 1) {
            uint32_t length = be24(p + 3);
            if (length > c->max_message_size) {
                return srs_error_new(ERROR_RTMP_TOO_LARGE, "csid %u: message of %u bytes, max %u", csid, length, c->max_message_size);
            }
            if (!first && length != cs->length) {
                return srs_error_new(ERROR_RTMP_CHUNK, "csid %u: fmt %u changes the length %u to %u inside a message",
                                     csid, fmt, cs->length, length);
            }
            cs->length = length;
            cs->type = p[6];
            if (fmt == 0) cs->stream_id = le32(p + 7);
        }
        c->in_start += mh;
        cs->extended = ts == EXTENDED_TIMESTAMP;
        if (cs->extended) {
            if ((err = ensure(c, 4)) != srs_success) return err;
            ts = be32(c->in_buf + c->in_start);
            c->in_start += 4;
        }
        cs->ts_field = ts;
        cs->timestamp = fmt == 0 ? ts : cs->timestamp + ts;
    } else {
        if (cs->extended) {
            /* Repeated (librtmp, ffmpeg) or not (FMLE): the same value means it is there. */
            if ((err = ensure(c, 4)) != srs_success) return err;
            if (be32(c->in_buf + c->in_start) == cs->ts_field) c->in_start += 4;
        }
        /* A fmt 3 chunk starting a message repeats the last delta. */
        if (first) cs->timestamp += cs->ts_field;
    }
    cs->seen = true;
    *out = cs;
    return srs_success;
}

/* Copy n payload bytes of the chunk into the message, reading as needed. */
static srs_error_t read_chunk_payload(srs_rtmp_conn_t *c, chunk_stream_t *cs, uint32_t n)
{
    srs_error_t err = srs_success;
    while (n > 0) {
        size_t avail = c->in_end - c->in_start;
        uint8_t *dst = cs->payload + cs->received;
        if (avail == 0 && n >= DIRECT_READ_MIN) {
            size_t got = 0;
            if ((err = read_some(c, dst, n, &got)) != srs_success) return err;
            cs->received += (uint32_t)got;
            n -= (uint32_t)got;
            continue;
        }
        if (avail == 0) {
            c->in_start = c->in_end = 0;
            if ((err = ensure(c, 1)) != srs_success) return err;
            avail = c->in_end - c->in_start;
        }
        uint32_t piece = (uint32_t)SRS_MIN((size_t)n, avail);
        memcpy(dst, c->in_buf + c->in_start, piece);
        c->in_start += piece;
        cs->received += piece;
        n -= piece;
    }
    return srs_success;
}

/* Act on the control messages that change how this connection reads. */
static srs_error_t on_control(srs_rtmp_conn_t *c, const srs_rtmp_msg_t *msg)
{
    srs_error_t err = srs_success;
    uint32_t v = 0;
    switch (msg->type) {
    case SRS_RTMP_MSG_SET_CHUNK_SIZE:
        if ((err = srs_rtmp_msg_u32(msg, &v)) != srs_success) return srs_error_wrap(err, "SetChunkSize");
        if (v < 1 || v > SRS_RTMP_MAX_CHUNK_SIZE) {
            return srs_error_new(ERROR_RTMP_CHUNK, "SetChunkSize %u, want 1..%d", v, SRS_RTMP_MAX_CHUNK_SIZE);
        }
        c->in_chunk_size = v;
        return srs_success;
    case SRS_RTMP_MSG_WINDOW_ACK_SIZE:
        if ((err = srs_rtmp_msg_u32(msg, &v)) != srs_success) return srs_error_wrap(err, "WindowAckSize");
        c->ack_window = v;
        return srs_success;
    case SRS_RTMP_MSG_ABORT: {
        if ((err = srs_rtmp_msg_u32(msg, &v)) != srs_success) return srs_error_wrap(err, "Abort");
        chunk_stream_t *cs = NULL;
        if (v < FAST_CSIDS) cs = c->fast[v];
        for (size_t i = 0; !cs && i < c->nothers; i++) {
            if (c->others[i]->csid == v) cs = c->others[i];
        }
        if (cs && cs->in_progress) {
            cs->in_progress = false;
            cs->received = 0;
        }
        return srs_success;
    }
    default:
        return srs_success;
    }
}

srs_error_t srs_rtmp_read_message(srs_rtmp_conn_t *c, srs_rtmp_msg_t *msg)
{
    srs_error_t err = srs_success;
    for (;;) {
        chunk_stream_t *cs = NULL;
        if ((err = read_chunk_header(c, &cs)) != srs_success) return err;
        if (!cs->in_progress) {
            cs->in_progress = true;
            cs->received = 0;
        }
        uint32_t n = SRS_MIN(c->in_chunk_size, cs->length - cs->received);
        if ((err = reserve_payload(c, cs, cs->received + n)) != srs_success) return err;
        if ((err = read_chunk_payload(c, cs, n)) != srs_success) return err;
        if (cs->received < cs->length) continue;

        cs->in_progress = false;
        msg->type = cs->type;
        msg->timestamp = cs->timestamp;
        msg->stream_id = cs->stream_id;
        msg->csid = cs->csid;
        msg->payload = cs->payload;
        msg->size = cs->length;
        return on_control(c, msg);
    }
}
