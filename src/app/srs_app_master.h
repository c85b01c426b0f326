/* SPDX-License-Identifier: MIT */
/* PROXY_WORKERS > 1: the process that was started is the master. It has loaded and validated the
 * configuration; it maps the shared region (the shm load balancer's tables with the memory
 * balancer, and its own block of counters), forks the workers and supervises them. It serves
 * nothing and never initialises State Threads: each worker does, after the fork, and runs
 * today's srs_proxy_run with every listener bound with SO_REUSEPORT.
 *
 *   master ──fork──► worker 0 ┐
 *          ──fork──► worker 1 ├── same ports (SO_REUSEPORT), one shared region (mmap MAP_SHARED)
 *          ──fork──► worker N ┘
 *
 * A worker that dies is restarted at once, then with a backoff (100 ms doubling to 5 s) while it
 * keeps dying within 10 s of its start; every restart is logged and counted
 * (srs_proxy_worker_restarts_total). SIGTERM/SIGINT (fast) and SIGQUIT (graceful) to the master
 * go to every worker; the master exits 0 when every worker ended with 0. A worker never outlives
 * its master (PR_SET_PDEATHSIG, and a check of getppid after it). A worker that fails within 2 s
 * of the master's start, before any worker ever ran longer, ends the master with status 1 (a port
 * in use, say). */
#ifndef SRS_APP_MASTER_H
#define SRS_APP_MASTER_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_app_config.h"
#include "srs_app_lb_shm.h"
#include "srs_kernel_strbuf.h"
#include "srs_kernel_worker_relay.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs the master. Returns in the master when everything ended, with *worker = -1 and *status
 * the exit status; returns in a forked worker with *worker its index (0..workers-1), to go on
 * with State Threads and srs_proxy_run. */
srs_error_t srs_master_run(const srs_config_t *cfg, int *worker, int *status);

/* In a worker: its index, or -1 in a single process (PROXY_WORKERS=1). */
int srs_worker_index(void);
/* The region of the shared load balancer, or NULL (single process, or Redis). */
srs_lb_shm_region_t *srs_master_lb_region(void);
/* The inter-worker relay (srs_kernel_worker_relay.h), in a worker; NULL / 0 / -1 in a single
 * process: the SRT directory, how many workers, the socket to send to worker index, and this
 * worker's own receiving socket. */
srs_srt_dir_t *srs_master_srt_dir(void);
int srs_master_workers(void);
int srs_master_relay_fd(int index);
int srs_master_relay_own_fd(void);

/* srs_proxy_worker_restarts_total and srs_proxy_workers (nothing in a single process). */
void srs_master_render_metrics(srs_strbuf_t *out);

/* Backoff before restarting a worker that died `lived` after its start, given the last delay. */
srs_utime_t srs_master_backoff(srs_utime_t lived, srs_utime_t last_delay);

#ifdef __cplusplus
}
#endif

#endif
