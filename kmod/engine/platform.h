/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one door between the portable engine and its host. The engine's
 * sources are compiled both into mos.ko and into libmos-user, so they use
 * nothing but what this header provides: fixed-width types, byte order,
 * allocation, locks, branch hints and static_assert(). Time is never read here: it comes
 * with each packet.
 */
#ifndef MOS_ENGINE_PLATFORM_H
#define MOS_ENGINE_PLATFORM_H

#ifdef __KERNEL__
#include "platform_kernel.h"
#else
#include "platform_user.h"
#endif

#endif /* MOS_ENGINE_PLATFORM_H */
