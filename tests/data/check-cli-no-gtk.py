#!/usr/bin/env python3
# lightwork-cli must run on a machine without a display stack: its binary
# needs no GTK, GDK or libadwaita library (docs/ARCHITECTURE.md, "Layers").
#
# Usage: check-cli-no-gtk.py PATH-TO-lightwork-cli

import subprocess
import sys

out = subprocess.run(['readelf', '-d', sys.argv[1]], check=True, capture_output=True, text=True).stdout
needed = [line.split('[', 1)[1].rstrip(']') for line in out.splitlines() if '(NEEDED)' in line]
bad = [n for n in needed if n.startswith(('libgtk', 'libgdk-', 'libadwaita'))]
if not needed:
    print('readelf listed no NEEDED library: not a dynamic executable?')
    sys.exit(1)
if bad:
    print('lightwork-cli links display libraries: ' + ', '.join(bad))
    sys.exit(1)
print('lightwork-cli needs: ' + ', '.join(needed))
