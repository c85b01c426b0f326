// SPDX-License-Identifier: MIT
// The pure pieces behind the profiling endpoints: ELF symbol tables, profile.proto encoding, the
// gperftools CPU file reader, stored gzip, and the Prometheus text writer.
#include "srs_utest.h"

#include <cmath>
#include <cstring>
#include <elf.h>
#include <map>
#include <string>
#include <vector>

extern "C" {
#include "srs_kernel_cpu_profile.h"
#include "srs_kernel_elf_symbols.h"
#include "srs_kernel_pprof_proto.h"
#include "srs_kernel_prometheus.h"
#include "srs_kernel_strbuf.h"
}

namespace {

struct FakeSym {
    std::string name;
    uint64_t value, size;
    int type, bind;
};

// A minimal ELF64 image: null, .symtab and .strtab sections, nothing else.
std::vector<uint8_t> make_elf(const std::vector<FakeSym> &syms, uint16_t type = ET_DYN)
{
    std::string strtab(1, '\0');
    std::vector<Elf64_Sym> table(1); // index 0 is the null symbol
    for (const FakeSym &s : syms) {
        Elf64_Sym e;
        memset(&e, 0, sizeof(e));
        e.st_name = (uint32_t)strtab.size();
        strtab += s.name + '\0';
        e.st_value = s.value;
        e.st_size = s.size;
        e.st_info = ELF64_ST_INFO(s.bind, s.type);
        e.st_shndx = 1;
        table.push_back(e);
    }
    Elf64_Ehdr eh;
    memset(&eh, 0, sizeof(eh));
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_type = type;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = 3;
    size_t sym_off = sizeof(eh), str_off = sym_off + table.size() * sizeof(Elf64_Sym);
    eh.e_shoff = str_off + strtab.size();
    Elf64_Shdr sh[3];
    memset(sh, 0, sizeof(sh));
    sh[1].sh_type = SHT_SYMTAB;
    sh[1].sh_offset = sym_off;
    sh[1].sh_size = table.size() * sizeof(Elf64_Sym);
    sh[1].sh_entsize = sizeof(Elf64_Sym);
    sh[1].sh_link = 2;
    sh[2].sh_type = SHT_STRTAB;
    sh[2].sh_offset = str_off;
    sh[2].sh_size = strtab.size();
    std::vector<uint8_t> img(eh.e_shoff + sizeof(sh));
    memcpy(img.data(), &eh, sizeof(eh));
    memcpy(img.data() + sym_off, table.data(), table.size() * sizeof(Elf64_Sym));
    memcpy(img.data() + str_off, strtab.data(), strtab.size());
    memcpy(img.data() + eh.e_shoff, sh, sizeof(sh));
    return img;
}

std::string lookup(const srs_elf_symtab_t *t, uint64_t addr, uint64_t *off = nullptr)
{
    const char *name = srs_elf_symtab_lookup(t, addr, off);
    return name ? name : "(none)";
}

} // namespace

TEST(KernelElfSymbolsTest, FindsTheFunctionHoldingAnAddress)
{
    std::vector<uint8_t> img = make_elf({
        {"main", 0x1000, 0x40, STT_FUNC, STB_GLOBAL},
        {"static_helper", 0x1040, 0x10, STT_FUNC, STB_LOCAL},
        {"a_variable", 0x1050, 0x8, STT_OBJECT, STB_GLOBAL}, // not a function: ignored
        {"_st_md_cxt_save", 0x1100, 0, STT_FUNC, STB_GLOBAL}, // assembly: no size
        {"after", 0x1180, 0x20, STT_FUNC, STB_GLOBAL},
    });
    srs_elf_symtab_t t;
    HELPER_EXPECT_SUCCESS(srs_elf_symtab_parse(img.data(), img.size(), &t));
    EXPECT_TRUE(t.relocatable);
    EXPECT_EQ(4u, t.count);
    uint64_t off = 0;
    EXPECT_EQ("main", lookup(&t, 0x1000, &off));
    EXPECT_EQ(0u, off);
    EXPECT_EQ("main", lookup(&t, 0x103f, &off));
    EXPECT_EQ(0x3fu, off);
    EXPECT_EQ("static_helper", lookup(&t, 0x1048));
    // Past the end of a sized symbol, before the next one: nobody's.
    EXPECT_EQ("(none)", lookup(&t, 0x1050));
    // An unsized symbol runs to the next one.
    EXPECT_EQ("_st_md_cxt_save", lookup(&t, 0x117f));
    EXPECT_EQ("after", lookup(&t, 0x1180));
    EXPECT_EQ("(none)", lookup(&t, 0x11a0));
    EXPECT_EQ("(none)", lookup(&t, 0x10));
    srs_elf_symtab_free(&t);
}

