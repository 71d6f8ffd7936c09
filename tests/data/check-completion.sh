#!/bin/bash
# Drives the bash completion of lightwork-cli the way bash does (COMP_WORDS,
# COMP_CWORD, then the completion function) and checks what it offers.
#
# Usage: check-completion.sh COMPLETION_FILE
set -u
export LC_ALL=C

# shellcheck source=/dev/null
source "${1:?usage: check-completion.sh COMPLETION_FILE}" || exit 1

failures=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lw-completion-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# complete LINE: completes the last word of LINE (a trailing space starts a
# new, empty word) and prints the candidates sorted, space-separated. Words
# are split as bash splits them by default, "=" being a word of its own.
complete_line ()
{
  local line=$1
  read -r -a COMP_WORDS <<< "${line//=/ = }"
  [[ $line == *' ' ]] && COMP_WORDS+=('')
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE=$line
  COMP_POINT=${#line}
  COMPREPLY=()
  _lightwork_cli lightwork-cli "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect ()
{
  local line=$1 want=$2 got
  got=$(complete_line "$line")
  if [[ $got != "$want" ]]; then
    echo "FAIL: '$line' completes to '$got', expected '$want'"
    failures=$((failures + 1))
  else
    echo "ok: '$line' -> '$got'"
  fi
}

expect 'lightwork-cli ' '--help --version cancel export jobs key models modules process resume retry-failed status'
expect 'lightwork-cli pro' 'process'
expect 'lightwork-cli re' 'resume retry-failed'
expect 'lightwork-cli process --mo' '--model --module'
expect 'lightwork-cli process --model ' 'local nano_banana nano_banana_pro'
expect 'lightwork-cli process --model nano_banana_' 'nano_banana_pro'
expect 'lightwork-cli process --module p' 'portrait product'
expect 'lightwork-cli process --concurrency 1' '1 10 11 12 13 14 15 16'
expect 'lightwork-cli process --model=' 'local nano_banana nano_banana_pro'
expect 'lightwork-cli process --model=nano' 'nano_banana nano_banana_pro'
expect 'lightwork-cli process -m ' 'food portrait product realestate remaster'
expect 'lightwork-cli process --r' '--rpm'
expect 'lightwork-cli jobs --' '--json'
expect 'lightwork-cli retry-failed --' '--concurrency --force --help --json --live --out --rpm'
expect 'lightwork-cli export 3 --' '--accepted --help --out --template'
expect 'lightwork-cli modules --pro' '--prompt --prompt-file'
expect 'lightwork-cli modules --name Shoes cr' 'create'
expect 'lightwork-cli modules --name=Shoes edit pro' 'product'
expect 'lightwork-cli modules ' 'create delete duplicate edit list reset show'
expect 'lightwork-cli modules reset re' 'realestate remaster'
expect 'lightwork-cli modules list ' ''
expect 'lightwork-cli key ' 'delete set test'
expect 'lightwork-cli models ' 'use'
expect 'lightwork-cli models --' '--help --json'
expect 'lightwork-cli models use ' 'nano_banana nano_banana_pro'
expect 'lightwork-cli models use nano_banana ' ''
expect 'lightwork-cli key set ' ''

# Photos: folders and images only, whatever the case of the extension.
mkdir -p "$tmp/shoot/day 2"
touch "$tmp/shoot/a.jpg" "$tmp/shoot/B.HEIC" "$tmp/shoot/c.avif" "$tmp/shoot/notes.txt" "$tmp/shoot/raw.cr2"
expect "lightwork-cli process $tmp/shoot/" "$tmp/shoot/B.HEIC $tmp/shoot/a.jpg $tmp/shoot/c.avif $tmp/shoot/day 2"
expect "lightwork-cli process --model local $tmp/shoot/a" "$tmp/shoot/a.jpg"
# --out takes folders only.
expect "lightwork-cli process --out $tmp/shoot/" "$tmp/shoot/day 2"
expect "lightwork-cli process -o $tmp/shoot/d" "$tmp/shoot/day 2"
expect "lightwork-cli modules create --prompt-file $tmp/shoot/n" "$tmp/shoot/notes.txt"

if complete -p lightwork-cli > /dev/null 2>&1; then
  echo "ok: registered for lightwork-cli"
else
  echo "FAIL: the completion is not registered for lightwork-cli"
  failures=$((failures + 1))
fi

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
