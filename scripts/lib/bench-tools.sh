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
