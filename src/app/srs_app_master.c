/* SPDX-License-Identifier: MIT */
#include "srs_app_master.h"
#include "srs_core_context.h"
#include "srs_core_log.h"
#include "srs_kernel_prometheus.h"
#include "srs_kernel_worker_relay.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A worker that lived this long is healthy: its next death restarts it at once again. */
#define MASTER_HEALTHY_LIFE (10 * SRS_UTIME_SECONDS)
#define MASTER_BACKOFF_MIN (100 * SRS_UTIME_MILLISECONDS)
#define MASTER_BACKOFF_MAX (5 * SRS_UTIME_SECONDS)
/* A worker failing this soon after the master started, before any worker lived longer: the
 * configuration cannot run (a port in use); give up instead of looping. */
#define MASTER_STARTUP_WINDOW (2 * SRS_UTIME_SECONDS)
/* After the workers' own force-quit timeout, the master kills what is left. */
#define MASTER_KILL_MARGIN (5 * SRS_UTIME_SECONDS)

/* Shared with the workers (MAP_SHARED), written by the master only. */
typedef struct {
    uint64_t restarts;
    int32_t workers;
    int32_t pids[SRS_CONFIG_MAX_WORKERS];
} master_block_t;

typedef struct {
    pid_t pid;               /* 0: not running */
    srs_utime_t started_at;  /* monotonic */
    srs_utime_t restart_at;  /* when pid is 0: when to fork it again */
    srs_utime_t delay;       /* the last backoff */
} worker_slot_t;

static master_block_t *block;
static srs_lb_shm_region_t *lb_region;
static int worker_index = -1;
/* The inter-worker relay: the SRT directory (shared), and one AF_UNIX datagram socketpair per
 * worker: [0] its receiving end (only it keeps that one), [1] the end every worker sends on. */
static srs_srt_dir_t *srt_dir;
static size_t srt_dir_bytes;
static int relay_fds[SRS_CONFIG_MAX_WORKERS][2];
static int relay_workers;

int srs_worker_index(void) { return worker_index; }
srs_lb_shm_region_t *srs_master_lb_region(void) { return lb_region; }
srs_srt_dir_t *srs_master_srt_dir(void) { return worker_index >= 0 ? srt_dir : NULL; }
int srs_master_workers(void) { return worker_index >= 0 ? relay_workers : 0; }
int srs_master_relay_fd(int index) { return index >= 0 && index < relay_workers ? relay_fds[index][1] : -1; }
int srs_master_relay_own_fd(void) { return worker_index >= 0 ? relay_fds[worker_index][0] : -1; }

/* Before the fork: the SRT directory (room for every worker's PROXY_SRT_MAX_SESSIONS, twice, so
 * probes stay short) and the sockets. */
