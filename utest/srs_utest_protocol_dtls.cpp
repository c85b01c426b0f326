// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <errno.h>
#include <string.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

extern "C" {
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_dtls.h"
#include "srs_protocol_srtp.h"
#include "srs_protocol_st.h"
}

typedef std::vector<uint8_t> Datagram;

// One direction of an in-memory link: what an endpoint sends waits here for the other one.
struct Link {
    std::deque<Datagram> queue;
    std::vector<Datagram> sent;                          // every datagram, dropped ones too
    std::function<bool(const Datagram &)> drop;          // true: lose this datagram
    int fail_sends = 0;                                  // make the next N sends fail
};

static srs_error_t link_send(void *ctx, const uint8_t *data, size_t len)
{
    Link *link = (Link *)ctx;
    Datagram d(data, data + len);
    link->sent.push_back(d);
    if (link->fail_sends > 0) {
        link->fail_sends--;
        return srs_error_new(ERROR_SYSTEM_IO, "sendto refused");
    }
    if (link->drop && link->drop(d)) return srs_success;
    link->queue.push_back(d);
    return srs_success;
}

// A client and a server over two in-memory links, each with its own certificate.
struct DtlsPair {
    srs_dtls_cert_t *client_cert = NULL, *server_cert = NULL;
    srs_dtls_t *client = NULL, *server = NULL;
    Link to_server, to_client;
    srs_error_t client_err = srs_success, server_err = srs_success;

    DtlsPair()
    {
        HELPER_EXPECT_SUCCESS(srs_dtls_cert_new(&client_cert));
        HELPER_EXPECT_SUCCESS(srs_dtls_cert_new(&server_cert));
    }
    ~DtlsPair()
    {
        srs_error_free(client_err);
        srs_error_free(server_err);
        srs_dtls_free(client);
        srs_dtls_free(server);
        srs_dtls_cert_free(client_cert);
        srs_dtls_cert_free(server_cert);
    }
    // Each side expects the other's real fingerprint unless told otherwise.
    void create(const char *client_expects = "", const char *server_expects = "")
    {
        if (client_expects && !client_expects[0]) client_expects = srs_dtls_cert_fingerprint(server_cert);
        if (server_expects && !server_expects[0]) server_expects = srs_dtls_cert_fingerprint(client_cert);
        HELPER_EXPECT_SUCCESS(srs_dtls_new(client_cert, true, client_expects, link_send, &to_server, &client));
        HELPER_EXPECT_SUCCESS(srs_dtls_new(server_cert, false, server_expects, link_send, &to_client, &server));
    }
    static void keep(srs_error_t *first, srs_error_t err)
    {
        if (!err) return;
        if (*first) srs_error_free(err);
        else *first = err;
    }
    // Deliver queued datagrams both ways until nothing is left in flight.
    void pump()
    {
        for (int round = 0; round < 50 && (!to_server.queue.empty() || !to_client.queue.empty()); round++) {
            while (!to_server.queue.empty()) {
                Datagram d = to_server.queue.front();
                to_server.queue.pop_front();
                keep(&server_err, srs_dtls_on_recv(server, d.data(), d.size()));
            }
            while (!to_client.queue.empty()) {
                Datagram d = to_client.queue.front();
                to_client.queue.pop_front();
                keep(&client_err, srs_dtls_on_recv(client, d.data(), d.size()));
            }
        }
    }
    void handshake()
    {
        create();
        HELPER_EXPECT_SUCCESS(srs_dtls_start(client));
        pump();
    }
};

static std::string error_text(srs_error_t err) { return err ? srs_error_summary(err) : std::string(); }

// Sleep past the retransmission timer, then let it fire.
static void fire_timer(srs_dtls_t *d)
{
    srs_utime_t due = srs_dtls_timeout(d);
    ASSERT_GT(due, 0);
    st_usleep((st_utime_t)due + 2 * SRS_UTIME_MILLISECONDS);
    HELPER_EXPECT_SUCCESS(srs_dtls_on_timeout(d));
}

TEST(ProtocolDtlsTest, FingerprintIsUpperHexSha256)
{
    srs_dtls_cert_t *a = NULL, *b = NULL;
    HELPER_EXPECT_SUCCESS(srs_dtls_cert_new(&a));
    HELPER_EXPECT_SUCCESS(srs_dtls_cert_new(&b));
    std::string fa = srs_dtls_cert_fingerprint(a), fb = srs_dtls_cert_fingerprint(b);
    // "sha-256 " then 32 upper-case hex pairs joined by colons.
    ASSERT_EQ((size_t)SRS_DTLS_FINGERPRINT_SIZE - 1, fa.size());
    EXPECT_EQ("sha-256 ", fa.substr(0, 8));
    for (size_t i = 8; i < fa.size(); i++) {
        if ((i - 8) % 3 == 2) EXPECT_EQ(':', fa[i]) << fa;
        else EXPECT_TRUE(strchr("0123456789ABCDEF", fa[i]) && fa[i]) << fa;
    }
    EXPECT_NE(fa, fb); // a fresh key per certificate
    srs_dtls_cert_free(a);
    srs_dtls_cert_free(b);
}

