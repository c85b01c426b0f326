// SPDX-License-Identifier: MIT
// RESP: command encoding, the reply reader (hiredis's parser behind our limits), and the client
// over ST sockets against a real redis-server.
#include "srs_utest.h"
#include "srs_utest_redis.h"

#include <csignal>
#include <cstring>
#include <string>

extern "C" {
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_resp.h"
#include "srs_protocol_st.h"
}

static std::string encoded(const srs_resp_cmds_t &c)
{
    return std::string(c.data, c.len);
}

TEST(ProtocolRespTest, EncodesCommandsAsArraysOfBulkStrings)
{
    srs_resp_cmds_t c;
    srs_resp_cmds_init(&c);
    srs_resp_cmds_add(&c, "SET", "srs-proxy-url:__defaultVhost__/live/s", "v", NULL);
    EXPECT_EQ("*3\r\n$3\r\nSET\r\n$37\r\nsrs-proxy-url:__defaultVhost__/live/s\r\n$1\r\nv\r\n", encoded(c));
    srs_resp_cmds_add(&c, "PING", NULL);
    EXPECT_EQ(2, c.count);
    EXPECT_EQ("*3\r\n$3\r\nSET\r\n$37\r\nsrs-proxy-url:__defaultVhost__/live/s\r\n$1\r\nv\r\n*1\r\n$4\r\nPING\r\n", encoded(c));

    srs_resp_cmds_reset(&c);
    EXPECT_EQ(0, c.count);
    srs_resp_cmds_add(&c, "SET", "k", "", NULL);
    EXPECT_EQ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", encoded(c));
    srs_resp_cmds_free(&c);
}

