# SPDX-License-Identifier: GPL-2.0
#
# mos top-level build. `make` builds the module, the library and the tools
# into build/; `make check` runs every test; `make demo` shows mos at work.
# Kbuild (next to this file) describes the module for the kernel's build.

VERSION := 0.1.0
BUILD ?= build
O := $(abspath $(BUILD))
SRC := $(abspath .)

# Kernel headers: the running kernel's when installed, else the newest
# Debian package (linux-headers-amd64). Override with KDIR=.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	  $(shell ls -dv /usr/src/linux-headers-*-amd64 2>/dev/null | tail -n 1))

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS_MOS := -Iinclude -Iinclude/uapi -Ikmod -Ilibmos-user -Itools/common \
	-D_GNU_SOURCE \
	-DMOS_VERSION='"$(VERSION)"'
ALL_CFLAGS = -std=gnu11 $(WARN) $(CPPFLAGS_MOS) $(CFLAGS)

ENGINE_SRCS := kmod/engine/parse.c kmod/engine/tcp.c kmod/engine/reasm.c \
	kmod/engine/csum.c kmod/engine/engine.c
LIB_SRCS := libmos-user/ctl.c libmos-user/evset.c libmos-user/peekbuf.c \
	libmos-user/platform_user.c \
	libmos-user/mos.c libmos-user/capture.c libmos-user/live.c \
	libmos-user/live_nl.c libmos-user/ring_reader.c \
	libmos-user/filter.c libmos-user/pktinfo.c libmos-user/sockopt.c \
	libmos-user/timer.c libmos-user/config.c $(ENGINE_SRCS)
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/obj/%.o)
LIB_SONAME := libmos-user.so.0
LIB_LIBS := $(shell pkg-config --libs libmnl libpcap 2>/dev/null || \
	echo -lmnl -lpcap)