TEST(ProtocolDtlsTest, RejectsMalformedExpectedFingerprint)
{
    srs_dtls_cert_t *c = NULL;
    HELPER_EXPECT_SUCCESS(srs_dtls_cert_new(&c));
    Link link;
    srs_dtls_t *d = NULL;
    std::string good = srs_dtls_cert_fingerprint(c);
    std::vector<std::string> cases = {"", "sha-1 AB:CD", "sha-256", "sha-256 AB:CD:EF", good + ":00",
                                      "sha-256 " + good.substr(8, 94) + "G", "sha-256" + good.substr(7, 40)};
    for (const std::string &fp : cases) {
        HELPER_EXPECT_FAILED_CODE(srs_dtls_new(c, true, fp.c_str(), link_send, &link, &d), ERROR_RTC_DTLS);
        EXPECT_TRUE(d == NULL) << fp;
    }
    // Lower-case hex, an upper-case algorithm and surrounding spaces are the same fingerprint.
    std::string lower = good;
    for (char &ch : lower) ch = (char)tolower((unsigned char)ch);
    lower = "  SHA-256  " + lower.substr(8) + "\r\n";
    HELPER_EXPECT_SUCCESS(srs_dtls_new(c, true, lower.c_str(), link_send, &link, &d));
    srs_dtls_free(d);
    srs_dtls_cert_free(c);
}

TEST(ProtocolDtlsTest, HandshakeDerivesSameKeysCrosswise)
{
    DtlsPair p;
    p.create();
    EXPECT_TRUE(p.to_server.sent.empty());
    HELPER_EXPECT_SUCCESS(srs_dtls_start(p.server)); // a server waits for the ClientHello
    EXPECT_TRUE(p.to_client.sent.empty());
    HELPER_EXPECT_SUCCESS(srs_dtls_start(p.client));
    ASSERT_EQ(1u, p.to_server.sent.size());
    EXPECT_TRUE(srs_dtls_is_client_hello(p.to_server.sent[0].data(), p.to_server.sent[0].size()));
    EXPECT_FALSE(srs_dtls_done(p.client));
    p.pump();
    HELPER_EXPECT_SUCCESS(p.client_err);
    HELPER_EXPECT_SUCCESS(p.server_err);
    p.client_err = p.server_err = srs_success;
    ASSERT_TRUE(srs_dtls_done(p.client));
    ASSERT_TRUE(srs_dtls_done(p.server));
    EXPECT_STREQ(srs_dtls_cert_fingerprint(p.server_cert), srs_dtls_peer_fingerprint(p.client));
    EXPECT_STREQ(srs_dtls_cert_fingerprint(p.client_cert), srs_dtls_peer_fingerprint(p.server));
    for (const Datagram &d : p.to_server.sent) EXPECT_LE(d.size(), (size_t)SRS_DTLS_MTU);
    for (const Datagram &d : p.to_client.sent) EXPECT_LE(d.size(), (size_t)SRS_DTLS_MTU);

    srs_dtls_srtp_keys_t ck, sk;
    HELPER_EXPECT_SUCCESS(srs_dtls_srtp_keys(p.client, &ck));
    HELPER_EXPECT_SUCCESS(srs_dtls_srtp_keys(p.server, &sk));
    // Both offer GCM first; it is agreed, 16-byte key + 12-byte salt.
    EXPECT_EQ(SRS_SRTP_AEAD_AES_128_GCM, ck.profile);
    EXPECT_EQ(SRS_SRTP_AEAD_AES_128_GCM, sk.profile);
    ASSERT_EQ(28u, ck.key_len);
    ASSERT_EQ(28u, sk.key_len);
    EXPECT_EQ(0, memcmp(ck.local_key, sk.remote_key, ck.key_len));
    EXPECT_EQ(0, memcmp(ck.remote_key, sk.local_key, ck.key_len));
    EXPECT_NE(0, memcmp(ck.local_key, ck.remote_key, ck.key_len));
    uint8_t zero[64] = {0};
    EXPECT_NE(0, memcmp(ck.local_key, zero, ck.key_len));
    // Nothing more to say once both are done.
    EXPECT_EQ(0, srs_dtls_timeout(p.client));
}

