#!/usr/bin/env bash
# Builds the container image from the Dockerfile and checks it, on a machine without a Docker
# engine: buildah (chroot isolation, vfs storage) builds and runs it. The two base images the
# Dockerfile names are made here with debootstrap, cached between runs:
#   debian:bookworm-slim   debootstrap minbase, trimmed the way the official slim image is;
#   swift:6.3.1-bookworm   debootstrap with the official image's packages plus this machine's Swift
#                          toolchain (/opt/swift), and a git mirror of the Swift packages the
#                          project depends on, since there is no network to GitHub here.
# It prints the image size, the time from start to the first 200, and checks ldd, the health
# check, a boto3 Get, the non-root user and a clean exit on SIGTERM.
#
#   scripts/check-container.sh                # as root (apt-get installs buildah and debootstrap if missing)
#   scripts/check-container.sh --bases-only   # only make (or find) the two base images
set -euo pipefail
cd "$(dirname "$0")/.."

swift_tag=$(sed -n 's/^FROM swift:\([^ ]*\) AS build$/\1/p' Dockerfile)
cache=${MOCK_BEDROCK_CONTAINER_CACHE:-/var/cache/mock-bedrock-container}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
image=localhost/mock-bedrock:check
buildah=(buildah --storage-driver vfs)
python=${PYTHON:-.venv/bin/python}
if [ ! -x "$python" ]; then
    # The checks below call boto3: the same pinned clients scripts/test installs.
    python3 -m venv .venv && .venv/bin/python -m pip install --quiet --disable-pip-version-check -r Tests/e2e/requirements.txt
    cp Tests/e2e/requirements.txt .venv/requirements.txt
    python=.venv/bin/python
fi
step() { printf '== %s\n' "$*"; }

missing=()
command -v buildah >/dev/null || missing+=(buildah)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    step "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
mkdir -p "$cache"

# make_base NAME TARBALL PREPARE: commits the root file system in TARBALL (made by PREPARE DIR
# when it is not cached) as image NAME, unless NAME exists.
make_base() {
    local name=$1 tarball=$2 prepare=$3
    if [ -s "$tarball" ] && "${buildah[@]}" inspect --type image "$name" >/dev/null 2>&1; then
        step "base $name: cached"
        return
    fi
    if [ ! -s "$tarball" ]; then
        step "base $name: debootstrap"
        local root
        root=$(mktemp -d /var/tmp/mock-bedrock-root.XXXXXX)
        "$prepare" "$root"
        tar -C "$root" -cf "$tarball.partial" .
        mv "$tarball.partial" "$tarball"
        rm -rf "$root"
    fi
    step "base $name: import"
    local container
    container=$("${buildah[@]}" from scratch)
    "${buildah[@]}" add "$container" "$tarball" / >/dev/null
    "${buildah[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash "$container"
    "${buildah[@]}" commit --quiet "$container" "$name" >/dev/null
    "${buildah[@]}" rm "$container" >/dev/null
}

