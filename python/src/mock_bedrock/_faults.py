"""Fault rules: added, listed, removed."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any, Dict, Iterator, List, Mapping

from ._errors import MockBedrockError
from ._admin import _Admin

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