TEST(KernelElfSymbolsTest, AliasesKeepOneNamePreferringGlobalSized)
{
    std::vector<uint8_t> img = make_elf({
        {"local_alias", 0x2000, 0x10, STT_FUNC, STB_LOCAL},
        {"unsized_alias", 0x2000, 0, STT_FUNC, STB_GLOBAL},
        {"public_name", 0x2000, 0x10, STT_FUNC, STB_GLOBAL},
    }, ET_EXEC);
    srs_elf_symtab_t t;
    HELPER_EXPECT_SUCCESS(srs_elf_symtab_parse(img.data(), img.size(), &t));
    EXPECT_FALSE(t.relocatable);
    EXPECT_EQ(1u, t.count);
    EXPECT_EQ("public_name", lookup(&t, 0x2008));
    srs_elf_symtab_free(&t);
}

TEST(KernelElfSymbolsTest, RejectsTruncatedOrForeignImages)
{
    std::vector<uint8_t> img = make_elf({{"f", 0x1000, 0x10, STT_FUNC, STB_GLOBAL}});
    srs_elf_symtab_t t;
    // Every prefix is refused, none read out of bounds.
    for (size_t n = 0; n < img.size(); n++) HELPER_EXPECT_FAILED_CODE(srs_elf_symtab_parse(img.data(), n, &t), ERROR_SYSTEM_FILE);
    std::vector<uint8_t> bad = img;
    bad[EI_CLASS] = ELFCLASS32;
    HELPER_EXPECT_FAILED(srs_elf_symtab_parse(bad.data(), bad.size(), &t));
    bad = img;
    bad[0] = 'X';
    HELPER_EXPECT_FAILED(srs_elf_symtab_parse(bad.data(), bad.size(), &t));
    // A stripped binary has no function symbols: an error that says so.
    std::vector<uint8_t> stripped = make_elf({{"data", 0x1000, 8, STT_OBJECT, STB_GLOBAL}});
    srs_error_t err = srs_elf_symtab_parse(stripped.data(), stripped.size(), &t);
    ASSERT_TRUE(err != srs_success);
    EXPECT_NE(std::string::npos, std::string(srs_error_summary(err)).find("stripped"));
    srs_error_free(err);
}

