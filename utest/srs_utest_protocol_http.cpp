// SPDX-License-Identifier: MIT
// HTTP/1.x: the pure parsers and decoders, then server and client over real loopback sockets.
#include "srs_utest.h"

#include <string.h>
#include <string>
#include <vector>

extern "C" {
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_http.h"
#include "srs_protocol_st.h"
#include "srs_protocol_tcp_server.h"
}

// ---- pure parsing helpers ----

static srs_error_t parse_req(const std::string &head, srs_http_request_t *req)
{
    return srs_http_parse_request_head(head.data(), head.size(), req);
}

// The code a request head fails with (0 when it parses).
static int req_code(const std::string &head)
{
    srs_http_request_t req;
    srs_error_t err = parse_req(head, &req);
    int code = srs_error_code(err);
    srs_error_free(err);
    srs_http_request_free(&req);
    return code;
}

static int res_code(const std::string &head)
{
    srs_http_response_t res;
    srs_error_t err = srs_http_parse_response_head(head.data(), head.size(), &res);
    int code = srs_error_code(err);
    srs_error_free(err);
    srs_http_response_free(&res);
    return code;
}

TEST(ProtocolHttpHeadersTest, AddGetSetDelIgnoreCase)
{
    srs_http_headers_t h = {};
    srs_http_headers_add(&h, "Content-Type", "text/plain");
    srs_http_headers_add(&h, "X-A", "1");
    srs_http_headers_add(&h, "x-a", "2");
    EXPECT_STREQ("text/plain", srs_http_headers_get(&h, "content-type"));
    EXPECT_STREQ("1", srs_http_headers_get(&h, "X-a"));
    EXPECT_TRUE(srs_http_headers_get(&h, "X-B") == NULL);

    srs_http_headers_set(&h, "X-A", "3");
    EXPECT_EQ(2, h.count);
    EXPECT_STREQ("3", srs_http_headers_get(&h, "x-a"));

    // Setting from a value the list itself owns must not read freed memory.
    srs_http_headers_set(&h, "X-A", h.items[1].value);
    EXPECT_STREQ("3", srs_http_headers_get(&h, "X-A"));

    srs_http_headers_del(&h, "CONTENT-TYPE");
    EXPECT_EQ(1, h.count);
    EXPECT_TRUE(srs_http_headers_get(&h, "Content-Type") == NULL);

    srs_http_headers_free(&h);
    EXPECT_EQ(0, h.count);
    EXPECT_TRUE(h.items == NULL);
}

TEST(ProtocolHttpHeadersTest, HasTokenInCommaLists)
{
    srs_http_headers_t h = {};
    srs_http_headers_add(&h, "Connection", "Upgrade , Keep-Alive");
    srs_http_headers_add(&h, "connection", "x");
    EXPECT_TRUE(srs_http_headers_has_token(&h, "Connection", "keep-alive"));
    EXPECT_TRUE(srs_http_headers_has_token(&h, "Connection", "upgrade"));
    EXPECT_TRUE(srs_http_headers_has_token(&h, "Connection", "X"));
    EXPECT_FALSE(srs_http_headers_has_token(&h, "Connection", "close"));
    EXPECT_FALSE(srs_http_headers_has_token(&h, "Connection", "keep"));
    srs_http_headers_free(&h);
}

TEST(ProtocolHttpParseTest, ValidRequest)
{
    srs_http_request_t req;
    HELPER_EXPECT_SUCCESS(parse_req("POST /rtc/v1/whep/?app=live&stream=s HTTP/1.1\r\n"
                                    "Host: 127.0.0.1:11985\r\n"
                                    "Content-Type:  application/sdp  \r\n"
                                    "Content-Length: 12\r\n"
                                    "\r\n", &req));
    EXPECT_STREQ("POST", req.method);
    EXPECT_STREQ("/rtc/v1/whep/?app=live&stream=s", req.target);
    EXPECT_STREQ("/rtc/v1/whep/", req.path);
    EXPECT_STREQ("app=live&stream=s", req.query);
    EXPECT_EQ(1, req.version_minor);
    EXPECT_EQ(3, req.headers.count);
    EXPECT_STREQ("application/sdp", srs_http_headers_get(&req.headers, "content-type"));
    EXPECT_EQ(12, req.content_length);
    EXPECT_FALSE(req.chunked);
    EXPECT_TRUE(req.keep_alive);
    srs_http_request_free(&req);
    EXPECT_TRUE(req.target == NULL);
    EXPECT_EQ(-1, req.content_length);
}