TEST(ProtocolRespTest, EncodingIsBinarySafe)
{
    srs_resp_cmds_t c;
    srs_resp_cmds_init(&c);
    const char value[] = {'a', '\0', '\r', '\n', 'b'};
    const char *argv[] = {"SET", "k", value};
    size_t lens[] = {3, 1, sizeof(value)};
    srs_resp_cmds_append(&c, 3, argv, lens);
    EXPECT_EQ(std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\0\r\nb\r\n", 31), encoded(c));

    // A large argument grows the buffer.
    std::string big(100000, 'x');
    const char *argv2[] = {big.c_str()};
    srs_resp_cmds_append(&c, 1, argv2, NULL);
    EXPECT_EQ(2, c.count);
    EXPECT_EQ(31u + 4 + 9 + 100000 + 2, c.len);
    srs_resp_cmds_free(&c);
}

// Feeds text; returns the replies parsed (owned by the caller) and the final error.
static srs_error_t parse_all(const std::string &text, std::vector<srs_resp_reply_t *> &out)
{
    srs_resp_reader_t *r = srs_resp_reader_new();
    srs_error_t err = srs_resp_reader_feed(r, text.data(), text.size());
    while (!err) {
        srs_resp_reply_t *reply = NULL;
        if ((err = srs_resp_reader_next(r, &reply)) != srs_success || !reply) break;
        out.push_back(reply);
    }
    srs_resp_reader_free(r);
    return err;
}

static void free_all(std::vector<srs_resp_reply_t *> &v)
{
    for (auto *r : v) srs_resp_reply_free(r);
    v.clear();
}

TEST(ProtocolRespTest, ParsesEveryReplyType)
{
    std::vector<srs_resp_reply_t *> v;
    HELPER_EXPECT_SUCCESS(parse_all("+OK\r\n-ERR wrong\r\n:-42\r\n$3\r\nfoo\r\n$-1\r\n*2\r\n$1\r\na\r\n:7\r\n*0\r\n$0\r\n\r\n", v));
    ASSERT_EQ(8u, v.size());
    EXPECT_EQ(SRS_RESP_STATUS, v[0]->type);
    EXPECT_STREQ("OK", v[0]->str);
    EXPECT_EQ(SRS_RESP_ERROR, v[1]->type);
    EXPECT_STREQ("ERR wrong", v[1]->str);
    EXPECT_EQ(SRS_RESP_INTEGER, v[2]->type);
    EXPECT_EQ(-42, v[2]->integer);
    EXPECT_EQ(SRS_RESP_STRING, v[3]->type);
    EXPECT_EQ(3u, v[3]->len);
    EXPECT_STREQ("foo", v[3]->str);
    EXPECT_EQ(SRS_RESP_NIL, v[4]->type);
    ASSERT_EQ(SRS_RESP_ARRAY, v[5]->type);
    ASSERT_EQ(2u, v[5]->elements);
    EXPECT_STREQ("a", v[5]->element[0]->str);
    EXPECT_EQ(7, v[5]->element[1]->integer);
    EXPECT_EQ(SRS_RESP_ARRAY, v[6]->type);
    EXPECT_EQ(0u, v[6]->elements);
    EXPECT_EQ(SRS_RESP_STRING, v[7]->type);
    EXPECT_EQ(0u, v[7]->len);
    free_all(v);
}

TEST(ProtocolRespTest, WaitsForWholeRepliesFedByteByByte)
{
    std::string text = "*2\r\n$5\r\nhe\r\nl\r\n*1\r\n:1\r\n+PONG\r\n";
    srs_resp_reader_t *r = srs_resp_reader_new();
    std::vector<srs_resp_reply_t *> v;
    for (char ch : text) {
        HELPER_EXPECT_SUCCESS(srs_resp_reader_feed(r, &ch, 1));
        srs_resp_reply_t *reply = NULL;
        HELPER_EXPECT_SUCCESS(srs_resp_reader_next(r, &reply));
        if (reply) v.push_back(reply);
    }
    ASSERT_EQ(2u, v.size());
    ASSERT_EQ(SRS_RESP_ARRAY, v[0]->type);
    EXPECT_EQ(std::string("he\r\nl"), std::string(v[0]->element[0]->str, v[0]->element[0]->len));
    EXPECT_EQ(1, v[0]->element[1]->element[0]->integer);
    EXPECT_STREQ("PONG", v[1]->str);
    free_all(v);
    srs_resp_reader_free(r);
}

TEST(ProtocolRespTest, MalformedInputFailsAndTheReaderStaysFailed)
{
    srs_resp_reader_t *r = srs_resp_reader_new();
    HELPER_EXPECT_SUCCESS(srs_resp_reader_feed(r, "?what\r\n", 7));
    srs_resp_reply_t *reply = NULL;
    HELPER_EXPECT_FAILED_CODE(srs_resp_reader_next(r, &reply), ERROR_REDIS);
    EXPECT_TRUE(reply == NULL);
    // Good bytes after bad ones are not trusted.
    HELPER_EXPECT_FAILED_CODE(srs_resp_reader_feed(r, "+OK\r\n", 5), ERROR_REDIS);
    HELPER_EXPECT_FAILED_CODE(srs_resp_reader_next(r, &reply), ERROR_REDIS);
    srs_resp_reader_free(r);

    const char *bad[] = {":12x\r\n", "$3\r\nab\r\n\r\n", "*-5\r\n", "$-5\r\n", ":99999999999999999999999\r\n"};
    for (const char *b : bad) {
        std::vector<srs_resp_reply_t *> v;
        HELPER_EXPECT_FAILED_CODE(parse_all(b, v), ERROR_REDIS);
        free_all(v);
    }
}

TEST(ProtocolRespTest, RefusesHugeArraysDeepNestingAndCountsThatOverflow)
{
    const char *bad[] = {
        "*2000000\r\n",                       // over SRS_RESP_MAX_ELEMENTS: no 16 MB allocation
        "*4294967296\r\n:1\r\n",              // truncates to 0 in an int
        "*4294967297\r\n:1\r\n:2\r\n",        // truncates to 1
        "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
    };
    for (const char *b : bad) {
        std::vector<srs_resp_reply_t *> v;
        HELPER_EXPECT_FAILED_CODE(parse_all(b, v), ERROR_REDIS);
        EXPECT_TRUE(v.empty()) << b;
        free_all(v);
    }
}

TEST(ProtocolRespTest, RefusesAReplyLargerThanThePendingLimit)
{
    srs_resp_reader_t *r = srs_resp_reader_new();
    HELPER_EXPECT_SUCCESS(srs_resp_reader_feed(r, "$9223372036854775807\r\n", 22));
    std::string chunk(1024 * 1024, 'x');
    srs_error_t err = srs_success;
    int fed = 0;
    for (; fed < 100 && !err; fed++) {
        err = srs_resp_reader_feed(r, chunk.data(), chunk.size());
        srs_resp_reply_t *reply = NULL;
        if (!err) err = srs_resp_reader_next(r, &reply);
        EXPECT_TRUE(reply == NULL);
    }
    EXPECT_EQ(ERROR_REDIS, srs_error_code(err));
    EXPECT_EQ(SRS_RESP_MAX_PENDING / (1024 * 1024), fed);
    srs_error_free(err);
    srs_resp_reader_free(r);
}

// The client against a real redis-server.

static srs_resp_client_t *new_client(int port, const char *password = "", int db = 0,
                                     srs_utime_t io_timeout = SRS_UTIME_SECONDS)
{
    srs_resp_client_config_t cfg = {"127.0.0.1", port, password, db, SRS_UTIME_SECONDS, io_timeout, 0, 0, false};
    return srs_resp_client_new(&cfg);
}

static std::string run(srs_resp_client_t *c, const char *a0, const char *a1 = NULL, const char *a2 = NULL)
{
    std::vector<std::string> args = {a0};
    if (a1) args.push_back(a1);
    if (a1 && a2) args.push_back(a2);
    return srs_utest_redis_run(c, args);
}

TEST(ProtocolRespClientTest, PipelinesCommandsInOneExchange)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_resp_client_t *c = new_client(server.port);
    HELPER_EXPECT_SUCCESS(srs_resp_client_connect(c));
    EXPECT_TRUE(srs_resp_client_is_up(c));
    EXPECT_EQ(1u, srs_resp_client_generation(c));

    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    srs_resp_cmds_add(&cmds, "SET", "k", "hello", NULL);
    srs_resp_cmds_add(&cmds, "GET", "k", NULL);
    srs_resp_cmds_add(&cmds, "INCR", "k", NULL);  // an error reply, not a failure
    srs_resp_cmds_add(&cmds, "GET", "missing", NULL);
    srs_resp_cmds_add(&cmds, "EVAL", "return {1, 'two'}", "0", NULL);
    srs_resp_reply_t *r[5];
    HELPER_EXPECT_SUCCESS(srs_resp_client_pipeline(c, &cmds, r));
    EXPECT_STREQ("OK", r[0]->str);
    EXPECT_STREQ("hello", r[1]->str);
    EXPECT_EQ(SRS_RESP_ERROR, r[2]->type);
    EXPECT_EQ(SRS_RESP_NIL, r[3]->type);
    ASSERT_EQ(2u, r[4]->elements);
    EXPECT_EQ(1, r[4]->element[0]->integer);
    EXPECT_STREQ("two", r[4]->element[1]->str);
    for (auto *x : r) srs_resp_reply_free(x);
    srs_resp_cmds_free(&cmds);

    // The connection stays usable after an error reply.
    EXPECT_EQ("PONG", run(c, "PING"));
    EXPECT_EQ(1u, srs_resp_client_generation(c));
    srs_resp_client_free(c);
}

