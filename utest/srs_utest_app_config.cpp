// SPDX-License-Identifier: MIT
// Configuration from the environment and .env, as the Go proxy reads it.
#include "srs_utest.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

extern "C" {
#include "srs_app_config.h"
#include "srs_core_log.h"
}

// Every variable the configuration reads, plus the extra keys the .env tests use.
static const char *config_vars[] = {
    "GO_PPROF", "PROXY_PPROF", "PROXY_EXPORTER", "PROXY_FORCE_QUIT_TIMEOUT", "PROXY_GRACE_QUIT_TIMEOUT",
    "PROXY_HTTP_API", "PROXY_HTTP_SERVER", "PROXY_RTMP_SERVER", "PROXY_WEBRTC_SERVER", "PROXY_SRT_SERVER",
    "PROXY_SYSTEM_API", "PROXY_STATIC_FILES", "PROXY_LOAD_BALANCER_TYPE", "PROXY_REDIS_HOST",
    "PROXY_REDIS_PORT", "PROXY_REDIS_PASSWORD", "PROXY_REDIS_DB", "PROXY_REDIS_KEY_PREFIX",
    "PROXY_ORIGIN_SERVER_TTL", "PROXY_DEFAULT_BACKEND_ENABLED", "PROXY_DEFAULT_BACKEND_IP",
    "PROXY_DEFAULT_BACKEND_RTMP", "PROXY_DEFAULT_BACKEND_HTTP", "PROXY_DEFAULT_BACKEND_API",
    "PROXY_DEFAULT_BACKEND_RTC", "PROXY_DEFAULT_BACKEND_SRT", "PROXY_WEBRTC_CANDIDATE",
    "PROXY_RTC_SESSION_TIMEOUT", "PROXY_SRT_SESSION_TIMEOUT", "PROXY_MAX_CONNECTIONS", "PROXY_SYSTEM_API_TOKEN",
    /* HTTP hardening */
    "PROXY_MAX_CONNECTIONS_PER_IP", "PROXY_SYSTEM_API_MAX_CONNECTIONS", "PROXY_SYSTEM_API_MAX_CONNECTIONS_PER_IP",
    "PROXY_HLS_MAX_PLAYLIST", "PROXY_HTTP_HEAD_TIMEOUT", "PROXY_HTTP_BODY_TIMEOUT",
    /* HTTPS */
    "PROXY_HTTPS_API", "PROXY_HTTPS_SERVER", "PROXY_HTTPS_CERT", "PROXY_HTTPS_KEY",
    "PROXY_LOG_LEVEL", "SRS_UTEST_DOTENV_A", "SRS_UTEST_DOTENV_B", "SRS_UTEST_DOTENV_C",
};

// Each test starts with none of the variables set, in a fresh temp directory holding the
// default static directory ./trunk/research; everything is restored afterwards.
class AppConfigTest : public ::testing::Test {
protected:
    std::map<std::string, std::string> saved_;
    std::string old_cwd_, dir_;
    srs_log_level_t old_level_ = SRS_LOG_INFO;
    srs_config_t cfg_;

