/* SPDX-License-Identifier: MIT */
#include "srs_kernel_elf_symbols.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

/* A real binary has thousands; a bound keeps a hostile image from eating memory. */
#define SRS_ELF_MAX_SYMBOLS (4 * 1024 * 1024)

/* How far past the last symbol, when it has no size, an address still counts as inside it. */
#define SRS_ELF_UNSIZED_SPAN 4096

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SRS_ELF_HOST_DATA ELFDATA2LSB
#else
#define SRS_ELF_HOST_DATA ELFDATA2MSB
#endif

/* True when [off, off + len) lies inside an image of size bytes, without overflow. */
static bool in_bounds(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

typedef struct {
    srs_elf_sym_t *syms;
    size_t count, cap;
    char *names;
    size_t names_len, names_cap;
    uint8_t *global; /* per symbol: 1 when STB_GLOBAL/WEAK, preferred among aliases */
} builder_t;

static void builder_add(builder_t *b, uint64_t start, uint64_t size, const char *name, size_t name_len, bool global)
{
    if (b->count == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->syms = (srs_elf_sym_t *)realloc(b->syms, b->cap * sizeof(*b->syms));
        b->global = (uint8_t *)realloc(b->global, b->cap);
        if (!b->syms || !b->global) abort();
    }
    if (b->names_len + name_len + 1 > b->names_cap) {
        size_t cap = b->names_cap ? b->names_cap : 4096;
        while (cap < b->names_len + name_len + 1) cap *= 2;
        b->names = (char *)realloc(b->names, cap);
        if (!b->names) abort();
        b->names_cap = cap;
    }
    memcpy(b->names + b->names_len, name, name_len);
    b->names[b->names_len + name_len] = '\0';
    b->syms[b->count].start = start;
    b->syms[b->count].size = size;
    b->syms[b->count].name = (uint32_t)b->names_len;
    b->global[b->count] = global ? 1 : 0;
    b->count++;
    b->names_len += name_len + 1;
}

/* One SHT_SYMTAB or SHT_DYNSYM section. */
static srs_error_t read_symbols(const uint8_t *img, size_t size, const Elf64_Shdr *sh, const Elf64_Shdr *strtab,
                                builder_t *b)
{
    if (sh->sh_entsize < sizeof(Elf64_Sym)) return srs_error_new(ERROR_SYSTEM_FILE, "symbol entry size %llu", (unsigned long long)sh->sh_entsize);
    if (!in_bounds(sh->sh_offset, sh->sh_size, size)) return srs_error_new(ERROR_SYSTEM_FILE, "symbol table out of bounds");
    if (!in_bounds(strtab->sh_offset, strtab->sh_size, size)) return srs_error_new(ERROR_SYSTEM_FILE, "string table out of bounds");
    const char *strs = (const char *)img + strtab->sh_offset;
    uint64_t strs_size = strtab->sh_size;

    uint64_t n = sh->sh_size / sh->sh_entsize;
    for (uint64_t i = 0; i < n; i++) {
        Elf64_Sym sym;
        memcpy(&sym, img + sh->sh_offset + i * sh->sh_entsize, sizeof(sym));
        int type = ELF64_ST_TYPE(sym.st_info);
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF || sym.st_value == 0) continue;
        if (sym.st_name >= strs_size) continue;
        const char *name = strs + sym.st_name;
        const char *end = (const char *)memchr(name, '\0', strs_size - sym.st_name);
        if (!end || end == name) continue;
        if (b->count >= SRS_ELF_MAX_SYMBOLS) return srs_error_new(ERROR_SYSTEM_FILE, "more than %d symbols", SRS_ELF_MAX_SYMBOLS);
        int bind = ELF64_ST_BIND(sym.st_info);
        builder_add(b, sym.st_value, sym.st_size, name, (size_t)(end - name), bind == STB_GLOBAL || bind == STB_WEAK);
    }
    return srs_success;
}

/* Sort order: by address; among aliases of one address the sized, then the global one first. */
static int compare_index(const void *a, const void *b, void *ctx)
{
    const builder_t *bd = (const builder_t *)ctx;
    uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
    const srs_elf_sym_t *x = &bd->syms[ia], *y = &bd->syms[ib];
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if ((x->size > 0) != (y->size > 0)) return x->size > 0 ? -1 : 1;
    if (bd->global[ia] != bd->global[ib]) return bd->global[ia] ? -1 : 1;
    int c = strcmp(bd->names + x->name, bd->names + y->name);
    if (c) return c;
    return ia < ib ? -1 : (ia > ib);
}