TEST(ProtocolHttpParseTest, PathIsDecodedQueryIsRaw)
{
    srs_http_request_t req;
    HELPER_EXPECT_SUCCESS(parse_req("GET /live/a%20b+c.flv?x=1%202&y=%2B HTTP/1.0\r\n\r\n", &req));
    EXPECT_STREQ("/live/a b+c.flv", req.path);
    EXPECT_STREQ("x=1%202&y=%2B", req.query);
    EXPECT_EQ(-1, req.content_length);
    srs_http_request_free(&req);

    HELPER_EXPECT_SUCCESS(parse_req("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n", &req));
    EXPECT_STREQ("", req.query);
    srs_http_request_free(&req);

    // Absolute-form: the path is what follows the authority.
    HELPER_EXPECT_SUCCESS(parse_req("GET http://example.com:8080/live/s.m3u8?t=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", &req));
    EXPECT_STREQ("/live/s.m3u8", req.path);
    EXPECT_STREQ("t=1", req.query);
    srs_http_request_free(&req);

    HELPER_EXPECT_SUCCESS(parse_req("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &req));
    EXPECT_STREQ("*", req.path);
    srs_http_request_free(&req);
}

TEST(ProtocolHttpParseTest, LoneLfEndsLines)
{
    srs_http_request_t req;
    HELPER_EXPECT_SUCCESS(parse_req("GET /a HTTP/1.1\nHost: x\nX-Y: z\n\n", &req));
    EXPECT_STREQ("z", srs_http_headers_get(&req.headers, "x-y"));
    srs_http_request_free(&req);
}

TEST(ProtocolHttpParseTest, KeepAliveRules)
{
    struct { const char *head; bool keep_alive; } cases[] = {
        {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n", false},
        {"GET / HTTP/1.0\r\n\r\n", false},
        {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
        {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false},
    };
    for (auto &c : cases) {
        srs_http_request_t req;
        HELPER_EXPECT_SUCCESS(parse_req(c.head, &req));
        EXPECT_EQ(c.keep_alive, req.keep_alive) << c.head;
        srs_http_request_free(&req);
    }
}

TEST(ProtocolHttpParseTest, FramingHeaders)
{
    srs_http_request_t req;
    HELPER_EXPECT_SUCCESS(parse_req("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", &req));
    EXPECT_TRUE(req.chunked);
    EXPECT_EQ(-1, req.content_length);
    srs_http_request_free(&req);

    // The same length repeated is one length.
    HELPER_EXPECT_SUCCESS(parse_req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 5, 5\r\n\r\n", &req));
    EXPECT_EQ(5, req.content_length);
    srs_http_request_free(&req);

    HELPER_EXPECT_SUCCESS(parse_req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n", &req));
    EXPECT_EQ(INT64_MAX, req.content_length);
    srs_http_request_free(&req);
}

TEST(ProtocolHttpParseTest, RejectsMalformedRequests)
{
    const char *bad[] = {
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  folded\r\n\r\n",             // obs-fold
        "GET / HTTP/1.1\r\n Host: a\r\n\r\n",                                  // leading space
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n\r\n",                      // bare CR in a value
        "GET / HTTP/1.1\rHost: a\r\n\r\n",                                     // bare CR ending a line
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",                                  // space in a name
        "GET / HTTP/1.1\r\nHost: a\r\nX A: 1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n",                        // empty name
        "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", // overflow
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.2\r\nHost: a\r\n\r\n",
        "GET / http/1.1\r\nHost: a\r\n\r\n",
        "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n",
        "GET /\r\n\r\n",
        "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
        "LONGERTHANFIFTEEN / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",                                              // no Host in 1.1
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a%0 HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a%0d%0aSet-Cookie:x HTTP/1.1\r\nHost: a\r\n\r\n",                // encoded CRLF in the path
        "GET /a%09b HTTP/1.1\r\nHost: a\r\n\r\n",
        "CONNECT example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n",                                       // no blank line
        "GET / HTTP/1.1\r\nHost: a\r\n\r\nbody",                               // bytes after the head
        "",
    };
    for (const char *head : bad) {
        EXPECT_EQ(ERROR_HTTP_PARSE, req_code(head)) << head;
    }
    // NUL and DEL are not field characters.
    EXPECT_EQ(ERROR_HTTP_PARSE, req_code(std::string("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 29)));
    EXPECT_EQ(ERROR_HTTP_PARSE, req_code("GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n"));
    EXPECT_EQ(ERROR_HTTP_PARSE, req_code("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n"));
}

TEST(ProtocolHttpParseTest, Limits)
{
    // The request line may be SRS_HTTP_MAX_LINE bytes, not one more.
    std::string prefix = "GET /", suffix = " HTTP/1.1";
    std::string fits(SRS_HTTP_MAX_LINE - prefix.size() - suffix.size(), 'a');
    EXPECT_EQ(0, req_code(prefix + fits + suffix + "\r\nHost: a\r\n\r\n"));
    EXPECT_EQ(ERROR_HTTP_URI_TOO_LONG, req_code(prefix + fits + "b" + suffix + "\r\nHost: a\r\n\r\n"));

    std::string head = "GET / HTTP/1.1\r\nHost: a\r\n";
    std::string line = "X-Pad: " + std::string(1000, 'p') + "\r\n";
    while (head.size() + line.size() + 2 <= SRS_HTTP_MAX_HEAD) head += line;
    EXPECT_EQ(0, req_code(head + "\r\n"));
    EXPECT_EQ(ERROR_HTTP_HEADERS_TOO_LARGE, req_code(head + line + "\r\n"));
    EXPECT_EQ(ERROR_HTTP_HEADERS_TOO_LARGE, res_code("HTTP/1.1 200 OK\r\n" + head.substr(16) + line + "\r\n"));
}

TEST(ProtocolHttpParseTest, ValidResponses)
{
    srs_http_response_t res;
    std::string head = "HTTP/1.1 201 Created Here\r\nContent-Length: 7\r\nLocation: /s\r\n\r\n";
    HELPER_EXPECT_SUCCESS(srs_http_parse_response_head(head.data(), head.size(), &res));
    EXPECT_EQ(201, res.status);
    EXPECT_STREQ("Created Here", res.reason);
    EXPECT_EQ(1, res.version_minor);
    EXPECT_EQ(7, res.content_length);
    EXPECT_TRUE(res.keep_alive);
    EXPECT_STREQ("/s", srs_http_headers_get(&res.headers, "location"));
    srs_http_response_free(&res);

    head = "HTTP/1.0 204\r\n\r\n";
    HELPER_EXPECT_SUCCESS(srs_http_parse_response_head(head.data(), head.size(), &res));
    EXPECT_EQ(204, res.status);
    EXPECT_STREQ("", res.reason);
    EXPECT_FALSE(res.keep_alive);
    EXPECT_EQ(-1, res.content_length);
    srs_http_response_free(&res);

    head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    HELPER_EXPECT_SUCCESS(srs_http_parse_response_head(head.data(), head.size(), &res));
    EXPECT_TRUE(res.chunked);
    EXPECT_FALSE(res.keep_alive);
    srs_http_response_free(&res);
}

TEST(ProtocolHttpParseTest, RejectsMalformedResponses)
{
    const char *bad[] = {
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 abc OK\r\n\r\n",
        "HTTP/1.1 099 OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
        "HTTP/1.1 200 O\rK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\n",
    };
    for (const char *head : bad) {
        EXPECT_EQ(ERROR_HTTP_PARSE, res_code(head)) << head;
    }
}

// ---- chunked decoder ----

// Decodes everything, feeding step bytes at a time into an output of out_size.
static srs_error_t decode_chunked(const std::string &in, size_t step, size_t out_size, std::string *out, size_t *used)
{
    srs_http_chunked_t d;
    srs_http_chunked_init(&d);
    std::vector<char> buf(out_size);
    size_t pos = 0;
    while (!srs_http_chunked_done(&d) && pos < in.size()) {
        size_t avail = std::min(step, in.size() - pos), consumed = 0, produced = 0;
        srs_error_t err = srs_http_chunked_decode(&d, in.data() + pos, avail, &consumed, buf.data(), buf.size(), &produced);
        if (err) return err;
        out->append(buf.data(), produced);
        pos += consumed;
        if (!consumed && !produced) break;
    }
    *used = pos;
    if (!srs_http_chunked_done(&d)) return srs_error_new(ERROR_SYSTEM_EOF, "incomplete");
    return srs_success;
}

TEST(ProtocolHttpChunkedTest, DecodesWholeOrByteByByte)
{
    std::string body = "5\r\nhello\r\n6;name=v;x\r\n world\r\n00a\t \r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\nNEXT";
    for (size_t step : {body.size(), (size_t)1, (size_t)3}) {
        for (size_t out_size : {(size_t)1, (size_t)4, (size_t)100}) {
            std::string out;
            size_t used = 0;
            HELPER_EXPECT_SUCCESS(decode_chunked(body, step, out_size, &out, &used));
            EXPECT_EQ("hello world0123456789", out);
            // The bytes after the body belong to the next message.
            EXPECT_EQ(body.size() - 4, used);
        }
    }
    std::string out;
    size_t used = 0;
    HELPER_EXPECT_SUCCESS(decode_chunked("3\nabc\n0\n\n", 2, 8, &out, &used));
    EXPECT_EQ("abc", out);
}

TEST(ProtocolHttpChunkedTest, RejectsMalformed)
{
    const char *bad[] = {
        "\r\n",                                  // no size
        "x\r\n",
        "5\r\nhelloX\r\n0\r\n\r\n",              // data longer than its size
        "5\r\nhello\rX",                         // bare CR after data
        "5\rX",                                  // bare CR in the size line
        "5 x\r\n",
        "10000000000000000\r\n",                 // 2^64
        "8000000000000000\r\n",                  // 2^63: over INT64_MAX
        "0\r\nX-T: a\rb\r\n\r\n",                // bare CR in a trailer
        "0\r\n\rX",
        "1;\x01\r\n",
    };
    for (const char *in : bad) {
        std::string out;
        size_t used = 0;
        srs_error_t err = decode_chunked(in, 1, 16, &out, &used);
        EXPECT_EQ(ERROR_HTTP_PARSE, srs_error_code(err)) << in;
        srs_error_free(err);
    }
    // The largest size is accepted (the body simply is not there).
    std::string out;
    size_t used = 0;
    srs_error_t err = decode_chunked("7fffffffffffffff\r\nab", 64, 16, &out, &used);
    EXPECT_EQ(ERROR_SYSTEM_EOF, srs_error_code(err));
    EXPECT_EQ("ab", out);
    srs_error_free(err);
    // Extensions are bounded.
    err = decode_chunked("1;" + std::string(5000, 'e') + "\r\na\r\n0\r\n\r\n", 512, 16, &out, &used);
    EXPECT_EQ(ERROR_HTTP_PARSE, srs_error_code(err));
    srs_error_free(err);
}

// ---- URLs ----

TEST(ProtocolHttpUrlTest, QueryGet)
{
    const char *q = "app=live&stream=s%20x&flag&empty=&name=a+b&a%62c=1&dup=1&dup=2&bad=%zz";
    char v[64];
    EXPECT_TRUE(srs_http_query_get(q, "app", v, sizeof(v)));
    EXPECT_STREQ("live", v);
    EXPECT_TRUE(srs_http_query_get(q, "stream", v, sizeof(v)));
    EXPECT_STREQ("s x", v);
    EXPECT_TRUE(srs_http_query_get(q, "flag", v, sizeof(v)));
    EXPECT_STREQ("", v);
    EXPECT_TRUE(srs_http_query_get(q, "empty", v, sizeof(v)));
    EXPECT_STREQ("", v);
    EXPECT_TRUE(srs_http_query_get(q, "name", v, sizeof(v)));
    EXPECT_STREQ("a b", v);
    EXPECT_TRUE(srs_http_query_get(q, "abc", v, sizeof(v)));
    EXPECT_STREQ("1", v);
    EXPECT_TRUE(srs_http_query_get(q, "dup", v, sizeof(v)));
    EXPECT_STREQ("1", v);
    EXPECT_FALSE(srs_http_query_get(q, "bad", v, sizeof(v)));
    EXPECT_FALSE(srs_http_query_get("stream=a%0d%0ab", "stream", v, sizeof(v)));
    EXPECT_STREQ("", v);
    EXPECT_FALSE(srs_http_query_get(q, "missing", v, sizeof(v)));
    EXPECT_STREQ("", v);
    EXPECT_FALSE(srs_http_query_get(q, "ap", v, sizeof(v)));
    EXPECT_FALSE(srs_http_query_get(NULL, "app", v, sizeof(v)));
    EXPECT_FALSE(srs_http_query_get("", "app", v, sizeof(v)));
    char small[4];
    EXPECT_FALSE(srs_http_query_get(q, "app", small, sizeof(small)));
    EXPECT_TRUE(srs_http_query_get("stream=abc", "stream", small, sizeof(small)));
    EXPECT_STREQ("abc", small);
}

TEST(ProtocolHttpUrlTest, UrlDecode)
{
    char out[32];
    EXPECT_TRUE(srs_http_url_decode("/a%2Fb%e4+c", 11, out, sizeof(out)));
    EXPECT_STREQ("/a/b\xe4+c", out);
    EXPECT_TRUE(srs_http_url_decode("abcdef", 3, out, sizeof(out)));
    EXPECT_STREQ("abc", out);
    EXPECT_FALSE(srs_http_url_decode("%4", 2, out, sizeof(out)));
    EXPECT_FALSE(srs_http_url_decode("%g0", 3, out, sizeof(out)));
    EXPECT_FALSE(srs_http_url_decode("a%00", 4, out, sizeof(out)));
    EXPECT_FALSE(srs_http_url_decode("abcd", 4, out, 4));
    EXPECT_TRUE(srs_http_url_decode("abcd", 4, out, 5));
    EXPECT_FALSE(srs_http_url_decode("", 0, out, 0));
}

TEST(ProtocolHttpUrlTest, StatusTextAndErrorStatus)
{
    EXPECT_STREQ("OK", srs_http_status_text(200));
    EXPECT_STREQ("Not Found", srs_http_status_text(404));
    EXPECT_STREQ("Request Header Fields Too Large", srs_http_status_text(431));
    EXPECT_STREQ("Unknown", srs_http_status_text(299));

    struct { int code; int status; } cases[] = {
        {ERROR_HTTP_PARSE, 400}, {ERROR_SYSTEM_TIMEOUT, 408}, {ERROR_HTTP_TOO_LARGE, 413},
        {ERROR_HTTP_URI_TOO_LONG, 414}, {ERROR_HTTP_HEADERS_TOO_LARGE, 431},
        {ERROR_SYSTEM_EOF, 0}, {ERROR_SYSTEM_IO, 0}, {ERROR_SYSTEM_INTERRUPTED, 0},
    };
    for (auto &c : cases) {
        srs_error_t err = srs_error_wrap(srs_error_new(c.code, "cause"), "outer");
        EXPECT_EQ(c.status, srs_http_status_of_error(err)) << c.code;
        srs_error_free(err);
    }
    EXPECT_EQ(0, srs_http_status_of_error(srs_success));
}

// ---- end to end over loopback ----

// A server coroutine that accepts connections one after another and serves each with
// srs_http_serve_conn.
class TestHttpServer
{
public:
    srs_http_server_opts_t opts = {};
    int port = 0;
    int accepted = 0;
    int served = 0;
    int last_code = 0;
    int handled = 0;

    explicit TestHttpServer(srs_http_handler_fn handler) : handler_(handler)
    {
        HELPER_EXPECT_SUCCESS(srs_tcp_listen("127.0.0.1", 0, &lfd_));
        srs_sockaddr_t addr;
        HELPER_EXPECT_SUCCESS(srs_socket_local_addr(lfd_, &addr));
        port = srs_sockaddr_port(&addr);
    }
    ~TestHttpServer()
    {
        srs_coroutine_free(co_);
        srs_st_close(lfd_);
    }
    void start()
    {
        co_ = srs_coroutine_new("http-test", cycle, this);
        HELPER_EXPECT_SUCCESS(srs_coroutine_start(co_));
    }

private:
    static srs_error_t cycle(void *arg)
    {
        TestHttpServer *s = (TestHttpServer *)arg;
        for (;;) {
            srs_error_t err = srs_coroutine_pull_self();
            if (err) return err;
            st_netfd_t fd = NULL;
            if ((err = srs_st_accept(s->lfd_, &fd, NULL, SRS_UTIME_NO_TIMEOUT)) != srs_success) return err;
            s->accepted++;
            err = srs_http_serve_conn(fd, &s->opts, s->handler_, s);
            s->last_code = srs_error_code(err);
            s->served++;
            srs_error_free(err);
            srs_st_close(fd);
        }
    }
    srs_http_handler_fn handler_;
    st_netfd_t lfd_ = NULL;
    srs_coroutine_t *co_ = NULL;
};

static srs_error_t test_handler(void *ctx, srs_http_conn_t *c, srs_http_request_t *req)
{
    TestHttpServer *s = (TestHttpServer *)ctx;
    s->handled++;
    std::string path = req->path;
    if (path == "/hello") {
        char name[32];
        if (!srs_http_query_get(req->query, "name", name, sizeof(name))) snprintf(name, sizeof(name), "world");
        std::string body = std::string("hello ") + name;
        srs_http_headers_t h = {};
        srs_http_headers_add(&h, "Content-Type", "text/plain");
        srs_error_t err = srs_http_write_response(c, 200, &h, body.data(), body.size());
        srs_http_headers_free(&h);
        return err;
    }
    if (path == "/echo" || path == "/small") {
        char *body = NULL;
        size_t len = 0;
        srs_error_t err = srs_http_read_body_all(c, path == "/small" ? 8 : 64 * 1024, &body, &len);
        if (err) {
            srs_error_t werr = srs_http_write_error(c, srs_http_status_of_error(err), srs_error_code(err), "read body");
            srs_error_free(werr);
            return srs_error_wrap(err, "echo");
        }
        srs_http_headers_t h = {};
        srs_http_headers_add(&h, "X-Method", req->method);
        err = srs_http_write_response(c, 200, &h, body, len);
        srs_http_headers_free(&h);
        free(body);
        return err;
    }
    if (path == "/stream") {
        srs_http_headers_t h = {};
        srs_http_headers_add(&h, "Content-Type", "video/x-flv");
        srs_error_t err = srs_http_write_stream_head(c, 200, &h);
        srs_http_headers_free(&h);
        const char *parts[] = {"FLV", "", "data1", "tail"};
        for (const char *p : parts) {
            if (!err) err = srs_http_write_stream_data(c, p, strlen(p));
        }
        // The server loop ends the stream.
        return err;
    }
    if (path == "/fail") {
        return srs_error_new(ERROR_ORIGIN_NONE, "no origin");
    }
    if (path == "/silent") {
        return srs_success;
    }
    return srs_http_write_error(c, 404, ERROR_HTTP_NOT_FOUND, "not \"found\"");
}

static const srs_utime_t kIoTimeout = 3 * SRS_UTIME_SECONDS;

static std::string client_body(srs_http_client_t *client)
{
    char *body = NULL;
    size_t len = 0;
    srs_error_t err = srs_http_read_body_all(client->conn, 1024 * 1024, &body, &len);
    EXPECT_TRUE(err == srs_success) << srs_error_desc(err);
    srs_error_free(err);
    std::string s(body ? body : "", len);
    free(body);
    return s;
}

// A raw TCP peer, to send exactly the bytes a test needs.
class RawPeer
{
public:
    explicit RawPeer(int port) { HELPER_EXPECT_SUCCESS(srs_tcp_connect("127.0.0.1", port, kIoTimeout, &fd_)); }
    ~RawPeer() { srs_st_close(fd_); }
    void send(const std::string &bytes) { HELPER_EXPECT_SUCCESS(srs_st_write(fd_, bytes.data(), bytes.size(), kIoTimeout)); }
    // Reads until text appears in what was received (true), or EOF/timeout (false).
    bool read_until(const std::string &text, srs_utime_t timeout = kIoTimeout)
    {
        while (got.find(text) == std::string::npos) {
            if (!read_some(timeout)) return false;
        }
        return true;
    }
    // Reads until the peer closes; the error code that ended it.
    int read_to_end(srs_utime_t timeout = kIoTimeout)
    {
        while (read_some(timeout)) {
        }
        return last_code;
    }
    std::string got;
    int last_code = 0;

private:
    bool read_some(srs_utime_t timeout)
    {
        char buf[4096];
        size_t n = 0;
        srs_error_t err = srs_st_read(fd_, buf, sizeof(buf), timeout, &n);
        if (err) {
            last_code = srs_error_code(err);
            srs_error_free(err);
            return false;
        }
        got.append(buf, n);
        return true;
    }
    st_netfd_t fd_ = NULL;
};

TEST(ProtocolHttpE2eTest, KeepAliveServesTwoRequestsOnOneConnection)
{
    TestHttpServer server(test_handler);
    server.start();

    srs_http_client_t *client = NULL;
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", server.port, "GET", "/hello", NULL, NULL, 0,
                                             kIoTimeout, kIoTimeout, &client));
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(200, client->res.status);
    EXPECT_STREQ("OK", client->res.reason);
    EXPECT_TRUE(client->res.keep_alive);
    EXPECT_STREQ(SRS_PROXY_SERVER, srs_http_headers_get(&client->res.headers, "Server"));
    EXPECT_TRUE(srs_http_headers_get(&client->res.headers, "Date") != NULL);
    EXPECT_STREQ("text/plain", srs_http_headers_get(&client->res.headers, "Content-Type"));
    EXPECT_EQ(11, client->res.content_length);
    EXPECT_EQ("hello world", client_body(client));

    HELPER_EXPECT_SUCCESS(srs_http_client_request(client, "GET", "/hello?name=srs", NULL, NULL, 0));
    EXPECT_EQ(200, client->res.status);
    EXPECT_EQ("hello srs", client_body(client));
    srs_http_client_close(client);

    st_usleep(10 * 1000);
    EXPECT_EQ(1, server.accepted);
    EXPECT_EQ(2, server.handled);
    EXPECT_EQ(1, server.served);
    EXPECT_EQ(0, server.last_code); // the client closed between requests: a normal end
}

TEST(ProtocolHttpE2eTest, PostWithContentLength)
{
    TestHttpServer server(test_handler);
    server.start();

    std::string body = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n";
    srs_http_headers_t h = {};
    srs_http_headers_add(&h, "Content-Type", "application/sdp");
    srs_http_client_t *client = NULL;
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", server.port, "POST", "/echo?x=1", &h, body.data(),
                                             body.size(), kIoTimeout, kIoTimeout, &client));
    srs_http_headers_free(&h);
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(200, client->res.status);
    EXPECT_STREQ("POST", srs_http_headers_get(&client->res.headers, "X-Method"));
    EXPECT_EQ(body, client_body(client));

    // An empty POST still says Content-Length: 0, so the server does not wait for a body.
    HELPER_EXPECT_SUCCESS(srs_http_client_request(client, "POST", "/echo", NULL, NULL, 0));
    EXPECT_EQ(200, client->res.status);
    EXPECT_EQ("", client_body(client));
    srs_http_client_close(client);
}

TEST(ProtocolHttpE2eTest, ChunkedRequestBodyIsDecoded)
{
    TestHttpServer server(test_handler);
    server.start();

    RawPeer peer(server.port);
    peer.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
              "5\r\nhello\r\n6;ext=1\r\n world\r\n");
    st_usleep(20 * 1000);
    peer.send("0\r\nX-Trailer: y\r\n\r\n");
    peer.read_to_end();
    EXPECT_EQ(0u, peer.got.find("HTTP/1.1 200 OK\r\n")) << peer.got;
    EXPECT_NE(std::string::npos, peer.got.find("Content-Length: 11\r\n"));
    EXPECT_NE(std::string::npos, peer.got.find("Connection: close\r\n"));
    EXPECT_EQ("\r\n\r\nhello world", peer.got.substr(peer.got.size() - 15));
}

TEST(ProtocolHttpE2eTest, PipelinedRequestsAnsweredInOrder)
{
    TestHttpServer server(test_handler);
    server.start();

    RawPeer peer(server.port);
    peer.send("\r\nGET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\n"
              "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz"
              "GET /hello?name=b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    peer.read_to_end();
    size_t a = peer.got.find("hello a"), xyz = peer.got.find("xyz"), b = peer.got.find("hello b");
    ASSERT_NE(std::string::npos, a) << peer.got;
    ASSERT_NE(std::string::npos, xyz);
    ASSERT_NE(std::string::npos, b);
    EXPECT_LT(a, xyz);
    EXPECT_LT(xyz, b);
}

TEST(ProtocolHttpE2eTest, StreamingResponseIsChunkedFor11)
{
    TestHttpServer server(test_handler);
    server.start();

    srs_http_client_t *client = NULL;
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", server.port, "GET", "/stream", NULL, NULL, 0,
                                             kIoTimeout, kIoTimeout, &client));
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(200, client->res.status);
    EXPECT_TRUE(client->res.chunked);
    EXPECT_EQ(-1, client->res.content_length);
    EXPECT_STREQ("video/x-flv", srs_http_headers_get(&client->res.headers, "Content-Type"));
    // Small reads cross chunk boundaries.
    std::string body;
    char buf[3];
    for (;;) {
        size_t n = 0;
        HELPER_EXPECT_SUCCESS(srs_http_read_body(client->conn, buf, sizeof(buf), &n));
        if (!n) break;
        body.append(buf, n);
    }
    EXPECT_EQ("FLVdata1tail", body);
    EXPECT_TRUE(srs_http_body_eof(client->conn));
    // The connection stays usable after the stream ended.
    HELPER_EXPECT_SUCCESS(srs_http_client_request(client, "GET", "/hello", NULL, NULL, 0));
    EXPECT_EQ("hello world", client_body(client));
    srs_http_client_close(client);
}

TEST(ProtocolHttpE2eTest, StreamingResponseUntilCloseFor10)
{
    TestHttpServer server(test_handler);
    server.start();

    RawPeer peer(server.port);
    peer.send("GET /stream HTTP/1.0\r\n\r\n");
    EXPECT_EQ(ERROR_SYSTEM_EOF, peer.read_to_end());
    EXPECT_EQ(0u, peer.got.find("HTTP/1.0 200 OK\r\n")) << peer.got;
    EXPECT_EQ(std::string::npos, peer.got.find("Transfer-Encoding"));
    EXPECT_EQ(std::string::npos, peer.got.find("Content-Length"));
    EXPECT_NE(std::string::npos, peer.got.find("Connection: close\r\n"));
    EXPECT_EQ("\r\n\r\nFLVdata1tail", peer.got.substr(peer.got.size() - 16));
}

TEST(ProtocolHttpE2eTest, Http10KeepAliveAndHead)
{
    TestHttpServer server(test_handler);
    server.start();

    RawPeer peer(server.port);
    peer.send("HEAD /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ASSERT_TRUE(peer.read_until("\r\n\r\n"));
    EXPECT_EQ(0u, peer.got.find("HTTP/1.0 200 OK\r\n")) << peer.got;
    EXPECT_NE(std::string::npos, peer.got.find("Connection: keep-alive\r\n"));
    EXPECT_NE(std::string::npos, peer.got.find("Content-Length: 11\r\n"));
    // HEAD: no body, and the connection is still open for the next request.
    peer.send("GET /hello HTTP/1.0\r\n\r\n");
    peer.read_to_end();
    size_t second = peer.got.find("HTTP/1.0 200 OK\r\n", 1);
    ASSERT_NE(std::string::npos, second) << peer.got;
    EXPECT_EQ("\r\n\r\n", peer.got.substr(second - 4, 4));
    EXPECT_EQ(peer.got.find("hello world"), peer.got.rfind("hello world"));
    EXPECT_EQ("\r\n\r\nhello world", peer.got.substr(peer.got.size() - 15));
    EXPECT_EQ(2, server.handled);
}

TEST(ProtocolHttpE2eTest, ExpectContinueGetsInterimResponse)
{
    TestHttpServer server(test_handler);
    server.start();

    RawPeer peer(server.port);
    peer.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    ASSERT_TRUE(peer.read_until("\r\n\r\n"));
    EXPECT_EQ("HTTP/1.1 100 Continue\r\n\r\n", peer.got);
    peer.send("ping");
    ASSERT_TRUE(peer.read_until("ping"));
    EXPECT_NE(std::string::npos, peer.got.find("HTTP/1.1 200 OK\r\n"));
}

TEST(ProtocolHttpE2eTest, OversizedHeadGets431)
{
    TestHttpServer server(test_handler);
    server.start();

    srs_http_headers_t h = {};
    for (int i = 0; i < 40; i++) srs_http_headers_add(&h, ("X-Pad-" + std::to_string(i)).c_str(), std::string(1000, 'p').c_str());
    srs_http_client_t *client = NULL;
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", server.port, "GET", "/hello", &h, NULL, 0,
                                             kIoTimeout, kIoTimeout, &client));
    srs_http_headers_free(&h);
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(431, client->res.status);
    EXPECT_FALSE(client->res.keep_alive);
    EXPECT_EQ("{\"code\":4003,\"msg\":\"HTTP headers too large\"}", client_body(client));
    srs_http_client_close(client);
    st_usleep(10 * 1000);
    EXPECT_EQ(0, server.handled);
    EXPECT_EQ(ERROR_HTTP_HEADERS_TOO_LARGE, server.last_code);
}

TEST(ProtocolHttpE2eTest, LongUriGets414)
{
    TestHttpServer server(test_handler);
    server.start();

    std::string target = "/" + std::string(9000, 'u');
    srs_http_client_t *client = NULL;
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", server.port, "GET", target.c_str(), NULL, NULL, 0,
                                             kIoTimeout, kIoTimeout, &client));
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(414, client->res.status);
    EXPECT_NE(std::string::npos, client_body(client).find("\"code\":4002"));
    srs_http_client_close(client);
}