    void SetUp() override
    {
        for (const char *name : config_vars) {
            const char *v = getenv(name);
            if (v) saved_[name] = v;
            unsetenv(name);
        }
        char cwd[PATH_MAX];
        ASSERT_TRUE(getcwd(cwd, sizeof(cwd)) != NULL);
        old_cwd_ = cwd;
        const char *tmp = getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : P_tmpdir) + "/srs_utest_config_XXXXXX";
        ASSERT_TRUE(mkdtemp(&tmpl[0]) != NULL);
        dir_ = tmpl;
        ASSERT_EQ(0, chdir(dir_.c_str()));
        ASSERT_EQ(0, mkdir("trunk", 0755));
        ASSERT_EQ(0, mkdir("trunk/research", 0755));
        old_level_ = srs_log_get_level();
        memset(&cfg_, 0, sizeof(cfg_));
    }

    void TearDown() override
    {
        srs_log_set_level(old_level_);
        EXPECT_EQ(0, chdir(old_cwd_.c_str()));
        std::string cmd = "rm -rf '" + dir_ + "'";
        EXPECT_EQ(0, system(cmd.c_str()));
        for (const char *name : config_vars) {
            auto it = saved_.find(name);
            if (it != saved_.end()) setenv(name, it->second.c_str(), 1);
            else unsetenv(name);
        }
    }

    void write_file(const char *path, const std::string &text)
    {
        FILE *f = fopen(path, "wb");
        ASSERT_TRUE(f != NULL) << path;
        ASSERT_EQ(text.size(), fwrite(text.data(), 1, text.size(), f));
        fclose(f);
    }

    // Load without a .env file and return the error summary ("" on success).
    std::string load(const char *dotenv = NULL)
    {
        srs_error_t err = srs_config_load(&cfg_, dotenv);
        std::string summary = err ? srs_error_summary(err) : "";
        if (err) { EXPECT_EQ(ERROR_CONFIG_INVALID, srs_error_code(err)) << summary; }
        srs_error_free(err);
        return summary;
    }

    // Set one variable and expect the load to fail with a message naming it and its value.
    void expect_invalid(const char *name, const char *value)
    {
        setenv(name, value, 1);
        std::string summary = load();
        EXPECT_NE(std::string::npos, summary.find(std::string("invalid ") + name + "=" + value))
            << name << "=" << value << " gave: " << summary;
        unsetenv(name);
    }

    std::string describe()
    {
        char buf[4096];
        srs_config_describe(&cfg_, buf, sizeof(buf));
        return buf;
    }
};

static std::string listen_str(const srs_listen_t &l)
{
    char buf[96];
    srs_listen_format(&l, buf, sizeof(buf));
    return buf;
}

TEST_F(AppConfigTest, DefaultsAsGo)
{
    ASSERT_EQ("", load());
    EXPECT_EQ(":11985", listen_str(cfg_.http_api));
    EXPECT_EQ(":18080", listen_str(cfg_.http_server));
    EXPECT_EQ(":11935", listen_str(cfg_.rtmp_server));
    EXPECT_EQ(":18000", listen_str(cfg_.webrtc_server));
    EXPECT_EQ(":20080", listen_str(cfg_.srt_server));
    EXPECT_EQ(":12025", listen_str(cfg_.system_api));
    EXPECT_FALSE(cfg_.pprof_enabled);
    EXPECT_FALSE(cfg_.exporter_enabled);
    EXPECT_EQ(30 * SRS_UTIME_SECONDS, cfg_.force_quit_timeout);
    EXPECT_EQ(20 * SRS_UTIME_SECONDS, cfg_.grace_quit_timeout);
    EXPECT_EQ(300 * SRS_UTIME_SECONDS, cfg_.origin_server_ttl);
    EXPECT_TRUE(cfg_.static_files_enabled);
    EXPECT_STREQ("./trunk/research", cfg_.static_files);
    EXPECT_FALSE(cfg_.lb_redis);
    EXPECT_STREQ("127.0.0.1", cfg_.redis_host);
    EXPECT_EQ(6379, cfg_.redis_port);
    EXPECT_STREQ("", cfg_.redis_password);
    EXPECT_EQ(0, cfg_.redis_db);
    EXPECT_STREQ("", cfg_.redis_key_prefix);
    EXPECT_FALSE(cfg_.default_backend_enabled);
    EXPECT_STREQ("127.0.0.1", cfg_.default_backend_ip);
    EXPECT_STREQ("1935", cfg_.default_backend_rtmp);
    EXPECT_STREQ("", cfg_.default_backend_http);
    EXPECT_STREQ("1985", cfg_.default_backend_api);
    EXPECT_STREQ("8000", cfg_.default_backend_rtc);
    EXPECT_STREQ("10080", cfg_.default_backend_srt);
    EXPECT_STREQ("", cfg_.webrtc_candidate);
    EXPECT_EQ(30 * SRS_UTIME_SECONDS, cfg_.rtc_session_timeout);
    EXPECT_EQ(30 * SRS_UTIME_SECONDS, cfg_.srt_session_timeout);
    EXPECT_EQ(10000, cfg_.max_connections);
    EXPECT_STREQ("", cfg_.system_api_token);
    EXPECT_EQ(SRS_LOG_INFO, cfg_.log_level);
}

