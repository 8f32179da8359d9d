#!/usr/bin/env bash
# One-command local demo: Azurite on 127.0.0.1, a first reference fitted from sample frames, the local host
# (`drift serve`), sample images with drifted ones uploaded, the verdicts printed as a table, everything stopped.
# Needs: .NET SDK 10, Node 20+ (npm). Works offline except for the package registries (npm, NuGet).
# Usage: scripts/demo.sh [DATA_DIR]   (Azurite data and sample images go there; default: a temp folder)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
data="${1:-$(mktemp -d -t functionsdrift-demo-XXXXXX)}"
mkdir -p "$data/azurite"
ports=(${DEMO_PORTS:-10000 10001 10002})
conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${ports[1]}/devstoreaccount1;TableEndpoint=http://127.0.0.1:${ports[2]}/devstoreaccount1;"
export DRIFT_STORAGE="$conn"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

[ -x node_modules/.bin/azurite ] || { echo "== npm ci (Azurite)"; npm ci --no-audit --no-fund --loglevel=error; }

# A storage emulator already listening there would get the demo's rows beside its own, and this one could not start.
for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: port $port is already in use (another Azurite?); stop it, or pick free ports: DEMO_PORTS=\"20000 20001 20002\" $0" >&2
    exit 1
  fi
done

echo "== starting Azurite (data in $data/azurite)"
# --disableTelemetry: Azurite sends usage telemetry by default (azurite --help); off, it cost ~3 ms less CPU per image in bench-host.
node_modules/.bin/azurite --location "$data/azurite" --silent --loose --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --blobPort "${ports[0]}" --queueHost 127.0.0.1 --queuePort "${ports[1]}" \
  --tableHost 127.0.0.1 --tablePort "${ports[2]}" &
pids+=($!)

echo "== building"
dotnet build src/FunctionsDrift.Cli -c Release -nologo -v q -o "$data/bin" >/dev/null
drift=("$data/bin/drift")

for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/${ports[2]}") 2>/dev/null && break; sleep 0.2; done

echo "== sample frames"
"${drift[@]}" sample-images "$data/samples"
echo "== uploading the reference"
"${drift[@]}" upload "$data/samples/reference" --container reference

echo "== starting the local host (drift serve): it fits a first reference, then watches 'images'"
"${drift[@]}" serve > "$data/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q "Current reference model is now\|refit skipped" "$data/serve.log" 2>/dev/null && break; sleep 0.5; done
grep -E "Current reference model|refit skipped|fail|error" "$data/serve.log" || true

echo "== uploading sample images (normal and drifted)"
"${drift[@]}" upload "$data/samples/incoming" --container images
expected=$(ls "$data/samples/incoming" | wc -l)
for _ in $(seq 1 120); do
  n=$("${drift[@]}" results --format csv 2>/dev/null | tail -n +2 | wc -l || echo 0)
  [ "$n" -ge "$expected" ] && break
  sleep 0.5
done

echo "== results"
"${drift[@]}" results
echo
"${drift[@]}" summary
echo "== stopping (Azurite data kept in $data/azurite)"