TEST(ProtocolDtlsTest, KeysBeforeHandshakeFail)
{
    DtlsPair p;
    p.create();
    srs_dtls_srtp_keys_t k;
    HELPER_EXPECT_FAILED_CODE(srs_dtls_srtp_keys(p.client, &k), ERROR_RTC_DTLS);
    // Nothing to close yet: no alert goes out.
    HELPER_EXPECT_SUCCESS(srs_dtls_close(p.client));
    EXPECT_TRUE(p.to_server.sent.empty());
}

TEST(ProtocolDtlsTest, ClientRejectsWrongServerFingerprint)
{
    DtlsPair p;
    std::string wrong = srs_dtls_cert_fingerprint(p.client_cert); // not the server's
    p.create(wrong.c_str(), "");
    HELPER_EXPECT_SUCCESS(srs_dtls_start(p.client));
    p.pump();
    EXPECT_FALSE(srs_dtls_done(p.client));
    EXPECT_FALSE(srs_dtls_done(p.server));
    ASSERT_TRUE(p.client_err != srs_success);
    EXPECT_EQ(ERROR_RTC_DTLS, srs_error_code(p.client_err));
    std::string text = error_text(p.client_err);
    EXPECT_NE(std::string::npos, text.find("fingerprint mismatch")) << text;
    EXPECT_NE(std::string::npos, text.find("expected " + wrong)) << text;
    EXPECT_NE(std::string::npos, text.find(std::string("got ") + srs_dtls_cert_fingerprint(p.server_cert))) << text;
    // The server hears the alert and fails too; a failed endpoint keeps failing.
    EXPECT_EQ(ERROR_RTC_DTLS, srs_error_code(p.server_err));
    uint8_t junk[13] = {22, 0xFE, 0xFD};
    HELPER_EXPECT_FAILED_CODE(srs_dtls_on_recv(p.client, junk, sizeof(junk)), ERROR_RTC_DTLS);
    EXPECT_EQ(0, srs_dtls_timeout(p.client));
}

TEST(ProtocolDtlsTest, ServerRejectsWrongClientFingerprint)
{
    DtlsPair p;
    std::string wrong = srs_dtls_cert_fingerprint(p.server_cert);
    p.create("", wrong.c_str());
    HELPER_EXPECT_SUCCESS(srs_dtls_start(p.client));
    p.pump();
    EXPECT_FALSE(srs_dtls_done(p.server));
    EXPECT_FALSE(srs_dtls_done(p.client));
    ASSERT_TRUE(p.server_err != srs_success);
    std::string text = error_text(p.server_err);
    EXPECT_EQ(ERROR_RTC_DTLS, srs_error_code(p.server_err));
    EXPECT_NE(std::string::npos, text.find("expected " + wrong)) << text;
    EXPECT_NE(std::string::npos, text.find(std::string("got ") + srs_dtls_cert_fingerprint(p.client_cert))) << text;
}

TEST(ProtocolDtlsTest, NoExpectedFingerprintAcceptsAnyPeer)
{
    DtlsPair p;
    p.create(NULL, NULL);
    HELPER_EXPECT_SUCCESS(srs_dtls_start(p.client));
    p.pump();
    EXPECT_TRUE(srs_dtls_done(p.client));
    EXPECT_TRUE(srs_dtls_done(p.server));
    EXPECT_STREQ(srs_dtls_cert_fingerprint(p.server_cert), srs_dtls_peer_fingerprint(p.client));
}

TEST(ProtocolDtlsTest, LostClientHelloIsResentByTimer)
{
    DtlsPair p;
    int dropped = 0;
    p.to_server.drop = [&](const Datagram &) { return dropped++ == 0; };
    p.create();
    HELPER_EXPECT_SUCCESS(srs_dtls_start(p.client));
    p.pump();
    EXPECT_EQ(1u, p.to_server.sent.size());
    EXPECT_TRUE(p.to_client.sent.empty());
    EXPECT_FALSE(srs_dtls_done(p.client));
    // The first timer is 100 ms; before it is due nothing is resent.
    srs_utime_t due = srs_dtls_timeout(p.client);
    EXPECT_GT(due, 0);
    EXPECT_LE(due, 100 * SRS_UTIME_MILLISECONDS);
    HELPER_EXPECT_SUCCESS(srs_dtls_on_timeout(p.client));
    EXPECT_EQ(1u, p.to_server.sent.size());
    fire_timer(p.client);
    ASSERT_EQ(2u, p.to_server.sent.size());
    EXPECT_TRUE(srs_dtls_is_client_hello(p.to_server.sent[1].data(), p.to_server.sent[1].size()));
    p.pump();
    EXPECT_TRUE(srs_dtls_done(p.client));
    EXPECT_TRUE(srs_dtls_done(p.server));
    HELPER_EXPECT_SUCCESS(p.client_err);
    HELPER_EXPECT_SUCCESS(p.server_err);
    p.client_err = p.server_err = srs_success;
}

