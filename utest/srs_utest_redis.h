// SPDX-License-Identifier: MIT
// A real redis-server for the tests of the Redis client and balancer: started on a free
// 127.0.0.1 port with no persistence, stopped (SIGKILL) when the object goes away. Tests skip
// when redis-server is not installed (./configure --with-test-tools installs it).
#ifndef SRS_UTEST_REDIS_H
#define SRS_UTEST_REDIS_H

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include "srs_protocol_resp.h"
}

extern char **environ;

// A TCP port nobody listens on now.
inline int srs_utest_free_port()
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    bind(fd, (sockaddr *)&a, sizeof(a));
    getsockname(fd, (sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

inline bool srs_utest_can_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, (sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

inline bool srs_utest_have_redis()
{
    const char *path = getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::string file = dirs.substr(start, end - start) + "/redis-server";
        if (access(file.c_str(), X_OK) == 0) return true;
        start = end + 1;
    }
    return false;
}

class SrsUtestRedis
{
public:
    int port = 0;

    explicit SrsUtestRedis(std::vector<std::string> extra = {}) : extra_(std::move(extra)) {}
    ~SrsUtestRedis() { stop(); }

    // Start on a free port, or on the port of a previous run (a restart).
    bool start()
    {
        if (!port) port = srs_utest_free_port();
        std::vector<std::string> args = {"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--logfile", ""};
        args.insert(args.end(), extra_.begin(), extra_.end());
        std::vector<char *> argv;
        for (auto &a : args) argv.push_back(&a[0]);
        argv.push_back(nullptr);

        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        int r = posix_spawnp(&pid_, "redis-server", &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0) {
            pid_ = -1;
            return false;
        }
        for (int i = 0; i < 500; i++) {
            if (srs_utest_can_connect(port)) return true;
            usleep(10 * 1000);
        }
        return false;
    }

    void stop()
    {
        if (pid_ <= 0) return;
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

private:
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
};

// One command's reply as text: the string, status or error text, "(nil)", "(int)N",
// "(array)N", or "(failed)<error>".
inline std::string srs_utest_redis_run(srs_resp_client_t *c, const std::vector<std::string> &args)
{
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    for (auto &a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    srs_resp_cmds_t cmds;
    srs_resp_cmds_init(&cmds);
    srs_resp_cmds_append(&cmds, (int)argv.size(), argv.data(), lens.data());
    srs_resp_reply_t *r = NULL;
    srs_error_t err = srs_resp_client_pipeline(c, &cmds, &r);
    srs_resp_cmds_free(&cmds);
    if (err) {
        std::string s = std::string("(failed)") + srs_error_summary(err);
        srs_error_free(err);
        return s;
    }
    std::string s;
    if (r->type == SRS_RESP_NIL) s = "(nil)";
    else if (r->type == SRS_RESP_INTEGER) s = "(int)" + std::to_string(r->integer);
    else if (r->type == SRS_RESP_ARRAY) s = "(array)" + std::to_string(r->elements);
    else s = std::string(r->str, r->len);
    srs_resp_reply_free(r);
    return s;
}

#define SRS_UTEST_REQUIRE_REDIS(server) do { \
    if (!srs_utest_have_redis()) GTEST_SKIP() << "redis-server not installed"; \
    signal(SIGPIPE, SIG_IGN); \
    ASSERT_TRUE((server).start()) << "redis-server did not start"; \
} while (0)

#endif
