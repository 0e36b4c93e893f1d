"""The jobs' lifecycle events: GET /_mock/events, and a wait on it that never sleeps."""

from __future__ import annotations

import time
import urllib.parse
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Union

from ._process import _seconds

if TYPE_CHECKING:
    from ._admin import _Admin

JobRef = Union[str, Mapping[str, Any]]


def _job_param(job: Optional[JobRef]) -> Optional[str]:
    """An id or ARN as is; a dict by its jobArn (a Create's or a Get's answer)."""
    if job is None:
        return None
    if isinstance(job, Mapping):
        arn = job.get("jobArn")
        if not isinstance(arn, str):
            raise ValueError("a job dict needs its jobArn (a Create's or a Get's answer)")
        return arn
    return str(job)


def _statuses(status: Union[str, Iterable[str], None]) -> Optional[str]:
    if status is None:
        return None
    return status if isinstance(status, str) else ",".join(status)


def list_events(admin: "_Admin", job: Optional[JobRef] = None, status: Union[str, Iterable[str], None] = None,
                after: int = 0, wait: Optional[float] = None, timeout: Optional[float] = None) -> Dict[str, Any]:
    """One call of GET /_mock/events: `{"events": [{"sequence", "event"}], "lastSequence"}`; the
    server holds it up to `wait` seconds, the call gives up after `timeout` (default: admin_timeout)."""
    params: Dict[str, str] = {}
    job_value = _job_param(job)
    if job_value:
        params["job"] = job_value
    statuses = _statuses(status)
    if statuses:
        params["status"] = statuses
    if after:
        params["after"] = str(int(after))
    if wait:
        params["wait"] = f"{max(1, round(wait * 1000))}ms"
    query = "?" + urllib.parse.urlencode(params) if params else ""
    return dict(admin.call("GET", "/_mock/events" + query, timeout=timeout))


def events(admin: "_Admin", job: Optional[JobRef] = None, status: Union[str, Iterable[str], None] = None) -> List[Dict[str, Any]]:
    """The kept events (AWS's shape), oldest first."""
    return [item["event"] for item in list_events(admin, job, status)["events"]]


# The longest wait of one long poll (the server takes up to 60 s).
LONG_POLL = 20.0
# How long after its wait a long poll's answer may come before the call gives up: the server answers
# at the end of its wait, so a call that waited this much more is a hung server.
ANSWER_MARGIN = 1.0
# The shortest timeout of one call: a wait with a timeout of 0 (or nearly) still makes one check.
MIN_CALL_TIMEOUT = 0.5


def wait_for_event(admin: "_Admin", job: JobRef, status: Union[str, Iterable[str]], timeout: float = 60.0) -> Dict[str, Any]:
    """Long-polls until `job` has an event with `status` (or one of several), and answers it; a
    TimeoutError after `timeout` seconds. An event sent before the call counts too.

    Each poll's socket timeout follows the deadline: a poll asks the server to wait at most until a
    little before it (a tenth of what is left, at most 0.25 s, kept for the answer to travel), and
    gives up at the end of that wait plus ANSWER_MARGIN, never after the deadline (but at least
    MIN_CALL_TIMEOUT: a timeout of 0 makes one check). A hung server is a MockBedrockTimeoutError,
    a TimeoutError too, at the deadline."""
    timeout = _seconds(timeout, "timeout")
    deadline = time.monotonic() + timeout
    after = 0
    while True:
        left = deadline - time.monotonic()
        reserve = min(0.25, left / 10) if left > 0 else 0.0
        wait = max(0.0, min(LONG_POLL, left - reserve))
        last = wait >= left - reserve  # this poll waits until (nearly) the deadline
        call_timeout = max(MIN_CALL_TIMEOUT, min(wait + ANSWER_MARGIN, left))
        answer = list_events(admin, job, status, after=after, wait=wait, timeout=call_timeout)
        if answer["events"]:
            return dict(answer["events"][0]["event"])
        after = int(answer["lastSequence"])
        if last or time.monotonic() >= deadline:
            raise TimeoutError(f"no {_statuses(status)} event for {_job_param(job)} within {timeout:g} s")
