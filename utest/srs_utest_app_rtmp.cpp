// SPDX-License-Identifier: MIT
// The proxy's RTMP relay: stream-id mapping, what stays on one hop, and the two-coroutine relay
// between a client and an origin over socket pairs.
#include "srs_utest.h"

#include <string.h>
#include <sys/socket.h>

#include <string>
#include <vector>

extern "C" {
#include "srs_app_rtmp_relay.h"
#include "srs_core_log.h"
#include "srs_protocol_amf0.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_rtmp_chunk.h"
#include "srs_protocol_rtmp_msg.h"
#include "srs_protocol_st.h"
}

namespace {

std::string user_control(uint16_t event, uint32_t value)
{
    std::string p(6, '\0');
    p[0] = (char)(event >> 8);
    p[1] = (char)event;
    for (int i = 0; i < 4; i++) p[2 + i] = (char)(value >> (24 - 8 * i));
    return p;
}

std::string command_bytes(srs_rtmp_command_t *cmd)
{
    srs_amf0_buf_t buf = {};
    HELPER_EXPECT_SUCCESS(srs_rtmp_command_encode(cmd, &buf));
    std::string s((const char *)buf.data, buf.len);
    srs_amf0_buf_free(&buf);
    srs_rtmp_command_free(cmd);
    return s;
}

void socket_pair(st_netfd_t *a, st_netfd_t *b)
{
    int fds[2];
    ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, fds));
    *a = st_netfd_open_socket(fds[0]);
    *b = st_netfd_open_socket(fds[1]);
    ASSERT_TRUE(*a && *b);
}

srs_error_t relay_cycle(void *arg) { return srs_rtmp_relay_run((srs_rtmp_relay_t *)arg); }

srs_error_t write_msg(srs_rtmp_conn_t *c, uint8_t type, uint32_t ts, uint32_t sid, const std::string &payload, uint32_t csid)
{
    srs_rtmp_msg_t m = {type, ts, sid, 0, (uint8_t *)payload.data(), (uint32_t)payload.size()};
    return srs_rtmp_write_message(c, &m, csid);
}

struct Got {
    uint8_t type;
    uint32_t ts, sid;
    std::string payload;
};

Got read_msg(srs_rtmp_conn_t *c)
{
    srs_rtmp_msg_t m;
    srs_error_t err = srs_rtmp_read_message(c, &m);
    EXPECT_TRUE(err == srs_success) << srs_error_desc(err);
    if (err) {
        srs_error_free(err);
        return Got{0, 0, 0, ""};
    }
    return Got{m.type, m.timestamp, m.stream_id, std::string((const char *)m.payload, m.size)};
}

// A client and an origin, each on a socket pair with the relay in the middle.
struct RelayRig {
    st_netfd_t client_peer = NULL, proxy_client = NULL, proxy_origin = NULL, origin_peer = NULL;
    srs_rtmp_conn_t *client = NULL, *origin = NULL; // the test's ends
    srs_rtmp_relay_t relay;
    srs_coroutine_t *co = NULL;

    void start(bool client_sends_media, srs_utime_t idle)
    {
        socket_pair(&client_peer, &proxy_client);
        socket_pair(&proxy_origin, &origin_peer);
        client = srs_rtmp_conn_new(client_peer);
        origin = srs_rtmp_conn_new(origin_peer);
        srs_rtmp_conn_set_timeouts(client, 5 * SRS_UTIME_SECONDS, 5 * SRS_UTIME_SECONDS);
        srs_rtmp_conn_set_timeouts(origin, 5 * SRS_UTIME_SECONDS, 5 * SRS_UTIME_SECONDS);
        memset(&relay, 0, sizeof(relay));
        relay.client = srs_rtmp_conn_new(proxy_client);
        relay.origin = srs_rtmp_conn_new(proxy_origin);
        relay.map.client_sid = 1;
        relay.map.origin_sid = 5;
        relay.client_sends_media = client_sends_media;
        relay.idle_timeout = idle;
        relay.send_timeout = 5 * SRS_UTIME_SECONDS;
        // The proxy announced its large chunk size to both sides before relaying.
        HELPER_EXPECT_SUCCESS(srs_rtmp_set_out_chunk_size(relay.client, 60000));
        HELPER_EXPECT_SUCCESS(srs_rtmp_set_out_chunk_size(relay.origin, 60000));
        co = srs_coroutine_new("relay", relay_cycle, &relay);
        HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
    }

