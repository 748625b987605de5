#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test_live_flowdump.sh with the router's namespace delivering bytes on
# arrival (mosctl config set deliver_on_arrival=1): in-order bytes then go
# from the skb straight into the rings, never stored; the files must still
# equal what the endpoints sent.
# mos-timeout: 600
MOS_DELIVER_ON_ARRIVAL=1 exec bash "$(dirname "$0")/test_live_flowdump.sh"
