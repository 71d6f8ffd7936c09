#!/usr/bin/env python3
# Checks the Flatpak manifests without building anything or touching the
# network: each one parses (with flatpak-builder --show-manifest when it is
# installed, which also rejects unknown properties, and as strict JSON),
# asks for no permission beyond the allowed list, builds on the GNOME
# runtime, pins every downloaded source by version and sha256, and builds
# LightWork last, with meson.
#
# Usage: check-flatpak.py SOURCE_ROOT

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

APP_ID = 'io.lightwork.LightWork'
# Network for Gemini, ipc/wayland/fallback-x11/dri for a GTK window. Files
# come through the portals (file chooser, drag and drop, Save All) and the
# key through the secret portal, so no file system or bus access is needed.
ALLOWED_FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
}
VERSION_IN_URL = re.compile(r'[-_/]v?\d+(\.\d+)+(\.tar\.(xz|gz|bz2)|\.zip)$')
SHA256 = re.compile(r'^[0-9a-f]{64}$')

failures = []


def fail(manifest, message):
    failures.append('%s: %s' % (os.path.basename(manifest), message))


def load(path):
    with open(path, encoding='utf-8') as f:
        manifest = json.load(f)  # strict JSON, no comments or trailing commas
    tool = shutil.which('flatpak-builder')
    if tool:
        # It leaves a .flatpak-builder folder in its working directory.
        with tempfile.TemporaryDirectory(prefix='lw-flatpak-') as cwd:
            proc = subprocess.run([tool, '--show-manifest', os.path.abspath(path)],
                                  capture_output=True, text=True, cwd=cwd)
        if proc.returncode != 0:
            fail(path, 'flatpak-builder --show-manifest failed: ' + proc.stderr.strip())
        elif proc.stderr.strip():
            fail(path, 'flatpak-builder warns: ' + proc.stderr.strip())
        else:
            shown = json.loads(proc.stdout)
            if shown.get('id', shown.get('app-id')) != APP_ID:
                fail(path, 'flatpak-builder reads a different id')
    else:
        print('# flatpak-builder not installed: checked as JSON only')
    return manifest


def check_sources(path, module):
    for source in module.get('sources', []):
        if isinstance(source, str):
            fail(path, '%s: sources from other files are not allowed here' % module['name'])
            continue
        url = source.get('url')
        if url is None:
            continue
        if not url.startswith('https://'):
            fail(path, '%s: %s is not https' % (module['name'], url))
        if source.get('type') == 'git':
            if 'commit' not in source or ('tag' not in source and 'branch' not in source):
                fail(path, '%s: git source without tag and commit' % module['name'])
            continue
        if not VERSION_IN_URL.search(url):
            fail(path, '%s: %s does not name a release version' % (module['name'], url))
        if not SHA256.match(source.get('sha256', '')):
            fail(path, '%s: %s has no sha256 checksum' % (module['name'], url))


def check(path, devel):
    manifest = load(path)
    if manifest.get('id', manifest.get('app-id')) != APP_ID:
        fail(path, 'id is not ' + APP_ID)
    if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
        fail(path, 'not built on org.gnome.Platform / org.gnome.Sdk')
    if not re.match(r'^\d+$', str(manifest.get('runtime-version', ''))):
        fail(path, 'runtime-version is not a stable GNOME release')
    if manifest.get('command') != 'lightwork':
        fail(path, 'command is not lightwork')

    finish_args = manifest.get('finish-args', [])
    for arg in finish_args:
        if arg not in ALLOWED_FINISH_ARGS:
            fail(path, 'finish-arg %s is not on the allowed list' % arg)
    for arg in sorted(ALLOWED_FINISH_ARGS - set(finish_args)):
        fail(path, 'finish-arg %s is missing (the window needs it)' % arg)
    for module in manifest.get('modules', []):
        if isinstance(module, dict) and 'finish-args' in module:
            fail(path, '%s: finish-args belong to the app only' % module['name'])

    modules = manifest.get('modules', [])
    names = [m.get('name') if isinstance(m, dict) else m for m in modules]
    for needed in ('babl', 'gegl'):
        if needed not in names:
            fail(path, 'no %s module (the GNOME runtime lacks it)' % needed)
    if 'babl' in names and 'gegl' in names and names.index('babl') > names.index('gegl'):
        fail(path, 'babl must be built before gegl')
    if not names or names[-1] != 'lightwork':
        fail(path, 'lightwork is not the last module')
        return
    for module in modules[:-1]:
        check_sources(path, module)

    app = modules[-1]
    if app.get('buildsystem') != 'meson':
        fail(path, 'lightwork is not built with meson')
    kinds = [s.get('type') for s in app.get('sources', [])]
    if devel and kinds != ['dir']:
        fail(path, 'the Devel manifest must build the working tree (one "dir" source)')
    if not devel and kinds != ['git']:
        fail(path, 'the release manifest must build a git revision')


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('LW_SOURCE_DIR', '.')
    flatpak = os.path.join(root, 'flatpak')
    check(os.path.join(flatpak, APP_ID + '.json'), devel=False)
    check(os.path.join(flatpak, APP_ID + '.Devel.json'), devel=True)
    for line in failures:
        print(line)
    print('%d problem(s) in the Flatpak manifests' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
