/* SPDX-License-Identifier: MIT */
#include "srs_protocol_stun.h"

#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define STUN_ATTR_HEADER_SIZE 4
#define STUN_INTEGRITY_SIZE 20
#define STUN_FINGERPRINT_SIZE 4
#define STUN_FINGERPRINT_XOR 0x5354554eu
/* The header length is a u16 and counts the attributes only. */
#define STUN_MAX_MESSAGE (SRS_STUN_HEADER_SIZE + 0xFFFF)

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static uint64_t get_u64(const uint8_t *p) { return ((uint64_t)get_u32(p) << 32) | get_u32(p + 4); }
static void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put_u32(uint8_t *p, uint32_t v) { put_u16(p, (uint16_t)(v >> 16)); put_u16(p + 2, (uint16_t)v); }
static void put_u64(uint8_t *p, uint64_t v) { put_u32(p, (uint32_t)(v >> 32)); put_u32(p + 4, (uint32_t)v); }
static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

srs_rtc_packet_kind_t srs_rtc_classify(const uint8_t *data, size_t len)
{
    if (!data || len == 0) return SRS_RTC_PACKET_UNKNOWN;
    uint8_t b = data[0];
    if (b <= 3) return len >= SRS_STUN_HEADER_SIZE ? SRS_RTC_PACKET_STUN : SRS_RTC_PACKET_UNKNOWN;
    if (b >= 20 && b <= 63) return len >= 13 ? SRS_RTC_PACKET_DTLS : SRS_RTC_PACKET_UNKNOWN;
    if (b >= 128 && b <= 191) return len >= 12 ? SRS_RTC_PACKET_RTP_RTCP : SRS_RTC_PACKET_UNKNOWN;
    return SRS_RTC_PACKET_UNKNOWN;
}

bool srs_rtc_is_rtcp(const uint8_t *data, size_t len)
{
    return srs_rtc_classify(data, len) == SRS_RTC_PACKET_RTP_RTCP && data[1] >= 192 && data[1] <= 223;
}

/* XOR-MAPPED-ADDRESS value: 0, family, port ^ cookie>>16, address ^ (cookie | txid). */
static srs_error_t stun_decode_xor_address(const uint8_t *v, size_t n, const uint8_t *header,
                                           struct sockaddr_storage *out)
{
    if (n < 4) return srs_error_new(ERROR_RTC_STUN, "xor-mapped-address size=%zu", n);
    uint8_t family = v[1];
    uint16_t port = get_u16(v + 2) ^ (uint16_t)(SRS_STUN_MAGIC_COOKIE >> 16);
    memset(out, 0, sizeof(*out));
    if (family == 0x01 && n == 8) {
        struct sockaddr_in *sin = (struct sockaddr_in *)out;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = htonl(get_u32(v + 4) ^ SRS_STUN_MAGIC_COOKIE);
        return srs_success;
    }
    if (family == 0x02 && n == 20) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        /* The cookie and the transaction id are header bytes 4..19. */
        for (int i = 0; i < 16; i++) sin6->sin6_addr.s6_addr[i] = v[4 + i] ^ header[4 + i];
        return srs_success;
    }
    return srs_error_new(ERROR_RTC_STUN, "xor-mapped-address family=%u size=%zu", family, n);
}

/* One bit per decoded attribute, so that of repeated attributes the first one counts. */
enum { SEEN_USERNAME = 1, SEEN_XOR = 2, SEEN_PRIORITY = 4, SEEN_CONTROLLED = 8, SEEN_CONTROLLING = 16 };

/* Decode one attribute (not MESSAGE-INTEGRITY or FINGERPRINT) into out. */
static srs_error_t stun_decode_attr(uint16_t type, const uint8_t *v, size_t n, const uint8_t *header,
                                    unsigned *seen, srs_stun_msg_t *out)
{
    switch (type) {
    case SRS_STUN_ATTR_USERNAME:
        if (n > SRS_STUN_MAX_USERNAME) return srs_error_new(ERROR_RTC_STUN, "username size=%zu", n);
        if (!(*seen & SEEN_USERNAME)) { out->username = v; out->username_len = n; }
        *seen |= SEEN_USERNAME;
        return srs_success;
    case SRS_STUN_ATTR_XOR_MAPPED_ADDRESS:
        if (*seen & SEEN_XOR) {
            struct sockaddr_storage ignored;
            return stun_decode_xor_address(v, n, header, &ignored);
        }
        *seen |= SEEN_XOR;
        out->has_xor_mapped = true;
        return stun_decode_xor_address(v, n, header, &out->xor_mapped);
    case SRS_STUN_ATTR_PRIORITY:
        if (n != 4) return srs_error_new(ERROR_RTC_STUN, "priority size=%zu", n);
        if (!(*seen & SEEN_PRIORITY)) out->priority = get_u32(v);
        *seen |= SEEN_PRIORITY;
        return srs_success;
    case SRS_STUN_ATTR_USE_CANDIDATE:
        if (n != 0) return srs_error_new(ERROR_RTC_STUN, "use-candidate size=%zu", n);
        out->use_candidate = true;
        return srs_success;
    case SRS_STUN_ATTR_ICE_CONTROLLED:
    case SRS_STUN_ATTR_ICE_CONTROLLING: {
        if (n != 8) return srs_error_new(ERROR_RTC_STUN, "ice-controll(ed|ing) size=%zu", n);
        unsigned bit = type == SRS_STUN_ATTR_ICE_CONTROLLED ? SEEN_CONTROLLED : SEEN_CONTROLLING;
        if (!(*seen & (SEEN_CONTROLLED | SEEN_CONTROLLING))) out->ice_tiebreaker = get_u64(v);
        if (bit == SEEN_CONTROLLED) out->ice_controlled = true; else out->ice_controlling = true;
        *seen |= bit;
        return srs_success;
    }
    default:
        return srs_success; /* unknown attributes are skipped */
    }
}

