#!/usr/bin/env bash
# Out-of-place objects pasted with ImageMagick (another tool than the engine's own generator) into 15 clean test frames
# of a benchmark made by scripts/make-benchmark.sh: widths 6–25 % of the frame, anywhere on the ground (lower two
# thirds), positions from a fixed seed. Writes DIR/pastes/*.jpg and DIR/pastes/labels.csv.
#   scripts/make-pastes.sh BENCH_DIR
set -euo pipefail
B="${1:?benchmark folder (made by scripts/make-benchmark.sh)}"
source "$(dirname "$0")/lib/bench-tools.sh"
need_debian composite imagemagick
O="$B/pastes"
new_labelled_set "$O"
mapfile -t frames < <(picked_clean_frames "$B" 15)
mapfile -t objects < <(ls "$B/objects" | sort)
read -r W H < <(identify -format '%w %h\n' "$B/test/${frames[0]}")
RANDOM=11
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for i in $(seq 0 14); do
  f=${frames[$i]}
  obj=${objects[$(( i % ${#objects[@]} ))]}
  pct=$(( 6 + (i * 19) / 14 )); w=$(( W * pct / 100 ))
  x=$(( RANDOM % (W - w) )); y=$(( H / 3 + RANDOM % (H - H / 3 - w * 3 / 4) ))
  convert "$B/objects/$obj" -resize "${w}x" "$tmp/obj.png"
  composite -geometry "+$x+$y" "$tmp/obj.png" "$B/test/$f" -quality 95 "$O/${f%.jpg}__im-paste.jpg"
  echo "${f%.jpg}__im-paste.jpg,1,object-paste,\"$obj width=${pct}% at $x,$y\"" >> "$O/labels.csv"
done
echo "15 pastes in $O" >&2
