/* SPDX-License-Identifier: MIT */
#include "srs_protocol_srt.h"
#include "srs_kernel_addr_map.h"
#include "srs_kernel_stream_url.h"

#include <ctype.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

uint32_t srs_srt_get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void srs_srt_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

bool srs_srt_is_packet(const uint8_t *data, size_t len)
{
    return data && len >= SRS_SRT_HEADER_SIZE;
}

bool srs_srt_is_control(const uint8_t *data, size_t len)
{
    return srs_srt_is_packet(data, len) && (data[0] & 0x80);
}

uint16_t srs_srt_control_type(const uint8_t *data)
{
    return (uint16_t)(get_u16(data) & 0x7FFF);
}

bool srs_srt_is_handshake(const uint8_t *data, size_t len)
{
    return srs_srt_is_control(data, len) && len >= SRS_SRT_HANDSHAKE_SIZE &&
           srs_srt_control_type(data) == SRS_SRT_CTRL_HANDSHAKE;
}

uint32_t srs_srt_dest_socket_id(const uint8_t *data, size_t len)
{
    return srs_srt_is_packet(data, len) ? srs_srt_get_u32(data + SRS_SRT_OFFSET_DEST_ID) : 0;
}

void srs_srt_set_dest_socket_id(uint8_t *data, size_t len, uint32_t id)
{
    if (srs_srt_is_packet(data, len)) srs_srt_put_u32(data + SRS_SRT_OFFSET_DEST_ID, id);
}

/* ---- handshakes ---- */

/* Every extension's declared length fits what is left, and nothing is left over. */
static srs_error_t check_extensions(const uint8_t *p, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        if (len - pos < 4) return srs_error_new(ERROR_SRT_HANDSHAKE, "%zu stray bytes after the extensions", len - pos);
        size_t bytes = (size_t)get_u16(p + pos + 2) * 4;
        if (bytes > len - pos - 4) {
            return srs_error_new(ERROR_SRT_HANDSHAKE, "extension type %u of %zu bytes, %zu left", get_u16(p + pos), bytes,
                                 len - pos - 4);
        }
        pos += 4 + bytes;
    }
    return srs_success;
}

srs_error_t srs_srt_handshake_parse(const uint8_t *data, size_t len, srs_srt_handshake_t *hs)
{
    memset(hs, 0, sizeof(*hs));
    if (!srs_srt_is_control(data, len)) return srs_error_new(ERROR_SRT_HANDSHAKE, "not a control packet, %zu bytes", len);
    if (srs_srt_control_type(data) != SRS_SRT_CTRL_HANDSHAKE) {
        return srs_error_new(ERROR_SRT_HANDSHAKE, "control type %u is not a handshake", srs_srt_control_type(data));
    }
    if (len < SRS_SRT_HANDSHAKE_SIZE) return srs_error_new(ERROR_SRT_HANDSHAKE, "handshake of %zu bytes, need 64", len);

    hs->timestamp = srs_srt_get_u32(data + 8);
    hs->dest_socket_id = srs_srt_get_u32(data + 12);
    hs->version = srs_srt_get_u32(data + 16);
    hs->encryption = get_u16(data + 20);
    hs->extension = get_u16(data + 22);
    hs->initial_seq = srs_srt_get_u32(data + 24);
    hs->mtu = srs_srt_get_u32(data + 28);
    hs->flow_window = srs_srt_get_u32(data + 32);
    hs->type = srs_srt_get_u32(data + 36);
    hs->socket_id = srs_srt_get_u32(data + 40);
    hs->syn_cookie = srs_srt_get_u32(data + 44);
    memcpy(hs->peer_ip, data + 48, 16);

    if (len > SRS_SRT_HANDSHAKE_SIZE) {
        srs_error_t err = check_extensions(data + SRS_SRT_HANDSHAKE_SIZE, len - SRS_SRT_HANDSHAKE_SIZE);
        if (err) return err;
        hs->ext = data + SRS_SRT_HANDSHAKE_SIZE;
        hs->ext_len = len - SRS_SRT_HANDSHAKE_SIZE;
    }
    return srs_success;
}

