"""Shared helpers for the real-client end-to-end suite.

Every server is the built `mock-bedrock` binary, started on 127.0.0.1 port 0 with fixture files the
test writes itself, and stopped with a signal (SIGTERM unless a test says otherwise); stopping asserts
exit code 0 and that nothing but the ready line ever reached stdout.

Binary: env MOCK_BEDROCK_BIN (scripts/test sets it), else <repo>/.build/debug/mock-bedrock.
"""

from __future__ import annotations

import copy
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import boto3
import botocore.session
import pytest
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
# The Python package's pytest plugin, from the tree (python/src), for the README's pytest example.
sys.path.insert(0, str(REPO / "python" / "src"))
pytest_plugins = ["mock_bedrock.plugin"]
BUNDLED_FIXTURES = REPO / "fixtures"
BIN = Path(os.environ.get("MOCK_BEDROCK_BIN") or REPO / ".build" / "debug" / "mock-bedrock")
AWS_CLI = Path(sys.executable).with_name("aws")

READY_LINE = re.compile(r"mock-bedrock listening on (http://127\.0\.0\.1:([0-9]+))\n")
STARTUP_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonBedrockBatchInferenceRole"
ACCESS_KEY = "AKIAMOCKBEDROCKTEST"
SECRET_KEY = "mock-bedrock-secret-access-key"

# The environment the suite runs under: the host's AWS configuration must not leak into the clients.
AWS_TEST_ENV = {
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}


def pytest_configure(config: pytest.Config) -> None:
    if not BIN.is_file() or not os.access(BIN, os.X_OK):
        raise pytest.UsageError(
            f"mock-bedrock binary not found at {BIN}; run `swift build` or set MOCK_BEDROCK_BIN"
        )


def _is_leaky(name: str) -> bool:
    """Host variables that would change what a client or the server does."""
    return name.startswith(("AWS_", "MOCK_BEDROCK_", "BOTO_")) or name.lower() in {
        "http_proxy", "https_proxy", "all_proxy",
    }


@pytest.fixture(scope="session", autouse=True)
def aws_env():
    """AWS_CONFIG_FILE=/dev/null etc. for the whole session; host AWS_*/MOCK_BEDROCK_* variables removed."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if _is_leaky(name):
                mp.delenv(name)
        for name, value in AWS_TEST_ENV.items():
            mp.setenv(name, value)
        yield dict(os.environ)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment for a child process (server or AWS CLI)."""
    env = {k: v for k, v in os.environ.items() if not _is_leaky(k)}
    env.update(AWS_TEST_ENV)
    if extra:
        env.update(extra)
    return env


# --------------------------------------------------------------------------- fixtures on disk


def write_fixtures(directory: Path, files: Mapping[str, Any], *, subdir: str | None = "fixtures") -> Path:
    """Writes {file name: job dict | {"jobs": [...]} | raw str} into directory/subdir and returns that directory."""
    target = directory / subdir if subdir else directory
    target.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        text = content if isinstance(content, str) else json.dumps(content, indent=2, ensure_ascii=False)
        (target / name).write_text(text, encoding="utf-8")
    return target


def job_arn(job_id: str, *, region: str = REGION, account: str = ACCOUNT, partition: str = "aws") -> str:
    return f"arn:{partition}:bedrock:{region}:{account}:model-invocation-job/{job_id}"


def job_id_of(job: Mapping[str, Any]) -> str:
    return job["jobArn"].rsplit("/", 1)[1]


