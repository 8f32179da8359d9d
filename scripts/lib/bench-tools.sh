# Sourced by the benchmark builders (make-*.sh): the Debian tools they need, and opencv-doc's sample data.

# need_debian COMMAND PACKAGE: installs PACKAGE when COMMAND is missing.
need_debian() {
  command -v "$1" >/dev/null && return
  echo "installing $2 (Debian)…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# opencv_doc_data CACHE_DIR: downloads and unpacks opencv-doc once, then prints the folder holding vtest.avi, tree.avi and
# the sample stills.
opencv_doc_data() {
  local cache="$1" data="$1/opencv-doc/usr/share/doc/opencv-doc/examples/data"
  if [[ ! -f "$data/vtest.avi" ]]; then
    echo "downloading opencv-doc (Debian)…" >&2
    ( cd "$cache" && rm -f opencv-doc_*.deb && apt-get download opencv-doc >/dev/null 2>&1 || { apt-get update -qq && apt-get download opencv-doc; } ) >&2
    dpkg-deb -x "$cache"/opencv-doc_*.deb "$cache/opencv-doc"
  fi
  echo "$data"
}

# clean_frames BENCH_DIR: the clean test frames of a benchmark (label 0 in its labels.csv), in time order.
clean_frames() {
  [[ -f "$1/labels.csv" ]] || { echo "error: $1/labels.csv not found" >&2; return 2; }
  awk -F, 'NR > 1 && $2 == 0 { print $1 }' "$1/labels.csv" | sort
}

# picked_clean_frames BENCH_DIR COUNT: COUNT clean test frames of a benchmark (all of them if it has fewer), evenly spaced
# in time order, one per line.
picked_clean_frames() {
  local clean n i count
  mapfile -t clean < <(clean_frames "$1")
  n=${#clean[@]}
  count=$(( $2 < n ? $2 : n ))
  for (( i = 0; i < count; i++ )); do echo "${clean[$(( (i * n) / count ))]}"; done
}

# new_labelled_set DIR: an empty DIR holding only the header of its labels.csv.
new_labelled_set() {
  rm -rf "$1"; mkdir -p "$1"
  echo "image,label,kind,params" > "$1/labels.csv"
}

# extract_frames VIDEO FRAMES_DIR PREFIX LAST: the video's frames as FRAMES_DIR/PREFIX_0001.jpg…, extracted once; LAST is
# the final frame's number, so an interrupted extraction is redone.
extract_frames() {
  [[ -f "$2/$3_$4.jpg" ]] && return
  mkdir -p "$2"
  ffmpeg -loglevel error -y -i "$1" -q:v 2 "$2/$3_%04d.jpg"
}
