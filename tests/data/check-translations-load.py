#!/usr/bin/env python3
# The build tree's translations load: lightwork-cli --help, run from the
# build tree under LANGUAGE=de (and es), speaks German (Spanish) with
# LIGHTWORK_LOCALEDIR naming build/po, as tools/dev.sh run and the tests
# set it (without it, the compiled-in install prefix is asked: nothing there
# before `meson install`).
#
# Usage: check-translations-load.py LIGHTWORK_CLI BUILD_PO_DIR

import os
import subprocess
import sys

EXPECT = {
    'de': 'Aufruf: lightwork-cli BEFEHL',
    'es': 'Uso: lightwork-cli ORDEN',
}


def run_help(cli, lang, localedir):
    env = dict(os.environ)
    # LANGUAGE is ignored under the "C" locale; C.UTF-8 is always there.
    env.update({'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8', 'LANGUAGE': lang})
    env.pop('LIGHTWORK_LOCALEDIR', None)
    if localedir is not None:
        env['LIGHTWORK_LOCALEDIR'] = localedir
    proc = subprocess.run([cli, '--help'], env=env, capture_output=True, text=True, timeout=30)
    return proc.stdout + proc.stderr


def main():
    cli, po_dir = sys.argv[1], sys.argv[2]
    bad = 0
    english = run_help(cli, 'en', po_dir)
    if 'Usage: lightwork-cli COMMAND' not in english:
        print('not ok: English help lacks its usage line:\n' + english)
        bad += 1
    for lang in ('de', 'es'):
        mo = os.path.join(po_dir, lang, 'LC_MESSAGES', 'lightwork.mo')
        if not os.path.exists(mo):
            print('not ok: no compiled catalogue at ' + mo)
            bad += 1
            continue
        text = run_help(cli, lang, po_dir)
        if EXPECT[lang] not in text or text == english:
            print('not ok: LANGUAGE=%s help is not translated:\n%s' % (lang, text))
            bad += 1
        else:
            print('ok: LANGUAGE=%s: %s' % (lang, text.splitlines()[0]))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
