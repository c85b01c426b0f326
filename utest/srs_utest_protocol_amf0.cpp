// SPDX-License-Identifier: MIT
#include "srs_utest.h"

#include <string>

extern "C" {
#include "srs_protocol_amf0.h"
}

namespace {

std::string encode(const srs_amf0_t *v)
{
    srs_amf0_buf_t buf = {};
    srs_error_t err = srs_amf0_encode(v, &buf);
    EXPECT_TRUE(err == srs_success) << srs_error_desc(err);
    srs_error_free(err);
    std::string s((const char *)buf.data, buf.len);
    srs_amf0_buf_free(&buf);
    return s;
}

// Decode the whole of bytes (every byte must be used); NULL (and a test failure) otherwise.
srs_amf0_t *decode(const std::string &bytes)
{
    srs_amf0_t *v = NULL;
    size_t used = 0;
    srs_error_t err = srs_amf0_decode((const uint8_t *)bytes.data(), bytes.size(), &v, &used);
    EXPECT_TRUE(err == srs_success) << srs_error_desc(err);
    srs_error_free(err);
    EXPECT_EQ(bytes.size(), used);
    return v;
}

int decode_error(const std::string &bytes)
{
    srs_amf0_t *v = NULL;
    srs_error_t err = srs_amf0_decode((const uint8_t *)bytes.data(), bytes.size(), &v, NULL);
    int code = srs_error_code(err);
    srs_error_free(err);
    if (code == ERROR_SUCCESS) srs_amf0_free(v);
    return code;
}

// Encode, decode, and expect the same tree back.
void expect_round_trip(srs_amf0_t *v)
{
    std::string bytes = encode(v);
    srs_amf0_t *back = decode(bytes);
    EXPECT_TRUE(srs_amf0_equal(v, back));
    EXPECT_EQ(bytes, encode(back));
    srs_amf0_free(back);
    srs_amf0_free(v);
}

std::string B(std::initializer_list<int> bytes)
{
    std::string s;
    for (int b : bytes) s.push_back((char)b);
    return s;
}

} // namespace

TEST(ProtocolAmf0Test, ScalarsEncodeAsSpecified)
{
    srs_amf0_t *v = srs_amf0_new_number(1.0);
    EXPECT_EQ(B({0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0}), encode(v));
    srs_amf0_free(v);

    v = srs_amf0_new_boolean(true);
    EXPECT_EQ(B({0x01, 0x01}), encode(v));
    srs_amf0_free(v);

    v = srs_amf0_new_string("ab");
    EXPECT_EQ(B({0x02, 0x00, 0x02, 'a', 'b'}), encode(v));
    srs_amf0_free(v);

    v = srs_amf0_new_null();
    EXPECT_EQ(B({0x05}), encode(v));
    srs_amf0_free(v);

    v = srs_amf0_new_undefined();
    EXPECT_EQ(B({0x06}), encode(v));
    srs_amf0_free(v);
}

TEST(ProtocolAmf0Test, EveryTypeRoundTrips)
{
    expect_round_trip(srs_amf0_new_number(-3.25));
    expect_round_trip(srs_amf0_new_number(1e300));
    expect_round_trip(srs_amf0_new_boolean(false));
    expect_round_trip(srs_amf0_new_boolean(true));
    expect_round_trip(srs_amf0_new_string(""));
    expect_round_trip(srs_amf0_new_string("NetConnection.Connect.Success"));
    expect_round_trip(srs_amf0_new_string_n("a\0b", 3));
    expect_round_trip(srs_amf0_new_null());
    expect_round_trip(srs_amf0_new_undefined());
    expect_round_trip(srs_amf0_new_date(1700000000123.0, -60));
    expect_round_trip(srs_amf0_new_object());
    expect_round_trip(srs_amf0_new_ecma_array());
    expect_round_trip(srs_amf0_new_strict_array());
}

TEST(ProtocolAmf0Test, LongStringUsesLongMarkerAndRoundTrips)
{
    std::string text(70000, 'x');
    srs_amf0_t *v = srs_amf0_new_string_n(text.data(), text.size());
    std::string bytes = encode(v);
    ASSERT_EQ(1u + 4 + text.size(), bytes.size());
    EXPECT_EQ(B({0x0C, 0x00, 0x01, 0x11, 0x70}), bytes.substr(0, 5));
    srs_amf0_t *back = decode(bytes);
    EXPECT_EQ(SRS_AMF0_STRING, srs_amf0_type(back));
    EXPECT_EQ(text, std::string(srs_amf0_string(back), srs_amf0_string_len(back)));
    srs_amf0_free(back);
    srs_amf0_free(v);
}

