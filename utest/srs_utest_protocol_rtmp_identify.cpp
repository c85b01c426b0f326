// SPDX-License-Identifier: MIT
// The RTMP identify state machine: what a client says before publish/play, and what a server
// (the proxy, the mock origin) answers, driven over the chunk stream's memory I/O.
#include "srs_utest.h"

#include <string.h>

#include <string>
#include <vector>

extern "C" {
#include "srs_protocol_amf0.h"
#include "srs_protocol_rtmp_chunk.h"
#include "srs_protocol_rtmp_identify.h"
#include "srs_protocol_rtmp_msg.h"
}

namespace {

// A sink for what the server writes, readable back as messages.
struct Wire {
    std::string bytes;
    size_t pos = 0;
};

srs_error_t wire_read(void *ctx, void *buf, size_t size, srs_utime_t, size_t *nread)
{
    Wire *w = (Wire *)ctx;
    if (w->pos >= w->bytes.size()) return srs_error_new(ERROR_SYSTEM_EOF, "end of wire");
    size_t n = std::min(size, w->bytes.size() - w->pos);
    memcpy(buf, w->bytes.data() + w->pos, n);
    w->pos += n;
    *nread = n;
    return srs_success;
}

srs_error_t wire_writev(void *ctx, const struct iovec *iov, int iovcnt, srs_utime_t)
{
    Wire *w = (Wire *)ctx;
    for (int i = 0; i < iovcnt; i++) w->bytes.append((const char *)iov[i].iov_base, iov[i].iov_len);
    return srs_success;
}

// A decoded message the server sent: its type and stream, and the command (or raw payload).
struct Sent {
    uint8_t type;
    uint32_t stream_id;
    std::string payload;
    std::string name;
    double tid = 0;
    srs_amf0_t *info = NULL; // first argument of a command (owned)
    srs_amf0_t *object = NULL;
};

class ProtocolRtmpIdentifyTest : public testing::Test {
protected:
    Wire out;
    srs_rtmp_conn_t *server = NULL;
    srs_rtmp_conn_t *reader = NULL; // reads what server wrote, across calls
    srs_rtmp_identify_t id;
    std::vector<Sent> sent;

    void SetUp() override
    {
        srs_rtmp_io_t io = {wire_read, wire_writev, &out};
        server = srs_rtmp_conn_new_io(&io);
        reader = srs_rtmp_conn_new_io(&io);
        srs_rtmp_identify_init(&id, 60000, "abc1234");
    }

    void TearDown() override
    {
        for (Sent &s : sent) {
            srs_amf0_free(s.info);
            srs_amf0_free(s.object);
        }
        srs_rtmp_identify_free(&id);
        srs_rtmp_conn_free(server);
        srs_rtmp_conn_free(reader);
    }

    // The messages the server wrote since the last call.
    std::vector<Sent *> drain()
    {
        size_t first = sent.size();
        for (;;) {
            srs_rtmp_msg_t m;
            srs_error_t err = srs_rtmp_read_message(reader, &m);
            if (err) {
                EXPECT_EQ(ERROR_SYSTEM_EOF, srs_error_code(err)) << srs_error_desc(err);
                srs_error_free(err);
                break;
            }
            Sent s;
            s.type = m.type;
            s.stream_id = m.stream_id;
            s.payload.assign((const char *)m.payload, m.size);
            if (srs_rtmp_msg_is_command(&m)) {
                srs_rtmp_command_t cmd;
                HELPER_EXPECT_SUCCESS(srs_rtmp_command_decode(&m, &cmd));
                s.name = cmd.name ? cmd.name : "";
                s.tid = cmd.tid;
                s.object = srs_amf0_copy(cmd.object);
                s.info = srs_amf0_copy(srs_rtmp_command_arg(&cmd, 0));
                srs_rtmp_command_free(&cmd);
            }
            sent.push_back(s);
        }
        std::vector<Sent *> r;
        for (size_t i = first; i < sent.size(); i++) r.push_back(&sent[i]);
        return r;
    }

