"""The server process, its admin API and the data-plane helpers.

Only the standard library and boto3 (imported when a client is first asked for)."""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

if TYPE_CHECKING:  # boto3 is imported on first use: importing the package (and the plugin) stays cheap.
    from botocore.client import BaseClient

__all__ = [
    "BinaryNotFoundError",
    "Clock",
    "FaultRule",
    "Faults",
    "Jobs",
    "MockBedrock",
    "MockBedrockError",
    "MockBedrockScope",
    "ServerStartError",
]

ENV_BINARY = "MOCK_BEDROCK_BIN"
BUNDLED_BINARY = Path(__file__).resolve().parent / "bin" / "mock-bedrock"
READY_LINE = re.compile(r"mock-bedrock listening on (http://\S+)")
DEFAULT_REGION = "us-east-1"
FINISHED_WITH_RESULTS = ("Completed", "PartiallyCompleted", "Stopped")
JOB_ARN = re.compile(r"^arn:[a-z-]+:bedrock:([a-z0-9-]+):([0-9]{12}):model-invocation-job/([a-z0-9]{12})$")

# Keywords of MockBedrock(...) that are not server flags.
_OWN_KEYWORDS = frozenset({"binary", "fixtures", "env", "args", "startup_timeout"})

PathLike = Union[str, "os.PathLike[str]"]
Duration = Union[str, int, float, timedelta]
JobRef = Union[str, Mapping[str, Any]]


