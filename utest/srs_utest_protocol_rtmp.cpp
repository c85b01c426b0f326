// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

extern "C" {
#include "srs_protocol_amf0.h"
#include "srs_protocol_coroutine.h"
#include "srs_core_log.h"
#include "srs_protocol_rtmp_chunk.h"
#include "srs_protocol_rtmp_client.h"
#include "srs_protocol_rtmp_handshake.h"
#include "srs_protocol_rtmp_msg.h"
#include "srs_protocol_st.h"
}

namespace {

const srs_utime_t kTimeout = 5 * SRS_UTIME_SECONDS;

std::string B(std::initializer_list<int> bytes)
{
    std::string s;
    for (int b : bytes) s.push_back((char)b);
    return s;
}

std::string be24(uint32_t v) { return B({(int)(v >> 16) & 0xFF, (int)(v >> 8) & 0xFF, (int)v & 0xFF}); }
std::string be32(uint32_t v) { return B({(int)(v >> 24) & 0xFF}) + be24(v); }
std::string le32(uint32_t v) { return B({(int)v & 0xFF, (int)(v >> 8) & 0xFF, (int)(v >> 16) & 0xFF, (int)(v >> 24) & 0xFF}); }

// Chunk headers by hand (csid < 64).
std::string fmt0(uint32_t csid, uint32_t ts, uint32_t len, uint8_t type, uint32_t sid)
{
    return B({(int)csid}) + be24(ts) + be24(len) + B({type}) + le32(sid);
}
std::string fmt1(uint32_t csid, uint32_t delta, uint32_t len, uint8_t type)
{
    return B({0x40 | (int)csid}) + be24(delta) + be24(len) + B({type});
}
std::string fmt2(uint32_t csid, uint32_t delta) { return B({0x80 | (int)csid}) + be24(delta); }
std::string fmt3(uint32_t csid) { return B({0xC0 | (int)csid}); }

std::string pattern(size_t n, int seed)
{
    std::string s(n, '\0');
    for (size_t i = 0; i < n; i++) s[i] = (char)((i * 31 + seed) & 0xFF);
    return s;
}

// A byte source/sink in memory; reads return at most max_read bytes, to split headers.
struct MemIO {
    std::string in;
    size_t pos = 0;
    size_t max_read = (size_t)-1;
    std::string out;
};

srs_error_t mem_read(void *ctx, void *buf, size_t size, srs_utime_t, size_t *nread)
{
    MemIO *m = (MemIO *)ctx;
    if (m->pos >= m->in.size()) return srs_error_new(ERROR_SYSTEM_EOF, "end of input");
    size_t n = std::min(std::min(size, m->in.size() - m->pos), m->max_read);
    memcpy(buf, m->in.data() + m->pos, n);
    m->pos += n;
    *nread = n;
    return srs_success;
}

srs_error_t mem_writev(void *ctx, const struct iovec *iov, int iovcnt, srs_utime_t)
{
    MemIO *m = (MemIO *)ctx;
    for (int i = 0; i < iovcnt; i++) m->out.append((const char *)iov[i].iov_base, iov[i].iov_len);
    return srs_success;
}

srs_rtmp_conn_t *mem_conn(MemIO *m)
{
    srs_rtmp_io_t io = {mem_read, mem_writev, m};
    return srs_rtmp_conn_new_io(&io);
}

struct Msg {
    uint8_t type;
    uint32_t timestamp;
    uint32_t stream_id;
    uint32_t csid;
    std::string payload;
};

// Read every message until the input ends; the error (if not the end) is returned in *code.
std::vector<Msg> read_all(srs_rtmp_conn_t *c, int *code = NULL)
{
    std::vector<Msg> out;
    for (;;) {
        srs_rtmp_msg_t m;
        srs_error_t err = srs_rtmp_read_message(c, &m);
        if (err) {
            if (code) *code = srs_error_code(err);
            srs_error_free(err);
            return out;
        }
        out.push_back({m.type, m.timestamp, m.stream_id, m.csid, std::string((const char *)m.payload, m.size)});
    }
}

// What a writer conn puts on the wire for these messages.
std::string wire_of(const std::vector<Msg> &msgs, uint32_t out_chunk_size = 0)
{
    MemIO m;
    srs_rtmp_conn_t *c = mem_conn(&m);
    if (out_chunk_size) HELPER_EXPECT_SUCCESS(srs_rtmp_set_out_chunk_size(c, out_chunk_size));
    for (const Msg &x : msgs) {
        srs_rtmp_msg_t msg = {x.type, x.timestamp, x.stream_id, 0, (uint8_t *)x.payload.data(), (uint32_t)x.payload.size()};
        HELPER_EXPECT_SUCCESS(srs_rtmp_write_message(c, &msg, x.csid));
    }
    srs_rtmp_conn_free(c);
    return m.out;
}

void expect_same(const Msg &want, const Msg &got)
{
    EXPECT_EQ(want.type, got.type);
    EXPECT_EQ(want.timestamp, got.timestamp);
    EXPECT_EQ(want.stream_id, got.stream_id);
    EXPECT_EQ(want.csid, got.csid);
    EXPECT_TRUE(want.payload == got.payload) << "payload of " << want.payload.size() << " vs " << got.payload.size();
}

void socket_pair(st_netfd_t *a, st_netfd_t *b)
{
    int fds[2];
    ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, fds));
    *a = st_netfd_open_socket(fds[0]);
    *b = st_netfd_open_socket(fds[1]);
    ASSERT_TRUE(*a && *b);
}

// Wait for a coroutine's cycle to end (bounded), then collect its result.
srs_error_t join(srs_coroutine_t *co)
{
    for (int i = 0; i < 5000 && !co->done; i++) st_usleep(1000);
    srs_error_t err = srs_coroutine_stop(co);
    srs_coroutine_free(co);
    // Let the joined thread run to its end, where ST frees its join condition.
    st_usleep(1000);
    return err;
}

} // namespace

// ---- Handshake ----

TEST(ProtocolRtmpHandshakeTest, ComplexC1ValidatesInItsSchema)
{
    for (int schema = 0; schema <= 1; schema++) {
        uint8_t c1[SRS_RTMP_HANDSHAKE_SIZE];
        HELPER_EXPECT_SUCCESS(srs_rtmp_c1_build_complex(c1, schema));
        EXPECT_EQ(schema, srs_rtmp_c1_digest_schema(c1));
        EXPECT_TRUE(srs_rtmp_c1_digest_valid(c1));
        // Signed with the Player key: not an S1.
        EXPECT_EQ(-1, srs_rtmp_s1_digest_schema(c1));
        // One flipped bit outside the digest breaks it.
        size_t digest = srs_rtmp_digest_offset(c1, schema);
        c1[digest == 100 ? 101 : 100] ^= 1;
        EXPECT_FALSE(srs_rtmp_c1_digest_valid(c1));
    }
}

TEST(ProtocolRtmpHandshakeTest, RandomC1HasNoDigest)
{
    uint8_t c1[SRS_RTMP_HANDSHAKE_SIZE];
    for (int i = 0; i < 20; i++) {
        std::string r = pattern(sizeof(c1), i * 7 + 1);
        memcpy(c1, r.data(), sizeof(c1));
        EXPECT_FALSE(srs_rtmp_c1_digest_valid(c1));
    }
    memset(c1, 0, sizeof(c1));
    EXPECT_EQ(-1, srs_rtmp_c1_digest_schema(c1));
}

TEST(ProtocolRtmpHandshakeTest, DigestOffsetFollowsTheOffsetBytes)
{
    uint8_t p[SRS_RTMP_HANDSHAKE_SIZE] = {0};
    p[8] = 200; p[9] = 200; p[10] = 200; p[11] = 200;   // schema 1: 800 % 728 = 72
    EXPECT_EQ(12u + 72, srs_rtmp_digest_offset(p, 1));
    p[772] = 255; p[773] = 255; p[774] = 255; p[775] = 255; // schema 0: 1020 % 728 = 292
    EXPECT_EQ(776u + 292, srs_rtmp_digest_offset(p, 0));
}

