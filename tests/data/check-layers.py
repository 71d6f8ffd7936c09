#!/usr/bin/env python3
# The layers of docs/ARCHITECTURE.md, checked on the sources: every
# `#include "lw-….h"` of a file in src/<layer>/ names a header of its own
# layer or of one below it; <sqlite3.h> appears only in the store's private
# files; <gtk/gtk.h> and <adwaita.h> only in src/ui. The build enforces most
# of it already (each layer's library sees only the include directories
# below it); this check says which file broke which rule, and with
# --print prints the dependency picture (which layer includes which).
# It also holds src/ to the "Threads" rule: no g_task_run_in_thread() or
# g_main_context_invoke() outside lw-thread.c, whose wrappers keep every
# reference to a task on its own context.
#
# Usage: check-layers.py [SOURCE_ROOT] [--print]

import os
import re
import sys

# Each layer and the layers it may include (itself implied).
ALLOWED = {
    'base': [],
    'store': ['base'],
    'engines': ['base', 'store'],
    'core': ['base', 'store', 'engines'],
    'cli': ['base', 'store', 'engines', 'core'],
    'ui': ['base', 'store', 'engines', 'core'],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', re.M)
SQLITE_OK = ('src/store/lw-store-private.h',)
THREAD_CALLS = {
    'g_task_run_in_thread': 'lw_task_run_in_thread',
    'g_main_context_invoke': 'lw_context_invoke',
    'g_main_context_invoke_full': 'lw_context_invoke',
}
THREAD_CALL = re.compile(r'\b(' + '|'.join(THREAD_CALLS) + r')\s*\(')
THREAD_OK = ('src/base/lw-thread.c', 'src/base/lw-thread.h')


def layer_of(rel):
    parts = rel.split('/')
    return parts[1] if len(parts) > 2 and parts[0] == 'src' else None


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    root = args[0] if args else os.environ.get('LW_SOURCE_DIR', '.')
    headers = {}   # header name → layer
    sources = []
    for dirpath, _, files in os.walk(os.path.join(root, 'src')):
        for name in files:
            if not name.endswith(('.c', '.h')):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            sources.append(rel)
            if name.endswith('.h'):
                headers[name] = layer_of(rel)

    problems = []
    edges = {}
    for rel in sorted(sources):
        layer = layer_of(rel)
        if layer not in ALLOWED:
            continue
        with open(os.path.join(root, rel), encoding='utf-8') as f:
            text = f.read()
        if rel not in THREAD_OK:
            for call in sorted(set(THREAD_CALL.findall(text))):
                problems.append(f'{rel}: calls {call}(); use {THREAD_CALLS[call]}() (docs/ARCHITECTURE.md, "Threads")')
        for kind, name in INCLUDE.findall(text):
            if kind == '<':
                if name == 'sqlite3.h' and rel not in SQLITE_OK and not (layer == 'store' and rel.endswith('.c')):
                    problems.append(f'{rel}: includes <sqlite3.h>; SQLite stays behind the store')
                if name in ('gtk/gtk.h', 'adwaita.h') and layer != 'ui':
                    problems.append(f'{rel}: includes <{name}>; only src/ui may')
                continue
            target = headers.get(os.path.basename(name))
            if target is None:
                continue   # config.h, generated resources
            if target != layer:
                edges.setdefault(layer, {}).setdefault(target, set()).add(os.path.basename(name))
            if target != layer and target not in ALLOWED[layer]:
                problems.append(f'{rel}: includes "{name}" of {target}; {layer} may include only '
                                f'{", ".join(ALLOWED[layer]) or "itself"}')

    if '--print' in sys.argv:
        for layer in ALLOWED:
            for target, names in sorted(edges.get(layer, {}).items()):
                print(f'{layer:8} → {target:8} {", ".join(sorted(names))}')
    if problems:
        print('Includes that cross the layers (docs/ARCHITECTURE.md, "Layers"), and the threads rule:')
        for p in problems:
            print('  ' + p)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