    // Feed one command from the client on a message stream.
    srs_error_t feed(srs_rtmp_command_t *cmd, uint32_t stream_id = 0, uint8_t type = SRS_RTMP_MSG_COMMAND_AMF0)
    {
        srs_amf0_buf_t buf = {};
        if (type == SRS_RTMP_MSG_COMMAND_AMF3) srs_amf0_buf_append(&buf, "\0", 1);
        HELPER_EXPECT_SUCCESS(srs_rtmp_command_encode(cmd, &buf));
        srs_rtmp_command_free(cmd);
        srs_rtmp_msg_t m = {type, 0, stream_id, 3, buf.data, (uint32_t)buf.len};
        srs_error_t err = srs_rtmp_identify_on_message(&id, server, &m);
        srs_amf0_buf_free(&buf);
        return err;
    }

    srs_error_t feed_connect(const char *tc_url, bool with_extras = true)
    {
        srs_amf0_t *o = srs_amf0_new_object();
        srs_amf0_set(o, "app", srs_amf0_new_string("live"));
        if (tc_url) srs_amf0_set(o, "tcUrl", srs_amf0_new_string(tc_url));
        if (with_extras) {
            srs_amf0_set(o, "flashVer", srs_amf0_new_string("FMLE/3.0"));
            srs_amf0_set(o, "swfUrl", srs_amf0_new_string("http://x/p.swf"));
            srs_amf0_set(o, "objectEncoding", srs_amf0_new_number(3));
        }
        srs_rtmp_command_t cmd;
        srs_rtmp_command_init(&cmd, "connect", 1, o);
        return feed(&cmd);
    }

    srs_error_t feed_call(const char *name, double tid, const char *arg = NULL, uint32_t stream_id = 0)
    {
        srs_rtmp_command_t cmd;
        srs_rtmp_command_init(&cmd, name, tid, NULL);
        if (arg) srs_rtmp_command_add(&cmd, srs_amf0_new_string(arg));
        return feed(&cmd, stream_id);
    }

    void connect()
    {
        HELPER_EXPECT_SUCCESS(feed_connect("rtmp://127.0.0.1:1935/live"));
        drain();
    }
};

uint32_t u32(const std::string &p, size_t at = 0)
{
    return ((uint32_t)(uint8_t)p[at] << 24) | ((uint32_t)(uint8_t)p[at + 1] << 16) | ((uint32_t)(uint8_t)p[at + 2] << 8) |
           (uint8_t)p[at + 3];
}

std::string code_of(const Sent *s)
{
    const char *code = s->info ? srs_amf0_get_string(s->info, "code") : NULL;
    return code ? code : "";
}

} // namespace

TEST_F(ProtocolRtmpIdentifyTest, AnswersConnectAsSrsAndKeepsTheWholeObject)
{
    HELPER_EXPECT_SUCCESS(feed_connect("rtmp://127.0.0.1:1935/live?vhost=v.example.com"));
    std::vector<Sent *> s = drain();
    ASSERT_EQ(5u, s.size());
    EXPECT_EQ(SRS_RTMP_MSG_WINDOW_ACK_SIZE, s[0]->type);
    EXPECT_EQ(2500000u, u32(s[0]->payload));
    EXPECT_EQ(SRS_RTMP_MSG_SET_PEER_BANDWIDTH, s[1]->type);
    EXPECT_EQ(2500000u, u32(s[1]->payload));
    EXPECT_EQ(2, s[1]->payload[4]);
    EXPECT_EQ(SRS_RTMP_MSG_SET_CHUNK_SIZE, s[2]->type);
    EXPECT_EQ(60000u, u32(s[2]->payload));
    EXPECT_EQ(60000u, srs_rtmp_conn_out_chunk_size(server));

    EXPECT_EQ("_result", s[3]->name);
    EXPECT_EQ(1, s[3]->tid);
    EXPECT_STREQ("FMS/3,5,3,888", srs_amf0_get_string(s[3]->object, "fmsVer"));
    EXPECT_EQ("NetConnection.Connect.Success", code_of(s[3]));
    double enc = -1;
    EXPECT_TRUE(srs_amf0_get_number(s[3]->info, "objectEncoding", &enc));
    EXPECT_EQ(3, enc); // the client's own encoding is echoed
    EXPECT_STREQ("abc1234", srs_amf0_get_string(srs_amf0_get(s[3]->info, "data"), "srs_id"));
    EXPECT_EQ("onBWDone", s[4]->name);

    EXPECT_TRUE(id.connected);
    EXPECT_FALSE(srs_rtmp_identify_done(&id));
    EXPECT_STREQ("rtmp://127.0.0.1:1935/live?vhost=v.example.com", id.tc_url);
    EXPECT_STREQ("http://x/p.swf", srs_amf0_get_string(id.connect_object, "swfUrl"));
    EXPECT_STREQ("FMLE/3.0", srs_amf0_get_string(id.connect_object, "flashVer"));
    EXPECT_EQ(5u, srs_amf0_count(id.connect_object));
}