TEST(ProtocolRtmpHandshakeTest, SimpleClientGetsAnEchoOfC1)
{
    uint8_t c0c1[1 + SRS_RTMP_HANDSHAKE_SIZE], s0s1s2[1 + 2 * SRS_RTMP_HANDSHAKE_SIZE];
    c0c1[0] = 3;
    std::string r = pattern(SRS_RTMP_HANDSHAKE_SIZE, 9);
    memcpy(c0c1 + 1, r.data(), r.size());
    memset(c0c1 + 1, 0, 8);
    bool complex = true;
    HELPER_EXPECT_SUCCESS(srs_rtmp_handshake_answer(c0c1, s0s1s2, &complex));
    EXPECT_FALSE(complex);
    EXPECT_EQ(3, s0s1s2[0]);
    EXPECT_EQ(0, memcmp(s0s1s2 + 1 + 4, "\0\0\0\0", 4)); // zero version: ffmpeg does not check a digest
    EXPECT_EQ(0, memcmp(s0s1s2 + 1 + SRS_RTMP_HANDSHAKE_SIZE, c0c1 + 1, SRS_RTMP_HANDSHAKE_SIZE));
}

TEST(ProtocolRtmpHandshakeTest, ComplexClientGetsDigestsThatCheckOut)
{
    for (int schema = 0; schema <= 1; schema++) {
        uint8_t c0c1[1 + SRS_RTMP_HANDSHAKE_SIZE], s0s1s2[1 + 2 * SRS_RTMP_HANDSHAKE_SIZE];
        c0c1[0] = 3;
        HELPER_EXPECT_SUCCESS(srs_rtmp_c1_build_complex(c0c1 + 1, schema));
        bool complex = false;
        HELPER_EXPECT_SUCCESS(srs_rtmp_handshake_answer(c0c1, s0s1s2, &complex));
        EXPECT_TRUE(complex);
        const uint8_t *s1 = s0s1s2 + 1, *s2 = s1 + SRS_RTMP_HANDSHAKE_SIZE;
        EXPECT_EQ(schema, srs_rtmp_s1_digest_schema(s1));
        const uint8_t *c1_digest = c0c1 + 1 + srs_rtmp_digest_offset(c0c1 + 1, schema);
        EXPECT_TRUE(srs_rtmp_s2_digest_valid(s2, c1_digest));
        // An S2 for another C1 does not.
        uint8_t other[SRS_RTMP_DIGEST_SIZE];
        memcpy(other, c1_digest, sizeof(other));
        other[0] ^= 0x80;
        EXPECT_FALSE(srs_rtmp_s2_digest_valid(s2, other));
    }
}

TEST(ProtocolRtmpHandshakeTest, OnlyPlainRtmpIsAccepted)
{
    uint8_t c0c1[1 + SRS_RTMP_HANDSHAKE_SIZE] = {6}, s0s1s2[1 + 2 * SRS_RTMP_HANDSHAKE_SIZE];
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_handshake_answer(c0c1, s0s1s2, NULL), ERROR_RTMP_HANDSHAKE);
}

namespace {
struct HsServer {
    st_netfd_t fd;
    bool complex = false;
};

srs_error_t hs_server_cycle(void *arg)
{
    HsServer *s = (HsServer *)arg;
    return srs_rtmp_handshake_server(s->fd, kTimeout, &s->complex);
}
} // namespace

TEST(ProtocolRtmpHandshakeTest, ClientAndServerOverSockets)
{
    st_netfd_t a = NULL, b = NULL;
    socket_pair(&a, &b);
    HsServer server;
    server.fd = a;
    srs_coroutine_t *co = srs_coroutine_new("hs-server", hs_server_cycle, &server);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
    HELPER_EXPECT_SUCCESS(srs_rtmp_handshake_client(b, kTimeout));
    HELPER_EXPECT_SUCCESS(join(co));
    EXPECT_FALSE(server.complex);

    // The streams are in step: a message goes through.
    srs_rtmp_conn_t *ca = srs_rtmp_conn_new(a), *cb = srs_rtmp_conn_new(b);
    srs_rtmp_conn_set_timeouts(ca, kTimeout, kTimeout);
    std::string payload = "hello";
    srs_rtmp_msg_t m = {SRS_RTMP_MSG_AUDIO, 7, 1, 0, (uint8_t *)payload.data(), 5};
    HELPER_EXPECT_SUCCESS(srs_rtmp_write_message(cb, &m, SRS_RTMP_CSID_AUDIO));
    srs_rtmp_msg_t got;
    HELPER_EXPECT_SUCCESS(srs_rtmp_read_message(ca, &got));
    EXPECT_EQ(std::string("hello"), std::string((const char *)got.payload, got.size));
    srs_rtmp_conn_free(ca);
    srs_rtmp_conn_free(cb);
    srs_st_close(a);
    srs_st_close(b);
}

TEST(ProtocolRtmpHandshakeTest, ServerAnswersADigestCheckingClientOverSockets)
{
    st_netfd_t a = NULL, b = NULL;
    socket_pair(&a, &b);
    HsServer server;
    server.fd = a;
    srs_coroutine_t *co = srs_coroutine_new("hs-server", hs_server_cycle, &server);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));

    // A client as ffmpeg's: complex C1 (schema 1), then it checks S1 and S2.
    uint8_t c0c1[1 + SRS_RTMP_HANDSHAKE_SIZE], s0s1s2[1 + 2 * SRS_RTMP_HANDSHAKE_SIZE];
    c0c1[0] = 3;
    HELPER_EXPECT_SUCCESS(srs_rtmp_c1_build_complex(c0c1 + 1, 1));
    HELPER_EXPECT_SUCCESS(srs_st_write(b, c0c1, sizeof(c0c1), kTimeout));
    HELPER_EXPECT_SUCCESS(srs_st_read_fully(b, s0s1s2, sizeof(s0s1s2), kTimeout));
    EXPECT_EQ(1, srs_rtmp_s1_digest_schema(s0s1s2 + 1));
    EXPECT_TRUE(srs_rtmp_s2_digest_valid(s0s1s2 + 1 + SRS_RTMP_HANDSHAKE_SIZE, c0c1 + 1 + srs_rtmp_digest_offset(c0c1 + 1, 1)));
    HELPER_EXPECT_SUCCESS(srs_st_write(b, s0s1s2 + 1, SRS_RTMP_HANDSHAKE_SIZE, kTimeout));
    HELPER_EXPECT_SUCCESS(join(co));
    EXPECT_TRUE(server.complex);
    srs_st_close(a);
    srs_st_close(b);
}

// ---- Chunk stream ----

TEST(ProtocolRtmpChunkTest, VariousSizesRoundTripAtBothChunkSizes)
{
    std::vector<Msg> msgs;
    uint32_t sizes[] = {0, 1, 127, 128, 129, 256, 4095, 60000, 60001, 300000};
    int i = 0;
    for (uint32_t size : sizes) {
        msgs.push_back({(uint8_t)(i % 2 ? SRS_RTMP_MSG_VIDEO : SRS_RTMP_MSG_AUDIO), (uint32_t)(i * 40), 1,
                        (uint32_t)(i % 2 ? SRS_RTMP_CSID_VIDEO : SRS_RTMP_CSID_AUDIO), pattern(size, i)});
        i++;
    }
    for (uint32_t chunk : {0u, 60000u}) {
        MemIO m;
        m.in = wire_of(msgs, chunk);
        m.max_read = 1000;
        srs_rtmp_conn_t *c = mem_conn(&m);
        int code = 0;
        std::vector<Msg> got = read_all(c, &code);
        EXPECT_EQ(ERROR_SYSTEM_EOF, code);
        size_t skip = chunk ? 1 : 0; // the SetChunkSize
        ASSERT_EQ(msgs.size() + skip, got.size());
        if (chunk) {
            EXPECT_EQ(SRS_RTMP_MSG_SET_CHUNK_SIZE, got[0].type);
            EXPECT_EQ(chunk, srs_rtmp_conn_in_chunk_size(c));
        }
        for (size_t k = 0; k < msgs.size(); k++) expect_same(msgs[k], got[k + skip]);
        srs_rtmp_conn_free(c);
    }
}