def make_job(job_id: str, *, region: str = REGION, account: str = ACCOUNT, partition: str = "aws",
             omit: Iterable[str] = (), **overrides: Any) -> dict[str, Any]:
    """A realistic finished job with every member of GetModelInvocationJobResponse set.

    `omit` drops members, `overrides` replaces them (use the wire names)."""
    job: dict[str, Any] = {
        "jobArn": job_arn(job_id, region=region, account=account, partition=partition),
        "jobName": "support-ticket-summaries-2026-02-27",
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "clientRequestToken": "9e2f7b4c-1a6d-4c83-b5e0-7d3a9f1c6e48",
        "roleArn": f"arn:{partition}:iam::{account}:role/service-role/AmazonBedrockBatchInferenceRole",
        "status": "PartiallyCompleted",
        "message": "Not all records were processed before the job's timeout duration of 24 hours elapsed.",
        "submitTime": "2026-02-27T08:30:12.457Z",
        "lastModifiedTime": "2026-02-28T08:30:13.902Z",
        "endTime": "2026-02-28T08:30:13.902Z",
        "inputDataConfig": {
            "s3InputDataConfig": {
                "s3InputFormat": "JSONL",
                "s3Uri": "s3://acme-bedrock-batch-input/support-tickets/2026-02-27/records.jsonl",
                "s3BucketOwner": "345678901234",
            }
        },
        "outputDataConfig": {
            "s3OutputDataConfig": {
                "s3Uri": "s3://acme-bedrock-batch-output/support-tickets/2026-02-27/",
                "s3EncryptionKeyId": f"arn:{partition}:kms:{region}:{account}:key/1f2e3d4c-5b6a-4789-9abc-def012345678",
                "s3BucketOwner": account,
            }
        },
        "vpcConfig": {
            "subnetIds": ["subnet-0a1f2e3d4c5b6a798", "subnet-0b7c6d5e4f3a2b190"],
            "securityGroupIds": ["sg-0123abcd4567ef890"],
        },
        "timeoutDurationInHours": 24,
        "jobExpirationTime": "2026-02-28T08:30:12.457Z",
        "modelInvocationType": "Converse",
        "totalRecordCount": 120000,
        "processedRecordCount": 87415,
        "successRecordCount": 87102,
        "errorRecordCount": 313,
    }
    for name in omit:
        job.pop(name)
    job.update(copy.deepcopy(overrides))
    return job


def fixture_jobs(directory: Path) -> list[dict[str, Any]]:
    """All jobs in a fixture directory, read the way the format is documented (one job or {"jobs": [...]})."""
    jobs = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        jobs.extend(data["jobs"] if "jobs" in data else [data])
    return jobs


# --------------------------------------------------------------------------- the server process


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    port: int
    ready_line: str
    _stderr: Any = field(repr=False)
    returncode: int | None = None
    stdout_after_ready: str | None = None

    def stderr_text(self) -> str:
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        """Sends sig, waits for exit, and records the exit code and whatever stdout had after the ready line."""
        if self.returncode is None:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
            try:
                self.returncode = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"mock-bedrock did not exit within {timeout}s of signal {sig}")
            finally:
                self.stdout_after_ready = self.proc.stdout.read().decode("utf-8", "replace")
                self.proc.stdout.close()
        return self.returncode

    def assert_clean_stop(self, sig: int = signal.SIGTERM) -> None:
        code = self.stop(sig)
        assert code == 0, f"exit code {code} after signal {sig}; stderr:\n{self.stderr_text()}"
        assert self.stdout_after_ready == "", f"stdout had more than the ready line: {self.stdout_after_ready!r}"


class StartupFailed(AssertionError):
    pass


def server_command(fixtures_dir: Path | str | None, *args: str, port: int | None = 0) -> list[str]:
    cmd = [str(BIN), "--host", "127.0.0.1"]
    if port is not None:
        cmd += ["--port", str(port)]
    if fixtures_dir is not None:
        cmd += ["--fixtures", str(fixtures_dir)]
    return cmd + list(args)