srs_error_t srs_srt_handshake_write(const srs_srt_handshake_t *hs, uint8_t *buf, size_t size, size_t *len)
{
    size_t total = SRS_SRT_HANDSHAKE_SIZE + (hs->ext ? hs->ext_len : 0);
    if (size < total) return srs_error_new(ERROR_SRT_HANDSHAKE, "handshake of %zu bytes in a buffer of %zu", total, size);
    memset(buf, 0, SRS_SRT_HANDSHAKE_SIZE);
    buf[0] = 0x80; /* control, type 0 = handshake, subtype 0, type-specific info 0 */
    srs_srt_put_u32(buf + 8, hs->timestamp);
    srs_srt_put_u32(buf + 12, hs->dest_socket_id);
    srs_srt_put_u32(buf + 16, hs->version);
    put_u16(buf + 20, hs->encryption);
    put_u16(buf + 22, hs->extension);
    srs_srt_put_u32(buf + 24, hs->initial_seq);
    srs_srt_put_u32(buf + 28, hs->mtu);
    srs_srt_put_u32(buf + 32, hs->flow_window);
    srs_srt_put_u32(buf + 36, hs->type);
    srs_srt_put_u32(buf + 40, hs->socket_id);
    srs_srt_put_u32(buf + 44, hs->syn_cookie);
    memcpy(buf + 48, hs->peer_ip, 16);
    if (hs->ext && hs->ext_len) memcpy(buf + SRS_SRT_HANDSHAKE_SIZE, hs->ext, hs->ext_len);
    *len = total;
    return srs_success;
}

bool srs_srt_handshake_is_rejection(uint32_t type)
{
    return type >= SRS_SRT_HS_REJECT_BASE && type < SRS_SRT_HS_DONE;
}

uint32_t srs_srt_handshake_reject_type(int reason)
{
    return SRS_SRT_HS_REJECT_BASE + (uint32_t)reason;
}

bool srs_srt_ext_next(const srs_srt_handshake_t *hs, size_t *pos, srs_srt_ext_t *out)
{
    if (!hs->ext || *pos + 4 > hs->ext_len) return false;
    const uint8_t *p = hs->ext + *pos;
    size_t bytes = (size_t)get_u16(p + 2) * 4;
    if (bytes > hs->ext_len - *pos - 4) return false; /* parse refuses this; stay safe anyway */
    out->type = get_u16(p);
    out->data = p + 4;
    out->len = bytes;
    *pos += 4 + bytes;
    return true;
}

srs_error_t srs_srt_handshake_stream_id(const srs_srt_handshake_t *hs, char *out, size_t size, bool *found)
{
    *found = false;
    if (size) out[0] = 0;
    size_t pos = 0;
    srs_srt_ext_t ext;
    while (srs_srt_ext_next(hs, &pos, &ext)) {
        if (ext.type != SRS_SRT_EXT_SID) continue;
        if (ext.len > SRS_SRT_MAX_STREAM_ID) {
            return srs_error_new(ERROR_SRT_STREAMID, "stream id of %zu bytes, max %d", ext.len, SRS_SRT_MAX_STREAM_ID);
        }
        if (ext.len >= size) return srs_error_new(ERROR_SRT_STREAMID, "stream id of %zu bytes does not fit", ext.len);
        /* libsrt writes the text as 32-bit words in host (little-endian) order: swap each back. */
        for (size_t i = 0; i < ext.len; i += 4) {
            out[i] = (char)ext.data[i + 3];
            out[i + 1] = (char)ext.data[i + 2];
            out[i + 2] = (char)ext.data[i + 1];
            out[i + 3] = (char)ext.data[i];
        }
        size_t n = ext.len;
        while (n > 0 && out[n - 1] == 0) n--;
        out[n] = 0;
        if (memchr(out, 0, n)) return srs_error_new(ERROR_SRT_STREAMID, "NUL inside the stream id");
        *found = true;
        return srs_success;
    }
    return srs_success;
}

srs_error_t srs_srt_stream_id_encode(const char *text, uint8_t *out, size_t size, size_t *len)
{
    size_t n = strlen(text);
    size_t padded = (n + 3) / 4 * 4;
    if (padded > SRS_SRT_MAX_STREAM_ID || padded > size) {
        return srs_error_new(ERROR_SRT_STREAMID, "stream id of %zu bytes, max %d", n, SRS_SRT_MAX_STREAM_ID);
    }
    for (size_t i = 0; i < padded; i++) {
        size_t src = i - i % 4 + (3 - i % 4);
        out[i] = src < n ? (uint8_t)text[src] : 0;
    }
    *len = padded;
    return srs_success;
}