    // Wait (bounded) for the relay to end by itself; its error, and how long it took.
    srs_error_t join(srs_utime_t *took)
    {
        srs_utime_t start = srs_time_now();
        for (int i = 0; i < 5000 && !co->done; i++) st_usleep(1000);
        *took = srs_time_now() - start;
        srs_error_t err = srs_coroutine_stop(co);
        srs_coroutine_free(co);
        co = NULL;
        st_usleep(1000);
        return err;
    }

    ~RelayRig()
    {
        srs_coroutine_free(co);
        srs_rtmp_conn_free(client);
        srs_rtmp_conn_free(origin);
        srs_rtmp_conn_free(relay.client);
        srs_rtmp_conn_free(relay.origin);
        srs_st_close(client_peer);
        srs_st_close(proxy_client);
        srs_st_close(proxy_origin);
        srs_st_close(origin_peer);
    }
};

} // namespace

TEST(AppRtmpRelayTest, MapsOnlyTheStreamOfTheConnection)
{
    srs_rtmp_sid_map_t m = {1, 5};
    EXPECT_EQ(5u, srs_rtmp_sid_map(&m, true, 1));
    EXPECT_EQ(1u, srs_rtmp_sid_map(&m, false, 5));
    EXPECT_EQ(0u, srs_rtmp_sid_map(&m, true, 0));
    EXPECT_EQ(0u, srs_rtmp_sid_map(&m, false, 0));
    EXPECT_EQ(7u, srs_rtmp_sid_map(&m, true, 7));
    // The origin's id is not the client's: a client message on stream 5 stays 5.
    EXPECT_EQ(5u, srs_rtmp_sid_map(&m, true, 5));
}

TEST(AppRtmpRelayTest, ProtocolControlStaysOnItsHop)
{
    EXPECT_TRUE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_SET_CHUNK_SIZE));
    EXPECT_TRUE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_ABORT));
    EXPECT_TRUE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_ACK));
    EXPECT_TRUE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_WINDOW_ACK_SIZE));
    EXPECT_TRUE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_SET_PEER_BANDWIDTH));
    EXPECT_FALSE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_USER_CONTROL));
    EXPECT_FALSE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_AUDIO));
    EXPECT_FALSE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_VIDEO));
    EXPECT_FALSE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_DATA_AMF0));
    EXPECT_FALSE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_COMMAND_AMF0));
    EXPECT_FALSE(srs_rtmp_relay_is_hop_by_hop(SRS_RTMP_MSG_AGGREGATE));
}

TEST(AppRtmpRelayTest, UserControlEventsNamingTheStreamAreMapped)
{
    srs_rtmp_sid_map_t m = {1, 5};
    srs_amf0_buf_t buf = {};
    std::string begin = user_control(SRS_RTMP_UC_STREAM_BEGIN, 5);
    srs_rtmp_msg_t msg = {SRS_RTMP_MSG_USER_CONTROL, 0, 0, 2, (uint8_t *)&begin[0], 6};
    HELPER_EXPECT_SUCCESS(srs_rtmp_relay_map_message(&m, false, &msg, &buf));
    EXPECT_EQ(user_control(SRS_RTMP_UC_STREAM_BEGIN, 1), begin);
    EXPECT_EQ(0u, msg.stream_id);

    std::string buffer = user_control(SRS_RTMP_UC_SET_BUFFER_LENGTH, 1) + std::string("\0\0\x0b\xb8", 4);
    msg = {SRS_RTMP_MSG_USER_CONTROL, 0, 0, 2, (uint8_t *)&buffer[0], 10};
    HELPER_EXPECT_SUCCESS(srs_rtmp_relay_map_message(&m, true, &msg, &buf));
    EXPECT_EQ(user_control(SRS_RTMP_UC_SET_BUFFER_LENGTH, 5) + std::string("\0\0\x0b\xb8", 4), buffer);

    // A ping carries a time, not a stream: untouched.
    std::string ping = user_control(SRS_RTMP_UC_PING_REQUEST, 5);
    msg = {SRS_RTMP_MSG_USER_CONTROL, 0, 0, 2, (uint8_t *)&ping[0], 6};
    HELPER_EXPECT_SUCCESS(srs_rtmp_relay_map_message(&m, false, &msg, &buf));
    EXPECT_EQ(user_control(SRS_RTMP_UC_PING_REQUEST, 5), ping);
    // Too short to carry a value: passed on as it is.
    std::string tiny("\0\0\0", 3);
    msg = {SRS_RTMP_MSG_USER_CONTROL, 0, 0, 2, (uint8_t *)&tiny[0], 3};
    HELPER_EXPECT_SUCCESS(srs_rtmp_relay_map_message(&m, false, &msg, &buf));
    EXPECT_EQ(std::string("\0\0\0", 3), tiny);
    srs_amf0_buf_free(&buf);
}

