"""What needs a person, most urgent first, and the digest's and Home's content, from listing
rows (no database here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.desk.agenda import DeadlineKind, Need, agenda, assess, build_digest, build_home
from bot.desk.calendar import BusinessCalendar
from bot.desk.digest_plan import digest_slot
from bot.desk.facts import DeskPolicy
from bot.listed_requests import ListedRequest, PortDayCount
from bot.porting.statuses import RequestStatus

NY = ZoneInfo("America/New_York")
CAL = BusinessCalendar(NY)
POLICY = DeskPolicy()
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=NY)  # Friday


def row(i: int, status: str, since: datetime, **kw: object) -> ListedRequest:
    base = {
        "request_sid": f"KW{i:032x}",
        "status": status,
        "customer_name": f"Customer {i}",
        "number_count": 1,
        "filed_by": "U1",
        "channel_id": "C1",
        "thread_ts": f"{i}.000100",
        "created_at": since,
        "status_since": since,
        "moved_at": since,
        "updated_at": since,
    }
    return ListedRequest(**{**base, **kw})  # type: ignore[arg-type]


def test_needs_a_person_and_deadlines() -> None:
    loa_soon = assess(row(1, "waiting_for_signature", NOW - timedelta(days=28)), POLICY, CAL, NOW)
    assert loa_soon.need == Need.LOA_DUE and loa_soon.deadline
    assert loa_soon.deadline.kind == DeadlineKind.LOA
    assert loa_soon.deadline.at == NOW + timedelta(days=2)
    loa_later = assess(row(2, "waiting_for_signature", NOW - timedelta(days=2)), POLICY, CAL, NOW)
    assert loa_later.need is None and loa_later.deadline
    action = assess(row(3, "action_required", NOW - timedelta(hours=1)), POLICY, CAL, NOW)
    assert action.need == Need.ACTION and action.label == "Action Required"
    stale = assess(row(4, "in_review", NOW - timedelta(days=8)), POLICY, CAL, NOW)
    assert stale.need == Need.STALE
    ported = row(
        5,
        "in_progress",
        NOW - timedelta(days=20),
        port_days=(PortDayCount(date(2026, 12, 9), 3),),
    )
    scheduled = assess(ported, POLICY, CAL, NOW)
    assert scheduled.need is None  # waits for its port date
    assert scheduled.deadline and scheduled.deadline.day == date(2026, 12, 9)
    assert scheduled.deadline.kind == DeadlineKind.PORT
    done = assess(row(6, "completed", NOW - timedelta(days=30)), POLICY, CAL, NOW)
    assert done.need is None and done.deadline is None
    unknown = assess(row(7, "Pending Carrier Review", NOW), POLICY, CAL, NOW)
    assert unknown.status == RequestStatus.UNKNOWN and unknown.label == "Pending Carrier Review"


def test_most_urgent_first() -> None:
    rows = [
        row(1, "completed", NOW - timedelta(days=1)),
        row(2, "in_review", NOW - timedelta(hours=2)),
        row(
            3,
            "in_progress",
            NOW - timedelta(days=1),
            port_days=(PortDayCount(date(2026, 12, 8), 1),),
        ),
        row(4, "in_review", NOW - timedelta(days=9)),  # stale
        row(5, "waiting_for_signature", NOW - timedelta(days=29)),  # LOA due tomorrow
        row(6, "action_required", NOW - timedelta(hours=3)),
        row(7, "action_required", NOW - timedelta(days=3)),  # waiting longer
        row(8, "canceled", NOW - timedelta(hours=1)),
    ]
    order = [int(i.request_sid[2:], 16) for i in agenda(rows, POLICY, CAL, NOW)]
    assert order == [7, 6, 5, 4, 3, 2, 8, 1]


def test_digest_counts_changes_needs_and_port_dates_in_three_business_days() -> None:
    slot = digest_slot("C1", date(2026, 12, 4), POLICY, CAL)
    assert slot is not None
    open_rows = [
        row(1, "action_required", NOW - timedelta(days=1)),
        row(
            2,
            "in_progress",
            NOW - timedelta(hours=20),
            port_days=(PortDayCount(date(2026, 12, 5), 2),),
        ),
        row(
            3,
            "in_progress",
            NOW - timedelta(days=2),
            port_days=(PortDayCount(date(2026, 12, 8), 1),),
        ),
        row(
            4,
            "in_progress",
            NOW - timedelta(days=2),
            port_days=(PortDayCount(date(2026, 12, 9), 1),),
        ),
        row(5, "waiting_for_signature", NOW - timedelta(hours=2), filed_by=None),
    ]
    changed = [
        row(2, "in_progress", NOW - timedelta(hours=20)),
        row(5, "waiting_for_signature", NOW - timedelta(hours=2)),
        row(9, "completed", NOW - timedelta(hours=5), created_at=NOW - timedelta(days=20)),
    ]
    digest = build_digest(slot, open_rows, changed, POLICY, CAL, NOW)
    assert digest is not None and digest.open_count == 5
    assert [(c.label, c.count) for c in digest.counts] == [
        ("Action Required", 1),
        ("Waiting for Signature", 1),
        ("In Progress", 3),
    ]
    assert [(c.label, c.count) for c in digest.changes] == [
        ("Waiting for Signature", 1),
        ("In Progress", 1),
        ("Completed", 1),
    ]
    assert digest.new == 2  # created since Thursday's digest
    assert [i.request_sid for i in digest.needs] == [open_rows[0].request_sid]
    # Friday + 3 business days: Fri, (Sat), Mon, Tue — not Wednesday.
    assert [(p.day, p.numbers) for p in digest.ports] == [
        (date(2026, 12, 5), 2),
        (date(2026, 12, 8), 1),
    ]


def test_no_digest_for_a_channel_with_nothing_open() -> None:
    slot = digest_slot("C1", date(2026, 12, 4), POLICY, CAL)
    assert slot is not None
    changed = [row(9, "completed", NOW - timedelta(hours=5))]
    assert build_digest(slot, [], changed, POLICY, CAL, NOW) is None


def test_home_splits_needs_by_who_filed_and_works_for_someone_who_filed_nothing() -> None:
    open_rows = [
        row(1, "action_required", NOW - timedelta(days=1), filed_by="U1"),
        row(2, "action_required", NOW - timedelta(days=1), filed_by="U2"),
        row(3, "action_required", NOW - timedelta(days=1), filed_by=None),
        row(4, "in_progress", NOW, port_days=(PortDayCount(date(2026, 12, 6), 4),)),
        row(5, "in_progress", NOW, port_days=(PortDayCount(date(2026, 12, 7), 4),)),
    ]
    mine = [
        row(1, "action_required", NOW - timedelta(days=1)),
        row(6, "completed", NOW - timedelta(days=9), created_at=NOW - timedelta(days=40)),
        row(7, "completed", NOW - timedelta(days=9), created_at=NOW - timedelta(days=10)),
    ]
    home = build_home("U1", open_rows, mine, POLICY, CAL, NOW, recent=2)
    assert [i.row.filed_by for i in home.needs_you] == ["U1"]
    assert {i.row.filed_by for i in home.needs_someone} == {"U2", None}
    assert [p.day for p in home.ports_this_week] == [date(2026, 12, 6)]  # to Sunday
    assert [int(i.request_sid[2:], 16) for i in home.recent] == [1, 7]
    nobody = build_home("U9", open_rows, [], POLICY, CAL, NOW)
    assert nobody.needs_you == () and nobody.recent == () and len(nobody.needs_someone) == 3
    empty = build_home("U9", [], [], POLICY, CAL, NOW)
    assert empty.needs_someone == () and empty.ports_this_week == ()


def test_loa_due_soon_follows_the_policy() -> None:
    # 5 days left; a number moved yesterday, so it is not stale either.
    item = row(1, "waiting_for_signature", NOW - timedelta(days=25), moved_at=NOW - timedelta(1))
    assert assess(item, POLICY, CAL, NOW).need is None
    assert (
        assess(item, replace(POLICY, loa_due_soon=timedelta(days=5)), CAL, NOW).need == Need.LOA_DUE
    )
