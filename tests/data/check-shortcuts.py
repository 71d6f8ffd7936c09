#!/usr/bin/env python3
# Every accelerator in the window's shortcuts window (ui/gtk/help-overlay.ui)
# must be listed in the KEYBOARD SHORTCUTS section of lightwork(1), written
# the way the app's own tooltips write keys ("Ctrl+Shift+S").
#
# Usage: check-shortcuts.py SOURCE_ROOT

import html
import os
import re
import sys

MODIFIERS = {'Control': 'Ctrl', 'Primary': 'Ctrl', 'Shift': 'Shift', 'Alt': 'Alt', 'Super': 'Super'}
KEYS = {'question': '?', 'space': 'Space', 'bracketleft': '[', 'bracketright': ']', 'comma': ','}


def spell(accel):
    mods = re.findall(r'<(\w+)>', accel)
    key = re.sub(r'<\w+>', '', accel)
    key = KEYS.get(key, key.upper() if len(key) == 1 else key)
    return '+'.join([MODIFIERS.get(m, m) for m in mods] + [key])


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('LW_SOURCE_DIR', '.')
    overlay = open(os.path.join(root, 'ui', 'gtk', 'help-overlay.ui'), encoding='utf-8').read()
    man = open(os.path.join(root, 'docs', 'man', 'lightwork.1'), encoding='utf-8').read()
    section = man.split('.SH KEYBOARD SHORTCUTS', 1)
    if len(section) < 2:
        print('lightwork.1 has no KEYBOARD SHORTCUTS section')
        return 1
    section = section[1].split('\n.SH ', 1)[0]
    listed = set(re.findall(r'(?:(?:Ctrl|Shift|Alt|Super)\+)*(?:[A-Za-z0-9?]+|\?|\[|\]|,)', section.replace('\\-', '-')))

    accels = [html.unescape(a) for a in re.findall(r'<property name="accelerator">([^<]+)</property>', overlay)]
    if not accels:
        print('no accelerators found in help-overlay.ui')
        return 1
    missing = []
    for accel in accels:
        for part in accel.split('...'):
            # "<Control>1...<Control>9": both ends are listed.
            for one in part.split():
                name = spell(one)
                if name not in listed:
                    missing.append('%s (%s)' % (name, one))
    for m in missing:
        print('lightwork.1 does not list ' + m)
    print('%d shortcuts, %d missing from lightwork.1' % (len(accels), len(missing)))
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
