#!/usr/bin/env bash
# The data plane's benchmark (bench/data.py): a 50,000-record job under --s3-dir side by side with
# jq -c, and the same job against moto_server; writes the "Batch data" section of bench/REPORT.md.
#   bench/data.sh            # 3 rounds of 50,000 records, and moto_server (a minute or two)
#   bench/data.sh --smoke    # 1 round of 2,000 records into a temporary report: checks the script still works
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "bench: jq is needed (apt-get install jq)" >&2; exit 1; }
swift build -c release --static-swift-stdlib --scratch-path .build-static --product mock-bedrock >/dev/null
ours="$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/mock-bedrock"
python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
if [ "${1:-}" = "--smoke" ]; then
    report=$(mktemp)
    "$python" bench/data.py --binary "$ours" --records 2000 --rounds 1 --report "$report" --command "bench/data.sh --smoke" >/dev/null
    grep -q "## Batch data" "$report" && echo "data bench smoke: report written"
    rm -f "$report"
else
    moto=()
    [ -x .venv/bin/moto_server ] && moto=(--moto .venv/bin/moto_server)
    "$python" bench/data.py --binary "$ours" "${moto[@]}" "$@"
fi
