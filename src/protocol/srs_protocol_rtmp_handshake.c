/* SPDX-License-Identifier: MIT */
/* RTMP handshake, simple and complex (digest) forms. */
#include "srs_protocol_rtmp_handshake.h"

#include "srs_core_log.h"
#include "srs_protocol_st.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>
#include <time.h>

/* "Genuine Adobe Flash Media Server 001" + 32 constant bytes; S1 uses the first 36 bytes. */
static const uint8_t fms_key[68] = {
    'G', 'e', 'n', 'u', 'i', 'n', 'e', ' ', 'A', 'd', 'o', 'b', 'e', ' ', 'F', 'l', 'a', 's',
    'h', ' ', 'M', 'e', 'd', 'i', 'a', ' ', 'S', 'e', 'r', 'v', 'e', 'r', ' ', '0', '0', '1',
    0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
    0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
};
#define FMS_KEY_PARTIAL 36

/* "Genuine Adobe Flash Player 001" + the same 32 bytes; C1 uses the first 30 bytes. */
static const uint8_t fp_key[62] = {
    'G', 'e', 'n', 'u', 'i', 'n', 'e', ' ', 'A', 'd', 'o', 'b', 'e', ' ', 'F', 'l', 'a', 's',
    'h', ' ', 'P', 'l', 'a', 'y', 'e', 'r', ' ', '0', '0', '1',
    0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
    0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
};
#define FP_KEY_PARTIAL 30

#define HS_SIZE SRS_RTMP_HANDSHAKE_SIZE
#define DIGEST_SIZE SRS_RTMP_DIGEST_SIZE
/* Each of the key and digest blocks after the 8 bytes of time and version. */
#define BLOCK_SIZE 764
/* The digest can start anywhere in its block after the 4 offset bytes, leaving room for it. */
#define DIGEST_POSITIONS (BLOCK_SIZE - 4 - DIGEST_SIZE)

static bool hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[DIGEST_SIZE])
{
    unsigned int n = 0;
    return HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) != NULL && n == DIGEST_SIZE;
}

size_t srs_rtmp_digest_offset(const uint8_t packet[HS_SIZE], int schema)
{
    size_t block = schema == 0 ? 8 + BLOCK_SIZE : 8;
    const uint8_t *p = packet + block;
    return block + 4 + ((size_t)p[0] + p[1] + p[2] + p[3]) % DIGEST_POSITIONS;
}

/* HMAC-SHA256 over the packet without its 32 digest bytes at `offset`. */
static bool packet_digest(const uint8_t packet[HS_SIZE], size_t offset, const uint8_t *key, size_t key_len,
                          uint8_t out[DIGEST_SIZE])
{
    uint8_t joined[HS_SIZE - DIGEST_SIZE];
    memcpy(joined, packet, offset);
    memcpy(joined + offset, packet + offset + DIGEST_SIZE, HS_SIZE - offset - DIGEST_SIZE);
    return hmac_sha256(key, key_len, joined, sizeof(joined), out);
}

static int digest_schema(const uint8_t packet[HS_SIZE], const uint8_t *key, size_t key_len)
{
    for (int schema = 0; schema <= 1; schema++) {
        size_t offset = srs_rtmp_digest_offset(packet, schema);
        uint8_t digest[DIGEST_SIZE];
        if (packet_digest(packet, offset, key, key_len, digest) && memcmp(digest, packet + offset, DIGEST_SIZE) == 0) {
            return schema;
        }
    }
    return -1;
}

int srs_rtmp_c1_digest_schema(const uint8_t c1[HS_SIZE]) { return digest_schema(c1, fp_key, FP_KEY_PARTIAL); }
bool srs_rtmp_c1_digest_valid(const uint8_t c1[HS_SIZE]) { return srs_rtmp_c1_digest_schema(c1) >= 0; }
int srs_rtmp_s1_digest_schema(const uint8_t s1[HS_SIZE]) { return digest_schema(s1, fms_key, FMS_KEY_PARTIAL); }