class MockBedrockError(Exception):
    """The admin API answered an error: `status` is the HTTP status, `message` the server's message."""

    def __init__(self, status: Optional[int], message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return self.message if self.status is None else f"{self.status}: {self.message}"


class BinaryNotFoundError(MockBedrockError, FileNotFoundError):
    """No mock-bedrock binary in any of the places looked at."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class ServerStartError(MockBedrockError, RuntimeError):
    """The server exited (or said nothing) before its ready line; `stderr` is what it wrote."""

    def __init__(self, message: str, *, returncode: Optional[int], stderr: str) -> None:
        super().__init__(None, message)
        self.returncode = returncode
        self.stderr = stderr


# --------------------------------------------------------------------------- the binary and the flags


def find_binary(binary: Optional[PathLike] = None, *, environ: Optional[Mapping[str, str]] = None) -> Path:
    """The server binary: `binary`, else the one bundled in the package (platform wheels), else
    $MOCK_BEDROCK_BIN (of `environ`, default os.environ), else `mock-bedrock` on PATH."""
    looked: List[str] = []
    environ = os.environ if environ is None else environ

    def usable(candidate: Path) -> bool:
        return candidate.is_file() and os.access(candidate, os.X_OK)

    if binary is not None:
        given = Path(os.fspath(binary))
        if usable(given):
            return given.resolve()
        on_path = shutil.which(os.fspath(binary)) if os.sep not in os.fspath(binary) else None
        if on_path:
            return Path(on_path)
        raise BinaryNotFoundError(f"mock-bedrock binary not found: {os.fspath(binary)!r} is not an executable file")
    if usable(BUNDLED_BINARY):
        return BUNDLED_BINARY
    looked.append(f"the package's own {BUNDLED_BINARY} (only in the Linux x86_64 wheel): absent")
    from_env = environ.get(ENV_BINARY)
    if from_env:
        if usable(Path(from_env)):
            return Path(from_env).resolve()
        looked.append(f"${ENV_BINARY}={from_env}: not an executable file")
    else:
        looked.append(f"${ENV_BINARY}: not set")
    on_path = shutil.which("mock-bedrock", path=environ.get("PATH"))
    if on_path:
        return Path(on_path)
    looked.append("`mock-bedrock` on PATH: not found")
    raise BinaryNotFoundError(
        "mock-bedrock binary not found. Looked at: the `binary` argument (none given); "
        + "; ".join(looked)
        + ". Install the platform wheel, set MOCK_BEDROCK_BIN, or pass binary=..."
    )


def flag_name(keyword: str) -> str:
    """`clock_rate` -> `--clock-rate`."""
    return "--" + keyword.replace("_", "-")


def flags_to_args(flags: Mapping[str, Any]) -> List[str]:
    """Keyword arguments to command-line flags: True -> the bare flag, None/False -> nothing,
    a list or tuple -> the flag repeated, anything else -> `--flag str(value)`."""
    args: List[str] = []
    for keyword, value in flags.items():
        name = flag_name(keyword)
        if value is None or value is False:
            continue
        if value is True:
            args.append(name)
        elif isinstance(value, (list, tuple)):
            for item in value:
                args += [name, _flag_value(item)]
        else:
            args += [name, _flag_value(value)]
    return args


def _flag_value(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError("a list of flag values cannot hold True/False")
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, timedelta):
        return str(value.total_seconds())
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def _arg_value(args: Sequence[str], name: str) -> Optional[str]:
    """The last value of `--name V` or `--name=V` in raw arguments, "" for a bare flag, None when absent."""
    found: Optional[str] = None
    for i, arg in enumerate(args):
        if arg == name:
            found = args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("--") else ""
        elif arg.startswith(name + "="):
            found = arg[len(name) + 1 :]
    return found


def _child_env(extra: Optional[Mapping[str, str]]) -> Dict[str, str]:
    """The host's environment less AWS_* and MOCK_BEDROCK_* (they would change what the server does),
    plus what the caller passes explicitly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOCK_BEDROCK_"))}
    env.update(extra or {})
    return env


# --------------------------------------------------------------------------- time


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse_time(text: str) -> datetime:
    """The server's `2026-03-01T10:00:00.000Z` (Python 3.9's fromisoformat takes no `Z`)."""
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _duration(by: Duration) -> str:
    """`"2h"` as is; seconds (a number or a timedelta) as whole milliseconds."""
    if isinstance(by, str):
        return by
    if isinstance(by, bool):
        raise TypeError("a duration is a string such as '2h', a number of seconds, or a timedelta")
    seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
    if seconds < 0:
        raise ValueError(f"the mock clock never goes back: cannot advance by {seconds} seconds")
    return f"{round(seconds * 1000)}ms"


# --------------------------------------------------------------------------- the admin API


class _Admin:
    """JSON over HTTP to /_mock/ with urllib, never through a proxy."""

    def __init__(self, server: "MockBedrock") -> None:
        self._server = server
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None) -> Any:
        url = self._server.endpoint_url + path
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        token = self._server.admin_token
        if token:
            request.add_header("x-mock-admin-token", token)
        try:
            with self._opener.open(request, timeout=60) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            message = raw.decode("utf-8", "replace").strip() or error.reason
            try:
                message = json.loads(raw)["message"]
            except (ValueError, KeyError, TypeError):
                pass
            raise MockBedrockError(error.code, str(message)) from None
        return json.loads(raw) if raw.strip() else {}


class Clock:
    """The server's virtual clock (GET/POST /_mock/clock)."""

    def __init__(self, admin: _Admin) -> None:
        self._admin = admin

    def get(self) -> Dict[str, Any]:
        """The clock as the server answers it: `{"now": "...Z", "rate": R}`."""
        return dict(self._admin.call("GET", "/_mock/clock"))

    @property
    def now(self) -> datetime:
        """The clock's time, a UTC-aware datetime."""
        return _parse_time(self.get()["now"])

    @property
    def rate(self) -> float:
        """Simulated seconds per real second (0: frozen)."""
        return float(self.get()["rate"])

    @rate.setter
    def rate(self, rate: float) -> None:
        self.set_rate(rate)

    def update(self, *, set: Union[datetime, str, None] = None, advance: Optional[Duration] = None,
               rate: Optional[float] = None) -> datetime:
        """One POST /_mock/clock: the server applies `set`, then `advance`, then `rate`. Answers the new time."""
        body: Dict[str, Any] = {}
        if set is not None:
            body["set"] = set if isinstance(set, str) else _iso(set)
        if advance is not None:
            body["advance"] = _duration(advance)
        if rate is not None:
            body["rate"] = rate
        return _parse_time(self._admin.call("POST", "/_mock/clock", body)["now"])

    def advance(self, by: Duration) -> datetime:
        """Move the clock forward: `"2h"`, `"90m"`, `"1h30m"`, a number of seconds, or a timedelta."""
        return self.update(advance=by)

    def set(self, when: Union[datetime, str]) -> datetime:
        """Move the clock to `when` (a datetime, naive taken as UTC, or an ISO 8601 string); never back."""
        return self.update(set=when)

    def set_rate(self, rate: float) -> datetime:
        return self.update(rate=rate)

    def freeze(self) -> datetime:
        """Rate 0: the clock moves only when the test moves it."""
        return self.update(rate=0)

    def __repr__(self) -> str:
        return f"<mock_bedrock.Clock {self.get()}>"


