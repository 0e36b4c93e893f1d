#!/usr/bin/env bash
# Checks that the README's quick start is true on a fresh machine: in a fresh Debian bookworm with the
# Swift toolchain (the swift base image scripts/check-container.sh makes with debootstrap: the official
# image's packages, no package lists, no sudo, root), it clones this repository and runs the README's
# two commands exactly as written. The first must bring up a server that answers a Get of a bundled
# job; the second must pass. Root, minutes (a debug build and the whole test suite), not in scripts/test.
#
#   scripts/check-quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/check-container.sh --bases-only
buildah=(buildah --storage-driver vfs)
swift_tag=$(sed -n 's/^FROM swift:\([^ ]*\) AS build$/\1/p' Dockerfile)
[ -n "$swift_tag" ] || { echo "no 'FROM swift:TAG AS build' in the Dockerfile"; exit 1; }
step() { printf '== %s\n' "$*"; }

# The quick start's two commands: the lines of its first sh block that are not comments.
mapfile -t commands < <(python3 - <<'PY'
import re
import subprocess
text = subprocess.run(["git", "show", "HEAD:README.md"], capture_output=True, text=True, check=True).stdout  # what the clone holds
block = re.search(r"## Quick start\n.*?```sh\n(.*?)```", text, re.S).group(1)
for line in block.splitlines():
    if line.strip() and not line.lstrip().startswith("#"):
        print(line)
PY
)
[ "${#commands[@]}" -eq 2 ] || { echo "expected two commands in the README's quick start, found ${#commands[@]}"; exit 1; }
printf 'command 1: %s\ncommand 2: %s\n' "${commands[0]}" "${commands[1]}"

work=$(mktemp -d /var/tmp/mock-bedrock-quickstart.XXXXXX)
container=""
cleanup() { [ -z "$container" ] || "${buildah[@]}" rm "$container" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
git clone --quiet --bare . "$work/repo.git"
container=$("${buildah[@]}" from --pull=never "docker.io/library/swift:$swift_tag")
"${buildah[@]}" copy "$container" "$work/repo.git" /src/repo.git >/dev/null
# Each command as a file, run by bash from the clone as a user would type it (no quoting of ours around it).
printf '%s\n' "${commands[0]}" >"$work/command-1.sh"
printf '%s\n' "${commands[1]}" >"$work/command-2.sh"
"${buildah[@]}" copy "$container" "$work/command-1.sh" "$work/command-2.sh" /src/ >/dev/null
run() { "${buildah[@]}" run --isolation chroot --network host "$container" -- "$@"; }

# Where this machine reaches registries through a TLS-inspecting proxy, its CA certificates (the
# ones installed in /usr/local/share/ca-certificates) are what a fresh machine of this workplace has:
# the container gets them, and pip is told to use the system's bundle (it carries its own otherwise).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    step "this machine's extra CA certificates"
    "${buildah[@]}" copy "$container" /usr/local/share/ca-certificates/ /usr/local/share/ca-certificates/ >/dev/null
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$work/pip.conf"
    "${buildah[@]}" copy "$container" "$work/pip.conf" /etc/pip.conf >/dev/null
    run update-ca-certificates >/dev/null
fi

step "git clone, then command 1 (in the background until it serves)"
port=4599
# set -m: command 1 runs in a process group of its own, which is then stopped whole (swift run and the server).
run bash -c "set -m; (git clone --quiet /src/repo.git /work/mock-bedrock && cd /work/mock-bedrock && bash /src/command-1.sh) >/tmp/server.log 2>&1 &
    group=\$!
    trap 'kill -TERM -- -\$group 2>/dev/null' EXIT  # never leave the server running on the host's network
    for second in \$(seq 1 1800); do
        if grep -qs 'mock-bedrock listening on' /tmp/server.log; then break; fi
        if ! kill -0 \$group 2>/dev/null; then cat /tmp/server.log; exit 1; fi
        sleep 1
    done
    grep 'mock-bedrock listening on' /tmp/server.log || { tail -30 /tmp/server.log; exit 1; }
    exec 3<>/dev/tcp/127.0.0.1/$port
    printf 'GET /model-invocation-job/b7q2k9x4m1z8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
    answer=\$(cat <&3)
    echo \"\$answer\" | head -1
    echo \"\$answer\" | head -1 | grep -q ' 200 ' && echo \"\$answer\" | grep -q 'model-invocation-job/b7q2k9x4m1z8' || exit 1
    kill -TERM -- -\$group
    wait \$group; code=\$?
    trap - EXIT
    # swift run passes the signal on; the server exits 0 on SIGTERM (143 is swift run itself stopped by it).
    [ \$code -eq 0 ] || [ \$code -eq 143 ] || { echo \"command 1 exited with \$code after SIGTERM\"; tail -20 /tmp/server.log; exit 1; }"

step "command 2"
run bash -c "cd /work/mock-bedrock && bash /src/command-2.sh"
step "the quick start holds"
