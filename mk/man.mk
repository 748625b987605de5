# SPDX-License-Identifier: GPL-2.0
#
# Section-3 manual pages, generated from the kernel-doc comments of the
# public headers by the kernel's scripts/kernel-doc -man, one page per
# function: build/man/man3/*.3. kernel-doc is a build tool taken from
# Debian's linux-source tarball (as checkpatch.pl is, selftests/checkpatch.sh)
# and extracted once into KERNEL_DOC_DIR; KERNEL_DOC= names another copy.

KERNEL_DOC_DIR ?= /var/tmp/kernel-doc
KERNEL_DOC ?= $(KERNEL_DOC_DIR)/scripts/kernel-doc
MAN_HEADERS := $(wildcard include/mos/*.h)

.PHONY: man
man: $(O)/man/man3/.stamp

$(KERNEL_DOC_DIR)/scripts/kernel-doc:
	@tarball=$$(ls -v /usr/src/linux-source-*.tar.xz 2>/dev/null | tail -n 1); \
	if [ -z "$$tarball" ]; then \
	  echo "error: kernel-doc: linux-source is not installed (make deps)," \
	       "or set KERNEL_DOC=/path/to/scripts/kernel-doc" >&2; exit 1; fi; \
	mkdir -p $(KERNEL_DOC_DIR) && \
	tar -xJf "$$tarball" -C $(KERNEL_DOC_DIR) --strip-components=1 \
	    --wildcards '*/scripts/kernel-doc'

$(O)/man/man3/.stamp: $(MAN_HEADERS) packaging/kdoc-man.sh $(KERNEL_DOC)
	packaging/kdoc-man.sh $(KERNEL_DOC) $(O)/man/man3 $(VERSION) \
		$(MAN_HEADERS)
	@touch $@
