/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libmos-compat internals: the native API (<mos/mos.h>) and mOS's
 * (<mos/compat/mos_api.h>) in one file. Both use names such as MOS_HK_SND
 * with other values, so the native values are kept here under N_* names
 * and the native macros are removed before mOS's headers are read.
 */
#ifndef MOS_COMPAT_NATIVE_H
#define MOS_COMPAT_NATIVE_H

#include <mos/mos.h>

enum {
	N_SIDE_CLI = MOS_SIDE_CLI,
	N_SIDE_SVR = MOS_SIDE_SVR,
	N_SIDE_BOTH = MOS_SIDE_BOTH,
	N_HK_SND = MOS_HK_SND,
	N_HK_RCV = MOS_HK_RCV,
	N_ON_PKT_IN = MOS_ON_PKT_IN,
	N_ON_CONN_START = MOS_ON_CONN_START,
	N_ON_CONN_END = MOS_ON_CONN_END,
	N_ON_CONN_NEW_DATA = MOS_ON_CONN_NEW_DATA,
	N_ON_REXMIT = MOS_ON_REXMIT,
	N_ON_TCP_STATE_CHANGE = MOS_ON_TCP_STATE_CHANGE,
	N_ON_ORPHAN = MOS_ON_ORPHAN,
	N_ON_ERROR = MOS_ON_ERROR,
	N_ON_TIMEOUT = MOS_ON_TIMEOUT,
	N_SOCK_MONITOR_STREAM = MOS_SOCK_MONITOR_STREAM,
	N_SOCK_MONITOR_RAW = MOS_SOCK_MONITOR_RAW,
	N_OVERLAP_POLICY_FIRST = MOS_OVERLAP_POLICY_FIRST,
	N_OVERLAP_POLICY_LAST = MOS_OVERLAP_POLICY_LAST,
};

#undef MOS_SIDE_CLI
#undef MOS_SIDE_SVR
#undef MOS_SIDE_BOTH
#undef MOS_HK_SND
#undef MOS_HK_RCV
#undef MOS_ON_PKT_IN
#undef MOS_ON_CONN_START
#undef MOS_ON_CONN_END
#undef MOS_ON_CONN_NEW_DATA
#undef MOS_ON_REXMIT
#undef MOS_ON_TCP_STATE_CHANGE
#undef MOS_ON_ORPHAN
#undef MOS_ON_ERROR
#undef MOS_ON_TIMEOUT
#undef MOS_SOCK_MONITOR_STREAM
#undef MOS_SOCK_MONITOR_RAW
#undef MOS_OVERLAP_POLICY_FIRST
#undef MOS_OVERLAP_POLICY_LAST

#include <mos/compat/mos_api.h>

#endif /* MOS_COMPAT_NATIVE_H */