TEST_F(AppConfigTest, EmptyValueTakesTheDefaultAsGo)
{
    const char *names[] = {"PROXY_HTTP_API", "PROXY_ORIGIN_SERVER_TTL", "PROXY_REDIS_PORT", "PROXY_REDIS_HOST",
                           "PROXY_LOAD_BALANCER_TYPE", "PROXY_DEFAULT_BACKEND_RTMP", "PROXY_LOG_LEVEL"};
    for (const char *name : names) setenv(name, "", 1);
    ASSERT_EQ("", load());
    EXPECT_EQ(":11985", listen_str(cfg_.http_api));
    EXPECT_EQ(300 * SRS_UTIME_SECONDS, cfg_.origin_server_ttl);
    EXPECT_EQ(6379, cfg_.redis_port);
    EXPECT_STREQ("127.0.0.1", cfg_.redis_host);
    EXPECT_FALSE(cfg_.lb_redis);
    EXPECT_STREQ("1935", cfg_.default_backend_rtmp);
    EXPECT_EQ(SRS_LOG_INFO, cfg_.log_level);
}

TEST_F(AppConfigTest, EveryVariableIsRead)
{
    mkdir("www", 0755);
    setenv("PROXY_HTTP_API", "127.0.0.1:1985", 1);
    setenv("PROXY_HTTP_SERVER", ":8080", 1);
    setenv("PROXY_RTMP_SERVER", "1935", 1);
    setenv("PROXY_WEBRTC_SERVER", "[::1]:8000", 1);
    setenv("PROXY_SRT_SERVER", "10080", 1);
    setenv("PROXY_SYSTEM_API", "0.0.0.0:12026", 1);
    setenv("PROXY_EXPORTER", "127.0.0.1:9972", 1);
    setenv("PROXY_FORCE_QUIT_TIMEOUT", "0", 1);
    setenv("PROXY_GRACE_QUIT_TIMEOUT", "1m30s", 1);
    setenv("PROXY_ORIGIN_SERVER_TTL", "45s", 1);
    setenv("PROXY_STATIC_FILES", "www", 1);
    setenv("PROXY_LOAD_BALANCER_TYPE", "redis", 1);
    setenv("PROXY_REDIS_HOST", "redis.local", 1);
    setenv("PROXY_REDIS_PORT", "6380", 1);
    setenv("PROXY_REDIS_PASSWORD", "s3cret", 1);
    setenv("PROXY_REDIS_DB", "3", 1);
    setenv("PROXY_REDIS_KEY_PREFIX", "proxy1", 1);
    setenv("PROXY_DEFAULT_BACKEND_ENABLED", "on", 1);
    setenv("PROXY_DEFAULT_BACKEND_IP", "10.0.0.2", 1);
    setenv("PROXY_DEFAULT_BACKEND_RTMP", "19350", 1);
    setenv("PROXY_DEFAULT_BACKEND_HTTP", "8080", 1);
    setenv("PROXY_DEFAULT_BACKEND_API", "19850", 1);
    setenv("PROXY_DEFAULT_BACKEND_RTC", "18001", 1);
    setenv("PROXY_DEFAULT_BACKEND_SRT", "10081", 1);
    setenv("PROXY_WEBRTC_CANDIDATE", "192.168.1.10", 1);
    setenv("PROXY_RTC_SESSION_TIMEOUT", "1500ms", 1);
    setenv("PROXY_MAX_CONNECTIONS", "0", 1);
    setenv("PROXY_SYSTEM_API_TOKEN", "tok", 1);
    setenv("PROXY_LOG_LEVEL", "debug", 1);
    ASSERT_EQ("", load());
    EXPECT_EQ("127.0.0.1:1985", listen_str(cfg_.http_api));
    EXPECT_EQ(":8080", listen_str(cfg_.http_server));
    EXPECT_EQ(":1935", listen_str(cfg_.rtmp_server));
    EXPECT_EQ("[::1]:8000", listen_str(cfg_.webrtc_server));
    EXPECT_EQ(":10080", listen_str(cfg_.srt_server));
    EXPECT_EQ("0.0.0.0:12026", listen_str(cfg_.system_api));
    EXPECT_TRUE(cfg_.exporter_enabled);
    EXPECT_EQ("127.0.0.1:9972", listen_str(cfg_.exporter));
    EXPECT_EQ(0, cfg_.force_quit_timeout);
    EXPECT_EQ(90 * SRS_UTIME_SECONDS, cfg_.grace_quit_timeout);
    EXPECT_EQ(45 * SRS_UTIME_SECONDS, cfg_.origin_server_ttl);
    EXPECT_STREQ("www", cfg_.static_files);
    EXPECT_TRUE(cfg_.lb_redis);
    EXPECT_STREQ("redis.local", cfg_.redis_host);
    EXPECT_EQ(6380, cfg_.redis_port);
    EXPECT_STREQ("s3cret", cfg_.redis_password);
    EXPECT_EQ(3, cfg_.redis_db);
    EXPECT_STREQ("proxy1", cfg_.redis_key_prefix);
    EXPECT_TRUE(cfg_.default_backend_enabled);
    EXPECT_STREQ("10.0.0.2", cfg_.default_backend_ip);
    EXPECT_STREQ("19350", cfg_.default_backend_rtmp);
    EXPECT_STREQ("8080", cfg_.default_backend_http);
    EXPECT_STREQ("19850", cfg_.default_backend_api);
    EXPECT_STREQ("18001", cfg_.default_backend_rtc);
    EXPECT_STREQ("10081", cfg_.default_backend_srt);
    EXPECT_STREQ("192.168.1.10", cfg_.webrtc_candidate);
    EXPECT_EQ(1500 * SRS_UTIME_MILLISECONDS, cfg_.rtc_session_timeout);
    EXPECT_EQ(0, cfg_.max_connections);
    EXPECT_STREQ("tok", cfg_.system_api_token);
    EXPECT_EQ(SRS_LOG_DEBUG, cfg_.log_level);
}