def _camel(key: str) -> str:
    """`job_id` -> `jobId`, `record_errors` -> `recordErrors`; camelCase keys pass unchanged."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(key: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)


class FaultRule:
    """One fault rule of the server. `fields` holds the rule as the server shows it (camelCase keys);
    the snake_case attributes read them; `fired` and `matched` are read afresh from the server."""

    def __init__(self, admin: _Admin, fields: Mapping[str, Any]) -> None:
        self._admin = admin
        self.fields: Dict[str, Any] = dict(fields)
        self.id: str = str(self.fields["id"])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        fields = self.__dict__.get("fields", {})
        key = _camel(name)
        if key in fields:
            return fields[key]
        if key in _RULE_KEYS:
            return None
        raise AttributeError(f"a fault rule has no {name!r}")

    def refresh(self) -> "FaultRule":
        """Re-read the rule from GET /_mock/faults (MockBedrockError 404 when it is gone)."""
        for rule in self._admin.call("GET", "/_mock/faults")["faults"]:
            if rule.get("id") == self.id:
                self.fields.update(rule)
                return self
        raise MockBedrockError(404, f"No fault rule has the id '{self.id}' (removed, or the server was reset).")

    @property
    def fired(self) -> int:
        """How many requests (or jobs, for a data rule) the rule fired on."""
        return int(self.refresh().fields.get("fired", 0))

    @property
    def matched(self) -> int:
        """How many requests the rule was aimed at."""
        return int(self.refresh().fields.get("matched", 0))

    def remove(self) -> None:
        """DELETE /_mock/faults/{id}."""
        self._admin.call("DELETE", "/_mock/faults/" + urllib.parse.quote(self.id, safe=""))

    def __enter__(self) -> "FaultRule":
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.remove()
        except MockBedrockError as error:
            if error.status != 404:
                raise

    def __repr__(self) -> str:
        return f"<mock_bedrock.FaultRule {self.fields}>"


_RULE_KEYS = frozenset({
    "error", "message", "fault", "delayMs", "operation", "jobId", "status", "times", "after",
    "probability", "seed", "data", "recordErrors", "fired", "matched",
})


class Faults:
    """Fault rules (/_mock/faults): errors, latency, broken connections, and faults of the job data."""

    def __init__(self, admin: _Admin) -> None:
        self._admin = admin

    def add(self, **rule: Any) -> FaultRule:
        """POST /_mock/faults. Keys in snake_case or the server's camelCase: `error`, `message`, `fault`,
        `delay_ms`, `operation`, `job_id`, `status`, `times`, `after`, `probability`, `seed`, and for the
        data `data` ("inputUnreadable", "outputWriteFails") and `record_errors` (a share, 0 to 1)."""
        body = {_camel(key): value for key, value in rule.items() if value is not None}
        answer = self._admin.call("POST", "/_mock/faults", body)
        fields = dict(body)
        fields.update(answer)
        return FaultRule(self._admin, fields)

    def list(self) -> List[FaultRule]:
        """Every rule, the fixtures' first, with `fired` and `matched`."""
        return [FaultRule(self._admin, rule) for rule in self._admin.call("GET", "/_mock/faults")["faults"]]

    def clear(self) -> None:
        """DELETE /_mock/faults: every rule, the fixtures' too (a reset brings those back)."""
        self._admin.call("DELETE", "/_mock/faults")

    def __iter__(self) -> Iterator[FaultRule]:
        return iter(self.list())


