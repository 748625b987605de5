/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels mos builds on live here and nowhere
 * else. Kbuild probes the kernel's headers for features and passes
 * MOS_HAVE_* flags, so no version numbers are compared. Built and tested
 * on Debian 12's 6.1 and its 6.12 (make check-compat); the hrtimer_setup()
 * probe is for 6.13 and later, which nothing here builds against.
 */
#ifndef MOS_COMPAT_H
#define MOS_COMPAT_H

#include <linux/hrtimer.h>

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

/* 6.2 moved a dump's parsed attributes into a struct genl_info. */
#ifdef MOS_HAVE_GENL_DUMPIT_INFO_INFO
#define mos_genl_dump_attrs(cb) (genl_dumpit_info(cb)->info.attrs)
#else
#define mos_genl_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#endif

/* 6.13 added hrtimer_setup(), and later kernels dropped hrtimer_init(). */
static inline void
mos_hrtimer_setup(struct hrtimer *timer,
		  enum hrtimer_restart (*fn)(struct hrtimer *),
		  clockid_t clock, enum hrtimer_mode mode)
{
#ifdef MOS_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

#endif /* MOS_COMPAT_H */
