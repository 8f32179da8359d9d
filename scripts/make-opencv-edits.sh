#!/usr/bin/env bash
# Edits made with OpenCV and NumPy (a fourth tool, beside the engine's generator, ImageMagick and ffmpeg) to 12 clean
# test frames of a benchmark made by scripts/make-benchmark.sh: 24 corruptions of the kinds albumentations and
# imgaug offer — local contrast (CLAHE), histogram equalisation, posterize, solarize, sepia, an RGB shift, gamma,
# over-exposure, a dropped channel, black rectangles (coarse dropout), a cast shadow, snow, a dirty lens, chromatic
# aberration, a perspective tilt, a wavy grid distortion, WebP compression, salt-and-pepper and sensor colour noise,
# defocus and motion blur, pixelation, a 5 % brightness step and a lens fogged at the edges — plus each frame re-encoded
# unchanged (label 0). Seeded, so the same frames give the same edits.
# Writes DIR/opencv-edits/*.jpg and DIR/opencv-edits/labels.csv.
# With --stream KIND, every clean test frame gets the same KIND edit (the same smudges, squares or shadow in the same
# place: a fault that stays, as a dirty lens does), in time order, for the window test: DIR/opencv-stream-KIND/.
#   scripts/make-opencv-edits.sh BENCH_DIR [--stream KIND]
set -euo pipefail
B="${1:?benchmark folder (made by scripts/make-benchmark.sh)}"
STREAM=""
[[ "${2:-}" == --stream ]] && STREAM="${3:?--stream needs an edit kind, e.g. dirtylens}"
source "$(dirname "$0")/lib/bench-tools.sh"
/usr/bin/python3 -c "import cv2, numpy" 2>/dev/null || {
  echo "installing python3-opencv (Debian)…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-opencv python3-numpy >/dev/null
}
if [[ -n "$STREAM" ]]; then
  O="$B/opencv-stream-$STREAM"
  mapfile -t frames < <(clean_frames "$B")
else
  O="$B/opencv-edits"
  mapfile -t frames < <(picked_clean_frames "$B" 12)
fi
new_labelled_set "$O"
/usr/bin/python3 - "$B/test" "$O" "$STREAM" "${frames[@]}" <<'PY'
import sys, cv2, numpy as np

src, out, stream, frames = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
rng = np.random.default_rng(11)

def lut(img, f):
    table = np.clip([f(v) for v in range(256)], 0, 255).astype(np.uint8)
    return cv2.LUT(img, table)

def clahe(img):
    lab = cv2.cvtColor(img, cv2.COLOR_BGR2LAB)
    lab[..., 0] = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)

def equalize(img):
    ycc = cv2.cvtColor(img, cv2.COLOR_BGR2YCrCb)
    ycc[..., 0] = cv2.equalizeHist(ycc[..., 0])
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2BGR)

def sepia(img):
    m = np.array([[0.131, 0.534, 0.272], [0.168, 0.686, 0.349], [0.189, 0.769, 0.393]])  # BGR rows
    return np.clip(img.astype(np.float32) @ m.T, 0, 255).astype(np.uint8)

def rgb_shift(img):
    f = img.astype(np.int16) + np.array([-15, 0, 15], np.int16)  # blue −15, red +15
    return np.clip(f, 0, 255).astype(np.uint8)

def drop_blue(img):
    o = img.copy(); o[..., 0] = 0; return o

