"""What needs a person, most urgent first: the one ordering /port-list, the daily digest and
App Home share.

Pure: listing rows (``bot.store.request_listing``) in, :class:`AgendaItem` out, judged against the
policy, the calendar and ``now``. A request *needs a person* when it is in Action Required,
its LOA deadline is at most ``loa_due_soon`` away, or it is stale (the planner's rule,
:func:`bot.desk.schedule.stale_from`, through :func:`~bot.desk.schedule.stale_cutoff`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.desk.calendar import BusinessCalendar
from bot.desk.digest_plan import DigestSlot
from bot.desk.facts import DeskPolicy, loa_deadline
from bot.desk.manual.agenda import ManualListed
from bot.desk.schedule import can_go_stale, stale_cutoff
from bot.listed_requests import ListedRequest
from bot.porting.golive import Departure
from bot.porting.statuses import RequestStatus, request_label, request_status


class Need(StrEnum):
    ACTION = "action"  # Action Required: rejections to answer
    LOA_DUE = "loa_due"  # the LOA must be signed soon
    STALE = "stale"  # no movement for PORTING_STALE_DAYS business days


class DeadlineKind(StrEnum):
    LOA = "loa"  # sign by
    PORT = "port"  # ports on


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    at: datetime  # LOA: Twilio's cancel moment; port: local midnight of the port date
    day: date  # on the desk's clock (LOA) / as Twilio names it (port)


@dataclass(frozen=True)
class AgendaItem:
    row: ListedRequest
    status: RequestStatus
    label: str  # the status as people read it (Twilio's words for one we do not know)
    need: Need | None
    deadline: Deadline | None  # the next one: the LOA's, else the earliest port date ahead
    rank: tuple[int, float]  # smaller is more urgent

    @property
    def request_sid(self) -> str:
        return self.row.request_sid


@dataclass(frozen=True)
class Judge:
    """What judging rows at one moment needs, worked out once (``today``, the stale cutoff)."""

    policy: DeskPolicy
    calendar: BusinessCalendar
    now: datetime
    today: date
    stale_cutoff: datetime

    @classmethod
    def at(cls, policy: DeskPolicy, calendar: BusinessCalendar, now: datetime) -> Judge:
        return cls(
            policy, calendar, now, calendar.local_date(now), stale_cutoff(policy, calendar, now)
        )

    def assess(self, row: ListedRequest) -> AgendaItem:
        status = request_status(row.status)
        deadline: Deadline | None = None
        if status == RequestStatus.WAITING_FOR_SIGNATURE:
            due = loa_deadline(row.status_since)
            deadline = Deadline(DeadlineKind.LOA, due, self.calendar.local_date(due))
        elif row.port_days and not row.closed and row.port_days[-1].day >= self.today:
            day = next(p.day for p in row.port_days if p.day >= self.today)  # sorted
            deadline = Deadline(DeadlineKind.PORT, self.calendar.day_start(day), day)
        need = None if row.closed else self._need(row, status, deadline)
        return AgendaItem(
            row, status, request_label(row.status), need, deadline, _rank(row, need, deadline)
        )

    def _need(
        self, row: ListedRequest, status: RequestStatus, deadline: Deadline | None
    ) -> Need | None:
        if status == RequestStatus.ACTION_REQUIRED:
            return Need.ACTION
        if deadline and deadline.kind == DeadlineKind.LOA:
            if deadline.at - self.now <= self.policy.loa_due_soon:
                return Need.LOA_DUE
        # The planner's rule (schedule.can_go_stale, stale_from), through its cutoff.
        if not can_go_stale(status):
            return None
        waiting = bool(row.port_days) and row.port_days[-1].day >= self.today  # sorted
        if not waiting and row.moved_at <= self.stale_cutoff:
            return Need.STALE
        return None


def assess(
    row: ListedRequest, policy: DeskPolicy, calendar: BusinessCalendar, now: datetime
) -> AgendaItem:
    return Judge.at(policy, calendar, now).assess(row)


_NEED_TIER = {Need.ACTION: 0, Need.LOA_DUE: 1, Need.STALE: 2}


def _rank(row: ListedRequest, need: Need | None, deadline: Deadline | None) -> tuple[int, float]:
    if row.closed:
        return (5, -row.status_since.timestamp())  # most recently closed first
    if need == Need.ACTION:
        return (0, row.status_since.timestamp())  # waiting longest first
    if need == Need.LOA_DUE and deadline:
        return (1, deadline.at.timestamp())
    if need == Need.STALE:
        return (2, row.moved_at.timestamp())
    if deadline:
        return (3, deadline.at.timestamp())
    return (4, row.status_since.timestamp())


def agenda(
    rows: Iterable[ListedRequest], policy: DeskPolicy, calendar: BusinessCalendar, now: datetime
) -> list[AgendaItem]:
    """``rows`` judged and ordered most urgent first: needs a person (Action Required, LOA
    due soon, stale), then the nearest deadline, then the rest open, then closed ones."""
    judge = Judge.at(policy, calendar, now)
    items = [judge.assess(r) for r in rows]
    items.sort(key=lambda i: (i.rank, i.request_sid))
    return items


# -- the daily digest and App Home --------------------------------------------------------

# Lifecycle order for counts; a status Twilio added that we do not know comes last.
_ORDER = [
    RequestStatus.ACTION_REQUIRED,
    RequestStatus.WAITING_FOR_SIGNATURE,
    RequestStatus.IN_REVIEW,
    RequestStatus.IN_PROGRESS,
    RequestStatus.CANCELING,
    RequestStatus.COMPLETED,
    RequestStatus.CANCELED,
    RequestStatus.EXPIRED,
    RequestStatus.UNKNOWN,
]


@dataclass(frozen=True)
class StatusCount:
    status: RequestStatus
    label: str
    count: int


@dataclass(frozen=True)
class PortEntry:
    day: date
    numbers: int
    item: AgendaItem


@dataclass(frozen=True)
class Digest:
    channel_id: str
    day: date
    since: datetime  # the previous digest's moment (else a day before)
    open_count: int
    counts: tuple[StatusCount, ...]  # open requests by status
    changes: tuple[StatusCount, ...]  # requests changed since the last digest, by status now
    new: int  # of which first seen since the last digest
    needs: tuple[AgendaItem, ...]  # needing a person, most urgent first
    ports: tuple[PortEntry, ...]  # port dates in the next ``port_horizon`` business days
    manual: tuple[ManualListed, ...] = ()  # open manual ports in the channel, most urgent first
    departures: tuple[Departure, ...] = ()  # numbers that left the account, not acknowledged
    since_last: bool = True  # ``since`` is when the channel's previous digest was posted
    manual_moved: int = 0  # manual ports started or moved a step since ``since``

    @property
    def quiet(self) -> bool:
        """Nothing changed since the previous digest: this one has nothing new to say (a
        channel's first digest always has)."""
        return self.since_last and not (self.changes or self.new or self.manual_moved)


def status_counts(items: Iterable[AgendaItem]) -> tuple[StatusCount, ...]:
    counts = Counter((i.status, i.label) for i in items)
    return tuple(
        StatusCount(status, label, n)
        for (status, label), n in sorted(
            counts.items(), key=lambda kv: (_ORDER.index(kv[0][0]), kv[0][1])
        )
    )


def port_entries(items: Iterable[AgendaItem], first: date, last: date) -> tuple[PortEntry, ...]:
    """Port dates from ``first`` to ``last`` (inclusive), earliest first."""
    entries = [
        PortEntry(p.day, p.numbers, item)
        for item in items
        if not item.row.closed
        for p in item.row.port_days
        if first <= p.day <= last
    ]
    return tuple(sorted(entries, key=lambda e: (e.day, e.item.rank, e.item.request_sid)))


def build_digest(
    slot: DigestSlot,
    open_rows: Sequence[ListedRequest],
    changed_rows: Sequence[ListedRequest],
    policy: DeskPolicy,
    calendar: BusinessCalendar,
    now: datetime,
    manual: Sequence[ManualListed] = (),
    *,
    since: datetime | None = None,
) -> Digest | None:
    """One channel's digest, or None when the channel has nothing open (no digest then).

    ``open_rows``: the channel's open requests; ``changed_rows``: its requests (any status)
    the bot stored a change for since ``since`` (when the channel's previous digest was
    posted; None: there was none, and the changes are a day's, since ``now`` minus a day);
    ``manual``: its open manual ports.
    """
    since_last = since is not None
    since = since if since is not None else now - timedelta(days=1)
    items = agenda(open_rows, policy, calendar, now)
    if not items and not manual:
        return None
    changed = agenda(changed_rows, policy, calendar, now)
    horizon = calendar.add_business_days(slot.day, max(policy.port_horizon - 1, 0))
    return Digest(
        channel_id=slot.channel_id,
        day=slot.day,
        since=since,
        open_count=len(items),
        counts=status_counts(items),
        changes=status_counts(changed),
        new=sum(1 for i in changed if i.row.created_at >= since),
        needs=tuple(i for i in items if i.need is not None),
        ports=port_entries(items, slot.day, horizon),
        manual=tuple(manual),
        since_last=since_last,
        manual_moved=sum(1 for m in manual if m.port.step_changed_at >= since),
    )


@dataclass(frozen=True)
class HomeAgenda:
    viewer: str
    needs_you: tuple[AgendaItem, ...]  # the viewer's requests that need a person
    needs_someone: tuple[AgendaItem, ...]  # the team's (others' and adopted ones)
    ports_this_week: tuple[PortEntry, ...]  # today to Sunday
    recent: tuple[AgendaItem, ...]  # the viewer's requests, newest first
    oldest_sync: datetime | None = None  # how fresh (``Listing.oldest_sync``)
    # Open manual ports the viewer started or that wait on a person, most urgent first.
    manual: tuple[ManualListed, ...] = ()
    departures: tuple[Departure, ...] = ()  # numbers that left the account, not acknowledged


def build_home(
    viewer: str,
    open_rows: Sequence[ListedRequest],
    mine: Sequence[ListedRequest],
    policy: DeskPolicy,
    calendar: BusinessCalendar,
    now: datetime,
    *,
    recent: int = 10,
    oldest_sync: datetime | None = None,
    manual: Sequence[ManualListed] = (),
) -> HomeAgenda:
    """The Home tab's content for ``viewer``: ``open_rows`` are every open request,
    ``mine`` the viewer's own (any status). Works for someone who has filed nothing."""
    items = agenda(open_rows, policy, calendar, now)
    today = calendar.local_date(now)
    needing = [i for i in items if i.need is not None]
    judge = Judge.at(policy, calendar, now)
    own = sorted(
        (judge.assess(r) for r in mine),
        key=lambda i: (-i.row.created_at.timestamp(), i.request_sid),
    )
    return HomeAgenda(
        viewer=viewer,
        needs_you=tuple(i for i in needing if i.row.filed_by == viewer),
        needs_someone=tuple(i for i in needing if i.row.filed_by != viewer),
        ports_this_week=port_entries(items, today, today + timedelta(days=6 - today.weekday())),
        recent=tuple(own[:recent]),
        oldest_sync=oldest_sync,
        manual=tuple(m for m in manual if m.port.filed_by == viewer or m.needs_person),
    )