TEST(AppRtmpRelayTest, DeleteStreamNamesTheOriginsStream)
{
    srs_rtmp_sid_map_t m = {1, 5};
    srs_amf0_buf_t buf = {};
    srs_rtmp_command_t cmd;
    srs_rtmp_command_init(&cmd, "deleteStream", 0, NULL);
    srs_rtmp_command_add(&cmd, srs_amf0_new_number(1));
    std::string payload = command_bytes(&cmd);
    srs_rtmp_msg_t msg = {SRS_RTMP_MSG_COMMAND_AMF0, 0, 1, 3, (uint8_t *)&payload[0], (uint32_t)payload.size()};
    HELPER_EXPECT_SUCCESS(srs_rtmp_relay_map_message(&m, true, &msg, &buf));
    EXPECT_EQ(5u, msg.stream_id);
    EXPECT_EQ(buf.data, msg.payload);
    srs_rtmp_command_t got;
    HELPER_EXPECT_SUCCESS(srs_rtmp_command_decode(&msg, &got));
    EXPECT_STREQ("deleteStream", got.name);
    EXPECT_EQ(5, srs_amf0_number(srs_rtmp_command_arg(&got, 0)));
    srs_rtmp_command_free(&got);

    // Other commands keep their bytes; and with equal ids nothing is decoded at all.
    srs_rtmp_command_init(&cmd, "FCUnpublish", 0, NULL);
    srs_rtmp_command_add(&cmd, srs_amf0_new_string("s"));
    payload = command_bytes(&cmd);
    msg = {SRS_RTMP_MSG_COMMAND_AMF0, 0, 1, 3, (uint8_t *)&payload[0], (uint32_t)payload.size()};
    HELPER_EXPECT_SUCCESS(srs_rtmp_relay_map_message(&m, true, &msg, &buf));
    EXPECT_EQ((uint8_t *)&payload[0], msg.payload);
    srs_rtmp_sid_map_t same = {1, 1};
    std::string garbage("\xff\xff", 2);
    msg = {SRS_RTMP_MSG_COMMAND_AMF0, 0, 1, 3, (uint8_t *)&garbage[0], 2};
    HELPER_EXPECT_SUCCESS(srs_rtmp_relay_map_message(&same, true, &msg, &buf));
    // With different ids a command that does not decode is an error.
    HELPER_EXPECT_FAILED(srs_rtmp_relay_map_message(&m, true, &msg, &buf));
    srs_amf0_buf_free(&buf);
}

