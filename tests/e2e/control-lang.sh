#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The desktop daemon answers in the caller's language (client/daemon_lang.c) while it runs in
# English: `LANGUAGE=de evc disconnect` and `LANGUAGE=fr evc connect` against it print German
# and French, the same commands without LANGUAGE print English afterwards (the switch was
# undone, nothing cached), and the control protocol's "lang" in hello and in a command
# (tests/e2e/ctl_peers.py lang). The daemon's own journal stays English all along.
#
# Usage: tests/e2e/control-lang.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-control-lang" "${1:-}"
rig_require_cmd python3
locale=$(dirname -- "$EVC_BIN")/../locale
if [[ ! -f $locale/de/LC_MESSAGES/evc.mo ]]; then
	rig_note "SKIP: no catalogues in $locale (gettext missing)"
	exit 77
fi
locale=$(cd -- "$locale" && pwd)
rig_topology_std

ctl=$RIG_DIR/run/daemon.sock
rig_log evcd-stderr >/dev/null
_evcs_wrap evcd
# the daemon in English, as systemd starts it: LANG=C, no LANGUAGE
# shellcheck disable=SC2016 # expanded by that sh, not here
rig_spawn_isolated evcd client setsid env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=C \
	EVC_LOCALEDIR="$locale" sh -c 'exec "$@" 2>>"$0"' "${RIG_LOGS[evcd-stderr]}" \
	"${EVCS_WRAP[@]}" "$EVC_BIN" daemon --profile-dir "$RIG_DIR/profiles" --control "$ctl" \
	--state-file "$RIG_DIR/evc.state"
evcd=$(rig_pid evcd)
wait_for_log -p "$evcd" "${RIG_LOGS[evcd-stderr]}" "waiting for connect on $ctl" 10

# ask LANGUAGE WANT ARGS...: `evc ARGS --control SOCKET` as a user with LANGUAGE (empty: none)
# prints WANT
ask() {
	local lang=$1 want=$2 out
	shift 2
	out=$(rig_exec client env -u LC_ALL -u LC_MESSAGES -u LANG ${lang:+LANGUAGE=$lang} \
		EVC_LOCALEDIR="$locale" "$EVC_BIN" "$@" --control "$ctl" 2>&1) || true
	[[ $out == "$want" ]] || fail "LANGUAGE=${lang:-unset} evc $*: got '$out', not '$want'"
	rig_note "LANGUAGE=${lang:-unset} evc $*: $out"
}
ask de "nicht verbunden" disconnect
ask fr "aucun profil à connecter : nommez-en un dans une commande connect du protocole de contrôle (evc-gui)" connect
ask "" "not connected" disconnect
ask es "no conectado" disconnect
ask "" "no profile to connect: name one in a connect command of the control protocol (evc-gui)" connect

rig_log peers >/dev/null
rig_log peers-stderr >/dev/null
st=0
rig_exec client timeout 60 python3 "$here/ctl_peers.py" lang "$ctl" >"${RIG_LOGS[peers]}" \
	2>"${RIG_LOGS[peers-stderr]}" || st=$?
[[ $st == 0 ]] || fail "the protocol's lang: $(cat "${RIG_LOGS[peers]}" "${RIG_LOGS[peers-stderr]}")"
sed "s/^/  /" "${RIG_LOGS[peers]}" >&2
ask "" "not connected" disconnect

# the journal: English, also right after the Spanish session opened
grep -q -F "evc: a session opened on the control socket (uid 0)" "${RIG_LOGS[evcd-stderr]}" ||
	fail "the daemon's journal is not English: $(cat "${RIG_LOGS[evcd-stderr]}")"
! grep -q -i -E "sitzung|sesión|socket de contrôle" "${RIG_LOGS[evcd-stderr]}" ||
	fail "the daemon's journal took a caller's language: $(cat "${RIG_LOGS[evcd-stderr]}")"

rig_alive "$evcd" || fail "the daemon ended: $(cat "${RIG_LOGS[evcd-stderr]}")"
rig_kill evcd 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the daemon exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
sanitizer_check
rig_note "PASS"
