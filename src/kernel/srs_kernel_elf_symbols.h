/* SPDX-License-Identifier: MIT */
/* Function symbols of an ELF64 file image (no I/O): the table a profiler needs to turn code
 * addresses into names. Reads .symtab (static functions too, present unless the binary is
 * stripped) and .dynsym. Every offset and size in the image is checked before use, so any
 * bytes are safe to parse (fuzzed). */
#ifndef SRS_KERNEL_ELF_SYMBOLS_H
#define SRS_KERNEL_ELF_SYMBOLS_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t start;    /* address in the file's own layout (st_value) */
    uint64_t size;     /* 0 when unknown: the symbol then ends where the next one starts */
    uint32_t name;     /* offset into the table's names */
} srs_elf_sym_t;

typedef struct {
    srs_elf_sym_t *syms;  /* sorted by start, one per start address */
    size_t count;
    char *names;          /* NUL-terminated names, back to back */
    size_t names_len;
    bool relocatable;     /* ET_DYN (PIE or shared library): add the load bias to addresses */
} srs_elf_symtab_t;

/* Parse the function symbols of an ELF64 image in host byte order into out (zeroed first).
 * ERROR_SYSTEM_FILE when the image is not such an ELF file or a table is out of bounds; an image
 * without any function symbol (stripped) also fails, so the caller can say why. */
srs_error_t srs_elf_symtab_parse(const void *image, size_t size, srs_elf_symtab_t *out);
/* The function holding addr (an address in the file's layout), and how far into it; NULL when
 * none does. */
const char *srs_elf_symtab_lookup(const srs_elf_symtab_t *t, uint64_t addr, uint64_t *offset);
/* Free the table; a zeroed table is fine. */
void srs_elf_symtab_free(srs_elf_symtab_t *t);

#ifdef __cplusplus
}
#endif

#endif
