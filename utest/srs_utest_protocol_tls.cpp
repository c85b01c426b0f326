// SPDX-License-Identifier: MIT
// TLS under the HTTP connection (srs_protocol_tls.c), dual-stack listeners and address unmapping
// (srs_protocol_st.c), and the HTTPS configuration variables.
#include "srs_utest.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

extern "C" {
#include "srs_app_config.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_http.h"
#include "srs_protocol_st.h"
#include "srs_protocol_tls.h"
}

// ---- ALPN (pure) ----

static bool alpn(const std::string &wire, std::string *picked = NULL)
{
    const unsigned char *out = NULL;
    unsigned char out_len = 0;
    bool ok = srs_tls_alpn_select((const unsigned char *)wire.data(), (unsigned)wire.size(), &out, &out_len);
    if (ok && picked) picked->assign((const char *)out, out_len);
    if (ok) {
        EXPECT_TRUE(out >= (const unsigned char *)wire.data() && out + out_len <= (const unsigned char *)wire.data() + wire.size());
    }
    return ok;
}

TEST(ProtocolTlsTest, AlpnPicksHttp11AndRefusesMalformedLists)
{
    std::string picked;
    EXPECT_TRUE(alpn(std::string("\x02h2\x08http/1.1", 12), &picked));
    EXPECT_EQ("http/1.1", picked);
    EXPECT_TRUE(alpn(std::string("\x08http/1.1", 9), &picked));
    EXPECT_FALSE(alpn(std::string("\x02h2", 3)));                     // not offered
    EXPECT_FALSE(alpn(""));                                            // empty list
    EXPECT_FALSE(alpn(std::string("\x09http/1.1", 9)));                // length past the end
    EXPECT_FALSE(alpn(std::string("\x00\x08http/1.1", 10)));           // an empty name
    EXPECT_FALSE(alpn(std::string("\x08http/1.1\x05h2", 12)));         // malformed after a match
    EXPECT_FALSE(alpn(std::string("\x07http/1.", 8)));                 // a prefix is not a match
}

// ---- certificates made in the test ----

class TlsFiles
{
public:
    std::string dir, cert, key, other_key;
    TlsFiles()
    {
        const char *tmp = getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : P_tmpdir) + "/srs_utest_tls_XXXXXX";
        EXPECT_TRUE(mkdtemp(&tmpl[0]) != NULL);
        dir = tmpl;
        cert = dir + "/cert.pem";
        key = dir + "/key.pem";
        other_key = dir + "/other.pem";
        EVP_PKEY *pk = EVP_EC_gen("P-256");
        EVP_PKEY *other = EVP_EC_gen("P-256");
        X509 *x = X509_new();
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), 0);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, pk);
        X509_NAME *name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
        X509_set_issuer_name(x, name);
        X509_sign(x, pk, EVP_sha256());
        FILE *f = fopen(cert.c_str(), "wb");
        PEM_write_X509(f, x);
        fclose(f);
        f = fopen(key.c_str(), "wb");
        PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL);
        fclose(f);
        f = fopen(other_key.c_str(), "wb");
        PEM_write_PrivateKey(f, other, NULL, NULL, 0, NULL, NULL);
        fclose(f);
        X509_free(x);
        EVP_PKEY_free(pk);
        EVP_PKEY_free(other);
    }
    ~TlsFiles()
    {
        std::string cmd = "rm -rf '" + dir + "'";
        EXPECT_EQ(0, system(cmd.c_str()));
    }
};

TEST(ProtocolTlsTest, ServerContextNeedsReadableMatchingFiles)
{
    TlsFiles files;
    SSL_CTX *ctx = NULL;
    HELPER_EXPECT_SUCCESS(srs_tls_server_ctx_new(files.cert.c_str(), files.key.c_str(), &ctx));
    EXPECT_EQ(TLS1_2_VERSION, SSL_CTX_get_min_proto_version(ctx));
    EXPECT_EQ(TLS1_3_VERSION, SSL_CTX_get_max_proto_version(ctx));
    SSL_CTX_free(ctx);

    srs_error_t err = srs_tls_server_ctx_new((files.dir + "/missing.pem").c_str(), files.key.c_str(), &ctx);
    EXPECT_EQ(ERROR_TLS, srs_error_code(err));
    srs_error_free(err);
    err = srs_tls_server_ctx_new(files.cert.c_str(), files.other_key.c_str(), &ctx);
    EXPECT_EQ(ERROR_TLS, srs_error_code(err));
    EXPECT_NE(std::string::npos, std::string(srs_error_summary(err)).find("mismatch")) << srs_error_summary(err);
    srs_error_free(err);
}

