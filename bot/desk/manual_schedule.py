"""A manual port's deadlines and reminders (seed 003), in the style of ``bot.desk.schedule``.

Pure: facts, the calendar and ``now`` in; nothing reads a clock, the database or Slack.
Business days and working hours are the desk's (``PORTING_TIMEZONE``, US federal holidays
from the ``holidays`` package, 09:00–17:00).

Deadlines:

- Fee quote: Twilio takes a quote nobody answered as accepted **3 business days** after it
  sent it (:func:`quote_deadline`). The reply recording the quote states that moment.
- Twilio's approval: within **1 business day** of the accepted quote (:func:`approval_due`),
  counted from the explicit acceptance, else from the moment the quote was taken as accepted.

Reminders (one per kind and due day: the outbox key, ``bot.work.ManualReminder.key``, is
``remind:{manual_id}:{kind}:{due_day}``):

- ``quote_due``: the business day before the quote deadline, at the deadline's time of day,
  mentioning the filer; sendable until the deadline, and only while the quote is unanswered.
- ``approval_late``: at the approval's due moment, while Twilio has not approved; sendable for
  2 business days (a worker down longer drops it rather than nudging late; it also keeps every
  reminder inside the outbox's 7 days of remembered keys, so none is ever sent twice).
- ``port_prep``: at the start of the business day before the port date: configure the numbers
  now (Step 5) and keep the carrier account open (Step 4); sendable until the port date.

How the desk's reminder worker drives this (one worker for requests and manual ports; there
is no second loop): on each tick, in working hours, for every open manual port
(:func:`bot.store.manual_ports.open_ports` → :meth:`ManualFacts.of`), queue each
:func:`plan_manual_reminders` result through the outbox as a ``bot.work.ManualReminder``
(its key makes re-queueing a no-op) — :meth:`bot.desk.manual.ManualPorts.queue_reminders`
does exactly that. At delivery its handler (``bot.slack.delivery.manual``) loads fresh facts
and calls :func:`decide_manual`: it sends what is still due, waits for working hours, or drops a
reminder whose reason went away (the quote got answered, the step moved on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.desk.calendar import BusinessCalendar
from bot.desk.manual_types import ManualPort, ManualStep

QUOTE_DAYS = 3  # business days to answer a fee quote before Twilio takes it as accepted
APPROVAL_DAYS = 1  # business days Twilio takes to approve after the accepted quote
APPROVAL_NUDGE_DAYS = 2  # business days the approval nudge stays sendable


def quote_deadline(quote_at: datetime, calendar: BusinessCalendar) -> datetime:
    """When Twilio takes a fee quote sent at ``quote_at`` as accepted (in working hours)."""
    return calendar.add_business_time(quote_at, QUOTE_DAYS)


def approval_due(accepted_at: datetime, calendar: BusinessCalendar) -> datetime:
    """When Twilio should have approved a port whose quote was accepted at ``accepted_at``."""
    return calendar.add_business_time(accepted_at, APPROVAL_DAYS)


class ManualReminderKind(StrEnum):
    QUOTE_DUE = "quote_due"
    APPROVAL_LATE = "approval_late"
    PORT_PREP = "port_prep"


@dataclass(frozen=True)
class ManualFacts:
    """What the planner knows of one manual port."""

    manual_id: str
    step: ManualStep
    filed_by: str | None
    country_name: str = ""
    number_count: int = 0
    ticket: str | None = None
    quote: str | None = None
    quote_deadline: datetime | None = None
    approval_due: datetime | None = None
    port_date: date | None = None

    @property
    def closed(self) -> bool:
        return self.step.closed

    @classmethod
    def of(cls, port: ManualPort) -> ManualFacts:
        return cls(
            manual_id=port.id,
            step=port.step,
            filed_by=port.filed_by,
            country_name=port.details.country_name,
            number_count=port.number_count,
            ticket=port.ticket,
            quote=port.quote,
            quote_deadline=port.quote_deadline,
            approval_due=port.approval_due,
            port_date=port.port_date,
        )


@dataclass(frozen=True)
class ManualReminderRef:
    """A manual port's reminder as the outbox keeps it (``bot.work.ManualReminder``);
    :func:`decide_manual` turns it back into one."""

    manual_id: str
    kind: ManualReminderKind
    due_day: date  # on the desk's clock


@dataclass(frozen=True)
class ManualReminder:
    """A reminder reply for a manual port's thread, with what its text needs."""

    manual_id: str
    kind: ManualReminderKind
    due_day: date
    due_at: datetime  # UTC, in working hours
    expires_at: datetime | None  # from then on it would be late: dropped
    mention: str | None
    country_name: str = ""
    number_count: int = 0
    ticket: str | None = None
    quote: str | None = None
    deadline: datetime | None = None  # quote_due: the quote deadline; approval_late: when due
    port_date: date | None = None

    @property
    def ref(self) -> ManualReminderRef:
        return ManualReminderRef(self.manual_id, self.kind, self.due_day)

    def sendable(self, now: datetime) -> bool:
        return self.due_at <= now and (self.expires_at is None or now < self.expires_at)


