/* SPDX-License-Identifier: MIT */
#include "srs_app_http_static.h"
#include "srs_app_api.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SRS_STATIC_CHUNK (64 * 1024)

const char *srs_http_mime_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
        {".js", "application/javascript"}, {".mjs", "application/javascript"}, {".css", "text/css"},
        {".json", "application/json"}, {".txt", "text/plain; charset=utf-8"}, {".xml", "text/xml"},
        {".svg", "image/svg+xml"}, {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
        {".gif", "image/gif"}, {".ico", "image/x-icon"}, {".wasm", "application/wasm"},
        {".flv", "video/x-flv"}, {".ts", "video/MP2T"}, {".m3u8", "application/vnd.apple.mpegurl"},
        {".mp4", "video/mp4"}, {".m4s", "video/iso.segment"}, {".aac", "audio/aac"}, {".mp3", "audio/mpeg"},
        {".webm", "video/webm"},
    };
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash)) {
        for (size_t i = 0; i < SRS_ARRAY_SIZE(types); i++) {
            if (!strcasecmp(dot, types[i].ext)) return types[i].type;
        }
    }
    return "application/octet-stream";
}

/* Any "." or ".." segment (after percent-decoding, which the HTTP parser did) is refused. */
static bool path_is_clean(const char *path)
{
    if (path[0] != '/') return false;
    for (const char *seg = path; seg && *seg;) {
        seg++;
        const char *next = strchr(seg, '/');
        size_t n = next ? (size_t)(next - seg) : strlen(seg);
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) return false;
        if (memchr(seg, '\\', n)) return false;
        seg = next;
    }
    return true;
}

static srs_error_t not_found(srs_http_conn_t *c)
{
    srs_http_headers_t h = {0};
    srs_api_add_cors(&h);
    srs_error_t err = srs_http_write_error_headers(c, 404, &h, ERROR_HTTP_NOT_FOUND, "not found");
    srs_http_headers_free(&h);
    return err;
}

srs_error_t srs_http_static_serve(const char *root, srs_http_conn_t *c, srs_http_request_t *req)
{
    if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
        return srs_http_write_error(c, 405, ERROR_HTTP_METHOD, "method not allowed");
    }
    if (!path_is_clean(req->path)) return not_found(c);

    char real_root[PATH_MAX], wanted[PATH_MAX * 2], real[PATH_MAX];
    if (!realpath(root, real_root)) return not_found(c);
    snprintf(wanted, sizeof(wanted), "%s%s", real_root, req->path);
    size_t wl = strlen(wanted);
    if (wl && wanted[wl - 1] == '/') snprintf(wanted + wl, sizeof(wanted) - wl, "index.html");
    struct stat st;
    if (stat(wanted, &st) == 0 && S_ISDIR(st.st_mode)) {
        wl = strlen(wanted);
        snprintf(wanted + wl, sizeof(wanted) - wl, "/index.html");
    }
    /* Symlinks may point anywhere: the resolved path must still be under the root. */
    size_t rl = strlen(real_root);
    if (!realpath(wanted, real) || strncmp(real, real_root, rl) || (real[rl] != '/' && real[rl] != 0)) {
        return not_found(c);
    }
    /* O_NONBLOCK: opening a FIFO (or a device) under the root must not block the whole process
     * (ST runs every coroutine on this thread); only a regular file, checked on the opened fd, is
     * served (for regular files O_NONBLOCK changes nothing). */
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return not_found(c);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return not_found(c);
    }

    srs_http_headers_t h = {0};
    srs_api_add_cors(&h);
    char date[64];
    struct tm tm;
    gmtime_r(&st.st_mtime, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    srs_http_headers_set(&h, "Last-Modified", date);
    srs_http_headers_set(&h, "Content-Type", srs_http_mime_type(real));

    srs_error_t err = srs_success;
    const char *ims = srs_http_headers_get(&req->headers, "If-Modified-Since");
    struct tm since;
    memset(&since, 0, sizeof(since));
    if (ims && strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &since) && st.st_mtime <= timegm(&since)) {
        err = srs_http_write_response(c, 304, &h, NULL, 0);
        goto done;
    }

    err = srs_http_write_stream_head_length(c, 200, &h, (size_t)st.st_size);
    if (err || !strcmp(req->method, "HEAD")) goto done;
    char *buf = (char *)malloc(SRS_STATIC_CHUNK);
    if (!buf) abort();
    for (off_t left = st.st_size; left > 0 && !err;) {
        ssize_t n = read(fd, buf, (size_t)SRS_MIN(left, (off_t)SRS_STATIC_CHUNK));
        if (n <= 0) {
            /* The file shrank under us: the client sees a short body and the connection closes. */
            err = srs_error_new(ERROR_SYSTEM_FILE, "read %s", real);
            break;
        }
        err = srs_http_write_stream_data(c, buf, (size_t)n);
        left -= n;
    }
    free(buf);
    if (!err) err = srs_http_write_stream_end(c);
done:
    srs_http_headers_free(&h);
    close(fd);
    return err;
}
