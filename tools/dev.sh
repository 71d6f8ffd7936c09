#!/usr/bin/env bash
# tools/dev.sh — the two set-up commands of README.md.
#
#   tools/dev.sh run    install what is missing (Debian 12, as root), build, start LightWork
#   tools/dev.sh test   install what is missing, build with -Werror, run every test
#                       (and again under AddressSanitizer + UBSan), print "N passed, N failed"
#
# Environment: BUILD_DIR (default build), LW_SKIP_ASAN=1 skips the sanitizer pass,
# LW_SKIP_APT=1 never calls apt-get.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build="${BUILD_DIR:-build}"

# Everything LightWork builds, runs and tests with — all from Debian 12.
build_pkgs=(meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  libsqlite3-dev libgdk-pixbuf-2.0-dev libsecret-1-dev libgegl-dev libbabl-dev libfontconfig-dev
  libgexiv2-dev liblcms2-dev libjpeg-dev
  desktop-file-utils appstream fonts-manrope fonts-inter
  webp-pixbuf-loader heif-gdk-pixbuf librsvg2-common)
test_pkgs=(xvfb dbus dbus-x11 xdotool sqlite3 python3 libclang-rt-14-dev bash-completion)

missing_pkgs() {
  local p out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}

ensure_pkgs() {
  local missing
  missing="$(missing_pkgs "$@")"
  [ -z "$missing" ] && return 0
  if [ "${LW_SKIP_APT:-0}" = 1 ]; then
    echo "dev.sh: missing Debian packages: $missing" >&2
    return 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "dev.sh: these Debian packages are missing: $missing" >&2
    echo "dev.sh: run as root (or: sudo apt-get install $missing)" >&2
    return 1
  fi
  echo "dev.sh: installing $missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

configure() {
  local dir="$1"; shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

# Counts TAP subtests (and plain exit-code tests) from a meson test log.
count_results() {
  python3 - "$@" <<'PY'
import json, re, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        t = json.loads(line)
        out = t.get("stdout") or ""
        tap = [l for l in out.splitlines() if re.match(r"^(not )?ok \d+", l)]
        if t.get("protocol") == "tap" or tap:
            for l in tap:
                if re.search(r"#\s*SKIP", l, re.I):
                    skipped += 1
                elif l.startswith("not ok"):
                    if re.search(r"#\s*TODO", l, re.I):
                        continue
                    failed += 1
                else:
                    passed += 1
            if t["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and not any(l.startswith("not ok") for l in tap):
                failed += 1   # crashed or timed out outside any subtest
            if t["result"] == "SKIP" and not tap:
                skipped += 1
        else:
            r = t["result"]
            if r == "OK": passed += 1
            elif r == "SKIP": skipped += 1
            elif r == "EXPECTEDFAIL": passed += 1
            else: failed += 1
s = f"{passed} passed, {failed} failed"
if skipped:
    s += f", {skipped} skipped"
print(s)
PY
}

run_suite() {
  # The window tests start a headless X server and a D-Bus session each
  # (tests/ui/isolated-display.sh), so they run two at a time like the
  # rest. The others need no display; they keep a session bus of their
  # own, as before, so none reaches the caller's.
  local dir="$1"; shift
  dbus-run-session -- env GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 \
    meson test -C "$dir" --print-errorlogs --num-processes 2 "$@"
}

cmd_run() {
  ensure_pkgs "${build_pkgs[@]}"
  configure "$build" --buildtype=debugoptimized
  ninja -C "$build"
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    cat >&2 <<MSG
LightWork is built, but there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set),
so the window cannot open. Everything works from the terminal too:

  $build/src/cli/lightwork-cli --help
  $build/src/cli/lightwork-cli process ~/Pictures/dishes --module food --model local --out ~/Pictures/out

MSG
    exit 1
  fi
  # Uninstalled: the compiled GSettings schema, the fonts and the compiled
  # translations (build/po/<lang>/LC_MESSAGES) are in the tree.
  GSETTINGS_SCHEMA_DIR="$here/$build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}" \
  LIGHTWORK_LOCALEDIR="${LIGHTWORK_LOCALEDIR:-$here/$build/po}" \
    exec "$build/src/ui/lightwork" "$@"
}

cmd_test() {
  local rc=0 asan_rc=0 logs=()
  ensure_pkgs "${build_pkgs[@]}" "${test_pkgs[@]}"
  configure "$build" --buildtype=debugoptimized -Dwerror=true
  ninja -C "$build"
  run_suite "$build" || rc=$?
  logs+=("$build/meson-logs/testlog.json")
  cp "$build/meson-logs/testlog.txt" "$build/meson-logs/testlog-main.txt" 2>/dev/null || true

  if [ "${LW_SKIP_ASAN:-0}" != 1 ]; then
    local asan="${build}-asan"
    # -O1, as AddressSanitizer's documentation advises for usable speed: the
    # same errors are caught, and the engine's measured-quality tests take
    # 40 % less time than at -O0 (test-local-heldout 231 s against 389 s).
    configure "$asan" --buildtype=debug -Doptimization=1 -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
    ninja -C "$asan"
    # Allocation stacks are unwound in full (fast_unwind_on_malloc=0:
    # system libraries have no frame pointers, and the leak suppressions
    # in tests/lsan.supp match their frames), but 24 deep, not 30:
    # unwinding is most of what a window test costs under ASan
    # (test-preferences and test-viewer, one at a time: 89 s at 30
    # frames, 62 s at 20, 52 s at 12; fast unwinding, 31 s, loses the
    # suppressions' frames). The deepest suppressed frame,
    # secret_password_storev_sync in test-gemini-cli, lies 17 to 20
    # frames deep (16 reported its cache as a leak); 24 leaves room.
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_odr_violation=0:fast_unwind_on_malloc=0:malloc_context_size=24" \
    LSAN_OPTIONS="suppressions=$here/tests/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
      run_suite "$asan" --timeout-multiplier 4 || asan_rc=$?
    logs+=("$asan/meson-logs/testlog.json")
  fi

  echo
  echo "main build:      $(count_results "$build/meson-logs/testlog.json")"
  [ "${LW_SKIP_ASAN:-0}" != 1 ] && echo "sanitizer build: $(count_results "${build}-asan/meson-logs/testlog.json")"
  count_results "${logs[@]}"
  [ "$rc" = 0 ] && [ "$asan_rc" = 0 ]
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  *) echo "usage: tools/dev.sh run|test" >&2; exit 2 ;;
esac
