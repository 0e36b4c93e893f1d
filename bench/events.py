#!/usr/bin/env python3
"""The lifecycle events' benchmark: N jobs on the clock (the default lifecycle), one clock jump of 3 h
that makes 4 events a job (Validating, Scheduled, InProgress, Completed) in one round of the worker;
how long until all are in the log, and the server's RSS over its idle RSS. Side by side in the same
run, on the same server: Get throughput (wrk, 32 connections) while nothing happens, and while a
thread makes event storms one after another (reset, then the jump: 5 events a job, over and over).
With --webhook, the same storm is also POSTed to a receiver in this process (a Python HTTP server,
whose own speed bounds what it can take), and the sink's counters are reported.

Writes the "Lifecycle events" section of bench/REPORT.md (between its markers), or --report FILE.
Run through bench/events.sh, which builds the binary first."""

from __future__ import annotations

import argparse
import datetime
import json
import re
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench import parse_wrk, wrk_command
from report import write_section as replace_section

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- events:begin -->", "<!-- events:end -->"
GET_PATH = "/model-invocation-job/e00000000007"


def jobs(count: int) -> list[dict]:
    return [{"jobArn": f"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/e{i:011d}", "jobName": f"events-{i}",
             "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "roleArn": "arn:aws:iam::123456789012:role/BedrockBatch",
             "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://bench-in/records.jsonl"}},
             "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://bench-out/"}}} for i in range(count)]


