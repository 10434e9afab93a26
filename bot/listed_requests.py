"""What a listing of many requests holds (for /port-list, the digest and App Home): plain
frozen values, read by ``bot.store.request_listing``, ordered by ``bot.desk.agenda`` and drawn
by the Block Kit builders, so none of those has to import another's layer for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

CLOSED_STATUSES = frozenset({"completed", "canceled", "expired"})  # as the store keeps them


@dataclass(frozen=True)
class PortDayCount:
    day: date  # the date Twilio names
    numbers: int


@dataclass(frozen=True)
class ListedRequest:
    request_sid: str
    status: str  # as stored: our status value, or Twilio's own words for one we do not know
    customer_name: str | None
    number_count: int
    filed_by: str | None  # None: adopted (filed outside the bot)
    channel_id: str | None  # the thread's, when it has one
    thread_ts: str | None
    created_at: datetime  # Twilio's date_created (else when the bot first stored it)
    status_since: datetime  # when it entered its status, by Twilio's clock
    moved_at: datetime  # Twilio's latest change to it or one of its numbers
    updated_at: datetime  # when the bot last stored a change
    rejected: int = 0  # numbers rejected now
    port_days: tuple[PortDayCount, ...] = ()  # port dates of numbers still porting, earliest first
    matched_numbers: tuple[str, ...] = ()  # the numbers asked for that this request holds
    ported: int = 0  # numbers Completed
    canceled: int = 0  # numbers canceled

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def next_port_day(self) -> date | None:
        return self.port_days[0].day if self.port_days else None


@dataclass(frozen=True)
class ListingQuery:
    """Which requests to read; every filter given must hold (an empty one is no filter)."""

    statuses: frozenset[str] | None = None  # only these stored statuses (None: any)
    open_only: bool = False  # leave out completed, canceled and expired requests
    filed_by: frozenset[str] = frozenset()  # filed by any of these Slack users
    phone_numbers: frozenset[str] = frozenset()  # E.164: requests holding any of these
    channel_id: str | None = None  # requests whose thread is in this channel
    since: datetime | None = None  # entered their current status at or after this
    changed_since: datetime | None = None  # the bot stored a change at or after this
    customer: str | None = None  # the customer's name holds this (any case)


@dataclass(frozen=True)
class Listing:
    rows: tuple[ListedRequest, ...]
    # How fresh the rows are: the oldest and newest read from Twilio among the open rows (the
    # reconciler re-reads every open request each PORTING_RECONCILE_SECONDS). None: no open row.
    oldest_sync: datetime | None = None
    newest_sync: datetime | None = None
    by_sid: dict[str, ListedRequest] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_sid.update((r.request_sid, r) for r in self.rows)
