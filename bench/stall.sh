#!/usr/bin/env bash
# A stalled data lane's cost (bench/stall.py): Get and health-check latency of one server side by side
# while nothing waits and while every data lane is stalled on a trickling S3 input; writes the
# "A stalled data lane" section of bench/REPORT.md.
#   bench/stall.sh            # 3 rounds of 5 s each way, 16 held Gets (about a minute)
#   bench/stall.sh --smoke    # 1 round of 1 s into a temporary report: checks the script still works
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
swift build -c release --static-swift-stdlib --scratch-path .build-static --product mock-bedrock >/dev/null
ours="$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/mock-bedrock"
python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
if [ "${1:-}" = "--smoke" ]; then
    report=$(mktemp)
    "$python" bench/stall.py --binary "$ours" --rounds 1 --seconds 1 --holders 4 --report "$report" --command "bench/stall.sh --smoke" >/dev/null
    grep -q "## A stalled data lane" "$report" && echo "stall bench smoke: report written"
    rm -f "$report"
else
    "$python" bench/stall.py --binary "$ours" "$@"
fi
