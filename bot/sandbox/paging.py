"""The port-in list: filters and token paging in creation order, as ``PortInRequests`` pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.porting.statuses import RequestStatus

from .data import SimRequest
from .errors import SandboxError


@dataclass(frozen=True)
class RequestFilter:
    sids: set[str] | None = None
    status: RequestStatus | None = None
    created_before: date | None = None
    created_after: date | None = None

    def matches(self, request: SimRequest) -> bool:
        created = request.date_created.date()
        return (
            (self.sids is None or request.sid in self.sids)
            and (self.status is None or request.status == self.status)
            # GUESS: both date bounds inclusive.
            and (self.created_before is None or created <= self.created_before)
            and (self.created_after is None or created >= self.created_after)
        )


@dataclass(frozen=True)
class Page:
    items: list[SimRequest]
    next_token: str | None
    previous_token: str | None


def page_requests(
    requests: Iterable[SimRequest], token: str | None, size: int, where: RequestFilter
) -> Page:
    """One page of ``requests`` (in creation order) that match ``where``.

    Tokens are the SID of the first request of a page, like the spec example.
    """
    rows = [r for r in requests if where.matches(r)]
    start = 0
    if token:
        index = next((i for i, r in enumerate(rows) if r.sid == token), None)
        if index is None:
            raise SandboxError(400, 20001, f"Invalid Token '{token}'")
        start = index
    next_token = rows[start + size].sid if start + size < len(rows) else None
    previous_token = rows[max(0, start - size)].sid if start > 0 else None
    return Page(rows[start : start + size], next_token, previous_token)
