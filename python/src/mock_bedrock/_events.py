"""The jobs' lifecycle events: GET /_mock/events, and a wait on it that never sleeps."""

from __future__ import annotations

import time
import urllib.parse
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Union

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
                after: int = 0, wait: Optional[float] = None) -> Dict[str, Any]:
    """One call of GET /_mock/events: `{"events": [{"sequence", "event"}], "lastSequence"}`."""
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
    return dict(admin.call("GET", "/_mock/events" + query))


def events(admin: "_Admin", job: Optional[JobRef] = None, status: Union[str, Iterable[str], None] = None) -> List[Dict[str, Any]]:
    """The kept events (AWS's shape), oldest first."""
    return [item["event"] for item in list_events(admin, job, status)["events"]]


def wait_for_event(admin: "_Admin", job: JobRef, status: Union[str, Iterable[str]], timeout: float = 60.0) -> Dict[str, Any]:
    """Long-polls until `job` has an event with `status` (or one of several), and answers it; a
    TimeoutError after `timeout` seconds. An event sent before the call counts too."""
    deadline = time.monotonic() + timeout
    after = 0
    while True:
        left = deadline - time.monotonic()
        answer = list_events(admin, job, status, after=after, wait=min(20.0, max(0.001, left)) if left > 0 else None)
        if answer["events"]:
            return dict(answer["events"][0]["event"])
        after = int(answer["lastSequence"])
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no {_statuses(status)} event for {_job_param(job)} within {timeout} s")
