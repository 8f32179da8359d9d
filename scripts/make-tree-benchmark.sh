#!/usr/bin/env bash
# A second fixed scene, in production order, with natural drift: opencv-doc's tree.avi (449 frames, 320×240, 15 fps) —
# a tree moving in the wind, until a hand enters the view from frame 348 on.
#   reference: frames 1–200; test: frames 201–344 (clean, 144) and 352–449 (the hand, 98); 345–351 are left out,
#   because the hand's first fingertips there are a judgement call. The labels come from looking at the frames.
#   scripts/make-tree-benchmark.sh [OUT_DIR]
# Needs: apt-get (opencv-doc), ffmpeg.
set -euo pipefail
OUT="${1:-tree-data}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${DRIFT_CACHE:-$ROOT/.cache}"
mkdir -p "$CACHE" "$OUT"
source "$ROOT/scripts/lib/bench-tools.sh"
need_debian ffmpeg ffmpeg
DATA="$(opencv_doc_data "$CACHE")"
FRAMES="$CACHE/tree-frames"
extract_frames "$DATA/tree.avi" "$FRAMES" t 0449
rm -rf "$OUT/reference" "$OUT/test"
mkdir -p "$OUT/reference" "$OUT/test"
echo "image,label,kind,params" > "$OUT/labels.csv"
for f in "$FRAMES"/t_*.jpg; do
  name=$(basename "$f"); n=$((10#${name:2:4}))
  if (( n <= 200 )); then cp "$f" "$OUT/reference/"
  elif (( n <= 344 )); then cp "$f" "$OUT/test/"; echo "$name,0,none," >> "$OUT/labels.csv"
  elif (( n >= 352 )); then cp "$f" "$OUT/test/"; echo "$name,1,hand,\"a hand enters the view\"" >> "$OUT/labels.csv"
  fi
done
echo "tree.avi: $(ls "$OUT/reference" | wc -l) reference, $(ls "$OUT/test" | wc -l) test frames in $OUT" >&2