TEST(ProtocolDtlsTest, LostServerFinishedIsRecoveredAfterServerDone)
{
    DtlsPair p;
    bool dropped = false;
    // The server's last flight starts with ChangeCipherSpec; lose it once.
    p.to_client.drop = [&](const Datagram &d) {
        if (dropped || srs_dtls_content_type(d.data(), d.size()) != SRS_DTLS_CHANGE_CIPHER_SPEC) return false;
        return dropped = true;
    };
    p.handshake();
    ASSERT_TRUE(dropped);
    EXPECT_TRUE(srs_dtls_done(p.server));
    EXPECT_FALSE(srs_dtls_done(p.client));
    // The client resends its flight; the done server answers with its last flight again.
    fire_timer(p.client);
    p.pump();
    EXPECT_TRUE(srs_dtls_done(p.client));
    HELPER_EXPECT_SUCCESS(p.client_err);
    HELPER_EXPECT_SUCCESS(p.server_err);
    p.client_err = p.server_err = srs_success;
    srs_dtls_srtp_keys_t ck, sk;
    HELPER_EXPECT_SUCCESS(srs_dtls_srtp_keys(p.client, &ck));
    HELPER_EXPECT_SUCCESS(srs_dtls_srtp_keys(p.server, &sk));
    EXPECT_EQ(0, memcmp(ck.local_key, sk.remote_key, ck.key_len));
}

TEST(ProtocolDtlsTest, SendErrorIsReturnedAndTimerRecovers)
{
    DtlsPair p;
    p.to_server.fail_sends = 1;
    p.create();
    srs_error_t err = srs_dtls_start(p.client);
    EXPECT_EQ(ERROR_SYSTEM_IO, srs_error_code(err));
    EXPECT_NE(std::string::npos, error_text(err).find("sendto refused"));
    srs_error_free(err);
    EXPECT_TRUE(p.to_server.queue.empty());
    fire_timer(p.client);
    p.pump();
    EXPECT_TRUE(srs_dtls_done(p.client));
    EXPECT_TRUE(srs_dtls_done(p.server));
}

TEST(ProtocolDtlsTest, CloseSendsAlertRecord)
{
    DtlsPair p;
    p.handshake();
    ASSERT_TRUE(srs_dtls_done(p.client) && srs_dtls_done(p.server));
    size_t before = p.to_server.sent.size();
    HELPER_EXPECT_SUCCESS(srs_dtls_close(p.client));
    ASSERT_EQ(before + 1, p.to_server.sent.size());
    const Datagram &alert = p.to_server.sent.back();
    EXPECT_EQ(SRS_DTLS_ALERT, srs_dtls_content_type(alert.data(), alert.size()));
    srs_dtls_record_t rec;
    HELPER_EXPECT_SUCCESS(srs_dtls_record_parse(alert.data(), alert.size(), &rec));
    EXPECT_EQ(1, rec.epoch); // encrypted under the new keys
    EXPECT_EQ(0xFEFD, rec.version);
    EXPECT_EQ(alert.size(), rec.size);
    // A second close sends nothing more.
    HELPER_EXPECT_SUCCESS(srs_dtls_close(p.client));
    EXPECT_EQ(before + 1, p.to_server.sent.size());
    EXPECT_FALSE(srs_dtls_peer_closed(p.server));
    p.pump();
    HELPER_EXPECT_SUCCESS(p.server_err);
    p.server_err = srs_success;
    EXPECT_TRUE(srs_dtls_peer_closed(p.server));
}

