# SPDX-License-Identifier: GPL-2.0
#
# Installation and packaging:
#   make install [DESTDIR=/stage] [PREFIX=/usr/local]   (packaging/install.sh)
#   make uninstall                                     (same variables)
#   make dkms-install     mos.ko through DKMS (dkms.conf), as root
#   make deb              Debian packages into $(BUILD)/deb/ (packaging/mkdeb.sh)
# Directories follow the GNU names and may be set one by one (e.g.
# libdir=/usr/lib/x86_64-linux-gnu). mosctl goes to sbindir (an
# administrator's command, mosctl(8)); every other program to bindir.
# Other parts of the build may add targets install needs built first:
# INSTALL_DEPS += ... (it is read when install runs, whatever the order of
# the mk/*.mk files); the compat library of mk/compat.mk is built when that
# file is there.

PREFIX ?= /usr/local
DESTDIR ?=
bindir ?= $(PREFIX)/bin
sbindir ?= $(PREFIX)/sbin
libdir ?= $(PREFIX)/lib
includedir ?= $(PREFIX)/include
pkgconfigdir ?= $(libdir)/pkgconfig
datadir ?= $(PREFIX)/share
mandir ?= $(datadir)/man
docdir ?= $(datadir)/doc/mos
SBIN_PROGS ?= mosctl
INSTALL_DEPS ?=
# Read at recipe time, when every mk/*.mk has been read.
install_deps = $(strip $(INSTALL_DEPS) $(if $(COMPAT_SRCS),compat))

INSTALL_ENV = O='$(O)' SRC='$(SRC)' DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' \
	bindir='$(bindir)' sbindir='$(sbindir)' libdir='$(libdir)' \
	includedir='$(includedir)' pkgconfigdir='$(pkgconfigdir)' \
	mandir='$(mandir)' docdir='$(docdir)' SBIN_PROGS='$(SBIN_PROGS)' \
	V='$(V)'

.PHONY: install uninstall dkms-install dkms-uninstall deb
install: lib tools man
	$(if $(install_deps),@$(MAKE) --no-print-directory $(install_deps))
	@$(INSTALL_ENV) packaging/install.sh install

uninstall:
	@$(INSTALL_ENV) packaging/install.sh uninstall

# ---- DKMS ------------------------------------------------------------------
# What the kernel build of mos.ko needs; dkms.conf's MAKE runs the top
# Makefile's `module` target in a copy of these.
DKMS_SRC_FILES := Makefile Kbuild dkms.conf $(shell find kmod include -name '*.[ch]')
DKMS_DIR ?= /usr/src/mos-$(VERSION)

dkms-install:
	@command -v dkms >/dev/null || { echo "error: dkms is not installed" >&2; exit 1; }
	-@dkms remove mos/$(VERSION) --all >/dev/null 2>&1
	rm -rf $(DKMS_DIR)
	mkdir -p $(DKMS_DIR)
	cp -a --parents $(DKMS_SRC_FILES) $(DKMS_DIR)/
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' $(DKMS_DIR)/dkms.conf
	dkms add mos/$(VERSION)
	dkms build mos/$(VERSION)
	dkms install mos/$(VERSION)

dkms-uninstall:
	-dkms remove mos/$(VERSION) --all
	rm -rf $(DKMS_DIR)

# ---- Debian packages ---------------------------------------------------------
deb: lib tools man
	$(if $(install_deps),@$(MAKE) --no-print-directory $(install_deps))
	@O='$(O)' SRC='$(SRC)' VERSION='$(VERSION)' \
		DKMS_SRC_FILES='$(DKMS_SRC_FILES)' packaging/mkdeb.sh
