#!/usr/bin/env bash
# The test command (README and CI): installs what the tests need on a fresh Debian machine, then runs every test
# project against the real parts — ONNX Runtime with ResNet18, a real Azurite, headless Chromium for the report.
#   scripts/test.sh [extra dotnet test arguments]
# Ends with one line "N passed, N failed[, N skipped]".
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
LOG_DIR="${TEST_LOG_DIR:-$ROOT/artifacts/test-logs}"
mkdir -p "$LOG_DIR"

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
fc-list >/dev/null 2>&1 || true
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || need_apt+=(fonts-dejavu-core)
if (( ${#need_apt[@]} )); then
  echo "installing Debian packages: ${need_apt[*]}" >&2
  if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null \
      || echo "warning: could not install ${need_apt[*]}; tests that need them will be skipped" >&2
  else
    echo "warning: not root or no apt-get; tests that need ${need_apt[*]} will be skipped" >&2
  fi
fi

# Azurite (pinned in package.json); the storage test fixture starts it on free loopback ports with a temp folder.
if [[ ! -x node_modules/.bin/azurite ]]; then
  echo "installing Azurite (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2 || { echo "npm ci failed" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

dotnet build FunctionsDrift.sln -c Release --nologo -v q 2>&1 | tail -3 >&2
build_rc=${PIPESTATUS[0]}
if (( build_rc != 0 )); then
  dotnet build FunctionsDrift.sln -c Release --nologo -v q 2>&1 | grep -E "error" | head -30 >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# The storage burst test uploads this many images as fast as possible (the issue asks for 500).
export DRIFT_BURST_COUNT="${DRIFT_BURST_COUNT:-500}"

rm -f "$LOG_DIR"/*.trx
dotnet test FunctionsDrift.sln -c Release --no-build --nologo \
  --logger "trx;LogFilePrefix=tests" --results-directory "$LOG_DIR" --logger "console;verbosity=normal" "$@" 2>&1 | tee "$LOG_DIR/console.log" \
  | grep -E "^\s*(Failed|Skipped) |^\s+(Passed|Failed)!|error|Error Message" | head -200
test_rc=${PIPESTATUS[0]}

# Count from the TRX files: one per test project.
read -r passed failed skipped < <(python3 - "$LOG_DIR" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    s += int(c.get("notExecuted", 0))
print(p, f, s)
PY
)
if (( test_rc != 0 && failed == 0 )); then failed=1; fi   # a crashed test host counts as a failure
echo "${passed:-0} passed, ${failed:-1} failed, ${skipped:-0} skipped"
(( test_rc == 0 && failed == 0 ))
