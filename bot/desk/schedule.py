"""The desk's timetable: which reminders a request has due, and when each digest goes out.

Pure: every function takes the request's facts, the policy, the calendar and ``now``; nothing
here reads a clock, the database or Slack. Timings come from Twilio's own timestamps
(:func:`bot.desk.facts.status_changed_at`), so a request first seen late gets the deadlines
it really has.

A reminder is due at a moment inside working hours and stays sendable until it ``expires``
(the next reminder of its kind takes over, or its moment passed) and while its reason holds
(the LOA still unsigned, the rejection still open). Its :attr:`Reminder.key` (request, kind,
local due date) is the outbox key, so planning the same reminder again is a no-op; when the
outbox delivers it, :func:`decide` plans again on fresh facts and sends only what is still
due, with the content of now, waits for working hours, or drops it.

Rules (seed 001 and porting-operations.md for Twilio's timings):

- LOA: Twilio cancels a request whose LOA is unsigned 30 days after sending it. One reminder
  ``N`` days before that deadline for each ``N`` in the policy, at the start of the working
  day (the business day before, when that day is not one).
- Port tomorrow: at the start of the business day before each port date; port today: at the
  start of the port date (when it is a business day).
- Action Required: once, when the request has sat in Action Required with rejections open
  for ``action_days`` business days.
- Stale: an open request with no movement for ``stale_days`` business days (and no port date
  ahead, which is what it waits for then) gets a nudge, repeated at most every week. Not one
  waiting for signature: the LOA reminders are its nudges, with the deadline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.desk.calendar import BusinessCalendar
from bot.desk.facts import DeskPolicy, NumberFacts, PortDay, RequestFacts
from bot.porting.statuses import RequestStatus
from bot.work import reminder_key


class ReminderKind(StrEnum):
    LOA = "loa"
    PORT_TOMORROW = "port_tomorrow"
    PORT_TODAY = "port_today"
    ACTION_REQUIRED = "action_required"
    STALE = "stale"


# -- reminders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderRef:
    """A reminder as the outbox keeps it (``bot.work.Reminder``); :func:`decide` turns it back
    into one."""

    request_sid: str
    kind: ReminderKind
    due_day: date  # on the desk's clock

    @property
    def key(self) -> str:
        return reminder_key(self.request_sid, self.kind.value, self.due_day)


@dataclass(frozen=True)
class Reminder:
    """A reminder reply for a request's thread, with what its text needs."""

    request_sid: str
    kind: ReminderKind
    due_day: date
    due_at: datetime  # UTC, in working hours
    expires_at: datetime | None  # from then on it would be late: dropped
    mention: str | None = None  # the filer (None for an adopted request)
    status: RequestStatus = RequestStatus.UNKNOWN
    since: datetime | None = None  # Action Required / stale: since when it sits there
    deadline: datetime | None = None  # LOA: when Twilio cancels the request
    days_left: int | None = None  # LOA: whole days from the due day to the deadline's day
    ports: tuple[PortDay, ...] = ()  # port tomorrow / today
    rejections: tuple[NumberFacts, ...] = ()  # Action Required: the rejections still open

    @property
    def ref(self) -> ReminderRef:
        return ReminderRef(self.request_sid, self.kind, self.due_day)

    @property
    def key(self) -> str:
        return self.ref.key

    def sendable(self, now: datetime) -> bool:
        return self.due_at <= now and (self.expires_at is None or now < self.expires_at)


def plan_reminders(
    facts: RequestFacts, policy: DeskPolicy, calendar: BusinessCalendar, now: datetime
) -> list[Reminder]:
    """The reminders to send for ``facts`` at ``now``: due, not expired, reason still there,
    and only in working hours (none for a closed request). At most one per kind."""
    if facts.closed or not calendar.in_working_hours(now):
        return []
    return [r for r in _candidates(facts, policy, calendar, now) if r.sendable(now)]


