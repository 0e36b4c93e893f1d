#!/usr/bin/env python3
"""The data plane's benchmark: one batch job of N records (about 1 KB each) run to its end by the
mock, side by side in the same run with `jq -c` making one output line per input line from the same
file (the reference: a fast, well-kept JSON stream processor). Measures records/s, MB/s and the
server's peak RSS over its idle RSS; also the same job against moto_server when --moto is given.

Writes the "Batch data" section of bench/REPORT.md (between its markers), or --report FILE.
Run through bench/data.sh, which builds the binary first."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from report import write_section as replace_section

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- batch-data:begin -->", "<!-- batch-data:end -->"
AUTH = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00"
JQ_PROGRAM = ('{recordId, modelInput, modelOutput: {id: "msg_bdrk_0", type: "message", role: "assistant", '
              'content: [{type: "text", text: "ok"}], stop_reason: "end_turn", usage: {input_tokens: 1, output_tokens: 1}}}')


def write_input(path: Path, count: int) -> int:
    filler = "The printer on the third floor reports paper jams every morning; " * 13
    with path.open("w") as f:
        for i in range(count):
            record = {"recordId": f"rec-{i:06d}", "modelInput": {
                "anthropic_version": "bedrock-2023-05-31", "max_tokens": 256,
                "messages": [{"role": "user", "content": f"Ticket {i}: {filler}"}]}}
            f.write(json.dumps(record) + "\n")
    return path.stat().st_size


def request(url: str, method: str = "GET", body: dict | None = None, timeout: float = 900) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"content-type": "application/json", "authorization": AUTH, "x-amz-date": "20260101T000000Z"})
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return json.loads(response.read())


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def run_ours(binary: str, store_args: list[str], input_uri: str, output_uri: str, workdir: Path, env: dict | None = None) -> dict:
    fixtures = workdir / "no-fixtures"
    fixtures.mkdir(exist_ok=True)
    proc = subprocess.Popen([binary, "--port", "0", "--fixtures", str(fixtures), "--clock-rate", "0", "--log-level", "warning",
                             "--data-wait", "600", *store_args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    try:
        line = proc.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        if not match:
            raise SystemExit(f"bench: the server did not start: {line} {proc.stderr.read()}")
        url = match.group(1)
        time.sleep(0.3)
        idle = status_kib(proc.pid, "VmRSS")
        arn = request(url + "/model-invocation-job", "POST", {
            "jobName": "bench", "roleArn": "arn:aws:iam::123456789012:role/r", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": input_uri}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": output_uri}}})["jobArn"]
        get = url + "/model-invocation-job/" + urllib.request.quote(arn, safe="")
        request(url + "/_mock/clock", "POST", {"advance": "16m"})
        start = time.perf_counter()
        validating = request(get)  # the input is read and checked
        scanned = time.perf_counter() - start
        request(url + "/_mock/clock", "POST", {"advance": "3h"})
        start = time.perf_counter()
        done = request(get)  # the results are written
        written = time.perf_counter() - start
        if done["status"] != "Completed":
            raise SystemExit(f"bench: the job ended {done['status']}: {done.get('message')} ({validating['status']} before)")
        peak = status_kib(proc.pid, "VmHWM")
        return {"scan": scanned, "write": written, "idle_kib": idle, "peak_kib": peak, "records": done["totalRecordCount"]}
    finally:
        proc.terminate()
        proc.wait(10)


def run_jq(input_path: Path, output_path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with input_path.open("rb") as source, output_path.open("wb") as sink:
        jq = subprocess.Popen(["jq", "-c", JQ_PROGRAM], stdin=source, stdout=sink)
        # wait4 gives the child's own peak RSS (KiB on Linux).
        _, status, usage = os.wait4(jq.pid, 0)
        jq.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if jq.returncode != 0:
        raise SystemExit("bench: jq failed")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--moto", help="moto_server to run the same job against")
    parser.add_argument("--report", default=str(ROOT / "bench" / "REPORT.md"))
    parser.add_argument("--command", default="bench/data.sh")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mock-bedrock-data-bench-"))
    try:
        (work / "s3" / "bench-in").mkdir(parents=True)
        (work / "s3" / "bench-out").mkdir(parents=True)
        input_path = work / "s3" / "bench-in" / "input.jsonl"
        size = write_input(input_path, args.records)
        ours, jq = [], []
        for round_number in range(args.rounds):
            shutil.rmtree(work / "s3" / "bench-out")
            (work / "s3" / "bench-out").mkdir()
            ours.append(run_ours(args.binary, ["--s3-dir", str(work / "s3"), "--max-records-per-job", str(max(50_000, args.records)),
                                               "--max-records-per-file", str(max(50_000, args.records))],
                                 "s3://bench-in/input.jsonl", "s3://bench-out/", work))
            jq.append(run_jq(input_path, work / "jq.out"))
            print(f"round {round_number + 1}: ours {ours[-1]['scan'] + ours[-1]['write']:.2f} s, jq {jq[-1][0]:.2f} s", file=sys.stderr)
        moto = None
        if args.moto:
            moto = run_moto(args, work, input_path)
        write_section(args, size, ours, jq, moto)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_moto(args, work: Path, input_path: Path) -> dict:
    import boto3
    from botocore.config import Config
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (work / "moto.log").open("wb")
    proc = subprocess.Popen([args.moto, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("bench: moto_server did not start")
                time.sleep(0.1)
        env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench",
                          config=Config(s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket="bench-in")
        s3.create_bucket(Bucket="bench-out")
        s3.upload_file(str(input_path), "bench-in", "input.jsonl")
        limits = ["--max-records-per-job", str(max(50_000, args.records)), "--max-records-per-file", str(max(50_000, args.records))]
        return run_ours(args.binary, ["--s3-endpoint", url, *limits], "s3://bench-in/input.jsonl", "s3://bench-out/", work, env=env)
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def write_section(args, size: int, ours: list[dict], jq: list[tuple[float, int]], moto: dict | None) -> None:
    total = [o["scan"] + o["write"] for o in ours]
    ours_s, jq_s = statistics.median(total), statistics.median(j[0] for j in jq)
    records = ours[0]["records"]
    idle = statistics.median(o["idle_kib"] for o in ours) / 1024
    peak = statistics.median(o["peak_kib"] for o in ours) / 1024
    mb = size / 1e6
    lines = [
        BEGIN,
        "## Batch data",
        "",
        f"Produced by `{args.command}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, in one run: one job of "
        f"{records:,} records ({mb:.1f} MB, about {size // records:,} bytes a record, Claude Messages inputs) in one `.jsonl` file "
        f"under `--s3-dir`, run to Completed on the clock; {args.rounds} rounds alternating ours and `jq -c` (jq "
        f"{subprocess.run(['jq', '--version'], capture_output=True, text=True).stdout.strip()}) making one output line per input "
        "line from the same file. Ours reads the input twice (Validating checks every line; the end writes the results) and writes "
        "an output line of the model's shape per record and the manifest; jq reads it once and writes a fixed modelOutput. Medians; "
        "ratios are ours / jq.",
        "",
        "| | ours | jq -c | ratio |",
        "|---|---|---|---|",
        f"| whole job (Validating's read + the results) | {ours_s:.2f} s | {jq_s:.2f} s | {ours_s / jq_s:.2f}x |",
        f"| records/s | {records / ours_s:,.0f} | {records / jq_s:,.0f} | {jq_s / ours_s:.2f}x |",
        f"| input MB/s | {mb / ours_s:.1f} | {mb / jq_s:.1f} | {jq_s / ours_s:.2f}x |",
        f"| of which Validating (read and check every line) | {statistics.median(o['scan'] for o in ours):.2f} s | | |",
        f"| of which the results (read again, answer, write) | {statistics.median(o['write'] for o in ours):.2f} s | | |",
        f"| RSS: idle, peak | {idle:.1f} MiB, {peak:.1f} MiB (+{peak - idle:.1f} MiB) | peak {statistics.median(j[1] for j in jq) / 1024:.1f} MiB | |",
    ]
    if moto:
        moto_s = moto["scan"] + moto["write"]
        lines.append(f"| the same job against moto_server (`--s3-endpoint`, one round) | {moto_s:.2f} s "
                     f"({records / moto_s:,.0f} records/s; Validating {moto['scan']:.2f} s, results {moto['write']:.2f} s; "
                     f"peak RSS +{(moto['peak_kib'] - moto['idle_kib']) / 1024:.1f} MiB) | | |")
    lines += [
        "",
        f"- Target: no slower than jq: {'met' if ours_s <= jq_s else 'missed'} ({ours_s / jq_s:.2f}x the time).",
        f"- Target: peak RSS within 32 MiB of idle: {'met' if peak - idle <= 32 else 'missed'} (+{peak - idle:.1f} MiB).",
        END,
    ]
    print(replace_section(args.report, BEGIN, END, lines))


if __name__ == "__main__":
    main()