TEST(ProtocolRtmpChunkTest, WriterChunksWithFmt0ThenFmt3)
{
    std::string payload = pattern(300, 1);
    std::string wire = wire_of({{SRS_RTMP_MSG_VIDEO, 1000, 1, 6, payload}});
    std::string want = fmt0(6, 1000, 300, 9, 1) + payload.substr(0, 128) + fmt3(6) + payload.substr(128, 128) +
                       fmt3(6) + payload.substr(256);
    EXPECT_TRUE(want == wire);
}

TEST(ProtocolRtmpChunkTest, LargeOutputChunkSizeSendsOneChunk)
{
    std::string payload = pattern(50000, 2);
    std::string wire = wire_of({{SRS_RTMP_MSG_VIDEO, 0, 1, 6, payload}}, 60000);
    // SetChunkSize on csid 2, then the message in a single chunk.
    std::string want = fmt0(2, 0, 4, 1, 0) + be32(60000) + fmt0(6, 0, 50000, 9, 1) + payload;
    EXPECT_TRUE(want == wire);
}

TEST(ProtocolRtmpChunkTest, SetChunkSizeFromThePeerMidStream)
{
    std::string a = pattern(300, 3), b = pattern(3000, 4);
    std::string wire = fmt0(4, 0, 300, 8, 1) + a.substr(0, 128) + fmt3(4) + a.substr(128, 128) + fmt3(4) + a.substr(256) +
                       fmt0(2, 0, 4, 1, 0) + be32(4096) + fmt0(4, 20, 3000, 8, 1) + b;
    MemIO m;
    m.in = wire;
    m.max_read = 7;
    srs_rtmp_conn_t *c = mem_conn(&m);
    std::vector<Msg> got = read_all(c);
    ASSERT_EQ(3u, got.size());
    EXPECT_TRUE(a == got[0].payload);
    EXPECT_EQ(SRS_RTMP_MSG_SET_CHUNK_SIZE, got[1].type);
    EXPECT_EQ(4096u, srs_rtmp_conn_in_chunk_size(c));
    EXPECT_TRUE(b == got[2].payload);
    EXPECT_EQ(20u, got[2].timestamp);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, SetChunkSizeOutOfRangeIsAnError)
{
    for (uint32_t size : {0u, 0x1000000u, 0x7FFFFFFFu}) {
        MemIO m;
        m.in = fmt0(2, 0, 4, 1, 0) + be32(size);
        srs_rtmp_conn_t *c = mem_conn(&m);
        int code = 0;
        EXPECT_EQ(0u, read_all(c, &code).size());
        EXPECT_EQ(ERROR_RTMP_CHUNK, code) << size;
        srs_rtmp_conn_free(c);
    }
}

TEST(ProtocolRtmpChunkTest, ForwardedSetChunkSizeSwitchesTheWriter)
{
    // A relay that forwards the peer's SetChunkSize keeps both ends in step.
    std::string big = pattern(1000, 5);
    std::string wire = wire_of({{SRS_RTMP_MSG_SET_CHUNK_SIZE, 0, 0, 2, be32(512)}, {SRS_RTMP_MSG_VIDEO, 0, 1, 6, big}});
    std::string want = fmt0(2, 0, 4, 1, 0) + be32(512) + fmt0(6, 0, 1000, 9, 1) + big.substr(0, 512) + fmt3(6) + big.substr(512);
    EXPECT_TRUE(want == wire);
}

TEST(ProtocolRtmpChunkTest, ExtendedTimestampOnFmt0AndFmt3)
{
    const uint32_t ts = 0x12345678;
    std::string payload = pattern(200, 6);
    std::string wire = wire_of({{SRS_RTMP_MSG_VIDEO, ts, 1, 6, payload}});
    std::string want = fmt0(6, 0xFFFFFF, 200, 9, 1) + be32(ts) + payload.substr(0, 128) + fmt3(6) + be32(ts) + payload.substr(128);
    EXPECT_TRUE(want == wire);

    // librtmp/ffmpeg style (repeated in fmt 3) and FMLE style (not repeated) both read.
    std::string fmle = fmt0(6, 0xFFFFFF, 200, 9, 1) + be32(ts) + payload.substr(0, 128) + fmt3(6) + payload.substr(128);
    for (const std::string &in : {want, fmle}) {
        MemIO m;
        m.in = in;
        srs_rtmp_conn_t *c = mem_conn(&m);
        std::vector<Msg> got = read_all(c);
        ASSERT_EQ(1u, got.size());
        EXPECT_EQ(ts, got[0].timestamp);
        EXPECT_TRUE(payload == got[0].payload);
        srs_rtmp_conn_free(c);
    }

    // Exactly 0xFFFFFF needs the extended field too.
    wire = wire_of({{SRS_RTMP_MSG_AUDIO, 0xFFFFFF, 1, 4, "x"}});
    EXPECT_TRUE(fmt0(4, 0xFFFFFF, 1, 8, 1) + be32(0xFFFFFF) + "x" == wire);
}

