"""The pytest plugin (entry point `pytest11`: `mock_bedrock = "mock_bedrock.plugin"`).

Fixtures:

- `mock_bedrock` (session): one server per test session (under pytest-xdist, per worker: each worker
  is a session of its own), its clock frozen (`--clock-rate 0`), job data in a temporary `--s3-dir`;
- `bedrock` (function): that server reset for this test and seen from an account of the test's own
  (a `MockBedrockScope`): `bedrock.client()` is a boto3 `bedrock` client of that account in us-east-1.

Options: `--mock-bedrock-bin PATH`, `--mock-bedrock-arg ARG` (repeatable, raw server arguments, e.g.
`--mock-bedrock-arg=--clock-start=2026-03-01T10:00:00Z`); ini keys `mock_bedrock_bin` and
`mock_bedrock_args` (one or more arguments a line). Marker: `@pytest.mark.mock_bedrock_clock(start=...,
advance=..., rate=...)`, applied by `bedrock` after the reset.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from ._errors import MockBedrockError
from ._process import _arg_value, find_binary
from ._server import MockBedrock, MockBedrockScope

MARKER = "mock_bedrock_clock"
_ENTRY_POINT_NAME = "mock_bedrock"
_accounts = itertools.count(1)
_OWN_S3_DIR = pytest.StashKey[Optional[Path]]()
_ENVIRON = pytest.StashKey[Dict[str, str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mock-bedrock", "mock-bedrock server for the bedrock fixtures")
    group.addoption("--mock-bedrock-bin", metavar="PATH", default=None,
                    help="the mock-bedrock binary (default: ini mock_bedrock_bin, the one bundled in the "
                         "wheel, $MOCK_BEDROCK_BIN, mock-bedrock on PATH)")
    group.addoption("--mock-bedrock-arg", metavar="ARG", action="append", default=[],
                    help="a raw server argument, repeatable; split like a shell line "
                         "(--mock-bedrock-arg=--clock-start=2026-03-01T10:00:00Z)")
    parser.addini("mock_bedrock_bin", "the mock-bedrock binary for the mock_bedrock fixture", default=None)
    parser.addini("mock_bedrock_args", "raw mock-bedrock server arguments, one or more a line", type="linelist",
                  default=[])


def pytest_configure(config: pytest.Config) -> None:
    # The environment as pytest started: a conftest's session fixture may empty MOCK_BEDROCK_* and
    # PATH entries before the server starts (to keep the host's settings out of its tests).
    config.stash[_ENVIRON] = {name: os.environ[name] for name in ("MOCK_BEDROCK_BIN", "PATH") if name in os.environ}
    config.addinivalue_line(
        "markers",
        f"{MARKER}(start=None, advance=None, rate=None): set the mock-bedrock clock for this test after the "
        "bedrock fixture's reset (start: a datetime or ISO 8601 time, advance: '2h' or seconds, rate: "
        "simulated seconds per real second; the session's clock is frozen by default)",
    )


@pytest.hookimpl
def pytest_plugin_registered(plugin: Any, manager: pytest.PytestPluginManager) -> None:
    """This module is the plugin under two names: the entry point's (`mock_bedrock`, when the package
    is installed) and its module name (`-p mock_bedrock.plugin`, `pytest_plugins = [...]`). pluggy
    refuses to register one module twice, so once it is registered under one name the other is
    blocked, and both ways of loading it can be used together."""
    if plugin is not sys.modules[__name__]:
        return
    plugin_name = manager.get_name(plugin)  # (pytest < 8.1 passes no plugin_name)
    other = __name__ if plugin_name == _ENTRY_POINT_NAME else _ENTRY_POINT_NAME
    if manager.get_plugin(other) is None and not manager.is_blocked(other):
        manager.set_blocked(other)


def _binary(config: pytest.Config) -> Path:
    """--mock-bedrock-bin, else the ini key, else the bundled binary, $MOCK_BEDROCK_BIN, PATH (as the
    process has them now, else as it had them when pytest started)."""
    given: Optional[str] = config.getoption("--mock-bedrock-bin") or None
    ini = config.getini("mock_bedrock_bin")
    if given is None and ini:
        path = Path(str(ini)).expanduser()
        if not path.is_absolute() and os.sep in str(ini) and config.inipath is not None:
            path = config.inipath.parent / path
        given = str(path)
    saved: Optional[Dict[str, str]] = config.stash.get(_ENVIRON, None)
    environ: Dict[str, str] = dict(saved or {})
    environ.update({name: os.environ[name] for name in ("MOCK_BEDROCK_BIN", "PATH") if os.environ.get(name)})
    return find_binary(given, environ=environ)


def _raw_args(config: pytest.Config) -> List[str]:
    args: List[str] = []
    for line in list(config.getini("mock_bedrock_args")) + list(config.getoption("--mock-bedrock-arg") or []):
        args += shlex.split(line)
    return args


@pytest.fixture(scope="session")
def mock_bedrock(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockBedrock]:
    """One mock-bedrock server for the session (for each pytest-xdist worker): no fixtures unless
    `--fixtures` is given, the clock frozen unless `--clock-rate` is, job data in a temporary
    `--s3-dir` unless `--s3-dir` or `--s3-endpoint` is."""
    config = request.config
    args = _raw_args(config)
    flags: Dict[str, Any] = {}
    if _arg_value(args, "--clock-rate") is None:
        flags["clock_rate"] = 0
    if _arg_value(args, "--s3-dir") is None and _arg_value(args, "--s3-endpoint") is None:
        flags["s3_dir"] = tmp_path_factory.mktemp("mock-bedrock-s3")
    server = MockBedrock(_binary(config), args=args, **flags)
    config.stash[_OWN_S3_DIR] = flags.get("s3_dir")  # the plugin's own: emptied before each test
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _worker_number(config: pytest.Config) -> int:
    """0 without pytest-xdist, N + 1 for its worker gwN."""
    worker = getattr(config, "workerinput", {}).get("workerid") or os.environ.get("PYTEST_XDIST_WORKER", "")
    digits = re.sub(r"[^0-9]", "", worker)
    return int(digits) % 999 + 1 if digits else 0


def new_account(config: pytest.Config) -> str:
    """A 12-digit account for one test: 9, the xdist worker (3 digits), a counter (8 digits)."""
    return f"9{_worker_number(config):03d}{next(_accounts) % 10**8:08d}"


@pytest.fixture
def bedrock(request: pytest.FixtureRequest, mock_bedrock: MockBedrock) -> MockBedrockScope:
    """The session's server, reset for this test, seen from an account of the test's own.

    Before the test: the plugin's S3 directory is emptied, the server reset (jobs as loaded, the clock
    at its start time and rate, only the fixtures' fault rules, an empty journal), then the
    `mock_bedrock_clock` marker applied. `bedrock.client()` is a boto3 client of the test's account
    in us-east-1; `bedrock.client(account=..., region=...)` another."""
    plugin_s3_dir = request.config.stash.get(_OWN_S3_DIR, None)
    if plugin_s3_dir is not None:
        for entry in Path(plugin_s3_dir).iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    if not mock_bedrock.running:  # an earlier test killed it, or it crashed: say so, with its log
        pytest.fail(mock_bedrock.unreachable_message("the session's server stopped"), pytrace=False)
    start = mock_bedrock.reset()
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        unknown = set(marker.kwargs) - {"start", "advance", "rate"}
        if marker.args or unknown:
            pytest.fail(f"{MARKER} takes the keywords start, advance and rate, not {marker.args or sorted(unknown)}",
                        pytrace=False)
        try:
            mock_bedrock.clock.update(set=marker.kwargs.get("start"), advance=marker.kwargs.get("advance"),
                                      rate=marker.kwargs.get("rate"))
        except MockBedrockError as error:
            hint = ""
            if marker.kwargs.get("start") is not None:
                hint = (f" (the session's clock starts at {start.isoformat()} and never goes back: give a later "
                        "start, or start the server earlier with --mock-bedrock-arg=--clock-start=...)")
            raise MockBedrockError(error.status, f"{MARKER}: {error.message}{hint}") from None
        except (TypeError, ValueError) as error:  # advance=float("nan"), rate=-1, ...
            raise type(error)(f"{MARKER}: {error}") from None
    return mock_bedrock.scope(account=new_account(request.config))