static srs_error_t open_relay(const srs_config_t *cfg, int n)
{
    uint64_t per = cfg->srt_max_sessions > 0 ? (uint64_t)cfg->srt_max_sessions : 10000;
    uint64_t cap = 2 * per * (uint64_t)n;
    if (cap > (1u << 22)) cap = 1u << 22;
    srt_dir_bytes = srs_srt_dir_bytes((uint32_t)cap);
    void *m = mmap(NULL, srt_dir_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return srs_error_new(ERROR_SYSTEM_NOMEM, "mmap %zu bytes for the SRT directory", srt_dir_bytes);
    srt_dir = srs_srt_dir_init(m, (uint32_t)cap);
    for (int i = 0; i < n; i++) {
        if (socketpair(AF_UNIX, SOCK_DGRAM, 0, relay_fds[i]) < 0) {
            return srs_error_new(ERROR_SYSTEM_IO, "socketpair for worker %d: %s", i, strerror(errno));
        }
        int size = 4 << 20;
        setsockopt(relay_fds[i][0], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        setsockopt(relay_fds[i][1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
        relay_workers = i + 1;
    }
    return srs_success;
}

static void close_relay(void)
{
    for (int i = 0; i < relay_workers; i++) {
        close(relay_fds[i][0]);
        close(relay_fds[i][1]);
    }
    relay_workers = 0;
    if (srt_dir) munmap(srt_dir, srt_dir_bytes);
    srt_dir = NULL;
}

srs_utime_t srs_master_backoff(srs_utime_t lived, srs_utime_t last_delay)
{
    if (lived >= MASTER_HEALTHY_LIFE) return 0;
    if (last_delay <= 0) return MASTER_BACKOFF_MIN;
    return last_delay >= MASTER_BACKOFF_MAX / 2 ? MASTER_BACKOFF_MAX : last_delay * 2;
}

void srs_master_render_metrics(srs_strbuf_t *out)
{
    if (!block || worker_index < 0) return;
    srs_prom_family(out, "srs_proxy_workers", "gauge", "Worker processes the master runs (PROXY_WORKERS).");
    srs_prom_sample_u64(out, "srs_proxy_workers", NULL, 0, (uint64_t)__atomic_load_n(&block->workers, __ATOMIC_RELAXED));
    srs_prom_family(out, "srs_proxy_worker_restarts_total", "counter", "Workers the master restarted after they died.");
    srs_prom_sample_u64(out, "srs_proxy_worker_restarts_total", NULL, 0, __atomic_load_n(&block->restarts, __ATOMIC_RELAXED));
}

/* In the child, right after fork: never outlive the master, and be a process of its own. */
static void become_worker(int index, pid_t master, const sigset_t *old_mask)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    /* The master may have died before prctl: then nobody would send it. */
    if (getppid() != master) _exit(1);
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    worker_index = index;
    /* Only its own receiving end: the others' belong to them. */
    for (int i = 0; i < relay_workers; i++) {
        if (i != index) {
            close(relay_fds[i][0]);
            relay_fds[i][0] = -1;
        }
    }
    srs_random_after_fork();
    char label[16];
    snprintf(label, sizeof(label), "%d", index);
    srs_prom_set_process_label("worker", label);
}

static srs_error_t fork_worker(worker_slot_t *w, int index, const sigset_t *old_mask, bool *child)
{
    pid_t master = getpid();
    pid_t pid = fork();
    if (pid < 0) return srs_error_new(ERROR_SYSTEM_LIMIT, "fork worker %d: %s", index, strerror(errno));
    if (pid == 0) {
        become_worker(index, master, old_mask);
        *child = true;
        return srs_success;
    }
    w->pid = pid;
    w->started_at = srs_time_now();
    __atomic_store_n(&block->pids[index], (int32_t)pid, __ATOMIC_RELAXED);
    srs_log_info("master: worker %d started, pid %d", index, (int)pid);
    return srs_success;
}

static void signal_all(worker_slot_t *ws, int n, int signo)
{
    for (int i = 0; i < n; i++) {
        if (ws[i].pid > 0) kill(ws[i].pid, signo);
    }
}

static int live_count(const worker_slot_t *ws, int n)
{
    int live = 0;
    for (int i = 0; i < n; i++) live += ws[i].pid > 0;
    return live;
}

static srs_error_t map_block(int workers)
{
    void *m = mmap(NULL, sizeof(master_block_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return srs_error_new(ERROR_SYSTEM_NOMEM, "mmap the master's block");
    block = (master_block_t *)m;
    block->workers = workers;
    return srs_success;
}

srs_error_t srs_master_run(const srs_config_t *cfg, int *worker, int *status)
{
    *worker = -1;
    *status = 0;
    int n = cfg->workers;
    srs_error_t err = map_block(n);
    if (err) return err;
    if ((err = open_relay(cfg, n)) != srs_success) return srs_error_wrap(err, "inter-worker relay");
    if (!cfg->lb_redis) {
        /* The shared tables have the memory balancer's bounds (srs_lb_limits_t). */
        srs_lb_limits_t limits = {(size_t)cfg->max_origins, (size_t)cfg->lb_max_streams, (size_t)cfg->lb_max_sessions, cfg->lb_pick_idle};
        srs_lb_set_limits(&limits);
        srs_lb_shm_sizes_t sizes;
        if ((err = srs_lb_shm_sizes_from_limits(&sizes)) != srs_success) return srs_error_wrap(err, "shared region");
        if ((err = srs_lb_shm_region_new(&sizes, &lb_region)) != srs_success) return srs_error_wrap(err, "shared region");
        srs_log_info("master: shared load balancer region of %zu bytes (origins %u, picks %u, sessions %u per table)",
                     srs_lb_shm_region_bytes(lb_region), sizes.origins, sizes.streams, sizes.sessions);
    }

    /* Signals are taken synchronously (sigtimedwait): no handler runs in the master. */
    sigset_t set, old_mask;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old_mask);

    worker_slot_t *ws = (worker_slot_t *)calloc((size_t)n, sizeof(*ws));
    if (!ws) abort();
    srs_utime_t master_start = srs_time_now();
    bool any_healthy = false, quitting = false, failed = false;
    srs_utime_t kill_at = 0;
    srs_log_info("master: pid %d, %d workers", (int)getpid(), n);

    for (int i = 0; i < n; i++) {
        bool child = false;
        if ((err = fork_worker(&ws[i], i, &old_mask, &child)) != srs_success) {
            srs_log_error("master: %s", srs_error_desc(err));
            srs_error_free(err);
            err = srs_success;
            failed = quitting = true;
            signal_all(ws, n, SIGTERM);
            kill_at = srs_time_now() + cfg->force_quit_timeout + MASTER_KILL_MARGIN;
            break;
        }
        if (child) {
            free(ws);
            *worker = i;
            return srs_success;
        }
    }

    for (;;) {
        /* Reap every worker that ended. */
        int wstatus;
        pid_t pid;
        while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
            int i = 0;
            while (i < n && ws[i].pid != pid) i++;
            if (i == n) continue;
            srs_utime_t now = srs_time_now(), lived = now - ws[i].started_at;
            bool clean = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
            char how[64];
            if (WIFEXITED(wstatus)) snprintf(how, sizeof(how), "exit %d", WEXITSTATUS(wstatus));
            else snprintf(how, sizeof(how), "signal %d(%s)", WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
            ws[i].pid = 0;
            __atomic_store_n(&block->pids[i], 0, __ATOMIC_RELAXED);
            /* Its SRT sessions died with it (their origin sockets are gone): nobody forwards to it. */
            size_t gone = srs_srt_dir_clear_worker(srt_dir, i);
            if (gone) srs_log_info("master: worker %d held %zu SRT sessions, ended with it", i, gone);
            if (lived >= MASTER_STARTUP_WINDOW) any_healthy = true;
            if (quitting) {
                if (!clean) failed = true;
                srs_log_info("master: worker %d pid %d ended (%s)", i, (int)pid, how);
                continue;
            }
            if (!any_healthy && !clean && now - master_start < MASTER_STARTUP_WINDOW) {
                srs_log_error("master: worker %d pid %d failed at startup (%s), stopping", i, (int)pid, how);
                failed = quitting = true;
                signal_all(ws, n, SIGTERM);
                kill_at = now + cfg->force_quit_timeout + MASTER_KILL_MARGIN;
                continue;
            }
            ws[i].delay = srs_master_backoff(lived, ws[i].delay);
            ws[i].restart_at = now + ws[i].delay;
            srs_log_warn("master: worker %d pid %d died (%s) after %lldms, restart in %lldms", i, (int)pid, how,
                         (long long)(lived / SRS_UTIME_MILLISECONDS), (long long)(ws[i].delay / SRS_UTIME_MILLISECONDS));
        }

        if (quitting && live_count(ws, n) == 0) break;

        /* Restart the workers whose time has come. */
        srs_utime_t now = srs_time_now(), next_wake = now + 200 * SRS_UTIME_MILLISECONDS;
        for (int i = 0; !quitting && i < n; i++) {
            if (ws[i].pid > 0) continue;
            if (ws[i].restart_at > now) {
                if (ws[i].restart_at < next_wake) next_wake = ws[i].restart_at;
                continue;
            }
            bool child = false;
            if ((err = fork_worker(&ws[i], i, &old_mask, &child)) != srs_success) {
                srs_log_warn("master: %s", srs_error_summary(err));
                srs_error_free(err);
                ws[i].restart_at = now + MASTER_BACKOFF_MAX;
                continue;
            }
            if (child) {
                free(ws);
                *worker = i;
                return srs_success;
            }
            __atomic_add_fetch(&block->restarts, 1, __ATOMIC_RELAXED);
        }
        if (quitting && kill_at && now >= kill_at) {
            srs_log_warn("master: %d workers still running after the force-quit timeout, killing them", live_count(ws, n));
            signal_all(ws, n, SIGKILL);
            failed = true;
            kill_at = 0;
        }

        srs_utime_t wait = next_wake > now ? next_wake - now : 0;
        struct timespec ts = {(time_t)(wait / SRS_UTIME_SECONDS), (long)(wait % SRS_UTIME_SECONDS) * 1000};
        int signo = sigtimedwait(&set, NULL, &ts);
        if (signo == SIGTERM || signo == SIGINT || signo == SIGQUIT) {
            srs_log_info("master: got signal %d(%s), passing it to %d workers", signo, strsignal(signo), live_count(ws, n));
            signal_all(ws, n, signo);
            if (!quitting) kill_at = srs_time_now() + cfg->grace_quit_timeout + cfg->force_quit_timeout + MASTER_KILL_MARGIN;
            quitting = true;
        }
    }
    free(ws);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    srs_lb_shm_region_free(lb_region);
    lb_region = NULL;
    close_relay();
    *status = failed ? 1 : 0;
    srs_log_info("master: all workers ended, exit %d", *status);
    return srs_success;
}
