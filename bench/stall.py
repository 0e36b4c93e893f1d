#!/usr/bin/env python3
"""A stalled data lane's cost to everything else (issue 23): one server with two threads (CI's one a
core) on an S3 endpoint whose inputs trickle (2 KB/s, a read of minutes), Get throughput and latency of
a fixture job, and the health check's, side by side in the same run: while nothing waits, and while
16 clients each hold a Get of a job whose input is still being read (every data lane stalled, each
Get waiting out --data-wait on a suspended connection). Before issue 23 each such Get held one of the
server's threads, and two froze the server (the health check took 19.8 s).

Writes the "A stalled data lane" section of bench/REPORT.md (between its markers), or --report FILE.
Run through bench/stall.sh, which builds the binary first."""

from __future__ import annotations

import argparse
import datetime
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench import parse_wrk, wrk_command
from report import write_section as replace_section

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))
from hostile_s3 import HostileS3  # noqa: E402  (the e2e suite's misbehaving S3, shared)

BEGIN, END = "<!-- stall:begin -->", "<!-- stall:end -->"
FIXTURE_GET = "/model-invocation-job/b7q2k9x4m1z8"  # a bundled job served as written
AUTH = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00"


def call(url: str, path: str, body: dict | None = None, timeout: float = 120) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method="GET" if data is None else "POST",
                                     headers={"content-type": "application/json", "authorization": AUTH})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def record_lines(count: int) -> bytes:
    return "".join(json.dumps({"recordId": f"r{i:05d}", "modelInput": {
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": [{"role": "user", "content": f"ticket {i}"}]}}) + "\n"
        for i in range(count)).encode()


def measure(url: str, path: str, rounds: int, seconds: float) -> dict:
    results = []
    for _ in range(rounds):
        output = subprocess.run(wrk_command(url + path, 32, seconds), capture_output=True, text=True, check=True).stdout
        results.append(parse_wrk(output))
    return {key: statistics.median(r[key] for r in results) for key in ("rps", "p50", "p99")} | {
        "errors": sum(r["non2xx"] + r["socket_errors"] for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--holders", type=int, default=16)
    parser.add_argument("--report", default=str(ROOT / "bench" / "REPORT.md"))
    parser.add_argument("--command", default="bench/stall.sh")
    args = parser.parse_args()

    s3 = HostileS3()
    s3.buckets.update({"bench-in", "bench-out"})
    s3.put("bench-in", "slow.jsonl", record_lines(3000), mode="trickle", rate=2048)
    wait = args.rounds * args.seconds * 2 + 10  # each held Get outlasts both measurements
    server = subprocess.Popen(["taskset", "-c", "0", args.binary, "--port", "0", "--fixtures", str(ROOT / "fixtures"), "--clock-rate", "0",
                               "--threads", "2", "--journal-size", "0", "--log-level", "warning", "--data-wait", f"{min(wait, 600):g}",
                               *s3.server_args()], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    holders: list[threading.Thread] = []
    try:
        match = re.search(r"(http://127\.0\.0\.1:\d+)", server.stdout.readline())
        if not match:
            raise SystemExit("bench: the server did not start")
        url = match.group(1)
        quiet_get = measure(url, FIXTURE_GET, args.rounds, args.seconds)
        quiet_health = measure(url, "/_mock/health", 1, args.seconds)

        arns = [call(url, "/model-invocation-job", {
            "jobName": f"stalled-{n}", "roleArn": "arn:aws:iam::123456789012:role/r", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://bench-in/slow.jsonl"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://bench-out/"}}})["jobArn"] for n in range(args.holders)]
        call(url, "/_mock/clock", {"advance": "16m"})
        held: list[str] = []

        def hold(arn: str) -> None:
            held.append(call(url, "/model-invocation-job/" + urllib.request.quote(arn, safe=""), timeout=wait + 30)["status"])

        holders = [threading.Thread(target=hold, args=(arn,), daemon=True) for arn in arns]
        for holder in holders:
            holder.start()
        time.sleep(0.5)
        stalled_get = measure(url, FIXTURE_GET, args.rounds, args.seconds)
        stalled_health = measure(url, "/_mock/health", 1, args.seconds)
        still_held = sum(1 for holder in holders if holder.is_alive())
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        s3.stop()

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        BEGIN, "## A stalled data lane (issue 23)", "",
        f"Produced by `{args.command}` on {now}, in one run, on one server (`taskset -c 0`, `--threads 2`; wrk on CPU 1, 32 connections, "
        f"{args.rounds} rounds of {args.seconds:g} s, medians): Gets of a bundled job served as written, and the health check, while "
        f"nothing waits and then while {args.holders} clients each hold a Get of a job whose input trickles from S3 at 2 KB/s (every data "
        f"lane stalled; each Get waits for its data on a suspended connection). {still_held} of the {args.holders} Gets were still held when "
        "the measurements ended.", "",
        "| | no stalled lane | stalled lanes | ratio |",
        "|---|---|---|---|",
        f"| Get req/s | {quiet_get['rps']:,.0f} | {stalled_get['rps']:,.0f} | {stalled_get['rps'] / quiet_get['rps']:.2f}x |",
        f"| Get p50 | {quiet_get['p50']:.2f} ms | {stalled_get['p50']:.2f} ms | |",
        f"| Get p99 | {quiet_get['p99']:.2f} ms | {stalled_get['p99']:.2f} ms | {stalled_get['p99'] / quiet_get['p99']:.2f}x |",
        f"| health p99 | {quiet_health['p99']:.2f} ms | {stalled_health['p99']:.2f} ms | |",
        f"| errors (non-2xx, socket) | {quiet_get['errors'] + quiet_health['errors']} | {stalled_get['errors'] + stalled_health['errors']} | |",
        "",
        "- Before issue 23 a Get that met pending data work waited on a libmicrohttpd thread: with two threads, two such Gets froze the "
        "server (the issue's measurement: `GET /_mock/health` took 19.8 s). Target: a stalled lane costs other requests nothing; "
        + ("met" if stalled_get["p99"] <= max(2 * quiet_get["p99"], quiet_get["p99"] + 1.0) and still_held == args.holders else "missed")
        + " (p99 within 2x or 1 ms of quiet, with every stalled Get still held).",
        END,
    ]
    print(replace_section(args.report, BEGIN, END, lines))


if __name__ == "__main__":
    main()