TEST(ProtocolRespClientTest, AuthAndSelectOnConnect)
{
    SrsUtestRedis server({"--requirepass", "s3cret-pw"});
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_resp_client_t *c2 = new_client(server.port, "s3cret-pw", 2);
    srs_resp_client_t *c0 = new_client(server.port, "s3cret-pw", 0);
    EXPECT_EQ("OK", run(c2, "SET", "k", "in-db-2"));
    EXPECT_EQ("in-db-2", run(c2, "GET", "k"));
    EXPECT_EQ("(nil)", run(c0, "GET", "k"));
    srs_resp_client_free(c2);
    srs_resp_client_free(c0);
}

TEST(ProtocolRespClientTest, RefusedPasswordNamesTheServerNotThePassword)
{
    SrsUtestRedis server({"--requirepass", "right-pw"});
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_resp_client_t *c = new_client(server.port, "wrong-pw-1234");
    srs_error_t err = srs_resp_client_connect(c);
    ASSERT_TRUE(err != NULL);
    std::string text = srs_error_desc(err);
    EXPECT_EQ(ERROR_REDIS, srs_error_code(err));
    EXPECT_NE(std::string::npos, text.find("127.0.0.1:" + std::to_string(server.port))) << text;
    EXPECT_NE(std::string::npos, text.find("AUTH refused")) << text;
    EXPECT_EQ(std::string::npos, text.find("wrong-pw-1234")) << text;
    srs_error_free(err);
    EXPECT_FALSE(srs_resp_client_is_up(c));
    srs_resp_client_free(c);

    // A server that echoes the password in its error still does not get it into ours.
    SrsUtestRedis open_server;
    ASSERT_TRUE(open_server.start());
    c = new_client(open_server.port, "AUTH");
    err = srs_resp_client_connect(c);
    ASSERT_TRUE(err != NULL);
    text = srs_error_summary(err);
    size_t at = text.find("refused: ");
    ASSERT_NE(std::string::npos, at) << text;
    std::string from_server = text.substr(at);
    EXPECT_EQ(std::string::npos, from_server.find("AUTH")) << text;
    EXPECT_NE(std::string::npos, from_server.find("******")) << text;
    srs_error_free(err);
    srs_resp_client_free(c);
}

