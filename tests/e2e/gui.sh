#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The desktop's daemon driven only through the control protocol (issue 10), by evc-gui's own
# code without its widgets (tests/e2e/gui_drive.c links gui/core: the protocol client and the
# model), running as an unprivileged user as evc-gui does:
#   - `evc daemon` without a profile, its socket open to one group (--control-group nogroup);
#   - nobody in that group connects the profile office of the daemon's store (no password
#     stored): a wrong password typed first is asked for again, the right one connects; the
#     banner is shown and accepted; the seven steps arrive as they happen; the model shows
#     the address, the split network, the gateway's save-password, time and byte counters
#     that move with a ping through the tunnel; `evc status --json` speaks the protocol;
#   - disconnect over the socket: the tunnel goes, the daemon stays;
#   - a declined banner disconnects, with the reason;
#   - a profile of the user's own (gateway, group, user and secrets in the command) connects;
#   - a uid outside the group is refused by the socket's mode, and by SO_PEERCRED when the
#     mode would let it in (chmod 0666); nothing it sends is acted on;
#   - evc-gui itself under Xvfb (see below), from the keyboard alone: connect, banner,
#     password asked again, save-password; a profile made (new), imported (.pcf and vpnc
#     .conf through GTK's file chooser), edited and deleted, each seen on disk; a .pcf that
#     does not parse refused in the window with the importer's reason, nothing touched; a
#     second evc-gui in the same session hands over to the first; the daemon stopped and
#     started again under the window: said in it, taken up again by itself;
#   - no daemon: the client says so in plain language;
#   - SIGTERM ends the daemon, the host restored and the socket removed.
#
# Usage: tests/e2e/gui.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-gui" "${1:-}"
rig_require_cmd python3
rig_require_cmd setpriv
DRIVE=$(dirname -- "$EVC_BIN")/../tests/e2e/gui_drive
[[ -x $DRIVE ]] || fail "no $DRIVE (configure with -DEVC_GUI=ON)"
NOBODY=65534
OTHER_GID=1 # daemon: not the socket's group
if ! getent group nogroup >/dev/null; then
	rig_note "SKIP: no group nogroup on this host"
	exit 77
fi

rig_topology_std
banner_text="Welcome to quizware, authorised users only."
conf=$(evs_conf_variant evs-gui.conf "s/^ acl 101\$/ acl 101\n banner #\n$banner_text\n#/" \
	'/^ domain quizware.com$/a\ save-password')
grep -q -F "$banner_text" "$conf" || fail "internal: no banner in $conf"
evs_start "$conf"

# the daemon's store: profile office, with the group key and no password
profiles=$RIG_DIR/profiles
cat >"$RIG_DIR/office.conf" <<CONF
IPSec gateway $RIG_GW_ADDR
IPSec ID $EVC_GROUP
IPSec secret $EVC_GROUP_KEY
Xauth username $EVC_USER
CONF
evc_cmd import profile import "$RIG_DIR/office.conf" --name office --profile-dir "$profiles"
[[ $EVC_CMD_STATUS == 0 ]] || fail "the profile did not import: $(cat "${RIG_LOGS[import-stderr]}")"

# what nobody may read: its secrets, the socket's directory
udir=$(mktemp -d /tmp/evc-gui.XXXXXX) || fail "cannot create a directory"
rig_on_cleanup rm -rf -- "$udir"
chmod 0755 "$udir"
printf '%s\n' "$EVC_PASSWORD" >"$udir/pw"
printf 'not-the-password\n' >"$udir/wrong"
printf '%s\n' "$EVC_GROUP_KEY" >"$udir/key"
chown "$NOBODY:$NOBODY" "$udir/pw" "$udir/wrong" "$udir/key"
chmod 0600 "$udir/pw" "$udir/wrong" "$udir/key"
ctl=$udir/run/daemon.sock # the daemon makes run/ (0700), then gives it to its group