TEST(AppRtmpRelayTest, RelaysBothWaysWithMappedIdsAndPerHopChunkSizes)
{
    RelayRig rig;
    rig.start(true, 5 * SRS_UTIME_SECONDS);

    // The client changes its chunk size twice, mid-stream; the origin never sees those.
    std::string big(100000, 'v'), audio(300, 'a');
    for (size_t i = 0; i < big.size(); i++) big[i] = (char)(i * 7);
    HELPER_EXPECT_SUCCESS(srs_rtmp_set_out_chunk_size(rig.client, 64));
    HELPER_EXPECT_SUCCESS(write_msg(rig.client, SRS_RTMP_MSG_VIDEO, 0x1000005, 1, big, SRS_RTMP_CSID_VIDEO));
    HELPER_EXPECT_SUCCESS(srs_rtmp_set_out_chunk_size(rig.client, 4096));
    HELPER_EXPECT_SUCCESS(write_msg(rig.client, SRS_RTMP_MSG_AUDIO, 0x1000010, 1, audio, SRS_RTMP_CSID_AUDIO));
    HELPER_EXPECT_SUCCESS(write_msg(rig.client, SRS_RTMP_MSG_USER_CONTROL, 0, 0,
                                    user_control(SRS_RTMP_UC_SET_BUFFER_LENGTH, 1) + std::string(4, '\0'), 2));

    Got g = read_msg(rig.origin);
    EXPECT_EQ(SRS_RTMP_MSG_SET_CHUNK_SIZE, g.type); // the proxy's own 60000
    EXPECT_EQ(60000u, srs_rtmp_conn_in_chunk_size(rig.origin));
    g = read_msg(rig.origin);
    EXPECT_EQ(SRS_RTMP_MSG_VIDEO, g.type);
    EXPECT_EQ(0x1000005u, g.ts);
    EXPECT_EQ(5u, g.sid);
    EXPECT_TRUE(g.payload == big);
    g = read_msg(rig.origin);
    EXPECT_EQ(SRS_RTMP_MSG_AUDIO, g.type);
    EXPECT_EQ(0x1000010u, g.ts);
    EXPECT_EQ(5u, g.sid);
    EXPECT_EQ(audio, g.payload);
    g = read_msg(rig.origin);
    EXPECT_EQ(SRS_RTMP_MSG_USER_CONTROL, g.type);
    EXPECT_EQ(user_control(SRS_RTMP_UC_SET_BUFFER_LENGTH, 5) + std::string(4, '\0'), g.payload);
    EXPECT_EQ(60000u, srs_rtmp_conn_in_chunk_size(rig.origin));

    // And back: the origin's stream 5 is the client's 1.
    HELPER_EXPECT_SUCCESS(write_msg(rig.origin, SRS_RTMP_MSG_USER_CONTROL, 0, 0, user_control(SRS_RTMP_UC_STREAM_EOF, 5), 2));
    HELPER_EXPECT_SUCCESS(write_msg(rig.origin, SRS_RTMP_MSG_DATA_AMF0, 7, 5, "meta", SRS_RTMP_CSID_STREAM));
    g = read_msg(rig.client);
    EXPECT_EQ(SRS_RTMP_MSG_SET_CHUNK_SIZE, g.type);
    g = read_msg(rig.client);
    EXPECT_EQ(user_control(SRS_RTMP_UC_STREAM_EOF, 1), g.payload);
    g = read_msg(rig.client);
    EXPECT_EQ(SRS_RTMP_MSG_DATA_AMF0, g.type);
    EXPECT_EQ(1u, g.sid);
    EXPECT_EQ("meta", g.payload);
    EXPECT_EQ(3u, rig.relay.to_origin_msgs);
    EXPECT_EQ(2u, rig.relay.to_client_msgs);

    // The origin going away ends the client's side at once, though the client is silent.
    srs_st_close_and_clear(rig.origin_peer);
    srs_utime_t took = 0;
    srs_error_t err = rig.join(&took);
    EXPECT_EQ(ERROR_SYSTEM_EOF, srs_error_code(err)) << srs_error_desc(err);
    srs_error_free(err);
    EXPECT_LT(took, 500 * SRS_UTIME_MILLISECONDS);
}

TEST(AppRtmpRelayTest, ClientClosingEndsTheRelay)
{
    RelayRig rig;
    rig.start(false, 5 * SRS_UTIME_SECONDS);
    srs_st_close_and_clear(rig.client_peer);
    srs_utime_t took = 0;
    srs_error_t err = rig.join(&took);
    EXPECT_EQ(ERROR_SYSTEM_EOF, srs_error_code(err)) << srs_error_desc(err);
    srs_error_free(err);
    EXPECT_LT(took, 500 * SRS_UTIME_MILLISECONDS);
}