TEST(ProtocolRtmpChunkTest, ExtendedDeltaOnFmt1)
{
    std::string wire = fmt0(4, 100, 1, 8, 1) + "a" + fmt1(4, 0xFFFFFF, 1, 8) + be32(0x01000000) + "b";
    MemIO m;
    m.in = wire;
    srs_rtmp_conn_t *c = mem_conn(&m);
    std::vector<Msg> got = read_all(c);
    ASSERT_EQ(2u, got.size());
    EXPECT_EQ(100u, got[0].timestamp);
    EXPECT_EQ(100u + 0x01000000, got[1].timestamp);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, InterleavedChunkStreams)
{
    std::string a = pattern(300, 7), b = pattern(200, 8);
    std::string wire = fmt0(4, 10, 300, 8, 1) + a.substr(0, 128) + fmt0(5, 20, 200, 9, 1) + b.substr(0, 128) +
                       fmt3(4) + a.substr(128, 128) + fmt3(5) + b.substr(128) + fmt3(4) + a.substr(256);
    MemIO m;
    m.in = wire;
    m.max_read = 3;
    srs_rtmp_conn_t *c = mem_conn(&m);
    std::vector<Msg> got = read_all(c);
    ASSERT_EQ(2u, got.size());
    expect_same({9, 20, 1, 5, b}, got[0]);
    expect_same({8, 10, 1, 4, a}, got[1]);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, TwoAndThreeByteBasicHeaders)
{
    std::string payload = pattern(150, 9);
    // csid 64..319: 2 bytes (0, csid - 64); >= 320: 3 bytes (1, low, high of csid - 64).
    std::string wire = wire_of({{SRS_RTMP_MSG_VIDEO, 5, 1, 100, payload}});
    EXPECT_TRUE(B({0x00, 36}) == wire.substr(0, 2));
    EXPECT_TRUE(B({0xC0, 36}) == wire.substr(2 + 11 + 128, 2));
    wire = wire_of({{SRS_RTMP_MSG_VIDEO, 5, 1, 1000, payload}});
    EXPECT_TRUE(B({0x01, (1000 - 64) & 0xFF, (1000 - 64) >> 8}) == wire.substr(0, 3));
    EXPECT_TRUE(B({0xC1, (1000 - 64) & 0xFF, (1000 - 64) >> 8}) == wire.substr(3 + 11 + 128, 3));

    std::vector<Msg> msgs;
    for (uint32_t csid : {2u, 63u, 64u, 319u, 320u, 1000u, 65599u}) msgs.push_back({8, csid, 1, csid, payload});
    MemIO m;
    m.in = wire_of(msgs);
    m.max_read = 2;
    srs_rtmp_conn_t *c = mem_conn(&m);
    std::vector<Msg> got = read_all(c);
    ASSERT_EQ(msgs.size(), got.size());
    for (size_t i = 0; i < msgs.size(); i++) expect_same(msgs[i], got[i]);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, WriteRejectsInvalidCsid)
{
    MemIO m;
    srs_rtmp_conn_t *c = mem_conn(&m);
    srs_rtmp_msg_t msg = {8, 0, 1, 0, NULL, 0};
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_write_message(c, &msg, 1), ERROR_RTMP_CHUNK);
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_write_message(c, &msg, 65600), ERROR_RTMP_CHUNK);
    EXPECT_TRUE(m.out.empty());
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, Fmt1And2DeltasAccumulate)
{
    std::string wire = fmt0(4, 1000, 10, 9, 1) + pattern(10, 1) + fmt1(4, 40, 5, 8) + pattern(5, 2) + fmt2(4, 40) +
                       pattern(5, 3) + fmt3(4) + pattern(5, 4);
    MemIO m;
    m.in = wire;
    srs_rtmp_conn_t *c = mem_conn(&m);
    std::vector<Msg> got = read_all(c);
    ASSERT_EQ(4u, got.size());
    expect_same({9, 1000, 1, 4, pattern(10, 1)}, got[0]);
    expect_same({8, 1040, 1, 4, pattern(5, 2)}, got[1]);
    expect_same({8, 1080, 1, 4, pattern(5, 3)}, got[2]);
    expect_same({8, 1120, 1, 4, pattern(5, 4)}, got[3]);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, MessageOverTheMaxSizeIsAnError)
{
    MemIO m;
    m.in = fmt0(4, 0, 2000, 8, 1) + pattern(2000, 1);
    srs_rtmp_conn_t *c = mem_conn(&m);
    srs_rtmp_conn_set_max_message_size(c, 1000);
    int code = 0;
    EXPECT_EQ(0u, read_all(c, &code).size());
    EXPECT_EQ(ERROR_RTMP_TOO_LARGE, code);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, PreAuthSizeIsRefusedFromTheHeader)
{
    // A header declaring 8 MiB, with no payload at all behind it: refused on the header alone, so
    // nothing was read or reserved for the declared size.
    MemIO m;
    m.in = fmt0(3, 0, 8 * 1024 * 1024, SRS_RTMP_MSG_COMMAND_AMF0, 0);
    srs_rtmp_conn_t *c = mem_conn(&m);
    srs_rtmp_conn_set_max_message_size(c, 64 * 1024);
    int code = 0;
    EXPECT_EQ(0u, read_all(c, &code).size());
    EXPECT_EQ(ERROR_RTMP_TOO_LARGE, code);
    EXPECT_EQ(m.in.size(), m.pos);
    srs_rtmp_conn_free(c);

    // Exactly the bound is fine; raising the bound (after identification) lets more through.
    MemIO ok;
    ok.in = fmt0(3, 0, 64 * 1024, SRS_RTMP_MSG_COMMAND_AMF0, 0);
    std::string payload = pattern(64 * 1024, 3);
    for (size_t i = 0; i < payload.size(); i += 128) ok.in += (i ? fmt3(3) : "") + payload.substr(i, 128);
    ok.in += fmt0(4, 0, 100 * 1024, SRS_RTMP_MSG_VIDEO, 1);
    c = mem_conn(&ok);
    srs_rtmp_conn_set_max_message_size(c, 64 * 1024);
    srs_rtmp_msg_t msg;
    HELPER_EXPECT_SUCCESS(srs_rtmp_read_message(c, &msg));
    EXPECT_EQ(64u * 1024, msg.size);
    srs_rtmp_conn_set_max_message_size(c, SRS_RTMP_DEFAULT_MAX_MESSAGE_SIZE);
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_read_message(c, &msg), ERROR_SYSTEM_EOF); // header taken, payload missing
    srs_rtmp_conn_free(c);
}

namespace {
// Writes data a byte every `gap` until it is all sent or stop is set: a slow-drip peer.
struct Drip {
    st_netfd_t fd;
    std::string data;
    srs_utime_t gap = 50 * SRS_UTIME_MILLISECONDS;
    bool stop = false;
    size_t sent = 0;
};

srs_error_t drip_cycle(void *arg)
{
    Drip *d = (Drip *)arg;
    while (!d->stop && d->sent < d->data.size()) {
        srs_error_t err = srs_st_write(d->fd, d->data.data() + d->sent, 1, kTimeout);
        if (err) return err;
        d->sent++;
        st_usleep(d->gap);
    }
    return srs_success;
}

srs_coroutine_t *start_drip(Drip *d)
{
    srs_coroutine_t *co = srs_coroutine_new("drip", drip_cycle, d);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
    return co;
}

void stop_drip(Drip *d, srs_coroutine_t *co)
{
    d->stop = true;
    srs_error_t err = join(co);
    srs_error_free(err);
}
} // namespace

TEST(ProtocolRtmpChunkTest, ReadDeadlineBoundsTheWholeMessage)
{
    // A byte every 50 ms: each read would finish well within a 5 s read timeout, forever. The
    // deadline ends the message read when it passes, however many reads succeeded.
    st_netfd_t a = NULL, b = NULL;
    socket_pair(&a, &b);
    Drip d;
    d.fd = b;
    d.data = fmt0(3, 0, 1000, SRS_RTMP_MSG_COMMAND_AMF0, 0) + pattern(1000, 1);
    srs_coroutine_t *co = start_drip(&d);

    srs_rtmp_conn_t *c = srs_rtmp_conn_new(a);
    srs_rtmp_conn_set_timeouts(c, kTimeout, kTimeout);
    srs_utime_t start = srs_time_now();
    srs_rtmp_conn_set_read_deadline(c, start + 300 * SRS_UTIME_MILLISECONDS);
    srs_rtmp_msg_t msg;
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_read_message(c, &msg), ERROR_SYSTEM_TIMEOUT);
    srs_utime_t took = srs_time_now() - start;
    EXPECT_GE(took, 250 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(took, 1000 * SRS_UTIME_MILLISECONDS);
    EXPECT_GT(d.sent, 2u); // bytes did arrive meanwhile

    // Removing the deadline gives reads their own timeout back.
    srs_rtmp_conn_set_read_deadline(c, SRS_UTIME_NO_TIMEOUT);
    srs_rtmp_conn_set_timeouts(c, 200 * SRS_UTIME_MILLISECONDS, kTimeout);
    stop_drip(&d, co);
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_read_message(c, &msg), ERROR_SYSTEM_TIMEOUT);
    srs_rtmp_conn_free(c);
    srs_st_close(a);
    srs_st_close(b);
}

TEST(ProtocolRtmpHandshakeTest, ServerTimeoutIsATotalNotPerRead)
{
    st_netfd_t a = NULL, b = NULL;
    socket_pair(&a, &b);
    Drip d;
    d.fd = b;
    d.data = std::string(1 + SRS_RTMP_HANDSHAKE_SIZE, '\x03');
    srs_coroutine_t *co = start_drip(&d);
    srs_utime_t start = srs_time_now();
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_handshake_server(a, 300 * SRS_UTIME_MILLISECONDS, NULL), ERROR_SYSTEM_TIMEOUT);
    srs_utime_t took = srs_time_now() - start;
    EXPECT_GE(took, 250 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(took, 1000 * SRS_UTIME_MILLISECONDS);
    EXPECT_GT(d.sent, 2u);
    stop_drip(&d, co);
    srs_st_close(a);
    srs_st_close(b);
}

