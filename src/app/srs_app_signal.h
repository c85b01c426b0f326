/* SPDX-License-Identifier: MIT */
/* Signals through a self-pipe read by a coroutine, as ST's server example does: the handler only
 * writes the signal number; all the work happens in coroutine context.
 * SIGINT/SIGTERM: fast quit. SIGQUIT: graceful quit. A force-quit alarm ends a shutdown that hangs. */
#ifndef SRS_APP_SIGNAL_H
#define SRS_APP_SIGNAL_H

#include "srs_core.h"
#include "srs_core_error.h"

typedef enum { SRS_QUIT_NONE = 0, SRS_QUIT_FAST, SRS_QUIT_GRACEFUL } srs_quit_t;

/* Installs handlers and starts the reader coroutine. */
srs_error_t srs_signal_start(void);
/* Blocks the calling coroutine until a quit signal arrives; returns which. */
srs_quit_t srs_signal_wait_quit(void);
/* What has been asked so far (a fast quit may follow a graceful one). */
srs_quit_t srs_signal_quit_requested(void);
/* Arms the force-quit alarm: the process exits with status 1 `timeout` after this call. */
void srs_signal_arm_force_quit(srs_utime_t timeout);
void srs_signal_stop(void);

#endif