TEST(ProtocolRespClientTest, UnreachableServerNamesHostPortAndBacksOff)
{
    signal(SIGPIPE, SIG_IGN);
    int port = srs_utest_free_port();
    srs_resp_client_t *c = new_client(port);
    srs_error_t err = srs_resp_client_connect(c);
    ASSERT_TRUE(err != NULL);
    std::string text = srs_error_summary(err);
    EXPECT_NE(std::string::npos, text.find("127.0.0.1:" + std::to_string(port))) << text;
    EXPECT_EQ(ERROR_SYSTEM_CONNECT, srs_error_code(err));
    srs_error_free(err);

    // Within the backoff, a request fails at once instead of connecting again.
    std::string again = run(c, "PING");
    EXPECT_NE(std::string::npos, again.find("next connect in")) << again;
    EXPECT_EQ(0u, srs_resp_client_generation(c));
    srs_resp_client_free(c);
}

TEST(ProtocolRespClientTest, ReconnectsWhenRedisRestarts)
{
    SrsUtestRedis server;
    SRS_UTEST_REQUIRE_REDIS(server);
    srs_resp_client_t *c = new_client(server.port);
    EXPECT_EQ("OK", run(c, "SET", "k", "v"));
    EXPECT_EQ(1u, srs_resp_client_generation(c));

    server.stop();
    ASSERT_TRUE(server.start());
    // The old connection is dead; the request is retried once on a new one.
    EXPECT_EQ("(nil)", run(c, "GET", "k"));
    EXPECT_EQ(2u, srs_resp_client_generation(c));
    EXPECT_TRUE(srs_resp_client_is_up(c));

    // Down for good: a clean failure, then a backoff; back: works again.
    server.stop();
    std::string down = run(c, "GET", "k");
    EXPECT_EQ(0u, down.find("(failed)")) << down;
    EXPECT_FALSE(srs_resp_client_is_up(c));
    ASSERT_TRUE(server.start());
    srs_st_usleep(2500 * SRS_UTIME_MILLISECONDS); // past the longest backoff
    EXPECT_EQ("PONG", run(c, "PING"));
    EXPECT_EQ(3u, srs_resp_client_generation(c));
    srs_resp_client_free(c);
}

TEST(ProtocolRespClientTest, SilentServerTimesOut)
{
    signal(SIGPIPE, SIG_IGN);
    // A listener that never accepts: the kernel completes the handshake, nobody answers.
    st_netfd_t lfd = NULL;
    HELPER_EXPECT_SUCCESS(srs_tcp_listen("127.0.0.1", 0, &lfd));
    srs_sockaddr_t local;
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(lfd, &local));
    srs_resp_client_t *c = new_client(srs_sockaddr_port(&local), "", 0, 200 * SRS_UTIME_MILLISECONDS);

    srs_utime_t start = srs_time_now();
    srs_error_t err = srs_resp_client_connect(c);
    srs_utime_t took = srs_time_now() - start;
    EXPECT_EQ(ERROR_SYSTEM_TIMEOUT, srs_error_code(err));
    EXPECT_GE(took, 150 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(took, 2 * SRS_UTIME_SECONDS);
    srs_error_free(err);
    EXPECT_FALSE(srs_resp_client_is_up(c));
    srs_resp_client_free(c);
    srs_st_close(lfd);
}

// ---- Issue 21: a Redis server is input too. ----