# --------------------------------------------------------------------------- the data plane


class Jobs:
    """Where jobs read their input and write their results, for a server with `--s3-dir`."""

    def __init__(self, surface: "_Surface") -> None:
        self._surface = surface

    @property
    def s3_dir(self) -> Optional[Path]:
        """The directory that serves S3 (`--s3-dir`), or None."""
        return self._surface._core._s3_dir

    @property
    def s3_endpoint(self) -> Optional[str]:
        """The S3 endpoint jobs use (`--s3-endpoint`), or None."""
        return self._surface._core._s3_endpoint

    def _directory(self) -> Path:
        s3_dir = self.s3_dir
        if s3_dir is not None:
            return s3_dir
        endpoint = self.s3_endpoint
        if endpoint:
            raise RuntimeError(
                f"this server keeps job data on the S3 endpoint {endpoint}, not in a directory: read and "
                f"write it with an S3 client, e.g. boto3.client('s3', endpoint_url={endpoint!r})"
            )
        raise RuntimeError("this server has no object store: start it with s3_dir=... (--s3-dir) for the data plane")

    def path(self, s3_uri: str) -> Path:
        """The file that serves `s3://bucket/key` (`<s3_dir>/bucket/key`)."""
        parsed = urllib.parse.urlsplit(s3_uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"not an s3://bucket/key URI: {s3_uri!r}")
        key = parsed.path.lstrip("/")
        parts = [part for part in key.split("/") if part]
        if parsed.netloc in (".", "..") or any(part in (".", "..") for part in parts):
            raise ValueError(f"{s3_uri!r} has a '.' or '..' segment")
        target = self._directory() / parsed.netloc
        for part in parts:
            target = target / part
        return target

    def create_bucket(self, bucket: str) -> Path:
        """A bucket is a folder of the S3 directory that must exist; this makes it."""
        folder = self.path(f"s3://{bucket}/")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def write_input(self, s3_uri: str, records: Iterable[Union[Mapping[str, Any], str]]) -> Path:
        """Writes `records` (dicts, each one JSON line; strings as they are) as the JSONL object
        `s3_uri`, making its bucket and folders. Answers the file's path."""
        target = self.path(s3_uri)
        if s3_uri.endswith("/"):
            raise ValueError(f"an input object's URI names a file, not a folder: {s3_uri!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as out:
            for record in records:
                line = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
                out.write(line.rstrip("\n") + "\n")
        return target

    def job(self, job: JobRef) -> Dict[str, Any]:
        """The job: as given when it is a dict (a Get's answer), else GetModelInvocationJob with a
        client of the ARN's account and region (a bare id: this handle's). That Get is a request like
        any other: it is journaled, counts as a poll, and makes the server do due data work."""
        if isinstance(job, Mapping):
            return dict(job)
        match = JOB_ARN.match(job)
        if match:
            client = self._surface.client(region=match.group(1), account=match.group(2))
        else:
            client = self._surface.client()
        answer = dict(client.get_model_invocation_job(jobIdentifier=job))
        answer.pop("ResponseMetadata", None)
        return answer

    def output_dir(self, job: JobRef) -> Path:
        """`<output s3Uri>/<jobId>/` as a path of the S3 directory (it exists once the job has results)."""
        found = self.job(job)
        return self._output_dir_of(found)

    def _output_dir_of(self, job: Mapping[str, Any]) -> Path:
        self._directory()
        uri = job["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"]
        job_id = job["jobArn"].rsplit("/", 1)[-1]
        return self.path(uri.rstrip("/") + "/" + job_id + "/")

    def _results(self, job: JobRef) -> Path:
        found = self.job(job)
        folder = self._output_dir_of(found)
        if not (folder / "manifest.json.out").is_file():
            raise FileNotFoundError(
                f"job {found['jobArn']} has no results at {folder}: it is {found.get('status')}; results are "
                f"written when it ends {', '.join(FINISHED_WITH_RESULTS)} and a request reads it there"
            )
        return folder

    def outputs(self, job: JobRef) -> Dict[str, List[Dict[str, Any]]]:
        """The job's output files: {name below the job folder (`records.jsonl.out`): [parsed lines]}."""
        folder = self._results(job)
        outputs: Dict[str, List[Dict[str, Any]]] = {}
        for file in sorted(folder.rglob("*")):
            name = file.relative_to(folder).as_posix()
            if not file.is_file() or name == "manifest.json.out" or file.name.startswith(".mock-bedrock"):
                continue
            with open(file, encoding="utf-8") as lines:
                outputs[name] = [json.loads(line) for line in lines if line.strip()]
        return outputs

    def manifest(self, job: JobRef) -> Dict[str, Any]:
        """The job's `manifest.json.out`: totalRecordCount, processedRecordCount, ... outputTokenCount."""
        with open(self._results(job) / "manifest.json.out", encoding="utf-8") as manifest:
            return dict(json.load(manifest))


# --------------------------------------------------------------------------- the API both share


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
        return self._core._boto3_session().client(
            service, endpoint_url=self.endpoint_url, region_name=region, aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token=token, config=Config(**config) if config else None,
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

    def stats(self) -> Dict[str, Any]:
        """GET /_mock/stats: answers, errors, connections."""
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

    `MockBedrock(binary=None, *, fixtures=None, env=None, args=(), startup_timeout=15.0, **flags)`:
    every server flag is a keyword (`clock_rate=0` is `--clock-rate 0`, `verify_sigv4=True` is
    `--verify-sigv4`, a list repeats the flag, None/False leave it out); `args` are raw arguments
    added after them. `fixtures` is a fixture directory or file, a dict or list of jobs (written to a
    temporary file), or None for no fixtures at all. `env` adds variables to the server's
    environment, which otherwise has none of the host's AWS_* and MOCK_BEDROCK_* variables.

        with MockBedrock(clock_rate=0) as mock:
            bedrock = mock.client()
            mock.clock.advance("2h")
    """

    def __init__(self, binary: Optional[PathLike] = None, *, fixtures: Union[PathLike, Mapping[str, Any], Sequence[Any], None] = None,
                 env: Optional[Mapping[str, str]] = None, args: Sequence[str] = (), startup_timeout: float = 15.0,
                 **flags: Any) -> None:
        self._binary_arg = binary
        self._fixtures = fixtures
        self._env = dict(env or {})
        self._raw_args = [str(arg) for arg in args]
        self._flags = dict(flags)
        self.startup_timeout = startup_timeout
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
        given = set(self._flags) | {kw for kw in ("host", "port", "fixtures") if _arg_value(self._raw_args, flag_name(kw)) is not None}
        if "host" not in given:
            args += ["--host", "127.0.0.1"]
        if "port" not in given:
            args += ["--port", "0"]
        if "fixtures" not in given:
            args += ["--fixtures", self._fixtures_path()]
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

    # -- the process

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> Optional[int]:
        return None if self._process is None else self._process.pid

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
                self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                                 env=_child_env(self._env))
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
                    f"mock-bedrock exited with code {code} before it was ready: {' '.join(command)}\n{stderr_text}",
                    returncode=code, stderr=stderr_text)
            if time.monotonic() > deadline:
                stderr_text = self.log()
                self.stop()
                raise ServerStartError(
                    f"mock-bedrock printed no ready line within {self.startup_timeout} s: {' '.join(command)}\n{stderr_text}",
                    returncode=self.returncode, stderr=stderr_text)
            time.sleep(0.01)

    def stop(self, timeout: float = 5.0) -> Optional[int]:
        """SIGTERM, up to `timeout` seconds, then SIGKILL. Idempotent; also run at interpreter exit.
        Answers the exit code (negative: the signal that ended it)."""
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

            self._session = boto3.session.Session()
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
