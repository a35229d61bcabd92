#!/usr/bin/env bash
# Throughput of the trainer's BatchLoader (native/train/data) at 2048×1024 with the training
# augmentations on, at 1 and 2 worker threads. Input: a synthetic stage-2-like PNG of SIZE
# (default 2800×1400, a typical native-resolution breast crop) made from the augs golden input by
# the trainer's own fit_pad op, listed N times (default 32), batch 8.
#   bash bench/train-loader.sh [N] [SIZE_HxW]   → prints a markdown table
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exe="${RSNA_MAMMO_TRAIN_BIN:-$root/build-train/rsna-mammo-train}"
src="$root/../shared/golden/train/augs/input.png"
n="${1:-32}"
size="${2:-2800x1400}"
[ -x "$exe" ] || { echo "not built: $exe (npm run build:train)"; exit 1; }
[ -f "$src" ] || { echo "absent: $src"; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$exe" augs --op fit_pad --out-h "${size%x*}" --out-w "${size#*x}" --in "$src" --out "$tmp/big.png" > /dev/null
for i in $(seq 1 "$n"); do printf '%s\t%d\n' "$tmp/big.png" $((i % 2)); done > "$tmp/list.tsv"
echo "| mode | threads | images | wall s | img/s | CPU s (user+sys) | CPU ms/img |"
echo "|---|---|---|---|---|---|---|"
for mode in train val; do
  for threads in 1 2; do
    extra=(); [ "$mode" = val ] && extra=(--val)
    line="$(/usr/bin/time -o "$tmp/cpu" -f '%U %S' "$exe" loader --list "$tmp/list.tsv" --batch-size 8 --threads "$threads" \
      --prefetch 2 "${extra[@]}" | tail -1)"
    # CPU time includes the process start (libtorch load, ~0.8 s), not only the loader.
    node -e 'const e=JSON.parse(process.argv[1]);const [u,s]=process.argv[4].split(" ").map(Number);
      console.log(`| ${process.argv[2]} | ${process.argv[3]} | ${e.images} | ${e.seconds.toFixed(2)} | ${e.imagesPerSecond.toFixed(2)} | ${(u+s).toFixed(2)} | ${(1000*(u+s)/e.images).toFixed(0)} |`)' \
      "$line" "$mode" "$threads" "$(cat "$tmp/cpu")"
  done
done
