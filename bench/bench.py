#!/usr/bin/env python3
"""Measures mock-bedrock against the bare libmicrohttpd reference, side by side in one run, and
writes bench/REPORT.md. Run through bench/run.sh, which builds both first.

Each round starts one server pinned to core 0, loads it with wrk pinned to core 1, and stops it;
rounds alternate (ours, reference, ours, reference, ...). Ratios are ours / reference of the
medians over the rounds.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JOB_ID = "bench0job001"
JOB = {
    "jobArn": f"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/{JOB_ID}",
    "jobName": "customer-support-ticket-summaries-nightly-batch-2026-03-01",
    "modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "clientRequestToken": "9e2f7b4c-1a6d-4c83-b5e0-7d3a9f1c6e48",
    "roleArn": "arn:aws:iam::123456789012:role/service-role/AmazonBedrockBatchInferenceRole-nightly",
    "status": "InProgress",
    "message": "Processing records from the input file; output is written as records complete.",
    "submitTime": "2026-03-01T10:00:00.123Z",
    "lastModifiedTime": "2026-03-01T10:45:00.456Z",
    "inputDataConfig": {"s3InputDataConfig": {"s3InputFormat": "JSONL", "s3BucketOwner": "123456789012",
                                              "s3Uri": "s3://acme-bedrock-batch-input/support-tickets/2026-03-01/records.jsonl"}},
    "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://acme-bedrock-batch-output/support-tickets/2026-03-01/",
                                                "s3EncryptionKeyId": "arn:aws:kms:us-east-1:123456789012:key/1f2e3d4c-5b6a-4789-9abc-def012345678",
                                                "s3BucketOwner": "123456789012"}},
    "vpcConfig": {"subnetIds": ["subnet-0a1f2e3d4c5b6a798", "subnet-0b7c6d5e4f3a2b190"], "securityGroupIds": ["sg-0123abcd4567ef890"]},
    "timeoutDurationInHours": 72,
    "jobExpirationTime": "2026-03-04T10:00:00.123Z",
    "modelInvocationType": "Converse",
    "totalRecordCount": 50000, "processedRecordCount": 18764, "successRecordCount": 18751, "errorRecordCount": 13,
}


def scale_jobs(count: int) -> list[dict]:
    jobs = []
    for index in range(count):
        job = json.loads(json.dumps(JOB))
        job_id = f"s{index:011d}"
        job["jobArn"] = f"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/{job_id}"
        job["jobName"] = f"scale-job-{index}"
        seconds = index % 86400
        job["submitTime"] = f"2026-02-{1 + index // 86400 % 28:02d}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.123Z"
        job.pop("lastModifiedTime")
        job.pop("jobExpirationTime")
        jobs.append(job)
    return jobs


def write_fixtures(directory: Path, jobs: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "jobs.json").write_text(json.dumps({"jobs": jobs}))
    return directory


class Server:
    def __init__(self, command: list[str], label: str):
        self.label = label
        self.started = time.perf_counter()
        self.process = subprocess.Popen(["taskset", "-c", "0", *command], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if not match:
            raise SystemExit(f"{label} did not start: {line!r}")
        self.url = match.group(1)

    def first_200_ms(self, path: str) -> float:
        """Milliseconds from exec to the first 200 (polled as fast as Python can)."""
        while True:
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as response:
                    if response.status == 200:
                        return (time.perf_counter() - self.started) * 1000
            except OSError:
                pass

    def memory_kib(self, field: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server has used."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)


def wrk_command(url: str, connections: int, seconds: float, script: Path | None = None) -> list[str]:
    threads = 1 if connections == 1 else 2
    return (["taskset", "-c", "1", "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
            + (["-s", str(script)] if script else []) + [url])


def wrk(url: str, connections: int, seconds: float) -> dict:
    return parse_wrk(subprocess.run(wrk_command(url, connections, seconds), capture_output=True, text=True, check=True).stdout)


def parse_wrk(output: str) -> dict:
    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": latency("50"), "p99": latency("99"), "non2xx": int(errors.group(1)) if errors else 0,
            "requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0}


def soak(server: "Server", seconds: float, connections: int = 256) -> dict:
    """The mixed load of bench/soak.lua for `seconds`, with the server's RSS sampled every second."""
    process = subprocess.Popen(wrk_command(server.url, connections, seconds, ROOT / "bench" / "soak.lua"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = []
    started = time.perf_counter()
    cpu = []
    while process.poll() is None:
        samples.append((time.perf_counter() - started, server.memory_kib("VmRSS")))
        cpu.append(server.cpu_seconds())
        time.sleep(1)
    output, _ = process.communicate()
    result = parse_wrk(output)
    # After the load: still answering, and correctly.
    health = json.loads(urllib.request.urlopen(server.url + "/_mock/health").read())
    job = json.loads(urllib.request.urlopen(server.url + f"/model-invocation-job/{JOB_ID}").read())
    # CPU the server used in each 10 s window: a server that stops serving its open connections idles.
    busy = ([(cpu[i + 10] - cpu[i]) / 10 for i in range(0, len(cpu) - 10, 10)] if len(cpu) > 10
            else [(cpu[-1] - cpu[0]) / max(1, len(cpu) - 1)])
    result.update(samples=samples, healthy=health["status"] == "ok" and job["jobArn"].endswith(JOB_ID),
                  hwm=server.memory_kib("VmHWM"), busy=busy)
    return result


# Inputs that took super-linear time before issue 13, each beside an ordinary request of the same operation.
CREATE = {"roleArn": "arn:aws:iam::123456789012:role/R", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
          "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl"}},
          "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}}
LONG_NAME = "nightly-eval--claude--haiku--dataset--v2--shard--0001--retry_final"


def adversarial_requests() -> list[tuple[str, str, str, bytes | None, str]]:
    many_keys = json.dumps({**CREATE, "jobName": "many-keys"})[:-1] + "," + ",".join(f'"k{i}":0' for i in range(131_072)) + "}"
    return [
        ("List, nameContains a valid name", "GET", "/model-invocation-jobs?nameContains=nightly-eval", None, "baseline"),
        ("List, nameContains 63 letters, 16 dashes and '!' (167 s before)", "GET",
         "/model-invocation-jobs?nameContains=" + "a" * 63 + "-" * 16 + "!", None, "List, nameContains a valid name"),
        ("List, nameContains 63 letters, 5,000 dashes and '!'", "GET",
         "/model-invocation-jobs?nameContains=" + "a" * 63 + "-" * 5000 + "!", None, "List, nameContains a valid name"),
        ("Create, jobName of 18 characters", "POST", "/model-invocation-job", None, "baseline"),
        (f"Create, jobName of {len(LONG_NAME)} characters with dashes (hung both threads before)", "POST", "/model-invocation-job",
         json.dumps({**CREATE, "jobName": LONG_NAME}).encode(), "Create, jobName of 18 characters"),
        ("Create, clientRequestToken of 256 letters, 20,000 dashes and '!'", "POST", "/model-invocation-job",
         json.dumps({**CREATE, "jobName": "token", "clientRequestToken": "a" * 256 + "-" * 20_000 + "!"}).encode(),
         "Create, jobName of 18 characters"),
        ("Create, a 1.2 MB body of 131,072 distinct keys (43 s before)", "POST", "/model-invocation-job", many_keys.encode(),
         "Create, jobName of 18 characters"),
    ]


def adversarial(server: "Server", repeats: int = 30) -> list[tuple[str, float, str]]:
    """Median milliseconds of each request (sequential, one keep-alive connection), and what it is compared with."""
    import http.client
    rows = []
    connection = http.client.HTTPConnection("127.0.0.1", int(server.url.rsplit(":", 1)[1]), timeout=60)
    for label, method, path, body, against in adversarial_requests():
        times = []
        for index in range(repeats):
            payload = body
            if payload is None and method == "POST":  # a new name each time: Create answers 200
                payload = json.dumps({**CREATE, "jobName": f"ordinary-job-{index:05d}"}).encode()
            started = time.perf_counter()
            connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            times.append((time.perf_counter() - started) * 1000)
            if response.status >= 500:
                raise SystemExit(f"{label}: status {response.status}")
        rows.append((label, median(times), against))
    connection.close()
    return rows


def median(values):
    return statistics.median(values) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours", required=True, help="the binary measured side by side (the container's: static Swift stdlib)")
    parser.add_argument("--ours-dynamic", help="the `swift build` binary (dynamic Swift stdlib): start time and idle RSS only")
    parser.add_argument("--reference", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", default="1,32,256,1024")
    parser.add_argument("--scale", default="10000,100000")
    parser.add_argument("--soak", type=float, default=60, help="seconds of mixed load at 256 connections; 0 skips it")
    parser.add_argument("--soaks", help="bench/soak.py's results (one JSON object a run) for the report's stall section")
    parser.add_argument("--soaks-command", default="bench/soak.sh", help="the commands that produced --soaks")
    parser.add_argument("--report", default=str(ROOT / "bench" / "REPORT.md"))
    parser.add_argument("--command", default="bench/run.sh")
    args = parser.parse_args()
    connections = [int(c) for c in args.connections.split(",")]
    scales = [int(s) for s in args.scale.split(",") if s]
    work = Path(tempfile.mkdtemp(prefix="mock-bedrock-bench-"))
    ours_fixtures = write_fixtures(work / "one", [JOB])
    get_path = f"/model-invocation-job/{JOB_ID}"
    # Two pool threads for both servers, on the one core (this machine's default of one a core), and
    # room for 1024 connections and more.
    ours_command = lambda fixtures, *extra: [args.ours, "--port", "0", "--threads", "2", "--max-connections", "2048", "--log-level", "warning",
                                             "--fixtures", str(fixtures), "--clock-rate", "0", *extra]

    # The reference serves exactly the body we serve for the job.
    probe = Server(ours_command(ours_fixtures), "ours")
    body = urllib.request.urlopen(probe.url + get_path).read()
    probe.stop()
    body_file = work / "body.json"
    body_file.write_bytes(body)
    reference_command = [args.reference, str(body_file), "0", "2"]

    results = {"ours": {c: [] for c in connections}, "reference": {c: [] for c in connections}}
    first, idle, peak = {"ours": [], "reference": []}, {"ours": [], "reference": []}, {"ours": [], "reference": []}
    for round_index in range(args.rounds):
        for label in ("ours", "reference"):
            server = Server(ours_command(ours_fixtures) if label == "ours" else reference_command, label)
            first[label].append(server.first_200_ms(get_path))
            idle[label].append(server.memory_kib("VmRSS"))
            for c in connections:
                result = wrk(server.url + get_path, c, args.seconds)
                if result["non2xx"]:
                    raise SystemExit(f"{label}: {result['non2xx']} responses were not 2xx")
                results[label][c].append(result)
            peak[label].append(server.memory_kib("VmHWM"))
            server.stop()
            print(f"round {round_index + 1} {label}: " + ", ".join(
                f"c{c} {results[label][c][-1]['rps']:.0f} rps" for c in connections), flush=True)

    # Idle RSS with the bundled fixtures (medians of as many starts as rounds).
    bundled_firsts, bundled_idles = [], []
    for _ in range(args.rounds):
        bundled = Server(ours_command(ROOT / "fixtures"), "ours")
        bundled_firsts.append(bundled.first_200_ms("/_mock/health"))
        time.sleep(0.2)
        bundled_idles.append(bundled.memory_kib("VmRSS"))
        bundled.stop()
    bundled_first, bundled_idle = median(bundled_firsts), median(bundled_idles)
    dynamic = None
    if args.ours_dynamic:
        firsts, rsss = [], []
        for _ in range(args.rounds):
            server = Server([args.ours_dynamic, *ours_command(ROOT / "fixtures")[1:]], "ours (dynamic)")
            firsts.append(server.first_200_ms("/_mock/health"))
            time.sleep(0.2)
            rsss.append(server.memory_kib("VmRSS"))
            server.stop()
        dynamic = (median(firsts), median(rsss))

    # Scale: start time, memory, Get latency against the number of jobs, a List page of 100.
    scale_rows = []
    get_by_size = [(1, median([r["p50"] for r in results["ours"][connections[-1] if 32 not in connections else 32]]),
                    median([r["rps"] for r in results["ours"][32 if 32 in connections else connections[-1]]]))]
    list_row = None
    scale_seconds = max(1.0, args.seconds / 2)
    for count in scales:
        fixtures = write_fixtures(work / f"scale{count}", scale_jobs(count))
        server = Server(ours_command(fixtures), "ours")
        ready_ms = (time.perf_counter() - server.started) * 1000
        first_ms = server.first_200_ms("/model-invocation-job/s00000000000")
        rss = server.memory_kib("VmRSS")
        get = wrk(server.url + "/model-invocation-job/s00000000007", 32, scale_seconds)
        get_by_size.append((count, get["p50"], get["rps"]))
        if count == max(scales):
            listing = wrk(server.url + "/model-invocation-jobs?maxResults=100", 32, scale_seconds)
            list_row = (count, listing)
        server.stop()
        scale_rows.append((count, ready_ms, first_ms, rss / 1024))
        print(f"scale {count}: ready {ready_ms:.0f} ms, rss {rss / 1024:.1f} MiB", flush=True)

    # The cost of an active fault rule set and of the journal.
    costs = []
    for label, extra, rules in [("journal on (1000), no rules", [], 0), ("journal off", ["--journal-size", "0"], 0),
                                ("20 fault rules that do not match", [], 20)]:
        server = Server(ours_command(ours_fixtures, *extra), "ours")
        for index in range(rules):
            request = urllib.request.Request(server.url + "/_mock/faults", method="POST",
                                             data=json.dumps({"error": "ThrottlingException", "jobId": f"nomatch{index}*"}).encode())
            urllib.request.urlopen(request).read()
        result = wrk(server.url + get_path, 32, scale_seconds)
        server.stop()
        costs.append((label, result))

    server = Server(ours_command(ours_fixtures, "--journal-size", "0", "--max-body-bytes", "4194304"), "ours")
    hostile = adversarial(server)
    server.stop()
    print("adversarial: " + ", ".join(f"{ms:.2f} ms" for _, ms, _ in hostile), flush=True)

    soaked = None
    if args.soak > 0:
        server = Server(ours_command(ours_fixtures, "--journal-size", "100"), "ours")
        soaked = soak(server, args.soak)
        server.stop()
        print(f"soak: {soaked['requests']} requests, {soaked['non2xx']} non-2xx, {soaked['socket_errors']} socket errors", flush=True)

    write_report(args, connections, results, first, idle, peak, bundled_first, bundled_idle, scale_rows, get_by_size,
                 list_row, costs, len(body), dynamic, soaked, hostile)
    shutil.rmtree(work, ignore_errors=True)
    return 0


# What a callgrind profile shows (valgrind --tool=callgrind on the release build, --threads 1, wrk -c4 for
# 5 s against each server; instruction counts are repeatable where wall-clock figures are not).
WHY = [
    "- Per request (callgrind, one Get on a keep-alive connection): libmicrohttpd costs about 55k instructions "
    "in both servers, 49k of them counted in the memset that clears the connection's memory pool for the next "
    "request (valgrind counts each step of `rep stosb`, so it weighs less in time than in count). mock-bedrock "
    "adds about 17k of its own, down from about 48k: the router matches the path's bytes without building "
    "arrays or a labels dictionary, only the header fields the service reads become strings, fault flags and "
    "rules cost nothing when there are none, the identifier is parsed once, a job is read in place instead of "
    "copied out of a dictionary, and header strings reach libmicrohttpd without heap copies. What is left is "
    "mostly work the reference does not do: it queues one shared response, while every answer of ours carries "
    "its own x-amzn-RequestId, so a response is created, given its two headers and destroyed per request "
    "(about 4k); then the request id itself, the journal entry, the caller's scope, the job's lifecycle and "
    "Swift's reference counting. That keeps throughput under the 0.9x target (between about 0.7x and 0.87x "
    "across that session's runs: the machine's noise moves both servers by 10-20% from one round to the next); "
    "p99 is within the target. (Profiled in epoll mode, before issue 14.) Since issue 14 both servers run "
    "libmicrohttpd's poll() mode with an accept thread of their own, and both serve about twice what they did "
    "in epoll mode (ours 120k against 66k req/s at 32 connections, the reference 164k against 85k, in the last "
    "reports of each); the ratio went from 0.78x to 0.73x. Not profiled again yet: the guess is that our fixed "
    "work a request weighs more now that libmicrohttpd's own costs less.",
    "- Soak: the RSS rises for the first half minute while malloc's per-thread arenas (one a libmicrohttpd "
    "thread) grow to their working set under 256 connections of mixed traffic, then stays put; a leak would "
    "keep rising, so the target is taken over the second half.",
    "- Start-up and idle RSS: the Swift runtime, FoundationEssentials (through swift-argument-parser) and "
    "swift-log cost a few milliseconds and about 10 MiB of mapped library pages more than the C reference; "
    "linking the Swift standard library statically, as the container does, maps only what is used (the "
    "`swift build` binary's figures are in the table above).",
    "- Large fixtures (since issue 13, about 40% slower: 10k jobs 322 ms against 229 ms, 100k jobs 3.2 s "
    "against 2.9 s): the model's patterns now go through PCRE2's DFA matcher, in time linear in the value whatever "
    "it is, and each match allocates PCRE2's match data and workspace, where Swift's Regex answers for repeated "
    "values (role ARNs, model ids, buckets) were cached; a cache of answers or a workspace kept per thread would "
    "take most of it back (not done yet). "
    "Every job is parsed, checked against the model (types, required members, lengths, "
    "patterns) and indexed before the server answers: about 230k instructions a job (callgrind, 10k jobs; "
    "390k before this round): parsing about 70k, the model check about 100k (a third of it the patterns of "
    "ARNs, URIs and model ids), building the record and the indexes the rest. Reading 12 MB of JSON alone "
    "takes longer than the reference's whole start, so first 200 with 10k jobs cannot come within 2x of it "
    "while fixtures are checked at start. Memory: a job keeps about 700 bytes of record and indexes plus its "
    "strings; the record sits behind a reference, so the copy of the table that the first change makes (the "
    "jobs as loaded are kept for a reset) costs about 70 bytes a job, not the whole job again; strings that repeat across jobs (role ARN, "
    "model id, buckets, key, subnets, message) are kept once per load. The generated jobs here share all of "
    "those, the favourable case: with every value distinct, 100k jobs held 343 MiB in this round's run before "
    "interning.",
    "- Fault rules with a jobId glob cost a store look-up for the job's ARN per request (once, however many "
    "rules ask).",
]


# What the stall catcher caught on the flags before issue 14 (libmicrohttpd's epoll mode), and why.
STALL = [
    "## The stall (issue 14)",
    "",
    "Before issue 14 both servers ran libmicrohttpd 0.9.75 in epoll mode, and now and then (2 of 44 60 s soaks at 256 "
    "connections with two threads) stopped serving every open connection for the rest of the run while answering new "
    "ones. The stall catcher (`bench/soak.py`: server CPU under 10% of a core for 4 s, or no answer for 2 s, watched "
    "without opening a connection of its own) catches it on the first run with one thread: "
    "`bench/soak.sh --until-stall 1 --seconds 10 --connections 256 --threads 1` on commit f9c42b7 stopped 2.5 s in, "
    "after 2,767 answers. What it saved at that moment:",
    "",
    "- the one libmicrohttpd thread in `epoll_wait(epfd=5, maxevents=128, timeout=59992)`, the main thread in `sigwait`, "
    "none of mock-bedrock's code on any stack;",
    "- all 256 server sockets of the port with a whole request unread in Recv-Q (up to 409 bytes), no answer bytes unsent;",
    "- `GET /_mock/stats`: 257 connections open.",
    "",
    "The cause, in libmicrohttpd 0.9.75's `MHD_epoll` (src/microhttpd/daemon.c): connections are registered "
    "edge-triggered; the loop that drains the kernel's ready list into the 128-slot event array calls `epoll_wait` "
    "again, with the same timeout it computed before the first call, as long as a call filled the array. When a full "
    "call took the last ready connections (all 256 of 256 ready at once on one thread, or 128 of a thread's share), "
    "the next call finds nothing ready and blocks for that timeout: the time to the next idle timeout, up to 60 s. "
    "The connections it already took off the kernel's list are not served meanwhile, and no new event comes for them, "
    "since their clients wait for answers. "
    "Only a new event (a new connection) ends the wait. The same loop, with the same timeout, is still in "
    "libmicrohttpd 1.0.1's source (v1.0.1-44), so a newer libmicrohttpd would not have been the fix.",
    "",
    "The fix: both servers use libmicrohttpd's `poll()` mode (`MHD_USE_POLL`: level-triggered, each thread asks "
    "anew each round). That mode accepts only one connection a round, and 1,024 connections opened at once on one "
    "thread waited up to 9 s to be accepted (about 400 wrk timeouts at 2 s), so both servers also listen and accept "
    "on a thread of their own and hand each connection to libmicrohttpd (`MHD_add_connection`): "
    "`Sources/MockBedrock/HTTP/Acceptor.swift` and `bench/reference.c`. `scripts/test` runs "
    "`bench/soak.sh --runs 3 --seconds 10 --connections 256 --threads 1 --check`, which fails on the epoll flags.",
]


def soak_series(runs: list[dict], command: str, targets: list) -> list[str]:
    """The soaks bench/soak.py ran: a row a run with its 10 s windows, grouped by setting."""
    lines = ["", *STALL]
    if not runs:
        return lines + ["", "(No soak series in this run: `bench/run.sh --soaks FILE` adds one from bench/soak.py's results.)"]
    lines += ["", "## Soaks with the stall catcher", "",
             f"Produced by `{command}` (the binary the container ships, the server pinned to core 0 and wrk to core 1, "
             "`bench/soak.lua`'s mixed load, wrk's timeout 2 s). Each window: answers the load received (counted by "
             "soak.lua's threads, 200 at a time), error answers, and the server's CPU (of one core). A run is clean when "
             "the catcher saw no stall (the server's CPU, each libmicrohttpd thread's, and the answers) and wrk counted "
             "no error."]
    settings = []
    for run in runs:
        key = (run["connections"], run["threads"], run["seconds"])
        if key not in settings:
            settings.append(key)
    for connections, threads, seconds in settings:
        group = [r for r in runs if (r["connections"], r["threads"], r["seconds"]) == (connections, threads, seconds)]
        clean = [r for r in group if not r["stall"] and r["healthy"] and not r["socket_errors"] and not r["non2xx"]]
        stalls = [r for r in group if r["stall"]]
        lines += ["", f"### {connections} connections, {threads} thread{'s' if threads > 1 else ''}, {seconds:g} s a run: "
                      f"{len(clean)} of {len(group)} clean, {len(stalls)} stalled", "",
                  "| run | requests | req/s | non-2xx | socket errors | stall | per 10 s: answers / errors / server CPU |",
                  "|---|---|---|---|---|---|---|"]
        for r in group:
            windows = "; ".join(f"{w['answers']:,} / {w['errors']} / {w['cpu']:.0%}" for w in r["windows"])
            lines.append(f"| {r['run']} | {r['requests']:,} | {r['rps']:,.0f} | {r['non2xx']} | {r['socket_errors']} | "
                         f"{r['stall'] or 'none'} | {windows} |")
        targets.append((f"soaks at {connections} connections, {threads} thread{'s' if threads > 1 else ''}: all clean",
                        len(clean) == len(group), f"{len(clean)} of {len(group)} clean"))
    return lines


def ratio(ours: float, reference: float) -> str:
    return f"{ours / reference:.2f}x" if reference else "n/a"


def write_report(args, connections, results, first, idle, peak, bundled_first, bundled_idle, scale_rows, get_by_size,
                 list_row, costs, body_length, dynamic=None, soaked=None, hostile=None) -> None:
    def tool_version(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "unknown"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    lines = [
        "# Benchmark: mock-bedrock against a bare libmicrohttpd server",
        "",
        f"Produced by `{args.command}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, in one run.",
        "",
        f"- Machine: {os.cpu_count()} cores ({cpu}), {round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, Linux {platform.release()}",
        f"- Versions: {tool_version(['swift', '--version'])}; libmicrohttpd "
        f"{tool_version(['pkg-config', '--modversion', 'libmicrohttpd'])}; {tool_version(['wrk', '--version'])}",
        f"- Method: {args.rounds} rounds alternating ours and the reference (`bench/reference.c`: the same daemon flags, "
        f"one fixed {body_length}-byte GetModelInvocationJob body). Each server runs two libmicrohttpd pool threads pinned to core 0 "
        f"(libmicrohttpd's poll() mode, connections accepted by a thread of the server's own, both servers alike), "
        f"wrk pinned to core 1, {args.seconds:g} s per load, keep-alive, `GET /model-invocation-job/{{id}}` of a "
        f"{body_length}-byte static fixture job. Figures are medians over the rounds; ratios are ours / reference.",
        "- Ours is the binary the container ships (`swift build -c release --static-swift-stdlib`); the "
        "`swift build` binary (dynamic Swift stdlib, what `swift run` runs) is measured for start time and idle RSS below.",
        f"- Command: `{args.command}` (which runs `bench/bench.py --rounds {args.rounds} --seconds {args.seconds:g} "
        f"--connections {','.join(map(str, connections))} --scale {args.scale} --soak {args.soak:g}`)",
        "",
        "## Side by side",
        "",
        "| connections | ours req/s | reference req/s | ratio | ours p50 ms | ref p50 ms | ours p99 ms | ref p99 ms | p99 ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    targets = []
    for c in connections:
        o, r = results["ours"][c], results["reference"][c]
        rps_o, rps_r = median([x["rps"] for x in o]), median([x["rps"] for x in r])
        p50_o, p50_r = median([x["p50"] for x in o]), median([x["p50"] for x in r])
        p99_o, p99_r = median([x["p99"] for x in o]), median([x["p99"] for x in r])
        lines.append(f"| {c} | {rps_o:,.0f} | {rps_r:,.0f} | {ratio(rps_o, rps_r)} | {p50_o:.3f} | {p50_r:.3f} | "
                     f"{p99_o:.3f} | {p99_r:.3f} | {ratio(p99_o, p99_r)} |")
        if c in (32, 256):
            targets.append((f"throughput at {c} connections >= 0.9x reference", rps_o / rps_r >= 0.9, ratio(rps_o, rps_r)))
        targets.append((f"p99 at {c} connections <= 1.5x reference", p99_o <= 1.5 * p99_r, ratio(p99_o, p99_r)))
    first_o, first_r = median(first["ours"]), median(first["reference"])
    lines += [
        "",
        "| | ours | reference | ratio |",
        "|---|---|---|---|",
        f"| exec to first 200 (one job) | {first_o:.1f} ms | {first_r:.1f} ms | {ratio(first_o, first_r)} |",
        f"| RSS after start (one job) | {median(idle['ours']) / 1024:.1f} MiB | {median(idle['reference']) / 1024:.1f} MiB | "
        f"{ratio(median(idle['ours']), median(idle['reference']))} |",
        f"| peak RSS under load | {median(peak['ours']) / 1024:.1f} MiB | {median(peak['reference']) / 1024:.1f} MiB | "
        f"{ratio(median(peak['ours']), median(peak['reference']))} |",
        f"| idle RSS with the bundled fixtures | {bundled_idle / 1024:.1f} MiB | | |",
        f"| exec to first 200 with the bundled fixtures | {bundled_first:.1f} ms | | |",
        *([f"| the same two with the `swift build` binary (dynamic Swift stdlib): first 200, idle RSS | "
           f"{dynamic[0]:.1f} ms, {dynamic[1] / 1024:.1f} MiB | | |"] if dynamic else []),
        "",
        "## Scale",
        "",
        "| jobs | exec to ready line | exec to first 200 | RSS after start |",
        "|---|---|---|---|",
    ]
    for count, ready_ms, first_ms, rss in scale_rows:
        lines.append(f"| {count:,} | {ready_ms:.0f} ms | {first_ms:.0f} ms | {rss:.1f} MiB |")
        if count == 10000:
            targets.append(("first 200 with 10k jobs within 2x the reference's", first_ms <= 2 * first_r, ratio(first_ms, first_r)))
        if count == 100000:
            targets.append(("100k jobs load in under 1 s", ready_ms < 1000, f"{ready_ms:.0f} ms"))
            targets.append(("100k jobs in under 200 MiB", rss < 200, f"{rss:.1f} MiB"))
    targets.append(("idle RSS at most 16 MiB with the bundled fixtures", bundled_idle / 1024 <= 16, f"{bundled_idle / 1024:.1f} MiB"))
    lines += ["", "Get against the number of jobs (32 connections):", "", "| jobs | p50 ms | req/s |", "|---|---|---|"]
    for count, p50, rps in get_by_size:
        lines.append(f"| {count:,} | {p50:.3f} | {rps:,.0f} |")
    if list_row:
        count, listing = list_row
        lines += ["", f"A List page of 100 summaries over {count:,} jobs (32 connections): {listing['rps']:,.0f} req/s, "
                      f"p50 {listing['p50']:.2f} ms, p99 {listing['p99']:.2f} ms."]
    lines += ["", "The cost of the journal and of fault rules (Get, 32 connections):", "", "| setup | req/s | p99 ms |", "|---|---|---|"]
    for label, result in costs:
        lines.append(f"| {label} | {result['rps']:,.0f} | {result['p99']:.3f} |")
    if hostile:
        times = {label: ms for label, ms, _ in hostile}
        lines += ["", "## Adversarial inputs", "",
                  "Each request 30 times in a row on one keep-alive connection, whole round trips (parsing, validation, "
                  "the answer); medians. The inputs took super-linear time before issue 13 (Swift `Regex` backtracking, "
                  "a quadratic duplicate-key check); now every pattern is decided in one pass (PCRE2's DFA matcher or "
                  "a hand-written matcher) and duplicate keys are found with a set.", "",
                  "| request | median ms | beside |", "|---|---|---|"]
        for label, ms, against in hostile:
            beside = "" if against == "baseline" else f"{ms / times[against]:.1f}x {against}"
            lines.append(f"| {label} | {ms:.3f} | {beside} |")
        worst = max(ms for label, ms, _ in hostile if "dashes" in label and "clientRequestToken" not in label)
        targets.append(("a job name of dashes answered in under 1 ms (whole request)", worst < 1.0, f"slowest {worst:.3f} ms"))
    if soaked:
        samples = soaked["samples"]
        settled = [rss for t, rss in samples if t >= min(10, args.soak / 3)] or [rss for _, rss in samples]
        first_rss, last_rss, top_rss = settled[0] / 1024, settled[-1] / 1024, max(settled) / 1024
        growth = (last_rss - first_rss) / first_rss * 100 if first_rss else 0
        # A leak keeps growing; malloc's per-thread arenas grow to a working set and stop. The second
        # half of the soak tells them apart.
        second_half = [rss for t, rss in samples if t >= args.soak / 2] or [rss for _, rss in samples]
        late_growth = (second_half[-1] - second_half[0]) / second_half[0] * 100 if second_half[0] else 0
        lines += ["", "## Soak", "",
                  f"{args.soak:g} s of mixed load (`bench/soak.lua`: Get by id and by ARN, List, Create, Stop, TagResource, "
                  "ListTagsForResource, UntagResource, admin clock/journal/health reads, and a reset every 4,000 requests "
                  "so created jobs do not pile up) at 256 keep-alive connections, journal of 100; every request of the mix "
                  "is answered 200 by a healthy server.", "",
                  "| requests | req/s | non-2xx | socket errors | p50 ms | p99 ms | RSS after warm-up | RSS at the end | highest RSS | healthy after |",
                  "|---|---|---|---|---|---|---|---|---|---|",
                  f"| {soaked['requests']:,} | {soaked['rps']:,.0f} | {soaked['non2xx']} | {soaked['socket_errors']} | "
                  f"{soaked['p50']:.3f} | {soaked['p99']:.3f} | {first_rss:.1f} MiB | {last_rss:.1f} MiB | {top_rss:.1f} MiB | "
                  f"{'yes' if soaked['healthy'] else '**no**'} |", "",
                  f"RSS every 10 s (MiB): {', '.join(f'{rss / 1024:.1f}' for t, rss in samples[::10])}; from the first "
                  f"sample after warm-up to the end {growth:+.1f}%, over the second half {late_growth:+.1f}%."]
        lines.append(f"Server CPU busy in each 10 s window (of one core): {', '.join(f'{b:.0%}' for b in soaked['busy'])}.")
        targets.append(("soak: served throughout (server busy over 50% of a core in every 10 s window)",
                        min(soaked["busy"]) > 0.5, f"lowest {min(soaked['busy']):.0%}"))
        targets.append(("soak: no unexpected status or socket error", soaked["non2xx"] == 0 and soaked["socket_errors"] == 0,
                        f"{soaked['non2xx']} non-2xx, {soaked['socket_errors']} socket errors"))
        targets.append(("soak: RSS flat over the second half (within 2%)", abs(late_growth) <= 2,
                        f"{late_growth:+.1f}% ({growth:+.1f}% from the end of warm-up at 10 s)"))
    runs = ([json.loads(line) for line in Path(args.soaks).read_text().splitlines() if line.strip()]
            if args.soaks and Path(args.soaks).exists() else [])
    lines += soak_series(runs, args.soaks_command, targets)
    lines += ["", "## Targets", "", "| target | met | measured |", "|---|---|---|"]
    for name, met, measured in targets:
        lines.append(f"| {name} | {'yes' if met else '**no**'} | {measured} |")
    lines += ["", "## Why the misses (profile)", "", *WHY]
    # The sections of bench/data.py (the data plane) and bench/events.py (lifecycle events) are kept as
    # they are: this run did not measure them.
    report = Path(args.report)
    old = report.read_text() if report.exists() else ""
    kept = []
    for name in ("batch-data", "events"):
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        if begin in old and end in old:
            kept.append(old[old.index(begin):old.index(end) + len(end)])
    report.write_text("\n".join(lines) + "\n" + "".join("\n" + block + "\n" for block in kept))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
