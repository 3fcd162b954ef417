#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `LANGUAGE=de evc connect ...` speaks German (and fr, es their languages): the error for a group
# no profile has, from the built evc with the built catalogues (EVC_LOCALEDIR), with LANG unset
# as in a root shell and with LANG=C.UTF-8; English without LANGUAGE, with LC_ALL=C, and where
# the catalogue directory holds nothing.
# Usage: tests/i18n-lang.sh BUILD_DIR    Exit: 0 pass, 1 fail, 77 skipped (no catalogues built).
set -u
build=$(cd -- "${1:?usage: $0 BUILD_DIR}" && pwd) || exit 1
evc=$build/client/evc
locale=$build/locale
[[ -f $locale/de/LC_MESSAGES/evc.mo ]] || { echo "SKIP: no catalogues in $locale (gettext missing)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
bad=0

# run LANGUAGE EXPECTED [ENV...]: evc connect --group nosuch fails with EXPECTED on stderr
run() {
	local lang=$1 want=$2 out rc
	shift 2
	out=$(env -u LC_ALL -u LC_MESSAGES -u LANG ${lang:+LANGUAGE=$lang} EVC_LOCALEDIR="$locale" "$@" \
		"$evc" connect --group nosuch --profile-dir "$dir" 2>&1)
	rc=$?
	if [[ $rc -ne 1 || $out != "$want" ]]; then
		echo "FAIL: LANGUAGE=${lang:-unset} $*: exit $rc, got: $out"
		echo "      expected: $want"
		bad=1
	fi
}
de="evc: kein Profil hat die Gruppe 'nosuch' (importieren Sie eines mit 'evc profile import DATEI', oder geben Sie --gateway HOST an)"
fr="evc: aucun profil n'a le groupe 'nosuch' (importez-en un avec 'evc profile import FICHIER', ou indiquez --gateway HÔTE)"
es="evc: ningún perfil tiene el grupo 'nosuch' (importe uno con 'evc profile import ARCHIVO', o indique --gateway EQUIPO)"
en="evc: no profile has group 'nosuch' (import one with 'evc profile import FILE', or give --gateway HOST)"
run de "$de"
run de "$de" LANG=C.UTF-8
run fr "$fr" LANG=C.UTF-8
run es "$es"
run "" "$en" LANG=C.UTF-8
run de "$en" LC_ALL=C
# no catalogue where EVC_LOCALEDIR points: English, nothing else changes
out=$(env -u LC_ALL -u LANG LANGUAGE=de EVC_LOCALEDIR="$dir" "$evc" connect --group nosuch \
	--profile-dir "$dir" 2>&1)
[[ $out == "$en" ]] || { echo "FAIL: without a catalogue: $out"; bad=1; }
[[ $bad -eq 0 ]] && echo "PASS: de, fr, es and English"
exit $bad