def plan_manual_reminders(
    facts: ManualFacts, calendar: BusinessCalendar, now: datetime
) -> list[ManualReminder]:
    """The reminders to send for ``facts`` at ``now``: due, not expired, reason still there,
    in working hours only (none for a completed or canceled port). At most one per kind."""
    if facts.closed or not calendar.in_working_hours(now):
        return []
    return [r for r in _candidates(facts, calendar) if r.sendable(now)]


@dataclass(frozen=True)
class ManualDecision:
    """What to do with a queued reminder: send ``reminder`` (as of now), ask again at
    ``retry_at`` (outside working hours), or drop it (both None)."""

    reminder: ManualReminder | None = None
    retry_at: datetime | None = None

    @property
    def drop(self) -> bool:
        return self.reminder is None and self.retry_at is None


def decide_manual(
    ref: ManualReminderRef,
    facts: ManualFacts | None,
    calendar: BusinessCalendar,
    now: datetime,
) -> ManualDecision:
    """At delivery: is the queued reminder still due? ``facts`` as of now (None: the port is
    gone). A reminder whose reason went away or whose time passed is dropped, never late."""
    if facts is None or facts.closed:
        return ManualDecision()
    if not calendar.in_working_hours(now):
        later = calendar.next_working_moment(now)
        if any(r.ref == ref for r in plan_manual_reminders(facts, calendar, later)):
            return ManualDecision(retry_at=later)
        return ManualDecision()
    for reminder in plan_manual_reminders(facts, calendar, now):
        if reminder.ref == ref:
            return ManualDecision(reminder=reminder)
    return ManualDecision()


def _candidates(facts: ManualFacts, calendar: BusinessCalendar) -> list[ManualReminder]:
    def reminder(
        kind: ManualReminderKind,
        due_at: datetime,
        expires_at: datetime | None,
        deadline: datetime | None = None,
    ) -> ManualReminder:
        return ManualReminder(
            manual_id=facts.manual_id,
            kind=kind,
            due_day=calendar.local_date(due_at),
            due_at=due_at,
            expires_at=expires_at,
            mention=facts.filed_by,
            country_name=facts.country_name,
            number_count=facts.number_count,
            ticket=facts.ticket,
            quote=facts.quote,
            deadline=deadline,
            port_date=facts.port_date,
        )

    out: list[ManualReminder] = []
    deadline = facts.quote_deadline
    if facts.step == ManualStep.QUOTED and deadline is not None:
        local = calendar.local(deadline)
        eve = calendar.previous_business_day(local.date())
        due = max(calendar.at(eve, local.time().replace(tzinfo=None)), calendar.work_starts(eve))
        out.append(reminder(ManualReminderKind.QUOTE_DUE, due, deadline, deadline))
    approval = facts.approval_due
    if facts.step in (ManualStep.QUOTED, ManualStep.ACCEPTED) and approval is not None:
        due = calendar.next_working_moment(approval)
        late = calendar.add_business_time(due, APPROVAL_NUDGE_DAYS)
        out.append(reminder(ManualReminderKind.APPROVAL_LATE, due, late, approval))
    if facts.step == ManualStep.PORT_DATE_SET and facts.port_date is not None:
        eve = calendar.previous_business_day(facts.port_date)
        out.append(
            reminder(
                ManualReminderKind.PORT_PREP,
                calendar.work_starts(eve),
                calendar.day_start(facts.port_date),
            )
        )
    return out


@dataclass(frozen=True)
class ManualDeadline:
    """The next deadline a manual port has, as the board and listings show it."""

    kind: str  # quote | approval | port
    at: date  # a moment (quote, approval) or the port date
    what: str  # in words: "Twilio takes the fee quote as accepted"


def next_deadline(facts: ManualFacts, now: datetime) -> ManualDeadline | None:
    """The quote's, while unanswered and not lapsed; else Twilio's approval, while awaited;
    else the port date."""
    if facts.closed:
        return None
    quote = facts.quote_deadline
    if facts.step == ManualStep.QUOTED and quote is not None and now < quote:
        return ManualDeadline("quote", quote, "Twilio takes the fee quote as accepted")
    if facts.step in (ManualStep.QUOTED, ManualStep.ACCEPTED) and facts.approval_due:
        return ManualDeadline("approval", facts.approval_due, "Twilio should have approved")
    if facts.step == ManualStep.PORT_DATE_SET and facts.port_date is not None:
        return ManualDeadline("port", facts.port_date, "the numbers port")
    return None