rig_log evcd-stderr >/dev/null
# start_evcd: the daemon (again), ready on its socket; its pid in evcd
start_evcd() {
	local n0
	n0=$(grep -c "waiting for connect on $ctl" "${RIG_LOGS[evcd-stderr]}" || true)
	_evcs_wrap evcd
	# shellcheck disable=SC2016 # expanded by that sh, not here
	rig_spawn_isolated evcd client setsid sh -c 'exec "$@" 2>>"$0"' "${RIG_LOGS[evcd-stderr]}" \
		"${EVCS_WRAP[@]}" "$EVC_BIN" daemon --profile-dir "$profiles" --control "$ctl" \
		--control-group nogroup --state-file "$RIG_DIR/evc.state"
	evcd=$(rig_pid evcd)
	_evcd_ready() { [[ $(grep -c "waiting for connect on $ctl" "${RIG_LOGS[evcd-stderr]}") -gt $n0 ]]; }
	wait_for -p "$evcd" "the daemon waiting on $ctl" 10 _evcd_ready
}
start_evcd
[[ $(stat -c '%a %G' "$ctl") == "660 nogroup" ]] || fail "the socket is $(stat -c '%a %G' "$ctl"), not 660 nogroup"
[[ $(stat -c '%a %G' "$udir/run") == "710 nogroup" ]] || fail "the socket's directory is $(stat -c '%a %G' "$udir/run"), not 710 nogroup"
grep -q "open to root and group nogroup" "${RIG_LOGS[evcd-stderr]}" || fail "the daemon did not say who may use its socket"

# drive NAME [-u UID -g GID] ARGS...: gui_drive as nobody (group nogroup unless -g), in the
# client's namespace; stdout to log NAME; status in DRIVE_STATUS
drive() {
	local name=$1 gid=$NOBODY
	shift
	if [[ $1 == -g ]]; then
		gid=$2
		shift 2
	fi
	rig_log "$name" >/dev/null
	rig_log "$name-stderr" >/dev/null
	DRIVE_STATUS=0
	rig_exec client setpriv --reuid=$NOBODY --regid="$gid" --clear-groups -- \
		"$DRIVE" "$ctl" "$@" >"${RIG_LOGS[$name]}" 2>"${RIG_LOGS[$name-stderr]}" || DRIVE_STATUS=$?
	[[ $DRIVE_STATUS -ne $EVCS_SANITIZER_EXIT ]] || fail "gui_drive $* ended with a sanitizer report"
}
has() { grep -q -F -x -- "$2" "${RIG_LOGS[$1]}" || fail "$1 does not show '$2': $(cat "${RIG_LOGS[$1]}" "${RIG_LOGS[$1-stderr]}")"; }

# ---- connect the daemon's profile: password asked twice, banner accepted, live status
drive conn1 connect office --password-file "$udir/pw" --wrong-password-file "$udir/wrong" --banner accept
[[ $DRIVE_STATUS == 0 ]] || fail "connect through the protocol failed ($DRIVE_STATUS): $(cat "${RIG_LOGS[conn1]}" "${RIG_LOGS[conn1-stderr]}")"
has conn1 "prompt: password for $EVC_USER"
has conn1 "prompt: password for $EVC_USER (again)"
has conn1 "banner: $banner_text"
has conn1 "state: connected"
has conn1 "shown: Connected"
has conn1 "address: $EVC_POOL_FIRST"
has conn1 "network: 10.99.0.0/24"
has conn1 "save-password: allowed"
for s in 1 2 3 4 5 7; do has conn1 "steps-seen: $s"; done
# the steps came in order, each as it happened
[[ $(grep -o '^step [0-9]' "${RIG_LOGS[conn1]}" | awk '{print $2}' | sort -n -c 2>&1) == "" ]] ||
	fail "the steps did not arrive in order: $(grep '^step' "${RIG_LOGS[conn1]}")"
# the password never reaches the daemon's log or command line
! grep -q -F "$EVC_PASSWORD" "${RIG_LOGS[evcd]}" "${RIG_LOGS[evcd-stderr]}" /proc/"$evcd"/cmdline ||
	fail "the password shows in the daemon's log or command line"

ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel the protocol set up"
drive st1 status
[[ $DRIVE_STATUS == 0 ]] || fail "status through the protocol: $(cat "${RIG_LOGS[st1-stderr]}")"
bin=$(sed -n 's/^bytes-in: \([0-9]*\) .*/\1/p' "${RIG_LOGS[st1]}")
[[ ${bin:-0} -gt 0 ]] || fail "the byte counters did not move with the ping: $(cat "${RIG_LOGS[st1]}")"
js=$(rig_exec client "$EVC_BIN" status --json --control "$ctl" 2>&1) || fail "evc status --json: $js"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["reply"]=="status" and d["ok"], d; assert d["state"]=="connected", d; assert d["networks"]==["10.99.0.0/24"], d; assert d["bytes_in"]>0 and d["profile"]=="office", d' "$js" ||
	fail "evc status --json is not the protocol's status: $js"

