#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Translations stay complete:
#  1. every user-visible string of the CLI and the GUI sources is marked with _() (po/mark.py
#     finds the text argument of printf, fprintf, snprintf into an error, plat_fail, FAIL,
#     prof_emit, ... made of literals; see its header for what is text for programs instead);
#  2. po/evc.pot has exactly the strings the sources mark (regenerate: the evc-pot target);
#  3. each catalogue of po/LINGUAS, merged with those strings, has no untranslated and no
#     fuzzy entry, and msgfmt --check accepts it (format directives match the English).
# Usage: tests/i18n-check.sh   Exit: 0 pass, 1 fail, 77 skipped (no gettext tools).
set -u
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." || exit 1
for t in xgettext msgmerge msgfmt python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing (Debian package gettext)"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

# the sources in scope: the CLI and what it prints (client/, client/core/ but status.c, whose
# `evc status` lines scripts read; profiles/, platform/) and the GUI
scope=()
for f in client/*.c client/core/*.c profiles/*.c platform/*.c gui/*.c gui/core/*.c; do
	[[ -e $f && $f != client/core/status.c ]] && scope+=("$f")
done
if ! python3 po/mark.py "${scope[@]}" >"$tmp/unmarked"; then
	echo "strings not marked for translation (wrap them in _(), or run po/mark.py --fix FILE):"
	cat "$tmp/unmarked"
	bad=1
fi

# the same xgettext call as po/CMakeLists.txt
sources=()
for f in client/*.c client/core/*.c gui/*.c gui/*.desktop.in gui/*.ui gui/core/*.c lib/*.c \
	platform/*.c profiles/*.c; do
	[[ -e $f ]] && sources+=("$f")
done
xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=ngettext:1,2 \
	--add-comments=TRANSLATORS: --package-name=evc --sort-by-file -o "$tmp/evc.pot" \
	"${sources[@]}" 2>"$tmp/xgettext.log" || { cat "$tmp/xgettext.log"; exit 1; }
ids() { msgcat --no-location --no-wrap --sort-output "$1" 2>/dev/null | grep -E '^msgid' ; }
if ! diff <(ids po/evc.pot) <(ids "$tmp/evc.pot") >"$tmp/pot.diff"; then
	echo "po/evc.pot is out of date (cmake --build BUILD --target evc-pot evc-update-po):"
	head -n 20 "$tmp/pot.diff"
	bad=1
fi

while read -r lang; do
	[[ $lang =~ ^[a-z] ]] || continue
	msgmerge --quiet --no-fuzzy-matching -o "$tmp/$lang.po" "po/$lang.po" "$tmp/evc.pot" ||
		{ echo "po/$lang.po: msgmerge failed"; bad=1; continue; }
	if ! msgfmt --check -o /dev/null "$tmp/$lang.po" 2>"$tmp/$lang.check"; then
		echo "po/$lang.po: msgfmt --check:"
		head -n 20 "$tmp/$lang.check"
		bad=1
	fi
	stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
	if [[ $stats == *untranslated* || $stats == *fuzzy* ]]; then
		echo "po/$lang.po is not complete: $stats"
		msgattrib --untranslated --only-fuzzy --no-location "$tmp/$lang.po" 2>/dev/null | head -n 20
		msgattrib --untranslated --no-location "$tmp/$lang.po" 2>/dev/null | grep '^msgid' | head -n 10
		bad=1
	else
		echo "po/$lang.po: $stats"
	fi
done <po/LINGUAS
exit $bad