def coarse_dropout(img):
    o = img.copy(); h, w = o.shape[:2]; s = int(w * 0.04)
    for _ in range(6):
        x, y = rng.integers(0, w - s), rng.integers(h // 3, h - s)
        o[y:y + s, x:x + s] = 0
    return o

def shadow(img):
    h, w = img.shape[:2]
    poly = np.array([[rng.integers(0, w // 2), h], [rng.integers(w // 4, w), h],
                     [rng.integers(w // 2, w), rng.integers(h // 2, h)], [rng.integers(0, w // 2), rng.integers(h // 2, h)]])
    mask = np.zeros((h, w), np.uint8); cv2.fillPoly(mask, [poly.astype(np.int32)], 1)
    o = img.astype(np.float32); o[mask == 1] *= 0.55
    return o.astype(np.uint8)

def snow(img):
    h, w = img.shape[:2]
    o = cv2.addWeighted(img, 0.85, np.full_like(img, 255), 0.15, 0)
    for _ in range(400):
        cv2.circle(o, (int(rng.integers(0, w)), int(rng.integers(0, h))), int(rng.integers(1, 4)), (250, 250, 250), -1)
    return cv2.GaussianBlur(o, (3, 3), 0)

def dirty_lens(img):
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.float32)
    for _ in range(5):
        cv2.circle(mask, (int(rng.integers(0, w)), int(rng.integers(0, h))), int(rng.integers(w // 30, w // 12)), 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), w / 60)[..., None] * 0.6
    smear = cv2.GaussianBlur(img, (0, 0), 8).astype(np.float32) * 0.6
    return (img * (1 - mask) + smear * mask).astype(np.uint8)

def chromatic(img):
    b, g, r = cv2.split(img); h, w = g.shape
    shift = lambda c, dx: cv2.warpAffine(c, np.float32([[1.006, 0, -w * 0.003 + dx], [0, 1.006, -h * 0.003]]), (w, h), borderMode=cv2.BORDER_REFLECT)
    return cv2.merge([shift(b, -1), g, shift(r, 1)])

def perspective(img):
    h, w = img.shape[:2]; d = 0.04
    src_pts = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst_pts = np.float32([[w * d, 0], [w * (1 - d), 0], [w, h], [0, h]])
    return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src_pts, dst_pts), (w, h), borderMode=cv2.BORDER_REFLECT)

def wavy(img):
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(img, x + 3 * np.sin(y / 12), y + 3 * np.cos(x / 15), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

def webp(img):
    ok, buf = cv2.imencode(".webp", img, [cv2.IMWRITE_WEBP_QUALITY, 8])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)

def salt_pepper(img):
    o = img.copy(); m = rng.random(o.shape[:2])
    o[m < 0.01] = 0; o[m > 0.99] = 255
    return o

def sensor_noise(img):
    hls = cv2.cvtColor(img, cv2.COLOR_BGR2HLS).astype(np.float32)
    hls[..., 0] += rng.normal(0, 4, hls.shape[:2]); hls[..., 1] += rng.normal(0, 6, hls.shape[:2])
    return cv2.cvtColor(np.clip(hls, 0, [179, 255, 255]).astype(np.uint8), cv2.COLOR_HLS2BGR)

def defocus(img):
    k = np.zeros((9, 9), np.float32); cv2.circle(k, (4, 4), 4, 1, -1)
    return cv2.filter2D(img, -1, k / k.sum())

def motion(img):
    k = np.zeros((11, 11), np.float32); k[5, :] = 1 / 11
    return cv2.filter2D(img, -1, k)

def pixelate(img):
    h, w = img.shape[:2]
    return cv2.resize(cv2.resize(img, (w // 6, h // 6), interpolation=cv2.INTER_AREA), (w, h), interpolation=cv2.INTER_NEAREST)

def fogged_edges(img):
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2)
    a = np.clip((r - 0.6) / 0.6, 0, 1)[..., None] * 0.6
    return (img * (1 - a) + 230 * a).astype(np.uint8)

edits = {
    "clahe": clahe, "equalize": equalize, "posterize": lambda i: i & 0xE0, "solarize": lambda i: lut(i, lambda v: v if v < 160 else 255 - v),
    "sepia": sepia, "rgbshift": rgb_shift, "gamma07": lambda i: lut(i, lambda v: 255 * (v / 255) ** 0.7),
    "overexpose": lambda i: lut(i, lambda v: v * 1.5), "dropblue": drop_blue, "dropout": coarse_dropout, "shadow": shadow,
    "snow": snow, "dirtylens": dirty_lens, "chromatic": chromatic, "perspective": perspective, "wavy": wavy, "webp8": webp,
    "saltpepper": salt_pepper, "sensornoise": sensor_noise, "defocus": defocus, "motion11": motion, "pixelate": pixelate,
    "bright5": lambda i: lut(i, lambda v: v + 0.05 * 255), "fogedges": fogged_edges,
}
if stream and stream not in edits:
    sys.exit(f"unknown edit kind {stream}; kinds: {', '.join(edits)}")
with open(f"{out}/labels.csv", "a") as labels:
    for name in frames:
        if stream:
            rng = np.random.default_rng(11)  # the same draws for every frame: the fault stays where it is
            img = cv2.imread(f"{src}/{name}", cv2.IMREAD_COLOR)
            cv2.imwrite(f"{out}/{name}", edits[stream](img), [cv2.IMWRITE_JPEG_QUALITY, 95])
            labels.write(f"{name},1,{stream},opencv stream\n")
            continue
        img = cv2.imread(f"{src}/{name}", cv2.IMREAD_COLOR)
        base = name.rsplit(".", 1)[0]
        for kind, edit in edits.items():
            cv2.imwrite(f"{out}/{base}__{kind}.jpg", edit(img), [cv2.IMWRITE_JPEG_QUALITY, 95])
            labels.write(f"{base}__{kind}.jpg,1,{kind},opencv\n")
        cv2.imwrite(f"{out}/{base}__reencode.jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 95])
        labels.write(f"{base}__reencode.jpg,0,none,\"quality 95, unchanged\"\n")
PY
echo "$(( $(wc -l < "$O/labels.csv") - 1 )) frames in $O" >&2
