#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc's profiles end to end: `evc profile import|list|show|export|remove` on
# files, and `evc connect` through a profile against evs.
#
# cli (no network): a Cisco VPN Client .pcf written as that client writes it
# (UTF-16LE with BOM, CRLF, enc_GroupPwd) is imported into a --profile-dir:
# the keys evc cannot honour (TunnelingMode=1, TcpTunnelingPort) are reported
# with file:line and key; the profile file is 0600 and holds a file:
# reference, never the group key, which sits alone in DIR/secrets (0600);
# list/show/show --show-secrets/export print what they should; export
# re-imports to the same profile; a second import needs --replace; a vpnc
# .conf imports as a second profile; a .pcf without [main] and a truncated
# UTF-16 .pcf are refused with the reason and leave the directory as it was;
# remove takes the profile and its secret file.
#
# connect: evs in gw with the sample configuration; the imported .pcf gives
# `evc connect --group quizware --profile-dir DIR --password-file F` the
# gateway, user and group key; it connects, pings the corporate host, evs
# lists richard (1), and SIGTERM takes everything back as in connect.sh. With
# a second profile of group quizware (from a vpnc .conf) --group refuses and
# names both, --profile picks one (seen by its interface name evcv0);
# --group nosuch says no profile has that group and how to import one. Then
# evs accepts only DH group 5: the profile's dh 2 gets NO-PROPOSAL-CHOSEN and
# --dh 5 on the command line overrides it and connects.
#
# nokeyring: no Secret Service reachable (DBUS_SESSION_BUS_ADDRESS and DISPLAY
# unset, as in a root shell): `evc profile import` into the user's own
# directory ($XDG_CONFIG_HOME/evc) still works, says in one line that the
# secrets went to owner-only files, puts the group key in
# $XDG_CONFIG_HOME/evc/secrets (0700) as quizware.group-key (0600), and
# `evc connect --group quizware` finds the profile and its key and connects;
# `evc profile remove` takes the file with it.
#
# learn: a vpnc .conf with the XAUTH password is imported (password in
# DIR/secrets). evs's group has save-password and two backup-gateways: evc
# connects with the stored password, and the profile then says
# save_password = yes and pushed_backup_gateways with both servers (said on
# stdout), the password file stays. evs without save-password: evc connects
# once more with the stored password, then deletes it, the profile says
# password = prompt and save_password = no, and stdout says why.
#
# Usage: tests/e2e/profile.sh [BUILD_DIR] cli|connect|nokeyring|learn
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

usage() {
	echo "usage: $0 [BUILD_DIR] cli|connect|nokeyring|learn" >&2
	exit 2
}
case $# in
1) build='' mode=$1 ;;
2) build=$1 mode=$2 ;;
*) usage ;;
esac
[[ $mode == cli || $mode == connect || $mode == nokeyring || $mode == learn ]] || usage

# enc_GroupPwd of "groupsecret": made for this test from the algorithm in
# profiles/README.md with a random H1, and decoded to "groupsecret" by vpnc's
# /usr/bin/cisco-decrypt (checked again below when it is installed).
ENC_GROUPSECRET=046311786532BA4B560289AE3E76CF88B930B4A1BA40B092792904540D6CC360E90A0845707616BF6D7B169A031FCB0FD77A281024224A51

# The .pcf, line by line (line 1 is [main]). DHGroup=2 puts `dh = 2` into
# the profile, so the connect test can override it from the command line.
PCF_LINES=(
	"[main]"
	"Description=Quizware office"
	"Host=$RIG_GW_ADDR"
	"AuthType=1"
	"GroupName=$EVC_GROUP"
	"enc_GroupPwd=$ENC_GROUPSECRET"
	"Username=$EVC_USER"
	"DHGroup=2"
	"EnableISPConnect=0"
	"TunnelingMode=1"
	"TcpTunnelingPort=10000"
)

# pcf_line KEY: the line number of KEY in the .pcf.
pcf_line() {
	local i
	for i in "${!PCF_LINES[@]}"; do
		if [[ ${PCF_LINES[$i]} == "$1="* ]]; then
			printf '%s' "$((i + 1))"
			return 0
		fi
	done
	fail "internal: no key $1 in the .pcf"
}