namespace {

// A small protobuf reader for the tests: the fields of one message.
struct Field {
    int number;
    uint64_t varint;
    std::string bytes;
};

bool read_varint(const std::string &s, size_t &i, uint64_t &v)
{
    v = 0;
    for (int shift = 0; i < s.size() && shift < 64; shift += 7) {
        uint8_t b = (uint8_t)s[i++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

std::vector<Field> fields(const std::string &msg)
{
    std::vector<Field> out;
    size_t i = 0;
    while (i < msg.size()) {
        uint64_t tag, v;
        if (!read_varint(msg, i, tag)) break;
        Field f{(int)(tag >> 3), 0, ""};
        if ((tag & 7) == 0) {
            read_varint(msg, i, f.varint);
        } else if ((tag & 7) == 2) {
            read_varint(msg, i, v);
            f.bytes = msg.substr(i, v);
            i += v;
        } else {
            ADD_FAILURE() << "wire type " << (tag & 7);
            break;
        }
        out.push_back(f);
    }
    return out;
}

std::vector<uint64_t> packed(const std::string &s)
{
    std::vector<uint64_t> out;
    size_t i = 0;
    uint64_t v;
    while (i < s.size() && read_varint(s, i, v)) out.push_back(v);
    return out;
}

bool fake_symbolize(void *ctx, uint64_t addr, const char **name)
{
    (void)ctx;
    if (addr >= 0x1000 && addr < 0x1100) *name = "cycle_fn";
    else if (addr >= 0x2000 && addr < 0x2100) *name = "caller_fn";
    else return false;
    return true;
}

} // namespace

TEST(KernelPprofProtoTest, EncodesSamplesLocationsAndNames)
{
    srs_pprof_builder_t *b = srs_pprof_builder_new();
    srs_pprof_add_sample_type(b, "samples", "count");
    srs_pprof_add_sample_type(b, "cpu", "nanoseconds");
    srs_pprof_set_period(b, "cpu", "nanoseconds", 10000000);
    srs_pprof_set_default_sample_type(b, "cpu");
    srs_pprof_set_time(b, 123, 2000000000);
    srs_pprof_add_mapping(b, 0x1000, 0x3000, 0, "/bin/proxy");
    uint64_t stack1[] = {0x1010, 0x2020};
    uint64_t stack2[] = {0x1010, 0x9999}; // the second frame has no name
    int64_t v1[] = {3, 30000000}, v2[] = {1, 10000000};
    srs_pprof_label_t label = {"coroutine", "rtc-mux"};
    srs_pprof_add_sample(b, stack1, 2, v1, &label, 1);
    srs_pprof_add_sample(b, stack2, 2, v2, NULL, 0);
    EXPECT_EQ(2u, srs_pprof_sample_count(b));
    srs_strbuf_t out = {};
    srs_pprof_encode(b, fake_symbolize, NULL, &out);
    std::string msg(out.data, out.len);
    srs_strbuf_free(&out);
    srs_pprof_builder_free(b);

    std::vector<std::string> strings;
    std::vector<Field> samples, locations, functions, mappings;
    std::map<int, uint64_t> scalars;
    for (const Field &f : fields(msg)) {
        if (f.number == 6) strings.push_back(f.bytes);
        else if (f.number == 2) samples.push_back(f);
        else if (f.number == 3) mappings.push_back(f);
        else if (f.number == 4) locations.push_back(f);
        else if (f.number == 5) functions.push_back(f);
        else if (f.bytes.empty()) scalars[f.number] = f.varint;
    }
    ASSERT_FALSE(strings.empty());
    EXPECT_EQ("", strings[0]); // the format requires it
    EXPECT_EQ(123u, scalars[9]);
    EXPECT_EQ(2000000000u, scalars[10]);
    EXPECT_EQ(10000000u, scalars[12]);
    EXPECT_EQ("cpu", strings.at(scalars[14]));
    ASSERT_EQ(2u, samples.size());
    ASSERT_EQ(1u, mappings.size());
    // Three distinct addresses, two of them named: two functions.
    EXPECT_EQ(3u, locations.size());
    ASSERT_EQ(2u, functions.size());

    // The first sample: both frames, its values, its label.
    std::vector<Field> s1 = fields(samples[0].bytes);
    ASSERT_GE(s1.size(), 3u);
    EXPECT_EQ((std::vector<uint64_t>{1, 2}), packed(s1[0].bytes));
    EXPECT_EQ((std::vector<uint64_t>{3, 30000000}), packed(s1[1].bytes));
    std::vector<Field> lab = fields(s1[2].bytes);
    EXPECT_EQ("coroutine", strings.at(lab[0].varint));
    EXPECT_EQ("rtc-mux", strings.at(lab[1].varint));
    // The second sample shares location 1.
    EXPECT_EQ((std::vector<uint64_t>{1, 3}), packed(fields(samples[1].bytes)[0].bytes));

    // Location 1 is 0x1010 in mapping 1, named cycle_fn; location 3 has no line.
    std::vector<Field> l1 = fields(locations[0].bytes);
    EXPECT_EQ(1u, l1[0].varint);
    EXPECT_EQ(1u, l1[1].varint);
    EXPECT_EQ(0x1010u, l1[2].varint);
    uint64_t fn_id = fields(l1[3].bytes)[0].varint;
    std::vector<Field> fn = fields(functions[fn_id - 1].bytes);
    EXPECT_EQ(fn_id, fn[0].varint);
    EXPECT_EQ("cycle_fn", strings.at(fn[1].varint));
    std::vector<Field> l3 = fields(locations[2].bytes);
    // Outside every mapping and unnamed: only its id and address.
    ASSERT_EQ(2u, l3.size());
    EXPECT_EQ(3, l3[1].number);
    EXPECT_EQ(0x9999u, l3[1].varint);
}

TEST(KernelPprofProtoTest, GzipStoredIsAValidMember)
{
    EXPECT_EQ(0xCBF43926u, srs_crc32_update(0, "123456789", 9)); // the standard check value
    std::string data(70000, 'x'); // more than one stored block
    srs_strbuf_t out = {};
    srs_gzip_store(data.data(), data.size(), &out);
    std::string gz(out.data, out.len);
    srs_strbuf_free(&out);
    ASSERT_EQ(10u + 5 + 65535 + 5 + (70000 - 65535) + 8, gz.size());
    EXPECT_EQ('\x1f', gz[0]);
    EXPECT_EQ('\x8b', gz[1]);
    EXPECT_EQ(8, gz[2]);
    EXPECT_EQ(0, gz[10]);             // first block, not final
    EXPECT_EQ(1, gz[10 + 5 + 65535]); // the final block
    uint32_t crc, isize;
    memcpy(&crc, gz.data() + gz.size() - 8, 4);
    memcpy(&isize, gz.data() + gz.size() - 4, 4);
    EXPECT_EQ(srs_crc32_update(0, data.data(), data.size()), crc);
    EXPECT_EQ(70000u, isize);
}

namespace {

struct CpuRecord {
    uint64_t count;
    std::vector<uint64_t> pcs;
};

void collect_cpu(void *ctx, uint64_t count, const uint64_t *pcs, int depth)
{
    ((std::vector<CpuRecord> *)ctx)->push_back({count, std::vector<uint64_t>(pcs, pcs + depth)});
}

std::string words(const std::vector<uint64_t> &w)
{
    return std::string((const char *)w.data(), w.size() * sizeof(uint64_t));
}

} // namespace

TEST(KernelCpuProfileTest, ReadsRecordsAndFindsTheMaps)
{
    std::string file = words({0, 3, 0, 10000, 0, 5, 2, 0x401000, 0x402000, 1, 1, 0x403000, 0, 1, 0}) +
                       "00400000-00452000 r-xp 00000000 08:02 173521 /bin/proxy\n";
    std::vector<CpuRecord> recs;
    uint64_t period = 0;
    size_t maps_at = 0;
    HELPER_EXPECT_SUCCESS(srs_cpu_profile_parse(file.data(), file.size(), collect_cpu, &recs, &period, &maps_at));
    EXPECT_EQ(10000u, period);
    ASSERT_EQ(2u, recs.size());
    EXPECT_EQ(5u, recs[0].count);
    EXPECT_EQ((std::vector<uint64_t>{0x401000, 0x402000}), recs[0].pcs);
    EXPECT_EQ((std::vector<uint64_t>{0x403000}), recs[1].pcs);
    EXPECT_EQ(15u * 8, maps_at);
    EXPECT_EQ(0, file.compare(maps_at, 8, "00400000"));
}

TEST(KernelCpuProfileTest, RejectsBadHeadersTruncationAndDeepStacks)
{
    std::string good = words({0, 3, 0, 10000, 0, 1, 1, 0x401000, 0, 1, 0});
    for (size_t n = 0; n < good.size(); n++) HELPER_EXPECT_FAILED(srs_cpu_profile_parse(good.data(), n, NULL, NULL, NULL, NULL));
    HELPER_EXPECT_SUCCESS(srs_cpu_profile_parse(good.data(), good.size(), NULL, NULL, NULL, NULL));
    std::string v1 = words({0, 3, 1, 10000, 0, 0, 1, 0});
    HELPER_EXPECT_FAILED(srs_cpu_profile_parse(v1.data(), v1.size(), NULL, NULL, NULL, NULL));
    std::string huge = words({0, 3, 0, 10000, 0, 0x7ffffffffffffffULL, 1, 0x401000, 0, 1, 0});
    HELPER_EXPECT_FAILED(srs_cpu_profile_parse(huge.data(), huge.size(), NULL, NULL, NULL, NULL));
    std::string slow = words({0, 3, 0, 3600000000ULL, 0, 0, 1, 0});
    HELPER_EXPECT_FAILED(srs_cpu_profile_parse(slow.data(), slow.size(), NULL, NULL, NULL, NULL));
    std::string deep = words({0, 3, 0, 10000, 0, 1, 100000});
    HELPER_EXPECT_FAILED(srs_cpu_profile_parse(deep.data(), deep.size(), NULL, NULL, NULL, NULL));
}

TEST(KernelPrometheusTest, WritesFamiliesAndEscapesLabels)
{
    srs_strbuf_t out = {};
    srs_prom_family(&out, "srs_proxy_rtc_packets_total", "counter", "Datagrams\\forwarded\nper direction.");
    const char *labels[] = {"direction", "to_origin", "note", "a\"b\\c\nd\x01\xff"};
    srs_prom_sample_u64(&out, "srs_proxy_rtc_packets_total", labels, 2, 18446744073709551615ULL);
    srs_prom_sample_u64(&out, "srs_proxy_rtc_packets_total", NULL, 0, 0);
    srs_prom_sample_double(&out, "g", NULL, 0, 0.5);
    srs_prom_sample_double(&out, "g", NULL, 0, HUGE_VAL);
    EXPECT_EQ(std::string("# HELP srs_proxy_rtc_packets_total Datagrams\\\\forwarded\\nper direction.\n"
                          "# TYPE srs_proxy_rtc_packets_total counter\n"
                          "srs_proxy_rtc_packets_total{direction=\"to_origin\",note=\"a\\\"b\\\\c\\nd??\"} 18446744073709551615\n"
                          "srs_proxy_rtc_packets_total 0\n"
                          "g 0.5\n"
                          "g +Inf\n"),
              std::string(out.data, out.len));
    srs_strbuf_free(&out);
}

TEST(KernelPrometheusTest, ValidatesNames)
{
    EXPECT_TRUE(srs_prom_valid_name("srs_proxy_rtc_sessions", false));
    EXPECT_TRUE(srs_prom_valid_name("job:rate5m", false));
    EXPECT_FALSE(srs_prom_valid_name("job:rate5m", true));
    EXPECT_FALSE(srs_prom_valid_name("9lives", false));
    EXPECT_FALSE(srs_prom_valid_name("with-dash", false));
    EXPECT_FALSE(srs_prom_valid_name("", false));
}

TEST(KernelStrbufTest, GrowsAndStaysTerminated)
{
    srs_strbuf_t b = {};
    for (int i = 0; i < 1000; i++) srs_strbuf_printf(&b, "%04d,", i);
    EXPECT_EQ(5000u, b.len);
    EXPECT_EQ(5000u, strlen(b.data));
    EXPECT_EQ(0, strncmp(b.data + 4995, "0999,", 5));
    std::string big(1000, 'y');
    srs_strbuf_printf(&b, "%s", big.c_str()); // longer than the formatting scratch
    EXPECT_EQ(6000u, b.len);
    size_t len = 0;
    char *p = srs_strbuf_detach(&b, &len);
    EXPECT_EQ(6000u, len);
    EXPECT_EQ(0u, b.len);
    free(p);
    srs_strbuf_free(&b);
}
