#!/usr/bin/env bash
# Changes of the light, which a drift checker should let pass when small: 60 clean test frames of a benchmark (those
# labelled 0 in its labels.csv, evenly spaced in time order) with every channel multiplied by 0.85 … 1.15, as a passing
# cloud or the camera's auto-exposure would, and with the white balance moved (red × (1 + s), blue × (1 − s), s = 2, 3,
# 5 %), made with ImageMagick and saved as JPEG 95. Writes DIR/light/x0.96/*.jpg, …, DIR/light/wb3/*.jpg, … — one folder per
# change, to score with `drift score DIR/light/x0.96 --model ref.fdm`.
#   scripts/make-light-changes.sh BENCH_DIR
set -euo pipefail
B="${1:?benchmark folder (made by scripts/make-benchmark.sh or scripts/make-tree-benchmark.sh)}"
source "$(dirname "$0")/lib/bench-tools.sh"
need_debian convert imagemagick
mapfile -t frames < <(picked_clean_frames "$B" 60)
(( ${#frames[@]} > 0 )) || { echo "error: no clean frames (label 0) in $B/labels.csv" >&2; exit 2; }
# change FOLDER IMAGEMAGICK_ARGS…: the picked frames, changed, into $B/light/FOLDER.
change() {
  local O="$B/light/$1" f
  shift
  rm -rf "$O"; mkdir -p "$O"
  for f in "${frames[@]}"; do
    convert "$B/test/$f" "$@" -quality 95 "$O/$f"
  done
}
for factor in 0.85 0.90 0.93 0.96 1.04 1.07 1.10 1.15; do
  change "x$factor" -evaluate multiply "$factor"
done
change wb2 -color-matrix "1.02 0 0 0 1 0 0 0 0.98"
change wb3 -color-matrix "1.03 0 0 0 1 0 0 0 0.97"
change wb5 -color-matrix "1.05 0 0 0 1 0 0 0 0.95"
echo "${#frames[@]} frames × 8 exposures and 3 white balances in $B/light" >&2