TEST(ProtocolHttpE2eTest, MalformedRequestGets400AndClose)
{
    TestHttpServer server(test_handler);
    server.start();

    RawPeer peer(server.port);
    peer.send("GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n");
    EXPECT_EQ(ERROR_SYSTEM_EOF, peer.read_to_end());
    EXPECT_EQ(0u, peer.got.find("HTTP/1.1 400 Bad Request\r\n")) << peer.got;
    EXPECT_NE(std::string::npos, peer.got.find("Content-Type: application/json\r\n"));
    EXPECT_NE(std::string::npos, peer.got.find("{\"code\":4000,"));
    EXPECT_EQ(0, server.handled);
}

TEST(ProtocolHttpE2eTest, TooLargeBodyGets413)
{
    TestHttpServer server(test_handler);
    server.start();

    // Known length: refused before reading.
    std::string body(100, 'b');
    srs_http_client_t *client = NULL;
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", server.port, "POST", "/small", NULL, body.data(), body.size(),
                                             kIoTimeout, kIoTimeout, &client));
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(413, client->res.status);
    EXPECT_NE(std::string::npos, client_body(client).find("\"code\":4001"));
    srs_http_client_close(client);

    // Chunked, so the length shows only while reading; exactly max bytes is fine.
    RawPeer ok(server.port);
    ok.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n8\r\n12345678\r\n0\r\n\r\n");
    ok.read_to_end();
    EXPECT_EQ(0u, ok.got.find("HTTP/1.1 200 OK\r\n")) << ok.got;
    RawPeer big(server.port);
    big.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n1\r\n9\r\n0\r\n\r\n");
    big.read_to_end();
    EXPECT_EQ(0u, big.got.find("HTTP/1.1 413 Request Entity Too Large\r\n")) << big.got;
    EXPECT_NE(std::string::npos, big.got.find("Connection: close\r\n"));
}

