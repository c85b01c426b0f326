/* SPDX-License-Identifier: MIT */
/* A pure parser of .env text with the rules of the Go proxy's parseEnvReader:
 * - every line is trimmed (Go's strings.TrimSpace: ASCII and Unicode spaces); empty lines and
 *   lines starting with '#' are skipped;
 * - an optional "export " prefix is removed;
 * - the line is split at the first '='; a line without '=' is skipped; key and value are trimmed;
 * - a value in '...' (length >= 2) is taken raw;
 * - a value in "..." is unquoted, then \n, \r, \", \\ are replaced in that order;
 * - any other value is cut at the first " #" and trimmed.
 * Like Go's bufio.Scanner, a line longer than 64 KiB is an error. A NUL byte is an error too,
 * since no environment variable can hold one. */
#ifndef SRS_KERNEL_DOTENV_H
#define SRS_KERNEL_DOTENV_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest line accepted, as Go's bufio.MaxScanTokenSize. */
#define SRS_DOTENV_MAX_LINE (64 * 1024)

/* Called once per key/value pair, in file order. The strings live only during the call, so fn
 * copies what it keeps. The key may be empty (a line like "=x"): the caller decides. */
typedef void (*srs_dotenv_fn)(void *ctx, const char *key, const char *value);

/* Parse `len` bytes of `text` (need not be NUL-terminated). The whole text is checked before
 * the first call of fn, so on error fn has not been called at all. Errors: ERROR_ENV_FILE. */
srs_error_t srs_dotenv_parse(const char *text, size_t len, srs_dotenv_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
