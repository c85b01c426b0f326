# srs-proxy: make → objs/srs-proxy (and bin/srs-proxy), make utest, make test, make fuzz.
# Sources are found by directory, so adding a file needs no edit here.

ifeq ($(wildcard objs/config.mk),)
$(error objs/config.mk is missing: run ./configure first)
endif
include objs/config.mk

# Build directory; O=objs-x builds a second tree beside the first (parallel work, sanitizer).
O ?= objs

LAYER_DIRS := src/core src/kernel src/protocol src/app src/tools
INCLUDES := $(addprefix -I,$(LAYER_DIRS))

# Debug symbols and frame pointers always, so profiles and crash stacks read well.
COMMON_FLAGS := -g -fno-omit-frame-pointer -Wall -Wextra -D_GNU_SOURCE $(INCLUDES) -MMD -MP
ifeq ($(SANITIZER),yes)
COMMON_FLAGS += -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -DSRS_SANITIZER
SAN_LDFLAGS := -fsanitize=address,undefined
else
COMMON_FLAGS += -O2
endif
CFLAGS += -std=c11 $(COMMON_FLAGS) $(shell pkg-config --cflags libcjson libsrtp2 hiredis)
CXXFLAGS += -std=c++17 $(COMMON_FLAGS) $(shell pkg-config --cflags gtest libcjson)

# State Threads is linked statically (Debian ships only libst.a).
LIBS := -l:libst.a $(shell pkg-config --libs libssl libcrypto libsrtp2 libcjson hiredis srt) -lm
ifneq ($(SANITIZER),yes)
# gperftools' CPU profiler; its signal-driven sampler does not mix with ASan.
LIBS += $(shell pkg-config --libs libprofiler)
endif
LDFLAGS += $(SAN_LDFLAGS) -Wl,-z,noexecstack

src_of = $(wildcard $(1)/*.c)
obj_of = $(patsubst %.c,$(O)/%.o,$(1))

LIB_OBJS := $(call obj_of,$(foreach d,src/core src/kernel src/protocol,$(call src_of,$(d))))
APP_OBJS := $(call obj_of,$(call src_of,src/app))
TOOL_OBJS := $(call obj_of,$(call src_of,src/tools))

# Programs: src/main/srs_main_<name>.c → $(O)/srs-<name> (underscores become dashes).
MAIN_SRCS := $(wildcard src/main/srs_main_*.c)
PROGRAMS := $(subst _,-,$(patsubst src/main/srs_main_%.c,$(O)/srs-%,$(MAIN_SRCS)))

UTEST_SRCS := $(wildcard utest/*.cpp)
UTEST_OBJS := $(patsubst utest/%.cpp,$(O)/ut/%.o,$(UTEST_SRCS))

.PHONY: all utest test fuzz clean install
all: $(PROGRAMS)
# bin/srs-proxy is where the Go proxy's users run it from; it follows the default build only.
ifeq ($(O),objs)
all: bin/srs-proxy
endif

bin/srs-proxy: $(O)/srs-proxy
	@mkdir -p bin
	ln -sf ../$(O)/srs-proxy bin/srs-proxy

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(O)/ut/%.o: utest/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(O)/srs-proxy: $(O)/src/main/srs_main_proxy.o $(APP_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/srs-bench: $(O)/src/main/srs_main_bench.o $(TOOL_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/srs-mock-origin: $(O)/src/main/srs_main_mock_origin.o $(TOOL_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

utest: $(O)/utest

$(O)/utest: $(UTEST_OBJS) $(APP_OBJS) $(TOOL_OBJS) $(LIB_OBJS)
	$(CXX) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs gtest) $(LIBS) -pthread

# Unit tests, then the end-to-end tests against the real binaries; one summary line at the end.
test: all utest
	utest/run-tests.sh

# libFuzzer harnesses (clang), each run FUZZ_SECONDS (default 30).
fuzz:
	utest/fuzz/run-fuzz.sh

# Under DESTDIR$(PREFIX): the programs, the example configuration, the players page (the default
# PROXY_STATIC_FILES=./trunk/research, relative to the unit's WorkingDirectory) and the systemd
# unit with its paths set to PREFIX.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/conf $(DESTDIR)$(PREFIX)/systemd \
		$(DESTDIR)$(PREFIX)/trunk/research/players
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 conf/proxy.env $(DESTDIR)$(PREFIX)/conf/proxy.env
	install -m 644 trunk/research/index.html $(DESTDIR)$(PREFIX)/trunk/research/index.html
	install -m 644 trunk/research/players/*.html $(DESTDIR)$(PREFIX)/trunk/research/players/
	sed 's|/usr/local/srs-proxy|$(PREFIX)|g' trunk/systemd/srs-proxy.service > $(DESTDIR)$(PREFIX)/systemd/srs-proxy.service
	chmod 644 $(DESTDIR)$(PREFIX)/systemd/srs-proxy.service

clean:
	rm -rf $(O)/src $(O)/ut $(O)/fuzz $(PROGRAMS) $(O)/utest bin

-include $(shell find $(O) -name '*.d' 2>/dev/null)