prepare_slim() {
    local root=$1
    debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
    # What the official slim image leaves out: documentation, manuals, locales, package lists.
    cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
    # And what it sets for apt: no package cache kept after an install.
    cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
    find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/var/lib/apt/lists/* \
        "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log "$root"/var/cache/debconf/*-old
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
}

prepare_swift() {
    local root=$1
    # The packages of the official swift:*-bookworm image.
    debootstrap --variant=minbase \
        --include=binutils,git,gnupg2,libc6-dev,libcurl4-openssl-dev,libedit2,libgcc-12-dev,libpython3-dev,libsqlite3-0,libstdc++-12-dev,libxml2-dev,libncurses-dev,libz3-dev,pkg-config,tzdata,zlib1g-dev,unzip,ca-certificates \
        bookworm "$root" "$mirror" >/dev/null
    cp -a /opt/swift/usr/. "$root/usr/"
    # The Swift packages of Package.swift, mirrored where git finds them for github.com.
    mkdir -p "$root/opt/swift-packages/apple"
    for package in swift-argument-parser swift-log swift-collections; do
        git clone --quiet --mirror "/opt/swift-packages/apple/$package.git" "$root/opt/swift-packages/apple/$package.git"
    done
    printf '[url "/opt/swift-packages/"]\n\tinsteadOf = https://github.com/\n' >"$root/etc/gitconfig"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
}

# The tarball names carry a version: a change to prepare_* above makes new ones.
make_base docker.io/library/debian:bookworm-slim "$cache/debian-bookworm-slim-v3.tar" prepare_slim
make_base "docker.io/library/swift:$swift_tag" "$cache/swift-$swift_tag-v3.tar" prepare_swift
[ "${1:-}" = "--bases-only" ] && exit 0

if [ "${MOCK_BEDROCK_REUSE_IMAGE:-}" = 1 ] && "${buildah[@]}" inspect --type image "$image" >/dev/null 2>&1; then
    step "reusing $image (MOCK_BEDROCK_REUSE_IMAGE=1)"
else
step "build $image"
build_started=$(date +%s)
"${buildah[@]}" rmi --force "$image" >/dev/null 2>&1 || true
# No intermediate layers: vfs copies the whole file system at each one (gigabytes with the toolchain).
"${buildah[@]}" build --isolation chroot --pull=never --format docker --layers=false -t "$image" . >/tmp/mock-bedrock-container-build.log 2>&1 \
    || { tail -30 /tmp/mock-bedrock-container-build.log; exit 1; }
echo "built in $(($(date +%s) - build_started)) s"
fi

size=$("${buildah[@]}" images --format '{{.Size}}' "$image")
container=$("${buildah[@]}" from "$image")
cleanup() { "${buildah[@]}" rm "$container" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# The image's USER, passed explicitly the way docker applies it.
user=$("${buildah[@]}" inspect --type image --format '{{.Docker.Config.User}}' "$image")
run() { "${buildah[@]}" run --isolation chroot --network host --user "$user" "$container" -- "$@"; }

step "inside the container: exec to the first 200 (polled with mock-bedrock health)"
inner_port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run sh -c "start=\$(date +%s%N); mock-bedrock serve --port $inner_port --log-level warning >/dev/null & \
    until mock-bedrock health --port $inner_port --timeout 1; do :; done; \
    echo \"first 200 after \$(( (\$(date +%s%N) - start) / 1000000 )) ms inside the container\"; kill -TERM \$!; wait \$!; echo \"server exit \$?\""


step "ldd of the binary in the runtime stage"
ldd_output=$(run ldd /usr/local/bin/mock-bedrock)
echo "$ldd_output"
if grep -q "not found" <<<"$ldd_output"; then echo "FAIL: a library is missing"; exit 1; fi

step "image config"
config=$("${buildah[@]}" inspect --type image --format '{{.Docker.Config.User}} {{.Docker.Config.ExposedPorts}} {{.Docker.Config.Healthcheck.Test}} {{.Docker.Config.Entrypoint}} {{.Docker.Config.Cmd}}' "$image")
echo "$config"
[[ "$config" == 10001* ]] || { echo "FAIL: not a non-root user"; exit 1; }
[[ "$config" == *"4599/tcp"* ]] || { echo "FAIL: port 4599 not exposed"; exit 1; }
[[ "$config" == *"mock-bedrock health"* ]] || { echo "FAIL: no health check"; exit 1; }

step "run: start, first 200, boto3, health, SIGTERM"
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
output=$(mktemp)
started=$("$python" -c 'import time; print(time.monotonic())')
"${buildah[@]}" run --isolation chroot --network host --user "$user" "$container" -- \
    mock-bedrock serve --host 0.0.0.0 --port "$port" --log-level warning >"$output" 2>&1 &
runner=$!
"$python" - "$port" "$started" <<'PY'
import sys, time, urllib.request
port, started = int(sys.argv[1]), float(sys.argv[2])
deadline = time.monotonic() + 30
while True:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_mock/health", timeout=1) as response:
            if response.status == 200:
                print(f"first 200 after {(time.monotonic() - started) * 1000:.0f} ms from the host (including buildah run's own setup)")
                break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("FAIL: no 200 within 30 s")
        time.sleep(0.005)
PY
run mock-bedrock health --port "$port" && echo "health check: exit 0"
MOCK_PORT=$port "$python" - <<'PY'
import os, boto3
client = boto3.client("bedrock", endpoint_url=f"http://127.0.0.1:{os.environ['MOCK_PORT']}", region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
job = client.get_model_invocation_job(jobIdentifier="b7q2k9x4m1z8")
assert job["status"] == "Completed", job
print("boto3 Get from the container:", job["jobName"], job["status"])
PY
server_pid=$(pgrep -f "^/usr/local/bin/mock-bedrock serve --host 0.0.0.0 --port $port" | head -1)  # not buildah's processes
user=$(ps -o user= -p "$server_pid")
echo "server runs as uid $(ps -o uid= -p "$server_pid" | tr -d ' ') ($user)"
[ "$(ps -o uid= -p "$server_pid" | tr -d ' ')" = 10001 ] || { echo "FAIL: server not running as 10001"; exit 1; }
kill -TERM "$server_pid"
stop_started=$(date +%s%N)
wait "$runner" && status=0 || status=$?
echo "SIGTERM: exit $status after $((($(date +%s%N) - stop_started) / 1000000)) ms"
[ "$status" = 0 ] || { cat "$output"; exit 1; }

step "batch data: --s3-dir on a volume, and --s3-endpoint on moto_server (libcurl and libxml2 in the runtime image); events to moto's EventBridge"
data=$(mktemp -d)
mkdir -p "$data/s3/in-bucket" "$data/s3/out-bucket"
"$python" -c 'import json,sys
with open(sys.argv[1], "w") as f:
    for i in range(150): f.write(json.dumps({"recordId": f"r{i}", "modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": [{"role": "user", "content": f"hi {i}"}]}}) + "\n")' \
    "$data/s3/in-bucket/in.jsonl"
chmod -R a+rwX "$data"
moto_port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$(dirname "$python")/moto_server" -H 127.0.0.1 -p "$moto_port" >/dev/null 2>&1 &
moto=$!
for store in dir endpoint; do
    port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [ "$store" = dir ]; then store_args=(--s3-dir /s3); else store_args=(--s3-endpoint "http://127.0.0.1:$moto_port" --s3-credentials test:test --eventbridge-endpoint "http://127.0.0.1:$moto_port" --eventbridge-credentials test:test); fi
    "${buildah[@]}" run --isolation chroot --network host --user "$user" --volume "$data/s3:/s3" "$container" -- \
        mock-bedrock serve --port "$port" --clock-rate 0 --log-level warning "${store_args[@]}" >"$output" 2>&1 &
    runner=$!
    MOCK_PORT=$port MOTO_PORT=$moto_port STORE=$store DATA=$data/s3 "$python" - <<'PY' || { cat "$output"; kill "$moto"; exit 1; }
import json, os, time, urllib.request
import boto3
from botocore.config import Config
port, store = os.environ["MOCK_PORT"], os.environ["STORE"]
url = f"http://127.0.0.1:{port}"
for _ in range(300):
    try:
        urllib.request.urlopen(url + "/_mock/health", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
keys = dict(region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
s3 = None
if store == "endpoint":
    s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{os.environ['MOTO_PORT']}", config=Config(s3={"addressing_style": "path"}), **keys)
    for bucket in ("in-bucket", "out-bucket"):
        s3.create_bucket(Bucket=bucket)
    s3.upload_file(os.path.join(os.environ["DATA"], "in-bucket", "in.jsonl"), "in-bucket", "in.jsonl")
    moto = f"http://127.0.0.1:{os.environ['MOTO_PORT']}"
    sqs, events = boto3.client("sqs", endpoint_url=moto, **keys), boto3.client("events", endpoint_url=moto, **keys)
    queue = sqs.create_queue(QueueName="batch-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="batch", EventPattern=json.dumps({"source": ["aws.bedrock"], "detail": {"status": ["Completed"]}}))
    events.put_targets(Rule="batch", Targets=[{"Id": "q", "Arn": queue_arn}])
bedrock = boto3.client("bedrock", endpoint_url=url, **keys)
arn = bedrock.create_model_invocation_job(
    jobName=f"container-{store}", roleArn="arn:aws:iam::123456789012:role/r", modelId="anthropic.claude-3-haiku-20240307-v1:0",
    inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://in-bucket/in.jsonl"}},
    outputDataConfig={"s3OutputDataConfig": {"s3Uri": f"s3://out-bucket/{store}/"}})["jobArn"]
request = urllib.request.Request(url + "/_mock/clock", data=json.dumps({"advance": "3h"}).encode(), method="POST")
urllib.request.urlopen(request).read()
job = bedrock.get_model_invocation_job(jobIdentifier=arn)
assert job["status"] == "Completed", job
key = f"{store}/{arn.rsplit('/', 1)[1]}/manifest.json.out"
if s3:
    manifest = json.loads(s3.get_object(Bucket="out-bucket", Key=key)["Body"].read())
else:
    manifest = json.load(open(os.path.join(os.environ["DATA"], "out-bucket", key)))
assert manifest["successRecordCount"] == job["successRecordCount"] == 150, manifest
print(f"{store}: Completed, 150 records written, the manifest agrees with Get")
if s3:
    received = []
    for _ in range(20):
        received += sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
        if received:
            break
    event = json.loads(received[0]["Body"])
    assert event["detail"]["batchJobArn"] == arn and event["detail"]["status"] == "Completed", event
    print("events: Completed reached moto's EventBridge and, through a rule, an SQS queue")
PY
    kill -TERM "$(pgrep -f "^/usr/local/bin/mock-bedrock serve --port $port" | head -1)" 2>/dev/null || true
    wait "$runner" || true
done
kill "$moto"
wait "$moto" 2>/dev/null || true
rm -rf "$data"

step "result"
echo "image $image: $size"