// ---- HTTPS end to end over loopback, inside ST ----

struct HttpsServer {
    SSL_CTX *ctx = NULL;
    st_netfd_t lfd = NULL;
    int port = 0;
    int last_code = -1;
    int served = 0;
    srs_http_server_opts_t opts = {};
    srs_coroutine_t *co = NULL;

    static srs_error_t handler(void *arg, srs_http_conn_t *c, srs_http_request_t *req)
    {
        SRS_UNUSED(arg);
        if (!strcmp(req->path, "/stream")) {
            srs_error_t err = srs_http_write_stream_head(c, 200, NULL);
            // Many small pieces: coalesced into records by srs_tls_writev.
            std::string piece(1000, 'x');
            for (int i = 0; !err && i < 300; i++) err = srs_http_write_stream_data(c, piece.data(), piece.size());
            return err;
        }
        return srs_http_write_response(c, 200, NULL, "hello tls", 9);
    }
    static srs_error_t cycle(void *arg)
    {
        HttpsServer *s = (HttpsServer *)arg;
        for (;;) {
            srs_error_t err = srs_coroutine_pull_self();
            if (err) return err;
            st_netfd_t fd = NULL;
            if ((err = srs_st_accept(s->lfd, &fd, NULL, SRS_UTIME_NO_TIMEOUT)) != srs_success) return err;
            err = srs_http_serve_conn_tls(fd, s->ctx, &s->opts, handler, s);
            s->last_code = srs_error_code(err);
            s->served++;
            srs_error_free(err);
            srs_st_close(fd);
        }
    }
    explicit HttpsServer(const TlsFiles &files)
    {
        HELPER_EXPECT_SUCCESS(srs_tls_server_ctx_new(files.cert.c_str(), files.key.c_str(), &ctx));
        HELPER_EXPECT_SUCCESS(srs_tcp_listen("127.0.0.1", 0, &lfd));
        srs_sockaddr_t a;
        HELPER_EXPECT_SUCCESS(srs_socket_local_addr(lfd, &a));
        port = srs_sockaddr_port(&a);
        co = srs_coroutine_new("https-test", cycle, this);
        HELPER_EXPECT_SUCCESS(srs_coroutine_start(co));
    }
    ~HttpsServer()
    {
        srs_coroutine_free(co);
        srs_st_close(lfd);
        SSL_CTX_free(ctx);
    }
};

// A TLS client on the same transport (SSL in connect state over an ST fd).
static std::string https_get(int port, const char *path, std::string *alpn_out = NULL)
{
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    static const unsigned char protos[] = "\x02h2\x08http/1.1";
    SSL_CTX_set_alpn_protos(cctx, protos, sizeof(protos) - 1);
    st_netfd_t fd = NULL;
    HELPER_EXPECT_SUCCESS(srs_tcp_connect("127.0.0.1", port, SRS_UTIME_SECONDS, &fd));
    SSL *ssl = SSL_new(cctx);
    SSL_set_fd(ssl, st_netfd_fileno(fd));
    SSL_set_connect_state(ssl);
    srs_tls_t *t = srs_tls_new_ssl(ssl, fd);
    std::string got;
    srs_error_t err = srs_tls_handshake(t, srs_time_now() + 3 * SRS_UTIME_SECONDS);
    EXPECT_TRUE(err == srs_success) << srs_error_desc(err);
    if (!err) {
        if (alpn_out) {
            const unsigned char *p = NULL;
            unsigned n = 0;
            SSL_get0_alpn_selected(ssl, &p, &n);
            alpn_out->assign((const char *)p, n);
        }
        std::string req = std::string("GET ") + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        err = srs_tls_write(t, req.data(), req.size(), SRS_UTIME_SECONDS);
        char buf[8192];
        while (!err) {
            size_t n = 0;
            if ((err = srs_tls_read(t, buf, sizeof(buf), 3 * SRS_UTIME_SECONDS, &n)) == srs_success) got.append(buf, n);
        }
        EXPECT_EQ(ERROR_SYSTEM_EOF, srs_error_code(err)) << srs_error_desc(err);
    }
    srs_error_free(err);
    srs_tls_free(t);
    srs_st_close(fd);
    SSL_CTX_free(cctx);
    return got;
}

