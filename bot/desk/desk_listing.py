"""Listing requests for people: the store's listing, judged and ordered by the agenda on the
desk's calendar and policy (/port-list; the digest and App Home read the same way).

Reads only the bot's own store, never Twilio: fast, and as fresh as the reconciler keeps it
(every open request is re-read every ``poll``; requests Twilio lists that the bot has never
seen are adopted by the reconciler's discovery). :class:`DeskListing` says how fresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.desk.agenda import AgendaItem, agenda
from bot.desk.calendar import BusinessCalendar
from bot.desk.facts import DeskPolicy
from bot.desk.manual.agenda import ManualListed
from bot.desk.manual.manual_listing import list_manual
from bot.listed_requests import ListingQuery
from bot.store.db import Database
from bot.store.models import utcnow
from bot.store.request_listing import list_requests


class ListingAsk(Protocol):
    """What someone asked to list, as a store query at a moment on the desk's clock (the
    Slack layer's ``ListFilter`` is one)."""

    def query(self, now: datetime) -> ListingQuery: ...


@dataclass(frozen=True)
class DeskListing:
    items: tuple[AgendaItem, ...]  # most urgent first
    now: datetime  # the moment they were judged at (UTC)
    oldest_sync: datetime | None  # the stalest read from Twilio among the open rows
    poll: timedelta  # how often the reconciler re-reads each open request
    manual: tuple[ManualListed, ...] = ()  # manual ports matching the same filters


class Listings:
    """Requests from the store, most urgent first, over one database, policy and calendar."""

    def __init__(
        self,
        db: Database,
        policy: DeskPolicy,
        calendar: BusinessCalendar,
        *,
        poll: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.policy = policy
        self.calendar = calendar
        self.poll = poll
        self.clock = clock

    async def list(self, ask: ListingAsk) -> DeskListing:
        now = self.clock()
        query = ask.query(self.calendar.local(now))
        listing = await list_requests(self.db, query)
        items = agenda(listing.rows, self.policy, self.calendar, now)
        manual = await list_manual(self.db, query, now)
        return DeskListing(
            tuple(items), now, on_desk_clock(listing.oldest_sync, now), self.poll, tuple(manual)
        )


def on_desk_clock(stamp: datetime | None, desk_now: datetime) -> datetime | None:
    """A moment the bot stamped on its own (process) clock — when it stored or read
    something — on the desk's clock, which is Twilio's: the sandbox's when there is one, so
    "read from Twilio 2 minutes ago" holds whichever clock runs."""
    return None if stamp is None else stamp + (desk_now - utcnow())


def process_time(desk_moment: datetime, desk_now: datetime) -> datetime:
    """The reverse: a moment on the desk's clock as the process stamps it (to compare with
    ``updated_at``, say)."""
    return desk_moment - (desk_now - utcnow())
