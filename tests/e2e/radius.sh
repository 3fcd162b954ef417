#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evs with XAUTH through a real FreeRADIUS, started by this test in the gateway's namespace on
# its loopback with a configuration of its own (temporary directory, killed by PID), and the
# method list `group radius local`:
#   1. alice, known to RADIUS only, connects; the Access-Accept's Framed-IP-Address
#      (10.98.0.77) is her address.
#   2. richard, a local user whom RADIUS does not know, is rejected: a reject is final, the
#      local database is not asked.
#   3. RADIUS is down: richard waits for its timeouts, then the local database lets him in;
#      meanwhile alice's tunnel carries traffic and evs answers its control socket at once.
#      The group's save-password is alice's (RADIUS) but not his
#      (the chapter: they take effect for RADIUS users only).
#   4. a wrong key (SIGHUP to a configuration with another key): FreeRADIUS drops the request
#      (its Message-Authenticator does not verify), evs's log says that the server gave no
#      answer and that the RADIUS key may not match, and natalie, a local user too, gets in
#      through the local database (no answer is not a reject: the next method is asked).
#      With radcli, which did not verify the Response Authenticator, a wrong key showed as
#      a reject.
# FreeRADIUS 3.2.1 (Debian 12) signs its replies with a Message-Authenticator, which evs
# requires, only when its configuration adds one (post-auth below).
# Usage: tests/e2e/radius.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun, no freeradius).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-radius" "${1:-}"
rig_require_cmd freeradius
rig_topology_std

# ---- FreeRADIUS with its own configuration, on the gateway's loopback
fr=$RIG_DIR/freeradius
mkdir -p "$fr"
cat >"$fr/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = $fr
raddbdir = $fr
radacctdir = $fr
name = freeradius
confdir = $fr
run_dir = $fr
db_dir = $fr
libdir = /usr/lib/freeradius
dictdir = /usr/share/freeradius
pidfile = $fr/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {
	destination = stdout
}
security {
	allow_core_dumps = no
}
client lo {
	ipaddr = 127.0.0.1
	secret = s3cret
}
modules {
	files {
		filename = $fr/users
	}
	pap {
	}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = 1812
	}
	authorize {
		files
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
	}
	post-auth {
		update reply {
			&Message-Authenticator := 0x00
		}
		Post-Auth-Type REJECT {
			update reply {
				&Message-Authenticator := 0x00
			}
		}
	}
}
EOF
cat >"$fr/users" <<'EOF'
alice Cleartext-Password := "alice-pw"
	Framed-IP-Address = 10.98.0.77,
	Cisco-AVPair = "ipsec:dns-servers=10.99.0.54",
	Cisco-AVPair += "ipsec:default-domain=radius.example"
natalie Cleartext-Password := "natalie-pw-2"
EOF
start_radius() {
	rig_spawn "$1" gw freeradius -X -d "$fr"
	wait_for_log -p "$RIG_LAST_PID" "${RIG_LOGS[$1]}" 'Ready to process requests' 20 \
		"FreeRADIUS to listen"
}
start_radius radius

radius_conf() { # NAME KEY
	evs_conf_variant "$1" \
		'/^ domain quizware.com$/a\ save-password' \
		's/^aaa authentication login vpn-users local$/aaa authentication login vpn-users group radius local/' \
		's/^aaa authorization network quizware local$/aaa authorization network quizware group radius local/' \
		"/^username natalie /a radius-server host 127.0.0.1 auth-port 1812 timeout 2 retransmit 1 key $2"
}
conf=$(radius_conf evs-radius.conf s3cret)
grep -q '^aaa authentication login vpn-users group radius local$' "$conf" ||
	fail "internal: $conf does not use RADIUS"
evs_start "$conf"
key=$(evc_secret group-key "$EVC_GROUP_KEY")

# ---- 1. accepted by RADIUS, with its Framed-IP-Address
evc_start alice client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user alice \
	--group-key-file "$key" --password-file "$(evc_secret alice-pw alice-pw)" \
	--state-file "$RIG_DIR/alice.state" --dns off
evc_wait_connected alice 30
[[ $(rig_addr4 client evc0) == 10.98.0.77 ]] ||
	fail "alice has '$(rig_addr4 client evc0)', expected RADIUS's Framed-IP-Address 10.98.0.77"
