"""The admin API over HTTP, and the virtual clock."""

from __future__ import annotations

import http.client
import json
import math
import numbers
import os
import socket
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Union

from ._errors import MockBedrockError
from ._process import _iso

if TYPE_CHECKING:
    from ._server import MockBedrock

PathLike = Union[str, "os.PathLike[str]"]
Duration = Union[str, int, float, timedelta]
JobRef = Union[str, Mapping[str, Any]]


def _parse_time(text: str) -> datetime:
    """The server's `2026-03-01T10:00:00.000Z` (Python 3.9's fromisoformat takes no `Z`)."""
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _duration(by: Duration) -> str:
    """`"2h"` as is (the server reads it); seconds (a number or a timedelta) as whole milliseconds:
    finite and not negative, else a ValueError."""
    if isinstance(by, str):
        return by
    if isinstance(by, bool) or not isinstance(by, (numbers.Real, timedelta)):
        raise TypeError(f"a duration is a string such as '2h', a number of seconds, or a timedelta, not {by!r}")
    seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
    if seconds < 0:
        raise ValueError(f"the mock clock never goes back: cannot advance by {seconds} seconds")
    if math.isnan(seconds) or math.isinf(seconds):
        raise ValueError(f"the mock clock advances by a finite number of seconds, not {by!r}")
    return f"{round(seconds * 1000)}ms"


def _rate(rate: Any) -> float:
    """Simulated seconds per real second: a finite number, 0 or more (the server's bound is 1e9)."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
        raise TypeError(f"a clock rate is a number of simulated seconds per real second, not {rate!r}")
    value = float(rate)
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise ValueError(f"a clock rate is a finite number, 0 (frozen) or more: not {rate!r}")
    return value


# --------------------------------------------------------------------------- the admin API


class _Admin:
    """JSON over HTTP to /_mock/ with urllib, never through a proxy. An answer with an error status is
    a MockBedrockError with it; no complete answer at all (refused, reset, closed, cut short, not
    HTTP, not JSON) is a MockBedrockConnectionError that says whether the server still runs, and
    else its exit code and the end of its log."""

    def __init__(self, server: "MockBedrock") -> None:
        self._server = server
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None, *,
             timeout: Optional[float] = None) -> Any:
        """One admin call; it gives up after `timeout` seconds (default: the server's `admin_timeout`)
        with a MockBedrockTimeoutError. That is the socket's timeout: of the connect, and of each
        read while the answer comes (a server that trickles its answer could stretch it)."""
        url = self._server.endpoint_url + path
        what = f"{method} {path}"
        seconds = self._server.admin_timeout if timeout is None else timeout
        began = time.monotonic()
        try:  # NaN and infinities are not JSON (Python would send them as NaN, Infinity)
            data = None if body is None else json.dumps(body, allow_nan=False).encode()
        except ValueError as error:
            raise ValueError(f"{what}: {error}: {dict(body or {})}") from None
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        token = self._server.admin_token
        if token:
            request.add_header("x-mock-admin-token", token)
        try:
            with self._opener.open(request, timeout=seconds) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            # The status line came: that is the server's answer, even when its body is cut short.
            try:
                raw = error.read()
            except (OSError, http.client.HTTPException):
                raw = b""
            finally:
                error.close()
            message = raw.decode("utf-8", "replace").strip() or error.reason
            try:
                message = json.loads(raw)["message"]
            except (ValueError, KeyError, TypeError):
                pass
            raise MockBedrockError(error.code, str(message)) from None
        except (OSError, http.client.HTTPException) as error:
            # urllib.error.URLError (refused, a failed send) is an OSError; what comes after the
            # request was sent is raw: RemoteDisconnected, ConnectionResetError, IncompleteRead,
            # BadStatusLine, a socket timeout.
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise self._server._no_answer(what, f"no answer within {round(seconds, 3):g} s", exception=reason,
                                              timed_out=True) from None
            left = seconds - (time.monotonic() - began)
            raise self._server._no_answer(what, reason, grace=min(0.5, left)) from None
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError as error:  # a body cut short by the server's end, or not the server at all
            left = seconds - (time.monotonic() - began)
            raise self._server._no_answer(what, f"the answer is not JSON ({error}): {raw[:200]!r}", exception=error,
                                          grace=min(0.5, left)) from None


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
            body["rate"] = _rate(rate)
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
