// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <arpa/inet.h>
#include <string.h>

extern "C" {
#include "srs_app_srt_session.h"
}

static struct sockaddr_in addr_v4(const char *ip, int port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &sa.sin_addr);
    return sa;
}

static srs_addr_key_t key_of(const struct sockaddr_in &sa)
{
    srs_addr_key_t k;
    srs_addr_key_from((const struct sockaddr *)&sa, &k);
    return k;
}

static srs_srt_session_t *session_at(const struct sockaddr_in &sa, uint32_t client_socket_id)
{
    return srs_srt_session_new((const struct sockaddr *)&sa, sizeof(sa), client_socket_id, 1000);
}

struct SrtTable {
    srs_srt_table_t *t = srs_srt_table_new();
    ~SrtTable() { srs_srt_table_free(t); }
};

TEST(AppSrtTableTest, NewSessionIsAHandshakeAtItsAddress)
{
    struct sockaddr_in a = addr_v4("10.0.0.1", 5000);
    srs_srt_session_t *s = session_at(a, 42);
    EXPECT_EQ(SRS_SRT_SESSION_HANDSHAKE, s->state);
    EXPECT_EQ(42u, s->client_socket_id);
    EXPECT_EQ(0u, s->origin_socket_id);
    EXPECT_EQ(-1, s->origin_fd);
    srs_addr_key_t ka = key_of(a);
    EXPECT_TRUE(srs_addr_key_equal(&s->peer_key, &ka));
    EXPECT_EQ(1000, s->created_at);
    EXPECT_EQ(1000, s->last_client_at);
    EXPECT_EQ(7u, strlen(s->cid.id));
    srs_srt_session_free(s);
    srs_srt_session_free(NULL);
}

TEST(AppSrtTableTest, FindsByAddressThenByOriginSocketId)
{
    SrtTable tb;
    struct sockaddr_in a = addr_v4("10.0.0.1", 5000);
    srs_srt_session_t *s = session_at(a, 42);
    srs_srt_table_add(tb.t, s);
    srs_addr_key_t ka = key_of(a);
    EXPECT_EQ(s, srs_srt_table_by_addr(tb.t, &ka));
    EXPECT_EQ(nullptr, srs_srt_table_by_origin_id(tb.t, 99));
    EXPECT_EQ(1u, tb.t->count);

    HELPER_EXPECT_SUCCESS(srs_srt_table_bind_origin_id(tb.t, s, 99));
    EXPECT_EQ(99u, s->origin_socket_id);
    EXPECT_EQ(s, srs_srt_table_by_origin_id(tb.t, 99));
    HELPER_EXPECT_SUCCESS(srs_srt_table_bind_origin_id(tb.t, s, 99));  // again: no conflict with itself
    HELPER_EXPECT_FAILED_CODE(srs_srt_table_bind_origin_id(tb.t, s, 0), ERROR_SRT_HANDSHAKE);

    srs_srt_table_remove(tb.t, s);
    EXPECT_EQ(nullptr, srs_srt_table_by_addr(tb.t, &ka));
    EXPECT_EQ(nullptr, srs_srt_table_by_origin_id(tb.t, 99));
    EXPECT_EQ(0u, tb.t->count);
    EXPECT_EQ(nullptr, tb.t->head);
    srs_srt_table_remove(tb.t, s);  // twice is harmless
    EXPECT_EQ(0u, tb.t->count);
    srs_srt_session_free(s);
}

// Two origins may pick the same socket id: packets naming it could not be told apart.
TEST(AppSrtTableTest, ASecondSessionCannotTakeAnOriginSocketId)
{
    SrtTable tb;
    srs_srt_session_t *a = session_at(addr_v4("10.0.0.1", 5000), 1);
    srs_srt_session_t *b = session_at(addr_v4("10.0.0.2", 5000), 2);
    srs_srt_table_add(tb.t, a);
    srs_srt_table_add(tb.t, b);
    HELPER_EXPECT_SUCCESS(srs_srt_table_bind_origin_id(tb.t, a, 77));
    HELPER_EXPECT_FAILED_CODE(srs_srt_table_bind_origin_id(tb.t, b, 77), ERROR_SRT_HANDSHAKE);
    EXPECT_EQ(0u, b->origin_socket_id);
    EXPECT_EQ(a, srs_srt_table_by_origin_id(tb.t, 77));
    // Ending b must not drop a's entry.
    srs_srt_table_remove(tb.t, b);
    EXPECT_EQ(a, srs_srt_table_by_origin_id(tb.t, 77));
    srs_srt_table_remove(tb.t, a);
    srs_srt_session_free(a);
    srs_srt_session_free(b);
}