# Every directory under tools/ is one program: tools/NAME/*.c linked with
# the static library into build/bin/NAME; tools/NAME/libs.mk may set
# LIBS_NAME (extra libraries, e.g. from pkg-config). tools/common/ is not
# a program: its objects go into every one.
TOOLS := $(filter-out common,$(notdir $(wildcard tools/*)))
TOOL_COMMON_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(wildcard tools/common/*.c))
-include $(wildcard tools/*/libs.mk)
UNIT_TESTS := test_platform test_parse test_reasm test_evset test_tcp \
	test_peekbuf test_csum test_engine_recycle \
	test_engine test_ring_reader test_api

.PHONY: all module lib tools unit-tests check check-compat demo lint \
	sparse checkpatch deps clean bench
all: module lib tools unit-tests

# ---- kernel module -----------------------------------------------------
# Kbuild writes objects next to the sources, so it builds a copy of the
# kernel sources under build/ and the source tree stays clean.
KMOD_SRCS := Kbuild $(shell find kmod include -name '*.[ch]')

module: $(O)/mos.ko
$(O)/mos.ko: $(KMOD_SRCS)
	@test -n "$(KDIR)" -a -f "$(KDIR)/Makefile" || { echo \
	  "error: no kernel headers; run 'make deps' or set KDIR=" >&2; exit 1; }
	@mkdir -p $(O)/kbuild
	@cp -a --parents $(KMOD_SRCS) $(O)/kbuild/
	$(MAKE) -C $(KDIR) M=$(O)/kbuild modules $(if $(C),C=$(C))
	@cp $(O)/kbuild/mos.ko $@

# ---- library -------------------------------------------------------------
lib: $(O)/lib/libmos-user.a $(O)/lib/libmos-user.so \
	$(O)/lib/pkgconfig/libmos-user.pc

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -MMD -MP -c $< -o $@

$(O)/lib/libmos-user.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(O)/lib/$(LIB_SONAME): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -o $@ $^ $(LIB_LIBS)

$(O)/lib/libmos-user.so: $(O)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $@

$(O)/lib/pkgconfig/libmos-user.pc: libmos-user/libmos-user.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(O)|; s|@INCLUDEDIR@|$(SRC)/include|' \
	    -e 's|@VERSION@|$(VERSION)|' $< > $@

# ---- tools ---------------------------------------------------------------
tools: $(TOOLS:%=$(O)/bin/%)

define tool_rule
$(O)/bin/$(1): $(patsubst %.c,$(O)/obj/%.o,$(wildcard tools/$(1)/*.c)) \
	$(TOOL_COMMON_OBJS) $(O)/lib/libmos-user.a
	@mkdir -p $$(dir $$@)
	$$(CC) -o $$@ $$^ $$(LIBS_$(1)) $$(LIB_LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# ---- tests ---------------------------------------------------------------
unit-tests: $(UNIT_TESTS:%=$(O)/tests/%) $(O)/tests/api_probe

# Unit tests run under ASan and UBSan: their objects are built apart.
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
$(O)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SANITIZE) -MMD -MP -c $< -o $@

# The engine again with segment recycling on, as the kernel builds it.
$(O)/san-recycle/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SANITIZE) -DMOS_BUF_RECYCLE=4 -MMD -MP -c $< -o $@
$(O)/tests/test_engine_recycle: $(O)/san-recycle/selftests/unit/test_engine.o \
	$(ENGINE_SRCS:%.c=$(O)/san-recycle/%.o) \
	$(O)/san-recycle/libmos-user/platform_user.o

$(O)/tests/test_platform: $(O)/san/selftests/unit/test_platform.o \
	$(O)/san/libmos-user/platform_user.o
$(O)/tests/test_peekbuf: $(O)/san/selftests/unit/test_peekbuf.o \
	$(O)/san/libmos-user/peekbuf.o $(O)/san/kmod/engine/reasm.o \
	$(O)/san/libmos-user/platform_user.o
$(O)/tests/test_parse: $(O)/san/selftests/unit/test_parse.o \
	$(O)/san/kmod/engine/parse.o
$(O)/tests/test_csum: $(O)/san/selftests/unit/test_csum.o \
	$(O)/san/kmod/engine/csum.o
$(O)/tests/test_reasm: $(O)/san/selftests/unit/test_reasm.o \
	$(O)/san/kmod/engine/reasm.o $(O)/san/libmos-user/platform_user.o
$(O)/tests/test_tcp: $(O)/san/selftests/unit/test_tcp.o \
	$(O)/san/kmod/engine/tcp.o
$(O)/tests/test_engine: $(O)/san/selftests/unit/test_engine.o \
	$(O)/san/kmod/engine/engine.o $(O)/san/kmod/engine/tcp.o \
	$(O)/san/kmod/engine/reasm.o $(O)/san/kmod/engine/parse.o \
	$(O)/san/kmod/engine/csum.o \
	$(O)/san/libmos-user/platform_user.o
$(O)/tests/test_evset: $(O)/san/selftests/unit/test_evset.o \
	$(O)/san/libmos-user/evset.o
# The ring reader and the live backend on rings in memory: the library.
$(O)/tests/test_ring_reader: $(O)/san/selftests/unit/test_ring_reader.o \
	$(LIB_SRCS:%.c=$(O)/san/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(SANITIZE) -o $@ $^ $(LIB_LIBS) -lpthread
# A middlebox the guest tests run live (selftests/kmod/test_api_live.sh).
$(O)/tests/api_probe: $(O)/obj/selftests/kmod/api_probe.o \
	$(O)/lib/libmos-user.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIB_LIBS)
# The middlebox interface, offline: the library.
$(O)/tests/test_api: $(O)/san/selftests/unit/test_api.o \
	$(LIB_SRCS:%.c=$(O)/san/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(SANITIZE) -o $@ $^ $(LIB_LIBS)
$(O)/tests/%:
	@mkdir -p $(dir $@)
	$(CC) $(SANITIZE) -o $@ $^ -lpthread

deps:
	@selftests/install-deps.sh

check: deps
	@$(MAKE) --no-print-directory all
	@selftests/run-tests.sh

# mos.ko built against another kernel series' headers and tested in a guest
# booting that kernel (default 6.12; SERIES=).
check-compat: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(O) selftests/vm/compat-lane.sh $(SERIES)

demo: deps
	@$(MAKE) --no-print-directory all
	@selftests/demo/demo.sh

# Throughput and memory against a floor loop and libnids, ratios printed
# side by side (Documentation/benchmarks.md); not a pass/fail test.
bench: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(O) selftests/bench/run-bench.sh

# ---- fuzzing and memory checks (also part of make check) ------------------
FUZZ_SECONDS ?= 60
.PHONY: fuzz valgrind
fuzz:
	@BUILD=$(O) selftests/fuzz/run-fuzz.sh $(FUZZ_SECONDS)
valgrind: tools
	@BUILD=$(O) selftests/fuzz/run-valgrind.sh

# ---- style -----------------------------------------------------------------
CHECKPATCH_DIR ?= /var/tmp/checkpatch
KMOD_C_H := $(shell find kmod -name '*.[ch]') include/uapi/linux/mos.h

lint: deps checkpatch sparse

checkpatch:
	@selftests/checkpatch.sh $(CHECKPATCH_DIR) $(KMOD_C_H)

sparse:
	@rm -f $(O)/mos.ko
	@$(MAKE) --no-print-directory module C=2 2>&1 | tee $(O)/sparse.log
	@! grep -E 'warning|error' $(O)/sparse.log

clean:
	rm -rf $(O)

# Further parts of the build, one concern per file (compat library,
# install and packaging).
include $(wildcard mk/*.mk)

-include $(shell find $(O)/obj $(O)/san $(O)/san-recycle -name '*.d' 2>/dev/null)