static void builder_finish(builder_t *b, srs_elf_symtab_t *out)
{
    uint32_t *order = (uint32_t *)malloc((b->count ? b->count : 1) * sizeof(*order));
    if (!order) abort();
    for (size_t i = 0; i < b->count; i++) order[i] = (uint32_t)i;
    qsort_r(order, b->count, sizeof(*order), compare_index, b);

    srs_elf_sym_t *syms = (srs_elf_sym_t *)malloc((b->count ? b->count : 1) * sizeof(*syms));
    if (!syms) abort();
    size_t n = 0;
    for (size_t i = 0; i < b->count; i++) {
        const srs_elf_sym_t *s = &b->syms[order[i]];
        if (n && syms[n - 1].start == s->start) continue; /* an alias: the first one names it */
        syms[n++] = *s;
    }
    free(order);
    free(b->syms);
    free(b->global);
    out->syms = syms;
    out->count = n;
    out->names = b->names;
    out->names_len = b->names_len;
}

srs_error_t srs_elf_symtab_parse(const void *image, size_t size, srs_elf_symtab_t *out)
{
    memset(out, 0, sizeof(*out));
    const uint8_t *img = (const uint8_t *)image;
    Elf64_Ehdr eh;
    if (size < sizeof(eh)) return srs_error_new(ERROR_SYSTEM_FILE, "not ELF: %zu bytes", size);
    memcpy(&eh, img, sizeof(eh));
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) return srs_error_new(ERROR_SYSTEM_FILE, "not ELF: bad magic");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != SRS_ELF_HOST_DATA) {
        return srs_error_new(ERROR_SYSTEM_FILE, "not a 64-bit ELF file in host byte order");
    }
    if (eh.e_shentsize < sizeof(Elf64_Shdr)) return srs_error_new(ERROR_SYSTEM_FILE, "section header size %u", eh.e_shentsize);
    if (!in_bounds(eh.e_shoff, (uint64_t)eh.e_shnum * eh.e_shentsize, size)) {
        return srs_error_new(ERROR_SYSTEM_FILE, "section headers out of bounds");
    }

    builder_t b;
    memset(&b, 0, sizeof(b));
    srs_error_t err = srs_success;
    for (int pass = 0; pass < 2 && !err; pass++) {
        /* .symtab first: it has the static functions; .dynsym only adds what is missing. */
        uint32_t want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
        for (unsigned i = 0; i < eh.e_shnum && !err; i++) {
            Elf64_Shdr sh;
            memcpy(&sh, img + eh.e_shoff + (uint64_t)i * eh.e_shentsize, sizeof(sh));
            if (sh.sh_type != want) continue;
            if (sh.sh_link >= eh.e_shnum) {
                err = srs_error_new(ERROR_SYSTEM_FILE, "symbol table %u links to section %u of %u", i, sh.sh_link, eh.e_shnum);
                break;
            }
            Elf64_Shdr strtab;
            memcpy(&strtab, img + eh.e_shoff + (uint64_t)sh.sh_link * eh.e_shentsize, sizeof(strtab));
            err = read_symbols(img, size, &sh, &strtab, &b);
        }
    }
    if (!err && b.count == 0) err = srs_error_new(ERROR_SYSTEM_FILE, "no function symbols (stripped?)");
    if (err) {
        free(b.syms);
        free(b.global);
        free(b.names);
        return err;
    }
    builder_finish(&b, out);
    out->relocatable = eh.e_type == ET_DYN;
    return srs_success;
}

const char *srs_elf_symtab_lookup(const srs_elf_symtab_t *t, uint64_t addr, uint64_t *offset)
{
    if (!t || !t->count || addr < t->syms[0].start) return NULL;
    /* The last symbol that starts at or before addr. */
    size_t lo = 0, hi = t->count;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->syms[mid].start <= addr) lo = mid;
        else hi = mid;
    }
    const srs_elf_sym_t *s = &t->syms[lo];
    uint64_t off = addr - s->start;
    if (s->size) {
        if (off >= s->size) return NULL;
    } else if (lo + 1 < t->count ? addr >= t->syms[lo + 1].start : off >= SRS_ELF_UNSIZED_SPAN) {
        return NULL;
    }
    if (offset) *offset = off;
    return t->names + s->name;
}

void srs_elf_symtab_free(srs_elf_symtab_t *t)
{
    if (!t) return;
    free(t->syms);
    free(t->names);
    memset(t, 0, sizeof(*t));
}