# ---- disconnect over the socket: the tunnel goes, the daemon stays
drive dis1 disconnect
[[ $DRIVE_STATUS == 0 ]] || fail "disconnect: $(cat "${RIG_LOGS[dis1]}" "${RIG_LOGS[dis1-stderr]}")"
has dis1 "state: disconnected"
evs_wait_connections 0
evc_wait_tun_gone client
rig_alive "$evcd" || fail "the daemon ended on disconnect"

# ---- a declined banner disconnects, with the reason
drive conn2 connect office --password-file "$udir/pw" --banner decline
[[ $DRIVE_STATUS == 1 ]] || fail "a declined banner did not end the connection ($DRIVE_STATUS)"
has conn2 "banner: $banner_text"
grep -q '^error: .*banner' "${RIG_LOGS[conn2]}" || fail "no reason for the declined banner: $(cat "${RIG_LOGS[conn2]}")"
evc_wait_tun_gone client
evs_wait_connections 0

# ---- a profile of the user's own: everything in the command, secrets included
drive conn3 connect mine --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$udir/key" --password-file "$udir/pw" --banner accept --disconnect
[[ $DRIVE_STATUS == 0 ]] || fail "a user's own profile did not connect: $(cat "${RIG_LOGS[conn3]}" "${RIG_LOGS[conn3-stderr]}")"
has conn3 "profile: mine"
has conn3 "address: $EVC_POOL_FIRST"
evc_wait_tun_gone client

# ---- who may not: outside the group, refused by the mode; by SO_PEERCRED when the mode lets in
drive out1 -g $OTHER_GID status
[[ $DRIVE_STATUS == 3 ]] || fail "a uid outside the group was not refused ($DRIVE_STATUS)"
grep -q "add you to the group evc" "${RIG_LOGS[out1-stderr]}" || fail "no plain refusal: $(cat "${RIG_LOGS[out1-stderr]}")"
chmod 0666 "$ctl"
chmod 0711 "$udir/run"
drive out2 -g $OTHER_GID connect office --password-file "$udir/pw"
[[ $DRIVE_STATUS == 3 ]] || fail "SO_PEERCRED let uid $NOBODY without the group in ($DRIVE_STATUS): $(cat "${RIG_LOGS[out2]}")"
grep -q "uid $NOBODY is not allowed on this control socket: only root and members of group nogroup are" \
	"${RIG_LOGS[out2-stderr]}" "${RIG_LOGS[out2]}" || fail "no reason for the refusal: $(cat "${RIG_LOGS[out2]}" "${RIG_LOGS[out2-stderr]}")"
chmod 0660 "$ctl"
chmod 0710 "$udir/run"
! grep -q '^\[1/7\]' <(tail -n 3 "${RIG_LOGS[evcd]}") || fail "the refused client's connect was acted on"
evc_tun_gone client