TEST_F(AppConfigTest, InvalidListenersNameTheVariable)
{
    const char *names[] = {"PROXY_HTTP_API", "PROXY_HTTP_SERVER", "PROXY_RTMP_SERVER", "PROXY_WEBRTC_SERVER",
                           "PROXY_SRT_SERVER", "PROXY_SYSTEM_API", "PROXY_PPROF", "GO_PPROF", "PROXY_EXPORTER"};
    for (const char *name : names) {
        expect_invalid(name, "abc");
        expect_invalid(name, "0");
        expect_invalid(name, "70000");
        expect_invalid(name, "::1:80");
    }
}

TEST_F(AppConfigTest, InvalidDurationsNameTheVariable)
{
    const char *names[] = {"PROXY_FORCE_QUIT_TIMEOUT", "PROXY_GRACE_QUIT_TIMEOUT", "PROXY_ORIGIN_SERVER_TTL",
                           "PROXY_RTC_SESSION_TIMEOUT"};
    for (const char *name : names) {
        expect_invalid(name, "abc");
        expect_invalid(name, "30");
        expect_invalid(name, "-1s");
    }
    // The TTL and the session timeout must be > 0; the quit timeouts may be 0.
    expect_invalid("PROXY_ORIGIN_SERVER_TTL", "0s");
    expect_invalid("PROXY_RTC_SESSION_TIMEOUT", "0");
    setenv("PROXY_GRACE_QUIT_TIMEOUT", "0s", 1);
    EXPECT_EQ("", load());
    EXPECT_EQ(0, cfg_.grace_quit_timeout);
}

TEST_F(AppConfigTest, SrtSessionTimeoutIsAPositiveDuration)
{
    setenv("PROXY_SRT_SESSION_TIMEOUT", "2500ms", 1);
    ASSERT_EQ("", load());
    EXPECT_EQ(2500 * SRS_UTIME_MILLISECONDS, cfg_.srt_session_timeout);
    EXPECT_NE(std::string::npos, describe().find("PROXY_SRT_SESSION_TIMEOUT=2500ms,")) << describe();
    for (const char *v : {"abc", "30", "-1s", "0s"}) expect_invalid("PROXY_SRT_SESSION_TIMEOUT", v);
}

