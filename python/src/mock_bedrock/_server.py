"""The server process, and what a test holds of it: MockBedrock and MockBedrockScope.

Only the standard library and boto3 (imported when a client is first asked for)."""

from __future__ import annotations

import atexit
import json
import os
import re
import shlex
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

if TYPE_CHECKING:  # boto3 is imported on first use: importing the package (and the plugin) stays cheap.
    from botocore.client import BaseClient

from ._admin import Clock, _Admin, _parse_time
from ._errors import MockBedrockConnectionError, MockBedrockTimeoutError, ServerStartError
from ._events import events as _events, wait_for_event as _wait_for_event
from ._faults import Faults
from ._jobs import Jobs
from ._process import PathLike, _arg_value, _child_env, _seconds, find_binary, flag_arg, flag_name, flags_to_args

READY_LINE = re.compile(r"mock-bedrock listening on (http://\S+)")
DEFAULT_REGION = "us-east-1"
# How long an admin call without a timeout of its own (all but wait_for_event) waits for its answer.
DEFAULT_ADMIN_TIMEOUT = 30.0


class _Surface:
    """What a MockBedrock and a MockBedrockScope share: the server's admin API, and clients and data
    helpers for a default account and region."""

    _core: "MockBedrock"
    _account: Optional[str]
    _region: str

    @property
    def endpoint_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return self._core._endpoint()

    @property
    def port(self) -> int:
        return int(urllib.parse.urlsplit(self.endpoint_url).port or 0)

    @property
    def clock(self) -> Clock:
        return self._core._clock

    @property
    def faults(self) -> Faults:
        return self._core._faults

    @property
    def account(self) -> Optional[str]:
        """The account `client()` uses by default (None: the server's `--account-id`)."""
        return self._account

    @property
    def region(self) -> str:
        """The region `client()` uses by default."""
        return self._region

    def client(self, service: str = "bedrock", region: Optional[str] = None, account: Optional[str] = None, *,
               credentials: Optional[Tuple[str, ...]] = None, **config: Any) -> "BaseClient":
        """A boto3 client of this server. The mock takes a 12-digit access key id as the caller's
        account, so `account="111122223333"` is the access key id (with a dummy secret); `region` is
        the SigV4 region, the caller's. `credentials=(key, secret[, token])` instead, for
        `verify_sigv4`. Other keywords are botocore Config options (`retries=...`, `read_timeout=...`)."""
        from botocore.config import Config

        region = region or self._region
        token = None
        if credentials is not None:
            if account is not None:
                raise ValueError("give either account or credentials, not both")
            key, secret = credentials[0], credentials[1]
            token = credentials[2] if len(credentials) > 2 else None
        elif account is not None or self._account is not None:
            account = account if account is not None else self._account
            assert account is not None
            if not re.fullmatch(r"[0-9]{12}", account):
                raise ValueError(f"an account is 12 digits, not {account!r}")
            key, secret = account, "mock-bedrock"
        else:
            key, secret = "mock-bedrock-test", "mock-bedrock"
        # The server is on loopback: never through a proxy the host's HTTP_PROXY names.
        config.setdefault("proxies", {})
        return self._core._boto3_session().client(
            service, endpoint_url=self.endpoint_url, region_name=region, aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token=token, config=Config(**config),
        )

    def requests(self) -> List[Dict[str, Any]]:
        """The request journal (GET /_mock/requests), oldest first; admin calls are not in it."""
        return list(self._core._admin.call("GET", "/_mock/requests")["requests"])

    def clear_requests(self) -> None:
        """DELETE /_mock/requests."""
        self._core._admin.call("DELETE", "/_mock/requests")

    def reset(self) -> datetime:
        """POST /_mock/reset: the jobs as loaded, the clock at its start time and rate, only the
        fixtures' fault rules, full quotas, an empty journal. Answers the clock's time."""
        return _parse_time(self._core._admin.call("POST", "/_mock/reset", {})["now"])

    def events(self, job: Any = None, status: Any = None) -> List[Dict[str, Any]]:
        """The lifecycle events kept (GET /_mock/events), oldest first, each AWS's "Batch Inference
        Job State Change" event; `job` an id, ARN or a Create's or Get's answer, `status` one or several."""
        return _events(self._core._admin, job, status)

    def wait_for_event(self, job: Any, status: Any, timeout: float = 60.0) -> Dict[str, Any]:
        """Waits (a long poll on GET /_mock/events, no sleeping) until `job` has an event with
        `status` (a status, or several), and answers it; TimeoutError after `timeout` seconds, also
        when the server does not answer then (MockBedrockTimeoutError, a TimeoutError too)."""
        return _wait_for_event(self._core._admin, job, status, timeout)

    def stats(self) -> Dict[str, Any]:
        """GET /_mock/stats: answers, errors, connections, events."""
        return dict(self._core._admin.call("GET", "/_mock/stats"))

    def health(self) -> Dict[str, Any]:
        """GET /_mock/health: `{"status": "ok", "jobs": N}`."""
        return dict(self._core._admin.call("GET", "/_mock/health"))


