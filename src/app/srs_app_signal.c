/* SPDX-License-Identifier: MIT */
#include "srs_app_signal.h"
#include "srs_app_https.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_st.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static int sig_pipe[2] = {-1, -1};
static st_netfd_t sig_read_fd;
static srs_coroutine_t *sig_co;
static st_cond_t quit_cond;
static srs_quit_t quit_requested;

static void on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    ssize_t n = write(sig_pipe[1], &b, 1);
    SRS_UNUSED(n);
    errno = saved;
}

static void on_force_quit(int signo)
{
    SRS_UNUSED(signo);
    static const char msg[] = "[FATAL] Force to exit by timeout (PROXY_FORCE_QUIT_TIMEOUT)\n";
    ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    SRS_UNUSED(n);
    _exit(1);
}

static srs_error_t signal_cycle(void *arg)
{
    SRS_UNUSED(arg);
    for (;;) {
        unsigned char b = 0;
        size_t n = 0;
        srs_error_t err = srs_st_read(sig_read_fd, &b, 1, SRS_UTIME_NO_TIMEOUT, &n);
        if (err) return srs_error_wrap(err, "read signal pipe");
        int signo = b;
        srs_log_info("Got signal %d(%s)", signo, strsignal(signo));
        if (signo == SIGHUP) {
            /* Reload what can be reloaded without a restart: the HTTPS certificate. */
            if ((err = srs_https_reload()) != srs_success) {
                srs_log_error("%s", srs_error_summary(err));
                srs_error_free(err);
            }
            continue;
        }
        if (signo == SIGQUIT) {
            if (quit_requested == SRS_QUIT_NONE) quit_requested = SRS_QUIT_GRACEFUL;
        } else {
            quit_requested = SRS_QUIT_FAST;
        }
        st_cond_broadcast(quit_cond);
    }
}

srs_error_t srs_signal_start(void)
{
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        return srs_error_new(ERROR_SIGNAL, "pipe");
    }
    if (!(sig_read_fd = st_netfd_open(sig_pipe[0]))) {
        return srs_error_new(ERROR_SIGNAL, "st_netfd_open");
    }
    quit_cond = st_cond_new();

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    int signals[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP};
    for (size_t i = 0; i < SRS_ARRAY_SIZE(signals); i++) {
        if (sigaction(signals[i], &sa, NULL) < 0) return srs_error_new(ERROR_SIGNAL, "sigaction %d", signals[i]);
    }
    /* A peer closing a socket must be an error on write, not a process kill. */
    signal(SIGPIPE, SIG_IGN);

    sig_co = srs_coroutine_new("signal", signal_cycle, NULL);
    return srs_coroutine_start(sig_co);
}

srs_quit_t srs_signal_wait_quit(void)
{
    while (quit_requested == SRS_QUIT_NONE) {
        srs_coroutine_set_state(SRS_CO_WAIT_COND);
        st_cond_wait(quit_cond);
        srs_coroutine_set_state(SRS_CO_RUNNABLE);
    }
    return quit_requested;
}

srs_quit_t srs_signal_quit_requested(void)
{
    return quit_requested;
}

void srs_signal_arm_force_quit(srs_utime_t timeout)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_force_quit;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it;
    memset(&it, 0, sizeof(it));
    if (timeout <= 0) timeout = 1000; /* zero would disarm */
    it.it_value.tv_sec = timeout / SRS_UTIME_SECONDS;
    it.it_value.tv_usec = timeout % SRS_UTIME_SECONDS;
    setitimer(ITIMER_REAL, &it, NULL);
}

void srs_signal_stop(void)
{
    srs_coroutine_free(sig_co);
    sig_co = NULL;
    srs_st_close_and_clear(sig_read_fd);
    if (sig_pipe[1] >= 0) close(sig_pipe[1]);
    sig_pipe[0] = sig_pipe[1] = -1;
    if (quit_cond) st_cond_destroy(quit_cond);
    quit_cond = NULL;
}