TEST_F(AppConfigTest, InvalidNumbersNameTheVariable)
{
    for (const char *v : {"abc", "0", "65536", "-1", "63 79", "6379x", "+6379", "1e3", "99999999999999"}) {
        expect_invalid("PROXY_REDIS_PORT", v);
    }
    for (const char *v : {"abc", "-1", "1.5", " 1", "99999999999999"}) expect_invalid("PROXY_REDIS_DB", v);
    for (const char *v : {"-1", "10k", "2147483648"}) expect_invalid("PROXY_MAX_CONNECTIONS", v);
    setenv("PROXY_MAX_CONNECTIONS", "2147483647", 1);
    EXPECT_EQ("", load());
    EXPECT_EQ(INT_MAX, cfg_.max_connections);
}

TEST_F(AppConfigTest, InvalidChoicesNameTheVariable)
{
    for (const char *v : {"Redis", "mysql", "memory "}) expect_invalid("PROXY_LOAD_BALANCER_TYPE", v);
    for (const char *v : {"yes", "ON", "true", "1"}) expect_invalid("PROXY_DEFAULT_BACKEND_ENABLED", v);
    for (const char *v : {"loud", "1"}) expect_invalid("PROXY_LOG_LEVEL", v);
    setenv("PROXY_LOAD_BALANCER_TYPE", "memory", 1);
    EXPECT_EQ("", load());
    EXPECT_FALSE(cfg_.lb_redis);
}

TEST_F(AppConfigTest, InvalidHostsAndOriginPortsNameTheVariable)
{
    expect_invalid("PROXY_WEBRTC_CANDIDATE", "1.2.3.4 typ host");
    expect_invalid("PROXY_WEBRTC_CANDIDATE", "a\r\nb");
    expect_invalid("PROXY_DEFAULT_BACKEND_IP", "10.0.0.1/24");
    for (const char *name : {"PROXY_DEFAULT_BACKEND_RTMP", "PROXY_DEFAULT_BACKEND_HTTP", "PROXY_DEFAULT_BACKEND_API",
                             "PROXY_DEFAULT_BACKEND_RTC", "PROXY_DEFAULT_BACKEND_SRT"}) {
        expect_invalid(name, "abc");
        expect_invalid(name, "0");
    }
    std::string long_host(300, 'h');
    expect_invalid("PROXY_REDIS_HOST", long_host.c_str());
    // An origin port may carry its host, as origins register "ip:port".
    setenv("PROXY_DEFAULT_BACKEND_RTMP", "127.0.0.1:1935", 1);
    EXPECT_EQ("", load());
    EXPECT_STREQ("127.0.0.1:1935", cfg_.default_backend_rtmp);
}

TEST_F(AppConfigTest, PprofAliasAndPrecedence)
{
    ASSERT_EQ("", load());
    EXPECT_FALSE(cfg_.pprof_enabled);

    setenv("GO_PPROF", ":6060", 1);
    ASSERT_EQ("", load());
    EXPECT_TRUE(cfg_.pprof_enabled);
    EXPECT_EQ(":6060", listen_str(cfg_.pprof));

    setenv("PROXY_PPROF", "127.0.0.1:6061", 1);
    ASSERT_EQ("", load());
    EXPECT_TRUE(cfg_.pprof_enabled);
    EXPECT_EQ("127.0.0.1:6061", listen_str(cfg_.pprof));

    // Empty PROXY_PPROF is as unset: GO_PPROF applies.
    setenv("PROXY_PPROF", "", 1);
    ASSERT_EQ("", load());
    EXPECT_EQ(":6060", listen_str(cfg_.pprof));

    // A bad GO_PPROF is reported under its own name.
    setenv("GO_PPROF", "nope", 1);
    EXPECT_NE(std::string::npos, load().find("invalid GO_PPROF=nope"));
}

TEST_F(AppConfigTest, StaticFilesUnsetEmptyMissing)
{
    ASSERT_EQ("", load());
    EXPECT_TRUE(cfg_.static_files_enabled);
    EXPECT_STREQ("./trunk/research", cfg_.static_files);

    setenv("PROXY_STATIC_FILES", "", 1);
    ASSERT_EQ("", load());
    EXPECT_FALSE(cfg_.static_files_enabled);

    expect_invalid("PROXY_STATIC_FILES", "no/such/dir");
    write_file("plain", "x");
    expect_invalid("PROXY_STATIC_FILES", "plain");

    // The default must exist too, as in Go; the message says how to turn it off.
    ASSERT_EQ(0, rmdir("trunk/research"));
    std::string summary = load();
    EXPECT_NE(std::string::npos, summary.find("invalid PROXY_STATIC_FILES=./trunk/research")) << summary;
    EXPECT_NE(std::string::npos, summary.find("set PROXY_STATIC_FILES= to disable")) << summary;
}

