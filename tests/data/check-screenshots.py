#!/usr/bin/env python3
# Every screenshot the metainfo names must exist in docs/screenshots/ as a
# PNG: software centres show those files, fetched from the repository.
#
# Usage: check-screenshots.py SOURCE_ROOT

import os
import re
import sys


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('LW_SOURCE_DIR', '.')
    with open(os.path.join(root, 'data', 'io.lightwork.LightWork.metainfo.xml.in'), encoding='utf-8') as f:
        urls = re.findall(r'<image>([^<]+)</image>', f.read())
    if not urls:
        print('the metainfo names no screenshot')
        return 1
    bad = 0
    for url in urls:
        m = re.search(r'/(docs/screenshots/[^/]+\.png)$', url)
        if not m:
            print('not a docs/screenshots/*.png URL: ' + url)
            bad += 1
            continue
        path = os.path.join(root, m.group(1))
        try:
            with open(path, 'rb') as f:
                magic = f.read(8)
        except FileNotFoundError:
            print('missing: ' + m.group(1))
            bad += 1
            continue
        if magic != b'\x89PNG\r\n\x1a\n':
            print('not a PNG: ' + m.group(1))
            bad += 1
        else:
            print('ok: ' + m.group(1))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
