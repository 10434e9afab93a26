"""A manual port's deadlines and reminders (seed 003): the fee quote taken as accepted after 3
business days, Twilio's approval within 1, the port date's eve; weekends and US federal
holidays in the desk's time zone. Every test hands the planner a clock reading."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot import work
from bot.desk.calendar import BusinessCalendar
from bot.desk.manual_schedule import (
    ManualFacts,
    ManualReminderKind,
    ManualReminderRef,
    approval_due,
    decide_manual,
    next_deadline,
    plan_manual_reminders,
    quote_deadline,
)
from bot.desk.manual_types import ManualStep

NY = ZoneInfo("America/New_York")
CAL = BusinessCalendar(NY)
MP = "MP" + "a" * 32


def at(day: str, hour: int, minute: int = 0) -> datetime:
    """A wall time in New York, as UTC."""
    return CAL.at(date.fromisoformat(day), time(hour, minute))


def quoted(sent: datetime) -> ManualFacts:
    deadline = quote_deadline(sent, CAL)
    return ManualFacts(
        manual_id=MP,
        step=ManualStep.QUOTED,
        filed_by="UFILER",
        country_name="United Kingdom",
        number_count=3,
        ticket="88123",
        quote="GBP 120",
        quote_deadline=deadline,
        approval_due=approval_due(deadline, CAL),
    )


def kinds(facts: ManualFacts, now: datetime) -> list[ManualReminderKind]:
    return [r.kind for r in plan_manual_reminders(facts, CAL, now)]


def test_quote_deadline_is_three_business_days_over_a_weekend() -> None:
    # Thu 10:00 + 3 business days: Fri, Mon, Tue → Tue 10:00 (the weekend does not count).
    assert quote_deadline(at("2026-12-03", 10), CAL) == at("2026-12-08", 10)
    # Friday evening counts from Monday's start: Mon, Tue, Wed → Thu 09:00.
    assert quote_deadline(at("2026-12-04", 20), CAL) == at("2026-12-10", 9)


def test_quote_deadline_skips_thanksgiving() -> None:
    # Tue Nov 24 10:00: Wed 25, (Thu 26 Thanksgiving), Fri 27, Mon 30 → Mon Nov 30 10:00.
    assert CAL.holiday(date(2026, 11, 26))
    assert quote_deadline(at("2026-11-24", 10), CAL) == at("2026-11-30", 10)


def test_quote_reminder_one_business_day_before_the_deadline() -> None:
    facts = quoted(at("2026-11-24", 10))  # deadline Mon Nov 30 10:00
    # The business day before Monday is Friday (not the weekend), at the deadline's time.
    assert kinds(facts, at("2026-11-27", 9, 59)) == []
    (reminder,) = plan_manual_reminders(facts, CAL, at("2026-11-27", 10))
    assert reminder.kind == ManualReminderKind.QUOTE_DUE
    assert reminder.due_day == date(2026, 11, 27)
    assert reminder.deadline == at("2026-11-30", 10)
    assert reminder.mention == "UFILER" and reminder.quote == "GBP 120"
    # Sendable until the deadline; then Twilio took it as accepted and it would be late.
    assert kinds(facts, at("2026-11-30", 9, 59)) == [ManualReminderKind.QUOTE_DUE]
    assert ManualReminderKind.QUOTE_DUE not in kinds(facts, at("2026-11-30", 10))


def test_quote_reminder_after_a_holiday_eve() -> None:
    # Quote Fri Nov 20 10:00 → Mon 23, Tue 24, Wed 25 → Wed Nov 25 10:00: remind Tue 24.
    facts = quoted(at("2026-11-20", 10))
    assert facts.quote_deadline == at("2026-11-25", 10)
    (reminder,) = plan_manual_reminders(facts, CAL, at("2026-11-24", 10))
    assert reminder.due_day == date(2026, 11, 24)
    # Quote Mon Nov 23 10:00 → Tue, Wed, Fri (Thu is Thanksgiving) → Fri Nov 27 10:00; the
    # business day before is Wed Nov 25, not the holiday.
    facts = quoted(at("2026-11-23", 10))
    assert facts.quote_deadline == at("2026-11-27", 10)
    assert kinds(facts, at("2026-11-26", 10)) == []  # a holiday: no reminders at all
    (reminder,) = plan_manual_reminders(facts, CAL, at("2026-11-25", 10))
    assert reminder.due_day == date(2026, 11, 25)


def test_nothing_outside_working_hours_and_decide_waits_or_drops() -> None:
    facts = quoted(at("2026-11-24", 10))
    ref = ManualReminderRef(MP, ManualReminderKind.QUOTE_DUE, date(2026, 11, 27))
    assert kinds(facts, at("2026-11-27", 18)) == []
    # Queued in working hours, delivered at night (a delayed worker): wait for the morning,
    # as long as it is still due then (it is: the deadline is Monday 10:00).
    decision = decide_manual(ref, facts, CAL, at("2026-11-27", 18))
    assert decision.retry_at == at("2026-11-30", 9) and decision.reminder is None
    # The step moved on before delivery: dropped, not sent.
    accepted = replace(facts, step=ManualStep.ACCEPTED)
    assert decide_manual(ref, accepted, CAL, at("2026-11-27", 11)).drop
    # Delivered after the deadline: late, dropped.
    assert decide_manual(ref, facts, CAL, at("2026-11-30", 11)).drop
    # Gone, or closed: dropped.
    assert decide_manual(ref, None, CAL, at("2026-11-27", 11)).drop
    assert decide_manual(
        ref, replace(facts, step=ManualStep.CANCELED), CAL, at("2026-11-27", 11)
    ).drop
    # On time: sent with the content of now.
    sent = decide_manual(ref, facts, CAL, at("2026-11-27", 11))
    assert sent.reminder is not None and sent.reminder.ref == ref


def test_approval_nudge_one_business_day_after_the_accepted_quote() -> None:
    accepted_at = at("2026-12-04", 15)  # a Friday afternoon
    facts = ManualFacts(
        manual_id=MP,
        step=ManualStep.ACCEPTED,
        filed_by="UFILER",
        approval_due=approval_due(accepted_at, CAL),
    )
    assert facts.approval_due == at("2026-12-07", 15)  # Monday, same time
    assert kinds(facts, at("2026-12-07", 14, 59)) == []
    (nudge,) = plan_manual_reminders(facts, CAL, at("2026-12-07", 15))
    assert nudge.kind == ManualReminderKind.APPROVAL_LATE and nudge.deadline == facts.approval_due
    # Still sendable for 2 business days (keyed by its due day), then dropped as late.
    assert kinds(facts, at("2026-12-09", 10)) == [ManualReminderKind.APPROVAL_LATE]
    assert plan_manual_reminders(facts, CAL, at("2026-12-09", 10))[0].due_day == date(2026, 12, 7)
    assert kinds(facts, at("2026-12-09", 15)) == []
    # Approved: no nudge.
    assert kinds(replace(facts, step=ManualStep.APPROVED), at("2026-12-08", 10)) == []


def test_an_unanswered_quote_is_taken_as_accepted_and_approval_follows() -> None:
    facts = quoted(at("2026-11-24", 10))  # taken as accepted Mon Nov 30 10:00
    assert facts.approval_due == at("2026-12-01", 10)
    deadline = next_deadline(facts, at("2026-11-27", 10))
    assert deadline is not None and deadline.kind == "quote"
    lapsed = next_deadline(facts, at("2026-11-30", 11))
    assert lapsed is not None and lapsed.kind == "approval" and lapsed.at == at("2026-12-01", 10)
    assert kinds(facts, at("2026-12-01", 10)) == [ManualReminderKind.APPROVAL_LATE]


def test_port_prep_the_business_day_before_the_port_date() -> None:
    facts = ManualFacts(
        manual_id=MP,
        step=ManualStep.PORT_DATE_SET,
        filed_by="UFILER",
        port_date=date(2026, 12, 7),  # a Monday
    )
    assert kinds(facts, at("2026-12-04", 8, 59)) == []
    (prep,) = plan_manual_reminders(facts, CAL, at("2026-12-04", 9))
    assert prep.kind == ManualReminderKind.PORT_PREP and prep.due_day == date(2026, 12, 4)
    assert prep.expires_at == CAL.day_start(date(2026, 12, 7))
    assert kinds(facts, at("2026-12-07", 9)) == []  # the day itself: too late for "tomorrow"
    # A port on Fri Nov 27: its eve is Wed Nov 25 (Thursday is Thanksgiving).
    eve = replace(facts, port_date=date(2026, 11, 27))
    assert plan_manual_reminders(eve, CAL, at("2026-11-25", 9))[0].due_day == date(2026, 11, 25)
    deadline = next_deadline(facts, at("2026-12-04", 9))
    assert deadline is not None and deadline.kind == "port" and deadline.at == date(2026, 12, 7)


def test_closed_and_quiet_steps_plan_nothing() -> None:
    base = quoted(at("2026-11-24", 10))
    for step in (ManualStep.COMPLETED, ManualStep.CANCELED, ManualStep.SUBMITTED):
        assert kinds(replace(base, step=step), at("2026-11-27", 10)) == []
    assert next_deadline(replace(base, step=ManualStep.COMPLETED), at("2026-11-27", 10)) is None


def test_refs_round_trip_and_key_their_reminder() -> None:
    ref = ManualReminderRef(MP, ManualReminderKind.PORT_PREP, date(2026, 12, 4))
    due = work.ManualReminder(manual_id=MP, reminder=ref.kind.value, due_day=ref.due_day)
    assert work.restore(due.kind, due.stored(), due.key(), due.owner()) == due
    assert work.ManualReminder(
        manual_id=MP, reminder=ref.kind.value, due_day=ref.due_day
    ).key() == (f"remind:{MP}:port_prep:2026-12-04")
    assert at("2026-12-04", 9).tzinfo == UTC
