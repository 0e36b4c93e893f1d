#!/usr/bin/env bash
# Builds the binary the container ships (release, static Swift stdlib) and runs bench/soak.py on it:
# soaks of bench/soak.lua's mixed load with the stall catcher watching.
#   bench/soak.sh --runs 20 --seconds 60 --connections 256            # 20 soaks, each with its 10 s windows
#   bench/soak.sh --until-stall 50 --seconds 60 --threads 1           # repeat until a stall, save its evidence
#   bench/soak.sh --runs 3 --seconds 10 --threads 1 --check           # what scripts/test runs: exit 1 on a stall
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --scratch-path .build-static --product mock-bedrock >/dev/null
binary="$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/mock-bedrock"
exec python3 bench/soak.py --binary "$binary" "$@"