TEST(ProtocolRtmpChunkTest, NewChunkStreamMustStartWithFmt0)
{
    const std::string bad[] = {fmt3(4) + "x", fmt1(4, 0, 1, 8) + "x", fmt2(5, 0) + "x"};
    for (const std::string &in : bad) {
        MemIO m;
        m.in = in;
        srs_rtmp_conn_t *c = mem_conn(&m);
        int code = 0;
        EXPECT_EQ(0u, read_all(c, &code).size());
        EXPECT_EQ(ERROR_RTMP_CHUNK, code);
        srs_rtmp_conn_free(c);
    }

    // librtmp starts csid 2 with fmt 1 (its ping).
    MemIO m;
    m.in = fmt1(2, 0, 6, 4) + B({0, 6, 0, 0, 0, 1});
    srs_rtmp_conn_t *c = mem_conn(&m);
    std::vector<Msg> got = read_all(c);
    ASSERT_EQ(1u, got.size());
    EXPECT_EQ(SRS_RTMP_MSG_USER_CONTROL, got[0].type);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, LengthChangeInsideAMessageIsAnError)
{
    MemIO m;
    m.in = fmt0(4, 0, 300, 8, 1) + pattern(128, 1) + fmt1(4, 0, 200, 8) + pattern(128, 1);
    srs_rtmp_conn_t *c = mem_conn(&m);
    int code = 0;
    EXPECT_EQ(0u, read_all(c, &code).size());
    EXPECT_EQ(ERROR_RTMP_CHUNK, code);
    srs_rtmp_conn_free(c);
}


TEST(ProtocolRtmpChunkTest, AbortDropsThePartialMessage)
{
    std::string wire = fmt0(4, 0, 300, 8, 1) + pattern(128, 1) + fmt0(2, 0, 4, 2, 0) + be32(4) +
                       fmt0(4, 50, 3, 8, 1) + "new";
    MemIO m;
    m.in = wire;
    srs_rtmp_conn_t *c = mem_conn(&m);
    std::vector<Msg> got = read_all(c);
    ASSERT_EQ(2u, got.size());
    EXPECT_EQ(SRS_RTMP_MSG_ABORT, got[0].type);
    expect_same({8, 50, 1, 4, "new"}, got[1]);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, TooManyChunkStreamsIsAnError)
{
    std::string wire;
    for (uint32_t csid = 2; csid < 2 + SRS_RTMP_MAX_CHUNK_STREAMS + 1; csid++) {
        std::vector<Msg> one = {{8, 0, 1, csid + 300, "x"}};
        wire += wire_of(one);
    }
    MemIO m;
    m.in = wire;
    srs_rtmp_conn_t *c = mem_conn(&m);
    int code = 0;
    EXPECT_EQ((size_t)SRS_RTMP_MAX_CHUNK_STREAMS, read_all(c, &code).size());
    EXPECT_EQ(ERROR_RTMP_CHUNK, code);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, BufferedPayloadIsBounded)
{
    // Partial messages on many chunk streams cannot pin more than 2 x the message limit.
    std::string wire;
    for (uint32_t csid = 3; csid < 40; csid++) wire += fmt0(csid, 0, 1000, 8, 1) + pattern(128, (int)csid);
    MemIO m;
    m.in = wire;
    srs_rtmp_conn_t *c = mem_conn(&m);
    srs_rtmp_conn_set_max_message_size(c, 1000);
    int code = 0;
    read_all(c, &code);
    EXPECT_EQ(ERROR_RTMP_CHUNK, code);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpChunkTest, AcknowledgementAfterTheWindow)
{
    std::vector<Msg> msgs = {{SRS_RTMP_MSG_WINDOW_ACK_SIZE, 0, 0, 2, be32(1000)}};
    for (int i = 0; i < 10; i++) msgs.push_back({8, (uint32_t)i, 1, 4, pattern(300, i)});
    MemIO m;
    m.in = wire_of(msgs);
    m.max_read = 100;
    srs_rtmp_conn_t *c = mem_conn(&m);
    std::vector<Msg> got = read_all(c);
    ASSERT_EQ(msgs.size(), got.size());
    EXPECT_EQ(1000u, srs_rtmp_conn_ack_window(c));
    uint64_t total = srs_rtmp_conn_recv_bytes(c);
    EXPECT_EQ(m.in.size(), total);

    // What the reader sent back: acknowledgements, each at least a window after the last.
    MemIO back;
    back.in = m.out;
    srs_rtmp_conn_t *r = mem_conn(&back);
    std::vector<Msg> acks = read_all(r);
    ASSERT_EQ(total / 1000, acks.size());
    uint32_t last = 0;
    for (const Msg &a : acks) {
        EXPECT_EQ(SRS_RTMP_MSG_ACK, a.type);
        EXPECT_EQ(2u, a.csid);
        ASSERT_EQ(4u, a.payload.size());
        uint32_t seq = ((uint32_t)(uint8_t)a.payload[0] << 24) | ((uint32_t)(uint8_t)a.payload[1] << 16) |
                       ((uint32_t)(uint8_t)a.payload[2] << 8) | (uint8_t)a.payload[3];
        EXPECT_GE(seq, last + 1000);
        last = seq;
    }
    srs_rtmp_conn_free(r);
    srs_rtmp_conn_free(c);
}

namespace {
struct PairWriter {
    srs_rtmp_conn_t *conn;
    std::vector<Msg> msgs;
    uint32_t out_chunk_size;
};

srs_error_t pair_writer_cycle(void *arg)
{
    PairWriter *w = (PairWriter *)arg;
    srs_error_t err = srs_success;
    if (w->out_chunk_size && (err = srs_rtmp_set_out_chunk_size(w->conn, w->out_chunk_size)) != srs_success) return err;
    for (const Msg &x : w->msgs) {
        srs_rtmp_msg_t m = {x.type, x.timestamp, x.stream_id, 0, (uint8_t *)x.payload.data(), (uint32_t)x.payload.size()};
        if ((err = srs_rtmp_write_message(w->conn, &m, x.csid)) != srs_success) return err;
    }
    return srs_success;
}
} // namespace

TEST(ProtocolRtmpChunkTest, RelayOverSocketsIn128Out60000)
{
    st_netfd_t a = NULL, b = NULL, c = NULL, d = NULL;
    socket_pair(&a, &b); // publisher a → proxy b
    socket_pair(&c, &d); // proxy c → origin d
    srs_rtmp_conn_t *pub = srs_rtmp_conn_new(a), *in = srs_rtmp_conn_new(b);
    srs_rtmp_conn_t *out = srs_rtmp_conn_new(c), *origin = srs_rtmp_conn_new(d);
    for (srs_rtmp_conn_t *x : {pub, in, out, origin}) srs_rtmp_conn_set_timeouts(x, kTimeout, kTimeout);

    PairWriter w;
    w.conn = pub;
    w.out_chunk_size = 0; // the publisher keeps 128
    uint32_t sizes[] = {1, 128, 129, 5000, 60000, 250000, 7};
    for (size_t i = 0; i < SRS_ARRAY_SIZE(sizes); i++) {
        w.msgs.push_back({(uint8_t)(i % 2 ? 9 : 8), (uint32_t)(0xFFFFF0 + i * 10), 1, (uint32_t)(i % 2 ? 6 : 4),
                          pattern(sizes[i], (int)i)});
    }
    srs_coroutine_t *co = srs_coroutine_new("publisher", pair_writer_cycle, &w);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));

    // The origin side reads in its own coroutine so big messages do not fill the socket.
    PairWriter relay;
    relay.conn = out;
    relay.out_chunk_size = 60000;
    for (size_t i = 0; i < w.msgs.size(); i++) {
        srs_rtmp_msg_t m;
        HELPER_EXPECT_SUCCESS(srs_rtmp_read_message(in, &m));
        relay.msgs.push_back({m.type, m.timestamp, m.stream_id, m.csid, std::string((const char *)m.payload, m.size)});
        expect_same(w.msgs[i], relay.msgs.back());
    }
    HELPER_EXPECT_SUCCESS(join(co));
    EXPECT_EQ(128u, srs_rtmp_conn_in_chunk_size(in));

    co = srs_coroutine_new("relay", pair_writer_cycle, &relay);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
    srs_rtmp_msg_t m;
    HELPER_EXPECT_SUCCESS(srs_rtmp_read_message(origin, &m));
    EXPECT_EQ(SRS_RTMP_MSG_SET_CHUNK_SIZE, m.type);
    EXPECT_EQ(60000u, srs_rtmp_conn_in_chunk_size(origin));
    for (size_t i = 0; i < relay.msgs.size(); i++) {
        HELPER_EXPECT_SUCCESS(srs_rtmp_read_message(origin, &m));
        expect_same(relay.msgs[i], {m.type, m.timestamp, m.stream_id, m.csid, std::string((const char *)m.payload, m.size)});
    }
    HELPER_EXPECT_SUCCESS(join(co));

    for (srs_rtmp_conn_t *x : {pub, in, out, origin}) srs_rtmp_conn_free(x);
    for (st_netfd_t x : {a, b, c, d}) srs_st_close(x);
}

