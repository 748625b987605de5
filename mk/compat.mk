# SPDX-License-Identifier: GPL-2.0
#
# libmos-compat: mOS's API (mtcp_*, include/mos/compat/) on libmos-user, so
# that an mOS monitor ports with a recompile (Documentation/porting-from-mos.md):
#   $(O)/lib/libmos-compat.a, .so and pkgconfig/libmos-compat.pc
#   cc $(pkg-config --cflags --libs libmos-compat) monitor.c
# `make all` builds it; selftests/tools/test_compat.sh tests it.

COMPAT_SRCS := $(wildcard libmos-user/compat/*.c)
COMPAT_OBJS := $(COMPAT_SRCS:%.c=$(O)/obj/%.o)
COMPAT_SONAME := libmos-compat.so.0

.PHONY: compat
all: compat
compat: $(O)/lib/libmos-compat.a $(O)/lib/libmos-compat.so \
	$(O)/lib/pkgconfig/libmos-compat.pc

$(O)/lib/libmos-compat.a: $(COMPAT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(O)/lib/$(COMPAT_SONAME): $(COMPAT_OBJS) $(O)/lib/libmos-user.so
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,$(COMPAT_SONAME) -o $@ $(COMPAT_OBJS) \
		-L$(O)/lib -lmos-user

$(O)/lib/libmos-compat.so: $(O)/lib/$(COMPAT_SONAME)
	ln -sf $(COMPAT_SONAME) $@

$(O)/lib/pkgconfig/libmos-compat.pc: libmos-user/libmos-compat.pc.in \
	mk/compat.mk $(O)/lib/pkgconfig/libmos-user.pc
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(O)|; s|@INCLUDEDIR@|$(SRC)/include|' \
	    -e 's|@VERSION@|$(VERSION)|' $< > $@

# pktprint, an mOS-API monitor, for the live guest test
# (selftests/kmod/test_compat_live.sh): built here, against the static
# libraries, since the guest cannot build.
compat: $(O)/tests/compat_pktprint
$(O)/tests/compat_pktprint: selftests/compat/pktprint.c \
	$(O)/lib/libmos-compat.a $(O)/lib/libmos-user.a
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -Iinclude -Iinclude/uapi \
		-Iinclude/mos/compat -D_GNU_SOURCE -o $@ $< \
		$(O)/lib/libmos-compat.a $(O)/lib/libmos-user.a $(LIB_LIBS)
