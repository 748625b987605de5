/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels mos builds on (6.1 to 6.18) live here
 * and nowhere else. Kbuild probes the kernel's headers for features and
 * passes MOS_HAVE_* flags, so no version numbers are compared.
 */
#ifndef MOS_COMPAT_H
#define MOS_COMPAT_H

/* 6.12 moved the unaligned access helpers out of asm/. */
#ifdef MOS_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.3 made vma->vm_flags read-only outside of helpers. */
#ifdef MOS_HAVE_VM_FLAGS_SET
#define mos_vma_clear_flags(vma, flags) vm_flags_clear(vma, flags)
#else
#define mos_vma_clear_flags(vma, flags) ((vma)->vm_flags &= ~(flags))
#endif

#endif /* MOS_COMPAT_H */