static void swap_words(const uint8_t *in, uint8_t *out, size_t words)
{
    for (size_t w = 0; w < words; w++) {
        for (int b = 0; b < 4; b++) out[w * 4 + (size_t)b] = in[w * 4 + (size_t)(3 - b)];
    }
}

void srs_srt_peer_ip_encode(const struct sockaddr *sa, uint8_t out[16])
{
    memset(out, 0, 16);
    if (sa->sa_family == AF_INET) {
        swap_words((const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr, out, 1);
    } else if (sa->sa_family == AF_INET6) {
        swap_words((const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr, out, 4);
    }
}

uint32_t srs_srt_syn_cookie(const uint8_t *secret, size_t secret_len, const struct sockaddr *peer, uint32_t bucket)
{
    /* The normalised address (family, IP, port) plus the bucket: a cookie proves the client
     * receives at that address, recently. */
    uint8_t msg[sizeof(srs_addr_key_t) + 4];
    srs_addr_key_t key;
    if (!srs_addr_key_from(peer, &key)) memset(&key, 0, sizeof(key));
    memcpy(msg, &key, sizeof(key));
    srs_srt_put_u32(msg + sizeof(key), bucket);

    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha256(), secret, (int)secret_len, msg, sizeof(msg), mac, &mac_len) || mac_len < 4) return 1;
    uint32_t cookie = srs_srt_get_u32(mac);
    return cookie ? cookie : 1;
}

/* ---- stream ids ---- */

static bool is_host_name(const char *s, size_t len)
{
    if (len == 0) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '.' && c != '-' && c != '_') return false;
    }
    return true;
}

/* No spaces, control bytes, or URL delimiters that would cut the stream URL short. */
static bool is_path_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7F || c == '?' || c == '#' || c == '\\') return false;
    }
    return true;
}

/* The parse steps return NULL or a static reason: no srs_error_t, so any thread may parse. */
static const char *copy_part(const char *s, size_t len, char *out, size_t size, const char *too_long)
{
    if (len >= size) return too_long;
    memcpy(out, s, len);
    out[len] = 0;
    return NULL;
}

/* "app/stream" (or just "stream", in SRS's default app "live") into out. */
static const char *set_path(const char *s, size_t len, srs_srt_stream_id_t *out)
{
    if (!is_path_text(s, len)) return "invalid character in the path";
    const char *slash = (const char *)memchr(s, '/', len);
    const char *app = "live";
    size_t app_len = 4;
    if (slash) {
        app = s;
        app_len = (size_t)(slash - s);
        len -= app_len + 1;
        s = slash + 1;
    }
    if (app_len == 0) return "empty app";
    if (len == 0) return "empty stream";
    const char *reason = copy_part(app, app_len, out->app, sizeof(out->app), "app too long");
    return reason ? reason : copy_part(s, len, out->stream, sizeof(out->stream), "stream too long");
}

static const char *set_vhost(const char *s, size_t len, srs_srt_stream_id_t *out)
{
    if (!is_host_name(s, len)) return "invalid host";
    return copy_part(s, len, out->vhost, sizeof(out->vhost), "host too long");
}

/* h=: a host, or (old style) "app/stream" or "vhost/app/stream". */
static const char *parse_h(const char *v, size_t len, srs_srt_stream_id_t *out, bool *path_set)
{
    const char *first = (const char *)memchr(v, '/', len);
    if (!first) return set_vhost(v, len, out);
    const char *rest = first + 1;
    *path_set = true;
    if (memchr(rest, '/', len - (size_t)(rest - v))) {
        const char *reason = set_vhost(v, (size_t)(first - v), out);
        return reason ? reason : set_path(rest, len - (size_t)(rest - v), out);
    }
    return set_path(v, len, out);
}

static const char *parse_m(const char *v, size_t len, srs_srt_stream_id_t *out)
{
    if (len == 7 && !strncasecmp(v, "publish", 7)) out->publish = true;
    else if (len == 7 && !strncasecmp(v, "request", 7)) out->publish = false;
    else return "unknown mode (m=publish or m=request)";
    return NULL;
}