TEST(ProtocolHttpE2eTest, StalledHeadGets408)
{
    TestHttpServer server(test_handler);
    server.opts.head_timeout = 200 * SRS_UTIME_MILLISECONDS;
    server.start();

    RawPeer peer(server.port);
    srs_utime_t start = srs_time_now();
    peer.send("GET /hello HTTP/1.1\r\nHost: x\r\n");
    // A slow drip does not extend the deadline.
    for (int i = 0; i < 3; i++) {
        st_usleep(50 * 1000);
        peer.send("X-Drip: 1\r\n");
    }
    ASSERT_TRUE(peer.read_until("}", 2 * SRS_UTIME_SECONDS)) << peer.got;
    srs_utime_t elapsed = srs_time_now() - start;
    EXPECT_EQ(0u, peer.got.find("HTTP/1.1 408 Request Timeout\r\n")) << peer.got;
    EXPECT_GE(elapsed, 190 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(elapsed, 1000 * SRS_UTIME_MILLISECONDS);
    EXPECT_EQ(0, server.handled);
}

TEST(ProtocolHttpE2eTest, IdleConnectionClosedSilently)
{
    TestHttpServer server(test_handler);
    server.opts.idle_timeout = 150 * SRS_UTIME_MILLISECONDS;
    server.start();

    RawPeer peer(server.port);
    srs_utime_t start = srs_time_now();
    EXPECT_EQ(ERROR_SYSTEM_EOF, peer.read_to_end(2 * SRS_UTIME_SECONDS));
    EXPECT_EQ("", peer.got);
    EXPECT_LT(srs_time_now() - start, 1000 * SRS_UTIME_MILLISECONDS);
    st_usleep(10 * 1000);
    EXPECT_EQ(0, server.last_code);
}

TEST(ProtocolHttpE2eTest, HandlerResults)
{
    TestHttpServer server(test_handler);
    server.start();

    // A failing handler that did not answer: 500, and the connection closes.
    srs_http_client_t *client = NULL;
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", server.port, "GET", "/fail", NULL, NULL, 0,
                                             kIoTimeout, kIoTimeout, &client));
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(500, client->res.status);
    EXPECT_FALSE(client->res.keep_alive);
    EXPECT_NE(std::string::npos, client_body(client).find("\"code\":7001"));
    srs_http_client_close(client);
    st_usleep(10 * 1000);
    EXPECT_EQ(ERROR_ORIGIN_NONE, server.last_code);

    // A handler that answers nothing: an empty 200, as Go does.
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", server.port, "GET", "/silent", NULL, NULL, 0,
                                             kIoTimeout, kIoTimeout, &client));
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(200, client->res.status);
    EXPECT_EQ(0, client->res.content_length);
    // JSON error text is escaped.
    HELPER_EXPECT_SUCCESS(srs_http_client_request(client, "GET", "/nothing", NULL, NULL, 0));
    EXPECT_EQ(404, client->res.status);
    EXPECT_EQ("{\"code\":4005,\"msg\":\"not \\\"found\\\"\"}", client_body(client));
    srs_http_client_close(client);
}