TEST(AppRtmpRelayTest, SilentMediaSideTimesOutButTheQuietSideMayIdle)
{
    // A player: the origin carries the media, the client may say nothing for as long as it likes.
    RelayRig rig;
    rig.start(false, 300 * SRS_UTIME_MILLISECONDS);
    srs_utime_t took = 0;
    srs_error_t err = rig.join(&took);
    EXPECT_EQ(ERROR_SYSTEM_TIMEOUT, srs_error_code(err)) << srs_error_desc(err);
    srs_error_free(err);
    EXPECT_GE(took, 250 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(took, 2 * SRS_UTIME_SECONDS);
}

TEST(AppRtmpRelayTest, BadChunksFromAPeerEndTheRelay)
{
    RelayRig rig;
    rig.start(true, 5 * SRS_UTIME_SECONDS);
    // A new chunk stream that starts with a fmt 1 header.
    HELPER_EXPECT_SUCCESS(srs_st_write(rig.client_peer, "\x45\0\0\0\0\0\x10\x09", 8, SRS_UTIME_SECONDS));
    srs_utime_t took = 0;
    srs_error_t err = rig.join(&took);
    EXPECT_EQ(ERROR_RTMP_CHUNK, srs_error_code(err)) << srs_error_desc(err);
    srs_error_free(err);
}

// ---- Rejections before identification ----

extern "C" {
#include "srs_app_rtmp_conn.h"
#include "srs_kernel_strbuf.h"
}

TEST(AppRtmpConnTest, BudgetErrorsMapToTheirRejectReason)
{
    srs_rtmp_reject_reason_t reason = SRS_RTMP_REJECT_REASONS;
    struct {
        int code;
        bool budget;
        srs_rtmp_reject_reason_t reason;
        const char *name;
    } cases[] = {
        {ERROR_SYSTEM_TIMEOUT, true, SRS_RTMP_REJECT_DEADLINE, "deadline"},
        {ERROR_RTMP_TOO_LARGE, true, SRS_RTMP_REJECT_TOO_LARGE, "too_large"},
        {ERROR_RTMP_AMF0_BUDGET, true, SRS_RTMP_REJECT_AMF0_BUDGET, "amf0_budget"},
        {ERROR_RTMP_AMF0, false, SRS_RTMP_REJECT_REASONS, NULL},
        {ERROR_RTMP_CHUNK, false, SRS_RTMP_REJECT_REASONS, NULL},
        {ERROR_SYSTEM_EOF, false, SRS_RTMP_REJECT_REASONS, NULL},
    };
    for (auto &c : cases) {
        // The reason is the root cause's, however deep the chain wraps it.
        srs_error_t err = srs_error_wrap(srs_error_wrap(srs_error_new(c.code, "cause"), "identify"), "serve");
        reason = SRS_RTMP_REJECT_REASONS;
        EXPECT_EQ(c.budget, srs_rtmp_reject_reason_of(err, &reason)) << c.code;
        if (c.budget) {
            EXPECT_EQ(c.reason, reason);
            EXPECT_STREQ(c.name, srs_rtmp_reject_reason_name(reason));
        }
        srs_error_free(err);
    }
    EXPECT_STREQ("unknown", srs_rtmp_reject_reason_name(SRS_RTMP_REJECT_REASONS));
}

TEST(AppRtmpConnTest, RejectedCountersRenderOneSamplePerReason)
{
    srs_strbuf_t out;
    memset(&out, 0, sizeof(out));
    srs_rtmp_metrics_render(&out);
    std::string text(out.data ? out.data : "", out.len);
    srs_strbuf_free(&out);
    EXPECT_NE(std::string::npos, text.find("# TYPE srs_proxy_rtmp_rejected_total counter"));
    for (int i = 0; i < SRS_RTMP_REJECT_REASONS; i++) {
        srs_rtmp_reject_reason_t r = (srs_rtmp_reject_reason_t)i;
        std::string sample = std::string("srs_proxy_rtmp_rejected_total{reason=\"") + srs_rtmp_reject_reason_name(r) +
                             "\"} " + std::to_string(srs_rtmp_rejected_total(r)) + "\n";
        EXPECT_NE(std::string::npos, text.find(sample)) << sample << text;
    }
}