def start_server(fixtures_dir: Path | str | None, *args: str, env: Mapping[str, str] | None = None,
                 port: int | None = 0) -> Server:
    """Starts mock-bedrock and waits for its ready line (read from stdout, no sleeping).

    fixtures_dir=None / port=None leave out --fixtures / --port (e.g. to test the MOCK_BEDROCK_* variables).
    """
    stderr = tempfile.TemporaryFile()
    proc = subprocess.Popen(server_command(fixtures_dir, *args, port=port), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=stderr, env=child_env(env))
    line = b""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(remaining):
                proc.kill()
                proc.wait()
                raise StartupFailed(f"no ready line within {STARTUP_TIMEOUT}s (got {line!r})")
            chunk = os.read(proc.stdout.fileno(), 1)  # byte by byte: never read past the ready line
            if not chunk:
                code = proc.wait()
                stderr.seek(0)
                raise StartupFailed(f"mock-bedrock exited with {code} before it was ready; stdout {line!r}; "
                                    f"stderr:\n{stderr.read().decode('utf-8', 'replace')}")
            line += chunk
    text = line.decode("utf-8")
    match = READY_LINE.fullmatch(text)
    if not match:
        proc.kill()
        proc.wait()
        raise StartupFailed(f"unexpected ready line {text!r}")
    port_number = int(match.group(2))
    assert port_number != 0
    return Server(proc=proc, url=match.group(1), port=port_number, ready_line=text, _stderr=stderr)


def run_server_to_exit(fixtures_dir: Path | str | None, *args: str, env: Mapping[str, str] | None = None,
                       port: int | None = 0, timeout: float = STARTUP_TIMEOUT) -> subprocess.CompletedProcess:
    """Runs mock-bedrock expecting it to refuse to start; fails the test if it starts serving instead."""
    try:
        return subprocess.run(server_command(fixtures_dir, *args, port=port), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, env=child_env(env), timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"mock-bedrock kept running (stdout {e.stdout!r}) instead of exiting") from None


@pytest.fixture
def server_factory():
    """start_server(...) for one test; every server it started is stopped with SIGTERM and must exit 0."""
    servers: list[Server] = []

    def factory(fixtures_dir, *args, env=None, port=0) -> Server:
        server = start_server(fixtures_dir, *args, env=env, port=port)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        if server.returncode is None:
            server.assert_clean_stop()


# --------------------------------------------------------------------------- clients


def make_client(url: str, *, region: str = REGION, access_key: str = ACCESS_KEY, **config: Any):
    """A boto3 bedrock client the way a user points one at a local endpoint (default retry config).

    The mock scopes a caller by the SigV4 region (`region`) and, when the access key id is 12 digits,
    takes it as the account (LocalStack's convention); any other key is the server's --account-id."""
    return boto3.client(
        "bedrock",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=SECRET_KEY,
        config=Config(**{"connect_timeout": 5, "read_timeout": 10, **config}),
    )


def arn_scope(arn: str) -> tuple[str, str]:
    """(region, account) of a job ARN."""
    parts = arn.split(":")
    return parts[3], parts[4]


def access_key_for(account: str) -> str:
    """The access key a caller of `account` uses: the default account's callers keep a non-numeric key
    (so the server's --account-id default applies), any other account is given as a 12-digit key."""
    return ACCESS_KEY if account == ACCOUNT else account


def client_for(url: str, arn: str, **config: Any):
    """A client in the account and region of the job `arn` (the only callers that can see it)."""
    region, account = arn_scope(arn)
    return make_client(url, region=region, access_key=access_key_for(account), **config)


def sigv4_authorization(region: str = REGION, account: str | None = None, date: str = "20260301") -> str:
    """An Authorization header that puts a raw HTTP request in `region` and `account` (the mock reads the
    credential scope and never checks the signature)."""
    key = account if account is not None else ACCESS_KEY
    return (f"AWS4-HMAC-SHA256 Credential={key}/{date}/{region}/bedrock/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef")


def scope_headers(arn: str) -> dict[str, str]:
    """Raw HTTP headers for a caller in the job `arn`'s account and region."""
    region, account = arn_scope(arn)
    return {"Authorization": sigv4_authorization(region, access_key_for(account))}


class RequestLog:
    """Counts the HTTP requests a client actually sends, through botocore's before-send event."""

    def __init__(self, client, event: str = "before-send.bedrock.GetModelInvocationJob") -> None:
        self.requests: list[tuple[str, str]] = []
        client.meta.events.register(event, self._record)

    def _record(self, request, **kwargs):
        self.requests.append((request.method, request.url))
        return None  # let botocore send it

    def clear(self) -> None:
        self.requests.clear()

    def __len__(self) -> int:
        return len(self.requests)


