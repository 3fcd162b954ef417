#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Backup gateways: a profile (imported from a Cisco .pcf with EnableBackup and BackupServer)
# names a gateway that does not answer and evs as its backup. evc reports the silent gateway,
# says it tries the backup, connects there, and traffic flows.
#
# Usage: tests/e2e/backup.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-backup" "${1:-}"
rig_topology_std
evs_start

dead=198.51.100.99 # on the client's link, but nobody has it
profiles=$RIG_DIR/profiles
printf '[main]\r\nHost=%s\r\nAuthType=1\r\nGroupName=%s\r\nGroupPwd=%s\r\nUsername=%s\r\nEnableBackup=1\r\nBackupServer=%s\r\n' \
	"$dead" "$EVC_GROUP" "$EVC_GROUP_KEY" "$EVC_USER" "$RIG_GW_ADDR" |
	iconv -f UTF-8 -t UTF-16 >"$RIG_DIR/office.pcf"
evc_cmd import profile import "$RIG_DIR/office.pcf" --profile-dir "$profiles"
[[ $EVC_CMD_STATUS == 0 ]] || fail "the .pcf with a backup server did not import: $(cat "${RIG_LOGS[import-stderr]}")"
grep -q -x "backup_gateways = $RIG_GW_ADDR" "$profiles/office.profile" ||
	fail "the imported profile has no backup gateway: $(cat "$profiles/office.profile")"

pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --group "$EVC_GROUP" --profile-dir "$profiles" --password-file "$pw" \
	--state-file "$RIG_DIR/evc.state"
# about 30 s of retransmissions to the silent gateway, then the backup
evc_wait_connected evc 60
err=${RIG_LOGS[evc-stderr]}
grep -q "no answer from the gateway $dead" "$err" || fail "evc did not report the silent gateway: $(cat "$err")"
grep -q -x "evc: trying the backup gateway $RIG_GW_ADDR" "$err" ||
	fail "evc did not say it tries the backup: $(cat "$err")"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel to the backup gateway"
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evc_tun_gone client
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
