#!/usr/bin/env bash
# Rewrites citations of the internal fact sheet (PIPELINE.md, kept outside the repository) into
# citations of the project's own docs/ALGORITHMS.md, which uses the same section numbers.
#   code:      "PIPELINE.md §2.5"  → "ALGORITHMS.md §2.5"
#   Markdown:  "PIPELINE.md §2.5"  → "docs/ALGORITHMS.md §2.5"
#   any other mention ("from PIPELINE.md", "../shared/spec/PIPELINE.md") → "docs/ALGORITHMS.md"
# A quoted path such as sharedPath('spec/PIPELINE.md') opens the fact sheet as data and is kept.
# Idempotent; touches tracked text files only; prints how many citations it rewrote.
# Usage: tools/rewrite-citations.sh [--check]   (--check: change nothing, exit 1 if any remain)
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"

check=0
[ "${1:-}" = "--check" ] && check=1

# Not rewritten: the doc itself, this script, the test that looks for the old name, recorded bench results.
exclude='^(docs/ALGORITHMS\.md|tools/rewrite-citations\.sh|test/docs/citations\.test\.ts|(tools/)?bench/results/)'

mapfile -t files < <(git ls-files -z | xargs -0 grep -lI 'PIPELINE\.md' -- 2>/dev/null | grep -Ev "$exclude" || true)

count() { { grep -o 'PIPELINE\.md' -- "$1" || true; } | wc -l; }

rewrite() { # rewrite FILE: the perl rules, Markdown gets the path from the repository root
  local cite='ALGORITHMS.md §'
  case "$1" in *.md) cite='docs/ALGORITHMS.md §' ;; esac
  perl -pi -e '
    BEGIN { $cite = shift @ARGV }
    s{(?<![\x27"/\w])(?:(?:\.\./)*(?:shared/)?spec/)?PIPELINE\.md §}{$cite}g;
    s{(?<![\x27"/\w])(?:(?:\.\./)*(?:shared/)?spec/)?PIPELINE\.md}{docs/ALGORITHMS.md}g;
  ' "$cite" "$1"
}

total=0
changed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "${files[@]}"; do
  target="$f"
  if [ "$check" -eq 1 ]; then target="$tmp/${f##*/}"; cp -- "$f" "$target"; fi
  before=$(count "$target")
  rewrite "$target"
  n=$((before - $(count "$target")))
  [ "$n" -gt 0 ] || continue
  total=$((total + n))
  changed=$((changed + 1))
  [ "$check" -eq 1 ] && echo "$f: $n"
done

if [ "$check" -eq 1 ]; then
  echo "$total citation(s) of PIPELINE.md left"
  [ "$total" -eq 0 ]
else
  echo "rewrote $total citation(s) of PIPELINE.md in $changed file(s)"
fi
