#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 400
# A dump of hundreds of connections (many batches) lists each once, with
# real traffic between two namespaces; an unknown id is one clear error;
# an unprivileged user is refused every command, and changes nothing.
. "$(dirname "$0")/lib.sh"
# shellcheck source=flow_lib.sh
. "$(dirname "$0")/flow_lib.sh"

mos_load
netns_pair mos-c mos-s 1
ip netns exec mos-s "${PEER[@]}" server 10.77.1.2 5001 >"$WORK/srv4" &
wait_port mos-s 5001

# ---- a dump of many connections --------------------------------------------
ip netns exec mos-c "${PEER[@]}" many 10.77.1.2 5001 300 >"$WORK/many" &
many=$!
wait_for "$WORK/many" '"ready"' 600
ip netns exec mos-s "$MOSCTL" -j flow list >"$WORK/list"
check "a dump lists each of 300 connections once" \
	python3 - "$WORK/many" "$WORK/list" <<'PY'
import json, sys
ports = set(json.loads(open(sys.argv[1]).readline())["ports"])
flows = json.load(open(sys.argv[2]))
mine = [f for f in flows if f["client_port"] in ports]
ids = [f["id"] for f in mine]
ok = len(ports) == 300 and len(mine) == 300 and len(set(ids)) == 300
print("# %d of %d connections listed, %d distinct ids"
      % (len(mine), len(ports), len(set(ids))))
sys.exit(0 if ok else 1)
PY
kill "$many" 2>/dev/null

# ---- errors and privileges ---------------------------------------------------
out=$(ip netns exec mos-s "$MOSCTL" flow show 999999999 2>&1)
rc=$?
check "an unknown id: exit 1, one line ($out)" \
	test $rc -eq 1 -a -n "$(echo "$out" | grep 'no connection with id 999999999')"
nobody=(ip netns exec mos-s setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
for args in "flow list" "flow show 1" "flow drop 1" "flow reset 1" \
	"flow untrack 1" "config" "config set midstream=1" "monitor" "stats"; do
	# shellcheck disable=SC2086 # the words are the arguments
	out=$(timeout 10 "${nobody[@]}" "$MOSCTL" $args 2>&1)
	rc=$?
	check "unprivileged '$args' refused in one line (rc=$rc: $out)" \
		test $rc -eq 1 -a "$(echo "$out" | wc -l)" -eq 1 -a \
		-n "$(echo "$out" | grep 'permission denied')"
done
check "the refused config set changed nothing" \
	sh -c "ip netns exec mos-s '$MOSCTL' config | grep -q '^midstream  *0$'"
exit $FAILED