TEST(ProtocolHttpE2eTest, ResponseHeadersCannotBeSplit)
{
    // A value with CRLF would let a peer-controlled string add headers: refused before writing.
    srs_http_headers_t h = {};
    srs_http_headers_add(&h, "Location", "/a\r\nSet-Cookie: x=1");
    srs_http_conn_t *c = srs_http_conn_new(NULL);
    HELPER_EXPECT_FAILED_CODE(srs_http_write_response(c, 200, &h, NULL, 0), ERROR_HTTP_PARSE);
    EXPECT_FALSE(srs_http_conn_responded(c));
    srs_http_headers_free(&h);
    srs_http_headers_add(&h, "Bad Name", "v");
    HELPER_EXPECT_FAILED_CODE(srs_http_write_response(c, 200, &h, NULL, 0), ERROR_HTTP_PARSE);
    srs_http_headers_free(&h);
    srs_http_conn_free(c);
}

TEST(ProtocolHttpE2eTest, ClientRequestNeedsBodyReadFirst)
{
    TestHttpServer server(test_handler);
    server.start();

    srs_http_client_t *client = NULL;
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", server.port, "GET", "/hello", NULL, NULL, 0,
                                             kIoTimeout, kIoTimeout, &client));
    ASSERT_TRUE(client != NULL);
    HELPER_EXPECT_FAILED_CODE(srs_http_client_request(client, "GET", "/hello", NULL, NULL, 0), ERROR_HTTP_PARSE);
    srs_http_client_close(client);

    HELPER_EXPECT_FAILED_CODE(srs_http_client_do("127.0.0.1", server.port, "GET", "/a b", NULL, NULL, 0,
                                                 kIoTimeout, kIoTimeout, &client), ERROR_HTTP_PARSE);
    EXPECT_TRUE(client == NULL);
}

