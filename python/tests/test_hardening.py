"""The package under a dying or hung server, bad timeouts, dashed paths and the host's proxies (issue 23,
items 11 and 12). Each test is bounded: a call that would hang runs in a thread given a deadline."""

from __future__ import annotations

import http.server
import json
import math
import os
import signal
import socket
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from mock_bedrock import MockBedrock, MockBedrockConnectionError, MockBedrockError, MockBedrockTimeoutError
from mock_bedrock import _process

from conftest import create_job, records

# A call that should give up after 1 s must be back within this (instead of the old fixed 60 s).
GENEROUS = 10.0


def outcome_within(seconds: float, call: Callable[[], Any]) -> Any:
    """Runs `call` in a daemon thread: its value, or the exception it raised; fails the test when it
    has not finished within `seconds` (the thread is left to end with the server)."""
    result: Dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = call()
        except BaseException as error:  # noqa: B902 - handed to the test
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    began = time.monotonic()
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds} s")
    result["elapsed"] = time.monotonic() - began
    return result


def fake_server(path: Path) -> Path:
    """A stand-in for the binary: it listens on loopback, prints the ready line, takes one connection
    and misbehaves as $FAKE_MODE says, writing a line to stderr and exiting with a known code."""
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent("""\
        import os, socket, struct, sys, time
        mode = os.environ["FAKE_MODE"]
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        print(f"mock-bedrock listening on http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
        conn, _ = listener.accept()
        conn.recv(65536)
        while mode == "close-alive":  # every connection closed unanswered, and the server stays
            conn.close()
            conn, _ = listener.accept()
        if mode == "close":        # the request read, then the connection closed without a word
            pass
        elif mode == "reset":      # a TCP reset
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "cut":        # 100 bytes promised, 12 sent
            conn.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 100\\r\\n\\r\\n{\\"status\\": \\"")
        elif mode == "not-json":   # a body without a length, cut by the close: not JSON
            conn.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nConnection: close\\r\\n\\r\\n{\\"status\\": \\"o")
        elif mode == "bad-status": # not HTTP at all
            conn.sendall(b"SSH-2.0-OpenSSH_9.6\\r\\n")
        elif mode == "error-cut":  # an error status whose body is cut
            conn.sendall(b"HTTP/1.1 500 Internal Server Error\\r\\nContent-Length: 100\\r\\n\\r\\n{\\"message\\"")
        sys.stderr.write(f"fake server: {mode} and exit 3\\n")
        sys.stderr.flush()
        conn.close()
        os._exit(3)
        """))
    path.chmod(0o755)
    return path


# --------------------------------------------------------------------------- 11 (a): a server dying mid-call


@pytest.mark.parametrize("mode", ["close", "reset", "cut", "not-json", "bad-status", "error-cut"])
def test_a_server_dying_mid_call_raises_mock_bedrock_error_with_its_exit_code_and_log(tmp_path, mode):
    with MockBedrock(fake_server(tmp_path / "fake"), env={"FAKE_MODE": mode}) as mock:
        outcome = outcome_within(GENEROUS, mock.health)
    error = outcome.get("error")
    assert isinstance(error, MockBedrockError), f"{mode}: {error!r}"
    if mode != "error-cut":  # an error status that arrived is the server's answer, whatever its body
        assert isinstance(error, MockBedrockConnectionError) and error.status == 0
        assert error.returncode == 3 and "fake server: " + mode in error.log_tail
        assert "exit code 3" in str(error) and "fake server: " + mode in str(error)
        assert "GET /_mock/health" in str(error)
    else:
        assert error.status == 500


def test_a_real_server_killed_during_a_long_poll_raises_its_exit_code():
    with MockBedrock(clock_rate=0) as mock:
        killer = threading.Timer(0.5, os.kill, (mock.pid, signal.SIGKILL))
        killer.start()
        try:
            outcome = outcome_within(GENEROUS, lambda: mock.wait_for_event("abcdefghijkl", "Completed", timeout=5))
        finally:
            killer.cancel()
    error = outcome.get("error")
    assert isinstance(error, MockBedrockConnectionError), repr(error)
    assert error.returncode == -signal.SIGKILL and "exit code -9" in str(error)
    assert outcome["elapsed"] < 4  # at the kill, not at the wait's end


