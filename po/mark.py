#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Finds, and with --fix marks with _(), the user-visible string literals of evc's C sources:
the format (or text) argument of the calls listed in CALLS when it is made of string literals
only. Used by tests/i18n-check.sh (without --fix: lists what is not marked, exit 1) and by hand
(with --fix: wraps them, then clang-format the file).

A literal with nothing to translate (format directives, punctuation, the program names) is left
alone; so is a line carrying the comment "i18n: no" (text for scripts or files, not people)."""
import re
import sys

# function -> index of the argument that is the text for people
CALLS = {
    'printf': 0, 'fprintf': 1, 'fputs': 0, 'puts': 0, 'snprintf': 2, 'vsnprintf': 2,
    'plat_fail': 3, 'plat_failx': 3, 'fail': 3, 'bad': 2, 'FAIL': 0, 'prof_emit': 4,
    'say': 2, 'note': 2, 'notef': 2, 'evc_session_fail': 2, 'evc_session_log': 2,
    'rekey_give_up': 1, 'term_error': 0, 'term_note': 1, 'report_err': 1,
}
WORD = re.compile(r'[A-Za-z]{2,}')
SPEC = re.compile(r'%[-+ #0]*[0-9*]*(?:\.[0-9*]+)?(?:hh|h|ll|l|z|j|t|L)?[a-zA-Z%]')
NAMES = {'evc', 'evs', 'gw', 'ms', 'KB', 'kB', 'GB', 'MB'}
# Text for programs, not people: the control socket's plain answers (scripts and evc-gui read
# them), by file and the start of the literal.
SKIP = {
    'client/core/client.c': ('disconnecting', 'this evc does not reconnect', 'connecting to %s',
                             'already connecting', 'already disconnected',
                             'unknown command'),
    # routes as ip(8) writes them, inside messages
    'platform/netcfg.c': ('ifindex %d', '%s/%u via'),
    'platform/netwatch.c': ('default via', 'no route, %s', 'from %s dev'),
    # `evc profile show --show-secrets`: profile syntax
    'profiles/secrets.c': ('# %s (revealed)',),
    # evc-gui -v: what the window shows, for tests/e2e/gui.sh to wait on
    'gui/window.c': ('error: %s', 'evc-gui: shown: %s'),
}
# Streams and buffers that hold text for people; anything else (a file being written, an
# nftables command) is left alone.
STREAMS = {'stderr', 'stdout', 'out', 'tty'}
NOT_BUFFERS = {'cmd', 'path', 'buf_path', 'line_out'}


def scan_string(s, i):
    """s[i] == '"': index after the closing quote."""
    i += 1
    while s[i] != '"':
        i += 2 if s[i] == '\\' else 1
    return i + 1


def skip_ws_comments(s, i):
    while i < len(s):
        if s[i].isspace():
            i += 1
        elif s.startswith('//', i):
            i = s.index('\n', i)
        elif s.startswith('/*', i):
            i = s.index('*/', i) + 2
        else:
            break
    return i


def split_args(s, i):
    """s[i] == '(': list of (start, end) of each argument, and the index after ')'."""
    depth, start, args = 0, i + 1, []
    j = i
    while True:
        c = s[j]
        if c == '"':
            j = scan_string(s, j)
            continue
        if c == "'":
            j += 1
            while s[j] != "'":
                j += 2 if s[j] == '\\' else 1
            j += 1
            continue
        if s.startswith('/*', j):
            j = s.index('*/', j) + 2
            continue
        if s.startswith('//', j):
            j = s.index('\n', j)
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                args.append((start, j))
                return args, j + 1
        elif c == ',' and depth == 1:
            args.append((start, j))
            start = j + 1
        j += 1


def literal_only(s, a, b):
    """The argument s[a:b] is one or more string literals: their text, else None."""
    i = skip_ws_comments(s, a)
    if i >= b or s[i] != '"':
        return None
    text = ''
    while i < b and s[i] == '"':
        e = scan_string(s, i)
        text += s[i + 1:e - 1]
        i = skip_ws_comments(s, e)
    return text if i >= b else None


def wants_translation(text):
    t = SPEC.sub('X', text.replace('\\n', ' ').replace('\\t', ' ').replace('\\"', ' '))
    words = [w for w in WORD.findall(t) if w not in NAMES]
    # one token without blanks is a name, a path or a key, not a sentence
    return bool(words) and bool(re.search(r'[A-Za-z]\S*\s+\S*[A-Za-z]', t.strip()))


def process(path, fix):
    src = open(path, encoding='utf-8').read()
    out, pos, found = [], 0, []
    pat = re.compile(r'\b(' + '|'.join(CALLS) + r')\s*\(')
    for m in pat.finditer(src):
        if m.start() < pos:
            continue
        line_start = src.rfind('\n', 0, m.start()) + 1
        line = src[line_start:src.find('\n', m.start())]
        if line.lstrip().startswith(('#', '*', '/*', '//')) or 'i18n: no' in line:
            continue
        # not a declaration or definition of the function itself
        before = src[line_start:m.start()]
        if re.search(r'\b(static|int|void|bool|char|size_t)\b[^=;(]*$', before):
            continue
        try:
            args, end = split_args(src, m.end() - 1)
        except (ValueError, IndexError):
            continue
        k = CALLS[m.group(1)]
        if k >= len(args):
            continue
        first = src[args[0][0]:args[0][1]].strip()
        if m.group(1) == 'fprintf' and first not in STREAMS:
            continue
        if m.group(1) in ('snprintf', 'vsnprintf') and first in NOT_BUFFERS:
            continue
        a, b = args[k]
        text = literal_only(src, a, b)
        if text is None or not wants_translation(text):
            continue
        if any(path.endswith(f) and text.startswith(skip) for f, t in SKIP.items()
               for skip in t):
            continue
        lineno = src.count('\n', 0, a) + 1
        found.append((lineno, text))
        if fix:
            i = skip_ws_comments(src, a)
            j = b
            while src[j - 1].isspace():
                j -= 1
            out.append(src[pos:i])
            out.append('_(' + src[i:j] + ')')
            pos = j
    if fix and found:
        out.append(src[pos:])
        new = ''.join(out)
        if '#include "lib/i18n.h"' not in new:
            # after the last project include
            incs = list(re.finditer(r'^#include "[^"]+"\n', new, re.M))
            at = incs[-1].end() if incs else 0
            new = new[:at] + '#include "lib/i18n.h"\n' + new[at:]
        open(path, 'w', encoding='utf-8').write(new)
    return found


def main():
    fix = '--fix' in sys.argv
    files = [f for f in sys.argv[1:] if f != '--fix']
    bad = 0
    for f in files:
        for lineno, text in process(f, fix):
            if not fix:
                print(f'{f}:{lineno}: not marked for translation: "{text[:70]}"')
            bad += 1
    if fix:
        print(f'marked {bad} strings', file=sys.stderr)
        return 0
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
