#!/usr/bin/env bash
# The lifecycle events' benchmark (bench/events.py): events sent after a clock jump over many jobs, and
# Get throughput side by side quiet and during event storms; writes the "Lifecycle events" section of
# bench/REPORT.md.
#   bench/events.sh            # 10,000 jobs, 3 rounds of 5 s, and a webhook (about a minute)
#   bench/events.sh --smoke    # 500 jobs, 1 round of 1 s, into a temporary report: checks the script still works
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
swift build -c release --static-swift-stdlib --scratch-path .build-static --product mock-bedrock >/dev/null
ours="$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/mock-bedrock"
python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
if [ "${1:-}" = "--smoke" ]; then
    report=$(mktemp)
    "$python" bench/events.py --binary "$ours" --jobs 500 --rounds 1 --seconds 1 --webhook --report "$report" --command "bench/events.sh --smoke" >/dev/null
    grep -q "## Lifecycle events" "$report" && echo "events bench smoke: report written"
    rm -f "$report"
else
    "$python" bench/events.py --binary "$ours" --webhook "$@"
fi