def test_a_live_server_closing_the_connection_is_a_connection_error_without_an_exit_code(tmp_path):
    with MockBedrock(fake_server(tmp_path / "fake"), env={"FAKE_MODE": "close-alive"}) as mock:
        outcome = outcome_within(GENEROUS, mock.reset)
        assert mock.running
    error = outcome.get("error")
    assert isinstance(error, MockBedrockConnectionError), repr(error)
    assert error.returncode is None and error.log_tail == ""
    assert str(error).startswith("mock-bedrock at http://127.0.0.1:")
    assert "did not answer POST /_mock/reset" in str(error)


# --------------------------------------------------------------------------- 11 (b): the caller's timeout


@pytest.fixture
def hung():
    """A real server, stopped (SIGSTOP): it accepts connections (the kernel does) and never answers."""
    with MockBedrock(clock_rate=0) as mock:
        os.kill(mock.pid, signal.SIGSTOP)
        try:
            yield mock
        finally:
            os.kill(mock.pid, signal.SIGCONT)


def test_wait_for_event_against_a_hung_server_gives_up_at_its_timeout(hung):
    outcome = outcome_within(GENEROUS, lambda: hung.wait_for_event("abcdefghijkl", "Completed", timeout=1.5))
    error = outcome.get("error")
    assert isinstance(error, MockBedrockTimeoutError) and isinstance(error, TimeoutError), repr(error)
    assert outcome["elapsed"] < 1.5 + 1  # the caller's deadline (and a check's floor), not 60 s
    assert "did not answer" in str(error) and error.returncode is None


def test_admin_calls_without_a_timeout_give_up_after_admin_timeout(hung):
    hung.admin_timeout = 1
    outcome = outcome_within(GENEROUS, hung.health)
    assert isinstance(outcome.get("error"), MockBedrockTimeoutError), repr(outcome.get("error"))
    assert outcome["elapsed"] < 1 + 2
    assert "GET /_mock/health: no answer within 1 s" in str(outcome["error"])


def test_the_long_poll_waits_in_the_server_and_still_finds_a_late_event(mock):
    # given a job whose Completed comes 1.5 s into a 5 s wait
    mock.jobs.write_input("s3://late-in/x.jsonl", records(100))
    mock.jobs.create_bucket("late-out")
    arn = create_job(mock.client(), "late", "s3://late-in/x.jsonl", "s3://late-out/")
    answers = mock.stats()["answers"]
    timer = threading.Timer(1.5, mock.clock.advance, ("3h",))
    timer.start()
    try:
        began = time.monotonic()
        event = mock.wait_for_event(arn, "Completed", timeout=5)
    finally:
        timer.cancel()
    assert event["detail"]["status"] == "Completed" and 1.4 < time.monotonic() - began < 4.5
    # and the polls were long ones (a few), not a busy loop
    assert mock.stats()["answers"] - answers < 20


def test_the_default_admin_timeout_is_documented_and_settable():
    mock = MockBedrock()
    assert mock.admin_timeout == 30.0
    assert "--admin-timeout" not in " ".join(mock.command())  # the package's own keyword, not a flag
    mock.admin_timeout = 2
    assert mock.admin_timeout == 2
    mock.stop()


# --------------------------------------------------------------------------- 11 (c): NaN, negative, infinite


BAD_SECONDS = [math.nan, -1, -0.001, math.inf, -math.inf]


@pytest.mark.parametrize("bad", BAD_SECONDS)
def test_bad_timeouts_of_wait_for_event_are_value_errors(mock, bad):
    outcome = outcome_within(GENEROUS, lambda: mock.wait_for_event("abcdefghijkl", "Completed", timeout=bad))
    assert isinstance(outcome.get("error"), ValueError), repr(outcome.get("error"))
    assert outcome["elapsed"] < 1


@pytest.mark.parametrize("bad", BAD_SECONDS)
def test_bad_durations_of_the_clock_and_the_package_are_value_errors(mock, bad):
    before = mock.clock.get()
    for call in (lambda: mock.clock.advance(bad), lambda: mock.clock.update(advance=bad),
                 lambda: mock.clock.set_rate(bad), lambda: mock.clock.update(rate=bad),
                 lambda: MockBedrock(startup_timeout=bad), lambda: MockBedrock(admin_timeout=bad),
                 lambda: mock.stop(timeout=bad)):
        with pytest.raises(ValueError):
            call()
    assert mock.running and mock.clock.get() == before


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinities_never_reach_the_server_as_json(mock, bad):
    with pytest.raises(ValueError, match="POST /_mock/faults"):
        mock.faults.add(delay_ms=bad)
    assert mock.faults.list() == [] and mock.requests() == []
    with pytest.raises(ValueError):
        MockBedrock(admin_timeout=0)