@dataclass
class HTTPResult:
    status: int
    headers: Any  # email.message.Message: case-insensitive get / get_all
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(url: str, path: str, method: str = "GET", body: bytes | None = None,
         headers: Mapping[str, str] | None = None) -> HTTPResult:
    """Raw HTTP with urllib (no boto3). `path` is sent exactly as given (already percent-encoded)."""
    request = urllib.request.Request(url + path, data=body, method=method, headers=dict(headers or {}))
    try:
        with _OPENER.open(request, timeout=10) as response:
            return HTTPResult(response.status, response.headers, response.read())
    except urllib.error.HTTPError as e:
        with e:
            return HTTPResult(e.code, e.headers, e.read())


def quote_segment(value: str) -> str:
    """How botocore encodes a URI label: urllib.parse.quote(value, safe='-._~')."""
    return urllib.parse.quote(value, safe="-._~")


UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


# --------------------------------------------------------------------------- the shared server

# Ids of the jobs in the shared server's fixtures.
FULL_ID = "b7q2k9x4m1z8"       # every member set, {"jobs": [...]} file
MINIMAL_ID = "m1n2m4l5j6b7"    # only the required members and a status (served as written)
PRECISION_ID = "p4r3c1s10n00"  # timestamps of several precisions / offsets
EU_ID = "u4c7m2x9r5v1"         # eu-west-1, another account, single-job file
CN_ID = "c9n8p7q6r5s4"         # aws-cn partition
UNKNOWN_ID = "zzzzzzzzzzzz"    # well-formed, not in the fixtures
EU_ACCOUNT = "210987654321"


def _shared_jobs() -> dict[str, Any]:
    full = make_job(
        FULL_ID,
        message="Zeile 1842 in “records.jsonl” ist kein gültiges JSON-Objekt: expected \"recordId\" \\ tab\there\n"
                "second line ✓",
        totalRecordCount=5_000_000_000,  # a long, beyond 32 bits
        errorRecordCount=0,
    )
    minimal = {
        "jobArn": job_arn(MINIMAL_ID),
        "jobName": "minimal-job",
        "modelId": "amazon.nova-lite-v1:0",
        "roleArn": ROLE_ARN,
        "status": "Scheduled",
        "submitTime": "2026-03-01T11:15:53.904Z",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://acme-bedrock-batch-input"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://acme-bedrock-batch-output/out/"}},
    }
    precision = make_job(
        PRECISION_ID,
        omit=("endTime",),
        status="InProgress",
        submitTime="2026-03-01T10:00:00.123456+00:00",
        lastModifiedTime="2026-03-01T10:00:00Z",
        jobExpirationTime="2026-03-02T12:00:00.5+02:00",
        ResponseMetadata={"RequestId": "0e4b2f1c-1111-4c1d-9e9e-000000000000", "HTTPStatusCode": 200},
    )
    eu = make_job(EU_ID, region="eu-west-1", account=EU_ACCOUNT, omit=("vpcConfig", "message"),
                  status="Completed", jobName="kundenanfragen-klassifizierung",
                  modelId="eu.anthropic.claude-3-haiku-20240307-v1:0",
                  submitTime="2026-02-26T07:12:40Z", lastModifiedTime="2026-02-26T09:58:03.517Z",
                  endTime="2026-02-26T09:58:03.517Z", jobExpirationTime="2026-02-28T07:12:40Z")
    cn = make_job(CN_ID, region="cn-north-1", partition="aws-cn", omit=("vpcConfig",), status="Failed",
                  modelInvocationType="InvokeModel", timeoutDurationInHours=168)
    return {
        "batch.json": {"jobs": [full, minimal, precision, cn]},
        "eu-west-1.json": eu,
    }


@pytest.fixture(scope="session")
def shared_fixture_files() -> dict[str, Any]:
    return _shared_jobs()


