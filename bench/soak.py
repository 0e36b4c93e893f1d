#!/usr/bin/env python3
"""Soaks and the stall catcher: runs bench/soak.lua's mixed load against mock-bedrock (the server pinned to
core 0, wrk to core 1), watches the server while the load runs, and at a stall saves what shows why.

A stall is the server's CPU, or any one libmicrohttpd thread's, under 10% of a core for 4 s, or no
answer reaching the load for 2 s, while the load runs (a full load keeps every thread busy). All are
watched without touching the server: the CPU from /proc, the answers from the counts soak.lua's
threads write to files (a connection of the catcher's own would wake libmicrohttpd's
threads and could end the very stall it looks for). At a stall it saves, into a folder it prints:
every thread's stack (gdb), the socket table of the port (`ss -tni`: Recv-Q shows requests the server
has not read, Send-Q answers not sent), then libmicrohttpd's count of open connections with the
server's answer counters (GET /_mock/stats) and the journal's tail (GET /_mock/requests).

    bench/soak.py --binary B --runs 20 --seconds 60 --connections 256          # 20 soaks, a line and windows each
    bench/soak.py --binary B --until-stall 50 --seconds 60 --threads 1         # stop at the first stall
    bench/soak.py --binary B --runs 3 --seconds 10 --connections 256 --threads 1 --check   # CI: exit 1 on a stall

Results go to --json (one object a run) for bench/bench.py's report. Run through bench/soak.sh, which
builds the binary the container ships first.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench import JOB, JOB_ID, parse_wrk  # noqa: E402  (the benchmark's job and wrk parser)

TICKS = os.sysconf("SC_CLK_TCK")
POLL_SECONDS = 0.5
QUIET_SECONDS = 2.0   # no answer sent for this long while the load runs: a stall
IDLE_SECONDS = 4.0    # the server's CPU under IDLE_SHARE of a core for this long: a stall
IDLE_SHARE = 0.10
WINDOW_SECONDS = 10


def get_json(url: str, timeout: float = 1.0):
    """GET on a fresh connection; None when the server does not answer in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())
    except Exception:  # noqa: BLE001 (a stalled or stopping server: no figure this time)
        return None


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Server:
    def __init__(self, binary: str, fixtures: Path, threads: int, connections: int, core: str):
        command = ["taskset", "-c", core, binary, "--port", "0", "--threads", str(threads), "--log-level", "warning",
                   "--fixtures", str(fixtures), "--clock-rate", "0", "--journal-size", "100",
                   "--max-connections", str(max(1024, connections + 64))]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        if not match:
            raise SystemExit(f"the server did not start: {line!r} {self.process.stderr.read()}")
        self.url = match.group(1)
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def capture(server: Server, folder: Path, reason: str) -> None:
    """Everything that shows why the server stopped serving, taken at once."""
    folder.mkdir(parents=True, exist_ok=True)
    pid = server.process.pid
    (folder / "reason.txt").write_text(reason + "\n")
    sockets = subprocess.run(["ss", "-tni", "state", "established", f"( sport = :{server.port} )"],
                             capture_output=True, text=True).stdout
    (folder / "sockets.txt").write_text(sockets)
    if shutil.which("gdb"):
        stacks = subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt"],
                                capture_output=True, text=True, timeout=120)
        (folder / "stacks.txt").write_text(stacks.stdout + stacks.stderr)
    else:
        (folder / "stacks.txt").write_text("gdb is not installed (apt-get install gdb)\n")
    # Only now a connection of our own: it may wake the server.
    stats = get_json(server.url + "/_mock/stats", timeout=2)
    (folder / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    journal = get_json(server.url + "/_mock/requests", timeout=2)
    tail = journal.get("requests", [])[-20:] if isinstance(journal, dict) else journal
    (folder / "journal-tail.json").write_text(json.dumps(tail, indent=2) + "\n")
    # Recv-Q (bytes the server has not read) and Send-Q (bytes not yet sent or acknowledged) per socket.
    queues = [tuple(map(int, line.split()[:2])) for line in sockets.splitlines()
              if re.match(r"\s*\d+\s+\d+\s", line)]
    unread = [recv for recv, _ in queues if recv > 0]
    unsent = [send for _, send in queues if send > 0]
    summary = (f"{reason}\nserver sockets of the port: {len(queues)}; with unread request bytes: {len(unread)}"
               f" (most {max(unread, default=0)}); with unsent answer bytes: {len(unsent)} (most {max(unsent, default=0)})\n"
               f"stats: {json.dumps(stats)}\n")
    (folder / "summary.txt").write_text(summary)


def progress(base: Path, last: dict) -> tuple[int, int]:
    """Answers and error answers the load's threads have counted so far (soak.lua writes them every 200,
    renaming each file into place); `last` keeps each file's last good reading."""
    for path in base.parent.glob(base.name + ".*"):
        if path.suffix == ".tmp":
            continue
        try:
            counted = path.read_text().split()
            last[path.name] = (int(counted[0]), int(counted[1]))
        except (OSError, IndexError, ValueError):
            pass
    return sum(a for a, _ in last.values()), sum(e for _, e in last.values())


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of each libmicrohttpd thread (named MHD-worker or MHD-single), by thread id."""
    seconds = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            if task.joinpath("comm").read_text().startswith("MHD-"):
                fields = task.joinpath("stat").read_text().rsplit(")", 1)[1].split()
                seconds[task.name] = (int(fields[11]) + int(fields[12])) / TICKS
        except (OSError, IndexError):
            pass
    return seconds


def one_soak(args, fixtures: Path, run: int) -> dict:
    server = Server(args.binary, fixtures, args.threads, args.connections, args.server_core)
    base = fixtures.parent / f"progress-{run}"
    wrk = subprocess.Popen(["taskset", "-c", args.load_core, "wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds:g}s",
                            "--timeout", "2s", "--latency", "-s", str(ROOT / "bench" / "soak.lua"), server.url, "--", str(base)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    samples = []  # (seconds since start, cpu seconds, answers, errors, {thread: cpu seconds})
    stall = None
    readings: dict = {}
    last_answers, last_progress = None, started
    while wrk.poll() is None:
        time.sleep(POLL_SECONDS)
        now = time.monotonic()
        try:
            cpu = cpu_seconds(server.process.pid)
            threads = thread_cpu(server.process.pid)
        except (OSError, IndexError):
            stall = stall or "the server exited"
            break
        answers, errors = progress(base, readings)
        samples.append((now - started, cpu, answers, errors, threads))
        if last_answers is None or answers > last_answers:
            last_answers, last_progress = answers, now
        # Only while the load runs in full: not in wrk's first second nor after its end.
        running = 1.0 < now - started < args.seconds - 0.5
        if running and stall is None:
            if now - last_progress >= QUIET_SECONDS:
                stall = f"no answer sent for {now - last_progress:.1f} s, {now - started:.1f} s into run {run}"
            else:
                back = [s for s in samples if s[0] >= samples[-1][0] - IDLE_SECONDS]
                if samples[-1][0] - back[0][0] >= IDLE_SECONDS - POLL_SECONDS:
                    span = back[-1][0] - back[0][0]
                    share = (back[-1][1] - back[0][1]) / span
                    if share < IDLE_SHARE:
                        stall = f"server CPU {share:.0%} of a core for {IDLE_SECONDS:g} s, {now - started:.1f} s into run {run}"
                    for thread, seconds in back[-1][4].items():
                        if thread in back[0][4] and (seconds - back[0][4][thread]) / span < IDLE_SHARE and stall is None:
                            stall = (f"libmicrohttpd thread {thread} at {(seconds - back[0][4][thread]) / span:.0%} of a core "
                                     f"for {IDLE_SECONDS:g} s, {now - started:.1f} s into run {run}")
            if stall:
                folder = Path(args.out) / f"stall-{datetime.datetime.now():%Y%m%d-%H%M%S}-run{run}"
                capture(server, folder, stall)
                print(f"STALL: {stall}; evidence in {folder}", flush=True)
                if args.stop_at_stall:
                    wrk.send_signal(signal.SIGINT)  # wrk prints its summary on SIGINT (SIGTERM kills it silently)
    output, problems = wrk.communicate()
    healthy = get_json(server.url + "/_mock/health", timeout=2) is not None
    server.stop()
    if "Requests/sec" not in output:
        raise SystemExit(f"soak: wrk did not run: {output} {problems}")
    result = parse_wrk(output)
    windows = []
    for start in range(0, int(args.seconds), WINDOW_SECONDS):
        inside = [s for s in samples if start <= s[0] < start + WINDOW_SECONDS + POLL_SECONDS]
        if len(inside) >= 2:
            span = inside[-1][0] - inside[0][0]
            windows.append({"from": start, "answers": inside[-1][2] - inside[0][2], "errors": inside[-1][3] - inside[0][3],
                            "cpu": (inside[-1][1] - inside[0][1]) / span if span else 0})
    return {"run": run, "threads": args.threads, "connections": args.connections, "seconds": args.seconds,
            "requests": result["requests"], "rps": result["rps"], "non2xx": result["non2xx"],
            "socket_errors": result["socket_errors"], "stall": stall, "healthy": healthy, "windows": windows}


def describe(result: dict) -> str:
    windows = " | ".join(f"{w['answers']:,} {w['errors']}e {w['cpu']:.0%}" for w in result["windows"])
    verdict = f"STALLED ({result['stall']})" if result["stall"] else "clean"
    return (f"run {result['run']}: {result['requests']:,} requests, {result['non2xx']} non-2xx, {result['socket_errors']} socket errors, "
            f"{verdict}; per {WINDOW_SECONDS} s (answers, errors, server CPU): {windows}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--runs", type=int, default=1, help="soaks to run (all of them)")
    parser.add_argument("--until-stall", type=int, help="run up to N soaks, stopping at the first stall")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--load-core", default="1")
    parser.add_argument("--out", default=str(ROOT / ".build" / "stalls"), help="where stall evidence goes")
    parser.add_argument("--json", help="append each run's result here, one JSON object a line")
    parser.add_argument("--check", action="store_true", help="exit 1 when any run stalled or lost requests (for CI)")
    args = parser.parse_args()
    for tool in ("wrk", "taskset", "ss"):
        if not shutil.which(tool):
            raise SystemExit(f"soak: {tool} is needed (apt-get install wrk util-linux iproute2; gdb for the stacks)")
    args.stop_at_stall = args.until_stall is not None
    runs = args.until_stall or args.runs
    work = Path(tempfile.mkdtemp(prefix="mock-bedrock-soak-"))
    fixtures = work / "fixtures"
    fixtures.mkdir()
    (fixtures / "job.json").write_text(json.dumps(JOB))
    stalled = 0
    try:
        for run in range(1, runs + 1):
            result = one_soak(args, fixtures, run)
            print(describe(result), flush=True)
            if args.json:
                with open(args.json, "a") as sink:
                    sink.write(json.dumps(result) + "\n")
            bad = result["stall"] or not result["healthy"] or (args.check and (result["socket_errors"] or result["non2xx"]))
            if bad:
                stalled += 1
                if args.stop_at_stall:
                    break
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"soak: {stalled} of {run} runs stalled or failed ({args.connections} connections, {args.threads} threads, "
          f"{args.seconds:g} s each)")
    return 1 if stalled and (args.check or args.stop_at_stall) else 0


if __name__ == "__main__":
    sys.exit(main())