TEST_F(AppConfigTest, MissingDotenvIsFine)
{
    ASSERT_EQ("", load(".env"));
    EXPECT_EQ(":11985", listen_str(cfg_.http_api));
}

TEST_F(AppConfigTest, DotenvFillsUnsetVariables)
{
    write_file(".env", "# proxy\r\n"
                       "export PROXY_HTTP_API=1985\r\n"
                       "PROXY_REDIS_PASSWORD=\"p@ss #1\"\n"
                       "PROXY_ORIGIN_SERVER_TTL=45s # shorter\n"
                       "PROXY_STATIC_FILES=''\n"
                       "SRS_UTEST_DOTENV_A='raw \\n'\n"
                       "not a pair\n");
    ASSERT_EQ("", load(".env"));
    EXPECT_EQ(":1985", listen_str(cfg_.http_api));
    EXPECT_STREQ("p@ss #1", cfg_.redis_password);
    EXPECT_EQ(45 * SRS_UTIME_SECONDS, cfg_.origin_server_ttl);
    EXPECT_FALSE(cfg_.static_files_enabled);
    ASSERT_TRUE(getenv("SRS_UTEST_DOTENV_A") != NULL);
    EXPECT_STREQ("raw \\n", getenv("SRS_UTEST_DOTENV_A"));
}

TEST_F(AppConfigTest, DotenvNeverOverwritesTheEnvironment)
{
    setenv("PROXY_HTTP_API", "2985", 1);
    // Set but empty also wins over .env, as Go's LookupEnv; then the default applies.
    setenv("PROXY_RTMP_SERVER", "", 1);
    setenv("SRS_UTEST_DOTENV_B", "", 1);
    write_file(".env", "PROXY_HTTP_API=1985\nPROXY_RTMP_SERVER=1935\nSRS_UTEST_DOTENV_B=from-file\n");
    ASSERT_EQ("", load(".env"));
    EXPECT_EQ(":2985", listen_str(cfg_.http_api));
    EXPECT_EQ(":11935", listen_str(cfg_.rtmp_server));
    EXPECT_STREQ("", getenv("SRS_UTEST_DOTENV_B"));
}

TEST_F(AppConfigTest, DotenvRepeatedKeyTakesTheLastValue)
{
    setenv("SRS_UTEST_DOTENV_C", "env", 1);
    write_file(".env", "PROXY_HTTP_API=1\nPROXY_HTTP_API=2\nSRS_UTEST_DOTENV_C=one\nSRS_UTEST_DOTENV_C=two\n");
    ASSERT_EQ("", load(".env"));
    EXPECT_EQ(2, cfg_.http_api.port);
    EXPECT_STREQ("env", getenv("SRS_UTEST_DOTENV_C"));
}

TEST_F(AppConfigTest, DotenvValueIsValidated)
{
    write_file(".env", "PROXY_REDIS_DB=abc\n");
    EXPECT_NE(std::string::npos, load(".env").find("invalid PROXY_REDIS_DB=abc"));
}

TEST_F(AppConfigTest, DotenvReadErrorsFail)
{
    ASSERT_EQ(0, mkdir("adir", 0755));
    srs_error_t err = srs_config_load(&cfg_, "adir");
    EXPECT_TRUE(err != srs_success);
    EXPECT_EQ(ERROR_SYSTEM_FILE, srs_error_code(err));
    srs_error_reset(err);

    static const char bad[] = "SRS_UTEST_DOTENV_A=1\nB=\0\n";
    write_file("bad.env", std::string(bad, sizeof(bad) - 1));
    err = srs_config_load(&cfg_, "bad.env");
    EXPECT_TRUE(err != srs_success);
    EXPECT_EQ(ERROR_ENV_FILE, srs_error_code(err));
    srs_error_reset(err);
    // A bad file changes nothing.
    EXPECT_TRUE(getenv("SRS_UTEST_DOTENV_A") == NULL);
}

