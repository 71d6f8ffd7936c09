#!/bin/sh
# isolated-display.sh PROGRAM [ARGS...] — runs one window test on a headless
# X server and a D-Bus session of its own, so the tests of tests/ui can run
# at the same time: none sees another's windows, focus, key events or bus
# names (test-background owns org.freedesktop.Notifications).
#
# Xvfb picks a free display number itself and writes it to a pipe
# (-displayfd), so servers started together never race for one, as
# xvfb-run -a can. No -auth: a server without one accepts every local
# client, which is all a test needs (and it listens on no TCP port).
#
# Exits with the program's status. Without Xvfb it uses the caller's
# DISPLAY; without either it skips the way a TAP test does ("1..0 # SKIP",
# status 0: meson counts a TAP test's status 77 as an error, not a skip).
set -eu

me=isolated-display.sh
[ $# -ge 1 ] || { echo "usage: $me PROGRAM [ARGS...]" >&2; exit 2; }

run_on_a_session_bus() {
  if command -v dbus-run-session >/dev/null 2>&1; then
    dbus-run-session -- "$@"
  else
    echo "$me: dbus-run-session is not installed: the test uses the caller's session bus, if any" >&2
    "$@"
  fi
}

tmp=
xvfb_pid=
# shellcheck disable=SC2317 # run by the trap below
cleanup() {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  [ -z "$tmp" ] || rm -rf "$tmp"
}
trap cleanup EXIT
# The EXIT trap runs on these too (meson stops a test with SIGTERM).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if command -v Xvfb >/dev/null 2>&1; then
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/lw-xvfb-XXXXXX")
  mkfifo "$tmp/displayfd"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/displayfd" >"$tmp/xvfb.log" 2>&1 &
  xvfb_pid=$!
  # Xvfb writes the number once it accepts connections; if it dies first,
  # the pipe closes and read sees end of file.
  if ! read -r display_number <"$tmp/displayfd" || [ -z "$display_number" ]; then
    echo "$me: Xvfb did not start:" >&2
    cat "$tmp/xvfb.log" >&2
    exit 1
  fi
  DISPLAY=":$display_number"
  export DISPLAY
  unset WAYLAND_DISPLAY
elif [ -n "${DISPLAY:-}" ]; then
  echo "$me: Xvfb is not installed: the test uses the caller's DISPLAY ($DISPLAY)" >&2
else
  echo "$me: neither Xvfb nor a DISPLAY: skipped (Debian: apt-get install xvfb)" >&2
  echo "1..0 # SKIP no X server (Xvfb is not installed and DISPLAY is unset)"
  exit 0
fi

status=0
run_on_a_session_bus "$@" || status=$?
if [ "$status" != 0 ] && [ "$status" != 77 ] && [ -n "$tmp" ] && [ -s "$tmp/xvfb.log" ]; then
  echo "$me: the test exited with status $status; Xvfb ($DISPLAY) logged:" >&2
  cat "$tmp/xvfb.log" >&2
fi
exit "$status"