@pytest.fixture(scope="session")
def shared_jobs(shared_fixture_files) -> dict[str, dict[str, Any]]:
    """id -> the job exactly as written in the fixture file."""
    jobs = {}
    for content in shared_fixture_files.values():
        for job in content["jobs"] if "jobs" in content else [content]:
            jobs[job_id_of(job)] = job
    return jobs


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory, shared_fixture_files, aws_env) -> Server:
    """One server for the read-only tests, default (info) log level."""
    directory = write_fixtures(tmp_path_factory.mktemp("shared"), shared_fixture_files)
    server = start_server(directory)
    yield server
    server.assert_clean_stop(signal.SIGTERM)


@pytest.fixture(scope="session")
def client(shared_server):
    return make_client(shared_server.url)


@pytest.fixture
def request_log(client):
    """Requests sent by `client` during one test."""
    log = RequestLog(client)
    yield log
    client.meta.events.unregister("before-send.bedrock.GetModelInvocationJob", log._record)


@pytest.fixture(scope="session")
def identifier_pattern(client) -> str:
    return client.meta.service_model.shape_for("ModelInvocationJobIdentifier").metadata["pattern"]


# What the server must put on the wire for each fixture timestamp: UTC, `Z`, the fixture's precision.
SERVED_TIMESTAMPS = {
    FULL_ID: {
        "submitTime": "2026-02-27T08:30:12.457Z",
        "lastModifiedTime": "2026-02-28T08:30:13.902Z",
        "endTime": "2026-02-28T08:30:13.902Z",
        "jobExpirationTime": "2026-02-28T08:30:12.457Z",
    },
    PRECISION_ID: {
        "submitTime": "2026-03-01T10:00:00.123456Z",      # fixture: ...123456+00:00
        "lastModifiedTime": "2026-03-01T10:00:00Z",        # fixture: whole seconds
        "jobExpirationTime": "2026-03-02T10:00:00.5Z",     # fixture: 12:00:00.5+02:00
    },
    EU_ID: {
        "submitTime": "2026-02-26T07:12:40Z",
        "lastModifiedTime": "2026-02-26T09:58:03.517Z",
        "endTime": "2026-02-26T09:58:03.517Z",
        "jobExpirationTime": "2026-02-28T07:12:40Z",
    },
}


def wire_job(job: dict) -> dict:
    """The fixture job as a client should receive it: ResponseMetadata dropped (the loader ignores it)."""
    return {k: v for k, v in job.items() if k != "ResponseMetadata"}


# --------------------------------------------------------------------------- expected AWS messages


def not_found_message(identifier: str) -> str:
    return f"Could not find the model invocation job '{identifier}'."


def validation_message(identifier: str, pattern: str) -> str:
    items = []
    if len(identifier) > 1011:
        items.append(f"Value '{identifier}' at 'jobIdentifier' failed to satisfy constraint: "
                     "Member must have length less than or equal to 1011")
    items.append(f"Value '{identifier}' at 'jobIdentifier' failed to satisfy constraint: "
                 f"Member must satisfy regular expression pattern: {pattern}")
    noun = "error" if len(items) == 1 else "errors"
    return f"{len(items)} validation {noun} detected: " + "; ".join(items)


# --------------------------------------------------------------------------- admin API, journal, backoff


def admin(server_or_url: Any, path: str, body: Any = None, method: str | None = None) -> Any:
    """Calls the admin API (`/_mock/...`) and returns its JSON; anything but 200 fails the test."""
    url = server_or_url if isinstance(server_or_url, str) else server_or_url.url
    data = None if body is None else json.dumps(body).encode()
    result = http(url, path, method=method or ("GET" if body is None else "POST"), body=data)
    assert result.status == 200, (path, result.status, result.body)
    return result.json()


def reset(server_or_url: Any) -> dict:
    return admin(server_or_url, "/_mock/reset", {})


def advance(server_or_url: Any, duration: str) -> dict:
    """Moves the virtual clock on, e.g. advance(server, "1m")."""
    return admin(server_or_url, "/_mock/clock", {"advance": duration})