TEST_F(ProtocolRtmpIdentifyTest, FmlePublishIsAnsweredThenAcceptedWithOnFcPublish)
{
    connect();
    HELPER_EXPECT_SUCCESS(feed_call("releaseStream", 2, "s?token=t1"));
    HELPER_EXPECT_SUCCESS(feed_call("FCPublish", 3, "s?token=t1"));
    HELPER_EXPECT_SUCCESS(feed_call("createStream", 4));
    std::vector<Sent *> s = drain();
    ASSERT_EQ(3u, s.size());
    EXPECT_EQ("_result", s[0]->name);
    EXPECT_EQ(2, s[0]->tid);
    EXPECT_EQ(SRS_AMF0_UNDEFINED, srs_amf0_type(s[0]->info));
    EXPECT_EQ(3, s[1]->tid);
    EXPECT_EQ(4, s[2]->tid);
    EXPECT_EQ(1, srs_amf0_number(s[2]->info)); // the stream id

    HELPER_EXPECT_SUCCESS(feed_call("publish", 5, "s?token=t1", 1));
    EXPECT_TRUE(srs_rtmp_identify_done(&id));
    EXPECT_EQ(SRS_RTMP_ROLE_PUBLISHER, id.role);
    EXPECT_STREQ("s?token=t1", id.stream);
    EXPECT_EQ(1u, id.stream_id);
    EXPECT_TRUE(drain().empty()); // nothing until the origin agrees

    HELPER_EXPECT_SUCCESS(srs_rtmp_identify_accept(&id, server));
    s = drain();
    ASSERT_EQ(2u, s.size());
    EXPECT_EQ("onFCPublish", s[0]->name);
    EXPECT_EQ("NetStream.Publish.Start", code_of(s[0]));
    EXPECT_EQ("onStatus", s[1]->name);
    EXPECT_EQ("NetStream.Publish.Start", code_of(s[1]));
    EXPECT_STREQ("ASAICiss", srs_amf0_get_string(s[1]->info, "clientid"));
    EXPECT_EQ(1u, s[1]->stream_id);
    // A further message is a misuse.
    HELPER_EXPECT_FAILED_CODE(feed_call("play", 6, "x", 1), ERROR_RTMP_MESSAGE);
}

TEST_F(ProtocolRtmpIdentifyTest, FlashPublishGetsNoOnFcPublish)
{
    connect();
    HELPER_EXPECT_SUCCESS(feed_call("createStream", 2));
    HELPER_EXPECT_SUCCESS(feed_call("publish", 0, "s", 1));
    drain();
    HELPER_EXPECT_SUCCESS(srs_rtmp_identify_accept(&id, server));
    std::vector<Sent *> s = drain();
    ASSERT_EQ(1u, s.size());
    EXPECT_EQ("NetStream.Publish.Start", code_of(s[0]));
}

