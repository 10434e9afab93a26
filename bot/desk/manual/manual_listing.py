"""Reading manual ports for listings (/port-list; the digest and App Home read the same): which
match a request listing's filters, ordered by ``bot.desk.manual.agenda``."""

from __future__ import annotations

from datetime import datetime

from bot.desk.manual.agenda import ManualListed, ordered
from bot.desk.manual.ports import port_of
from bot.desk.manual.types import ManualStep
from bot.listed_requests import ListingQuery
from bot.store import manual_ports
from bot.store.db import Database
from bot.store.manual_ports import ManualQuery

S = ManualStep
# A request status word's manual steps: "action" is what waits on a person.
_BY_STATUS: dict[str, frozenset[ManualStep]] = {
    "action_required": frozenset({S.STARTED, S.QUOTED, S.REJECTED}),
    "in_progress": frozenset({S.SUBMITTED, S.ACCEPTED, S.APPROVED, S.PORT_DATE_SET}),
    "completed": frozenset({S.COMPLETED}),
    "canceled": frozenset({S.CANCELED}),
    "canceling": frozenset({S.CANCELED}),
    "expired": frozenset({S.CANCELED}),
}


def manual_query(query: ListingQuery) -> ManualQuery | None:
    """The manual ports a request listing's filters ask for (None: none can match, e.g.
    ``signature``: manual ports have no LOA signing step)."""
    steps = None
    if query.statuses is not None:
        found = frozenset(s for status in query.statuses for s in _BY_STATUS.get(status, ()))
        if not found:
            return None
        steps = frozenset(s.value for s in found)
    return ManualQuery(
        steps=steps,
        open_only=query.open_only,
        filed_by=query.filed_by,
        phone_numbers=query.phone_numbers,
        channel_id=query.channel_id,
        since=query.since,
        changed_since=query.changed_since,
        customer=query.customer,
    )


async def list_manual(db: Database, query: ListingQuery, now: datetime) -> list[ManualListed]:
    """The manual ports matching a request listing's ``query``, most urgent first."""
    manual = manual_query(query)
    if manual is None:
        return []
    stored = await manual_ports.list_ports(db, manual)
    return ordered([port_of(s) for s in stored], now, query.phone_numbers)


async def open_manual(db: Database, now: datetime) -> list[ManualListed]:
    """Every open manual port, most urgent first, with its step, filer, channel, thread and
    next deadline: what the daily digest and App Home show of manual ports (``needs_person``
    for their "needs someone" part, ``port.thread`` for the link, ``deadline`` as
    ``bot.slack.ui.manual.manual_rows.manual_line`` words it)."""
    stored = await manual_ports.open_ports(db)
    return ordered([port_of(s) for s in stored], now)
