#!/usr/bin/env python3
# Fails, naming them, when a tracked file with translatable strings is not
# listed in po/POTFILES.in, or when POTFILES.in lists a file that does not
# exist (xgettext would stop there).
#
# Usage: check-potfiles.py [SOURCE_ROOT]   (default: $LW_SOURCE_DIR)

import os
import re
import subprocess
import sys

# _("…"), N_("…"), C_("ctx", "…"), NC_(…), Q_(…) and the g_d*gettext family,
# not an identifier that merely ends in an underscore (foo_(…)).
C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_|g_dgettext|g_dngettext|g_dpgettext2?)\s*\(')
UI_MARK = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')
# Strings in tests and benchmarks are never shown to a user.
NOT_SHIPPED = ('tests/', 'bench/', 'subprojects/')
# Desktop integration files are merged with translations at build time.
DATA_SUFFIXES = ('.desktop.in', '.metainfo.xml.in')


def tracked_files(root):
    try:
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z'],
                             check=True, capture_output=True).stdout
        return [p for p in out.decode().split('\0') if p]
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (a release tarball): every file is "tracked".
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames
                           if not d.startswith('.') and not d.startswith('build')]
            for name in filenames:
                files.append(os.path.relpath(os.path.join(dirpath, name), root))
        return files


def needs_translation(root, path):
    if path.startswith(NOT_SHIPPED):
        return False
    if path.endswith(DATA_SUFFIXES):
        return True
    if not path.endswith(('.c', '.ui')):
        return False
    try:
        with open(os.path.join(root, path), encoding='utf-8', errors='replace') as f:
            text = f.read()
    except FileNotFoundError:
        return False  # deleted in the working tree, not yet in the index
    mark = UI_MARK if path.endswith('.ui') else C_MARK
    return mark.search(text) is not None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('LW_SOURCE_DIR')
    if not root:
        print('usage: check-potfiles.py SOURCE_ROOT (or set LW_SOURCE_DIR)', file=sys.stderr)
        return 2
    with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        listed = [line.strip() for line in f
                  if line.strip() and not line.lstrip().startswith('#')]

    ok = True
    # Harmless to xgettext (two people appending the same line), so only said.
    duplicates = sorted({p for p in listed if listed.count(p) > 1})
    if duplicates:
        print('note: po/POTFILES.in lists these more than once: ' + ', '.join(duplicates))

    stale = [p for p in listed if not os.path.exists(os.path.join(root, p))]
    if stale:
        print('po/POTFILES.in lists files that do not exist:')
        for p in stale:
            print('  ' + p)
        ok = False

    wanted = sorted(p for p in tracked_files(root) if needs_translation(root, p))
    missing = [p for p in wanted if p not in listed]
    if missing:
        print('These files have translatable strings but are missing from po/POTFILES.in:')
        for p in missing:
            print('  ' + p)
        ok = False

    print('%d files with translatable strings, %d listed' % (len(wanted), len(listed)))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
