"""The desk's planner: reminders due at a moment (LOA, port tomorrow / today, Action Required,
stale), their keys and what a delayed delivery does. Every test hands the planner a clock
reading; nothing sleeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from bot import work
from bot.desk.facts import DeskPolicy, NumberFacts, RequestFacts, loa_deadline
from bot.desk.schedule import (
    ReminderKind,
    decide,
    plan_reminders,
    stale_cutoff,
    stale_from,
)
from bot.porting.statuses import NumberStatus, RequestStatus
from tests.desk.schedule_facts import (
    CAL,
    POLICY,
    SID,
    A,
    B,
    in_progress,
    kinds,
    ny,
    plan,
    rejected,
    waiting,
)

# -- LOA -------------------------------------------------------------------------------------


def test_loa_deadline_is_thirty_days_after_the_loa_went_out() -> None:
    sent = ny(2026, 11, 2, 10, 0)
    assert loa_deadline(sent) == sent + timedelta(days=30)
    assert waiting(sent).loa_deadline == ny(2026, 12, 2, 10, 0)
    # No status change on record: the request's date_created is the start.
    created = ny(2026, 11, 3, 12, 0)
    facts = replace(waiting(sent), status_since=None, date_created=created)
    assert facts.loa_deadline == created + timedelta(days=30)
    assert replace(facts, status=RequestStatus.IN_PROGRESS).loa_deadline is None


def test_loa_reminders_seven_three_one_days_before_at_the_start_of_the_working_day() -> None:
    facts = waiting(ny(2026, 11, 2, 10, 0))  # deadline Wed Dec 2, 10:00
    assert kinds(facts, ny(2026, 11, 25, 8, 59)) == []  # before working hours
    [seven] = plan(facts, ny(2026, 11, 25, 9, 0))
    assert (seven.kind, seven.due_day, seven.days_left) == (ReminderKind.LOA, date(2026, 11, 25), 7)
    assert seven.deadline == ny(2026, 12, 2, 10, 0) and seven.mention == "U1"
    assert seven.key == f"remind:{SID}:loa:2026-11-25"
    assert kinds(facts, ny(2026, 11, 26, 11, 0)) == []  # Thanksgiving: not a working day
    # Three days before is Sunday Nov 29: the reminder goes on the business day before.
    [three] = plan(facts, ny(2026, 11, 27, 9, 30))
    assert (three.due_day, three.days_left) == (date(2026, 11, 27), 5)
    [one] = plan(facts, ny(2026, 12, 1, 16, 0))
    assert (one.due_day, one.days_left) == (date(2026, 12, 1), 1)
    assert kinds(facts, ny(2026, 12, 2, 9, 59)) == [(ReminderKind.LOA, date(2026, 12, 1))]
    assert kinds(facts, ny(2026, 12, 2, 10, 0)) == []  # the deadline passed: Twilio cancels


def test_a_request_first_seen_late_gets_only_the_reminder_due_now() -> None:
    facts = waiting(ny(2026, 11, 2, 10, 0), date_created=ny(2026, 10, 30, 9, 0))
    got = plan(facts, ny(2026, 11, 30, 11, 0))  # 2 days left
    assert [(r.kind, r.due_day) for r in got] == [(ReminderKind.LOA, date(2026, 11, 27))]


def test_loa_reminder_times_hold_over_the_dst_change() -> None:
    facts = waiting(ny(2026, 10, 20, 10, 0))  # EDT; deadline Nov 19 in EST
    [r] = plan(facts, ny(2026, 11, 12, 9, 0))
    assert CAL.local(r.due_at).time() == time(9, 0)
    assert r.due_at == datetime(2026, 11, 12, 14, tzinfo=UTC)


def test_adopted_request_mentions_nobody_and_remind_days_follow_the_policy() -> None:
    facts = replace(waiting(ny(2026, 11, 2, 10, 0)), filed_by=None)
    policy = DeskPolicy(loa_remind_days=(10,))
    [r] = plan(facts, ny(2026, 11, 20, 10, 0), policy)
    assert r.mention is None and r.due_day == date(2026, 11, 20) and r.days_left == 12
    assert plan(facts, ny(2026, 12, 1, 10), DeskPolicy(loa_remind_days=())) == []


# -- delivery: reasons that went away, late workers ------------------------------------------


def test_a_reminder_whose_reason_went_away_is_dropped() -> None:
    facts = waiting(ny(2026, 11, 2, 10, 0))
    now = ny(2026, 11, 25, 9, 1)
    [r] = plan(facts, now)
    assert decide(r.ref, facts, POLICY, CAL, now).reminder == r
    signed = replace(facts, status=RequestStatus.IN_PROGRESS, status_since=now)
    assert decide(r.ref, signed, POLICY, CAL, now + timedelta(minutes=1)).drop
    assert decide(r.ref, None, POLICY, CAL, now).drop
    canceled = replace(facts, status=RequestStatus.CANCELED)
    assert decide(r.ref, canceled, POLICY, CAL, now).drop


def test_a_delayed_worker_waits_for_working_hours_and_never_sends_a_superseded_one() -> None:
    facts = waiting(ny(2026, 11, 2, 10, 0))
    [seven] = plan(facts, ny(2026, 11, 24, 9, 0) + timedelta(days=1))
    # Queued Wednesday morning, the worker gets to it at 17:30: not at night.
    evening = decide(seven.ref, facts, POLICY, CAL, ny(2026, 11, 25, 17, 30))
    assert evening.reminder is None and evening.retry_at is None  # superseded by Friday's
    early = replace(facts, status_since=ny(2026, 11, 1, 10, 0))  # deadline Dec 1
    [r] = plan(early, ny(2026, 11, 24, 9, 0))
    later = decide(r.ref, early, POLICY, CAL, ny(2026, 11, 24, 18, 0))
    assert later.retry_at == ny(2026, 11, 25, 9, 0) and later.reminder is None
    assert decide(r.ref, early, POLICY, CAL, later.retry_at).reminder is not None


def test_replanning_gives_the_same_key_so_a_restart_or_second_process_adds_nothing() -> None:
    facts = waiting(ny(2026, 11, 2, 10, 0))
    keys = {
        r.key
        for minute in range(0, 480, 7)
        for r in plan(facts, ny(2026, 11, 25, 9, 0) + timedelta(minutes=minute))
    }
    assert keys == {f"remind:{SID}:loa:2026-11-25"}
    queued = work.Reminder(
        request_sid=SID, reminder=ReminderKind.LOA.value, due_day=date(2026, 11, 25)
    )
    ref = work.restore(queued.kind, queued.stored(), queued.key(), queued.owner())
    assert ref.key() in keys


# -- port dates ------------------------------------------------------------------------------


def test_port_tomorrow_on_the_business_day_before_and_port_today_in_the_morning() -> None:
    facts = in_progress(
        NumberFacts(A, NumberStatus.PORT_PENDING, date(2026, 12, 7)),  # Monday
        NumberFacts(B, NumberStatus.PORT_PENDING, date(2026, 12, 7)),
    )
    [eve] = plan(facts, ny(2026, 12, 4, 9, 0))  # Friday
    assert eve.kind == ReminderKind.PORT_TOMORROW and eve.ports[0].numbers == (A, B)
    assert kinds(facts, ny(2026, 12, 5, 10, 0)) == []  # Saturday
    [day] = plan(facts, ny(2026, 12, 7, 9, 5))
    assert (day.kind, day.due_day) == (ReminderKind.PORT_TODAY, date(2026, 12, 7))
    assert kinds(facts, ny(2026, 12, 7, 17, 0)) == []
    # The Friday reminder, delivered on Monday, is late: dropped.
    assert decide(eve.ref, facts, POLICY, CAL, ny(2026, 12, 7, 9, 5)).drop


def test_port_dates_sharing_an_eve_share_one_reminder_and_weekend_ports_get_no_morning() -> None:
    facts = in_progress(
        NumberFacts(A, NumberStatus.PORT_PENDING, date(2026, 12, 5)),  # Saturday
        NumberFacts(B, NumberStatus.PORT_PENDING, date(2026, 12, 7)),
    )
    [eve] = plan(facts, ny(2026, 12, 4, 10, 0))
    assert [p.day for p in eve.ports] == [date(2026, 12, 5), date(2026, 12, 7)]
    assert [r.kind for r in plan(facts, ny(2026, 12, 7, 10))] == [ReminderKind.PORT_TODAY]


def test_a_moved_port_date_or_a_ported_number_drops_its_reminders() -> None:
    facts = in_progress(NumberFacts(A, NumberStatus.PORT_PENDING, date(2026, 12, 1)))
    [eve] = plan(facts, ny(2026, 11, 30, 9, 0))
    moved = in_progress(NumberFacts(A, NumberStatus.PORT_PENDING, date(2026, 12, 3)))
    assert decide(eve.ref, moved, POLICY, CAL, ny(2026, 11, 30, 9, 1)).drop
    done = in_progress(NumberFacts(A, NumberStatus.COMPLETED, date(2026, 12, 1)))
    assert plan(done, ny(2026, 12, 1, 10)) == []
    # Thanksgiving week: a Monday port's eve is the Friday after Thanksgiving.
    monday = in_progress(NumberFacts(A, NumberStatus.PORT_PENDING, date(2026, 11, 30)))
    assert kinds(monday, ny(2026, 11, 27, 9, 0)) == [
        (ReminderKind.PORT_TOMORROW, date(2026, 11, 27))
    ]


# -- Action Required ------------------------------------------------------------------------


def test_action_required_unanswered_for_two_business_days_gets_one_reply() -> None:
    facts = rejected(ny(2026, 12, 7, 10, 0))
    assert kinds(facts, ny(2026, 12, 9, 9, 59)) == []
    [r] = plan(facts, ny(2026, 12, 9, 10, 0))
    assert r.kind == ReminderKind.ACTION_REQUIRED and r.rejections[0].rejection_code == "22154"
    # Still there next week: the same key (one reply), and no expiry.
    assert [x.key for x in plan(facts, ny(2026, 12, 14, 10))] == [r.key]
    # Over Thanksgiving: Wednesday 15:00 + 2 business days = Monday 15:00.
    late = rejected(ny(2026, 11, 25, 15, 0))
    assert kinds(late, ny(2026, 11, 30, 15, 0)) == [
        (ReminderKind.ACTION_REQUIRED, date(2026, 11, 30))
    ]


def test_action_required_answered_before_the_reply_is_dropped() -> None:
    facts = rejected(ny(2026, 12, 7, 10, 0))
    [r] = plan(facts, ny(2026, 12, 9, 10, 0))
    fixed = replace(facts, numbers=(NumberFacts(A, NumberStatus.CANCELED),))
    assert decide(r.ref, fixed, POLICY, CAL, ny(2026, 12, 9, 10, 1)).drop


# -- stale ---------------------------------------------------------------------------------


def test_stale_nudge_after_five_business_days_repeated_weekly() -> None:
    facts = RequestFacts(SID, RequestStatus.IN_REVIEW, ny(2026, 12, 7, 10, 0), filed_by="U1")
    assert kinds(facts, ny(2026, 12, 14, 9, 59), stale=True) == []
    assert kinds(facts, ny(2026, 12, 14, 10, 0), stale=True) == [
        (ReminderKind.STALE, date(2026, 12, 14))
    ]
    assert kinds(facts, ny(2026, 12, 18, 16, 0), stale=True) == [
        (ReminderKind.STALE, date(2026, 12, 14))
    ]
    assert kinds(facts, ny(2026, 12, 21, 10, 0), stale=True) == [
        (ReminderKind.STALE, date(2026, 12, 21))
    ]
    # A week later Christmas is Friday; Monday Dec 28 is a business day.
    assert kinds(facts, ny(2026, 12, 28, 12, 0), stale=True) == [
        (ReminderKind.STALE, date(2026, 12, 28))
    ]
    # A nudge that would fall on Thanksgiving goes the next business morning.
    thu = RequestFacts(SID, RequestStatus.IN_PROGRESS, ny(2026, 11, 12, 11, 0))
    assert kinds(thu, ny(2026, 11, 19, 11, 0), stale=True) == [
        (ReminderKind.STALE, date(2026, 11, 19))
    ]
    assert kinds(thu, ny(2026, 11, 27, 9, 0), stale=True) == [
        (ReminderKind.STALE, date(2026, 11, 27))
    ]


def test_movement_resets_stale_and_a_scheduled_port_is_not_stale() -> None:
    facts = RequestFacts(SID, RequestStatus.IN_PROGRESS, ny(2026, 12, 1, 10, 0))
    assert kinds(facts, ny(2026, 12, 8, 11, 0), stale=True) == [
        (ReminderKind.STALE, date(2026, 12, 8))
    ]
    moved = replace(facts, moved_at=ny(2026, 12, 7, 10, 0))
    assert kinds(moved, ny(2026, 12, 8, 11, 0), stale=True) == []
    scheduled = replace(
        facts, numbers=(NumberFacts(A, NumberStatus.PORT_PENDING, date(2026, 12, 20)),)
    )
    assert kinds(scheduled, ny(2026, 12, 8, 11, 0), stale=True) == []
    assert kinds(replace(facts, status_since=None), ny(2026, 12, 8, 11, 0)) == []


def test_closed_requests_get_nothing() -> None:
    for status in (RequestStatus.COMPLETED, RequestStatus.CANCELED, RequestStatus.EXPIRED):
        facts = rejected(ny(2026, 12, 1, 10, 0))
        assert plan_reminders(replace(facts, status=status), POLICY, CAL, ny(2026, 12, 9, 10)) == []


def test_stale_days_follow_the_policy() -> None:
    facts = RequestFacts(SID, RequestStatus.IN_REVIEW, ny(2026, 12, 7, 10, 0))
    policy = DeskPolicy(stale_days=2)
    assert [r.kind for r in plan(facts, ny(2026, 12, 9, 10), policy, stale=True)] == [
        ReminderKind.STALE
    ]


def test_the_stale_cutoff_agrees_with_the_stale_rule_everywhere() -> None:
    nows = [
        ny(2026, 11, 30, 10, 0),  # after Thanksgiving
        ny(2026, 11, 3, 9, 0),  # after the DST change (Nov 1)
        ny(2026, 12, 7, 8, 0),  # outside working hours
        ny(2026, 12, 12, 13, 17),  # a Saturday
    ]
    for stale_days in (1, 5):
        policy = DeskPolicy(stale_days=stale_days)
        for now in nows:
            cutoff = stale_cutoff(policy, CAL, now)
            for minutes in range(0, 20 * 24 * 60, 37):
                moved = now - timedelta(minutes=minutes)
                stale = (stale_from(moved, [], policy, CAL, now) or now) <= now
                assert (moved <= cutoff) == stale, (now, moved, stale_days)
            assert stale_from(cutoff, [], policy, CAL, now) <= now  # type: ignore[operator]
            after = cutoff + timedelta(microseconds=1)
            assert stale_from(after, [], policy, CAL, now) > now  # type: ignore[operator]


# -- a late delivery, a clock that steps -----------------------------------------------------


def test_a_reminder_sent_late_in_its_window_carries_what_is_true_now() -> None:
    two = (
        NumberFacts(A, NumberStatus.PORT_REJECTED, None, "22154", "INVALID_ADDRESS"),
        NumberFacts(B, NumberStatus.PORT_REJECTED, None, "22155", "INVALID_PIN"),
    )
    facts = rejected(ny(2026, 12, 7, 10, 0), *two)
    [r] = plan(facts, ny(2026, 12, 9, 10, 0))
    assert len(r.rejections) == 2
    one_left = replace(facts, numbers=(two[0], replace(two[1], status=NumberStatus.CANCELED)))
    sent = decide(r.ref, one_left, POLICY, CAL, ny(2026, 12, 9, 11, 0)).reminder
    assert sent is not None and sent.key == r.key
    assert [n.phone_number for n in sent.rejections] == [A]


def test_a_clock_step_back_and_forth_never_makes_a_second_key() -> None:
    facts = rejected(ny(2026, 12, 7, 10, 0))
    seen = set()
    for now in (ny(2026, 12, 9, 10, 0), ny(2026, 12, 8, 10, 0), ny(2026, 12, 9, 16, 0)):
        seen |= {r.key for r in plan(facts, now)}
    assert seen == {f"remind:{SID}:action_required:2026-12-09"}
