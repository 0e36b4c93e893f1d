"""Finding the server binary and turning keywords into its flags."""

from __future__ import annotations

import math
import numbers
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ._errors import BinaryNotFoundError

# Keywords of MockBedrock(...) that are not server flags.
_OWN_KEYWORDS = frozenset({"binary", "fixtures", "env", "args", "startup_timeout", "admin_timeout"})
ENV_BINARY = "MOCK_BEDROCK_BIN"
BUNDLED_BINARY = Path(__file__).resolve().parent / "bin" / "mock-bedrock"

PathLike = Union[str, "os.PathLike[str]"]
Duration = Union[str, int, float, timedelta]
JobRef = Union[str, Mapping[str, Any]]

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


def flag_arg(name: str, value: str) -> str:
    """`--name=value`, one argument: a value starting with `-` (`-dash s3`, `-1`) is never taken for
    a flag of its own, as `--name value` would be."""
    return f"{name}={value}"


def flags_to_args(flags: Mapping[str, Any]) -> List[str]:
    """Keyword arguments to command-line flags: True -> the bare flag, None/False -> nothing,
    a list or tuple -> the flag repeated, anything else -> `--flag=str(value)`."""
    args: List[str] = []
    for keyword, value in flags.items():
        name = flag_name(keyword)
        if value is None or value is False:
            continue
        if value is True:
            args.append(name)
        elif isinstance(value, (list, tuple)):
            args += [flag_arg(name, _flag_value(item)) for item in value]
        else:
            args.append(flag_arg(name, _flag_value(value)))
    return args


def _flag_value(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError("a list of flag values cannot hold True/False")
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, timedelta):
        # The server's durations in flags are whole seconds (--idle-timeout 5, not 5.0).
        seconds = value.total_seconds()
        return str(int(seconds)) if seconds == int(seconds) else str(seconds)
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


# The variables that make libcurl (the server's S3 client, webhook and EventBridge sinks) send a
# request through a proxy, in either case; a proxy cannot reach the test's loopback servers.
PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy"})


def _child_env(extra: Optional[Mapping[str, str]]) -> Dict[str, str]:
    """The host's environment less AWS_* and MOCK_BEDROCK_* (they would change what the server does)
    and the proxy variables (they would send its S3, webhook and EventBridge requests to the host's
    proxy, which cannot reach loopback), plus what the caller passes explicitly."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "MOCK_BEDROCK_")) and k.lower() not in PROXY_VARIABLES}
    env.update(extra or {})
    return env


# --------------------------------------------------------------------------- time

def _seconds(value: Any, what: str, *, zero: bool = True) -> float:
    """A timeout or duration in seconds: a real number (not a bool), finite, 0 or more (more than 0
    when `zero` is False). NaN, infinities and negatives are a ValueError, other types a TypeError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} is a number of seconds, not {value!r}")
    seconds = float(value)
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0 or (seconds == 0 and not zero):
        bound = "0 or more" if zero else "more than 0"
        raise ValueError(f"{what} must be a finite number of seconds, {bound}: not {value!r}")
    return seconds


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
