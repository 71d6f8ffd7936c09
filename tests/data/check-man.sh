#!/bin/sh
# Formats each manual page with groff's warnings on (-ww) and fails on any
# warning or error, so a typo in a macro does not ship as a garbled page.
#
# Usage: check-man.sh GROFF PAGE...
set -u
groff=$1
shift
status=0
for page in "$@"; do
  out=$(LC_ALL=C.UTF-8 "$groff" -man -Tutf8 -ww -z "$page" 2>&1)
  if [ -n "$out" ]; then
    echo "FAIL: $page"
    echo "$out"
    status=1
  else
    echo "ok: $page"
  fi
done
exit $status