TEST_F(AppConfigTest, DefaultBackendNeedsIpAndRtmp)
{
    setenv("PROXY_DEFAULT_BACKEND_ENABLED", "on", 1);
    ASSERT_EQ("", load());
    EXPECT_TRUE(cfg_.default_backend_enabled);
    EXPECT_STREQ("127.0.0.1", cfg_.default_backend_ip);
    EXPECT_STREQ("1935", cfg_.default_backend_rtmp);
    // Without HTTP the default backend has no HTTP stream server, as in Go.
    EXPECT_STREQ("", cfg_.default_backend_http);
}

TEST_F(AppConfigTest, SecretsNeverInErrors)
{
    std::string password(300, 'P');
    setenv("PROXY_REDIS_PASSWORD", password.c_str(), 1);
    std::string summary = load();
    EXPECT_NE(std::string::npos, summary.find("invalid PROXY_REDIS_PASSWORD")) << summary;
    EXPECT_EQ(std::string::npos, summary.find("PPPP")) << summary;
    unsetenv("PROXY_REDIS_PASSWORD");

    setenv("PROXY_SYSTEM_API_TOKEN", password.c_str(), 1);
    summary = load();
    EXPECT_NE(std::string::npos, summary.find("invalid PROXY_SYSTEM_API_TOKEN")) << summary;
    EXPECT_EQ(std::string::npos, summary.find("PPPP")) << summary;
}

TEST_F(AppConfigTest, DescribeMasksSecrets)
{
    setenv("PROXY_REDIS_PASSWORD", "hunter2", 1);
    setenv("PROXY_SYSTEM_API_TOKEN", "t0ken", 1);
    setenv("GO_PPROF", "127.0.0.1:6060", 1);
    setenv("PROXY_EXPORTER", ":9972", 1);
    ASSERT_EQ("", load());
    std::string line = describe();
    EXPECT_EQ(std::string::npos, line.find("hunter2")) << line;
    EXPECT_EQ(std::string::npos, line.find("t0ken")) << line;
    EXPECT_NE(std::string::npos, line.find("PROXY_REDIS_PASSWORD=******,")) << line;
    EXPECT_NE(std::string::npos, line.find("PROXY_SYSTEM_API_TOKEN=******,")) << line;
    EXPECT_NE(std::string::npos, line.find("PROXY_PPROF=127.0.0.1:6060,")) << line;
    EXPECT_NE(std::string::npos, line.find("PROXY_EXPORTER=:9972,")) << line;
    EXPECT_NE(std::string::npos, line.find("PROXY_HTTP_API=:11985,")) << line;
    EXPECT_NE(std::string::npos, line.find("PROXY_ORIGIN_SERVER_TTL=300s,")) << line;
    EXPECT_NE(std::string::npos, line.find("PROXY_STATIC_FILES=./trunk/research,")) << line;

    // Without secrets nothing is masked, so the line tells they are unset.
    unsetenv("PROXY_REDIS_PASSWORD");
    unsetenv("PROXY_SYSTEM_API_TOKEN");
    ASSERT_EQ("", load());
    line = describe();
    EXPECT_NE(std::string::npos, line.find("PROXY_REDIS_PASSWORD=,")) << line;
    EXPECT_EQ(std::string::npos, line.find("******")) << line;
}

TEST_F(AppConfigTest, LogLineNeverPrintsThePassword)
{
    setenv("PROXY_REDIS_PASSWORD", "hunter2", 1);
    ASSERT_EQ("", load());
    srs_log_set_level(SRS_LOG_INFO);

    // Capture stdout through a pipe around the call.
    int fds[2];
    ASSERT_EQ(0, pipe(fds));
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    ASSERT_GE(saved, 0);
    ASSERT_GE(dup2(fds[1], STDOUT_FILENO), 0);
    srs_config_log(&cfg_);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, (size_t)n);
    close(fds[0]);

    EXPECT_NE(std::string::npos, out.find("[INFO]")) << out;
    EXPECT_NE(std::string::npos, out.find("PROXY_REDIS_PASSWORD=******")) << out;
    EXPECT_EQ(std::string::npos, out.find("hunter2")) << out;
}