TEST(ProtocolHttpE2eTest, ConnectToClosedPortFailsQuickly)
{
    // A port that was just free: bind, read it, close.
    st_netfd_t lfd = NULL;
    HELPER_EXPECT_SUCCESS(srs_tcp_listen("127.0.0.1", 0, &lfd));
    srs_sockaddr_t addr;
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(lfd, &addr));
    int port = srs_sockaddr_port(&addr);
    srs_st_close(lfd);

    srs_http_client_t *client = NULL;
    srs_utime_t start = srs_time_now();
    HELPER_EXPECT_FAILED_CODE(srs_http_client_do("127.0.0.1", port, "GET", "/", NULL, NULL, 0,
                                                 kIoTimeout, kIoTimeout, &client), ERROR_SYSTEM_CONNECT);
    EXPECT_TRUE(client == NULL);
    EXPECT_LT(srs_time_now() - start, 500 * SRS_UTIME_MILLISECONDS);
}

// A tiny origin that answers with a fixed byte string and closes, to test the client's reading.
struct CannedOrigin {
    std::string reply;
    st_netfd_t lfd = NULL;
    int port = 0;
};

static srs_error_t canned_cycle(void *arg)
{
    CannedOrigin *o = (CannedOrigin *)arg;
    st_netfd_t fd = NULL;
    srs_error_t err = srs_st_accept(o->lfd, &fd, NULL, SRS_UTIME_NO_TIMEOUT);
    if (err) return err;
    char buf[4096];
    size_t n = 0;
    err = srs_st_read(fd, buf, sizeof(buf), kIoTimeout, &n);
    if (!err) err = srs_st_write(fd, o->reply.data(), o->reply.size(), kIoTimeout);
    srs_st_close(fd);
    return err;
}

