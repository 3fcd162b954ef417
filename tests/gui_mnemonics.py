#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""evc-gui from the keyboard alone, in every language: within each window and dialog of
gui/evc-gui.ui, no two mnemonics (the letter after '_' in a label) are the same letter, in
English and in each catalogue of po/LINGUAS; and every translation of a label with a mnemonic
has one. Two controls on one letter make Alt+letter cycle between them instead of acting.

usage: gui_mnemonics.py SOURCE_DIR      Exit: 0 pass, 1 a collision or a lost mnemonic."""
import os
import re
import sys
import xml.etree.ElementTree as ET


def po_catalogue(path):
    """msgid -> msgstr of a .po file (the plain entries; no plurals, no contexts)."""
    cat, key, cur, field = {}, None, None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.match(r'(msgid|msgstr) "(.*)"$', line)
            if m:
                if m.group(1) == "msgid":
                    key, cur, field = m.group(2), None, "id"
                else:
                    cur, field = m.group(2), "str"
            elif line.startswith('"') and field == "id":
                key += line[1:-1]
            elif line.startswith('"') and field == "str":
                cur += line[1:-1]
            elif not line and key is not None:
                if cur:
                    cat[unescape(key)] = unescape(cur)
                key, cur, field = None, None, None
        if key is not None and cur:
            cat[unescape(key)] = unescape(cur)
    return cat


def unescape(s):
    return s.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def mnemonic(label):
    m = re.search(r"_(\w)", label)
    return m.group(1).lower() if m else None


def windows(ui):
    """Each top-level window or dialog of the .ui: its id and its translatable labels with '_'."""
    for top in ET.parse(ui).getroot().findall("object"):
        labels = [p.text for p in top.iter("property")
                  if p.get("name") == "label" and p.get("translatable") == "yes"
                  and p.text and "_" in p.text]
        if labels:
            yield top.get("id"), labels


def main():
    src = sys.argv[1]
    ui = os.path.join(src, "gui", "evc-gui.ui")
    langs = [("en", {})]
    with open(os.path.join(src, "po", "LINGUAS")) as f:
        for lang in f.read().split():
            if not lang.startswith("#"):
                langs.append((lang, po_catalogue(os.path.join(src, "po", lang + ".po"))))
    bad = 0
    for lang, cat in langs:
        for wid, labels in windows(ui):
            seen = {}
            for en in labels:
                text = cat.get(en, en)
                key = mnemonic(text)
                if key is None:
                    print(f"{lang}: {wid}: '{text}' (for '{en}') has no mnemonic")
                    bad = 1
                    continue
                if key in seen:
                    print(f"{lang}: {wid}: Alt+{key.upper()} is both '{seen[key]}' and '{text}'")
                    bad = 1
                seen[key] = text
    if not bad:
        print(f"mnemonics distinct in {', '.join(l for l, _ in langs)} "
              f"for {sum(1 for _ in windows(ui))} windows")
    return bad


if __name__ == "__main__":
    sys.exit(main())