TEST(ProtocolAmf0Test, NestedObjectsRoundTripInOrder)
{
    srs_amf0_t *inner = srs_amf0_new_ecma_array();
    srs_amf0_set(inner, "version", srs_amf0_new_string("3,5,3,888"));
    srs_amf0_set(inner, "srs_id", srs_amf0_new_string("abc"));
    srs_amf0_t *list = srs_amf0_new_strict_array();
    srs_amf0_append(list, srs_amf0_new_number(1));
    srs_amf0_append(list, srs_amf0_new_string("two"));
    srs_amf0_append(list, srs_amf0_new_null());
    srs_amf0_t *obj = srs_amf0_new_object();
    srs_amf0_set(obj, "zeta", srs_amf0_new_number(26));
    srs_amf0_set(obj, "alpha", srs_amf0_new_boolean(true));
    srs_amf0_set(obj, "data", inner);
    srs_amf0_set(obj, "list", list);

    srs_amf0_t *back = decode(encode(obj));
    ASSERT_EQ(4u, srs_amf0_count(back));
    EXPECT_STREQ("zeta", srs_amf0_key_at(back, 0));
    EXPECT_STREQ("alpha", srs_amf0_key_at(back, 1));
    EXPECT_STREQ("data", srs_amf0_key_at(back, 2));
    EXPECT_STREQ("list", srs_amf0_key_at(back, 3));
    srs_amf0_t *data = srs_amf0_get(back, "data");
    EXPECT_EQ(SRS_AMF0_ECMA_ARRAY, srs_amf0_type(data));
    EXPECT_STREQ("3,5,3,888", srs_amf0_get_string(data, "version"));
    srs_amf0_t *l = srs_amf0_get(back, "list");
    ASSERT_EQ(3u, srs_amf0_count(l));
    EXPECT_STREQ("two", srs_amf0_string(srs_amf0_value_at(l, 1)));
    EXPECT_EQ(SRS_AMF0_NULL, srs_amf0_type(srs_amf0_value_at(l, 2)));
    EXPECT_TRUE(srs_amf0_equal(obj, back));
    srs_amf0_free(back);
    expect_round_trip(obj);
}

TEST(ProtocolAmf0Test, EcmaArrayCarriesItsCount)
{
    srs_amf0_t *v = srs_amf0_new_ecma_array();
    srs_amf0_set(v, "a", srs_amf0_new_null());
    srs_amf0_set(v, "b", srs_amf0_new_null());
    EXPECT_EQ(B({0x08, 0, 0, 0, 2, 0, 1, 'a', 0x05, 0, 1, 'b', 0x05, 0, 0, 0x09}), encode(v));
    srs_amf0_free(v);
}

TEST(ProtocolAmf0Test, SetReplacesInPlaceAndGettersCheckTypes)
{
    srs_amf0_t *obj = srs_amf0_new_object();
    srs_amf0_set(obj, "app", srs_amf0_new_string("live"));
    srs_amf0_set(obj, "n", srs_amf0_new_number(5));
    srs_amf0_set(obj, "app", srs_amf0_new_string("vod"));
    ASSERT_EQ(2u, srs_amf0_count(obj));
    EXPECT_STREQ("app", srs_amf0_key_at(obj, 0));
    EXPECT_STREQ("vod", srs_amf0_get_string(obj, "app"));
    EXPECT_TRUE(NULL == srs_amf0_get_string(obj, "n"));
    double n = 0;
    EXPECT_TRUE(srs_amf0_get_number(obj, "n", &n));
    EXPECT_EQ(5, n);
    EXPECT_FALSE(srs_amf0_get_number(obj, "app", &n));
    EXPECT_TRUE(NULL == srs_amf0_get(obj, "missing"));
    EXPECT_TRUE(srs_amf0_remove(obj, "app"));
    EXPECT_FALSE(srs_amf0_remove(obj, "app"));
    EXPECT_EQ(1u, srs_amf0_count(obj));

    srs_amf0_t *copy = srs_amf0_copy(obj);
    srs_amf0_set(obj, "n", srs_amf0_new_number(6));
    EXPECT_TRUE(srs_amf0_get_number(copy, "n", &n));
    EXPECT_EQ(5, n);
    srs_amf0_free(copy);
    srs_amf0_free(obj);
}

TEST(ProtocolAmf0Test, ConsumedAllowsASequenceOfValues)
{
    std::string bytes = B({0x02, 0, 7, 'c', 'o', 'n', 'n', 'e', 'c', 't', 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x05});
    const uint8_t *p = (const uint8_t *)bytes.data();
    size_t left = bytes.size(), used = 0;
    srs_amf0_t *v = NULL;
    HELPER_EXPECT_SUCCESS(srs_amf0_decode(p, left, &v, &used));
    EXPECT_EQ(10u, used);
    EXPECT_STREQ("connect", srs_amf0_string(v));
    srs_amf0_free(v);
    HELPER_EXPECT_SUCCESS(srs_amf0_decode(p + 10, left - 10, &v, &used));
    EXPECT_EQ(9u, used);
    EXPECT_EQ(1.0, srs_amf0_number(v));
    srs_amf0_free(v);
}