@dataclass(frozen=True)
class Decision:
    """What to do with a queued reminder: send ``reminder`` (as of now), ask again at
    ``retry_at`` (outside working hours), or drop it (both None)."""

    reminder: Reminder | None = None
    retry_at: datetime | None = None

    @property
    def drop(self) -> bool:
        return self.reminder is None and self.retry_at is None


def decide(
    ref: ReminderRef,
    facts: RequestFacts | None,
    policy: DeskPolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> Decision:
    """At delivery: is the queued reminder still due? ``facts`` are the request's as of now
    (None: the bot no longer has it). A reminder whose reason went away, or whose time passed
    (a delayed worker, a clock step), is dropped, never sent late."""
    if facts is None or facts.closed:
        return Decision()
    if not calendar.in_working_hours(now):
        later = calendar.next_working_moment(now)
        if any(r.ref == ref for r in plan_reminders(facts, policy, calendar, later)):
            return Decision(retry_at=later)
        return Decision()
    for reminder in plan_reminders(facts, policy, calendar, now):
        if reminder.ref == ref:
            return Decision(reminder=_as_of(reminder, calendar, now))
    return Decision()


def _as_of(reminder: Reminder, calendar: BusinessCalendar, now: datetime) -> Reminder:
    """The reminder as it reads when it goes out: an LOA reminder sent later in its window
    (a weekend's moved back, a delayed worker) counts the days left from today."""
    if reminder.deadline is None:
        return reminder
    left = (calendar.local_date(reminder.deadline) - calendar.local_date(now)).days
    return replace(reminder, days_left=left)


def _candidates(
    facts: RequestFacts, policy: DeskPolicy, calendar: BusinessCalendar, now: datetime
) -> list[Reminder]:
    base = Reminder(
        request_sid=facts.request_sid,
        kind=ReminderKind.STALE,
        due_day=date.min,
        due_at=now,
        expires_at=None,
        mention=facts.filed_by,
        status=facts.status,
    )
    return [
        *_loa(base, facts, policy, calendar),
        *_ports(base, facts, calendar),
        *_action_required(base, facts, policy, calendar),
        *_stale(base, facts, policy, calendar, now),
    ]


def _loa(
    base: Reminder, facts: RequestFacts, policy: DeskPolicy, calendar: BusinessCalendar
) -> list[Reminder]:
    sent, deadline = facts.loa_sent_at, facts.loa_deadline
    if sent is None or deadline is None:
        return []
    earliest = calendar.next_working_moment(sent)
    last_day = calendar.local_date(deadline)
    by_day: dict[date, datetime] = {}
    for before in sorted(policy.loa_remind_days, reverse=True):
        target = last_day - timedelta(days=before)
        if not calendar.is_business_day(target):
            target = calendar.previous_business_day(target)
        due = max(calendar.work_starts(target), earliest)
        if due < deadline:
            by_day[calendar.local_date(due)] = due  # a nearer reminder on the same day wins
    days = sorted(by_day)
    return [
        replace(
            base,
            kind=ReminderKind.LOA,
            due_day=day,
            due_at=by_day[day],
            expires_at=by_day[days[i + 1]] if i + 1 < len(days) else deadline,
            since=sent,
            deadline=deadline,
            days_left=(last_day - day).days,
        )
        for i, day in enumerate(days)
    ]


def _ports(base: Reminder, facts: RequestFacts, calendar: BusinessCalendar) -> list[Reminder]:
    if facts.status == RequestStatus.CANCELING:
        return []
    ports = facts.port_days()
    eve: dict[date, list[PortDay]] = defaultdict(list)
    for port in ports:
        eve[calendar.previous_business_day(port.day)].append(port)
    out = [
        replace(
            base,
            kind=ReminderKind.PORT_TOMORROW,
            due_day=day,
            due_at=calendar.work_starts(day),
            expires_at=calendar.day_start(group[0].day),
            ports=tuple(group),
        )
        for day, group in sorted(eve.items())
    ]
    out.extend(
        replace(
            base,
            kind=ReminderKind.PORT_TODAY,
            due_day=port.day,
            due_at=calendar.work_starts(port.day),
            expires_at=calendar.work_ends(port.day),
            ports=(port,),
        )
        for port in ports
        if calendar.is_business_day(port.day)
    )
    return out


def _action_required(
    base: Reminder, facts: RequestFacts, policy: DeskPolicy, calendar: BusinessCalendar
) -> list[Reminder]:
    rejections = facts.rejections
    if facts.status != RequestStatus.ACTION_REQUIRED or not rejections or not facts.status_since:
        return []
    due = calendar.add_business_time(facts.status_since, policy.action_days)
    return [
        replace(
            base,
            kind=ReminderKind.ACTION_REQUIRED,
            due_day=calendar.local_date(due),
            due_at=due,
            since=facts.status_since,
            rejections=rejections,
        )
    ]


def _stale(
    base: Reminder,
    facts: RequestFacts,
    policy: DeskPolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> list[Reminder]:
    moved = facts.moved_at or facts.status_since
    if moved is None or not can_go_stale(facts.status):
        return []
    today = calendar.local_date(now)
    stale_at = stale_from(moved, [p.day for p in facts.port_days()], policy, calendar, now)
    if stale_at is None:
        return []
    first = calendar.local(stale_at)
    wall = first.time().replace(tzinfo=None)

    def nudge(k: int) -> datetime:
        day = first.date() + timedelta(days=k * policy.stale_every)
        return calendar.next_working_moment(calendar.at(day, wall))

    k = max(0, (today - first.date()).days // policy.stale_every)
    while k > 0 and nudge(k) > now:
        k -= 1
    while nudge(k + 1) <= now:
        k += 1
    due = nudge(k)
    return [
        replace(
            base,
            kind=ReminderKind.STALE,
            due_day=calendar.local_date(due),
            due_at=due,
            expires_at=nudge(k + 1),
            since=moved,
        )
    ]


def can_go_stale(status: RequestStatus) -> bool:
    """Whether a request in ``status`` can be stale at all: one waiting for signature is
    judged by its LOA deadline instead (the LOA reminders are its nudges). The planner and
    listings (``bot.desk.agenda``) share this rule."""
    return status != RequestStatus.WAITING_FOR_SIGNATURE


def stale_from(
    moved_at: datetime,
    port_days: Iterable[date],
    policy: DeskPolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> datetime | None:
    """When an open request that last moved at ``moved_at`` counts as stale (its first nudge),
    or None when it has a port date ahead (it waits for that, not for a person). Listings
    (``bot.desk.agenda``) and the stale nudge share this rule."""
    today = calendar.local_date(now)
    if any(day >= today for day in port_days):
        return None
    return calendar.add_business_time(moved_at, policy.stale_days)


def stale_cutoff(policy: DeskPolicy, calendar: BusinessCalendar, now: datetime) -> datetime:
    """The latest ``moved_at`` that counts as stale at ``now``: for a request with no port
    date ahead, ``moved_at <= stale_cutoff(...)`` exactly when ``stale_from(moved_at, ...) <=
    now``. One search per listing instead of business-day arithmetic per row (the rule is
    monotonic: moving later never makes a request stale sooner)."""
    first = calendar.add_business_time

    def stale(moved: datetime) -> bool:
        return first(moved, policy.stale_days) <= now

    span = timedelta(days=2 * policy.stale_days + 30)
    lo = now - span
    while not stale(lo):
        lo -= span
    hi = now  # never stale: n ≥ 1 business days after now is later than now
    step = timedelta(microseconds=1)
    while hi - lo > step:
        mid = lo + (hi - lo) / 2
        if stale(mid):
            lo = mid
        else:
            hi = mid
    return lo
