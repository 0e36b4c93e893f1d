#!/usr/bin/env bash
# Checks that the wheel runs where there is no Swift and no libmicrohttpd: in a fresh Debian bookworm
# slim (the base scripts/check-container.sh makes with debootstrap) with python3 and its venv module
# installed from Debian and nothing else, it installs the wheel scripts/build-wheel made (and pytest
# from PyPI) into a venv and runs python/examples/test_with_plugin.py with the plugin alone.
# Root, a few minutes, not in scripts/test.
#
#   scripts/build-wheel && scripts/check-wheel-container.sh
set -euo pipefail
cd "$(dirname "$0")/.."

wheel=$(ls wheelhouse/mock_bedrock-*.whl 2>/dev/null | head -1)
[ -n "$wheel" ] || { echo "no wheel in wheelhouse/: run scripts/build-wheel first"; exit 1; }
scripts/check-container.sh --bases-only
buildah=(buildah --storage-driver vfs)
step() { printf '== %s\n' "$*"; }
work=$(mktemp -d /var/tmp/mock-bedrock-wheel.XXXXXX)
container=""
cleanup() { [ -z "$container" ] || "${buildah[@]}" rm "$container" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
container=$("${buildah[@]}" from --pull=never docker.io/library/debian:bookworm-slim)
run() { "${buildah[@]}" run --isolation chroot --network host "$container" -- "$@"; }
mkdir "$work/check"
cp "$wheel" python/examples/test_with_plugin.py "$work/check/"
"${buildah[@]}" copy "$container" "$work/check" /check >/dev/null

# This workplace reaches registries through a TLS-inspecting proxy: its CA certificates are what a
# fresh machine here has (see scripts/check-quickstart.sh).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    "${buildah[@]}" copy "$container" /usr/local/share/ca-certificates/ /usr/local/share/ca-certificates/ >/dev/null
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$work/pip.conf"
    "${buildah[@]}" copy "$container" "$work/pip.conf" /etc/pip.conf >/dev/null
fi

step "python3 from Debian (no Swift, no libmicrohttpd)"
run sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv ca-certificates >/dev/null \
    && (update-ca-certificates >/dev/null 2>&1 || true)'
run sh -c '! command -v swift && ! ls /usr/lib/x86_64-linux-gnu/libmicrohttpd* /usr/lib/x86_64-linux-gnu/libpcre2-8* 2>/dev/null' \
    || { echo "FAIL: the container has Swift, libmicrohttpd or PCRE2"; exit 1; }
echo "no Swift, no libmicrohttpd, no PCRE2"

step "the wheel and pytest into a venv"
pytest_version=$(.venv/bin/python -c 'import pytest; print(pytest.__version__)')
run sh -c "python3 -m venv /venv && /venv/bin/pip install --quiet --disable-pip-version-check /check/$(basename "$wheel") pytest==$pytest_version"

step "the plugin alone: python/examples/test_with_plugin.py"
run sh -c "cd /check && /venv/bin/python -m pytest -q -p no:cacheprovider test_with_plugin.py"
run sh -c 'ldd /venv/lib/python3*/site-packages/mock_bedrock/bin/mock-bedrock'
echo "wheel $(basename "$wheel"): installed and ran in a fresh bookworm without Swift"
