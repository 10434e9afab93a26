"""The desk's Block Kit builders (/port-list, the digest, App Home, reminder replies, the
post-port checklist, deadline lines): structure, Slack's limits, fallback text. Pure
builders, no app running."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block

from bot.desk.agenda import agenda, build_digest, build_home
from bot.desk.calendar import BusinessCalendar
from bot.desk.digest_plan import digest_slot
from bot.desk.facts import DeskPolicy, NumberFacts, PortDay
from bot.desk.schedule import Reminder, ReminderKind
from bot.listed_requests import ListedRequest, PortDayCount
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.slack.ids import Action
from bot.slack.list_filter import FilterError, parse_list_filter
from bot.slack.ui.deadlines import (
    loa_line,
    port_dates_line,
    signature_link_text,
    signature_refused_text,
    twilio_notes,
)
from bot.slack.ui.digest import digest_message
from bot.slack.ui.home import home_view
from bot.slack.ui.port_list_answer import filter_error_message, list_csv, list_message
from bot.slack.ui.reminders import COMPLIANCE_URL, checklist_message, reminder_message
from bot.slack.ui.rows import INLINE_ROWS, Message

NY = ZoneInfo("America/New_York")
CAL = BusinessCalendar(NY)
POLICY = DeskPolicy()
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=NY)
WORKSPACE = "https://acme.slack.com/"
SID = "KW" + "a" * 32
SLACK_DATE = re.compile(r"<!date\^\d+\^[^|]+\|\d{4}-\d\d-\d\d>")


def row(i: int, status: str, since: datetime, **kw: object) -> ListedRequest:
    base = {
        "request_sid": f"KW{i:032x}",
        "status": status,
        "customer_name": f"Customer <{i}> & Co",
        "number_count": 3,
        "filed_by": f"U{i % 3}" if i % 4 else None,
        "channel_id": "C1",
        "thread_ts": f"17000{i:05d}.000100",
        "created_at": since,
        "status_since": since,
        "moved_at": since,
        "updated_at": since,
    }
    return ListedRequest(**{**base, **kw})  # type: ignore[arg-type]


STATUSES = ["action_required", "waiting_for_signature", "in_progress", "in_review"]


def many(n: int) -> list[ListedRequest]:
    return [
        row(
            i,
            STATUSES[i % 4],
            NOW - timedelta(days=i % 31, hours=i % 7),
            port_days=(PortDayCount(date(2026, 12, 7) + timedelta(days=i % 5), 2),)
            if i % 4 == 2
            else (),
            rejected=2 if i % 4 == 0 else 0,
        )
        for i in range(1, n + 1)
    ]


def checked(blocks: list[Block], limit: int = 50) -> list[dict]:
    """The blocks as Slack receives them, within its limits (slack_sdk validates too)."""
    dicts = [b.to_dict() for b in blocks]
    assert 0 < len(dicts) <= limit
    for d in dicts:
        if d["type"] == "section":
            assert len(d["text"]["text"]) <= 3000
        if d["type"] == "actions":
            assert len(d["elements"]) <= 25
    assert len(json.dumps(dicts)) < 40_000
    return dicts


def check(message: Message) -> str:
    assert message.text.strip() and len(message.text) <= 3000
    dicts = checked(message.blocks)
    return "\n".join(json.dumps(d, ensure_ascii=False) for d in dicts)


# -- /port-list ---------------------------------------------------------------------------


def test_port_list_shows_twenty_rows_with_thread_links_and_freshness() -> None:
    items = agenda(many(12), POLICY, CAL, NOW)
    m = list_message(
        items,
        asked="open requests",
        now=NOW,
        oldest_sync=NOW - timedelta(minutes=4),
        poll=timedelta(minutes=5),
        workspace_url=WORKSPACE,
    )
    body = check(m)
    assert m.csv is None
    assert "12 requests" in body and "most urgent first" in body
    assert "https://acme.slack.com/archives/C1/p1700000001000100" in body
    assert "4 min ago" in body and "every 5 minutes" in body
    assert "Customer &lt;1&gt; &amp; Co" in body  # names from elsewhere are escaped
    assert SLACK_DATE.search(body)  # deadlines as Slack dates
    assert "adopted" in body  # who is on it, or nobody
    # Most urgent (Action Required) first.
    assert body.index("Action Required") < body.index("In Review")


def test_port_list_past_twenty_rows_goes_in_a_csv() -> None:
    items = agenda(many(10_000), POLICY, CAL, NOW)
    m = list_message(items, asked="all requests", now=NOW, workspace_url=WORKSPACE)
    body = check(m)
    assert "10,000 requests" in body and "9,980 more" in body
    assert m.csv is not None and m.csv_name and m.csv_name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(m.csv)))
    assert rows[0][:3] == ["request_sid", "status", "customer"]
    assert len(rows) == 10_001
    assert [r[0] for r in rows[1 : INLINE_ROWS + 1]] == [i.request_sid for i in items[:20]]
    # The answer can go first and the CSV after it: the same rows, the same file.
    later = list_message(
        items, asked="all requests", now=NOW, workspace_url=WORKSPACE, with_csv=False
    )
    assert later.csv is None and "CSV below" in check(later)
    assert later.blocks == m.blocks
    assert list_csv(items, NOW, WORKSPACE) == (m.csv, m.csv_name)


def test_port_list_without_links_names_the_request_and_says_when_nothing_matches() -> None:
    items = agenda(many(2), POLICY, CAL, NOW)
    body = check(list_message(items, asked="open requests", now=NOW))
    assert f"/port-status {items[0].request_sid}" in body
    empty = list_message([], asked="open requests filed by <@U1>", now=NOW)
    assert "No open requests filed by <@U1> found" in check(empty)


def test_an_unreadable_filter_names_it_and_the_accepted_words() -> None:
    with pytest.raises(FilterError) as error:
        parse_list_filter("mine pending", "U1")
    m = filter_error_message(error.value)
    body = check(m)
    assert "“pending”" in m.text
    for word in ("action", "signature", "progress", "review", "completed", "canceled", "all"):
        assert f"`{word}`" in m.text
    assert "mine" in body and "since 30d" in body


# -- the digest ---------------------------------------------------------------------------


def digest_for(rows: list[ListedRequest]) -> Message:
    slot = digest_slot("C1", date(2026, 12, 4), POLICY, CAL)
    assert slot is not None
    since = NOW - timedelta(days=1)  # the previous digest's
    digest = build_digest(slot, rows, rows[:5], POLICY, CAL, NOW, since=since)
    assert digest is not None
    return digest_message(digest, workspace_url=WORKSPACE)


def test_digest_counts_changes_needs_and_ports() -> None:
    m = digest_for(many(10))
    body = check(m)
    assert "Porting digest" in body and "10 open requests" in body
    assert "Action Required" in body and "Since the last digest" in body
    assert "Needs a person" in body and "Port dates, next business days" in body
    assert "https://acme.slack.com/archives/C1/" in body
    assert m.csv is None


def test_digest_past_twenty_rows_attaches_every_row_as_csv() -> None:
    m = digest_for(many(1000))
    body = check(m)
    assert m.csv is not None and "more rows in the CSV" in body
    rows = list(csv.reader(io.StringIO(m.csv)))
    assert rows[0][:2] == ["section", "port_date"]
    assert {r[0] for r in rows[1:]} == {"needs a person", "port date"}


def test_digest_with_nobody_needed() -> None:
    m = digest_for([row(1, "in_progress", NOW - timedelta(hours=1))])
    body = check(m)
    assert "nobody" in body and "Since the last digest" in body and "1 new request" in body


# -- App Home -----------------------------------------------------------------------------


def test_home_for_someone_who_filed_nothing() -> None:
    home = build_home("U9", [], [], POLICY, CAL, NOW)
    view = home_view(home, now=NOW, workspace_url=WORKSPACE).to_dict()
    assert view["type"] == "home"
    text = json.dumps(view)
    assert "Needs you" in text and "Needs someone" in text and "Port dates this week" in text
    assert "You have not filed any port-ins yet" in text
    assert Action.HOME_REFRESH in text


def test_home_says_when_it_was_shown_in_real_time_when_the_desk_runs_on_the_sandbox() -> None:
    home = build_home("U9", [], [], POLICY, CAL, NOW)
    real = NOW - timedelta(days=3)  # the demo's fast clock runs ahead of the reader's
    text = json.dumps(home_view(home, now=NOW, shown_at=real).to_dict())
    assert f"<!date^{int(real.timestamp())}^" in text
    assert f"<!date^{int(NOW.timestamp())}^" not in text


def test_home_with_two_hundred_requests_stays_within_one_hundred_blocks() -> None:
    rows = many(400)
    mine = [r for r in rows if r.filed_by == "U1"][:200]
    home = build_home("U1", rows, mine, POLICY, CAL, NOW, oldest_sync=NOW - timedelta(1))
    view = home_view(home, now=NOW, workspace_url=WORKSPACE)
    blocks = checked(view.blocks, limit=100)  # type: ignore[arg-type]
    text = json.dumps(blocks)
    assert "more: `/port-list` shows them all" in text
    refresh = [b for b in blocks if b.get("accessory", {}).get("action_id") == Action.REFRESH]
    assert refresh and all(b["accessory"]["value"].startswith("KW") for b in refresh)
    assert "/archives/C1/p" in text and "1 day ago" in text
    view.to_dict()  # slack_sdk's own validation of the view


# -- reminders and the checklist ---------------------------------------------------------


def reminder(kind: ReminderKind, **kw: object) -> Reminder:
    base = {
        "request_sid": SID,
        "kind": kind,
        "due_day": date(2026, 12, 4),
        "due_at": NOW,
        "expires_at": None,
        "mention": "U1",
        "status": RequestStatus.WAITING_FOR_SIGNATURE,
    }
    return Reminder(**{**base, **kw})  # type: ignore[arg-type]


def test_loa_reminder_mentions_the_filer_with_the_deadline_and_a_private_link_button() -> None:
    r = reminder(ReminderKind.LOA, deadline=NOW + timedelta(days=3), days_left=3)
    m = reminder_message(r, signer="Jane Doe")
    body = check(m)
    assert "<@U1>" in m.text and "3 days left" in m.text and "Jane Doe" in m.text
    assert SLACK_DATE.search(m.text)
    assert Action.SIGNATURE_LINK in body
    assert "https://" not in body.replace("twilio.com/docs", "")  # no signing link inline
    adopted = reminder_message(replace(r, mention=None), signer=None)
    assert "<@" not in adopted.text


def test_port_reminders() -> None:
    ports = (PortDay(date(2026, 12, 7), ("+14155550100", "+14155550101")),)
    eve = reminder_message(
        reminder(ReminderKind.PORT_TOMORROW, due_day=date(2026, 12, 6), ports=ports)
    )
    check(eve)
    assert "port tomorrow" in eve.text
    assert "Keep the old service active until the port completes" in eve.text
    assert "voice and messaging on these numbers now" in eve.text
    assert "+1 415-555-0100" in eve.text
    friday = reminder_message(reminder(ReminderKind.PORT_TOMORROW, ports=ports))
    assert "port on" in friday.text  # Friday for a Monday port: not "tomorrow"
    day = reminder_message(
        reminder(ReminderKind.PORT_TODAY, due_day=date(2026, 12, 7), ports=ports)
    )
    check(day)
    assert "port today" in day.text and "SMS can lag voice" in day.text


def test_action_required_reminder_lists_open_rejections_and_their_fixes() -> None:
    rejections = (
        NumberFacts("+14155550100", NumberStatus.PORT_REJECTED, None, "22154", "INVALID_ADDRESS"),
        NumberFacts("+14155550101", NumberStatus.PORT_REJECTED, None, "22154", "INVALID_ADDRESS"),
        NumberFacts("+14155550102", NumberStatus.PORT_REJECTED, None, "22155", None),
    )
    r = reminder(
        ReminderKind.ACTION_REQUIRED,
        since=NOW - timedelta(days=2),
        rejections=rejections,
        status=RequestStatus.ACTION_REQUIRED,
    )
    m = reminder_message(r)
    check(m)
    assert "<@U1>" in m.text and "3 rejections still open" in m.text
    assert "INVALID_ADDRESS (22154)" in m.text and "INVALID_PIN (22155)" in m.text
    assert "from the carrier's CSR" in m.text  # the steps of bot.porting.playbooks
    assert "*Who acts:* the porting desk" in m.text and "*Who acts:* the customer" in m.text
    assert any(
        e.get("action_id") == "how_to_fix"
        for b in m.blocks
        for e in b.to_dict().get("elements", [])
    )
    assert "+1 415-555-0100, +1 415-555-0101" in m.text


@pytest.mark.parametrize(
    ("status", "waiting"),
    [
        (RequestStatus.IN_REVIEW, "Twilio's review"),
        (RequestStatus.IN_PROGRESS, "losing carrier"),
        (RequestStatus.WAITING_FOR_SIGNATURE, "signing the LOA"),
        (RequestStatus.UNKNOWN, "Pending Carrier Review"),
    ],
)
def test_stale_nudge_says_what_it_waits_on_and_what_to_ask_twilio(
    status: RequestStatus, waiting: str
) -> None:
    r = reminder(ReminderKind.STALE, status=status, since=NOW - timedelta(days=8))
    label = "Pending Carrier Review" if status == RequestStatus.UNKNOWN else None
    m = reminder_message(r, status_label=label, ticket=1234)
    check(m)
    assert waiting in m.text and "What to ask Twilio" in m.text and "ticket #1234" in m.text
    assert SID in m.text


def test_post_port_checklist() -> None:
    m = checklist_message(["+14155550100", "+14155550101"], canceled=1, mention="U1")
    check(m)
    assert "2 numbers ported" in m.text and "1 number canceled" in m.text
    assert "voice and messaging" in m.text
    assert COMPLIANCE_URL in m.text and "compliance requirements" in m.text
    assert "SMS can lag voice by up to a couple of hours" in m.text
    assert "Keep the old carrier account until every number has ported" in m.text


# -- deadline lines and the signing link ------------------------------------------------


def test_loa_line_has_the_deadline_as_a_slack_date() -> None:
    sent = datetime(2026, 11, 2, 15, 0, tzinfo=ZoneInfo("UTC"))
    line = loa_line("Jane <Doe>", sent)
    deadline = int((sent + timedelta(days=30)).timestamp())
    assert f"<!date^{deadline}^" in line and "Jane &lt;Doe&gt;" in line


def test_board_extras_and_signature_texts() -> None:
    assert port_dates_line([]) is None
    assert "Port date:" in (port_dates_line([PortDay(date(2026, 12, 7), ("+1",))]) or "")
    two = port_dates_line(
        [PortDay(date(2026, 12, 7), ("+1",)), PortDay(date(2026, 12, 9), ("+2", "+3"))]
    )
    assert two and "2 numbers" in two
    notes = twilio_notes(
        order_cancellation_reason="Customer request",
        support_ticket_id=42,
        suggested_action="Upload a new bill",
    )
    assert len(notes) == 3 and "#42" in notes[2]
    assert twilio_notes() == []
    assert "https://sign.example/x" in signature_link_text("https://sign.example/x", "Jane")
    assert "e-mail" in signature_link_text(None, None)
    assert "<@U1>" in signature_refused_text("U1") and "outside" in signature_refused_text(None)
