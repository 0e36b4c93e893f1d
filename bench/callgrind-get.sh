#!/usr/bin/env bash
# Instructions per Get (callgrind), for each binary given, side by side: each server runs under
# valgrind with one libmicrohttpd thread, answers N Gets of one job on one keep-alive connection,
# and is stopped; the count of a run with no Get is taken off. Deterministic for a given binary.
#   bench/callgrind-get.sh OLD_BINARY NEW_BINARY [N]      # e.g. two release builds of two commits
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "callgrind-get: valgrind is needed (apt-get install valgrind)"; exit 1; }
n=${N:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c "import json, sys; sys.path.insert(0, 'bench'); from bench import JOB; json.dump(JOB, open('$work/job.json', 'w'))"

instructions() {  # BINARY GETS -> total instructions of the run
    local binary=$1 gets=$2 port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "$binary" --port "$port" --threads 1 --fixtures "$work/job.json" \
        --clock-rate 0 --log-level warning >"$work/stdout" 2>"$work/stderr" &
    local server=$!
    for _ in $(seq 1 300); do grep -q listening "$work/stdout" 2>/dev/null && break; sleep 0.2; done
    python3 - "$port" "$gets" <<'PY'
import http.client, sys
port, gets = int(sys.argv[1]), int(sys.argv[2])
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for _ in range(gets):
    connection.request("GET", "/model-invocation-job/bench0job001")
    response = connection.getresponse()
    response.read()
    assert response.status == 200
PY
    kill -TERM "$server"
    wait "$server" || true
    awk '/^(summary|totals):/ { print $2; exit }' "$work/out"
}

for binary in "$@"; do
    idle=$(instructions "$binary" 0)
    loaded=$(instructions "$binary" "$n")
    echo "$binary: $(( (loaded - idle) / n )) instructions a Get ($n Gets)"
done