// A client restarted on the same port (or libsrt sockets sharing one port): the newest handshake
// owns the address; the older session keeps relaying by its origin socket id.
TEST(AppSrtTableTest, NewestSessionOwnsASharedAddress)
{
    SrtTable tb;
    struct sockaddr_in addr = addr_v4("10.0.0.1", 5000);
    srs_addr_key_t k = key_of(addr);
    srs_srt_session_t *old_s = session_at(addr, 1);
    srs_srt_table_add(tb.t, old_s);
    HELPER_EXPECT_SUCCESS(srs_srt_table_bind_origin_id(tb.t, old_s, 11));
    srs_srt_session_t *new_s = session_at(addr, 2);
    srs_srt_table_add(tb.t, new_s);
    EXPECT_EQ(new_s, srs_srt_table_by_addr(tb.t, &k));
    EXPECT_FALSE(old_s->addr_bound);
    EXPECT_TRUE(new_s->addr_bound);
    EXPECT_EQ(old_s, srs_srt_table_by_origin_id(tb.t, 11));

    // Ending the old one leaves the new one's address entry alone.
    srs_srt_table_remove(tb.t, old_s);
    EXPECT_EQ(new_s, srs_srt_table_by_addr(tb.t, &k));
    srs_srt_table_unbind_addr(tb.t, new_s);
    EXPECT_EQ(nullptr, srs_srt_table_by_addr(tb.t, &k));
    EXPECT_EQ(1u, tb.t->count);
    srs_srt_table_remove(tb.t, new_s);
    srs_srt_session_free(old_s);
    srs_srt_session_free(new_s);
}

TEST(AppSrtTableTest, MovedClientIsFollowed)
{
    SrtTable tb;
    struct sockaddr_in a = addr_v4("10.0.0.1", 5000), b = addr_v4("192.168.1.9", 6000);
    srs_addr_key_t ka = key_of(a), kb = key_of(b);
    srs_srt_session_t *s = session_at(a, 1);
    srs_srt_table_add(tb.t, s);
    HELPER_EXPECT_SUCCESS(srs_srt_table_bind_origin_id(tb.t, s, 5));

    srs_srt_table_move_peer(tb.t, s, (const struct sockaddr *)&b, sizeof(b));
    EXPECT_TRUE(srs_addr_key_equal(&kb, &s->peer_key));
    EXPECT_EQ(0, memcmp(&b, &s->peer, sizeof(b)));
    EXPECT_EQ((socklen_t)sizeof(b), s->peer_len);
    EXPECT_EQ(1u, s->address_changes);
    // Found by its socket id still; its old address now belongs to nobody.
    EXPECT_EQ(s, srs_srt_table_by_origin_id(tb.t, 5));
    EXPECT_EQ(nullptr, srs_srt_table_by_addr(tb.t, &ka));
    EXPECT_EQ(nullptr, srs_srt_table_by_addr(tb.t, &kb));

    // The same address again is no change.
    srs_srt_table_move_peer(tb.t, s, (const struct sockaddr *)&b, sizeof(b));
    EXPECT_EQ(1u, s->address_changes);
    srs_srt_table_remove(tb.t, s);
    srs_srt_session_free(s);
}

TEST(AppSrtTableTest, ListHoldsEverySessionUntilRemoved)
{
    SrtTable tb;
    srs_srt_session_t *s[3];
    for (int i = 0; i < 3; i++) {
        s[i] = session_at(addr_v4("10.0.0.1", 5000 + i), (uint32_t)i + 1);
        srs_srt_table_add(tb.t, s[i]);
    }
    srs_srt_table_remove(tb.t, s[1]);  // from the middle
    int n = 0;
    for (srs_srt_session_t *p = tb.t->head; p; p = p->next) {
        EXPECT_NE(s[1], p);
        n++;
    }
    EXPECT_EQ(2, n);
    EXPECT_EQ(2u, tb.t->count);
    for (int i = 0; i < 3; i++) {
        srs_srt_table_remove(tb.t, s[i]);
        srs_srt_session_free(s[i]);
    }
    EXPECT_EQ(nullptr, tb.t->head);
}