class Server:
    def __init__(self, binary: str, fixtures: Path, *extra: str):
        self.process = subprocess.Popen(["taskset", "-c", "0", binary, "--port", "0", "--fixtures", str(fixtures), "--clock-rate", "0",
                                         "--journal-size", "0", "--log-level", "warning", *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        match = re.search(r"(http://127\.0\.0\.1:\d+)", self.process.stdout.readline())
        if not match:
            raise SystemExit("bench: the server did not start")
        self.url = match.group(1)

    def call(self, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        with urllib.request.urlopen(urllib.request.Request(self.url + path, data=data, method="GET" if data is None else "POST"), timeout=60) as r:
            return json.loads(r.read())

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def sent(self) -> int:
        return self.call("/_mock/stats")["events"]["sent"]

    def wait_sent(self, target: int, bound: float = 120) -> None:
        deadline = time.monotonic() + bound
        while self.sent() < target:
            if time.monotonic() > deadline:
                raise SystemExit(f"bench: {self.sent()} of {target} events after {bound} s")
            time.sleep(0.002)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def wrk(url: str, seconds: float) -> dict:
    """bench/bench.py's wrk: 32 connections, on CPU 1."""
    return parse_wrk(subprocess.run(wrk_command(url, 32, seconds), capture_output=True, text=True, check=True).stdout)


class Receiver:
    def __init__(self) -> None:
        self.count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.count += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--webhook", action="store_true")
    parser.add_argument("--report", default=str(ROOT / "bench" / "REPORT.md"))
    parser.add_argument("--command", default="bench/events.sh")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mock-bedrock-events-bench-"))
    fixtures = work / "jobs.json"
    fixtures.write_text(json.dumps({"jobs": jobs(args.jobs)}))
    server = Server(args.binary, fixtures)
    server.wait_sent(args.jobs)  # Submitted for every job at the clock's start
    time.sleep(0.5)
    idle = server.rss_kib()

    # One jump, N jobs: all their events in one round.
    jumps, peak = [], idle
    for _ in range(args.rounds):
        base = server.sent()  # before the reset: the events after it may begin at once
        server.call("/_mock/reset", {})
        server.wait_sent(base + args.jobs)
        started = time.perf_counter()
        server.call("/_mock/clock", {"advance": "3h"})
        server.wait_sent(base + 5 * args.jobs)
        jumps.append(time.perf_counter() - started)
        peak = max(peak, server.rss_kib())
    jump = statistics.median(jumps)

    # Get throughput side by side: quiet, then under storms.
    quiet = [wrk(server.url + GET_PATH, args.seconds) for _ in range(args.rounds)]
    storming = threading.Event()
    storms = [0]

    def storm() -> None:
        while storming.is_set():
            server.call("/_mock/reset", {})
            server.call("/_mock/clock", {"advance": "3h"})
            storms[0] += 1

    stormy = []
    for _ in range(args.rounds):
        before = server.sent()
        storming.set()
        thread = threading.Thread(target=storm)
        thread.start()
        stormy.append((wrk(server.url + GET_PATH, args.seconds), server.sent() - before))
        storming.clear()
        thread.join()
    peak = max(peak, server.rss_kib())
    server.stop()

    webhook = None
    if args.webhook:
        receiver = Receiver()
        server = Server(args.binary, fixtures, "--events-url", receiver.url, "--events-queue", str(10 * args.jobs))
        server.wait_sent(args.jobs)
        started = time.perf_counter()
        server.call("/_mock/clock", {"advance": "3h"})
        deadline = time.monotonic() + 300
        while receiver.count < 5 * args.jobs and time.monotonic() < deadline:
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        outlet = server.call("/_mock/stats")["events"]["outlets"][0]
        webhook = {"received": receiver.count, "seconds": elapsed, "outlet": outlet, "rss": server.rss_kib()}
        server.stop()

    write_section(args, jump, idle, peak, quiet, stormy, storms[0], webhook)


def write_section(args, jump, idle, peak, quiet, stormy, storms, webhook) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    quiet_rps = statistics.median(r["rps"] for r in quiet)
    storm_rps = statistics.median(r["rps"] for r, _ in stormy)
    quiet_p99 = statistics.median(r["p99"] for r in quiet)
    storm_p99 = statistics.median(r["p99"] for r, _ in stormy)
    storm_events = statistics.median(n / args.seconds for _, n in stormy)
    lines = [
        BEGIN,
        "## Lifecycle events",
        "",
        f"Produced by `{args.command}` on {now}, in one run, on one server (`taskset -c 0`; wrk on CPU 1): "
        f"{args.jobs:,} jobs on the clock (the default lifecycle), the clock frozen. A jump of 3 h makes 4 events a job "
        f"({4 * args.jobs:,}) in one round of the worker. Then Get throughput (wrk, 32 connections, {args.seconds:g} s, "
        f"{args.rounds} rounds) quiet and, side by side, while another thread makes event storms one after another "
        "(reset, then the jump: 5 events a job each). Medians.",
        "",
        "| | value |",
        "|---|---|",
        f"| {4 * args.jobs:,} events after one jump, until all are in the log | {jump * 1000:.0f} ms ({4 * args.jobs / jump:,.0f} events/s) |",
        f"| RSS: idle (with {args.jobs:,} Submitted events in the log), peak | {idle / 1024:.1f} MiB, {peak / 1024:.1f} MiB (+{(peak - idle) / 1024:.1f} MiB) |",
        f"| Get req/s, quiet | {quiet_rps:,.0f} (p99 {quiet_p99:.2f} ms) |",
        f"| Get req/s during storms | {storm_rps:,.0f} (p99 {storm_p99:.2f} ms): {storm_rps / quiet_rps:.2f}x quiet; "
        f"{storm_events:,.0f} events/s sent meanwhile, {storms} storms |",
    ]
    if webhook:
        outlet = webhook["outlet"]
        lines.append(
            f"| the jump's {5 * args.jobs:,} events POSTed to a webhook (a Python `ThreadingHTTPServer` in the bench, which bounds it) | "
            f"{webhook['received']:,} received in {webhook['seconds']:.1f} s ({webhook['received'] / webhook['seconds']:,.0f}/s); "
            f"sink: delivered {outlet['delivered']:,}, failed {outlet['failed']}, dropped {outlet['dropped']}; server RSS {webhook['rss'] / 1024:.1f} MiB |")
    lines += [
        "",
        "- No target was set for events; these figures say what they cost. The Get path itself is unchanged "
        "but for a count of the ended `polls` phases of a job on the clock; what storms take from it is the worker's CPU and its "
        "holds of the store's lock (at most 1,024 jobs a hold), on the one core the server has here.",
        END,
    ]
    print(replace_section(args.report, BEGIN, END, lines))


if __name__ == "__main__":
    main()
