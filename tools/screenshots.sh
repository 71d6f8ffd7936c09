#!/bin/sh
# Renders docs/screenshots/*.png (README, metainfo) from a real window under a
# headless display: empty, instruction, staged, running, finished; light and
# dark, 360 px wide, German, the Preferences window (see the end).
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
# tests/ui/isolated-display.sh: an Xvfb (1280×800×24) and a D-Bus session
# of its own for each program, as the window tests have.
display="$src/tests/ui/isolated-display.sh"
"$display" "$build/tests/ui/lw-screenshots" "$src/docs/screenshots"

# Light and dark (window, main menu, module prompt, shortcuts), 360 px, and
# German: rendered by the tests that check them (LW_SHOTS_DIR), then the
# ones the docs show are kept.
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT
export LIGHTWORK_LOCALEDIR="$build/po" LANGUAGE=
ninja -C "$build" tests/ui/test-gnome-pass tests/ui/test-adaptive tests/ui/test-adaptive-de tests/ui/test-preferences >/dev/null
for run in "test-gnome-pass -p /ui/gnome-pass/light -p /ui/gnome-pass/dark -p /ui/gnome-pass/shortcuts-window" \
           "test-adaptive -p /ui/adaptive/narrow -p /ui/adaptive/labels-whole" \
           "test-adaptive-de -p /ui/adaptive/labels-whole --german"; do
  set -- $run
  prog=$1; shift
  LW_SHOTS_DIR="$shots" GTK_A11Y=test "$display" "$build/tests/ui/$prog" "$@" >/dev/null
done
# The Preferences window's two pages, light and dark, in English and German.
for lang in "" de; do
  LANGUAGE=$lang LW_SHOTS_DIR="$shots" GTK_A11Y=test "$display" "$build/tests/ui/test-preferences" \
    -p /ui/preferences/shots >/dev/null
done
for name in window-light window-dark main-menu-light main-menu-dark module-prompt-light module-prompt-dark \
            shortcuts-light shortcuts-dark window-360-en window-360-de window-1280-de window-1000-en \
            preferences-gemini-light preferences-gemini-dark preferences-files-light preferences-files-dark \
            preferences-gemini-light-de preferences-gemini-dark-de preferences-files-light-de preferences-files-dark-de; do
  cp "$shots/$name.png" "$src/docs/screenshots/$name.png"
  echo "$src/docs/screenshots/$name.png"
done
