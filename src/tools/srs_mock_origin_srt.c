/* SPDX-License-Identifier: MIT */
/* srs-mock-origin's SRT server, as SRS's: a caller whose stream id says m=publish publishes a
 * stream (MPEG-TS in SRT messages); callers with m=request, or no m, play it and get every
 * message the publisher sends from when they join (no GOP cache, as SRS). Stream ids are parsed
 * like SRS does (srs_srt_stream_id_check). With a passphrase, every caller must use it (libsrt
 * enforces it and rejects others with "bad secret").
 *
 * libsrt has its own threads and a blocking API, so all of this runs on one pthread of its own,
 * which never touches ST: not even srs_error_t or the srs_log_* lines (both ask ST for the
 * running coroutine's id); it writes its own log lines in the same format. */
#include "srs_core_log.h"
#include "srs_mock_origin.h"
#include "srs_protocol_srt.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <srt/srt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define MOCK_SRT_MAX_STREAMS 64
#define MOCK_SRT_MAX_PLAYERS 64
#define MOCK_SRT_EVENTS 64
/* A live-mode SRT message: libsrt's payload limit. */
#define MOCK_SRT_MESSAGE 1500

typedef struct {
    char key[512];                  /* "<vhost>/<app>/<stream>" */
    SRTSOCKET publisher;            /* SRT_INVALID_SOCK when none */
    SRTSOCKET players[MOCK_SRT_MAX_PLAYERS];
    int nplayers;
} mock_stream_t;

typedef struct {
    SRTSOCKET listener;
    int eid;
    mock_stream_t streams[MOCK_SRT_MAX_STREAMS];
    uint64_t messages_in, messages_out, messages_dropped;
} mock_srt_t;

static mock_srt_t mock;