TEST(ProtocolRtmpChunkTest, ConcurrentWritersDoNotInterleave)
{
    st_netfd_t a = NULL, b = NULL;
    socket_pair(&a, &b);
    srs_rtmp_conn_t *wc = srs_rtmp_conn_new(a), *rc = srs_rtmp_conn_new(b);
    srs_rtmp_conn_set_timeouts(rc, kTimeout, kTimeout);
    PairWriter w1, w2;
    w1.conn = w2.conn = wc;
    w1.out_chunk_size = w2.out_chunk_size = 0;
    for (int i = 0; i < 4; i++) {
        w1.msgs.push_back({9, (uint32_t)i, 1, 6, pattern(400000, i)});
        w2.msgs.push_back({8, (uint32_t)i, 1, 4, pattern(300000, i + 10)});
    }
    srs_coroutine_t *c1 = srs_coroutine_new("w1", pair_writer_cycle, &w1);
    srs_coroutine_t *c2 = srs_coroutine_new("w2", pair_writer_cycle, &w2);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(c1));
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(c2));
    size_t n1 = 0, n2 = 0;
    for (int i = 0; i < 8; i++) {
        srs_rtmp_msg_t m;
        HELPER_EXPECT_SUCCESS(srs_rtmp_read_message(rc, &m));
        Msg got = {m.type, m.timestamp, m.stream_id, m.csid, std::string((const char *)m.payload, m.size)};
        if (m.type == 9) expect_same(w1.msgs[n1++], got);
        else expect_same(w2.msgs[n2++], got);
    }
    HELPER_EXPECT_SUCCESS(join(c1));
    HELPER_EXPECT_SUCCESS(join(c2));
    srs_rtmp_conn_free(wc);
    srs_rtmp_conn_free(rc);
    srs_st_close(a);
    srs_st_close(b);
}

// ---- Commands ----

namespace {
// Send cmd through a writer and read it back as a message, then decode.
void through_wire(const srs_rtmp_command_t *cmd, srs_rtmp_command_t *out, uint32_t sid = 0)
{
    MemIO m;
    srs_rtmp_conn_t *w = mem_conn(&m);
    HELPER_EXPECT_SUCCESS(srs_rtmp_send_command(w, SRS_RTMP_CSID_COMMAND, sid, cmd));
    srs_rtmp_conn_free(w);
    m.in = m.out;
    srs_rtmp_conn_t *r = mem_conn(&m);
    srs_rtmp_msg_t msg;
    HELPER_EXPECT_SUCCESS(srs_rtmp_read_message(r, &msg));
    EXPECT_EQ(SRS_RTMP_MSG_COMMAND_AMF0, msg.type);
    EXPECT_EQ(sid, msg.stream_id);
    HELPER_EXPECT_SUCCESS(srs_rtmp_command_decode(&msg, out));
    srs_rtmp_conn_free(r);
}
} // namespace

TEST(ProtocolRtmpCommandTest, ConnectKeepsTheWholeObject)
{
    srs_amf0_t *obj = srs_amf0_new_object();
    srs_amf0_set(obj, "app", srs_amf0_new_string("live"));
    srs_amf0_set(obj, "flashVer", srs_amf0_new_string("FMLE/3.0 (compatible; FMSc/1.0)"));
    srs_amf0_set(obj, "swfUrl", srs_amf0_new_string("rtmp://127.0.0.1/live"));
    srs_amf0_set(obj, "tcUrl", srs_amf0_new_string("rtmp://127.0.0.1:1935/live?vhost=v.com"));
    srs_amf0_set(obj, "fpad", srs_amf0_new_boolean(false));
    srs_amf0_set(obj, "capabilities", srs_amf0_new_number(239));
    srs_amf0_set(obj, "audioCodecs", srs_amf0_new_number(3575));
    srs_amf0_set(obj, "videoCodecs", srs_amf0_new_number(252));
    srs_amf0_set(obj, "videoFunction", srs_amf0_new_number(1));
    srs_amf0_set(obj, "pageUrl", srs_amf0_new_string("http://example.com/player.html"));
    srs_amf0_set(obj, "objectEncoding", srs_amf0_new_number(0));

    srs_rtmp_command_t cmd, got;
    srs_rtmp_build_connect(&cmd, obj);
    through_wire(&cmd, &got);
    EXPECT_STREQ("connect", got.name);
    EXPECT_EQ(1.0, got.tid);
    EXPECT_TRUE(srs_amf0_equal(obj, got.object));
    EXPECT_STREQ("rtmp://127.0.0.1:1935/live?vhost=v.com", srs_amf0_get_string(got.object, "tcUrl"));
    EXPECT_EQ(0u, srs_amf0_count(got.args));
    srs_rtmp_command_free(&cmd);
    srs_rtmp_command_free(&got);
    srs_amf0_free(obj);
}

TEST(ProtocolRtmpCommandTest, ConnectResultAsTheSpecSays)
{
    srs_rtmp_command_t cmd, got;
    srs_rtmp_build_connect_result(&cmd, 1, 0, "7.0.143", "k3n9x1z");
    through_wire(&cmd, &got);
    EXPECT_STREQ("_result", got.name);
    EXPECT_EQ(1.0, got.tid);
    EXPECT_STREQ("FMS/3,5,3,888", srs_amf0_get_string(got.object, "fmsVer"));
    double n = 0;
    EXPECT_TRUE(srs_amf0_get_number(got.object, "capabilities", &n));
    EXPECT_EQ(127, n);
    EXPECT_TRUE(srs_amf0_get_number(got.object, "mode", &n));
    EXPECT_EQ(1, n);

    srs_amf0_t *info = srs_rtmp_command_arg(&got, 0);
    ASSERT_TRUE(info != NULL);
    EXPECT_STREQ("status", srs_amf0_get_string(info, "level"));
    EXPECT_STREQ("NetConnection.Connect.Success", srs_amf0_get_string(info, "code"));
    EXPECT_STREQ("NetConnection.Connect.Success", srs_rtmp_command_status_code(&got));
    EXPECT_STREQ("Connection succeeded", srs_amf0_get_string(info, "description"));
    EXPECT_TRUE(srs_amf0_get_number(info, "objectEncoding", &n));
    EXPECT_EQ(0, n);
    srs_amf0_t *data = srs_amf0_get(info, "data");
    EXPECT_EQ(SRS_AMF0_ECMA_ARRAY, srs_amf0_type(data));
    EXPECT_STREQ("3,5,3,888", srs_amf0_get_string(data, "version"));
    EXPECT_STREQ("7.0.143", srs_amf0_get_string(data, "srs_version"));
    EXPECT_STREQ("k3n9x1z", srs_amf0_get_string(data, "srs_id"));
    srs_rtmp_command_free(&cmd);
    srs_rtmp_command_free(&got);
}