TEST(ProtocolAmf0Test, ObjectWithoutEndMarkerEndsAtInputEnd)
{
    // As SRS reads it: some encoders leave out the end marker of a trailing object.
    srs_amf0_t *v = decode(B({0x03, 0, 1, 'a', 0x05}));
    EXPECT_EQ(1u, srs_amf0_count(v));
    EXPECT_EQ(SRS_AMF0_NULL, srs_amf0_type(srs_amf0_get(v, "a")));
    srs_amf0_free(v);
}

TEST(ProtocolAmf0Test, TruncatedInputsAreErrors)
{
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(""));
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x00, 0x3F, 0xF0})));          // number of 2 bytes
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x01})));                      // boolean without value
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x02, 0x00})));                // string length cut
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x02, 0x00, 0x05, 'a'})));     // string longer than input
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 'a'}))); // long string
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x03, 0x00})));                // key length cut
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x03, 0x00, 0x09, 'a'})));     // key longer than input
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x03, 0x00, 0x01, 'a'})));     // key without value
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x08, 0x00, 0x00})));          // ECMA count cut
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x0A, 0x00, 0x00, 0x00, 0x02, 0x05}))); // 2 elements, 1 there
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05}))); // huge count
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 0})));   // date of 9 bytes
}

TEST(ProtocolAmf0Test, UnknownAndUnsupportedMarkersAreErrors)
{
    for (int marker : {0x04, 0x07, 0x09, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0xFF}) {
        EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({marker, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))) << marker;
    }
}

TEST(ProtocolAmf0Test, DepthBombIsAnError)
{
    // SRS_AMF0_MAX_DEPTH nested objects decode; one more does not.
    auto nested = [](int levels) {
        std::string s;
        for (int i = 0; i < levels; i++) s += B({0x03, 0, 1, 'a'});
        s += B({0x05});
        for (int i = 0; i < levels; i++) s += B({0, 0, 0x09});
        return s;
    };
    srs_amf0_t *v = decode(nested(SRS_AMF0_MAX_DEPTH));
    EXPECT_EQ(SRS_AMF0_OBJECT, srs_amf0_type(v));
    srs_amf0_free(v);
    EXPECT_EQ(ERROR_RTMP_AMF0_BUDGET, decode_error(nested(SRS_AMF0_MAX_DEPTH + 1)));

    std::string arrays;
    for (int i = 0; i < 100000; i++) arrays += B({0x0A, 0, 0, 0, 1});
    EXPECT_EQ(ERROR_RTMP_AMF0_BUDGET, decode_error(arrays));

    // The encoder refuses what the decoder would.
    srs_amf0_t *root = srs_amf0_new_strict_array();
    srs_amf0_t *p = root;
    for (int i = 0; i < SRS_AMF0_MAX_DEPTH; i++) {
        srs_amf0_t *child = srs_amf0_new_strict_array();
        srs_amf0_append(p, child);
        p = child;
    }
    srs_amf0_buf_t buf = {};
    HELPER_EXPECT_FAILED_CODE(srs_amf0_encode(root, &buf), ERROR_RTMP_AMF0);
    EXPECT_EQ(0u, buf.len);
    srs_amf0_buf_free(&buf);
    srs_amf0_free(root);
}

namespace {
// A strict array of n elements, each the 1-byte null (the cheapest value to send).
std::string null_array(uint32_t n)
{
    std::string s = B({0x0A, (int)(n >> 24) & 0xFF, (int)(n >> 16) & 0xFF, (int)(n >> 8) & 0xFF, (int)n & 0xFF});
    s.append(n, (char)SRS_AMF0_NULL);
    return s;
}
} // namespace

TEST(ProtocolAmf0Test, NodeBudgetBoundsOneByteValues)
{
    // The array itself is a node: 1 + 1023 nulls is exactly the budget, one more is over.
    srs_amf0_t *v = decode(null_array(SRS_AMF0_MAX_NODES - 1));
    EXPECT_EQ((size_t)SRS_AMF0_MAX_NODES - 1, srs_amf0_count(v));
    srs_amf0_free(v);
    EXPECT_EQ(ERROR_RTMP_AMF0_BUDGET, decode_error(null_array(SRS_AMF0_MAX_NODES)));
    // The bomb of the report: 2 MiB of nulls in one array is refused, not turned into 200 MB.
    EXPECT_EQ(ERROR_RTMP_AMF0_BUDGET, decode_error(null_array(2 * 1024 * 1024)));

    // Objects count too: each property's value is a node.
    std::string obj = B({0x03});
    for (int i = 0; i < SRS_AMF0_MAX_NODES; i++) obj += B({0, 1, 'k', 0x05});
    obj += B({0, 0, 0x09});
    EXPECT_EQ(ERROR_RTMP_AMF0_BUDGET, decode_error(obj));
}

