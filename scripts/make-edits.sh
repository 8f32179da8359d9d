#!/usr/bin/env bash
# Edits made with ImageMagick (another tool than the engine's own generator) to 12 clean test frames of a benchmark made by
# scripts/make-benchmark.sh: 26 kinds, strong and mild — blur, noise, exposure, contrast, hue, saturation, fog, vignette,
# JPEG artefacts, motion blur, and the camera turning (3°, 8°), sliding (20 px), zooming (110 %, 125 %) or mirrored.
# Writes DIR/edits/*.jpg and DIR/edits/labels.csv (every image label 1; the kind is the edit's name).
#   scripts/make-edits.sh BENCH_DIR
set -euo pipefail
B="${1:?benchmark folder (made by scripts/make-benchmark.sh)}"
source "$(dirname "$0")/lib/bench-tools.sh"
need_debian convert imagemagick
O="$B/edits"
new_labelled_set "$O"
mapfile -t frames < <(picked_clean_frames "$B" 12)
read -r W H < <(identify -format '%w %h\n' "$B/test/${frames[0]}")
declare -A edits=(
  [blur3]="-blur 0x3" [blur1.5]="-blur 0x1.5" [noise]="-attenuate 0.6 +noise Gaussian" [noise0.3]="-attenuate 0.3 +noise Gaussian"
  [bright25]="-brightness-contrast 25x0" [bright10]="-brightness-contrast 10x0" [dark25]="-brightness-contrast -25x0"
  [dark10]="-brightness-contrast -10x0" [lowcontrast]="-brightness-contrast 0x-40" [contrast-15]="-brightness-contrast 0x-15"
  [hue80]="-modulate 100,100,80" [hue95]="-modulate 100,100,95" [desat40]="-modulate 100,40,100" [desat75]="-modulate 100,75,100"
  [fog45]="-fill gray80 -colorize 45% -blur 0x2" [fog20]="-fill gray80 -colorize 20%" [vignette]="-vignette 0x120"
  [motion]="-motion-blur 0x12+30" [rotate8]="-distort SRT 8" [rotate3]="-distort SRT 3" [shift20px]="-roll +20+0"
  [zoom125]="-gravity center -crop 80%x80%+0+0 +repage -resize ${W}x${H}!"
  [zoom110]="-gravity center -crop 91%x91%+0+0 +repage -resize ${W}x${H}!" [mirror]="-flop"
)
for f in "${frames[@]}"; do
  base="${f%.jpg}"
  for kind in "${!edits[@]}"; do
    # shellcheck disable=SC2086 # the edit is a list of ImageMagick arguments
    convert "$B/test/$f" ${edits[$kind]} -quality 92 "$O/${base}__$kind.jpg"
    echo "${base}__$kind.jpg,1,$kind,\"${edits[$kind]}\"" >> "$O/labels.csv"
  done
  for q in 8 20; do
    convert "$B/test/$f" -quality $q "$O/${base}__jpeg$q.jpg"
    echo "${base}__jpeg$q.jpg,1,jpeg$q,\"-quality $q\"" >> "$O/labels.csv"
  done
done
echo "$(( $(wc -l < "$O/labels.csv") - 1 )) edited frames in $O" >&2