TEST(ProtocolDtlsTest, RecordHeaderParsing)
{
    DtlsPair p;
    p.handshake();
    ASSERT_TRUE(srs_dtls_done(p.client));
    // The server's first flight: every record in bounds, plaintext handshake, ServerHello first.
    const Datagram &flight = p.to_client.sent[0];
    srs_dtls_record_t rec;
    size_t off = 0;
    int records = 0;
    while (off < flight.size()) {
        HELPER_EXPECT_SUCCESS(srs_dtls_record_parse(flight.data() + off, flight.size() - off, &rec));
        EXPECT_EQ(SRS_DTLS_HANDSHAKE, rec.content_type);
        EXPECT_EQ(0, rec.epoch);
        if (records == 0) {
            EXPECT_EQ(2, rec.handshake_type); // ServerHello
        }
        off += rec.size;
        records++;
    }
    EXPECT_EQ(flight.size(), off);
    EXPECT_GE(records, 4); // ServerHello, Certificate, ServerKeyExchange, CertificateRequest, Done
    EXPECT_FALSE(srs_dtls_is_client_hello(flight.data(), flight.size()));

    // A truncated record, a wrong version, STUN and RTP are not DTLS records.
    HELPER_EXPECT_SUCCESS(srs_dtls_record_parse(flight.data(), flight.size(), &rec));
    HELPER_EXPECT_FAILED_CODE(srs_dtls_record_parse(flight.data(), rec.size - 1, &rec), ERROR_RTC_DTLS);
    HELPER_EXPECT_FAILED_CODE(srs_dtls_record_parse(flight.data(), 12, &rec), ERROR_RTC_DTLS);
    uint8_t hdr[13] = {22, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
    EXPECT_EQ(22, srs_dtls_content_type(hdr, sizeof(hdr)));
    HELPER_EXPECT_FAILED_CODE(srs_dtls_record_parse(hdr, sizeof(hdr), &rec), ERROR_RTC_DTLS);
    uint8_t stun[20] = {0x00, 0x01};
    uint8_t rtp[12] = {0x80, 96};
    EXPECT_EQ(0, srs_dtls_content_type(stun, sizeof(stun)));
    EXPECT_EQ(0, srs_dtls_content_type(rtp, sizeof(rtp)));
    EXPECT_EQ(0, srs_dtls_content_type(hdr, 12));
    EXPECT_EQ(0, srs_dtls_content_type(NULL, 0));
    // An empty handshake record has no handshake type; the sequence is 48 bits.
    uint8_t empty[13] = {22, 0xFE, 0xFD, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0, 0};
    HELPER_EXPECT_SUCCESS(srs_dtls_record_parse(empty, sizeof(empty), &rec));
    EXPECT_EQ(-1, rec.handshake_type);
    EXPECT_EQ(0x010203040506ULL, rec.sequence);
    EXPECT_EQ(13u, rec.size);
}

// RTP: V=2, PT=96, seq, timestamp, SSRC, then a recognisable payload.
static size_t make_rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc)
{
    uint8_t hdr[12] = {0x80, 96, (uint8_t)(seq >> 8), (uint8_t)seq, 0, 0, 0x10, 0,
                       (uint8_t)(ssrc >> 24), (uint8_t)(ssrc >> 16), (uint8_t)(ssrc >> 8), (uint8_t)ssrc};
    memcpy(buf, hdr, sizeof(hdr));
    for (int i = 0; i < 160; i++) buf[12 + i] = (uint8_t)(i * 7);
    return 12 + 160;
}

// RTCP receiver report with one report block (32 bytes).
static size_t make_rtcp_rr(uint8_t *buf, uint32_t ssrc)
{
    uint8_t rr[32] = {0x81, 201, 0, 7, (uint8_t)(ssrc >> 24), (uint8_t)(ssrc >> 16), (uint8_t)(ssrc >> 8), (uint8_t)ssrc,
                      0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 1, 0, 0, 0x10, 0x00, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(buf, rr, sizeof(rr));
    return sizeof(rr);
}

// Two sessions keyed crosswise, as both ends of a DTLS-SRTP association would be.
struct SrtpPair {
    srs_srtp_t *a = NULL, *b = NULL;
    explicit SrtpPair(int profile)
    {
        srs_dtls_srtp_keys_t ka, kb;
        memset(&ka, 0, sizeof(ka));
        ka.profile = profile;
        ka.key_len = profile == SRS_SRTP_AEAD_AES_128_GCM ? 28 : 30;
        for (size_t i = 0; i < ka.key_len; i++) {
            ka.local_key[i] = (uint8_t)(i + 1);
            ka.remote_key[i] = (uint8_t)(0xA0 + i);
        }
        kb = ka;
        memcpy(kb.local_key, ka.remote_key, sizeof(kb.local_key));
        memcpy(kb.remote_key, ka.local_key, sizeof(kb.remote_key));
        HELPER_EXPECT_SUCCESS(srs_srtp_new(&ka, &a));
        HELPER_EXPECT_SUCCESS(srs_srtp_new(&kb, &b));
    }
    ~SrtpPair()
    {
        srs_srtp_free(a);
        srs_srtp_free(b);
    }
};

static const int kProfiles[] = {SRS_SRTP_AES128_CM_SHA1_80, SRS_SRTP_AEAD_AES_128_GCM};

TEST(ProtocolSrtpTest, RtpRoundTripsWithBothProfiles)
{
    for (int profile : kProfiles) {
        SrtpPair s(profile);
        ASSERT_TRUE(s.a && s.b);
        uint8_t plain[512], buf[512];
        size_t plain_len = make_rtp(plain, 1000, 0x11223344);
        for (uint16_t seq = 1000; seq < 1005; seq++) {
            make_rtp(plain, seq, 0x11223344);
            memcpy(buf, plain, plain_len);
            size_t len = plain_len;
            HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtp(s.a, buf, &len, sizeof(buf)));
            // The tag: 10 bytes of HMAC-SHA1-80, 16 of GCM; the header stays clear, the payload not.
            EXPECT_EQ(plain_len + (profile == SRS_SRTP_AEAD_AES_128_GCM ? 16 : 10), len) << profile;
            EXPECT_EQ(0, memcmp(buf, plain, 12));
            EXPECT_NE(0, memcmp(buf + 12, plain + 12, plain_len - 12));
            HELPER_EXPECT_SUCCESS(srs_srtp_unprotect_rtp(s.b, buf, &len));
            ASSERT_EQ(plain_len, len);
            EXPECT_EQ(0, memcmp(buf, plain, plain_len));
        }
        // The other way too: b's local key is a's remote key.
        size_t len = make_rtp(buf, 7, 0x55667788);
        HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtp(s.b, buf, &len, sizeof(buf)));
        HELPER_EXPECT_SUCCESS(srs_srtp_unprotect_rtp(s.a, buf, &len));
        EXPECT_EQ(12u + 160, len);
    }
}