srs_error_t srs_stun_parse(const uint8_t *data, size_t len, srs_stun_msg_t *out)
{
    if (!data || !out) return srs_error_new(ERROR_RTC_STUN, "no data");
    memset(out, 0, sizeof(*out));
    if (len < SRS_STUN_HEADER_SIZE) return srs_error_new(ERROR_RTC_STUN, "size=%zu < 20", len);

    uint16_t type = get_u16(data);
    if (type & 0xC000) return srs_error_new(ERROR_RTC_STUN, "type=%#x has top bits", type);
    size_t body = get_u16(data + 2);
    if (body != len - SRS_STUN_HEADER_SIZE) {
        return srs_error_new(ERROR_RTC_STUN, "header length=%zu, actual=%zu", body, len - SRS_STUN_HEADER_SIZE);
    }
    if (body % 4) return srs_error_new(ERROR_RTC_STUN, "length=%zu not a multiple of 4", body);
    uint32_t cookie = get_u32(data + 4);
    if (cookie != SRS_STUN_MAGIC_COOKIE) return srs_error_new(ERROR_RTC_STUN, "magic cookie=%#x", cookie);
    out->type = type;
    memcpy(out->txid, data + 8, sizeof(out->txid));

    unsigned seen = 0;
    size_t pos = SRS_STUN_HEADER_SIZE;
    while (pos < len) {
        if (out->has_fingerprint) return srs_error_new(ERROR_RTC_STUN, "attribute after fingerprint at %zu", pos);
        if (len - pos < STUN_ATTR_HEADER_SIZE) return srs_error_new(ERROR_RTC_STUN, "attribute header cut at %zu", pos);
        uint16_t atype = get_u16(data + pos);
        size_t alen = get_u16(data + pos + 2);
        size_t value = pos + STUN_ATTR_HEADER_SIZE;
        if (pad4(alen) > len - value) {
            return srs_error_new(ERROR_RTC_STUN, "attribute %#x length=%zu past the end at %zu", atype, alen, pos);
        }
        const uint8_t *v = data + value;

        if (atype == SRS_STUN_ATTR_FINGERPRINT) {
            if (alen != STUN_FINGERPRINT_SIZE) return srs_error_new(ERROR_RTC_STUN, "fingerprint size=%zu", alen);
            out->has_fingerprint = true;
            out->fingerprint_offset = pos;
        } else if (out->has_integrity) {
            /* RFC 5389 §15.4: everything after MESSAGE-INTEGRITY but FINGERPRINT is ignored. */
        } else if (atype == SRS_STUN_ATTR_MESSAGE_INTEGRITY) {
            if (alen != STUN_INTEGRITY_SIZE) return srs_error_new(ERROR_RTC_STUN, "integrity size=%zu", alen);
            out->has_integrity = true;
            out->integrity_offset = pos;
        } else {
            srs_error_t err = stun_decode_attr(atype, v, alen, data, &seen, out);
            if (err) return srs_error_wrap(err, "attribute at %zu", pos);
        }
        pos = value + pad4(alen);
    }
    return srs_success;
}

/* HMAC-SHA1 of the 4 header bytes hdr (type and adjusted length) followed by rest. */
/* One HMAC context for the process, fetched once and re-keyed per message: a flood of binding
 * requests from new addresses costs no allocation or algorithm lookup per packet. ST runs every
 * coroutine on one thread, and nothing here switches. */
static EVP_MAC_CTX *stun_hmac_ctx(void)
{
    static EVP_MAC_CTX *ctx = NULL;
    if (!ctx) {
        EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
        EVP_MAC_free(hmac); /* the context keeps its own reference */
    }
    return ctx;
}