grep -q 'user alice of group quizware: RADIUS server 127.0.0.1:1812 accepted the user' \
	"${RIG_LOGS[evs]}" || fail "evs did not log RADIUS's accept"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through alice's tunnel"

# ---- 2. rejected by RADIUS: final, although richard is a local user
rig_add_std_client client2 198.51.100.3
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start richard client2 --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/richard.state"
wait_for_exit richard 60
[[ ${RIG_LAST_STATUS:-0} != 0 ]] || fail "richard connected although RADIUS rejected him"
grep -q -E 'XAUTH.*password|password.*XAUTH' "${RIG_LOGS[richard-stderr]}" ||
	fail "evc did not say the password was refused: $(cat "${RIG_LOGS[richard-stderr]}")"
grep -q 'RADIUS server 127.0.0.1:1812 rejected the user' "${RIG_LOGS[evs]}" ||
	fail "evs did not log RADIUS's reject"
! grep -q 'checking the local user database instead' "${RIG_LOGS[evs]}" ||
	fail "evs asked the local database after a RADIUS reject"

# ---- 3. RADIUS down: the local database answers, after the timeouts; others go on
rig_kill radius 10
evc_start richard2 client2 --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/richard2.state"
asked_twice() {
	[[ $(grep -c 'user richard of group quizware: asking RADIUS' "${RIG_LOGS[evs]}") -ge 2 ]]
}
wait_for -p "$EVS_PID" "evs to ask RADIUS about richard again" 20 asked_twice
# while the RADIUS question waits (2 tries of 2 s), evs answers and alice's tunnel works
t0=$(rig_elapsed)
evs_show summary >/dev/null || fail "evs show failed while RADIUS was silent"
ping_ok client "$RIG_CORP_ADDR" 1 || fail "alice's tunnel stopped while RADIUS was silent"
t1=$(rig_elapsed)
rig_note "evs show and a ping took $(awk "BEGIN { print $t1 - $t0 }") s while RADIUS was silent"
awk "BEGIN { exit !($t1 - $t0 < 2) }" || fail "evs was held up by the silent RADIUS server"
evc_wait_connected richard2 30
grep -q 'user richard of group quizware: include-local-lan and save-password left out' \
	"${RIG_LOGS[evs]}" || fail "the local fallback user got the RADIUS-only save-password"
! grep -q 'user alice of group quizware: include-local-lan and save-password left out' \
	"${RIG_LOGS[evs]}" || fail "the RADIUS user alice went without save-password"
grep -q 'RADIUS server 127.0.0.1:1812 did not answer (2 tries, 2 s each): its port is unreachable (is it running?); checking the local user database instead' \
	"${RIG_LOGS[evs]}" || fail "evs did not log the fallback to the local database"
addr=$(rig_addr4 client2 evc0)
[[ $addr == 10.98.0.* && $addr != 10.98.0.77 ]] ||
	fail "richard has '$addr', expected a pool address other than alice's 10.98.0.77"
rig_kill richard2 10
evs_wait_connections 1

# ---- 4. a wrong key: no answer, the log names the key, the local database is asked
start_radius radius2
wrong=$(radius_conf evs-wrongkey.conf not-the-key)
cp -- "$wrong" "$conf"
kill -HUP "$EVS_PID"
wait_for_log -p "$EVS_PID" "${RIG_LOGS[evs]}" "reload: now running" 10 "evs to reload"
evc_start natalie client2 --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER2" \
	--group-key-file "$key" --password-file "$(evc_secret natalie-pw "$EVC_PASSWORD2")" \
	--state-file "$RIG_DIR/natalie.state"
evc_wait_connected natalie 30
grep -q 'did not answer (2 tries, 2 s each): it is down, or the RADIUS key does not match; checking the local user database instead' \
	"${RIG_LOGS[evs]}" || fail "evs did not say that the RADIUS key may not match"
grep -q 'invalid Message-Authenticator!  (Shared secret is incorrect.)' "${RIG_LOGS[radius2]}" ||
	fail "FreeRADIUS did not drop the request for its Message-Authenticator"
! grep -q 'Login OK: \[natalie' "${RIG_LOGS[radius2]}" || fail "FreeRADIUS took natalie"
rig_kill natalie 10
evs_wait_connections 1

rig_alive "$EVS_PID" || fail "evs died"
rig_kill alice 10
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
