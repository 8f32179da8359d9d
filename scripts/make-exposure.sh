#!/usr/bin/env bash
# Exposure changes, which a drift checker should let pass when small: 60 clean test frames of a benchmark (those labelled 0
# in its labels.csv, evenly spaced in time order) with every channel multiplied by 0.85 … 1.15, as a passing cloud or the
# camera's auto-exposure would, made with ImageMagick and saved as JPEG 95. Writes DIR/exposure/x0.96/*.jpg, … — one folder
# per factor, to score with `drift score DIR/exposure/x0.96 --model ref.fdm`.
#   scripts/make-exposure.sh BENCH_DIR
set -euo pipefail
B="${1:?benchmark folder (made by scripts/make-benchmark.sh or scripts/make-tree-benchmark.sh)}"
source "$(dirname "$0")/lib/bench-tools.sh"
need_debian convert imagemagick
[[ -f "$B/labels.csv" ]] || { echo "error: $B/labels.csv not found" >&2; exit 2; }
mapfile -t clean < <(awk -F, 'NR > 1 && $2 == 0 { print $1 }' "$B/labels.csv" | sort)
n=${#clean[@]}
(( n > 0 )) || { echo "error: no clean frames (label 0) in $B/labels.csv" >&2; exit 2; }
count=$(( n < 60 ? n : 60 ))
for factor in 0.85 0.90 0.93 0.96 1.04 1.07 1.10 1.15; do
  O="$B/exposure/x$factor"
  rm -rf "$O"; mkdir -p "$O"
  for (( i = 0; i < count; i++ )); do
    f="${clean[$(( (i * n) / count ))]}"
    convert "$B/test/$f" -evaluate multiply "$factor" -quality 95 "$O/$f"
  done
done
echo "$count frames × 8 exposures in $B/exposure" >&2