// `*1048576` arrays of `*1048576` arrays: each would allocate 8 MB of element pointers; the
// reply's budget (16 MiB) stops it at the second, before any allocation for it.
TEST(ProtocolRespTest, ReplyBombStopsAtItsMemoryBudget)
{
    srs_resp_reader_t *r = srs_resp_reader_new();
    HELPER_EXPECT_SUCCESS(srs_resp_reader_feed(r, "*1048576\r\n*1048576\r\n", 20));
    srs_resp_reply_t *reply = NULL;
    srs_error_t err = srs_resp_reader_next(r, &reply);
    EXPECT_EQ(ERROR_REDIS, srs_error_code(err));
    EXPECT_TRUE(reply == NULL);
    EXPECT_TRUE(srs_resp_reader_over_budget(r));
    srs_error_free(err);
    srs_resp_reader_free(r);
}

// One array of `:1` without end: the node count and the bytes grow with every element until the
// budget stops them; a syntax error is not an over-budget one.
TEST(ProtocolRespTest, EndlessIntegersStopAtTheNodeBudget)
{
    srs_resp_reader_t *r = srs_resp_reader_new();
    srs_resp_reader_set_budget(r, 0, 1000);
    std::string bomb = "*1048576\r\n";
    for (int i = 0; i < 2000; i++) bomb += ":1\r\n";
    HELPER_EXPECT_SUCCESS(srs_resp_reader_feed(r, bomb.data(), bomb.size()));
    srs_resp_reply_t *reply = NULL;
    srs_error_t err = srs_resp_reader_next(r, &reply);
    EXPECT_EQ(ERROR_REDIS, srs_error_code(err));
    EXPECT_TRUE(srs_resp_reader_over_budget(r));
    size_t bytes = 0, nodes = 0;
    srs_resp_reader_usage(r, &bytes, &nodes);
    EXPECT_EQ(1001u, nodes);
    srs_error_free(err);
    srs_resp_reader_free(r);

    r = srs_resp_reader_new();
    HELPER_EXPECT_SUCCESS(srs_resp_reader_feed(r, "?bad\r\n", 6));
    err = srs_resp_reader_next(r, &reply);
    EXPECT_EQ(ERROR_REDIS, srs_error_code(err));
    EXPECT_FALSE(srs_resp_reader_over_budget(r));
    srs_error_free(err);
    srs_resp_reader_free(r);
}

// The budget is per reply: many replies that each fit pass, and the count restarts after each.
TEST(ProtocolRespTest, BudgetIsPerReply)
{
    srs_resp_reader_t *r = srs_resp_reader_new();
    srs_resp_reader_set_budget(r, 64 * 1024, 100);
    std::string one = "*90\r\n";
    for (int i = 0; i < 90; i++) one += "$3\r\nabc\r\n";
    for (int round = 0; round < 20; round++) {
        HELPER_EXPECT_SUCCESS(srs_resp_reader_feed(r, one.data(), one.size()));
        srs_resp_reply_t *reply = NULL;
        HELPER_EXPECT_SUCCESS(srs_resp_reader_next(r, &reply));
        ASSERT_TRUE(reply != NULL);
        EXPECT_EQ(90u, reply->elements);
        srs_resp_reply_free(reply);
        size_t bytes = 1, nodes = 1;
        srs_resp_reader_usage(r, &bytes, &nodes);
        EXPECT_EQ(0u, nodes);
        EXPECT_EQ(0u, bytes);
    }
    // A bulk string larger than the byte budget is refused too.
    std::string big = "$70000\r\n" + std::string(70000, 'x') + "\r\n";
    HELPER_EXPECT_SUCCESS(srs_resp_reader_feed(r, big.data(), big.size()));
    srs_resp_reply_t *reply = NULL;
    srs_error_t err = srs_resp_reader_next(r, &reply);
    EXPECT_EQ(ERROR_REDIS, srs_error_code(err));
    EXPECT_TRUE(srs_resp_reader_over_budget(r));
    srs_error_free(err);
    srs_resp_reader_free(r);
}

// A fake Redis on an ST socket: answers the connect's PING (unless bomb_first), then plays
// its part for the next command.
enum FakeRedisMode { FAKE_BOMB, FAKE_TRICKLE, FAKE_SILENT };
struct FakeRedis {
    st_netfd_t lfd = NULL;
    int port = 0;
    FakeRedisMode mode = FAKE_SILENT;
    bool bomb_first = false;
    srs_coroutine_t *co = NULL;
};