TEST_F(AppConfigTest, ExampleEnvFileHoldsEveryVariableWithItsDefault)
{
    std::string path = old_cwd_ + "/conf/proxy.env";
    FILE *f = fopen(path.c_str(), "rb");
    if (!f) GTEST_SKIP() << "run from the source tree to check " << path;
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
    fclose(f);

    for (const char *name : config_vars) {
        if (!strncmp(name, "SRS_UTEST_", 10) || !strcmp(name, "GO_PPROF")) continue;
        EXPECT_NE(std::string::npos, text.find(std::string("\n") + name + "=")) << name;
    }

    ASSERT_EQ("", load());
    std::string defaults = describe();
    write_file(".env", text);
    ASSERT_EQ("", load(".env"));
    EXPECT_EQ(defaults, describe());
}

TEST_F(AppConfigTest, HttpHardeningLimitsHaveDefaultsAndBounds)
{
    ASSERT_EQ("", load());
    std::string d = describe();
    EXPECT_NE(std::string::npos, d.find("PROXY_MAX_CONNECTIONS_PER_IP=5000")) << d;
    EXPECT_NE(std::string::npos, d.find("PROXY_SYSTEM_API_MAX_CONNECTIONS=1000")) << d;
    EXPECT_NE(std::string::npos, d.find("PROXY_SYSTEM_API_MAX_CONNECTIONS_PER_IP=100")) << d;
    EXPECT_NE(std::string::npos, d.find("PROXY_HLS_MAX_PLAYLIST=1048576")) << d;
    EXPECT_NE(std::string::npos, d.find("PROXY_HTTP_HEAD_TIMEOUT=10s")) << d;
    EXPECT_NE(std::string::npos, d.find("PROXY_HTTP_BODY_TIMEOUT=30s")) << d;
    setenv("PROXY_MAX_CONNECTIONS_PER_IP", "-1", 1);
    EXPECT_NE("", load());
    unsetenv("PROXY_MAX_CONNECTIONS_PER_IP");
    setenv("PROXY_SYSTEM_API_MAX_CONNECTIONS", "0", 1);
    EXPECT_NE("", load());
    unsetenv("PROXY_SYSTEM_API_MAX_CONNECTIONS");
    setenv("PROXY_HLS_MAX_PLAYLIST", "10", 1);
    EXPECT_NE("", load());
    unsetenv("PROXY_HLS_MAX_PLAYLIST");
    setenv("PROXY_HTTP_BODY_TIMEOUT", "3s", 1);
    ASSERT_EQ("", load());
    EXPECT_NE(std::string::npos, describe().find("PROXY_HTTP_BODY_TIMEOUT=3s"));
}

// SRS's API through the proxy: defaults, bounds, and the names in the startup line.
TEST_F(AppConfigTest, SrsApiLimits)
{
    const char *mine[] = {"PROXY_SRS_API_TIMEOUT", "PROXY_SRS_API_CACHE", "PROXY_SRS_API_MAX_ENTRIES"};
    std::map<std::string, std::string> saved;
    for (const char *name : mine) {
        if (getenv(name)) saved[name] = getenv(name);
        unsetenv(name);
    }
    ASSERT_EQ("", load());
    EXPECT_EQ(3 * SRS_UTIME_SECONDS, cfg_.srs_api_timeout);
    EXPECT_EQ(1 * SRS_UTIME_SECONDS, cfg_.srs_api_cache);
    EXPECT_EQ(10000, cfg_.srs_api_max_entries);
    std::string d = describe();
    EXPECT_NE(std::string::npos, d.find("PROXY_SRS_API_TIMEOUT=3s, PROXY_SRS_API_CACHE=1s, PROXY_SRS_API_MAX_ENTRIES=10000")) << d;
    expect_invalid("PROXY_SRS_API_TIMEOUT", "0");
    expect_invalid("PROXY_SRS_API_TIMEOUT", "abc");
    expect_invalid("PROXY_SRS_API_MAX_ENTRIES", "0");
    setenv("PROXY_SRS_API_CACHE", "0", 1); // 0: no cache, every request asks again
    EXPECT_EQ("", load());
    EXPECT_EQ(0, cfg_.srs_api_cache);
    for (const char *name : mine) {
        auto it = saved.find(name);
        if (it != saved.end()) setenv(name, it->second.c_str(), 1);
        else unsetenv(name);
    }
}
