#!/bin/sh
# Renders docs/screenshots/*.png (README, metainfo) from a real window under a
# headless display: empty, instruction, staged, running, finished.
#   tools/screenshots.sh [BUILD_DIR]     (default: build)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$src/$build" ;; esac
ninja -C "$build" tests/ui/lw-screenshots >/dev/null
export LW_FIXTURES_DIR="${LW_FIXTURES_DIR:-$src/../shared/fixtures/photos}"
export LIGHTWORK_FONTS_DIR="$src/data/fonts"
export GSK_RENDERER=cairo GTK_A11Y=none GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 GDK_BACKEND=x11
export GEMINI_API_KEY=
mkdir -p "$src/docs/screenshots"
# 1280×800 at scale 1: what the metainfo's caption sizes expect.
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  "$build/tests/ui/lw-screenshots" "$src/docs/screenshots"