def clock_now(server_or_url: Any) -> str:
    return admin(server_or_url, "/_mock/clock")["now"]


def journal(server_or_url: Any) -> list[dict]:
    return admin(server_or_url, "/_mock/requests")["requests"]


def add_fault(server_or_url: Any, rule: dict) -> dict:
    return admin(server_or_url, "/_mock/faults", rule)


def parse_time(text: str):
    """An ISO 8601 instant as served (`...Z`) to an aware datetime."""
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class RecordedSleep:
    """Stands in for the time module botocore's retry loop sleeps with: backoffs are recorded, not slept."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture
def backoff(monkeypatch) -> RecordedSleep:
    """boto3's retry backoffs are recorded instead of slept."""
    import botocore.endpoint
    recorded = RecordedSleep()
    monkeypatch.setattr(botocore.endpoint, "time", recorded)
    return recorded


# --------------------------------------------------------------------------- Create requests and the AWS CLI

MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
JOB_ARN_RE = re.compile(r"arn:(aws|aws-cn|aws-us-gov):bedrock:([a-z0-9-]{1,20}):([0-9]{12}):model-invocation-job/([a-z0-9]{12})")
JOB_STATUSES = ["Submitted", "Validating", "Scheduled", "InProgress", "Stopping",
                "Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"]
ACTIVE_STATUSES = ["Submitted", "Validating", "Scheduled", "InProgress"]
TERMINAL_STATUSES = ["Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"]


def create_params(job_name: str = "nightly-summaries", **overrides: Any) -> dict[str, Any]:
    """A valid CreateModelInvocationJob request (the required members), with `overrides` (wire names)."""
    params: dict[str, Any] = {
        "jobName": job_name,
        "roleArn": ROLE_ARN,
        "modelId": MODEL_ID,
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/input/records.jsonl"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/output/"}},
    }
    params.update(copy.deepcopy(overrides))
    return params


def run_aws(url: str | None, *args: str, region: str | None = REGION, access_key: str = ACCESS_KEY,
            env: Mapping[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs the AWS CLI v1 (`aws ...`) against `url` with a clean configuration (AWS_CONFIG_FILE=/dev/null)."""
    assert AWS_CLI.is_file(), f"AWS CLI not installed at {AWS_CLI}"
    command = [sys.executable, str(AWS_CLI), *args]
    if url is not None:
        command += ["--endpoint-url", url]
    if region is not None:
        command += ["--region", region]
    extra = {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
             "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, env=child_env(extra), timeout=timeout,
                          stdin=subprocess.DEVNULL)


def model_pattern(shape: str) -> str:
    """A shape's pattern as botocore's model has it (the text AWS quotes in validation messages)."""
    return _MODEL.shape_for(shape).metadata["pattern"]


def one_violation(value: str, path: str, rule: str) -> str:
    return f"1 validation error detected: {violation(value, path, rule)}"


def violation(value: str | None, path: str, rule: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {rule}"


def violations(*items: str) -> str:
    noun = "error" if len(items) == 1 else "errors"
    return f"{len(items)} validation {noun} detected: " + "; ".join(items)


_MODEL = botocore.session.Session().get_service_model("bedrock")


def expect_error(call, code: str, status: int, message: str | None = None, **kwargs: Any):
    """Calls `call(**kwargs)` expecting the AWS error `code` with HTTP `status` (and `message`), answered
    after one attempt; returns the ClientError."""
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value
    assert error.response["Error"]["Code"] == code, error.response["Error"]
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error.response["ResponseMetadata"]["RetryAttempts"] == 0
    if message is not None:
        assert error.response["Error"]["Message"] == message
    return error


def resource_not_found_message(arn: str) -> str:
    return f"The resource '{arn}' was not found."


def list_all(client, **params: Any) -> list[dict]:
    """Every summary ListModelInvocationJobs gives, through botocore's paginator."""
    paginator = client.get_paginator("list_model_invocation_jobs")
    return [summary for page in paginator.paginate(**params) for summary in page["invocationJobSummaries"]]
