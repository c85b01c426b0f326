/* SPDX-License-Identifier: MIT */
/* Names for code addresses of this process, for profiles and /debug/pprof/symbol: the main
 * binary through its own ELF symbol table (/proc/self/exe, static functions included, shifted by
 * the PIE load bias), shared libraries through dladdr. Also the code mappings a profile.proto
 * lists, and the body format of pprof's symbol requests. */
#ifndef SRS_APP_PPROF_SYMBOL_H
#define SRS_APP_PPROF_SYMBOL_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_kernel_pprof_proto.h"
#include "srs_kernel_strbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The function holding addr and the offset into it; false when no symbol covers it. The name
 * stays valid for the life of the process. The main binary's table is read on first use. */
bool srs_pprof_symbolize(uint64_t addr, const char **name, uint64_t *offset);
/* The same as a srs_pprof_symbolize_fn (ctx unused). */
bool srs_pprof_symbolize_fn_adapter(void *ctx, uint64_t addr, const char **name);
/* Why the main binary has no symbols ("" when it has). */
const char *srs_pprof_symbols_problem(void);

/* Every executable segment of the process (main binary and shared libraries), as mappings. */
void srs_pprof_add_mappings(srs_pprof_builder_t *b);
/* The text of /proc/self/maps, appended to out. */
srs_error_t srs_pprof_read_proc_file(const char *path, srs_strbuf_t *out);

/* The addresses of a symbol request body or query: "0x4a1b+0x4a2c+..." (separated by '+', each
 * hex with 0x or decimal; blanks around them ignored; other words skipped, as Go does). Stores at
 * most max into out; returns how many. Pure (fuzzed). */
size_t srs_pprof_parse_addresses(const char *text, size_t len, uint64_t *out, size_t max);

#ifdef __cplusplus
}
#endif

#endif
