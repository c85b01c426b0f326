/* SPDX-License-Identifier: MIT */
/* libFuzzer: an ELF image as the profiler reads /proc/self/exe. Parse the function symbols; when
 * that works, every lookup must name a symbol of the table or nothing, and the table must be
 * sorted. */
#include "srs_kernel_elf_symbols.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srs_elf_symtab_t t;
    srs_error_t err = srs_elf_symtab_parse(data, size, &t);
    if (err) {
        srs_error_free(err);
        return 0;
    }
    for (size_t i = 0; i < t.count; i++) {
        if (i && t.syms[i - 1].start >= t.syms[i].start) abort();
        if (t.syms[i].name >= t.names_len) abort();
        uint64_t off = 0;
        const char *name = srs_elf_symtab_lookup(&t, t.syms[i].start, &off);
        if (!name || off != 0 || strcmp(name, t.names + t.syms[i].name) != 0) abort();
        srs_elf_symtab_lookup(&t, t.syms[i].start + t.syms[i].size, &off);
        srs_elf_symtab_lookup(&t, t.syms[i].start - 1, &off);
    }
    srs_elf_symtab_lookup(&t, 0, NULL);
    srs_elf_symtab_lookup(&t, UINT64_MAX, NULL);
    srs_elf_symtab_free(&t);
    return 0;
}