class MockBedrockScope(_Surface):
    """A running MockBedrock seen from one account and region: `client()` and `jobs` default to them.
    Everything else (clock, faults, journal, reset) is the whole server's. The pytest plugin's
    `bedrock` fixture is one of these."""

    def __init__(self, server: "MockBedrock", *, account: Optional[str] = None, region: Optional[str] = None) -> None:
        if account is not None and not re.fullmatch(r"[0-9]{12}", account):
            raise ValueError(f"an account is 12 digits, not {account!r}")
        self._core = server
        self._account = account
        self._region = region or server.region
        self.jobs = Jobs(self)

    @property
    def server(self) -> "MockBedrock":
        """The MockBedrock this scope belongs to."""
        return self._core

    def __repr__(self) -> str:
        return f"<mock_bedrock.MockBedrockScope account={self._account} region={self._region} of {self._core!r}>"


class MockBedrock(_Surface):
    """A mock-bedrock server process on a free loopback port.

    `MockBedrock(binary=None, *, fixtures=None, env=None, args=(), startup_timeout=15.0, admin_timeout=30.0,
    **flags)`:
    every server flag is a keyword (`clock_rate=0` is `--clock-rate=0`, `verify_sigv4=True` is
    `--verify-sigv4`, a list repeats the flag, None/False leave it out; a value is always passed as
    `--flag=value`, so one starting with `-` stays a value); `args` are raw arguments added after them. `fixtures` is a fixture directory or file, a dict or list of jobs (written to a
    temporary file), or None for no fixtures at all. `env` adds variables to the server's
    environment, which otherwise has none of the host's AWS_*, MOCK_BEDROCK_* and proxy variables.
    `admin_timeout` is how long an admin call waits for its answer (wait_for_event: its own timeout).

        with MockBedrock(clock_rate=0) as mock:
            bedrock = mock.client()
            mock.clock.advance("2h")
    """

    def __init__(self, binary: Optional[PathLike] = None, *, fixtures: Union[PathLike, Mapping[str, Any], Sequence[Any], None] = None,
                 env: Optional[Mapping[str, str]] = None, args: Sequence[str] = (), startup_timeout: float = 15.0,
                 admin_timeout: float = DEFAULT_ADMIN_TIMEOUT, **flags: Any) -> None:
        self._binary_arg = binary
        self._fixtures = fixtures
        self._env = dict(env or {})
        self._raw_args = [str(arg) for arg in args]
        self._flags = dict(flags)
        self.startup_timeout = startup_timeout
        self.admin_timeout = admin_timeout
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._url: Optional[str] = None
        self._tempdir: Optional[tempfile.TemporaryDirectory[str]] = None
        self._stdout_path: Optional[Path] = None
        self._stderr_path: Optional[Path] = None
        self._stderr_text = ""
        self._session: Any = None
        self.returncode: Optional[int] = None
        self.binary: Optional[Path] = None

        self._core = self
        self._account = None
        self._region = str(self._setting("region") or DEFAULT_REGION)
        s3_dir = self._setting("s3_dir")
        self._s3_dir = Path(s3_dir).resolve() if s3_dir else None
        self._s3_endpoint = self._setting("s3_endpoint") or None
        token = self._setting("admin_token")
        self.admin_token: Optional[str] = str(token) if token else None
        self._admin = _Admin(self)
        self._clock = Clock(self._admin)
        self._faults = Faults(self._admin)
        self.jobs = Jobs(self)

    # -- configuration

    def _setting(self, keyword: str) -> Any:
        """A flag's value from the raw args (they come last, so they win) or the keywords."""
        raw = _arg_value(self._raw_args, flag_name(keyword))
        if raw is not None:
            return raw
        value = self._flags.get(keyword)
        return None if value is False else value

    def command(self) -> List[str]:
        """The server's arguments (without the binary): host and port, fixtures, flags, raw args."""
        args: List[str] = []
        given = {kw for kw, value in self._flags.items() if value is not None and value is not False}
        given |= {kw for kw in ("host", "port", "fixtures") if _arg_value(self._raw_args, flag_name(kw)) is not None}
        if "host" not in given:
            args.append(flag_arg("--host", "127.0.0.1"))
        if "port" not in given:
            args.append(flag_arg("--port", "0"))
        if "fixtures" not in given:
            args.append(flag_arg("--fixtures", self._fixtures_path()))
        return args + flags_to_args(self._flags) + self._raw_args

    def _fixtures_path(self) -> str:
        fixtures = self._fixtures
        if isinstance(fixtures, (str, os.PathLike)):
            return os.fspath(fixtures)
        folder = Path(self._temp()) / "fixtures"
        folder.mkdir(exist_ok=True)
        if isinstance(fixtures, Mapping):  # a fixture file's content: {"jobs": [...]} or one job
            (folder / "fixtures.json").write_text(json.dumps(dict(fixtures)), encoding="utf-8")
        elif fixtures is not None:
            (folder / "fixtures.json").write_text(json.dumps({"jobs": list(fixtures)}), encoding="utf-8")
        return str(folder)

    def _temp(self) -> str:
        if self._tempdir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="mock-bedrock-")
        return self._tempdir.name

    @property
    def region(self) -> str:
        """The default region of `client()` (`region=` flag, else us-east-1)."""
        return self._region

    @property
    def startup_timeout(self) -> float:
        """Seconds `start()` waits for the ready line (default 15)."""
        return self._startup_timeout

    @startup_timeout.setter
    def startup_timeout(self, seconds: float) -> None:
        self._startup_timeout = _seconds(seconds, "startup_timeout")

    @property
    def admin_timeout(self) -> float:
        """Seconds an admin call without a timeout of its own waits for its answer before a
        MockBedrockTimeoutError (default 30); `wait_for_event` follows its own `timeout`."""
        return self._admin_timeout

    @admin_timeout.setter
    def admin_timeout(self, seconds: float) -> None:
        self._admin_timeout = _seconds(seconds, "admin_timeout", zero=False)

    # -- the process

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> Optional[int]:
        return None if self._process is None else self._process.pid

    def unreachable_message(self, reason: Any) -> str:
        """Why the server did not answer, for an error: its exit code and the end of its log."""
        if self.running:
            return f"mock-bedrock at {self._url} did not answer: {reason}"
        code = self._process.poll() if self._process is not None else self.returncode
        return f"mock-bedrock is not running (exit code {code}): {reason}\n{self._log_tail()}"

    def _log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def _no_answer(self, what: str, reason: Any, *, exception: Optional[BaseException] = None,
                   timed_out: bool = False, grace: float = 0.5) -> MockBedrockConnectionError:
        """The error of an admin call (`what`: "GET /_mock/health") that got no complete answer. A
        server that closed the connection is given `grace` seconds to be seen exiting, so that a
        crash is reported as one, with its exit code and the end of its log; a timeout waits no more."""
        process = self._process
        if process is not None and process.poll() is None and grace > 0 and not timed_out:
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        error_class = MockBedrockTimeoutError if timed_out else MockBedrockConnectionError
        cause = exception if exception is not None else reason if isinstance(reason, BaseException) else None
        if self.running:
            return error_class(f"mock-bedrock at {self._url} did not answer {what}: {reason}", reason=cause)
        code = process.poll() if process is not None else self.returncode
        tail = self._log_tail()
        return error_class(f"mock-bedrock is not running (exit code {code}): {what} got no complete answer: {reason}\n{tail}",
                           returncode=code, log_tail=tail, reason=cause)

    def _endpoint(self) -> str:
        if self._url is None:
            raise RuntimeError("the mock-bedrock server is not started: call start() or use `with MockBedrock(...)`")
        return self._url

    def start(self) -> "MockBedrock":
        """Starts the server and waits (up to `startup_timeout` seconds) for its ready line."""
        if self._process is not None:
            return self
        self.binary = find_binary(self._binary_arg)
        command = [str(self.binary)] + self.command()
        temp = Path(self._temp())
        self._stdout_path = temp / "stdout"
        self._stderr_path = temp / "stderr"
        try:
            with open(self._stdout_path, "wb") as stdout, open(self._stderr_path, "wb") as stderr:
                # stdin is a pipe this process holds and never writes: when it exits, however it
                # exits (a crash, SIGKILL, a CI timeout), the pipe closes and the server stops
                # (--exit-on-stdin-close), where atexit alone would leave it running.
                self._process = subprocess.Popen(command + ["--exit-on-stdin-close"], stdin=subprocess.PIPE, stdout=stdout,
                                                 stderr=stderr, env=_child_env(self._env))
        except OSError:
            self._cleanup(None)
            raise
        atexit.register(self.stop)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            match = READY_LINE.search(self._stdout_path.read_text("utf-8", "replace"))
            if match:
                url = match.group(1)
                for wildcard in ("//0.0.0.0:", "//[::]:"):
                    url = url.replace(wildcard, "//127.0.0.1:")
                self._url = url
                return self
            code = self._process.poll()
            if code is not None:
                stderr_text = self.log()
                self._cleanup(code)
                raise ServerStartError(
                    f"mock-bedrock exited with code {code} before it was ready: {shlex.join(command)}\n{stderr_text}",
                    returncode=code, stderr=stderr_text)
            if time.monotonic() > deadline:
                stderr_text = self.log()
                self.stop()
                raise ServerStartError(
                    f"mock-bedrock printed no ready line within {self.startup_timeout} s: {shlex.join(command)}\n{stderr_text}",
                    returncode=self.returncode, stderr=stderr_text)
            time.sleep(0.01)

    def stop(self, timeout: float = 5.0) -> Optional[int]:
        """SIGTERM, up to `timeout` seconds, then SIGKILL. Idempotent; also run at interpreter exit.
        Answers the exit code (negative: the signal that ended it)."""
        timeout = _seconds(timeout, "timeout")
        process = self._process
        if process is None:
            if self._tempdir is not None:
                self._tempdir.cleanup()
                self._tempdir = None
            return self.returncode
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdin is not None:
            process.stdin.close()
        self._stderr_text = self.log()
        self._cleanup(process.returncode)
        return self.returncode

    def _cleanup(self, code: Optional[int]) -> None:
        self.returncode = code
        self._process = None
        self._url = None
        atexit.unregister(self.stop)
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None
        self._stdout_path = self._stderr_path = None

    def log(self) -> str:
        """What the server wrote to stderr (its access log at `--log-level info`)."""
        if self._stderr_path is not None and self._stderr_path.exists():
            return self._stderr_path.read_text("utf-8", "replace")
        return self._stderr_text

    def _boto3_session(self) -> Any:
        if self._session is None:
            import boto3

            import botocore.session

            # The clients take their keys and region from here, never from the host's AWS_PROFILE or
            # config files (a profile that does not exist would break every call).
            isolated = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
            self._session = boto3.session.Session(botocore_session=isolated)
        return self._session

    def scope(self, *, account: Optional[str] = None, region: Optional[str] = None) -> MockBedrockScope:
        """This server seen from `account` and `region`: their `client()` and `jobs` default to them."""
        return MockBedrockScope(self, account=account, region=region)

    def __enter__(self) -> "MockBedrock":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self._url if self._url else ("stopped" if self.returncode is not None else "not started")
        return f"<mock_bedrock.MockBedrock {state}>"