TEST(ProtocolSrtpTest, RtcpRoundTripsWithBothProfiles)
{
    for (int profile : kProfiles) {
        SrtpPair s(profile);
        uint8_t plain[256], buf[256];
        size_t plain_len = make_rtcp_rr(plain, 0x01020304);
        memcpy(buf, plain, plain_len);
        size_t len = plain_len;
        HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtcp(s.a, buf, &len, sizeof(buf)));
        // SRTCP adds the 4-byte E flag + index and the tag.
        EXPECT_EQ(plain_len + 4 + (profile == SRS_SRTP_AEAD_AES_128_GCM ? 16 : 10), len) << profile;
        EXPECT_EQ(0, memcmp(buf, plain, 8));
        HELPER_EXPECT_SUCCESS(srs_srtp_unprotect_rtcp(s.b, buf, &len));
        ASSERT_EQ(plain_len, len);
        EXPECT_EQ(0, memcmp(buf, plain, plain_len));
    }
}

TEST(ProtocolSrtpTest, TamperedPacketFailsUnprotect)
{
    for (int profile : kProfiles) {
        SrtpPair s(profile);
        uint8_t buf[512];
        size_t len = make_rtp(buf, 42, 0xAABBCCDD);
        HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtp(s.a, buf, &len, sizeof(buf)));
        buf[20] ^= 0x01;
        HELPER_EXPECT_FAILED_CODE(srs_srtp_unprotect_rtp(s.b, buf, &len), ERROR_RTC_SRTP);

        len = make_rtcp_rr(buf, 0xAABBCCDD);
        HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtcp(s.a, buf, &len, sizeof(buf)));
        buf[len - 1] ^= 0x80; // the tag
        HELPER_EXPECT_FAILED_CODE(srs_srtp_unprotect_rtcp(s.b, buf, &len), ERROR_RTC_SRTP);
    }
    // A packet protected with another key fails too.
    SrtpPair s(SRS_SRTP_AES128_CM_SHA1_80);
    uint8_t buf[512];
    size_t len = make_rtp(buf, 1, 1);
    HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtp(s.a, buf, &len, sizeof(buf)));
    HELPER_EXPECT_FAILED_CODE(srs_srtp_unprotect_rtp(s.a, buf, &len), ERROR_RTC_SRTP);
}

TEST(ProtocolSrtpTest, ReplayedPacketFails)
{
    for (int profile : kProfiles) {
        SrtpPair s(profile);
        uint8_t buf[512], copy[512];
        size_t len = make_rtp(buf, 300, 0x0A0B0C0D);
        HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtp(s.a, buf, &len, sizeof(buf)));
        memcpy(copy, buf, len);
        size_t copy_len = len;
        HELPER_EXPECT_SUCCESS(srs_srtp_unprotect_rtp(s.b, buf, &len));
        srs_error_t err = srs_srtp_unprotect_rtp(s.b, copy, &copy_len);
        EXPECT_EQ(ERROR_RTC_SRTP, srs_error_code(err));
        EXPECT_NE(std::string::npos, error_text(err).find("replay")) << error_text(err);
        srs_error_free(err);

        len = make_rtcp_rr(buf, 0x0A0B0C0D);
        HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtcp(s.a, buf, &len, sizeof(buf)));
        memcpy(copy, buf, len);
        copy_len = len;
        HELPER_EXPECT_SUCCESS(srs_srtp_unprotect_rtcp(s.b, buf, &len));
        HELPER_EXPECT_FAILED_CODE(srs_srtp_unprotect_rtcp(s.b, copy, &copy_len), ERROR_RTC_SRTP);
    }
}

