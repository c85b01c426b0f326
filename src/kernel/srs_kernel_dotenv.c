/* SPDX-License-Identifier: MIT */
#include "srs_kernel_dotenv.h"

#include <stdlib.h>
#include <string.h>

/* Length of the Unicode white space (as Go's unicode.IsSpace) that starts at p, else 0. */
static size_t space_prefix(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r'))) return 1;
    if (n >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0)) return 2;
    if (n < 3) return 0;
    if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) return 3;                /* U+1680 */
    if (p[0] == 0xE2 && p[1] == 0x80 && ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF)) {
        return 3;                                                            /* U+2000..200A, 2028, 2029, 202F */
    }
    if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F) return 3;                /* U+205F */
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) return 3;                /* U+3000 */
    return 0;
}

/* Length of the white space that ends the n bytes at p, else 0. The lead bytes of these
 * sequences are never continuation bytes, so a match at the end is a whole character. */
static size_t space_suffix(const unsigned char *p, size_t n)
{
    if (n >= 1 && space_prefix(p + n - 1, 1)) return 1;
    if (n >= 2 && space_prefix(p + n - 2, 2) == 2) return 2;
    if (n >= 3 && space_prefix(p + n - 3, 3) == 3) return 3;
    return 0;
}

/* Trim [*s, *s + *n) in place, as strings.TrimSpace. */
static void trim(const char **s, size_t *n)
{
    size_t k;
    while (*n && (k = space_prefix((const unsigned char *)*s, *n)) > 0) { *s += k; *n -= k; }
    while (*n && (k = space_suffix((const unsigned char *)*s, *n)) > 0) *n -= k;
}

/* Replace every `from` (2 bytes) by the byte `to`, in place; returns the new length. */
static size_t replace_all(char *s, size_t n, const char *from, char to)
{
    size_t w = 0;
    for (size_t r = 0; r < n;) {
        if (r + 1 < n && s[r] == from[0] && s[r + 1] == from[1]) { s[w++] = to; r += 2; }
        else s[w++] = s[r++];
    }
    return w;
}

/* Find the 2 bytes `pat` in [s, s + n); NULL when absent. */
static const char *find2(const char *s, size_t n, const char *pat)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == pat[0] && s[i + 1] == pat[1]) return s + i;
    }
    return NULL;
}

/* Parse one line (no '\n') into buf (at least n + 2 bytes) and call fn if it holds a pair. */
static void parse_line(const char *line, size_t n, char *buf, srs_dotenv_fn fn, void *ctx)
{
    trim(&line, &n);
    if (n == 0 || line[0] == '#') return;
    if (n >= 7 && !memcmp(line, "export ", 7)) { line += 7; n -= 7; }

    const char *eq = memchr(line, '=', n);
    if (!eq) return;
    const char *key = line, *value = eq + 1;
    size_t key_len = (size_t)(eq - line), value_len = n - key_len - 1;
    trim(&key, &key_len);
    trim(&value, &value_len);

    bool single = value_len >= 2 && value[0] == '\'' && value[value_len - 1] == '\'';
    bool dbl = value_len >= 2 && value[0] == '"' && value[value_len - 1] == '"';
    if (single || dbl) {
        value++;
        value_len -= 2;
    } else {
        const char *comment = find2(value, value_len, " #");
        if (comment) {
            value_len = (size_t)(comment - value);
            trim(&value, &value_len);
        }
    }

    /* buf holds "key\0value\0"; both fit since they come from the same line. */
    memcpy(buf, key, key_len);
    buf[key_len] = '\0';
    char *v = buf + key_len + 1;
    memcpy(v, value, value_len);
    if (dbl) {
        /* The order matters and is Go's: "\\n" becomes a backslash and a newline. */
        value_len = replace_all(v, value_len, "\\n", '\n');
        value_len = replace_all(v, value_len, "\\r", '\r');
        value_len = replace_all(v, value_len, "\\\"", '"');
        value_len = replace_all(v, value_len, "\\\\", '\\');
    }
    v[value_len] = '\0';
    fn(ctx, buf, v);
}

srs_error_t srs_dotenv_parse(const char *text, size_t len, srs_dotenv_fn fn, void *ctx)
{
    if (len && !text) return srs_error_new(ERROR_ENV_FILE, "no text");

    /* Check everything first, so a bad file changes nothing. */
    size_t longest = 0, line_no = 1;
    for (size_t start = 0; start < len; line_no++) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - start;
        if (n > SRS_DOTENV_MAX_LINE) {
            return srs_error_new(ERROR_ENV_FILE, "line %zu too long: %zu bytes, max %d", line_no, n, SRS_DOTENV_MAX_LINE);
        }
        if (memchr(text + start, '\0', n)) return srs_error_new(ERROR_ENV_FILE, "line %zu has a NUL byte", line_no);
        longest = SRS_MAX(longest, n);
        start = end + 1;
    }
    if (!fn) return srs_success;

    char *buf = (char *)malloc(longest + 2);
    if (!buf) return srs_error_new(ERROR_SYSTEM_NOMEM, "dotenv line buffer of %zu bytes", longest + 2);
    for (size_t start = 0; start < len;) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        parse_line(text + start, end - start, buf, fn, ctx);
        start = end + 1;
    }
    free(buf);
    return srs_success;
}
