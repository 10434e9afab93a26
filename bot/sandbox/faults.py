"""Fault injection for API calls: a concurrency cap answering 429 and scripted failures."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .config import SandboxConfig
from .errors import SandboxError

_DEFAULT_CODES = {429: 20429, 503: 20503}
_DEFAULT_MESSAGES = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class ScriptedFault:
    status: int
    code: int
    message: str
    retry_after: int | None = None
    match: str | None = None  # only calls whose path contains this substring
    method: str | None = None  # only calls with this HTTP method (POST: a create, not a fetch)

    def error(self) -> SandboxError:
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else None
        return SandboxError(self.status, self.code, self.message, headers=headers)


class Faults:
    """Counts in-flight API calls and hands out scripted failures in order."""

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        self.in_flight = 0
        self._script: deque[ScriptedFault] = deque()
        if config.fail_next_calls:
            self.fail_next(config.fail_next_calls, config.fail_status)

    def fail_next(
        self,
        count: int = 1,
        status: int = 500,
        code: int | None = None,
        message: str | None = None,
        retry_after: int | None = None,
        match: str | None = None,
        method: str | None = None,
    ) -> None:
        """The next ``count`` matching API calls fail with ``status`` (and Twilio ``code``)."""
        if status == 429 and retry_after is None:
            retry_after = self._config.retry_after_seconds
        fault = ScriptedFault(
            status,
            code if code is not None else _DEFAULT_CODES.get(status, 20500),
            message or _DEFAULT_MESSAGES.get(status, f"HTTP {status}"),
            retry_after,
            match,
            method.upper() if method else None,
        )
        self._script.extend(fault for _ in range(count))

    def clear(self) -> None:
        self._script.clear()

    @property
    def scripted(self) -> int:
        return len(self._script)

    def take(self, path: str, method: str | None = None) -> ScriptedFault | None:
        for fault in self._script:
            if (fault.match is None or fault.match in path) and (
                fault.method is None or fault.method == method
            ):
                self._script.remove(fault)
                return fault
        return None

    def enter(self) -> SandboxError | None:
        """Count a call in; over the cap it is refused (and not counted) with 429/20429."""
        cap = self._config.max_concurrent_calls
        if cap is not None and self.in_flight >= cap:
            return SandboxError(
                429,
                20429,
                "Too Many Requests",
                headers={"Retry-After": str(self._config.retry_after_seconds)},
            )
        self.in_flight += 1
        return None

    def leave(self) -> None:
        self.in_flight -= 1
