/* SPDX-License-Identifier: MIT */
#include "srs_app_pprof_symbol.h"
#include "srs_app_pprof.h"
#include "srs_core_log.h"
#include "srs_kernel_elf_symbols.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The main binary: its symbols, load bias and loaded range, read once. */
static struct {
    bool loaded;
    srs_elf_symtab_t tab;
    uint64_t bias;
    uint64_t lo, hi;
    char problem[256];
} self_syms;

static int find_main_program(struct dl_phdr_info *info, size_t size, void *data)
{
    SRS_UNUSED(size);
    SRS_UNUSED(data);
    /* The first object is always the main program. */
    self_syms.bias = info->dlpi_addr;
    self_syms.lo = UINT64_MAX;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        self_syms.lo = SRS_MIN(self_syms.lo, start);
        self_syms.hi = SRS_MAX(self_syms.hi, start + ph->p_memsz);
    }
    return 1;
}

static srs_error_t load_main_symbols(void)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_FILE, "open /proc/self/exe");
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
        close(fd);
        return srs_error_new(ERROR_SYSTEM_FILE, "stat /proc/self/exe");
    }
    void *img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (img == MAP_FAILED) return srs_error_new(ERROR_SYSTEM_FILE, "mmap /proc/self/exe");
    srs_error_t err = srs_elf_symtab_parse(img, (size_t)st.st_size, &self_syms.tab);
    munmap(img, (size_t)st.st_size);
    if (err) return srs_error_wrap(err, "symbols of /proc/self/exe");
    dl_iterate_phdr(find_main_program, NULL);
    if (!self_syms.tab.relocatable) self_syms.bias = 0;
    return srs_success;
}

static void ensure_loaded(void)
{
    if (self_syms.loaded) return;
    self_syms.loaded = true;
    srs_error_t err = load_main_symbols();
    if (err) {
        snprintf(self_syms.problem, sizeof(self_syms.problem), "%s", srs_error_summary(err));
        srs_log_warn("pprof: no symbols for the proxy's own functions: %s", srs_error_summary(err));
        srs_error_free(err);
    }
}

const char *srs_pprof_symbols_problem(void)
{
    ensure_loaded();
    return self_syms.problem;
}

bool srs_pprof_symbolize(uint64_t addr, const char **name, uint64_t *offset)
{
    ensure_loaded();
    uint64_t off = 0;
    const char *found = NULL;
    if (self_syms.tab.count && addr >= self_syms.lo && addr < self_syms.hi) {
        found = srs_elf_symtab_lookup(&self_syms.tab, addr - self_syms.bias, &off);
    } else {
        Dl_info info;
        if (addr && dladdr((void *)(uintptr_t)addr, &info) && info.dli_sname && info.dli_saddr) {
            found = info.dli_sname;
            off = addr - (uint64_t)(uintptr_t)info.dli_saddr;
        }
    }
    if (!found) return false;
    if (name) *name = found;
    if (offset) *offset = off;
    return true;
}

bool srs_pprof_symbolize_fn_adapter(void *ctx, uint64_t addr, const char **name)
{
    SRS_UNUSED(ctx);
    return srs_pprof_symbolize(addr, name, NULL);
}

static int add_object_mappings(struct dl_phdr_info *info, size_t size, void *data)
{
    SRS_UNUSED(size);
    srs_pprof_builder_t *b = (srs_pprof_builder_t *)data;
    char exe[PATH_MAX];
    const char *file = info->dlpi_name;
    if (!file || !*file) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        exe[n > 0 ? n : 0] = '\0';
        file = exe;
    }
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        srs_pprof_add_mapping(b, start, start + ph->p_memsz, ph->p_offset, file);
    }
    return 0;
}

void srs_pprof_add_mappings(srs_pprof_builder_t *b)
{
    dl_iterate_phdr(add_object_mappings, b);
}

srs_error_t srs_pprof_read_proc_file(const char *path, srs_strbuf_t *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return srs_error_new(ERROR_SYSTEM_FILE, "open %s", path);
    /* Files in /proc say size 0: read until the end. */
    for (;;) {
        char *p = srs_strbuf_reserve(out, 16 * 1024);
        ssize_t n = read(fd, p, 16 * 1024);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            close(fd);
            return srs_error_new(ERROR_SYSTEM_FILE, "read %s", path);
        }
        if (n == 0) break;
        out->len += (size_t)n;
        out->data[out->len] = '\0';
    }
    close(fd);
    return srs_success;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* One word: "0x..." in hex or decimal digits; false when it is neither or overflows. */
static bool parse_word(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (n - 2 > 16) return false;
        for (size_t i = 2; i < n; i++) {
            int d = hex_digit(s[i]);
            if (d < 0) return false;
            v = (v << 4) | (uint64_t)d;
        }
    } else {
        if (!n) return false;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') return false;
            uint64_t d = (uint64_t)(s[i] - '0');
            if (v > (UINT64_MAX - d) / 10) return false;
            v = v * 10 + d;
        }
    }
    *out = v;
    return true;
}

size_t srs_pprof_parse_addresses(const char *text, size_t len, uint64_t *out, size_t max)
{
    size_t count = 0, i = 0;
    while (i < len && count < max) {
        size_t start = i;
        while (i < len && text[i] != '+') i++;
        size_t end = i;
        while (start < end && is_blank(text[start])) start++;
        while (end > start && is_blank(text[end - 1])) end--;
        uint64_t v;
        if (parse_word(text + start, end - start, &v)) out[count++] = v;
        i++; /* past the '+' */
    }
    return count;
}

/* A request body larger than this is refused (413): a million addresses fit. */
#define SRS_SYMBOL_MAX_BODY (16 * 1024 * 1024)
#define SRS_SYMBOL_MAX_ADDRS (1024 * 1024)

srs_error_t srs_pprof_serve_symbol(srs_http_conn_t *c, const srs_http_request_t *req)
{
    char *body = NULL;
    size_t len = 0;
    srs_error_t err;
    if (!strcmp(req->method, "POST")) {
        if ((err = srs_http_read_body_all(c, SRS_SYMBOL_MAX_BODY, &body, &len)) != srs_success) {
            int status = srs_http_status_of_error(err);
            if (!status) return err;
            srs_error_t werr = srs_pprof_reply_error(c, status, srs_error_summary(err));
            srs_error_free(err);
            return werr;
        }
    }
    /* As Go: a GET asks about the addresses in its query, and with none, whether we symbolize. */
    const char *text = body ? body : req->query;
    size_t text_len = body ? len : strlen(req->query);
    srs_strbuf_t out = {0};
    if (!text_len) {
        srs_strbuf_puts(&out, "num_symbols: 1\n");
    } else {
        size_t max = SRS_MIN(text_len / 2 + 1, (size_t)SRS_SYMBOL_MAX_ADDRS);
        uint64_t *addrs = (uint64_t *)malloc(max * sizeof(*addrs));
        if (!addrs) abort();
        size_t n = srs_pprof_parse_addresses(text, text_len, addrs, max);
        for (size_t i = 0; i < n; i++) {
            const char *name;
            if (srs_pprof_symbolize(addrs[i], &name, NULL)) srs_strbuf_printf(&out, "0x%llx\t%s\n", (unsigned long long)addrs[i], name);
        }
        free(addrs);
    }
    err = srs_pprof_reply(c, 200, "text/plain; charset=utf-8", NULL, out.data, out.len);
    srs_strbuf_free(&out);
    free(body);
    return err;
}