TEST(ProtocolRtmpCommandTest, StreamCommandsAndReplies)
{
    srs_rtmp_command_t cmd, got;
    srs_rtmp_build_publish(&cmd, 5, "livestream?token=abc", NULL);
    through_wire(&cmd, &got, 1);
    EXPECT_STREQ("publish", got.name);
    EXPECT_EQ(5.0, got.tid);
    EXPECT_EQ(SRS_AMF0_NULL, srs_amf0_type(got.object));
    EXPECT_STREQ("livestream?token=abc", srs_amf0_string(srs_rtmp_command_arg(&got, 0)));
    EXPECT_STREQ("live", srs_amf0_string(srs_rtmp_command_arg(&got, 1)));
    srs_rtmp_command_free(&cmd);
    srs_rtmp_command_free(&got);

    srs_rtmp_build_create_stream_result(&cmd, 4, 1);
    through_wire(&cmd, &got);
    EXPECT_STREQ("_result", got.name);
    EXPECT_EQ(4.0, got.tid);
    EXPECT_EQ(1.0, srs_amf0_number(srs_rtmp_command_arg(&got, 0)));
    srs_rtmp_command_free(&cmd);
    srs_rtmp_command_free(&got);

    srs_rtmp_build_call_result(&cmd, 2);
    through_wire(&cmd, &got);
    EXPECT_EQ(SRS_AMF0_UNDEFINED, srs_amf0_type(srs_rtmp_command_arg(&got, 0)));
    srs_rtmp_command_free(&cmd);
    srs_rtmp_command_free(&got);

    srs_rtmp_build_on_status(&cmd, "status", "NetStream.Play.Reset", "Playing and resetting stream.", "stream",
                             SRS_RTMP_CLIENT_ID);
    through_wire(&cmd, &got, 1);
    EXPECT_STREQ("onStatus", got.name);
    EXPECT_EQ(0.0, got.tid);
    srs_amf0_t *info = srs_rtmp_command_arg(&got, 0);
    EXPECT_STREQ("NetStream.Play.Reset", srs_rtmp_command_status_code(&got));
    EXPECT_STREQ("stream", srs_amf0_get_string(info, "details"));
    EXPECT_STREQ("ASAICiss", srs_amf0_get_string(info, "clientid"));
    srs_rtmp_command_free(&cmd);
    srs_rtmp_command_free(&got);

    srs_rtmp_build_on_status(&cmd, "status", "NetStream.Publish.Start", "Started publishing stream.", NULL, NULL);
    EXPECT_TRUE(NULL == srs_amf0_get(srs_rtmp_command_arg(&cmd, 0), "details"));
    srs_rtmp_command_free(&cmd);

    srs_rtmp_build_on_fc_publish(&cmd, "NetStream.Publish.Start", "Started publishing stream.");
    through_wire(&cmd, &got);
    EXPECT_STREQ("onFCPublish", got.name);
    EXPECT_STREQ("NetStream.Publish.Start", srs_rtmp_command_status_code(&got));
    srs_rtmp_command_free(&cmd);
    srs_rtmp_command_free(&got);

    srs_rtmp_build_connect_error(&cmd, 1, "no origin");
    EXPECT_STREQ("_error", cmd.name);
    EXPECT_STREQ("NetConnection.Connect.Rejected", srs_rtmp_command_status_code(&cmd));
    srs_rtmp_command_free(&cmd);
}

TEST(ProtocolRtmpCommandTest, Amf3CommandSkipsItsFormatByte)
{
    srs_rtmp_command_t cmd, got;
    srs_rtmp_build_release_stream(&cmd, 2, "s");
    srs_amf0_buf_t buf = {};
    uint8_t zero = 0;
    srs_amf0_buf_append(&buf, &zero, 1);
    HELPER_EXPECT_SUCCESS(srs_rtmp_command_encode(&cmd, &buf));
    srs_rtmp_msg_t msg = {SRS_RTMP_MSG_COMMAND_AMF3, 0, 0, 3, buf.data, (uint32_t)buf.len};
    HELPER_EXPECT_SUCCESS(srs_rtmp_command_decode(&msg, &got));
    EXPECT_STREQ("releaseStream", got.name);
    EXPECT_EQ(2.0, got.tid);
    EXPECT_STREQ("s", srs_amf0_string(srs_rtmp_command_arg(&got, 0)));
    srs_amf0_buf_free(&buf);
    srs_rtmp_command_free(&cmd);
    srs_rtmp_command_free(&got);
}

TEST(ProtocolRtmpCommandTest, MalformedCommandsAreErrors)
{
    auto decode_code = [](uint8_t type, const std::string &payload) {
        srs_rtmp_msg_t msg = {type, 0, 0, 3, (uint8_t *)payload.data(), (uint32_t)payload.size()};
        srs_rtmp_command_t cmd;
        srs_error_t err = srs_rtmp_command_decode(&msg, &cmd);
        int code = srs_error_code(err);
        srs_error_free(err);
        srs_rtmp_command_free(&cmd);
        return code;
    };
    EXPECT_EQ(ERROR_RTMP_MESSAGE, decode_code(SRS_RTMP_MSG_AUDIO, "x"));
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_code(SRS_RTMP_MSG_COMMAND_AMF0, ""));
    EXPECT_EQ(ERROR_RTMP_MESSAGE, decode_code(SRS_RTMP_MSG_COMMAND_AMF3, ""));
    EXPECT_EQ(ERROR_RTMP_MESSAGE, decode_code(SRS_RTMP_MSG_COMMAND_AMF0, B({0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0})));
    EXPECT_EQ(ERROR_RTMP_MESSAGE, decode_code(SRS_RTMP_MSG_COMMAND_AMF0, B({0x02, 0, 1, 'x', 0x05})));
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_code(SRS_RTMP_MSG_COMMAND_AMF0, B({0x02, 0, 1, 'x', 0x00, 0x3F})));
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_code(SRS_RTMP_MSG_COMMAND_AMF0, B({0x02, 0, 1, 'x', 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x05, 0x07})));
    // A name alone is a command with tid 0 and a null object.
    EXPECT_EQ(ERROR_SUCCESS, decode_code(SRS_RTMP_MSG_COMMAND_AMF0, B({0x02, 0, 1, 'x'})));
}

TEST(ProtocolRtmpCommandTest, AllValuesOfACommandShareOneBudget)
{
    // connect(1, {}) then 2000 top-level nulls: each decode alone would be within its own budget.
    std::string payload = B({0x02, 0, 7, 'c', 'o', 'n', 'n', 'e', 'c', 't', 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
                             0x03, 0, 0, 0x09});
    std::string within = payload + std::string(SRS_AMF0_MAX_NODES - 3, (char)SRS_AMF0_NULL);
    std::string over = payload + std::string(2000, (char)SRS_AMF0_NULL);
    srs_rtmp_command_t cmd;
    srs_rtmp_msg_t msg = {SRS_RTMP_MSG_COMMAND_AMF0, 0, 0, 3, (uint8_t *)within.data(), (uint32_t)within.size()};
    HELPER_EXPECT_SUCCESS(srs_rtmp_command_decode(&msg, &cmd));
    EXPECT_EQ((size_t)SRS_AMF0_MAX_NODES - 3, srs_amf0_count(cmd.args));
    srs_rtmp_command_free(&cmd);
    msg.payload = (uint8_t *)over.data();
    msg.size = (uint32_t)over.size();
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_command_decode(&msg, &cmd), ERROR_RTMP_AMF0_BUDGET);
    srs_rtmp_command_free(&cmd);
}

TEST(ProtocolRtmpCommandTest, ControlMessagesOnTheWire)
{
    MemIO m;
    srs_rtmp_conn_t *c = mem_conn(&m);
    HELPER_EXPECT_SUCCESS(srs_rtmp_send_window_ack_size(c, 2500000));
    HELPER_EXPECT_SUCCESS(srs_rtmp_send_set_peer_bandwidth(c, 2500000, SRS_RTMP_PEER_BW_DYNAMIC));
    HELPER_EXPECT_SUCCESS(srs_rtmp_send_user_control(c, SRS_RTMP_UC_STREAM_BEGIN, 1));
    srs_rtmp_conn_free(c);
    EXPECT_TRUE(fmt0(2, 0, 4, 5, 0) + be32(2500000) + fmt0(2, 0, 5, 6, 0) + be32(2500000) + B({2}) +
                fmt0(2, 0, 6, 4, 0) + B({0, 0}) + be32(1) == m.out);

    m.in = m.out;
    c = mem_conn(&m);
    std::vector<Msg> got = read_all(c);
    ASSERT_EQ(3u, got.size());
    srs_rtmp_msg_t uc = {got[2].type, 0, 0, 2, (uint8_t *)got[2].payload.data(), (uint32_t)got[2].payload.size()};
    uint16_t event = 99;
    uint32_t value = 0;
    HELPER_EXPECT_SUCCESS(srs_rtmp_parse_user_control(&uc, &event, &value));
    EXPECT_EQ(SRS_RTMP_UC_STREAM_BEGIN, event);
    EXPECT_EQ(1u, value);
    uc.size = 5;
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_parse_user_control(&uc, &event, &value), ERROR_RTMP_MESSAGE);
    srs_rtmp_conn_free(c);
}