static srs_error_t fake_redis_cycle(void *arg)
{
    FakeRedis *f = (FakeRedis *)arg;
    st_netfd_t fd = NULL;
    srs_error_t err = srs_st_accept(f->lfd, &fd, NULL, 5 * SRS_UTIME_SECONDS);
    if (err) return err;
    char buf[4096];
    size_t n = 0;
    if (!f->bomb_first) {
        if ((err = srs_st_read(fd, buf, sizeof(buf), 5 * SRS_UTIME_SECONDS, &n)) == srs_success) {
            err = srs_st_write(fd, "+PONG\r\n", 7, SRS_UTIME_SECONDS);
        }
    }
    if (!err) err = srs_st_read(fd, buf, sizeof(buf), 5 * SRS_UTIME_SECONDS, &n);
    if (!err && f->mode == FAKE_BOMB) {
        std::string chunk;
        for (int i = 0; i < 16384; i++) chunk += ":1\r\n";
        err = srs_st_write(fd, "*1048576\r\n", 10, SRS_UTIME_SECONDS);
        while (!err) err = srs_st_write(fd, chunk.data(), chunk.size(), SRS_UTIME_SECONDS);
    } else if (!err && f->mode == FAKE_TRICKLE) {
        // One byte every 50 ms: each read succeeds, only a deadline for the whole reply ends it.
        while (!err && (err = srs_st_write(fd, "$", 1, SRS_UTIME_SECONDS)) == srs_success) err = srs_st_usleep(50 * SRS_UTIME_MILLISECONDS);
    } else if (!err) {
        err = srs_st_read(fd, buf, sizeof(buf), 5 * SRS_UTIME_SECONDS, &n);
    }
    srs_error_free(err);
    srs_st_close(fd);
    return srs_success;
}

static void fake_redis_start(FakeRedis *f, FakeRedisMode mode, bool bomb_first)
{
    signal(SIGPIPE, SIG_IGN);
    f->mode = mode;
    f->bomb_first = bomb_first;
    HELPER_EXPECT_SUCCESS(srs_tcp_listen("127.0.0.1", 0, &f->lfd));
    srs_sockaddr_t local;
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(f->lfd, &local));
    f->port = srs_sockaddr_port(&local);
    f->co = srs_coroutine_new("fake-redis", fake_redis_cycle, f);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(f->co));
}

static void fake_redis_stop(FakeRedis *f)
{
    srs_coroutine_free(f->co);
    srs_st_close(f->lfd);
}

// Counts its wake-ups: proof the other coroutines ran while the client parsed.
struct Ticker {
    int ticks = 0;
    srs_coroutine_t *co = NULL;
};

static srs_error_t ticker_cycle(void *arg)
{
    Ticker *t = (Ticker *)arg;
    for (;;) {
        srs_error_t err = srs_st_usleep(SRS_UTIME_MILLISECONDS);
        if (err) return err;
        t->ticks++;
    }
}

TEST(ProtocolRespClientTest, ReplyBombClosesTheConnectionAndOthersKeepRunning)
{
    FakeRedis f;
    fake_redis_start(&f, FAKE_BOMB, true);
    Ticker t;
    t.co = srs_coroutine_new("ticker", ticker_cycle, &t);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(t.co));

    uint64_t too_large = srs_resp_stats()->reply_too_large;
    srs_resp_client_t *c = new_client(f.port, "", 0, 5 * SRS_UTIME_SECONDS);
    srs_utime_t start = srs_time_now();
    srs_error_t err = srs_resp_client_connect(c);
    EXPECT_EQ(ERROR_REDIS, srs_error_code(err));
    srs_error_free(err);
    EXPECT_LT(srs_time_now() - start, 3 * SRS_UTIME_SECONDS);
    EXPECT_EQ(too_large + 1, srs_resp_stats()->reply_too_large);
    EXPECT_FALSE(srs_resp_client_is_up(c));
    // The reader yielded after every read: the ticker ran meanwhile.
    EXPECT_GT(t.ticks, 0);

    srs_resp_client_free(c);
    srs_coroutine_free(t.co);
    fake_redis_stop(&f);
    HELPER_EXPECT_SUCCESS(srs_st_usleep(SRS_UTIME_MILLISECONDS));
}