static srs_error_t stun_hmac_sha1(const char *key, const uint8_t *hdr, const uint8_t *rest, size_t rest_len,
                                  uint8_t mac[STUN_INTEGRITY_SIZE])
{
    EVP_MAC_CTX *ctx = stun_hmac_ctx();
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0),
        OSSL_PARAM_construct_end(),
    };
    size_t n = 0;
    if (!ctx || !EVP_MAC_init(ctx, (const unsigned char *)key, strlen(key), params)
        || !EVP_MAC_update(ctx, hdr, 4) || !EVP_MAC_update(ctx, rest, rest_len)
        || !EVP_MAC_final(ctx, mac, &n, STUN_INTEGRITY_SIZE) || n != STUN_INTEGRITY_SIZE) {
        return srs_error_new(ERROR_RTC_STUN, "HMAC-SHA1 failed");
    }
    return srs_success;
}

/* CRC-32 (IEEE 802.3, reflected), continued from crc; start with 0. */
static uint32_t stun_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* The message type and a header length that ends after an attribute of size n at offset off. */
static void stun_adjusted_header(const uint8_t *data, size_t off, size_t n, uint8_t hdr[4])
{
    memcpy(hdr, data, 2);
    put_u16(hdr + 2, (uint16_t)(off + STUN_ATTR_HEADER_SIZE + n - SRS_STUN_HEADER_SIZE));
}

bool srs_stun_check_integrity(const uint8_t *data, size_t len, const srs_stun_msg_t *m, const char *pwd)
{
    if (!data || !m || !pwd || !m->has_integrity) return false;
    size_t off = m->integrity_offset;
    /* m may come from other bytes: check again that the attribute is there and whole. */
    if (off < SRS_STUN_HEADER_SIZE || off > len || len - off < STUN_ATTR_HEADER_SIZE + STUN_INTEGRITY_SIZE) return false;
    if (get_u16(data + off) != SRS_STUN_ATTR_MESSAGE_INTEGRITY || get_u16(data + off + 2) != STUN_INTEGRITY_SIZE) return false;

    uint8_t hdr[4], mac[STUN_INTEGRITY_SIZE];
    stun_adjusted_header(data, off, STUN_INTEGRITY_SIZE, hdr);
    srs_error_t err = stun_hmac_sha1(pwd, hdr, data + 4, off - 4, mac);
    if (err) { srs_error_free(err); return false; }
    return CRYPTO_memcmp(mac, data + off + STUN_ATTR_HEADER_SIZE, STUN_INTEGRITY_SIZE) == 0;
}

bool srs_stun_check_fingerprint(const uint8_t *data, size_t len, const srs_stun_msg_t *m)
{
    if (!data || !m || !m->has_fingerprint) return false;
    size_t off = m->fingerprint_offset;
    if (off < SRS_STUN_HEADER_SIZE || off > len || len - off < STUN_ATTR_HEADER_SIZE + STUN_FINGERPRINT_SIZE) return false;
    if (get_u16(data + off) != SRS_STUN_ATTR_FINGERPRINT || get_u16(data + off + 2) != STUN_FINGERPRINT_SIZE) return false;

    uint8_t hdr[4];
    stun_adjusted_header(data, off, STUN_FINGERPRINT_SIZE, hdr);
    uint32_t crc = stun_crc32(0, hdr, 4);
    crc = stun_crc32(crc, data + 4, off - 4);
    return (crc ^ STUN_FINGERPRINT_XOR) == get_u32(data + off + STUN_ATTR_HEADER_SIZE);
}

bool srs_stun_authentic(const uint8_t *data, size_t len, const srs_stun_msg_t *m, const char *pwd)
{
    if (!pwd || !pwd[0] || !m) return false;
    if (!srs_stun_check_integrity(data, len, m, pwd)) return false;
    return !m->has_fingerprint || srs_stun_check_fingerprint(data, len, m);
}

/* A bounded writer over the caller's buffer. */
typedef struct {
    uint8_t *buf;
    size_t size;
    size_t pos;
} stun_writer_t;

static srs_error_t stun_put_attr(stun_writer_t *w, uint16_t type, const void *value, size_t n)
{
    size_t need = STUN_ATTR_HEADER_SIZE + pad4(n);
    if (n > 0xFFFF || w->size - w->pos < need || w->pos + need > STUN_MAX_MESSAGE) {
        return srs_error_new(ERROR_RTC_STUN, "no room for attribute %#x size=%zu at %zu/%zu", type, n, w->pos, w->size);
    }
    uint8_t *p = w->buf + w->pos;
    put_u16(p, type);
    put_u16(p + 2, (uint16_t)n);
    if (n) memcpy(p + STUN_ATTR_HEADER_SIZE, value, n);
    memset(p + STUN_ATTR_HEADER_SIZE + n, 0, pad4(n) - n);
    w->pos += need;
    return srs_success;
}