# write_pcf FILE LINE...: the lines as the Cisco VPN Client writes a profile:
# UTF-16LE with a byte order mark, CRLF line ends.
write_pcf() {
	local f=$1 line
	shift
	{
		printf '\xff\xfe'
		for line in "$@"; do
			printf '%s\r\n' "$line"
		done | iconv -f UTF-8 -t UTF-16LE
	} >"$f" || fail "cannot write $f"
	[[ $(od -A n -t x1 -N 4 "$f" | tr -d ' ') == fffe[0-7]?00 ]] ||
		fail "internal: $f does not start with a UTF-16LE BOM and an ASCII character"
}

# write_vpnc FILE: vpnc's configuration for the same gateway and group, with
# its own interface name so a test can tell which profile evc used.
write_vpnc() {
	cat >"$1" <<-EOF || fail "cannot write $1"
		# vpnc configuration of the quizware office
		IPSec gateway $RIG_GW_ADDR
		IPSec ID $EVC_GROUP
		IPSec secret $EVC_GROUP_KEY
		Xauth username $EVC_USER
		Interface name evcv0
	EOF
}

# expect_status NAME WANT: the last evc_cmd NAME ended with status WANT.
expect_status() {
	[[ $EVC_CMD_STATUS -eq $2 ]] ||
		fail "'$1' exited with status $EVC_CMD_STATUS, expected $2; stderr: $(cat "${RIG_LOGS[$1-stderr]}")"
}

# expect_line LOG REGEX WHAT: an extended regex matches a line of log LOG.
expect_line() {
	grep -q -E -e "$2" "${RIG_LOGS[$1]}" || fail "$3 (/$2/ not in $1: $(cat "${RIG_LOGS[$1]}"))"
}

# no_secret FILE WHAT: FILE does not contain the group key (matched in bash:
# a grep would carry the secret on its argv).
no_secret() {
	local text
	text=$(<"$1")
	[[ $text != *"$EVC_GROUP_KEY"* ]] || fail "$2 contains the group key: $text"
}

# mode_is PATH MODE: the octal permission bits of PATH, owned by root.
mode_is() {
	local got
	got=$(stat -c '%a %u' -- "$1") || fail "$1 does not exist"
	[[ $got == "$2 0" ]] || fail "$1 has mode/owner '$got', expected '$2 0'"
}

# the directory listing (names, types, modes) under DIR
tree_of() {
	(cd -- "$1" && find . -printf '%p %y %m\n' | LC_ALL=C sort)
}

evcs_init "e2e-profile-$mode" "$build"

if [[ -x /usr/bin/cisco-decrypt ]]; then
	[[ $(/usr/bin/cisco-decrypt "$ENC_GROUPSECRET") == "$EVC_GROUP_KEY" ]] ||
		fail "internal: cisco-decrypt does not decode the test's enc_GroupPwd to the group key"
fi
# canonical, so the secret references evc writes are the paths it compares
profiles=$(cd -- "$RIG_DIR" && pwd -P)/profiles
secrets=$profiles/secrets
pcf=$RIG_DIR/quizware.pcf
vpnc=$RIG_DIR/office.conf
write_pcf "$pcf" "${PCF_LINES[@]}"
write_vpnc "$vpnc"