TEST(ProtocolRespClientTest, TrickledReplyHitsTheExchangeDeadline)
{
    FakeRedis f;
    fake_redis_start(&f, FAKE_TRICKLE, false);
    srs_resp_client_t *c = new_client(f.port, "", 0, 400 * SRS_UTIME_MILLISECONDS);
    HELPER_EXPECT_SUCCESS(srs_resp_client_connect(c));
    uint64_t deadline = srs_resp_stats()->deadline;
    srs_utime_t start = srs_time_now();
    srs_resp_reply_t *r = NULL;
    srs_error_t err = srs_resp_client_command(c, &r, "GET", "k", NULL);
    srs_utime_t took = srs_time_now() - start;
    EXPECT_EQ(ERROR_SYSTEM_TIMEOUT, srs_error_code(err));
    srs_error_free(err);
    EXPECT_TRUE(r == NULL);
    // Reads each got a byte within 50 ms: only the whole-exchange deadline (400 ms) ended it.
    EXPECT_GE(took, 350 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(took, 1500 * SRS_UTIME_MILLISECONDS);
    EXPECT_EQ(deadline + 1, srs_resp_stats()->deadline);
    srs_resp_client_free(c);
    fake_redis_stop(&f);
    HELPER_EXPECT_SUCCESS(srs_st_usleep(SRS_UTIME_MILLISECONDS));
}

struct SlowCall {
    srs_resp_client_t *c;
    srs_error_t err = srs_success;
    bool done = false;
};

static srs_error_t slow_call_cycle(void *arg)
{
    SlowCall *s = (SlowCall *)arg;
    srs_resp_reply_t *r = NULL;
    s->err = srs_resp_client_command(s->c, &r, "GET", "k", NULL);
    srs_resp_reply_free(r);
    s->done = true;
    return srs_success;
}

// A Redis that accepts but never answers: fail-fast callers do not queue behind the stuck
// exchange, and once it failed they fail at once until the background reconnect.
TEST(ProtocolRespClientTest, FailFastCallersDoNotQueueBehindASilentRedis)
{
    FakeRedis f;
    fake_redis_start(&f, FAKE_SILENT, false);
    srs_resp_client_config_t cfg = {"127.0.0.1", f.port, "", 0, SRS_UTIME_SECONDS, 1500 * SRS_UTIME_MILLISECONDS, 0, 0, true};
    srs_resp_client_t *c = srs_resp_client_new(&cfg);
    HELPER_EXPECT_SUCCESS(srs_resp_client_connect(c));

    SlowCall s;
    s.c = c;
    srs_coroutine_t *co = srs_coroutine_new("slow", slow_call_cycle, &s);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
    HELPER_EXPECT_SUCCESS(srs_st_usleep(SRS_RESP_STUCK + 100 * SRS_UTIME_MILLISECONDS));
    EXPECT_FALSE(s.done);

    uint64_t fast = srs_resp_stats()->fail_fast;
    srs_utime_t start = srs_time_now();
    srs_resp_reply_t *r = NULL;
    srs_error_t err = srs_resp_client_command(c, &r, "GET", "k2", NULL);
    EXPECT_EQ(ERROR_REDIS, srs_error_code(err));
    srs_error_free(err);
    EXPECT_LT(srs_time_now() - start, 50 * SRS_UTIME_MILLISECONDS);
    EXPECT_EQ(fast + 1, srs_resp_stats()->fail_fast);

    for (int i = 0; i < 30 && !s.done; i++) HELPER_EXPECT_SUCCESS(srs_st_usleep(100 * SRS_UTIME_MILLISECONDS));
    ASSERT_TRUE(s.done);
    EXPECT_EQ(ERROR_SYSTEM_TIMEOUT, srs_error_code(s.err));
    srs_error_free(s.err);
    EXPECT_FALSE(srs_resp_client_is_up(c));

    // Down: refused at once, no connect attempt from a caller.
    start = srs_time_now();
    err = srs_resp_client_command(c, &r, "GET", "k3", NULL);
    EXPECT_EQ(ERROR_REDIS, srs_error_code(err));
    srs_error_free(err);
    EXPECT_LT(srs_time_now() - start, 50 * SRS_UTIME_MILLISECONDS);

    srs_coroutine_free(co);
    srs_resp_client_free(c);
    fake_redis_stop(&f);
    // Joined coroutines free their last bits when they next run: let them.
    HELPER_EXPECT_SUCCESS(srs_st_usleep(SRS_UTIME_MILLISECONDS));
}