TEST(ProtocolSrtpTest, RejectsBadKeysShortPacketsAndSmallBuffers)
{
    srs_dtls_srtp_keys_t k;
    memset(&k, 0, sizeof(k));
    srs_srtp_t *s = NULL;
    k.profile = SRS_SRTP_AES128_CM_SHA1_80;
    k.key_len = 28; // the GCM size, not CM's 30
    HELPER_EXPECT_FAILED_CODE(srs_srtp_new(&k, &s), ERROR_RTC_SRTP);
    k.profile = 2; // SRTP_AES128_CM_SHA1_32: not offered
    k.key_len = 30;
    HELPER_EXPECT_FAILED_CODE(srs_srtp_new(&k, &s), ERROR_RTC_SRTP);
    EXPECT_TRUE(s == NULL);

    SrtpPair p(SRS_SRTP_AES128_CM_SHA1_80);
    uint8_t buf[512];
    size_t len = make_rtp(buf, 1, 1);
    HELPER_EXPECT_FAILED_CODE(srs_srtp_protect_rtp(p.a, buf, &len, len + 10), ERROR_RTC_SRTP);
    EXPECT_EQ(172u, len); // untouched
    len = 11;
    HELPER_EXPECT_FAILED_CODE(srs_srtp_protect_rtp(p.a, buf, &len, sizeof(buf)), ERROR_RTC_SRTP);
    HELPER_EXPECT_FAILED_CODE(srs_srtp_unprotect_rtp(p.b, buf, &len), ERROR_RTC_SRTP);
    len = 7;
    HELPER_EXPECT_FAILED_CODE(srs_srtp_protect_rtcp(p.a, buf, &len, sizeof(buf)), ERROR_RTC_SRTP);
    HELPER_EXPECT_FAILED_CODE(srs_srtp_unprotect_rtcp(p.b, buf, &len), ERROR_RTC_SRTP);
    // A header with nothing authenticated after it is too short for SRTP.
    memset(buf, 0, 12);
    buf[0] = 0x80;
    len = 12;
    HELPER_EXPECT_FAILED_CODE(srs_srtp_unprotect_rtp(p.b, buf, &len), ERROR_RTC_SRTP);
}

TEST(ProtocolSrtpTest, HandshakeKeysProtectMediaBothWays)
{
    DtlsPair p;
    p.handshake();
    ASSERT_TRUE(srs_dtls_done(p.client) && srs_dtls_done(p.server));
    srs_dtls_srtp_keys_t ck, sk;
    HELPER_EXPECT_SUCCESS(srs_dtls_srtp_keys(p.client, &ck));
    HELPER_EXPECT_SUCCESS(srs_dtls_srtp_keys(p.server, &sk));
    srs_srtp_t *player = NULL, *origin = NULL;
    HELPER_EXPECT_SUCCESS(srs_srtp_new(&ck, &player));
    HELPER_EXPECT_SUCCESS(srs_srtp_new(&sk, &origin));
    ASSERT_TRUE(player && origin);
    uint8_t buf[512];
    size_t len = make_rtp(buf, 1, 0xDEADBEEF);
    HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtp(origin, buf, &len, sizeof(buf)));
    HELPER_EXPECT_SUCCESS(srs_srtp_unprotect_rtp(player, buf, &len));
    EXPECT_EQ(172u, len);
    len = make_rtcp_rr(buf, 0xDEADBEEF);
    HELPER_EXPECT_SUCCESS(srs_srtp_protect_rtcp(player, buf, &len, sizeof(buf)));
    HELPER_EXPECT_SUCCESS(srs_srtp_unprotect_rtcp(origin, buf, &len));
    EXPECT_EQ(32u, len);
    srs_srtp_free(player);
    srs_srtp_free(origin);
}

// One DTLS endpoint on its own ST UDP socket, sending with st_sendto.
struct UdpPeer {
    bool is_client = false;
    st_netfd_t fd = NULL;
    srs_sockaddr_t peer;
    srs_dtls_t *dtls = NULL;
    bool finished = false;
    size_t media_len = 0; // the SRTP packet the server received, unprotected
    uint8_t media[512];
};

static srs_error_t udp_send(void *ctx, const uint8_t *data, size_t len)
{
    UdpPeer *u = (UdpPeer *)ctx;
    if (st_sendto(u->fd, data, (int)len, (struct sockaddr *)&u->peer.ss, (int)u->peer.len, SRS_UTIME_SECONDS) < 0) {
        return srs_st_error("sendto");
    }
    return srs_success;
}

