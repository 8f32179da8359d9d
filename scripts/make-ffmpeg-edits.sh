#!/usr/bin/env bash
# Edits made with ffmpeg's filters (a third tool, beside the engine's generator and ImageMagick) to 12 clean test frames of
# a benchmark made by scripts/make-benchmark.sh: 20 kinds — exposure, gamma, contrast, saturation, hue, white balance,
# a shadows-only colour shift, blur, noise, over-sharpening, vignette, lens barrel distortion, a 3° turn, an 11 % zoom,
# a mirror, grey, a "vintage" curve, and heavy MJPEG compression — plus each frame re-encoded unchanged (label 0).
# Writes DIR/ffmpeg-edits/*.jpg and DIR/ffmpeg-edits/labels.csv.
#   scripts/make-ffmpeg-edits.sh BENCH_DIR
set -euo pipefail
B="${1:?benchmark folder (made by scripts/make-benchmark.sh)}"
source "$(dirname "$0")/lib/bench-tools.sh"
need_debian ffmpeg ffmpeg
O="$B/ffmpeg-edits"
new_labelled_set "$O"
mapfile -t frames < <(picked_clean_frames "$B" 12)
read -r W H < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$B/test/${frames[0]}" | tr x ' ')
declare -A edits=(
  [bright]="eq=brightness=0.08" [dark]="eq=brightness=-0.08" [lowcontrast]="eq=contrast=0.8" [desat]="eq=saturation=0.6"
  [gamma]="eq=gamma=1.3" [hue15]="hue=h=15" [warm]="colortemperature=temperature=4000" [redshadow]="colorbalance=rs=0.15"
  [gblur2]="gblur=sigma=2" [boxblur3]="boxblur=3" [noise20]="noise=alls=20:allf=u" [oversharp]="unsharp=5:5:2"
  [vignette]="vignette=PI/4" [barrel]="lenscorrection=k1=-0.2:k2=0" [rotate3]="rotate=3*PI/180"
  [zoom111]="crop=iw*0.9:ih*0.9,scale=$W:$H" [mirror]="hflip" [gray]="format=gray" [vintage]="curves=preset=vintage"
)
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
for f in "${frames[@]}"; do
  base="${f%.jpg}"
  for kind in "${!edits[@]}"; do
    ff -i "$B/test/$f" -vf "${edits[$kind]}" -q:v 2 "$O/${base}__$kind.jpg"
    echo "${base}__$kind.jpg,1,$kind,\"${edits[$kind]}\"" >> "$O/labels.csv"
  done
  ff -i "$B/test/$f" -q:v 31 "$O/${base}__mjpeg31.jpg"
  echo "${base}__mjpeg31.jpg,1,mjpeg31,\"-q:v 31\"" >> "$O/labels.csv"
  ff -i "$B/test/$f" -q:v 2 "$O/${base}__reencode.jpg"
  echo "${base}__reencode.jpg,0,none,\"-q:v 2, unchanged\"" >> "$O/labels.csv"
done
echo "$(( $(wc -l < "$O/labels.csv") - 1 )) frames in $O" >&2