static srs_error_t stun_put_xor_address(stun_writer_t *w, const struct sockaddr *sa)
{
    uint8_t v[20] = {0};
    const uint8_t *header = w->buf; /* cookie and txid are already written */
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        v[1] = 0x01;
        put_u16(v + 2, ntohs(sin->sin_port) ^ (uint16_t)(SRS_STUN_MAGIC_COOKIE >> 16));
        put_u32(v + 4, ntohl(sin->sin_addr.s_addr) ^ SRS_STUN_MAGIC_COOKIE);
        return stun_put_attr(w, SRS_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8);
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        v[1] = 0x02;
        put_u16(v + 2, ntohs(sin6->sin6_port) ^ (uint16_t)(SRS_STUN_MAGIC_COOKIE >> 16));
        for (int i = 0; i < 16; i++) v[4 + i] = sin6->sin6_addr.s6_addr[i] ^ header[4 + i];
        return stun_put_attr(w, SRS_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 20);
    }
    return srs_error_new(ERROR_RTC_STUN, "xor-mapped-address family=%d", sa->sa_family);
}

/* Set the header length so that the message ends after an attribute of n bytes still to come. */
static void stun_set_length(stun_writer_t *w, size_t n)
{
    put_u16(w->buf + 2, (uint16_t)(w->pos + n - SRS_STUN_HEADER_SIZE));
}

srs_error_t srs_stun_build(const srs_stun_build_t *b, uint8_t *buf, size_t size, size_t *len)
{
    srs_error_t err = srs_success;
    if (!b || !buf || !len) return srs_error_new(ERROR_RTC_STUN, "no buffer");
    if (b->type & 0xC000) return srs_error_new(ERROR_RTC_STUN, "type=%#x has top bits", b->type);
    if (size < SRS_STUN_HEADER_SIZE) return srs_error_new(ERROR_RTC_STUN, "buffer size=%zu < 20", size);

    stun_writer_t w = { buf, size, SRS_STUN_HEADER_SIZE };
    put_u16(buf, b->type);
    put_u16(buf + 2, 0);
    put_u32(buf + 4, SRS_STUN_MAGIC_COOKIE);
    if (b->txid) {
        memcpy(buf + 8, b->txid, 12);
    } else if (RAND_bytes(buf + 8, 12) != 1) {
        return srs_error_new(ERROR_RTC_STUN, "random transaction id");
    }

    if (b->username) {
        size_t n = strlen(b->username);
        if (n > SRS_STUN_MAX_USERNAME) return srs_error_new(ERROR_RTC_STUN, "username size=%zu", n);
        if ((err = stun_put_attr(&w, SRS_STUN_ATTR_USERNAME, b->username, n))) return err;
    }
    if (b->ice_controlling || b->ice_controlled) {
        uint8_t v[8];
        put_u64(v, b->tiebreaker);
        uint16_t type = b->ice_controlling ? SRS_STUN_ATTR_ICE_CONTROLLING : SRS_STUN_ATTR_ICE_CONTROLLED;
        if ((err = stun_put_attr(&w, type, v, sizeof(v)))) return err;
    }
    if (b->priority) {
        uint8_t v[4];
        put_u32(v, b->priority);
        if ((err = stun_put_attr(&w, SRS_STUN_ATTR_PRIORITY, v, sizeof(v)))) return err;
    }
    if (b->use_candidate && (err = stun_put_attr(&w, SRS_STUN_ATTR_USE_CANDIDATE, NULL, 0))) return err;
    if (b->xor_mapped && (err = stun_put_xor_address(&w, b->xor_mapped))) return err;

    if (b->integrity_pwd) {
        uint8_t mac[STUN_INTEGRITY_SIZE];
        stun_set_length(&w, STUN_ATTR_HEADER_SIZE + STUN_INTEGRITY_SIZE);
        if ((err = stun_hmac_sha1(b->integrity_pwd, buf, buf + 4, w.pos - 4, mac))) return err;
        if ((err = stun_put_attr(&w, SRS_STUN_ATTR_MESSAGE_INTEGRITY, mac, sizeof(mac)))) return err;
    }
    if (b->fingerprint) {
        uint8_t v[4];
        stun_set_length(&w, STUN_ATTR_HEADER_SIZE + STUN_FINGERPRINT_SIZE);
        put_u32(v, stun_crc32(0, buf, w.pos) ^ STUN_FINGERPRINT_XOR);
        if ((err = stun_put_attr(&w, SRS_STUN_ATTR_FINGERPRINT, v, sizeof(v)))) return err;
    }
    stun_set_length(&w, 0);
    *len = w.pos;
    return srs_success;
}