static void mock_log(srs_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mock_log(srs_log_level_t level, const char *fmt, ...)
{
    if (!srs_log_enabled(level)) return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char line[1024];
    int n = snprintf(line, sizeof(line), "[%04d-%02d-%02d %02d:%02d:%02d.%03d][%s][%d][srt] ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000),
                     srs_log_level_name(level), (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : SRS_MIN((size_t)m, sizeof(line) - (size_t)n - 2));
    line[len++] = '\n';
    ssize_t w = write(level >= SRS_LOG_WARN ? STDERR_FILENO : STDOUT_FILENO, line, len);
    SRS_UNUSED(w);
}

static mock_stream_t *find_stream(const char *key, bool create)
{
    mock_stream_t *free_slot = NULL;
    for (int i = 0; i < MOCK_SRT_MAX_STREAMS; i++) {
        mock_stream_t *st = &mock.streams[i];
        if (st->key[0] && !strcmp(st->key, key)) return st;
        if (!st->key[0] && !free_slot) free_slot = st;
    }
    if (!create || !free_slot) return NULL;
    snprintf(free_slot->key, sizeof(free_slot->key), "%s", key);
    free_slot->publisher = SRT_INVALID_SOCK;
    free_slot->nplayers = 0;
    return free_slot;
}

static void forget_if_empty(mock_stream_t *st)
{
    if (st->publisher == SRT_INVALID_SOCK && st->nplayers == 0) st->key[0] = 0;
}

static void close_socket(SRTSOCKET s)
{
    srt_epoll_remove_usock(mock.eid, s);
    srt_close(s);
}

static void drop_player(mock_stream_t *st, int i, const char *why)
{
    mock_log(SRS_LOG_INFO, "SRT player %d of %s gone: %s", st->players[i], st->key, why);
    close_socket(st->players[i]);
    st->players[i] = st->players[--st->nplayers];
    forget_if_empty(st);
}

static void on_accept(void)
{
    struct sockaddr_storage addr;
    int addr_len = (int)sizeof(addr);
    SRTSOCKET s = srt_accept(mock.listener, (struct sockaddr *)&addr, &addr_len);
    if (s == SRT_INVALID_SOCK) {
        mock_log(SRS_LOG_WARN, "SRT accept: %s", srt_getlasterror_str());
        return;
    }
    char sid[SRS_SRT_MAX_STREAM_ID + 1];
    int sid_len = (int)sizeof(sid) - 1;
    if (srt_getsockflag(s, SRTO_STREAMID, sid, &sid_len) == SRT_ERROR) sid_len = 0;
    sid[sid_len] = 0;

    srs_srt_stream_id_t info;
    const char *reason = srs_srt_stream_id_check(sid, &info);
    if (reason) {
        mock_log(SRS_LOG_WARN, "SRT close %d, streamid=%s: %s", s, sid, reason);
        srt_close(s);
        return;
    }
    char key[512];
    snprintf(key, sizeof(key), "%s/%s/%s", info.vhost[0] ? info.vhost : "__defaultVhost__", info.app, info.stream);
    mock_stream_t *st = find_stream(key, true);
    if (!st || (info.publish && st->publisher != SRT_INVALID_SOCK) || (!info.publish && st->nplayers == MOCK_SRT_MAX_PLAYERS)) {
        mock_log(SRS_LOG_WARN, "SRT close %d, streamid=%s: %s", s, sid,
                 !st ? "too many streams" : info.publish ? "stream is busy" : "too many players");
        srt_close(s);
        return;
    }

    /* Publishers are read; players only written, but watched for errors (a closed player). */
    int events = info.publish ? (SRT_EPOLL_IN | SRT_EPOLL_ERR) : SRT_EPOLL_ERR;
    srt_epoll_add_usock(mock.eid, s, &events);
    if (info.publish) st->publisher = s;
    else st->players[st->nplayers++] = s;
    mock_log(SRS_LOG_INFO, "SRT %s %d streamid=%s stream=%s", info.publish ? "publish" : "play", s, sid, key);
}

static void relay_from_publisher(mock_stream_t *st)
{
    char msg[MOCK_SRT_MESSAGE];
    for (;;) {
        int n = srt_recvmsg(st->publisher, msg, sizeof(msg));
        if (n == SRT_ERROR) {
            if (srt_getlasterror(NULL) == SRT_EASYNCRCV) return; /* drained */
            mock_log(SRS_LOG_INFO, "SRT publisher %d of %s gone: %s (in=%llu out=%llu dropped=%llu)", st->publisher,
                     st->key, srt_getlasterror_str(), (unsigned long long)mock.messages_in,
                     (unsigned long long)mock.messages_out, (unsigned long long)mock.messages_dropped);
            close_socket(st->publisher);
            st->publisher = SRT_INVALID_SOCK;
            forget_if_empty(st);
            return;
        }
        mock.messages_in++;
        for (int i = 0; i < st->nplayers;) {
            if (srt_sendmsg2(st->players[i], msg, n, NULL) != SRT_ERROR) {
                mock.messages_out++;
            } else if (srt_getlasterror(NULL) == SRT_EASYNCSND) {
                mock.messages_dropped++; /* a slow player loses messages, it does not stall the others */
            } else {
                drop_player(st, i, srt_getlasterror_str());
                continue;
            }
            i++;
        }
        if (st->publisher == SRT_INVALID_SOCK) return;
    }
}

static void on_socket_event(SRTSOCKET s)
{
    for (int i = 0; i < MOCK_SRT_MAX_STREAMS; i++) {
        mock_stream_t *st = &mock.streams[i];
        if (!st->key[0]) continue;
        if (st->publisher == s) {
            relay_from_publisher(st);
            return;
        }
        for (int j = 0; j < st->nplayers; j++) {
            if (st->players[j] == s) {
                SRT_SOCKSTATUS state = srt_getsockstate(s);
                if (state == SRTS_BROKEN || state == SRTS_CLOSED || state == SRTS_NONEXIST) drop_player(st, j, "closed");
                return;
            }
        }
    }
}

static void *mock_srt_thread(void *arg)
{
    SRS_UNUSED(arg);
    SRT_EPOLL_EVENT events[MOCK_SRT_EVENTS];
    for (;;) {
        int n = srt_epoll_uwait(mock.eid, events, MOCK_SRT_EVENTS, 1000);
        for (int i = 0; i < n; i++) {
            if (events[i].fd == mock.listener) on_accept();
            else on_socket_event(events[i].fd);
        }
    }
    return NULL;
}

static srs_error_t set_flag(SRTSOCKET s, SRT_SOCKOPT opt, const void *value, int len, const char *name)
{
    if (srt_setsockflag(s, opt, value, len) == SRT_ERROR) {
        return srs_error_new(ERROR_SYSTEM_SOCKET, "srt option %s: %s", name, srt_getlasterror_str());
    }
    return srs_success;
}

static srs_error_t listen_srt(const srs_mock_config_t *cfg)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->srt_port);
    if (inet_pton(AF_INET, cfg->ip, &addr.sin_addr) != 1) {
        return srs_error_new(ERROR_CONFIG_INVALID, "srt: ip %s is not an IPv4 address", cfg->ip);
    }

    mock.listener = srt_create_socket();
    if (mock.listener == SRT_INVALID_SOCK) return srs_error_new(ERROR_SYSTEM_SOCKET, "srt socket: %s", srt_getlasterror_str());
    bool no = false;
    srs_error_t err = set_flag(mock.listener, SRTO_RCVSYN, &no, sizeof(no), "rcvsyn");
    if (!err) err = set_flag(mock.listener, SRTO_SNDSYN, &no, sizeof(no), "sndsyn");
    if (!err && cfg->srt_passphrase[0]) {
        int keylen = 16;
        err = set_flag(mock.listener, SRTO_PASSPHRASE, cfg->srt_passphrase, (int)strlen(cfg->srt_passphrase), "passphrase");
        if (!err) err = set_flag(mock.listener, SRTO_PBKEYLEN, &keylen, sizeof(keylen), "pbkeylen");
    }
    if (err) return err;
    if (srt_bind(mock.listener, (struct sockaddr *)&addr, sizeof(addr)) == SRT_ERROR) {
        return srs_error_new(ERROR_SYSTEM_BIND, "srt bind %s:%d: %s", cfg->ip, cfg->srt_port, srt_getlasterror_str());
    }
    if (srt_listen(mock.listener, 64) == SRT_ERROR) {
        return srs_error_new(ERROR_SYSTEM_LISTEN, "srt listen: %s", srt_getlasterror_str());
    }
    mock.eid = srt_epoll_create();
    int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
    if (mock.eid < 0 || srt_epoll_add_usock(mock.eid, mock.listener, &events) == SRT_ERROR) {
        return srs_error_new(ERROR_SYSTEM_SOCKET, "srt epoll: %s", srt_getlasterror_str());
    }
    return srs_success;
}

srs_error_t srs_mock_srt_start(const srs_mock_config_t *cfg)
{
    if (srt_startup() < 0) return srs_error_new(ERROR_SYSTEM_SOCKET, "srt_startup: %s", srt_getlasterror_str());
    srt_setloglevel(srs_log_enabled(SRS_LOG_DEBUG) ? LOG_NOTICE : LOG_ERR);

    srs_error_t err = listen_srt(cfg);
    if (err) return srs_error_wrap(err, "srt server on %s:%d", cfg->ip, cfg->srt_port);

    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int r = pthread_create(&thread, &attr, mock_srt_thread, NULL);
    pthread_attr_destroy(&attr);
    if (r != 0) return srs_error_new(ERROR_SYSTEM_ST, "srt thread: %s", strerror(r));
    srs_log_info("SRT server listen at udp://%s:%d%s", cfg->ip, cfg->srt_port,
                 cfg->srt_passphrase[0] ? ", passphrase required" : "");
    return srs_success;
}