TEST_F(ProtocolRtmpIdentifyTest, PlayIsAcceptedWithStreamBeginResetAndStart)
{
    connect();
    HELPER_EXPECT_SUCCESS(feed_call("createStream", 2));
    HELPER_EXPECT_SUCCESS(feed_call("getStreamLength", 3, "s"));
    HELPER_EXPECT_SUCCESS(feed_call("_checkbw", 0));
    std::vector<Sent *> s = drain();
    ASSERT_EQ(1u, s.size()); // createStream only: no answer to getStreamLength, nor to a call without tid
    // AMF3 commands (a 0 byte, then AMF0) are understood too.
    srs_rtmp_command_t play;
    srs_rtmp_command_init(&play, "play", 4, NULL);
    srs_rtmp_command_add(&play, srs_amf0_new_string("livestream"));
    HELPER_EXPECT_SUCCESS(feed(&play, 1, SRS_RTMP_MSG_COMMAND_AMF3));
    EXPECT_EQ(SRS_RTMP_ROLE_PLAYER, id.role);
    EXPECT_STREQ("livestream", id.stream);

    HELPER_EXPECT_SUCCESS(srs_rtmp_identify_accept(&id, server));
    s = drain();
    ASSERT_EQ(3u, s.size());
    EXPECT_EQ(SRS_RTMP_MSG_USER_CONTROL, s[0]->type);
    EXPECT_EQ(std::string("\0\0\0\0\0\1", 6), s[0]->payload); // StreamBegin 1
    EXPECT_EQ("NetStream.Play.Reset", code_of(s[1]));
    EXPECT_EQ("NetStream.Play.Start", code_of(s[2]));
    EXPECT_EQ(1u, s[2]->stream_id);
}

TEST_F(ProtocolRtmpIdentifyTest, OtherCallsWithATransactionIdGetAResult)
{
    connect();
    HELPER_EXPECT_SUCCESS(feed_call("FCSubscribe", 7, "s"));
    std::vector<Sent *> s = drain();
    ASSERT_EQ(1u, s.size());
    EXPECT_EQ("_result", s[0]->name);
    EXPECT_EQ(7, s[0]->tid);
}

TEST_F(ProtocolRtmpIdentifyTest, ControlAndDataMessagesNeedNoAnswer)
{
    connect();
    uint8_t ack[4] = {0, 0, 1, 0};
    srs_rtmp_msg_t m = {SRS_RTMP_MSG_WINDOW_ACK_SIZE, 0, 0, 2, ack, 4};
    HELPER_EXPECT_SUCCESS(srs_rtmp_identify_on_message(&id, server, &m));
    uint8_t data[3] = {0x02, 0, 0};
    m = {SRS_RTMP_MSG_DATA_AMF0, 0, 1, 4, data, 3};
    HELPER_EXPECT_SUCCESS(srs_rtmp_identify_on_message(&id, server, &m));
    EXPECT_TRUE(drain().empty());
}

TEST_F(ProtocolRtmpIdentifyTest, RejectsWhatComesOutOfOrder)
{
    HELPER_EXPECT_FAILED_CODE(feed_call("createStream", 2), ERROR_RTMP_MESSAGE);
    connect();
    HELPER_EXPECT_FAILED_CODE(feed_connect("rtmp://h/live"), ERROR_RTMP_MESSAGE);
    uint8_t frame[5] = {0x17, 1, 0, 0, 0};
    srs_rtmp_msg_t m = {SRS_RTMP_MSG_VIDEO, 0, 1, 6, frame, 5};
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_identify_on_message(&id, server, &m), ERROR_RTMP_MESSAGE);
    HELPER_EXPECT_FAILED_CODE(feed_call("deleteStream", 0), ERROR_RTMP_MESSAGE);
    HELPER_EXPECT_FAILED_CODE(feed_call("publish", 0, "", 1), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(feed_call("play", 0, NULL, 1), ERROR_STREAM_URL);
    EXPECT_FALSE(srs_rtmp_identify_done(&id));
}