static srs_error_t canned_exchange(const std::string &reply, std::string *body, int *status)
{
    CannedOrigin o;
    o.reply = reply;
    HELPER_EXPECT_SUCCESS(srs_tcp_listen("127.0.0.1", 0, &o.lfd));
    srs_sockaddr_t addr;
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(o.lfd, &addr));
    o.port = srs_sockaddr_port(&addr);
    srs_coroutine_t *co = srs_coroutine_new("canned", canned_cycle, &o);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));

    srs_http_client_t *client = NULL;
    srs_error_t err = srs_http_client_do("127.0.0.1", o.port, "GET", "/x", NULL, NULL, 0, kIoTimeout, kIoTimeout, &client);
    if (!err) {
        *status = client->res.status;
        char *b = NULL;
        size_t len = 0;
        err = srs_http_read_body_all(client->conn, 1024, &b, &len);
        if (!err) body->assign(b, len);
        free(b);
        srs_http_client_close(client);
    }
    srs_coroutine_free(co);
    srs_st_close(o.lfd);
    return err;
}

TEST(ProtocolHttpClientTest, ReadsEveryBodyFraming)
{
    std::string body;
    int status = 0;
    HELPER_EXPECT_SUCCESS(canned_exchange("HTTP/1.0 200 OK\r\n\r\nuntil close", &body, &status));
    EXPECT_EQ(200, status);
    EXPECT_EQ("until close", body);

    body.clear();
    HELPER_EXPECT_SUCCESS(canned_exchange("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokEXTRA", &body, &status));
    EXPECT_EQ(201, status);
    EXPECT_EQ("ok", body);

    body.clear();
    HELPER_EXPECT_SUCCESS(canned_exchange("HTTP/1.1 204 No Content\r\n\r\n", &body, &status));
    EXPECT_EQ(204, status);
    EXPECT_EQ("", body);

    body.clear();
    HELPER_EXPECT_SUCCESS(canned_exchange("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n", &body, &status));
    EXPECT_EQ("abc", body);

    // A body cut short is an error, not a short success.
    HELPER_EXPECT_FAILED_CODE(canned_exchange("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", &body, &status), ERROR_SYSTEM_EOF);
    HELPER_EXPECT_FAILED_CODE(canned_exchange("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", &body, &status), ERROR_SYSTEM_EOF);
    HELPER_EXPECT_FAILED_CODE(canned_exchange("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &body, &status), ERROR_HTTP_PARSE);
    HELPER_EXPECT_FAILED_CODE(canned_exchange("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", &body, &status), ERROR_HTTP_TOO_LARGE);
    HELPER_EXPECT_FAILED_CODE(canned_exchange("SSH-2.0-OpenSSH\r\n\r\n", &body, &status), ERROR_HTTP_PARSE);
    HELPER_EXPECT_FAILED_CODE(canned_exchange("HTTP/1.1 200 OK\r\n" + std::string(SRS_HTTP_MAX_HEAD, 'h'), &body, &status),
                              ERROR_HTTP_HEADERS_TOO_LARGE);
}

// ---- Total deadlines (issue 15): a peer that drips bytes is cut at the phase's deadline. ----

TEST(ProtocolHttpDeadlineTest, TimeoutForOneCallIsCappedByTheDeadline)
{
    srs_utime_t out = 0;
    // No deadline: the per-call timeout, "forever" included.
    EXPECT_TRUE(srs_http_deadline_timeout(1000, 30, 0, &out));
    EXPECT_EQ(30, out);
    EXPECT_TRUE(srs_http_deadline_timeout(1000, SRS_UTIME_NO_TIMEOUT, 0, &out));
    EXPECT_EQ(SRS_UTIME_NO_TIMEOUT, out);
    // A deadline nearer than the per-call timeout wins, and caps "forever" too.
    EXPECT_TRUE(srs_http_deadline_timeout(1000, 500, 1100, &out));
    EXPECT_EQ(100, out);
    EXPECT_TRUE(srs_http_deadline_timeout(1000, SRS_UTIME_NO_TIMEOUT, 1100, &out));
    EXPECT_EQ(100, out);
    // A farther one leaves the per-call timeout.
    EXPECT_TRUE(srs_http_deadline_timeout(1000, 50, 1100, &out));
    EXPECT_EQ(50, out);
    // Reached or passed: no more calls.
    EXPECT_FALSE(srs_http_deadline_timeout(1100, 50, 1100, &out));
    EXPECT_FALSE(srs_http_deadline_timeout(1200, 50, 1100, &out));
}

// An origin that answers with `head` (may be empty) and then drips one byte every 20 ms, so no
// single read ever waits long: only a total deadline can end the exchange.
struct DripOrigin {
    std::string head;
    st_netfd_t lfd = NULL;
    int port = 0;
    int dripped = 0;
};

static srs_error_t drip_cycle(void *arg)
{
    DripOrigin *o = (DripOrigin *)arg;
    st_netfd_t fd = NULL;
    srs_error_t err = srs_st_accept(o->lfd, &fd, NULL, SRS_UTIME_NO_TIMEOUT);
    if (err) return err;
    char buf[4096];
    size_t n = 0;
    err = srs_st_read(fd, buf, sizeof(buf), kIoTimeout, &n);
    if (!err && !o->head.empty()) err = srs_st_write(fd, o->head.data(), o->head.size(), kIoTimeout);
    // A head that never ends (header lines), or a body that never ends.
    const char *drip = o->head.empty() ? "X" : "a";
    for (int i = 0; !err && i < 500; i++) {
        err = srs_st_usleep(20 * SRS_UTIME_MILLISECONDS);
        if (!err) err = srs_st_write(fd, drip, 1, kIoTimeout);
        if (!err) o->dripped++;
    }
    srs_st_close(fd);
    return err;
}

static void drip_start(DripOrigin *o, srs_coroutine_t **co)
{
    HELPER_EXPECT_SUCCESS(srs_tcp_listen("127.0.0.1", 0, &o->lfd));
    srs_sockaddr_t addr;
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(o->lfd, &addr));
    o->port = srs_sockaddr_port(&addr);
    *co = srs_coroutine_new("drip", drip_cycle, o);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(*co));
}