TEST(ProtocolTlsTest, HttpsServesRequestsAndStreamsOverSt)
{
    TlsFiles files;
    HttpsServer server(files);
    std::string alpn_got;
    std::string r = https_get(server.port, "/hello", &alpn_got);
    EXPECT_EQ(0u, r.find("HTTP/1.1 200 OK")) << r;
    EXPECT_NE(std::string::npos, r.find("\r\n\r\nhello tls")) << r;
    EXPECT_EQ("http/1.1", alpn_got);
    r = https_get(server.port, "/stream");
    EXPECT_NE(std::string::npos, r.find("Transfer-Encoding: chunked")) << r.substr(0, 300);
    EXPECT_GT(r.size(), 300000u);
    srs_http_tls_stats_t st;
    srs_http_tls_stats(&st);
    EXPECT_GE(st.handshakes, 2u);
}

TEST(ProtocolTlsTest, HandshakeIsCutAtTheHeadDeadlineAndGarbageIsATlsError)
{
    TlsFiles files;
    HttpsServer server(files);
    server.opts.head_timeout = 200 * SRS_UTIME_MILLISECONDS;
    srs_http_tls_stats_t before, after;
    srs_http_tls_stats(&before);

    // A peer that connects and says nothing: cut at the deadline, not later.
    st_netfd_t fd = NULL;
    HELPER_EXPECT_SUCCESS(srs_tcp_connect("127.0.0.1", server.port, SRS_UTIME_SECONDS, &fd));
    srs_utime_t t0 = srs_time_now();
    char b[64];
    size_t n = 0;
    srs_error_t err = srs_st_read(fd, b, sizeof(b), 3 * SRS_UTIME_SECONDS, &n);
    EXPECT_EQ(ERROR_SYSTEM_EOF, srs_error_code(err));
    srs_error_free(err);
    srs_utime_t took = srs_time_now() - t0;
    EXPECT_GE(took, 100 * SRS_UTIME_MILLISECONDS);
    EXPECT_LT(took, 2 * SRS_UTIME_SECONDS);
    srs_st_close(fd);
    EXPECT_EQ(ERROR_SYSTEM_TIMEOUT, server.last_code);

    // Plain HTTP on the TLS port: a TLS error, the connection closed.
    HELPER_EXPECT_SUCCESS(srs_tcp_connect("127.0.0.1", server.port, SRS_UTIME_SECONDS, &fd));
    const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    HELPER_EXPECT_SUCCESS(srs_st_write(fd, req, sizeof(req) - 1, SRS_UTIME_SECONDS));
    for (;;) {
        err = srs_st_read(fd, b, sizeof(b), 3 * SRS_UTIME_SECONDS, &n);
        if (err) break;
    }
    EXPECT_EQ(ERROR_SYSTEM_EOF, srs_error_code(err));
    srs_error_free(err);
    srs_st_close(fd);
    EXPECT_EQ(ERROR_TLS, server.last_code);

    srs_http_tls_stats(&after);
    EXPECT_EQ(before.handshake_timeouts + 1, after.handshake_timeouts);
    EXPECT_EQ(before.handshake_failures + 1, after.handshake_failures);
}

// ---- dual-stack ----

TEST(ProtocolStTest, UnmapTurnsV4MappedIntoIpv4Only)
{
    srs_sockaddr_t a;
    memset(&a, 0, sizeof(a));
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a.ss;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(1935);
    inet_pton(AF_INET6, "::ffff:192.0.2.7", &v6->sin6_addr);
    a.len = sizeof(*v6);
    srs_sockaddr_unmap(&a);
    char text[80];
    EXPECT_STREQ("192.0.2.7:1935", srs_sockaddr_string(&a, text, sizeof(text)));
    EXPECT_EQ(sizeof(struct sockaddr_in), a.len);

    memset(&a, 0, sizeof(a));
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(1935);
    inet_pton(AF_INET6, "2001:db8::1", &v6->sin6_addr);
    a.len = sizeof(*v6);
    srs_sockaddr_unmap(&a);
    EXPECT_STREQ("[2001:db8::1]:1935", srs_sockaddr_string(&a, text, sizeof(text)));
}

