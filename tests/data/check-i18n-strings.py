#!/usr/bin/env python3
# Fails, naming file and line, when a translatable string cannot be
# translated as written: a literal glued to a macro inside _() or N_()
#   _("There is no job %" G_GINT64_FORMAT)
# reaches xgettext as "There is no job %" (it does not expand macros), so
# the catalogue holds a fragment and the full string is never found at run
# time. gettext understands the <inttypes.h> macros (PRId64, PRIu64, …)
# only, so those are allowed; G_GINT64_FORMAT and friends are not.
#
# Usage: check-i18n-strings.py SOURCE_ROOT

import os
import re
import sys

START = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_)\s*\(')
INTTYPES = re.compile(r'^PRI[diouxX](?:8|16|32|64|MAX|PTR|FAST(?:8|16|32|64)|LEAST(?:8|16|32|64))$')
TOKEN = re.compile(r'\s+|/\*.*?\*/|//[^\n]*|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|.', re.S)


def problems(text):
    for m in START.finditer(text):
        pos = m.end()
        depth = 0
        last = None  # 'str' or 'id' of the previous token at depth 0
        while pos < len(text):
            t = TOKEN.match(text, pos)
            tok = t.group(0)
            pos = t.end()
            if tok.isspace() or tok.startswith('/*') or tok.startswith('//'):
                continue
            if tok == '(':
                depth += 1
            elif tok == ')':
                if depth == 0:
                    break
                depth -= 1
            if depth:
                last = None
                continue
            if tok.startswith('"'):
                if last == 'id':
                    yield m.start()
                    break
                last = 'str'
            elif re.match(r'[A-Za-z_]', tok):
                if last == 'str' and not INTTYPES.match(tok):
                    yield m.start()
                    break
                last = 'id' if not INTTYPES.match(tok) else 'str'
            else:
                last = None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('LW_SOURCE_DIR', '.')
    with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        listed = [l.strip() for l in f if l.strip() and not l.lstrip().startswith('#')]
    bad = []
    for path in listed:
        if not path.endswith('.c'):
            continue
        try:
            with open(os.path.join(root, path), encoding='utf-8', errors='replace') as f:
                text = f.read()
        except FileNotFoundError:
            continue  # check-potfiles.py reports it
        for offset in problems(text):
            line = text.count('\n', 0, offset) + 1
            snippet = text[offset:text.find('\n', offset)].strip()
            bad.append('%s:%d: %s' % (path, line, snippet))
    if bad:
        print('These translatable strings are glued to a macro xgettext cannot expand, so they')
        print('can never be translated (use PRId64 from <inttypes.h>, or a %s with a formatted value):')
        for b in bad:
            print('  ' + b)
    print('%d untranslatable string(s)' % len(bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