# ======================================================================= cli
run_cli() {
	local l_tm l_tcp prof_file key_file before text p

	# ---- import the .pcf
	evc_cmd import profile import "$pcf" "${P[@]}"
	expect_status import 0
	expect_line import "^imported $pcf as profile 'quizware' \(Cisco VPN Client profile, UTF-16LE\) into $profiles\$" \
		"import did not confirm a UTF-16LE Cisco profile named quizware"
	l_tm=$(pcf_line TunnelingMode)
	l_tcp=$(pcf_line TcpTunnelingPort)
	expect_line import-stderr "not honoured: $pcf:$l_tm: key 'TunnelingMode': .*TCP" \
		"TunnelingMode=1 is not reported as not honoured with its line"
	expect_line import-stderr "not honoured: $pcf:$l_tcp: key 'TcpTunnelingPort'" \
		"TcpTunnelingPort is not reported as not honoured with its line"
	no_secret "${RIG_LOGS[import-stderr]}" "import's stderr"
	no_secret "${RIG_LOGS[import]}" "import's stdout"
	rig_note "import said: $(tr '\n' '|' <"${RIG_LOGS[import-stderr]}")"

	# ---- the files it made
	prof_file=$profiles/quizware.profile
	key_file=$secrets/quizware.group-key
	mode_is "$profiles" 700
	mode_is "$prof_file" 600
	mode_is "$secrets" 700
	mode_is "$key_file" 600
	[[ -f $prof_file && ! -L $prof_file && -f $key_file && ! -L $key_file ]] ||
		fail "the profile or its secret is not a regular file"
	text=$(<"$key_file")
	[[ $text == "$EVC_GROUP_KEY" && $(wc -l <"$key_file") -le 1 ]] ||
		fail "$key_file does not hold exactly the group key (it has $(wc -c <"$key_file") bytes)"
	[[ $(stat -c %s "$key_file") -le $((${#EVC_GROUP_KEY} + 1)) ]] ||
		fail "$key_file holds more than the group key"
	no_secret "$prof_file" "the profile file"
	for p in "description = Quizware office" "gateway = $RIG_GW_ADDR" "group = $EVC_GROUP" \
		"username = $EVC_USER" "group_key = file:$key_file" "dh = 2"; do
		grep -q -x -F -e "$p" "$prof_file" || fail "the profile has no line '$p': $(cat "$prof_file")"
	done
	[[ $(ls -A "$secrets") == quizware.group-key ]] ||
		fail "$secrets holds more than quizware.group-key: $(ls -A "$secrets")"

	# ---- list, show, show --show-secrets, export
	evc_cmd list profile list "${P[@]}"
	expect_status list 0
	expect_line list "^PROFILE +GROUP +GATEWAY\$" "list printed no header"
	expect_line list "^quizware +$EVC_GROUP +${RIG_GW_ADDR//./\\.}\$" "list does not show quizware's group and gateway"
	[[ $(wc -l <"${RIG_LOGS[list]}") -eq 2 ]] || fail "list shows more than one profile: $(cat "${RIG_LOGS[list]}")"

	evc_cmd show profile show quizware "${P[@]}"
	expect_status show 0
	expect_line show "^group_key = file:$key_file\$" "show does not show the secret reference"
	expect_line show "^username = $EVC_USER\$" "show does not show the profile"
	no_secret "${RIG_LOGS[show]}" "show's output without --show-secrets"
	grep -q revealed "${RIG_LOGS[show]}" && fail "show without --show-secrets revealed something"

	evc_cmd show-secrets profile show quizware --show-secrets "${P[@]}"
	expect_status show-secrets 0
	grep -q -x -F "# group_key (revealed) = $EVC_GROUP_KEY" "${RIG_LOGS[show-secrets]}" ||
		fail "show --show-secrets as root does not reveal the group key: $(cat "${RIG_LOGS[show-secrets]}")"

	evc_cmd export profile export quizware "${P[@]}"
	expect_status export 0
	no_secret "${RIG_LOGS[export]}" "export's output"
	expect_line export "^group_key = prompt\$" "export does not replace the reference by prompt"
	grep -q 'file:' "${RIG_LOGS[export]}" && fail "export leaks a file: reference: $(cat "${RIG_LOGS[export]}")"
	# what export wrote is a profile: imported again it is the same profile
	cp -- "${RIG_LOGS[export]}" "$RIG_DIR/handed-over.profile"
	evc_cmd import-export profile import "$RIG_DIR/handed-over.profile" "${P[@]}"
	expect_status import-export 0
	diff <(grep -v '^#' "$profiles/handed-over.profile") <(grep -v '^#' "$RIG_DIR/handed-over.profile") >/dev/null ||
		fail "the exported profile imports as something else: $(diff "$RIG_DIR/handed-over.profile" "$profiles/handed-over.profile")"
	[[ ! -e $secrets/handed-over.group-key ]] || fail "importing an exported profile stored a secret"
	evc_cmd remove-export profile remove handed-over "${P[@]}"
	expect_status remove-export 0

	# ---- a second import needs --replace and changes nothing
	before=$(tree_of "$profiles")
	cp -p -- "$prof_file" "$RIG_DIR/quizware.profile.before"
	evc_cmd import-again profile import "$pcf" "${P[@]}"
	expect_status import-again 1
	expect_line import-again-stderr "already exists" "a second import does not say the profile exists"
	expect_line import-again-stderr "--replace" "a second import does not name --replace"
	cmp -s "$prof_file" "$RIG_DIR/quizware.profile.before" || fail "a refused import changed $prof_file"
	[[ $(tree_of "$profiles") == "$before" ]] || fail "a refused import changed $profiles"
	[[ $(<"$key_file") == "$EVC_GROUP_KEY" ]] || fail "a refused import changed the group key"
	evc_cmd import-replace profile import "$pcf" --replace "${P[@]}"
	expect_status import-replace 0
	cmp -s "$prof_file" "$RIG_DIR/quizware.profile.before" || fail "import --replace of the same file gave another profile"

	# ---- vpnc .conf as a second profile
	evc_cmd import-vpnc profile import "$vpnc" --name quizware-vpnc "${P[@]}"
	expect_status import-vpnc 0
	expect_line import-vpnc "^imported $vpnc as profile 'quizware-vpnc' \(vpnc configuration, UTF-8\)" \
		"import of the vpnc file did not confirm a vpnc configuration named quizware-vpnc"
	mode_is "$profiles/quizware-vpnc.profile" 600
	mode_is "$secrets/quizware-vpnc.group-key" 600
	[[ $(<"$secrets/quizware-vpnc.group-key") == "$EVC_GROUP_KEY" ]] ||
		fail "the vpnc profile's group key is not the file's 'IPSec secret'"
	no_secret "$profiles/quizware-vpnc.profile" "the vpnc profile file"
	for p in "gateway = $RIG_GW_ADDR" "group = $EVC_GROUP" "username = $EVC_USER" \
		"group_key = file:$secrets/quizware-vpnc.group-key" "ifname = evcv0"; do
		grep -q -x -F -e "$p" "$profiles/quizware-vpnc.profile" ||
			fail "the vpnc profile has no line '$p': $(cat "$profiles/quizware-vpnc.profile")"
	done
	evc_cmd list2 profile list "${P[@]}"
	expect_line list2 "^quizware +$EVC_GROUP +" "list lost quizware"
	expect_line list2 "^quizware-vpnc +$EVC_GROUP +" "list does not show quizware-vpnc"

	# ---- broken files: refused with the reason, nothing created
	before=$(tree_of "$profiles")
	write_pcf "$RIG_DIR/nomain.pcf" "${PCF_LINES[@]:1}"
	evc_cmd import-nomain profile import "$RIG_DIR/nomain.pcf" "${P[@]}"
	expect_status import-nomain 1
	expect_line import-nomain-stderr "nomain\.pcf: no \[main\] section" "a .pcf without [main] is not refused for that"
	[[ $(tree_of "$profiles") == "$before" ]] || fail "a refused .pcf without [main] changed $profiles"

	# a whole profile cut in the middle of its last UTF-16 character
	cp -- "$pcf" "$RIG_DIR/cut.pcf"
	truncate -s "$(($(stat -c %s "$pcf") - 3))" "$RIG_DIR/cut.pcf"
	evc_cmd import-cut profile import "$RIG_DIR/cut.pcf" "${P[@]}"
	expect_status import-cut 1
	expect_line import-cut-stderr "cut\.pcf.*UTF-16LE.*truncated" "a truncated UTF-16 .pcf is not refused as truncated"
	[[ $(tree_of "$profiles") == "$before" ]] || fail "a refused truncated .pcf changed $profiles"

	# ---- remove
	evc_cmd remove profile remove quizware "${P[@]}"
	expect_status remove 0
	[[ ! -e $prof_file ]] || fail "remove left $prof_file"
	[[ ! -e $key_file ]] || fail "remove left the secret file $key_file"
	[[ -e $profiles/quizware-vpnc.profile && -e $secrets/quizware-vpnc.group-key ]] ||
		fail "removing quizware touched quizware-vpnc"
	evc_cmd remove-again profile remove quizware "${P[@]}"
	expect_status remove-again 1
	expect_line remove-again-stderr "no profile 'quizware'" "removing a missing profile does not say so"
	evc_cmd remove-vpnc profile remove quizware-vpnc "${P[@]}"
	expect_status remove-vpnc 0
	evc_cmd list-empty profile list "${P[@]}"
	expect_status list-empty 0
	expect_line list-empty "^no profiles in $profiles\$" "list after removing everything"
	[[ -z $(ls -A "$secrets") ]] || fail "secrets left after removing every profile: $(ls -A "$secrets")"
}

# =================================================================== connect

# start_evc NAME ARGS...: `evc connect ARGS...` in the client with a
# resolv.conf worth restoring and its own state file.
start_evc() {
	local name=$1 resolv
	shift
	resolv=$(rig_resolv_conf "$name")
	printf '# the host resolver (rig)\nnameserver 198.51.100.53\nsearch example.test\n' >"$resolv"
	cp -p -- "$resolv" "$RIG_DIR/$name.resolv.before"
	evc_start "$name" client --state-file "$RIG_DIR/$name.state" "$@"
}

# connected NAME IFNAME: NAME is up on IFNAME with the first pool address,
# the tunnel carries a ping, evs lists richard once.
connected() {
	local name=$1 ifname=$2 log
	evc_wait_connected "$name" 20
	log=${RIG_LOGS[$name]}
	grep -q -F -x "connected: address $EVC_POOL_FIRST on $ifname; routes: $RIG_CORP_NET; DNS: $EVC_DNS" "$log" ||
		fail "$name's 'connected:' line is not 'connected: address $EVC_POOL_FIRST on $ifname; routes: $RIG_CORP_NET; DNS: $EVC_DNS': $(grep '^connected' "$log")"
	ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through $name's tunnel"
	evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
	rig_note "$name: $(grep '^connected: ' "$log")"
}

# disconnected NAME: SIGTERM, exit 0, and nothing left behind.
disconnected() {
	local name=$1 status left
	rig_kill "$name" 10
	status=${RIG_LAST_STATUS:-}
	sanitizer_check
	[[ ${status:-x} == 0 ]] || fail "$name exited with status ${status:-unknown} on SIGTERM (expected 0)"
	grep -q '^disconnected' "${RIG_LOGS[$name]}" || fail "$name did not print 'disconnected'"
	evc_tun_gone client
	ping_fails client "$RIG_CORP_ADDR" || fail "the client still reaches $RIG_CORP_ADDR after $name disconnected"
	cmp -s "$(rig_resolv_conf "$name")" "$RIG_DIR/$name.resolv.before" ||
		fail "$name did not restore resolv.conf: $(diff "$RIG_DIR/$name.resolv.before" "$(rig_resolv_conf "$name")")"
	left=$(compgen -G "$RIG_DIR/$name.state*" || true)
	[[ -z $left ]] || fail "$name left its state file(s) behind: $left"
	[[ ! -s ${RIG_LOGS[$name-stderr]} ]] || fail "$name wrote to stderr in a clean run: $(head -n 5 "${RIG_LOGS[$name-stderr]}")"
	evs_wait_connections 0
}

# refused NAME REGEX... -- ARGS...: `evc connect ARGS...` exits 1 before
# connecting, with one line on stderr matching every REGEX.
refused() {
	local name=$1 res=() re line
	shift
	while [[ $1 != -- ]]; do
		res+=("$1")
		shift
	done
	shift
	start_evc "$name" "$@"
	wait_for_exit "$name" 20
	[[ ${RIG_LAST_STATUS:-x} == 1 ]] || fail "$name exited with status ${RIG_LAST_STATUS:-unknown}, expected 1"
	sanitizer_check
	[[ $(wc -l <"${RIG_LOGS[$name-stderr]}") -eq 1 ]] ||
		fail "$name wrote $(wc -l <"${RIG_LOGS[$name-stderr]}") lines to stderr, expected one: $(cat "${RIG_LOGS[$name-stderr]}")"
	line=$(<"${RIG_LOGS[$name-stderr]}")
	for re in "${res[@]}"; do
		grep -q -E -e "$re" <<<"$line" || fail "$name's error does not mention /$re/: $line"
	done
	grep -q '^connected: ' "${RIG_LOGS[$name]}" && fail "$name printed 'connected:' although it failed"
	evc_tun_gone client
	rig_note "$name said: $line"
}

# names_both LINE: LINE names profile quizware as well as quizware-vpnc
# (the group's name, also quizware, does not count).
names_both() {
	local rest=${1//"group '$EVC_GROUP'"/}
	rest=${rest//quizware-vpnc/}
	[[ $rest =~ (^|[^[:alnum:]_.-])quizware([^[:alnum:]_.-]|$) ]] ||
		fail "the refusal of --group $EVC_GROUP does not name profile quizware: $1"
}

run_connect() {
	local pw
	rig_topology_std
	ping_fails client "$RIG_CORP_ADDR" || fail "client reaches $RIG_CORP_ADDR without a tunnel: the rig leaks"
	evs_start

	evc_cmd import profile import "$pcf" "${P[@]}"
	expect_status import 0
	[[ -f $secrets/quizware.group-key ]] || fail "the import stored no group key"
	pw=$(evc_secret password "$EVC_PASSWORD")

	# ---- gateway, user and group key from the profile of the group
	start_evc evc --group "$EVC_GROUP" "${P[@]}" --password-file "$pw"
	connected evc evc0
	disconnected evc

	# ---- two profiles of the group: --group cannot choose, --profile can
	evc_cmd import-vpnc profile import "$vpnc" --name quizware-vpnc "${P[@]}"
	expect_status import-vpnc 0
	refused evc-two "quizware-vpnc" "--profile" -- --group "$EVC_GROUP" "${P[@]}" --password-file "$pw"
	names_both "$(<"${RIG_LOGS[evc-two-stderr]}")"
	refused evc-nosuch "no profile has group 'nosuch'" "evc profile import" -- \
		--group nosuch "${P[@]}" --password-file "$pw"
	evs_expect_summary " Group $EVC_GROUP has 0 connections"
	start_evc evc-pick --profile quizware-vpnc "${P[@]}" --password-file "$pw"
	connected evc-pick evcv0
	disconnected evc-pick

	# ---- the command line over the profile: evs takes DH group 5 only
	evs_stop
	evs_start "$(evs_conf_variant evs-dh5.conf 's/^ group 2$/ group 5/')"
	refused evc-dh2 "NO-PROPOSAL-CHOSEN" "--dh" -- --profile quizware "${P[@]}" --password-file "$pw"
	evs_expect_summary " Group $EVC_GROUP has 0 connections"
	start_evc evc-dh5 --profile quizware --dh 5 "${P[@]}" --password-file "$pw"
	connected evc-dh5 evc0
	disconnected evc-dh5
	evs_expect_summary " Group $EVC_GROUP has 0 connections"
	evs_stop
}

# ================================================================= nokeyring
run_nokeyring() {
	local pw xdg user_secrets line
	xdg=$(cd -- "$RIG_DIR" && pwd -P)/xdg
	user_secrets=$xdg/evc/secrets
	# a root shell: no session bus to ask, no X display to start one from
	unset DBUS_SESSION_BUS_ADDRESS DISPLAY
	export XDG_CONFIG_HOME=$xdg
	rig_topology_std
	evs_start

	evc_cmd import profile import "$pcf"
	expect_status import 0
	expect_line import "^imported $pcf as profile 'quizware' .* into $xdg/evc\$" \
		"import into the user's directory did not confirm"
	line=$(grep -c 'Secret Service' "${RIG_LOGS[import-stderr]}" || true)
	[[ $line -eq 1 ]] || fail "import said $line lines about the keyring, expected one: $(cat "${RIG_LOGS[import-stderr]}")"
	expect_line import-stderr "^evc: no keyring \(Secret Service\) is reachable here, so the secrets of profile 'quizware' are kept in owner-only files in $user_secrets\$" \
		"import did not say where the secrets went"
	grep -q 'autolaunch' "${RIG_LOGS[import-stderr]}" && fail "import passed D-Bus's autolaunch error on"
	mode_is "$user_secrets" 700
	mode_is "$user_secrets/quizware.group-key" 600
	[[ $(<"$user_secrets/quizware.group-key") == "$EVC_GROUP_KEY" ]] ||
		fail "$user_secrets/quizware.group-key does not hold the group key"
	grep -q -x -F "group_key = file:$user_secrets/quizware.group-key" "$xdg/evc/quizware.profile" ||
		fail "the profile does not refer to the file: $(cat "$xdg/evc/quizware.profile")"
	no_secret "$xdg/evc/quizware.profile" "the profile file"
	no_secret "${RIG_LOGS[import-stderr]}" "import's stderr"

	pw=$(evc_secret password "$EVC_PASSWORD")
	start_evc evc --group "$EVC_GROUP" --password-file "$pw"
	connected evc evc0
	disconnected evc

	evc_cmd remove profile remove quizware
	expect_status remove 0
	[[ ! -e $user_secrets/quizware.group-key ]] || fail "remove left the group key file behind"
	evs_stop
}

# =================================================================== learn
run_learn() {
	local conf prof_file pw_file
	prof_file=$profiles/office.profile
	pw_file=$secrets/office.password
	rig_topology_std
	conf=$(evs_conf_variant evs-learn.conf \
		'/^ domain quizware.com$/a\ save-password\n backup-gateway 198.51.100.77\n backup-gateway vpn3.quizware.example')
	grep -q '^ backup-gateway vpn3.quizware.example$' "$conf" || fail "internal: no backup-gateway in $conf"
	evs_start "$conf"
	cat >"$RIG_DIR/office.conf" <<-EOF || fail "cannot write office.conf"
		IPSec gateway $RIG_GW_ADDR
		IPSec ID $EVC_GROUP
		IPSec secret $EVC_GROUP_KEY
		Xauth username $EVC_USER
		Xauth password $EVC_PASSWORD
	EOF
	evc_cmd import profile import "$RIG_DIR/office.conf" --name office "${P[@]}"
	expect_status import 0
	mode_is "$pw_file" 600
	grep -q -x -F "password = file:$pw_file" "$prof_file" || fail "the import did not store the password: $(cat "$prof_file")"

	# ---- save-password allowed: kept; the backup servers remembered
	start_evc evc-allowed --profile office "${P[@]}"
	connected evc-allowed evc0
	grep -q -x -F "evc: profile 'office' now also tries the gateway's backup servers 198.51.100.77, vpn3.quizware.example" \
		"${RIG_LOGS[evc-allowed]}" || fail "evc did not say it remembered the backup servers: $(cat "${RIG_LOGS[evc-allowed]}")"
	disconnected evc-allowed
	grep -q -x -F "save_password = yes" "$prof_file" || fail "the profile does not record save-password: $(cat "$prof_file")"
	grep -q -x -F "pushed_backup_gateways = 198.51.100.77, vpn3.quizware.example" "$prof_file" ||
		fail "the profile does not remember the pushed backup servers: $(cat "$prof_file")"
	grep -q -x -F "password = file:$pw_file" "$prof_file" || fail "the password reference went away: $(cat "$prof_file")"
	[[ $(<"$pw_file") == "$EVC_PASSWORD" ]] || fail "the stored password changed or went away"

	# ---- the gateway stops allowing it: deleted, asked for from now on
	evs_stop
	evs_start
	start_evc evc-refused --profile office "${P[@]}"
	connected evc-refused evc0
	grep -q -F "evc: the gateway does not let group $EVC_GROUP save its password (save-password): the stored password of profile 'office' was deleted" \
		"${RIG_LOGS[evc-refused]}" || fail "evc did not say it deleted the password: $(cat "${RIG_LOGS[evc-refused]}")"
	disconnected evc-refused
	[[ ! -e $pw_file ]] || fail "the stored password is still there without save-password"
	grep -q -x -F "password = prompt" "$prof_file" || fail "the profile does not ask for the password now: $(cat "$prof_file")"
	grep -q -x -F "save_password = no" "$prof_file" || fail "the profile does not record save-password = no"
	grep -q "^pushed_backup_gateways" "$prof_file" && fail "backup servers the gateway no longer pushes are still remembered"
	evs_stop
}

P=(--profile-dir "$profiles")
case $mode in
cli) run_cli ;;
connect) run_connect ;;
nokeyring) run_nokeyring ;;
learn) run_learn ;;
esac
sanitizer_check
rig_note "PASS"