TEST(ProtocolStTest, BarePortListensOnIpv6AndIpv4)
{
    st_netfd_t lfd = NULL;
    HELPER_EXPECT_SUCCESS(srs_tcp_listen("", 0, &lfd));
    srs_sockaddr_t local;
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(lfd, &local));
    int port = srs_sockaddr_port(&local);
    bool v6 = local.ss.ss_family == AF_INET6;
    const char *hosts[] = {"127.0.0.1", "::1"};
    for (const char *host : hosts) {
        if (!v6 && strchr(host, ':')) continue; // no IPv6 on this machine: 0.0.0.0 only
        st_netfd_t c = NULL, s = NULL;
        HELPER_EXPECT_SUCCESS(srs_tcp_connect(host, port, SRS_UTIME_SECONDS, &c));
        srs_sockaddr_t peer;
        HELPER_EXPECT_SUCCESS(srs_st_accept(lfd, &s, &peer, SRS_UTIME_SECONDS));
        char text[80];
        srs_sockaddr_string(&peer, text, sizeof(text));
        // An IPv4 client is seen as IPv4 (not ::ffff:127.0.0.1), an IPv6 one as IPv6.
        EXPECT_EQ(strchr(host, ':') ? AF_INET6 : AF_INET, peer.ss.ss_family) << text;
        EXPECT_EQ(0, strncmp(text + (strchr(host, ':') ? 1 : 0), host, strlen(host))) << text;
        srs_st_close(c);
        srs_st_close(s);
    }
    srs_st_close(lfd);
    // An explicit address listens exactly there.
    HELPER_EXPECT_SUCCESS(srs_tcp_listen("127.0.0.1", 0, &lfd));
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(lfd, &local));
    EXPECT_EQ(AF_INET, local.ss.ss_family);
    srs_st_close(lfd);
}

// ---- configuration ----

TEST(AppConfigHttpsTest, OffByDefaultAndNeedsCertAndKey)
{
    const char *vars[] = {"PROXY_HTTPS_API", "PROXY_HTTPS_SERVER", "PROXY_HTTPS_CERT", "PROXY_HTTPS_KEY"};
    for (const char *v : vars) unsetenv(v);
    char cwd[PATH_MAX];
    ASSERT_TRUE(getcwd(cwd, sizeof(cwd)) != NULL);
    setenv("PROXY_STATIC_FILES", "", 1);
    srs_config_t cfg;
    HELPER_EXPECT_SUCCESS(srs_config_load(&cfg, NULL));
    EXPECT_FALSE(cfg.https_api_enabled);
    EXPECT_FALSE(cfg.https_server_enabled);

    setenv("PROXY_HTTPS_SERVER", "8443", 1);
    srs_error_t err = srs_config_load(&cfg, NULL);
    EXPECT_EQ(ERROR_CONFIG_INVALID, srs_error_code(err));
    EXPECT_NE(std::string::npos, std::string(srs_error_summary(err)).find("PROXY_HTTPS_CERT"));
    srs_error_free(err);

    setenv("PROXY_HTTPS_CERT", "/etc/ssl/proxy.pem", 1);
    setenv("PROXY_HTTPS_KEY", "/etc/ssl/proxy.key", 1);
    setenv("PROXY_HTTPS_API", "127.0.0.1:1990", 1);
    HELPER_EXPECT_SUCCESS(srs_config_load(&cfg, NULL));
    EXPECT_TRUE(cfg.https_server_enabled && cfg.https_api_enabled);
    EXPECT_EQ(8443, cfg.https_server.port);
    EXPECT_STREQ("", cfg.https_server.host);
    EXPECT_STREQ("127.0.0.1", cfg.https_api.host);
    char buf[8192];
    srs_config_describe(&cfg, buf, sizeof(buf));
    EXPECT_NE(std::string::npos, std::string(buf).find("PROXY_HTTPS_SERVER=:8443")) << buf;
    EXPECT_NE(std::string::npos, std::string(buf).find("PROXY_HTTPS_CERT=/etc/ssl/proxy.pem")) << buf;

    setenv("PROXY_HTTPS_API", "not a port", 1);
    err = srs_config_load(&cfg, NULL);
    EXPECT_EQ(ERROR_CONFIG_INVALID, srs_error_code(err));
    srs_error_free(err);
    for (const char *v : vars) unsetenv(v);
    unsetenv("PROXY_STATIC_FILES");
}