static srs_error_t random_bytes(uint8_t *p, size_t n)
{
    if (RAND_bytes(p, (int)n) != 1) return srs_error_new(ERROR_RTMP_HANDSHAKE, "no random bytes");
    return srs_success;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* time, version, random, then the digest for the schema keyed with key. */
static srs_error_t build_digested(uint8_t packet[HS_SIZE], int schema, uint32_t version, const uint8_t *key,
                                  size_t key_len)
{
    srs_error_t err = random_bytes(packet + 8, HS_SIZE - 8);
    if (err) return err;
    put_be32(packet, (uint32_t)time(NULL));
    put_be32(packet + 4, version);
    size_t offset = srs_rtmp_digest_offset(packet, schema);
    if (!packet_digest(packet, offset, key, key_len, packet + offset)) {
        return srs_error_new(ERROR_RTMP_HANDSHAKE, "HMAC-SHA256 failed");
    }
    return srs_success;
}

srs_error_t srs_rtmp_c1_build_complex(uint8_t c1[HS_SIZE], int schema)
{
    return build_digested(c1, schema, 0x80000702, fp_key, FP_KEY_PARTIAL);
}

srs_error_t srs_rtmp_s1_build_complex(uint8_t s1[HS_SIZE], int schema)
{
    return build_digested(s1, schema, 0x01000504, fms_key, FMS_KEY_PARTIAL);
}

/* The digest of s2's first 1504 bytes keyed by HMAC(FMS full key, c1_digest). */
static bool s2_digest(const uint8_t s2[HS_SIZE], const uint8_t c1_digest[DIGEST_SIZE], uint8_t out[DIGEST_SIZE])
{
    uint8_t temp_key[DIGEST_SIZE];
    return hmac_sha256(fms_key, sizeof(fms_key), c1_digest, DIGEST_SIZE, temp_key) &&
           hmac_sha256(temp_key, sizeof(temp_key), s2, HS_SIZE - DIGEST_SIZE, out);
}

srs_error_t srs_rtmp_s2_build_complex(uint8_t s2[HS_SIZE], const uint8_t c1_digest[DIGEST_SIZE])
{
    srs_error_t err = random_bytes(s2, HS_SIZE - DIGEST_SIZE);
    if (err) return err;
    if (!s2_digest(s2, c1_digest, s2 + HS_SIZE - DIGEST_SIZE)) {
        return srs_error_new(ERROR_RTMP_HANDSHAKE, "HMAC-SHA256 failed");
    }
    return srs_success;
}

bool srs_rtmp_s2_digest_valid(const uint8_t s2[HS_SIZE], const uint8_t c1_digest[DIGEST_SIZE])
{
    uint8_t digest[DIGEST_SIZE];
    return s2_digest(s2, c1_digest, digest) && memcmp(digest, s2 + HS_SIZE - DIGEST_SIZE, DIGEST_SIZE) == 0;
}

srs_error_t srs_rtmp_handshake_answer(const uint8_t *c0c1, uint8_t *s0s1s2, bool *complex)
{
    srs_error_t err = srs_success;
    if (c0c1[0] != SRS_RTMP_VERSION) {
        return srs_error_new(ERROR_RTMP_HANDSHAKE, "C0 version %u, only plain RTMP (3) is supported", c0c1[0]);
    }
    const uint8_t *c1 = c0c1 + 1;
    uint8_t *s1 = s0s1s2 + 1, *s2 = s0s1s2 + 1 + HS_SIZE;
    s0s1s2[0] = SRS_RTMP_VERSION;

    int schema = srs_rtmp_c1_digest_schema(c1);
    if (complex) *complex = schema >= 0;
    if (schema < 0) {
        /* Simple: S1 = time + zero version + random, S2 = echo of C1. */
        if ((err = random_bytes(s1 + 8, HS_SIZE - 8)) != srs_success) return err;
        put_be32(s1, (uint32_t)time(NULL));
        memset(s1 + 4, 0, 4);
        memcpy(s2, c1, HS_SIZE);
        return srs_success;
    }

    if ((err = srs_rtmp_s1_build_complex(s1, schema)) != srs_success) return srs_error_wrap(err, "S1");
    const uint8_t *c1_digest = c1 + srs_rtmp_digest_offset(c1, schema);
    if ((err = srs_rtmp_s2_build_complex(s2, c1_digest)) != srs_success) return srs_error_wrap(err, "S2");
    return srs_success;
}

/* What is left until deadline, or a timeout error once it passed. */
static srs_error_t time_left(srs_utime_t deadline, const char *what, srs_utime_t *left)
{
    *left = deadline - srs_time_now();
    if (*left <= 0) return srs_error_new(ERROR_SYSTEM_TIMEOUT, "%s: handshake deadline passed", what);
    return srs_success;
}

/* size bytes by deadline: every read waits only for what is left (st_read_fully would give each
 * read the whole timeout, so a peer sending a byte at a time could hold us forever). */
static srs_error_t read_fully_by(st_netfd_t fd, void *buf, size_t size, srs_utime_t deadline, const char *what)
{
    srs_error_t err = srs_success;
    for (size_t got = 0; got < size;) {
        srs_utime_t left = 0;
        size_t n = 0;
        if ((err = time_left(deadline, what, &left)) != srs_success) return err;
        if ((err = srs_st_read(fd, (uint8_t *)buf + got, size - got, left, &n)) != srs_success) {
            return srs_error_wrap(err, "%s", what);
        }
        got += n;
    }
    return srs_success;
}

static srs_error_t write_by(st_netfd_t fd, const void *buf, size_t size, srs_utime_t deadline, const char *what)
{
    srs_utime_t left = 0;
    srs_error_t err = time_left(deadline, what, &left);
    if (!err) err = srs_st_write(fd, buf, size, left);
    if (err) return srs_error_wrap(err, "%s", what);
    return srs_success;
}

srs_error_t srs_rtmp_handshake_server(st_netfd_t fd, srs_utime_t timeout, bool *complex)
{
    srs_error_t err = srs_success;
    uint8_t c0c1[1 + HS_SIZE];
    uint8_t s0s1s2[1 + 2 * HS_SIZE];
    uint8_t c2[HS_SIZE];
    srs_utime_t deadline = srs_time_now() + timeout;

    if ((err = read_fully_by(fd, c0c1, sizeof(c0c1), deadline, "read C0C1")) != srs_success) return err;
    if ((err = srs_rtmp_handshake_answer(c0c1, s0s1s2, complex)) != srs_success) return err;
    if ((err = write_by(fd, s0s1s2, sizeof(s0s1s2), deadline, "write S0S1S2")) != srs_success) return err;
    if ((err = read_fully_by(fd, c2, sizeof(c2), deadline, "read C2")) != srs_success) return err;
    return srs_success;
}

srs_error_t srs_rtmp_handshake_client(st_netfd_t fd, srs_utime_t timeout)
{
    srs_error_t err = srs_success;
    uint8_t c0c1[1 + HS_SIZE];
    uint8_t s0s1s2[1 + 2 * HS_SIZE];
    srs_utime_t deadline = srs_time_now() + timeout;

    c0c1[0] = SRS_RTMP_VERSION;
    memset(c0c1 + 1, 0, 8);
    if ((err = random_bytes(c0c1 + 9, HS_SIZE - 8)) != srs_success) return err;
    if ((err = write_by(fd, c0c1, sizeof(c0c1), deadline, "write C0C1")) != srs_success) return err;
    if ((err = read_fully_by(fd, s0s1s2, sizeof(s0s1s2), deadline, "read S0S1S2")) != srs_success) return err;
    if (s0s1s2[0] != SRS_RTMP_VERSION) {
        return srs_error_new(ERROR_RTMP_HANDSHAKE, "S0 version %u, want 3", s0s1s2[0]);
    }
    /* C2 = S1. */
    if ((err = write_by(fd, s0s1s2 + 1, HS_SIZE, deadline, "write C2")) != srs_success) return err;
    return srs_success;
}
