"""MockBedrock: finding the binary, flags, starting and stopping, the child's environment, clients."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import botocore.exceptions
import pytest

import mock_bedrock
from mock_bedrock import BinaryNotFoundError, MockBedrock, MockBedrockError, ServerStartError, find_binary
from mock_bedrock import _process
from mock_bedrock._process import flags_to_args

from conftest import MODEL_ID, PACKAGE_SRC, create_job


def fake_binary(path: Path, body: str) -> Path:
    """An executable Python script standing in for the server."""
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_package_exports_its_api():
    assert set(mock_bedrock.__all__) >= {"MockBedrock", "MockBedrockError", "MockBedrockScope", "FaultRule"}
    assert (PACKAGE_SRC / "mock_bedrock" / "py.typed").exists()


# --------------------------------------------------------------------------- flags


def test_keywords_become_flags():
    assert flags_to_args({
        "clock_rate": 0, "s3_dir": Path("/tmp/s3"), "verify_sigv4": True, "no_admin": False,
        "admin_token": None, "rate_limit": ["GetModelInvocationJob=5/s", "ListModelInvocationJobs=1/s"],
        "clock_start": datetime(2026, 3, 1, 10, tzinfo=timezone.utc), "data_wait": 2.5,
    }) == [
        "--clock-rate=0", "--s3-dir=/tmp/s3", "--verify-sigv4",
        "--rate-limit=GetModelInvocationJob=5/s", "--rate-limit=ListModelInvocationJobs=1/s",
        "--clock-start=2026-03-01T10:00:00.000Z", "--data-wait=2.5",
    ]


def test_host_port_and_empty_fixtures_unless_given():
    mock = MockBedrock(clock_rate=0)
    command = mock.command()
    assert command[:2] == ["--host=127.0.0.1", "--port=0"]
    fixtures = Path(command[2].split("=", 1)[1])
    assert command[2].startswith("--fixtures=") and fixtures.is_dir()
    assert not any(fixtures.iterdir())  # not the server's default `fixtures` of the cwd
    assert command[-1:] == ["--clock-rate=0"]
    mock.stop()  # never started: nothing to do, and the temporary folder goes
    assert not fixtures.exists()

    given = MockBedrock(port=4599, fixtures="my-fixtures", args=["--host=::1"]).command()
    assert [arg for arg in given if arg.startswith("--port")] == ["--port=4599"]
    assert "--host=127.0.0.1" not in given and "--fixtures=my-fixtures" in given
    assert given[-1] == "--host=::1"


def test_flags_reach_the_server():
    start = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
    with MockBedrock(clock_start=start, clock_rate=0, rate_limit=["ListModelInvocationJobs=1/s"],
                     region="eu-west-1", log_level="warning") as mock:
        assert mock.clock.now == start and mock.clock.rate == 0
        client = mock.client(retries={"max_attempts": 1, "mode": "standard"})  # **config: botocore Config
        assert client.meta.region_name == "eu-west-1"  # the `region` flag is the default region
        client.list_model_invocation_jobs()
        with pytest.raises(client.exceptions.ThrottlingException):
            client.list_model_invocation_jobs()


def test_fixtures_as_a_path_or_as_jobs(tmp_path):
    job = {
        "jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/fixture00001",
        "jobName": "from-a-fixture", "modelId": MODEL_ID, "roleArn": "arn:aws:iam::123456789012:role/R",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}},
    }
    with MockBedrock(fixtures={"jobs": [job]}, clock_rate=0) as mock:
        assert mock.health() == {"status": "ok", "jobs": 1}
        assert mock.client().get_model_invocation_job(jobIdentifier="fixture00001")["status"] == "Submitted"
    (tmp_path / "jobs.json").write_text(json.dumps({"jobs": [job, dict(job, jobArn=job["jobArn"][:-1] + "2", jobName="two")]}))
    with MockBedrock(fixtures=tmp_path) as mock:
        assert mock.health()["jobs"] == 2


# --------------------------------------------------------------------------- the binary


def test_the_binary_is_the_argument_then_the_bundled_one_then_the_variable_then_path(tmp_path, monkeypatch):
    argument = fake_binary(tmp_path / "argument", "")
    bundled = fake_binary(tmp_path / "bundled", "")
    from_env = fake_binary(tmp_path / "from-env", "")
    (tmp_path / "path").mkdir()
    on_path = fake_binary(tmp_path / "path" / "mock-bedrock", "")
    monkeypatch.setattr(_process, "BUNDLED_BINARY", bundled)
    monkeypatch.setenv("MOCK_BEDROCK_BIN", str(from_env))
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    assert find_binary(argument) == argument
    assert find_binary() == bundled
    monkeypatch.setattr(_process, "BUNDLED_BINARY", tmp_path / "absent")
    assert find_binary() == from_env
    monkeypatch.delenv("MOCK_BEDROCK_BIN")
    assert find_binary() == on_path
    assert find_binary("mock-bedrock") == on_path  # a bare name is looked up on PATH


def test_no_binary_names_all_four_places(tmp_path, monkeypatch):
    monkeypatch.setattr(_process, "BUNDLED_BINARY", tmp_path / "absent")
    monkeypatch.delenv("MOCK_BEDROCK_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BinaryNotFoundError) as raised:
        MockBedrock().start()
    message = str(raised.value)
    for place in ("`binary` argument", str(tmp_path / "absent"), "MOCK_BEDROCK_BIN", "PATH"):
        assert place in message
    assert isinstance(raised.value, FileNotFoundError)
    with pytest.raises(BinaryNotFoundError, match="not an executable file"):
        find_binary(tmp_path / "nothing-here")


# --------------------------------------------------------------------------- starting and stopping


def test_start_stop_and_the_context_manager():
    mock = MockBedrock(clock_rate=0)
    with pytest.raises(RuntimeError, match="not started"):
        mock.endpoint_url
    with mock:
        assert mock.running and mock.port > 0
        assert mock.endpoint_url == f"http://127.0.0.1:{mock.port}"
        assert mock.health()["status"] == "ok"
        pid = mock.pid
        assert pid is not None and alive(pid)
    assert not mock.running and mock.returncode == 0 and not alive(pid)
    assert "stopping on signal 15" in mock.log()  # stderr, kept after the stop
    assert mock.stop() == 0  # idempotent
    mock.start()  # and it starts again, on a new port
    try:
        assert mock.health()["status"] == "ok"
    finally:
        mock.stop()


def test_a_server_that_exits_at_start_raises_with_its_stderr():
    with pytest.raises(ServerStartError) as raised:
        MockBedrock(clock_rate=-1).start()
    assert raised.value.returncode == 64
    assert "clock-rate" in raised.value.stderr and "clock-rate" in str(raised.value)


def test_a_server_without_a_ready_line_is_stopped(tmp_path):
    silent = fake_binary(tmp_path / "silent", "import time\ntime.sleep(30)\n")
    mock = MockBedrock(silent, startup_timeout=0.5)
    began = time.monotonic()
    with pytest.raises(ServerStartError, match="no ready line within 0.5 s"):
        mock.start()
    assert time.monotonic() - began < 5 and not mock.running


def test_stop_kills_a_server_that_ignores_sigterm(tmp_path):
    stubborn = fake_binary(tmp_path / "stubborn", """\
        import signal, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("mock-bedrock listening on http://127.0.0.1:9", flush=True)
        time.sleep(60)
        """)
    mock = MockBedrock(stubborn).start()
    assert mock.port == 9
    pid = mock.pid
    began = time.monotonic()
    assert mock.stop(timeout=0.3) == -signal.SIGKILL
    assert time.monotonic() - began < 5 and not alive(pid)


def test_the_server_is_stopped_at_interpreter_exit(tmp_path):
    script = "from mock_bedrock import MockBedrock\nprint(MockBedrock().start().pid, flush=True)\n"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_SRC), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout)
    for _ in range(100):
        if not alive(pid):
            break
        time.sleep(0.05)
    assert not alive(pid)


def test_the_hosts_aws_and_mock_bedrock_variables_stay_out_unless_passed(monkeypatch):
    monkeypatch.setenv("MOCK_BEDROCK_CLOCK_RATE", "7")
    monkeypatch.setenv("MOCK_BEDROCK_NO_ADMIN", "1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAHOSTKEY")
    with MockBedrock() as mock:
        assert mock.clock.rate == 1
    with MockBedrock(env={"MOCK_BEDROCK_CLOCK_RATE": "7"}) as mock:
        assert mock.clock.rate == 7


# --------------------------------------------------------------------------- clients


def test_client_account_and_region(mock):
    arn = create_job(mock.client(account="111122223333", region="eu-west-1"), "scoped",
                     "s3://scoped-in/x.jsonl", "s3://scoped-out/")
    assert arn.startswith("arn:aws:bedrock:eu-west-1:111122223333:model-invocation-job/")
    assert mock.client(account="111122223333", region="eu-west-1").list_model_invocation_jobs()["invocationJobSummaries"]
    assert not mock.client(account="111122223333").list_model_invocation_jobs()["invocationJobSummaries"]
    assert not mock.client(region="eu-west-1").list_model_invocation_jobs()["invocationJobSummaries"]
    assert create_job(mock.client(), "default", "s3://scoped-in/x.jsonl", "s3://scoped-out/").startswith(
        "arn:aws:bedrock:us-east-1:123456789012:")  # no account: the server's --account-id
    scope = mock.scope(account="444455556666", region="ap-south-1")
    assert scope.client().meta.region_name == "ap-south-1" and scope.account == "444455556666"
    with pytest.raises(ValueError, match="12 digits"):
        mock.client(account="1234")


def test_credentials_and_admin_token_with_sigv4_checking():
    with MockBedrock(verify_sigv4=True, credentials=["AKIAGOODKEY0000000001:good-secret"],
                     admin_token="let-me-in", clock_rate=0) as mock:
        assert mock.clock.rate == 0  # the admin calls carry the token
        good = mock.client(credentials=("AKIAGOODKEY0000000001", "good-secret"))
        assert good.list_model_invocation_jobs()["invocationJobSummaries"] == []
        with pytest.raises(botocore.exceptions.ClientError, match="UnrecognizedClientException"):
            mock.client().list_model_invocation_jobs()
    with MockBedrock(args=["--admin-token", "let-me-in"]) as mock:
        assert mock.admin_token == "let-me-in" and mock.health()["status"] == "ok"
        mock.admin_token = "wrong"
        with pytest.raises(MockBedrockError) as raised:
            mock.clock.now
        assert raised.value.status in (401, 403)


def test_the_server_stops_when_the_python_process_is_killed(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    # given a Python process that started a server and is then killed without any chance to clean up
    script = ("import sys, time; from mock_bedrock import MockBedrock\n"
              "m = MockBedrock().start(); print(m.pid, flush=True); time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(PACKAGE_SRC)})
    server_pid = int(child.stdout.readline())
    assert alive(server_pid)
    # when
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    # then the server follows within moments (its stdin pipe closed)
    deadline = time.monotonic() + 5
    while alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(server_pid)


def test_none_or_false_host_and_port_keep_the_loopback_defaults_and_durations_are_whole_seconds():
    from datetime import timedelta
    mock = MockBedrock(port=None, host=False, idle_timeout=timedelta(seconds=5))
    command = mock.command()
    assert "--port=0" in command and "--host=127.0.0.1" in command
    assert "--idle-timeout=5" in command
    with mock:
        assert mock.health()


def test_clients_ignore_the_hosts_proxy_and_aws_profile(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    with MockBedrock() as mock:
        assert mock.client().list_model_invocation_jobs()["invocationJobSummaries"] == []


def test_a_dead_server_is_reported_with_its_exit_code():
    import signal
    from mock_bedrock import MockBedrockError
    with MockBedrock() as mock:
        os.kill(mock.pid, signal.SIGKILL)
        mock._process.wait(5)
        with pytest.raises(MockBedrockError, match="not running \\(exit code -9\\)"):
            mock.reset()
