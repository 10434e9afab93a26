"""The daily digest's slots: due on business days at the digest time, keyed by channel and day,
dropped when not out by the end of working hours. Every test hands the planner a clock
reading; nothing sleeps."""

from __future__ import annotations

from datetime import date, time

from bot.desk.digest_plan import decide_digest, digest_slot, due_digests
from bot.desk.facts import DeskPolicy
from tests.desk.schedule_facts import CAL, POLICY, ny

# -- the digest ------------------------------------------------------------------------------


def test_digest_on_business_days_at_the_digest_time_keyed_by_channel_and_day() -> None:
    assert due_digests(["C1"], POLICY, CAL, ny(2026, 12, 7, 8, 59)) == []
    [slot] = due_digests(["C1"], POLICY, CAL, ny(2026, 12, 7, 9, 0))
    assert slot.key == "digest:C1:2026-12-07"
    assert due_digests(["C1"], POLICY, CAL, ny(2026, 12, 5, 10, 0)) == []  # Saturday
    assert due_digests(["C1"], POLICY, CAL, ny(2026, 11, 26, 10, 0)) == []  # Thanksgiving
    assert due_digests(["C1"], POLICY, CAL, ny(2026, 11, 27, 10, 0))[0].day == date(2026, 11, 27)
    assert {s.key for s in due_digests(["C1", "C2"], POLICY, CAL, ny(2026, 12, 7, 12))} == {
        "digest:C1:2026-12-07",
        "digest:C2:2026-12-07",
    }
    assert due_digests(["C1"], DeskPolicy(digest_at=None), CAL, ny(2026, 12, 7, 12)) == []


def test_a_digest_not_out_by_the_end_of_working_hours_is_dropped() -> None:
    assert decide_digest("C1", date(2026, 12, 7), POLICY, CAL, ny(2026, 12, 7, 16, 59))
    assert decide_digest("C1", date(2026, 12, 7), POLICY, CAL, ny(2026, 12, 7, 17, 0)) is None
    assert decide_digest("C1", date(2026, 12, 7), POLICY, CAL, ny(2026, 12, 8, 9, 30)) is None
    evening = DeskPolicy(digest_at=time(18, 0))
    slot = digest_slot("C1", date(2026, 12, 7), evening, CAL)
    assert slot is not None and slot.expires_at == ny(2026, 12, 7, 19, 0)
    late = digest_slot("C1", date(2026, 12, 7), DeskPolicy(digest_at=time(23, 30)), CAL)
    assert late is not None and late.expires_at == ny(2026, 12, 8, 0, 0)
