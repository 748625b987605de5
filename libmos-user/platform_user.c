// SPDX-License-Identifier: LGPL-2.1 OR MIT
/* State of the engine's userspace platform layer (platform_user.h). */
#include "engine/platform.h"

__thread struct mos_buf_cache mos_buf_cache;