static const char *parse_keyed(const char *body, srs_srt_stream_id_t *out)
{
    /* h is applied before r whatever the order, so r wins over an old-style h path (SRS walks
     * its keys sorted). */
    const char *h = NULL, *r = NULL, *m = NULL;
    size_t h_len = 0, r_len = 0, m_len = 0;
    const char *p = body;
    while (*p) {
        size_t item = strcspn(p, ",&;?");
        const char *eq = (const char *)memchr(p, '=', item);
        if (eq) {
            size_t klen = (size_t)(eq - p), vlen = item - klen - 1;
            if (klen == 1 && p[0] == 'h') { h = eq + 1; h_len = vlen; }
            else if (klen == 1 && p[0] == 'r') { r = eq + 1; r_len = vlen; }
            else if (klen == 1 && p[0] == 'm') { m = eq + 1; m_len = vlen; }
        }
        p += item;
        if (*p) p++;
    }

    const char *reason = NULL;
    bool path_set = false;
    if (h && (reason = parse_h(h, h_len, out, &path_set)) != NULL) return reason;
    if (r && (reason = set_path(r, r_len, out)) != NULL) return reason;
    if (!r && !path_set) return "no resource (r=)";
    if (m && (reason = parse_m(m, m_len, out)) != NULL) return reason;
    return NULL;
}

const char *srs_srt_stream_id_check(const char *sid, srs_srt_stream_id_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!sid || !*sid) return "empty stream id";
    if (strlen(sid) > SRS_SRT_MAX_STREAM_ID) return "stream id too long";
    const char *reason = !strncmp(sid, "#!::", 4) ? parse_keyed(sid + 4, out) : set_path(sid, strcspn(sid, "?"), out);
    if (reason) memset(out, 0, sizeof(*out));
    return reason;
}

srs_error_t srs_srt_stream_id_parse(const char *sid, srs_srt_stream_id_t *out)
{
    const char *reason = srs_srt_stream_id_check(sid, out);
    if (reason) {
        char shown[SRS_SRT_REDACTED_SIZE];
        return srs_error_new(ERROR_SRT_STREAMID, "%s in stream id %s", reason, srs_srt_streamid_redact(sid, shown, sizeof(shown)));
    }
    return srs_success;
}

/* Appends n bytes when they fit whole; false (and nothing written) when not, so a value is never
 * cut in the middle. */
static bool redact_put(char *out, size_t size, size_t *pos, const char *s, size_t n)
{
    if (*pos + n >= size) return false;
    memcpy(out + *pos, s, n);
    *pos += n;
    out[*pos] = 0;
    return true;
}

/* One item "key=value" (or a bare "value"): the key and "=***", or the item as is when keep says
 * so; an empty value stays empty. */
static bool redact_item(const char *p, size_t len, bool keyed, char *out, size_t size, size_t *pos)
{
    const char *eq = (const char *)memchr(p, '=', len);
    if (!eq) return len == 0 || redact_put(out, size, pos, "***", 3);
    size_t klen = (size_t)(eq - p);
    bool keep = keyed && klen == 1 && (p[0] == 'h' || p[0] == 'r' || p[0] == 'm');
    if (keep || klen + 1 == len) return redact_put(out, size, pos, p, len);
    return redact_put(out, size, pos, p, klen + 1) && redact_put(out, size, pos, "***", 3);
}

const char *srs_srt_streamid_redact(const char *sid, char *out, size_t size)
{
    if (!size) return out;
    out[0] = 0;
    if (!sid) return out;
    size_t pos = 0;
    bool keyed = !strncmp(sid, "#!::", 4);
    const char *items;
    if (keyed) {
        if (!redact_put(out, size, &pos, sid, 4)) return out;
        items = sid + 4;
    } else {
        /* The plain form: the path as is, then the query's items. */
        size_t path = strcspn(sid, "?");
        if (!redact_put(out, size, &pos, sid, path)) return out;
        if (!sid[path]) return out;
        if (!redact_put(out, size, &pos, "?", 1)) return out;
        items = sid + path + 1;
    }
    const char *p = items;
    while (*p) {
        size_t item = strcspn(p, keyed ? ",&;?" : "&;");
        if (!redact_item(p, item, keyed, out, size, &pos)) return out;
        p += item;
        if (*p) {
            if (!redact_put(out, size, &pos, p, 1)) return out;
            p++;
        }
    }
    return out;
}

srs_error_t srs_srt_stream_id_url(const srs_srt_stream_id_t *sid, char *out, size_t size)
{
    srs_error_t err = srs_stream_url_from_parts(sid->vhost, sid->app, sid->stream, out, size);
    if (err) return srs_error_wrap(err, "stream url of srt://%s/%s/%s", sid->vhost, sid->app, sid->stream);
    return srs_success;
}