# ---- evc-gui itself under Xvfb, as nobody: its window builds from evc-gui.ui (a builder
# error ends it), lists the user's profiles (one of them broken), opens a session with the daemon, and follows a
# connection that gui_drive makes: the banner dialog opens, and closes once the banner is
# answered elsewhere; the status shows the connection. Xvfb, the session bus and evc-gui are
# started one by one, so that each is stopped by its own pid. With -v evc-gui says what it
# shows once the X server has drawn it: the screenshots (build tree, screenshots/) are taken
# then, from Xvfb's frame buffer.
GUI_BIN=$(dirname -- "$EVC_BIN")/../gui/evc-gui
shots=$(dirname -- "$EVC_BIN")/../screenshots
if command -v Xvfb >/dev/null && command -v dbus-daemon >/dev/null && [[ -x $GUI_BIN ]]; then
	ghome=$udir/home
	mkdir -p "$ghome/profiles" "$udir/fb" "$shots"
	# the user's own office, its group key in the secret files beside it (the window sends
	# the profile whole, and the key with it)
	evc_cmd uimport profile import "$RIG_DIR/office.conf" --name office --profile-dir "$ghome/profiles"
	[[ $EVC_CMD_STATUS == 0 ]] || fail "the user's profile did not import: $(cat "${RIG_LOGS[uimport-stderr]}")"
	# a profile edited into nonsense: listed with why it does not load, nothing else hurt
	printf 'gateway = \nthis is = not a profile\n[main]\n' >"$ghome/profiles/broken.profile"
	chown -R "$NOBODY:$NOBODY" "$ghome"
	chmod 0700 "$ghome" "$ghome/profiles"
	chmod 0600 "$ghome/profiles/office.profile" "$ghome/profiles/broken.profile"
	rig_log xvfb >/dev/null
	# -displayfd: Xvfb picks a free display and writes its number (parallel runs do not collide)
	rig_spawn xvfb client sh -c 'exec Xvfb -displayfd 1 -ac -nolisten tcp -screen 0 1024x640x24 -nocursor -fbdir "$1" >"$0"' \
		"${RIG_LOGS[xvfb]}" "$udir/fb"
	wait_for -p "$(rig_pid xvfb)" "Xvfb's display number" 20 grep -q '^[0-9]' "${RIG_LOGS[xvfb]}"
	display=:$(head -n 1 "${RIG_LOGS[xvfb]}")
	rig_spawn bus client setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- \
		env -i PATH=/usr/bin:/bin HOME="$ghome" dbus-daemon --session --nofork --nopidfile --address="unix:path=$ghome/bus"
	wait_for -p "$(rig_pid bus)" "the session bus" 10 test -S "$ghome/bus"
	rig_log gui-stderr >/dev/null
	# shellcheck disable=SC2016 # expanded by that sh, not here
	rig_spawn gui client sh -c 'exec "$@" 2>>"$0"' "${RIG_LOGS[gui-stderr]}" \
		setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- \
		env -i PATH=/usr/bin:/bin HOME="$ghome" XDG_RUNTIME_DIR="$ghome" DISPLAY="$display" GSETTINGS_BACKEND=memory \
		DBUS_SESSION_BUS_ADDRESS="unix:path=$ghome/bus" "$GUI_BIN" -v --socket "$ctl" --profile-dir "$ghome/profiles"
	gui=$(rig_pid gui)
	wait_for_log -p "$gui" "${RIG_LOGS[evcd-stderr]}" "a session opened on the control socket \\(uid $NOBODY\\)" 30 \
		"evc-gui's session with the daemon"
	# wait_shown WHAT N: evc-gui has said "shown: WHAT" more than N times (counted, so that
	# a line of an earlier screen never stands in for the one awaited)
	nshown() { grep -c "^evc-gui: shown: $1\$" "${RIG_LOGS[gui-stderr]}" || true; }
	_more_shown() { [[ $(nshown "$1") -gt $2 ]]; }
	wait_shown() { wait_for -p "$gui" "evc-gui showing $1" 30 _more_shown "$1" "$2"; }
	# try_for SECS CMD...: CMD until it succeeds (0) or SECS have passed (1), polled
	try_for() {
		local end=$((SECONDS + $1))
		shift
		until "$@"; do
			((SECONDS < end)) || return 1
			sleep 0.05
		done
	}
	# screenshot NAME: the screen as it is now, into the build tree
	screenshot() {
		python3 "$here/xwd2png.py" "$udir/fb/Xvfb_screen0" "$shots/evc-gui-$1.png" ||
			fail "no screenshot $1"
	}
	wait_shown Disconnected 0
	screenshot main
	# a connection made elsewhere, followed by the window
	b0=$(nshown banner) c0=$(nshown Connected)
	rig_log drv >/dev/null
	rig_spawn drv client setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- \
		"$DRIVE" "$ctl" connect office --password-file "$udir/pw" --banner accept \
		--banner-after-file "$udir/banner-seen"
	wait_shown banner "$b0"
	screenshot banner
	touch "$udir/banner-seen"
	wait_for_exit drv 30
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the connection evc-gui followed did not come up: $(cat "${RIG_LOGS[drv]}")"
	wait_shown Connected "$c0"
	screenshot connected
	d0=$(nshown Disconnected)
	drive dis2 disconnect
	[[ $DRIVE_STATUS == 0 ]] || fail "disconnect: $(cat "${RIG_LOGS[dis2-stderr]}")"
	wait_shown Disconnected "$d0"
	# the user's own way, from the keyboard alone (mnemonics): the profile list (Alt+P), the
	# connect dialog (Alt+C), its password field (Alt+P), Enter; the banner accepted (Alt+A);
	# connected; disconnect (Alt+D)
	if command -v xdotool >/dev/null; then
		# key WINDOW-NAME KEYS...: keys to that window, focused (there is no window manager)
		# (bounded: xdotool's --sync alone would wait for ever)
		key() {
			local name=$1
			shift
			rig_exec client env DISPLAY="$display" timeout 10 xdotool search --sync --onlyvisible \
				--name "^$name\$" windowfocus --sync key --delay 50 "$@" >/dev/null 2>&1 ||
				fail "xdotool: no window '$name' to send $* to"
		}
		# select_profile NAME: from the keyboard (Alt+P, Home, the name typed into the list's
		# search), until the window says NAME is selected; Escape ends the search
		select_profile() {
			local n0
			n0=$(nshown "selected: $1")
			key "EasyVPN Client" alt+p Home type --delay 20 "$1"
			wait_shown "selected: $1" "$n0"
			key "EasyVPN Client" Escape
		}
		b0=$(nshown banner) c0=$(nshown Connected)
		# the second profile (the first is the broken one), then the connect dialog by Enter on
		# it (row activation; the Connect button's Alt+C is pressed further on)
		# the gateway allowed save-password the last time: evc-gui remembered it for office
		grep -q -x 'save-password-allowed=true' "$ghome/profiles/evc-gui.ini" ||
			fail "evc-gui did not remember the gateway's save-password: $(cat "$ghome/profiles/evc-gui.ini" 2>&1)"
		k0=$(nshown "connect dialog")
		key "EasyVPN Client" alt+p Home Down Return # Enter on a profile: its connect dialog
		wait_shown "connect dialog" "$k0"
		screenshot connect
		rig_exec client env DISPLAY="$display" timeout 10 xdotool search --sync --onlyvisible \
			--name '^Connect$' windowfocus --sync key alt+p type --delay 20 "wrong-$EVC_PASSWORD" \
			>/dev/null 2>&1 || fail "Alt+C opened no connect dialog to type the password into"
		key Connect alt+s # save password: offered, since the gateway allowed it last time
		# a wrong password: the gateway asks again, the window asks the user again
		p0=$(nshown "password prompt")
		key Connect Return
		wait_shown "password prompt" "$p0"
		screenshot password-again
		# the password typed into the prompt goes to lib/secret.c's pages (the entry's
		# buffer), and nowhere else: counted in evc-gui's memory before and after typing (the
		# wrong one, kept to be saved, is already there once)
		scan() { python3 "$here/secret_scan.py" "$gui" "$udir/pw" >"$RIG_DIR/scan.txt" 2>"$RIG_DIR/scan.err"; }
		in_dd() { sed -n 's/^dontdump //p' "$RIG_DIR/scan.txt"; }
		scan || fail "cannot read evc-gui's memory: $(cat "$RIG_DIR/scan.err")"
		dd0=$(in_dd)
		rig_exec client env DISPLAY="$display" timeout 10 xdotool search --sync --onlyvisible \
			--name '^Password$' windowfocus --sync type --delay 20 "$EVC_PASSWORD" >/dev/null 2>&1 ||
			fail "no password prompt to type into"
		_typed_in_secret_memory() { scan && [[ $(in_dd) -gt $dd0 ]]; }
		wait_for -p "$gui" "the typed password in evc-gui's secret memory" 10 _typed_in_secret_memory
		grep -q -x 'elsewhere 0 ' "$RIG_DIR/scan.txt" ||
			fail "the typed password is in evc-gui's ordinary memory: $(cat "$RIG_DIR/scan.txt")"
		key Password Return
		wait_shown banner "$b0"
		key "Message from the gateway" alt+a
		wait_shown Connected "$c0"
		screenshot connected-keyboard
		# sent, saved: no copy left in evc-gui's ordinary memory
		scan || fail "cannot read evc-gui's memory: $(cat "$RIG_DIR/scan.err")"
		grep -q -x 'elsewhere 0 ' "$RIG_DIR/scan.txt" ||
			fail "the password is left in evc-gui's ordinary memory once sent: $(cat "$RIG_DIR/scan.txt")"
		# saved, as the gateway allowed it again: in the profile's secret store, not the profile
		grep -q '^password *= *file:' "$ghome/profiles/office.profile" ||
			fail "the password was not saved: $(cat "$ghome/profiles/office.profile")"
		! grep -q -F "$EVC_PASSWORD" "$ghome/profiles/office.profile" || fail "the password is in the profile file"
		grep -q -r -F -x "$EVC_PASSWORD" "$ghome/profiles/secrets" ||
			fail "the password that worked is not the one saved in $ghome/profiles/secrets"
		d0=$(nshown Disconnected)
		key "EasyVPN Client" alt+d
		wait_shown Disconnected "$d0"
		evc_wait_tun_gone client
		# the saved password, loaded into the connect dialog again (Alt+C): in secret memory
		# alone; the dialog cancelled (its Alt+C)
		k0=$(nshown "connect dialog")
		select_profile office
		key "EasyVPN Client" alt+c
		wait_shown "connect dialog" "$k0"
		scan || fail "cannot read evc-gui's memory: $(cat "$RIG_DIR/scan.err")"
		if ! { [[ $(in_dd) -ge 1 ]] && grep -q -x 'elsewhere 0 ' "$RIG_DIR/scan.txt"; }; then
			fail "the saved password in the connect dialog is not in secret memory alone: $(cat "$RIG_DIR/scan.txt")"
		fi
		key Connect alt+c
		_no_window() { ! rig_exec client env DISPLAY="$display" xdotool search --onlyvisible --name "^$1\$" >/dev/null 2>&1; }
		wait_for -p "$gui" "the connect dialog closed" 10 _no_window Connect

		# ---- the profiles from the keyboard alone: new (Alt+N; its fields in Tab order),
		# import (Alt+I: GTK's file chooser, Ctrl+L, the path, Enter), edit (Alt+E; the
		# fields by their mnemonics), delete (Alt+L, Alt+Y). Each dialog is waited for
		# until evc-gui says it is painted, each result on disk.
		_has_file() { [[ -e $1 ]]; }
		_no_file() { [[ ! -e $1 ]]; }
		n0=$(nshown "new dialog")
		key "EasyVPN Client" alt+n
		wait_shown "new dialog" "$n0"
		key Profile type --delay 20 newone
		key Profile Tab type --delay 20 "$RIG_GW_ADDR"
		key Profile Tab type --delay 20 "$EVC_GROUP"
		key Profile Tab Tab type --delay 20 "$EVC_USER"
		key Profile Return
		wait_for -p "$gui" "the new profile's file" 10 _has_file "$ghome/profiles/newone.profile"
		grep -q "^gateway *= *$RIG_GW_ADDR\$" "$ghome/profiles/newone.profile" ||
			fail "the new profile: $(cat "$ghome/profiles/newone.profile")"
		if ! { grep -q "^group *= *$EVC_GROUP\$" "$ghome/profiles/newone.profile" && grep -q "^username *= *$EVC_USER\$" "$ghome/profiles/newone.profile"; }; then
			fail "the new profile's fields are not in their Tab order: $(cat "$ghome/profiles/newone.profile")"
		fi

		# import_file PATH [SHOT]: PATH through the import dialog, each step awaited
		import_file() {
			local n0
			n0=$(nshown "import dialog")
			key "EasyVPN Client" alt+i
			wait_shown "import dialog" "$n0"
			n0=$(nshown "import file: $1")
			key "Import a profile" ctrl+l type --delay 20 "$1"
			# GTK resolves the typed path in the background: Enter once it has. Under load
			# the path was lost once in a few dozen runs (the chooser still loading its
			# Recent view, we think): typed once more, said in the log, with a screenshot
			if ! try_for 10 _more_shown "import file: $1" "$n0"; then
				rig_note "the import dialog did not take $1 in 10 s: typed again (screen in $shots)"
				python3 "$here/xwd2png.py" "$udir/fb/Xvfb_screen0" "$shots/import-retry.png" || true
				key "Import a profile" ctrl+l ctrl+a BackSpace type --delay 20 "$1"
			fi
			wait_shown "import file: $1" "$n0"
			if [[ -n ${2:-} ]]; then screenshot "$2"; fi
			key "Import a profile" Return
		}
		# a Cisco VPN Client .pcf as it writes one (UTF-16LE, a byte order mark, CRLF), with
		# the group password in clear; a vpnc .conf; a .pcf that does not parse
		{
			printf '\xff\xfe'
			printf '%s\r\n' "[main]" "Description=Quizware office" "Host=$RIG_GW_ADDR" \
				"AuthType=1" "GroupName=$EVC_GROUP" "GroupPwd=$EVC_GROUP_KEY" \
				"Username=$EVC_USER" | iconv -f UTF-8 -t UTF-16LE
		} >"$udir/quizware.pcf"
		printf 'IPSec gateway %s\nIPSec ID %s\nIPSec secret %s\nXauth username %s\n' \
			"$RIG_GW_ADDR" "$EVC_GROUP" "$EVC_GROUP_KEY" "$EVC_USER" >"$udir/home.conf"
		printf 'Host=%s\r\nGroupName=%s\r\n' "$RIG_GW_ADDR" "$EVC_GROUP" >"$udir/broken.pcf"
		chown "$NOBODY:$NOBODY" "$udir/quizware.pcf" "$udir/home.conf" "$udir/broken.pcf"
		chmod 0600 "$udir/quizware.pcf" "$udir/home.conf" "$udir/broken.pcf"
		import_file "$udir/quizware.pcf" import
		wait_for -p "$gui" "the imported .pcf's profile" 20 _has_file "$ghome/profiles/quizware.profile"
		if ! { grep -q "^gateway *= *$RIG_GW_ADDR\$" "$ghome/profiles/quizware.profile" && grep -q "^group *= *$EVC_GROUP\$" "$ghome/profiles/quizware.profile"; }; then
			fail "the imported .pcf: $(cat "$ghome/profiles/quizware.profile")"
		fi
		! grep -q -F -- "$EVC_GROUP_KEY" "$ghome/profiles/quizware.profile" ||
			fail "the .pcf's group password is in the profile file"
		grep -q -r -F -x -- "$EVC_GROUP_KEY" "$ghome/profiles/secrets" ||
			fail "the .pcf's group password is not in $ghome/profiles/secrets"
		import_file "$udir/home.conf"
		wait_for -p "$gui" "the imported vpnc .conf's profile" 20 _has_file "$ghome/profiles/home.profile"
		grep -q "^username *= *$EVC_USER\$" "$ghome/profiles/home.profile" ||
			fail "the imported vpnc .conf: $(cat "$ghome/profiles/home.profile")"
		# the broken one: said in the window with the importer's reason; nothing else touched
		before=$(cd "$ghome/profiles" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
		e0=$(nshown "error: $udir/broken.pcf was not imported: .*no \[main\] section.*")
		import_file "$udir/broken.pcf"
		wait_shown "error: $udir/broken.pcf was not imported: .*no \[main\] section.*" "$e0"
		screenshot import-error
		after=$(cd "$ghome/profiles" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
		[[ $before == "$after" ]] || fail "a .pcf that did not import changed the profiles: $after"

		# edit quizware: found by the list's search, Alt+E; the dialog starts in the gateway
		# field; Alt+U and Alt+D reach the username and the description
		n0=$(nshown "edit dialog")
		select_profile quizware
		key "EasyVPN Client" alt+e
		wait_shown "edit dialog" "$n0"
		screenshot edit
		key Profile ctrl+a type --delay 20 203.0.113.7 # no mnemonic: the focus starts there
		key Profile alt+u ctrl+a type --delay 20 "other-$EVC_USER"
		key Profile alt+d ctrl+a type --delay 20 "Quizware HQ"
		_edited() { grep -q '^description *= *Quizware HQ$' "$ghome/profiles/quizware.profile"; }
		key Profile Return
		wait_for -p "$gui" "the edited profile on disk" 10 _edited
		if ! { grep -q "^username *= *other-$EVC_USER\$" "$ghome/profiles/quizware.profile" && grep -q "^gateway *= *203.0.113.7\$" "$ghome/profiles/quizware.profile"; }; then
			fail "the edit did not change the gateway (where the dialog starts), the username and the description: $(cat "$ghome/profiles/quizware.profile")"
		fi
		grep -q -r -F -x -- "$EVC_GROUP_KEY" "$ghome/profiles/secrets" ||
			fail "the edit lost the group key"

		# delete: the list's search finds newone, Alt+L, yes; then home
		for name in newone home; do
			n0=$(nshown "delete dialog")
			select_profile "$name"
			key "EasyVPN Client" alt+l
			wait_shown "delete dialog" "$n0"
			[[ $name == home ]] && screenshot delete
			key Delete alt+y
			wait_for -p "$gui" "the deleted profile $name gone" 10 _no_file "$ghome/profiles/$name.profile"
		done
		[[ -e $ghome/profiles/office.profile && -e $ghome/profiles/quizware.profile ]] ||
			fail "delete took another profile: $(ls "$ghome/profiles")"

		# ---- a second evc-gui in the same session: it hands over to this window, which
		# says so; no second session with the daemon, nothing of the window lost
		s0=$(grep -c "a session opened on the control socket" "${RIG_LOGS[evcd-stderr]}" || true)
		r0=$(nshown raised)
		rig_log gui2 >/dev/null
		rig_exec client setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- \
			env -i PATH=/usr/bin:/bin HOME="$ghome" XDG_RUNTIME_DIR="$ghome" DISPLAY="$display" \
			GSETTINGS_BACKEND=memory DBUS_SESSION_BUS_ADDRESS="unix:path=$ghome/bus" \
			timeout 20 "$GUI_BIN" -v --socket "$ctl" --profile-dir "$ghome/profiles" \
			>"${RIG_LOGS[gui2]}" 2>&1 || fail "a second evc-gui did not hand over: $(cat "${RIG_LOGS[gui2]}")"
		wait_shown raised "$r0"
		[[ $(grep -c "a session opened on the control socket" "${RIG_LOGS[evcd-stderr]}") == "$s0" ]] ||
			fail "a second evc-gui opened its own session with the daemon"
		! grep -q "shown:" "${RIG_LOGS[gui2]}" || fail "a second evc-gui showed a window of its own"

		# ---- the daemon goes away and comes back: the window says so, and takes it up again
		# by itself; the profiles are all there
		g0=$(nshown "error: the evc daemon closed the control socket.*")
		rig_kill evcd 10
		wait_shown "error: the evc daemon closed the control socket.*" "$g0"
		screenshot daemon-gone
		d0=$(nshown Disconnected)
		start_evcd
		wait_shown Disconnected "$d0"
		[[ -e $ghome/profiles/office.profile && -e $ghome/profiles/quizware.profile ]] ||
			fail "the profiles are not all there after the daemon came back: $(ls "$ghome/profiles")"
	else
		rig_note "evc-gui's keyboard path not run: needs xdotool"
	fi
	rig_alive "$gui" || fail "evc-gui ended: $(cat "${RIG_LOGS[gui-stderr]}")"
	! grep -E -q 'CRITICAL|WARNING|Failed to' "${RIG_LOGS[gui-stderr]}" ||
		fail "evc-gui complained: $(cat "${RIG_LOGS[gui-stderr]}")"
	rig_kill gui 10
	rig_kill bus 10
	rig_kill xvfb 10
	rig_note "screenshots of evc-gui in $shots"
else
	rig_note "evc-gui under Xvfb not run: needs Xvfb, dbus-daemon and -DEVC_GUI=ON"
fi

# ---- no daemon at all
rig_log nodaemon >/dev/null
out=$(rig_exec client setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- "$DRIVE" "$udir/none.sock" status 2>&1) &&
	fail "a missing daemon was not noticed"
grep -q "the evc daemon is not running" <<<"$out" || fail "no plain message for a missing daemon: $out"

rig_kill evcd 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the daemon exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
[[ ! -e $ctl ]] || fail "the daemon left its control socket"
evc_tun_gone client
evs_stop
sanitizer_check
rig_note "PASS"
