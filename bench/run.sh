#!/usr/bin/env bash
# Builds mock-bedrock (release) and the C reference, then measures both side by side and writes
# bench/REPORT.md.
#   bench/run.sh            # 3 rounds x 10 s at 1, 32 and 256 connections, scale 10k and 100k jobs (a few minutes)
#   bench/run.sh --smoke    # 1 round x 1 s, scale 1k, report to a temporary file: checks the script still works
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v taskset >/dev/null || { echo "bench: taskset (util-linux) is needed" >&2; exit 1; }
# Ours as the container ships it (static Swift stdlib), and as `swift run` builds it (dynamic).
swift build -c release --static-swift-stdlib --scratch-path .build-static --product mock-bedrock >/dev/null
ours="$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/mock-bedrock"
swift build -c release --product mock-bedrock >/dev/null
dynamic="$(swift build -c release --show-bin-path)/mock-bedrock"
reference=.build/bench-reference
# The C compiler: cc where the system has one, else the Swift toolchain's clang (the Swift images have no gcc).
compiler=$(command -v cc || command -v clang) || { echo "bench: a C compiler (cc or clang) is needed" >&2; exit 1; }
"$compiler" -O2 -Wall -o "$reference" bench/reference.c $(pkg-config --cflags --libs libmicrohttpd) -lpthread

if [ "${1:-}" = "--smoke" ]; then
    report=$(mktemp)
    python3 bench/bench.py --ours "$ours" --ours-dynamic "$dynamic" --reference "$reference" --rounds 1 --seconds 1 --connections 1,32 \
        --scale 1000 --soak 3 --report "$report" --command "bench/run.sh --smoke" >/dev/null
    grep -q "## Targets" "$report" && echo "bench smoke: report written ($(grep -c '^|' "$report") table rows)"
    rm -f "$report"
else
    python3 bench/bench.py --ours "$ours" --ours-dynamic "$dynamic" --reference "$reference" "$@"
fi