TEST(ProtocolHttpDeadlineTest, ClientCutsAnEndlessResponseHeadAtConnectPlusIo)
{
    DripOrigin o;
    o.head = "";
    srs_coroutine_t *co = NULL;
    drip_start(&o, &co);
    // The first line starts, then one byte per 20 ms: every read returns well within 300 ms.
    o.head = "";
    srs_http_client_t *client = NULL;
    srs_utime_t start = srs_time_now();
    srs_error_t err = srs_http_client_do("127.0.0.1", o.port, "GET", "/x", NULL, NULL, 0, 100 * SRS_UTIME_MILLISECONDS,
                                         300 * SRS_UTIME_MILLISECONDS, &client);
    srs_utime_t took = srs_time_now() - start;
    EXPECT_TRUE(client == NULL);
    HELPER_EXPECT_FAILED_CODE(err, ERROR_SYSTEM_TIMEOUT);
    EXPECT_LT(took, 800 * SRS_UTIME_MILLISECONDS);
    EXPECT_GT(o.dripped, 3);
    srs_coroutine_free(co);
    srs_st_close(o.lfd);
}

TEST(ProtocolHttpDeadlineTest, BufferedBodyHasOneTotalBudget)
{
    DripOrigin o;
    o.head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
    srs_coroutine_t *co = NULL;
    drip_start(&o, &co);
    srs_http_client_t *client = NULL;
    HELPER_EXPECT_SUCCESS(srs_http_client_do("127.0.0.1", o.port, "GET", "/x", NULL, NULL, 0, 100 * SRS_UTIME_MILLISECONDS,
                                             300 * SRS_UTIME_MILLISECONDS, &client));
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(200, client->res.status);
    char *b = NULL;
    size_t len = 0;
    srs_utime_t start = srs_time_now();
    HELPER_EXPECT_FAILED_CODE(srs_http_read_body_all(client->conn, 1024 * 1024, &b, &len), ERROR_SYSTEM_TIMEOUT);
    srs_utime_t took = srs_time_now() - start;
    EXPECT_TRUE(b == NULL);
    EXPECT_GE(took, 250 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(took, 800 * SRS_UTIME_MILLISECONDS);
    srs_http_client_close(client);
    srs_coroutine_free(co);
    srs_st_close(o.lfd);
}

TEST(ProtocolHttpDeadlineTest, OneDeadlineCoversConnectHeadAndBody)
{
    DripOrigin o;
    o.head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
    srs_coroutine_t *co = NULL;
    drip_start(&o, &co);
    srs_http_client_t *client = NULL;
    srs_utime_t start = srs_time_now();
    // Per read 10 s, body budget 10 s: only the caller's deadline (400 ms) can end it.
    HELPER_EXPECT_SUCCESS(srs_http_client_do_deadline("127.0.0.1", o.port, "GET", "/x", NULL, NULL, 0,
                                                      start + 400 * SRS_UTIME_MILLISECONDS, 10 * SRS_UTIME_SECONDS, &client));
    ASSERT_TRUE(client != NULL);
    EXPECT_EQ(start + 400 * SRS_UTIME_MILLISECONDS, srs_http_conn_deadline(client->conn));
    char *b = NULL;
    size_t len = 0;
    HELPER_EXPECT_FAILED_CODE(srs_http_read_body_all(client->conn, 1024 * 1024, &b, &len), ERROR_SYSTEM_TIMEOUT);
    srs_utime_t took = srs_time_now() - start;
    EXPECT_GE(took, 350 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(took, 900 * SRS_UTIME_MILLISECONDS);
    srs_http_client_close(client);
    srs_coroutine_free(co);
    srs_st_close(o.lfd);
}

TEST(ProtocolTcpServerTest, AdmissionRuleForPoolsAndAddresses)
{
    srs_tcp_refuse_reason_t why = SRS_TCP_REFUSE_REASONS;
    // Unlimited pool and address.
    EXPECT_TRUE(srs_tcp_admit(100000, 0, 100000, 0, &why));
    // The pool's limit: the last free slot is taken, then refused.
    EXPECT_TRUE(srs_tcp_admit(49, 50, 0, 0, &why));
    EXPECT_FALSE(srs_tcp_admit(50, 50, 0, 0, &why));
    EXPECT_EQ(SRS_TCP_REFUSE_TOTAL, why);
    // One address's share, while the pool has room.
    EXPECT_TRUE(srs_tcp_admit(10, 50, 4, 5, &why));
    EXPECT_FALSE(srs_tcp_admit(10, 50, 5, 5, &why));
    EXPECT_EQ(SRS_TCP_REFUSE_PER_IP, why);
    EXPECT_STREQ("per_ip", srs_tcp_refuse_reason_name(SRS_TCP_REFUSE_PER_IP));
    EXPECT_STREQ("listener", srs_tcp_refuse_reason_name(SRS_TCP_REFUSE_LISTENER));
    EXPECT_STREQ("total", srs_tcp_refuse_reason_name(SRS_TCP_REFUSE_TOTAL));
}