// Handshake, then the client sends one SRTP packet and the server unprotects it.
static srs_error_t udp_peer_cycle(void *arg)
{
    UdpPeer *u = (UdpPeer *)arg;
    srs_error_t err = srs_success;
    srs_srtp_t *srtp = NULL;
    srs_utime_t deadline = srs_time_now() + 5 * SRS_UTIME_SECONDS;
    if (u->is_client && (err = srs_dtls_start(u->dtls)) != srs_success) return err;
    while (!u->finished && srs_time_now() < deadline) {
        uint8_t buf[1500];
        srs_utime_t wait = srs_dtls_timeout(u->dtls);
        if (wait == 0) wait = 100 * SRS_UTIME_MILLISECONDS;
        int n = st_recvfrom(u->fd, buf, sizeof(buf), NULL, NULL, (st_utime_t)wait);
        if (n < 0 && errno == ETIME) {
            err = srs_dtls_on_timeout(u->dtls);
        } else if (n < 0) {
            err = srs_st_error("recvfrom");
        } else if (srs_dtls_content_type(buf, (size_t)n)) {
            err = srs_dtls_on_recv(u->dtls, buf, (size_t)n);
        } else if (srtp && buf[0] >= 128 && buf[0] <= 191) {
            size_t len = (size_t)n;
            if ((err = srs_srtp_unprotect_rtp(srtp, buf, &len)) == srs_success) {
                memcpy(u->media, buf, len);
                u->media_len = len;
                u->finished = true;
            }
        }
        if (err) break;
        if (srs_dtls_done(u->dtls) && !srtp) {
            srs_dtls_srtp_keys_t keys;
            if ((err = srs_dtls_srtp_keys(u->dtls, &keys)) || (err = srs_srtp_new(&keys, &srtp))) break;
            if (u->is_client) {
                size_t len = make_rtp(buf, 1, 0x12345678);
                if ((err = srs_srtp_protect_rtp(srtp, buf, &len, sizeof(buf))) || (err = udp_send(u, buf, len))) break;
                u->finished = true;
            }
        }
    }
    srs_srtp_free(srtp);
    if (!err && !u->finished) err = srs_error_new(ERROR_SYSTEM_TIMEOUT, "no handshake in 5s");
    return err;
}

TEST(ProtocolDtlsTest, HandshakeAndSrtpOverLoopbackUdp)
{
    DtlsPair certs;
    UdpPeer client, server;
    client.is_client = true;
    HELPER_EXPECT_SUCCESS(srs_udp_listen("127.0.0.1", 0, &client.fd));
    HELPER_EXPECT_SUCCESS(srs_udp_listen("127.0.0.1", 0, &server.fd));
    ASSERT_TRUE(client.fd && server.fd);
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(server.fd, &client.peer));
    HELPER_EXPECT_SUCCESS(srs_socket_local_addr(client.fd, &server.peer));
    HELPER_EXPECT_SUCCESS(srs_dtls_new(certs.client_cert, true, srs_dtls_cert_fingerprint(certs.server_cert),
                                       udp_send, &client, &client.dtls));
    HELPER_EXPECT_SUCCESS(srs_dtls_new(certs.server_cert, false, srs_dtls_cert_fingerprint(certs.client_cert),
                                       udp_send, &server, &server.dtls));

    srs_coroutine_t *sco = srs_coroutine_new("dtls-server", udp_peer_cycle, &server);
    srs_coroutine_t *cco = srs_coroutine_new("dtls-client", udp_peer_cycle, &client);
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(sco));
    HELPER_EXPECT_SUCCESS(srs_coroutine_start(cco));
    srs_utime_t deadline = srs_time_now() + 6 * SRS_UTIME_SECONDS;
    while (!(sco->done && cco->done) && srs_time_now() < deadline) st_usleep(10 * SRS_UTIME_MILLISECONDS);
    HELPER_EXPECT_SUCCESS(srs_coroutine_stop(cco));
    HELPER_EXPECT_SUCCESS(srs_coroutine_stop(sco));
    srs_coroutine_free(cco);
    srs_coroutine_free(sco);
    st_usleep(1000); // joined ST threads free their join condition when they run once more

    EXPECT_TRUE(srs_dtls_done(client.dtls));
    EXPECT_TRUE(srs_dtls_done(server.dtls));
    uint8_t expect[512];
    size_t expect_len = make_rtp(expect, 1, 0x12345678);
    ASSERT_EQ(expect_len, server.media_len);
    EXPECT_EQ(0, memcmp(expect, server.media, expect_len));

    srs_dtls_free(client.dtls);
    srs_dtls_free(server.dtls);
    srs_st_close(client.fd);
    srs_st_close(server.fd);
}
