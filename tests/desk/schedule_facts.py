"""Requests at a moment for the planner tests: a New York business calendar, the default policy,
request facts waiting for a signature, porting, or rejected, and the reminders due for them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.desk.calendar import BusinessCalendar
from bot.desk.facts import DeskPolicy, NumberFacts, RequestFacts
from bot.desk.schedule import Reminder, ReminderKind, plan_reminders
from bot.porting.statuses import NumberStatus, RequestStatus

NY = ZoneInfo("America/New_York")
CAL = BusinessCalendar(NY)
POLICY = DeskPolicy()
SID = "KW" + "a" * 32
A, B = "+14155550100", "+14155550101"


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def waiting(sent: datetime, **kw: object) -> RequestFacts:
    numbers = (NumberFacts(A, NumberStatus.WAITING_FOR_SIGNATURE),)
    return RequestFacts(
        SID, RequestStatus.WAITING_FOR_SIGNATURE, sent, filed_by="U1", numbers=numbers, **kw
    )  # type: ignore[arg-type]


def plan(
    facts: RequestFacts, now: datetime, policy: DeskPolicy = POLICY, *, stale: bool = False
) -> list[Reminder]:
    """What is due, without the stale nudges (their own tests ask for them)."""
    got = plan_reminders(facts, policy, CAL, now)
    return [r for r in got if stale or r.kind != ReminderKind.STALE]


def kinds(facts: RequestFacts, now: datetime, **kw: bool) -> list[tuple[ReminderKind, date]]:
    return [(r.kind, r.due_day) for r in plan(facts, now, **kw)]


def in_progress(*numbers: NumberFacts) -> RequestFacts:
    return RequestFacts(
        SID, RequestStatus.IN_PROGRESS, ny(2026, 11, 20, 10, 0), filed_by="U1", numbers=numbers
    )


def rejected(since: datetime, *numbers: NumberFacts) -> RequestFacts:
    numbers = numbers or (NumberFacts(A, NumberStatus.PORT_REJECTED, None, "22154", "INVALID"),)
    return RequestFacts(SID, RequestStatus.ACTION_REQUIRED, since, filed_by="U1", numbers=numbers)
