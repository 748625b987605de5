#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mosctl's command line on a host without the mos family (this build host's
# kernel has no mos module): every error is one clear line and non-zero.
set -u
MOSCTL=${BUILD:-$(dirname "$0")/../../build}/bin/mosctl
n=0
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
expect() {	# expect RC PATTERN NAME -- ARGS...
	local want=$1 pattern=$2 name=$3 out rc
	shift 4
	out=$("$MOSCTL" "$@" 2>&1)
	rc=$?
	[ $rc -eq "$want" ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
		printf '%s\n' "$out" | grep -q -- "$pattern"
	tap $? "$name (rc=$rc: $out)"
}

expect 2 "unknown command 'frobnicate'" "unknown command" -- frobnicate
expect 2 "no command given" "no command" --
expect 2 "unexpected argument" "extra argument" -- stats extra
expect 2 "missing subcommand" "flow without subcommand" -- flow
expect 2 "unknown subcommand 'frob'" "unknown flow subcommand" -- flow frob
expect 2 "bad connection id 'x1'" "bad flow id" -- flow show x1
expect 2 "bad connection id '-1'" "negative flow id" -- flow drop -1
expect 2 "missing connection id" "flow reset without id" -- flow reset
expect 2 "unexpected argument '7'" "flow untrack, two ids" -- flow untrack 6 7
expect 2 "unknown setting 'frob'" "unknown setting" -- config set frob=1
expect 2 "bad value in 'midstream=2'" "midstream out of range" -- config set midstream=2
expect 2 "bad value in 'deliver_on_arrival=yes'" "deliver_on_arrival takes 0 or 1" -- config set deliver_on_arrival=yes
expect 2 "bad value in 'tracking=off'" "tracking takes 0 or 1" -- config set tracking=off
expect 2 "bad value in 'one_sided=2'" "one_sided takes 0 or 1" -- config set one_sided=2
expect 2 "bad value in 'wakeup_us=soon'" "wakeup_us takes a number" -- config set wakeup_us=soon
expect 2 "bad value in 'overlap_policy=frob'" "unknown policy" -- config set overlap_policy=frob
expect 2 "bad value in 'max_flows=99999999999'" "value too large" -- config set max_flows=99999999999
expect 2 "is not KEY=VALUE" "setting without value" -- config set max_flows
expect 2 "unexpected argument 'x'" "monitor takes no argument" -- monitor x
expect 0 "mosctl 0" "--version" -- --version
"$MOSCTL" --help | grep -q '^usage: mosctl'
tap $? "--help prints usage"
if grep -qs '^mos ' /proc/modules; then
	echo "ok $((n + 1)) - # SKIP mos is loaded on this host"
else
	expect 1 "module is not loaded" "missing module" -- stats
	expect 1 "module is not loaded" "missing module, JSON" -- -j stats
	expect 1 "module is not loaded" "missing module: flow list" -- flow list
	expect 1 "module is not loaded" "missing module: flow drop" -- flow drop 1
	expect 1 "module is not loaded" "missing module: config" -- -j config
	expect 1 "module is not loaded" "missing module: config set" -- config set midstream=1
	expect 1 "module is not loaded" "missing module: monitor" -- monitor
fi