TEST(ProtocolRtmpCommandTest, ShortControlMessageIsAnError)
{
    MemIO m;
    m.in = fmt0(2, 0, 2, 5, 0) + B({0, 1});
    srs_rtmp_conn_t *c = mem_conn(&m);
    int code = 0;
    EXPECT_EQ(0u, read_all(c, &code).size());
    EXPECT_EQ(ERROR_RTMP_MESSAGE, code);
    srs_rtmp_conn_free(c);
}

// ---- tcUrl ----

TEST(ProtocolRtmpUrlTest, PlainTcUrlAndStream)
{
    srs_rtmp_url_t u;
    HELPER_EXPECT_SUCCESS(srs_rtmp_url_parse("rtmp://127.0.0.1:19350/live", "livestream", &u));
    EXPECT_STREQ("127.0.0.1", u.host);
    EXPECT_EQ(19350, u.port);
    EXPECT_STREQ("127.0.0.1", u.vhost);
    EXPECT_STREQ("live", u.app);
    EXPECT_STREQ("livestream", u.stream);
    EXPECT_STREQ("", u.query);

    HELPER_EXPECT_SUCCESS(srs_rtmp_url_parse("rtmp://example.com/a/b/", NULL, &u));
    EXPECT_EQ(1935, u.port);
    EXPECT_STREQ("example.com", u.vhost);
    EXPECT_STREQ("a/b", u.app);
    EXPECT_STREQ("", u.stream);
}

TEST(ProtocolRtmpUrlTest, QueryInTcUrlDoesNotLeakIntoTheKey)
{
    srs_rtmp_url_t u;
    HELPER_EXPECT_SUCCESS(srs_rtmp_url_parse("rtmp://1.2.3.4/live?vhost=v.com&x=1", "s?token=abc", &u));
    EXPECT_STREQ("1.2.3.4", u.host);
    EXPECT_STREQ("v.com", u.vhost);
    EXPECT_STREQ("live", u.app);
    EXPECT_STREQ("s", u.stream);
    EXPECT_STREQ("token=abc", u.query);
}

TEST(ProtocolRtmpUrlTest, VhostFromTheStreamWins)
{
    srs_rtmp_url_t u;
    HELPER_EXPECT_SUCCESS(srs_rtmp_url_parse("rtmp://1.2.3.4/live", "s?vhost=a.com&token=1", &u));
    EXPECT_STREQ("a.com", u.vhost);
    EXPECT_STREQ("vhost=a.com&token=1", u.query);
    HELPER_EXPECT_SUCCESS(srs_rtmp_url_parse("rtmp://1.2.3.4/live?vhost=t.com", "s?token=1&vhost=s.com", &u));
    EXPECT_STREQ("s.com", u.vhost);
    // An empty value does not count; a key that only ends in "vhost" neither.
    HELPER_EXPECT_SUCCESS(srs_rtmp_url_parse("rtmp://h.com/live?myvhost=x.com", "s?vhost=", &u));
    EXPECT_STREQ("h.com", u.vhost);
}

TEST(ProtocolRtmpUrlTest, Ipv6HostAndUserInfo)
{
    srs_rtmp_url_t u;
    HELPER_EXPECT_SUCCESS(srs_rtmp_url_parse("rtmp://[::1]:1936/live", "s", &u));
    EXPECT_STREQ("::1", u.host);
    EXPECT_EQ(1936, u.port);
    EXPECT_STREQ("::1", u.vhost);
    HELPER_EXPECT_SUCCESS(srs_rtmp_url_parse("rtmp://[fe80::1]/live", "s", &u));
    EXPECT_STREQ("fe80::1", u.host);
    EXPECT_EQ(1935, u.port);
    HELPER_EXPECT_SUCCESS(srs_rtmp_url_parse("rtmp://user:pw@h.com:1937/live", "s", &u));
    EXPECT_STREQ("h.com", u.host);
    EXPECT_EQ(1937, u.port);
}

TEST(ProtocolRtmpUrlTest, BadTcUrlsAreErrors)
{
    srs_rtmp_url_t u;
    const char *bad[] = {"live", "://h/live", "rtmp://", "rtmp:///live", "rtmp://h/", "rtmp://h",
                         "rtmp://h:99999/live", "rtmp://h:0/live", "rtmp://h:/live", "rtmp://h:x/live",
                         "rtmp://[::1/live", "rtmp://[::1]x/live"};
    for (const char *url : bad) HELPER_EXPECT_FAILED_CODE(srs_rtmp_url_parse(url, "s", &u), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_url_parse(NULL, "s", &u), ERROR_STREAM_URL);
    std::string long_app = "rtmp://h/" + std::string(300, 'a');
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_url_parse(long_app.c_str(), "s", &u), ERROR_STREAM_URL);
}

// ---- Client ----

namespace {
// An origin that handshakes, then answers nothing but a message dripping a byte every 50 ms.
struct SlowOrigin {
    st_netfd_t listener = NULL;
    st_netfd_t fd = NULL;
    Drip drip;
};

srs_error_t slow_origin_cycle(void *arg)
{
    SlowOrigin *o = (SlowOrigin *)arg;
    srs_sockaddr_t peer;
    srs_error_t err = srs_st_accept(o->listener, &o->fd, &peer, kTimeout);
    if (!err) err = srs_rtmp_handshake_server(o->fd, kTimeout, NULL);
    if (err) return err;
    o->drip.fd = o->fd;
    return drip_cycle(&o->drip);
}
} // namespace

TEST(ProtocolRtmpClientTest, DeadlineBoundsTheAnswersInTotal)
{
    SlowOrigin o;
    HELPER_EXPECT_SUCCESS(srs_tcp_listen("127.0.0.1", 0, &o.listener));
    ASSERT_TRUE(o.listener != NULL);
    srs_sockaddr_t addr;
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(o.listener, &addr));
    o.drip.data = fmt0(3, 0, 1000, SRS_RTMP_MSG_COMMAND_AMF0, 0) + pattern(1000, 2);
    srs_coroutine_t *co = srs_coroutine_new("slow-origin", slow_origin_cycle, &o);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));

    // Each exchange may take 5 s, but all of them together only 400 ms after the TCP connect.
    srs_rtmp_client_t *c = NULL;
    HELPER_EXPECT_SUCCESS(srs_rtmp_client_open("127.0.0.1", srs_sockaddr_port(&addr), kTimeout, kTimeout, 0, &c));
    ASSERT_TRUE(c != NULL);
    srs_rtmp_client_set_deadline(c, c->connected_at + 400 * SRS_UTIME_MILLISECONDS);
    srs_amf0_t *obj = srs_rtmp_client_connect_object("rtmp://127.0.0.1/live", "live");
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_client_connect_app(c, obj), ERROR_SYSTEM_TIMEOUT);
    srs_utime_t took = srs_time_now() - c->connected_at;
    EXPECT_GE(took, 350 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(took, 1000 * SRS_UTIME_MILLISECONDS);
    EXPECT_GT(o.drip.sent, 2u);
    // Past the deadline nothing more is sent or awaited.
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_client_play(c, "s"), ERROR_SYSTEM_TIMEOUT);
    srs_amf0_free(obj);
    srs_rtmp_client_close(c);

    o.drip.stop = true;
    srs_error_t err = join(co);
    srs_error_free(err);
    srs_st_close(o.fd);
    srs_st_close(o.listener);
}