TEST_F(ProtocolRtmpIdentifyTest, ConnectWithoutAUsableTcUrlIsRejected)
{
    HELPER_EXPECT_FAILED_CODE(feed_connect(NULL), ERROR_STREAM_URL);
    std::vector<Sent *> s = drain();
    ASSERT_EQ(1u, s.size());
    EXPECT_EQ("_error", s[0]->name);
    EXPECT_EQ("NetConnection.Connect.Rejected", code_of(s[0]));
    HELPER_EXPECT_FAILED_CODE(feed_connect("rtmp://host-without-app"), ERROR_STREAM_URL);
    HELPER_EXPECT_FAILED_CODE(feed_connect("no-scheme/live"), ERROR_STREAM_URL);
    EXPECT_FALSE(id.connected);
    EXPECT_EQ(NULL, id.connect_object);
}

TEST_F(ProtocolRtmpIdentifyTest, MalformedAmf0IsAnError)
{
    // "connect", 1, then an object whose string value claims 65535 bytes.
    const uint8_t bad[] = {0x02, 0, 7, 'c', 'o', 'n', 'n', 'e', 'c', 't', 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
                           0x03, 0, 3, 'a', 'p', 'p', 0x02, 0xff, 0xff};
    srs_rtmp_msg_t m = {SRS_RTMP_MSG_COMMAND_AMF0, 0, 0, 3, (uint8_t *)bad, sizeof(bad)};
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_identify_on_message(&id, server, &m), ERROR_RTMP_AMF0);
    const uint8_t not_a_name[] = {0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
    m = {SRS_RTMP_MSG_COMMAND_AMF0, 0, 0, 3, (uint8_t *)not_a_name, sizeof(not_a_name)};
    HELPER_EXPECT_FAILED_CODE(srs_rtmp_identify_on_message(&id, server, &m), ERROR_RTMP_MESSAGE);
}

TEST_F(ProtocolRtmpIdentifyTest, RefusalsReachTheClientAsOnStatusErrors)
{
    connect();
    HELPER_EXPECT_SUCCESS(feed_call("createStream", 2));
    HELPER_EXPECT_SUCCESS(feed_call("publish", 0, "s", 1));
    drain();

    // An origin's onStatus goes as it is.
    srs_rtmp_command_t busy;
    srs_rtmp_build_on_status(&busy, "error", "NetStream.Publish.BadName", "Stream is busy", NULL, "x");
    HELPER_EXPECT_SUCCESS(srs_rtmp_identify_refuse(&id, server, &busy, "ignored"));
    srs_rtmp_command_free(&busy);
    // An _error (e.g. to connect) becomes an onStatus error with its code and description.
    srs_rtmp_command_t rejected;
    srs_rtmp_build_connect_error(&rejected, 1, "auth failed");
    HELPER_EXPECT_SUCCESS(srs_rtmp_identify_refuse(&id, server, &rejected, NULL));
    srs_rtmp_command_free(&rejected);
    // No origin answer at all: the server's own words.
    HELPER_EXPECT_SUCCESS(srs_rtmp_identify_refuse(&id, server, NULL, "no origin server"));

    std::vector<Sent *> s = drain();
    ASSERT_EQ(3u, s.size());
    for (Sent *x : s) {
        EXPECT_EQ("onStatus", x->name);
        EXPECT_EQ(1u, x->stream_id);
        EXPECT_STREQ("error", srs_amf0_get_string(x->info, "level"));
    }
    EXPECT_EQ("NetStream.Publish.BadName", code_of(s[0]));
    EXPECT_EQ("NetConnection.Connect.Rejected", code_of(s[1]));
    EXPECT_STREQ("auth failed", srs_amf0_get_string(s[1]->info, "description"));
    EXPECT_EQ("NetStream.Publish.Failed", code_of(s[2]));
    EXPECT_STREQ("no origin server", srs_amf0_get_string(s[2]->info, "description"));
}