TEST(ProtocolAmf0Test, LyingArrayCountsAreRefusedBeforeAllocation)
{
    // More elements than bytes left: malformed, whatever the budget.
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05, 0x05})));
    EXPECT_EQ(ERROR_RTMP_AMF0, decode_error(B({0x0A, 0, 0, 0, 3, 0x05, 0x05})));
    // Bytes enough, but more elements than the nodes left: refused at the count, before any element.
    std::string lying = B({0x0A, 0, 0, 0x10, 0}) + std::string(4096, (char)SRS_AMF0_NULL);
    srs_amf0_budget_t budget;
    srs_amf0_budget_init(&budget, SRS_AMF0_MAX_NODES, SRS_AMF0_MAX_DEPTH);
    srs_amf0_t *v = NULL;
    HELPER_EXPECT_FAILED_CODE(srs_amf0_decode_budget((const uint8_t *)lying.data(), lying.size(), &budget, &v, NULL),
                              ERROR_RTMP_AMF0_BUDGET);
    EXPECT_EQ(1u, budget.nodes_used); // only the array's own node was spent
    EXPECT_TRUE(v == NULL);
    // An ECMA array's count is advisory, but one over the budget is refused as well.
    EXPECT_EQ(ERROR_RTMP_AMF0_BUDGET, decode_error(B({0x08, 0, 1, 0, 0, 0, 0, 0x09})));
    srs_amf0_t *ok = decode(B({0x08, 0, 0, 0, 1, 0, 1, 'a', 0x05, 0, 0, 0x09}));
    EXPECT_EQ(1u, srs_amf0_count(ok));
    srs_amf0_free(ok);
}

TEST(ProtocolAmf0Test, OneBudgetSpansSeveralDecodes)
{
    std::string nulls(20, (char)SRS_AMF0_NULL);
    srs_amf0_budget_t budget;
    srs_amf0_budget_init(&budget, 10, SRS_AMF0_MAX_DEPTH);
    size_t pos = 0;
    for (int i = 0; i < 10; i++) {
        srs_amf0_t *v = NULL;
        size_t used = 0;
        HELPER_EXPECT_SUCCESS(srs_amf0_decode_budget((const uint8_t *)nulls.data() + pos, nulls.size() - pos, &budget, &v, &used));
        srs_amf0_free(v);
        pos += used;
    }
    EXPECT_EQ(10u, budget.nodes_used);
    EXPECT_EQ(0u, budget.nodes_left);
    srs_amf0_t *v = NULL;
    HELPER_EXPECT_FAILED_CODE(srs_amf0_decode_budget((const uint8_t *)nulls.data() + pos, nulls.size() - pos, &budget, &v, NULL),
                              ERROR_RTMP_AMF0_BUDGET);
    EXPECT_EQ(10u, budget.nodes_used);
}

TEST(ProtocolAmf0Test, DepthBudgetIsTheCallersAndCappedByTheMax)
{
    auto nested = [](int levels) {
        std::string s;
        for (int i = 0; i < levels; i++) s += B({0x0A, 0, 0, 0, 1});
        return s + B({0x05});
    };
    srs_amf0_budget_t budget;
    srs_amf0_t *v = NULL;
    std::string two = nested(2), three = nested(3);
    srs_amf0_budget_init(&budget, 100, 2);
    HELPER_EXPECT_SUCCESS(srs_amf0_decode_budget((const uint8_t *)two.data(), two.size(), &budget, &v, NULL));
    srs_amf0_free(v);
    srs_amf0_budget_init(&budget, 100, 2);
    HELPER_EXPECT_FAILED_CODE(srs_amf0_decode_budget((const uint8_t *)three.data(), three.size(), &budget, &v, NULL),
                              ERROR_RTMP_AMF0_BUDGET);
    // A caller cannot ask for more than SRS_AMF0_MAX_DEPTH.
    srs_amf0_budget_init(&budget, 100, 1000);
    EXPECT_EQ(SRS_AMF0_MAX_DEPTH, budget.max_depth);
    std::string deep = nested(SRS_AMF0_MAX_DEPTH + 1);
    HELPER_EXPECT_FAILED_CODE(srs_amf0_decode_budget((const uint8_t *)deep.data(), deep.size(), &budget, &v, NULL),
                              ERROR_RTMP_AMF0_BUDGET);
}
