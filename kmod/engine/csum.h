/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Internet checksum (RFC 1071) arithmetic for the engine, the same in the
 * kernel and in userspace.
 */
#ifndef MOS_ENGINE_CSUM_H
#define MOS_ENGINE_CSUM_H

#include "platform.h"

u64 mos_csum_add(u64 sum, const u8 *p, u32 len);
u16 mos_csum_fold(u64 sum);

#endif /* MOS_ENGINE_CSUM_H */
