#!/usr/bin/env bash
# Builds the street-camera benchmark from Debian's opencv-doc package (vtest.avi: 795 frames, 768×576, 10 fps,
# a fixed camera over a street crossing) in the study's proportions: ~400 reference frames, 235 clean test frames
# from the same time span and 55 drifted ones made by `drift augment` (the study's ten transformations + object pastes).
#
#   scripts/make-benchmark.sh [OUT_DIR] [--split interleaved|forward]
#
# interleaved: 1-second blocks (10 frames) are dealt R T R T R D R T, so reference and test share the time span
#              but never a block (consecutive frames are near-duplicates).
# forward:     the reference is the first 400 frames; test frames all come later, as in production.
# Frames are not committed; this script makes them. Needs: apt-get (opencv-doc), ffmpeg, the dotnet SDK.
set -euo pipefail
OUT="${1:-bench-data}"
SPLIT="interleaved"
if [[ "${2:-}" == "--split" ]]; then SPLIT="${3:?}"; fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${DRIFT_CACHE:-$ROOT/.cache}"
mkdir -p "$CACHE" "$OUT"
OUT="$(cd "$OUT" && pwd)"
source "$ROOT/scripts/lib/bench-tools.sh"
need_debian ffmpeg ffmpeg
DATA="$(opencv_doc_data "$CACHE")"

FRAMES="$CACHE/frames"
extract_frames "$DATA/vtest.avi" "$FRAMES" f 0795

rm -rf "$OUT/reference" "$OUT/test" "$OUT/drift-source" "$OUT/objects"
mkdir -p "$OUT/reference" "$OUT/test" "$OUT/drift-source" "$OUT/objects"
# Out-of-place objects: stills that never appear on a street crossing.
for f in fruits.jpg butterfly.jpg baboon.jpg apple.jpg orange.jpg HappyFish.jpg squirrel_cls.jpg starry_night.jpg smarties.png LinuxLogo.jpg; do
  [[ -f "$DATA/$f" ]] && cp "$DATA/$f" "$OUT/objects/"
done

python3 - "$FRAMES" "$OUT" "$SPLIT" <<'PY'
import os, shutil, sys
frames_dir, out, split = sys.argv[1], sys.argv[2], sys.argv[3]
frames = sorted(f for f in os.listdir(frames_dir) if f.endswith('.jpg'))
def pick(lst, n):  # n evenly spaced items
    if len(lst) <= n: return lst
    return [lst[round(i * (len(lst) - 1) / (n - 1))] for i in range(n)]
if split == 'interleaved':
    pattern = "RTRTRDRT"
    ref, test, drift = [], [], []
    for b in range(0, len(frames), 10):
        role = pattern[(b // 10) % len(pattern)]
        {'R': ref, 'T': test, 'D': drift}[role].extend(frames[b:b + 10])
    ref = ref[:400]
elif split == 'forward':
    ref = frames[:400]
    later = frames[400:]
    test, drift = [], []
    for b in range(0, len(later), 10):
        (drift if (b // 10) % 6 == 5 else test).extend(later[b:b + 10])
else:
    sys.exit(f"unknown split {split}")
test, drift = pick(test, 235), pick(drift, 55)
for f in ref: shutil.copy(os.path.join(frames_dir, f), os.path.join(out, 'reference', f))
for f in test: shutil.copy(os.path.join(frames_dir, f), os.path.join(out, 'test', f))
for f in drift: shutil.copy(os.path.join(frames_dir, f), os.path.join(out, 'drift-source', f))
print(f"split {split}: reference {len(ref)}, clean test {len(test)}, drift sources {len(drift)}", file=sys.stderr)
PY

DRIFT=(dotnet run --project "$ROOT/src/FunctionsDrift.Cli" -c Release --)
"${DRIFT[@]}" augment --in "$OUT/drift-source" --out "$OUT/drifted" --objects "$OUT/objects" --seed 7 >&2
mv "$OUT"/drifted/*.jpg "$OUT/test/"
{ cat "$OUT/drifted/labels.csv"; for f in "$OUT"/test/f_????.jpg; do echo "$(basename "$f"),0,none"; done; } > "$OUT/labels.csv"
rm -rf "$OUT/drifted" "$OUT/drift-source"
echo "benchmark ready in $OUT: $(ls "$OUT/reference" | wc -l) reference, $(ls "$OUT/test" | wc -l) test images, labels in $OUT/labels.csv" >&2