def test_booleans_and_strings_are_not_seconds(mock):
    for call in (lambda: mock.wait_for_event("abcdefghijkl", "Completed", timeout=True),
                 lambda: mock.wait_for_event("abcdefghijkl", "Completed", timeout="5"),
                 lambda: mock.clock.advance(True), lambda: mock.clock.set_rate(False),
                 lambda: MockBedrock(startup_timeout=True), lambda: mock.stop(timeout="1")):
        with pytest.raises(TypeError):
            call()
    assert mock.running


def test_a_zero_timeout_checks_once_and_timeouts_are_checked_when_set(mock, tmp_path):
    with pytest.raises(TimeoutError):
        mock.wait_for_event("abcdefghijkl", "Completed", timeout=0)
    later = MockBedrock()
    with pytest.raises(ValueError):
        later.startup_timeout = math.nan
    with pytest.raises(ValueError):
        later.admin_timeout = -1
    assert later.startup_timeout == 15 and later.admin_timeout == 30
    later.startup_timeout = 0  # a start that checks for the ready line once: allowed
    assert not later.running


# --------------------------------------------------------------------------- 11 (d): values starting with '-'


def test_flags_are_passed_as_flag_equals_value():
    assert _process.flags_to_args({"s3_dir": "-dash s3", "rate_limit": ["-a", "b"], "verify_sigv4": True,
                                   "clock_rate": -1}) == [
        "--s3-dir=-dash s3", "--rate-limit=-a", "--rate-limit=b", "--verify-sigv4", "--clock-rate=-1"]
    command = MockBedrock(fixtures="-fixtures").command()
    assert command[:3] == ["--host=127.0.0.1", "--port=0", "--fixtures=-fixtures"]


def test_paths_starting_with_a_dash_reach_the_server(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("-dash s3").mkdir()
    Path("-fixtures").mkdir()
    Path("-responses.json").write_text(json.dumps({"responses": [{"recordId": "rec-000", "text": "From the dashed file."}]}))
    job = {
        "jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/dashfixture1",
        "jobName": "dashed", "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "roleArn": "arn:aws:iam::123456789012:role/R",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}},
    }
    Path("-fixtures/jobs.json").write_text(json.dumps({"jobs": [job]}))
    with MockBedrock(s3_dir="-dash s3", fixtures="-fixtures", responses="-responses.json", clock_rate=0) as mock:
        assert mock.health()["jobs"] == 1
        mock.jobs.write_input("s3://dash-in/x.jsonl", records(100))
        arn = create_job(mock.client(), "dash", "s3://dash-in/x.jsonl", "s3://dash-in/out/")
        mock.clock.advance("3h")
        first = mock.jobs.outputs(arn)["x.jsonl.out"][0]
    assert (tmp_path / "-dash s3" / "dash-in" / "out").is_dir()
    assert first["modelOutput"]["content"][0]["text"] == "From the dashed file."


# --------------------------------------------------------------------------- 12: the host's proxies


PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


@pytest.fixture
def dead_proxy(monkeypatch):
    """Every proxy variable names a loopback port where nothing listens."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    probe.close()
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    return url


def test_the_servers_environment_has_none_of_the_hosts_proxies(dead_proxy):
    env = _process._child_env(None)
    assert not set(PROXY_VARIABLES) & set(env)
    assert _process._child_env({"https_proxy": dead_proxy})["https_proxy"] == dead_proxy  # given: kept


def test_the_hosts_proxies_route_nothing_of_the_server_the_package_or_its_clients(dead_proxy, tmp_path):
    # given a webhook on loopback and every proxy variable naming a dead port
    received: List[bytes] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=hook.serve_forever, daemon=True)
    thread.start()
    try:
        with MockBedrock(clock_rate=0, s3_dir=tmp_path, events_url=f"http://127.0.0.1:{hook.server_port}/events") as mock:
            # when a job is created (the package's client) and waited for (its admin calls)
            arn = create_job(mock.client(), "proxied", "s3://proxy-in/x.jsonl", "s3://proxy-in/out/")
            assert mock.wait_for_event(arn, "Submitted", timeout=5)["detail"]["batchJobArn"] == arn
            # then the server's webhook gets the event straight, not through the proxy
            deadline = time.monotonic() + GENEROUS
            while not received and time.monotonic() < deadline:
                time.sleep(0.05)
            log = mock.log()
    finally:
        hook.shutdown()
        hook.server_close()
    assert received, log
    assert json.loads(received[0])["detail"]["batchJobArn"] == arn
