"""The manual-port builders (pure): every message and modal within Block Kit's limits, also
for a port of 150 numbers at their own long addresses; what each says."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.desk.manual.agenda import ordered
from bot.desk.manual.schedule import ManualReminder, ManualReminderKind
from bot.desk.manual.steps import ManualMove, board_moves
from bot.desk.manual.types import (
    CountryGroup,
    DocumentKind,
    ManualDetails,
    ManualDocument,
    ManualNumber,
    ManualPort,
    ManualStep,
    RejectionReason,
)
from bot.desk.records import AuditRecord, Thread
from bot.slack.ids import Action
from bot.slack.ui.manual import (
    form_modals,
    manual_board,
    manual_reminders,
    manual_replies,
    manual_rows,
    manual_status,
    start_offer,
    step_modals,
)
from bot.work import ManualReply
from tests.slack.ui.block_kit import action_ids, message_problems, modal_problems, texts

NOW = datetime(2026, 11, 24, 15, tzinfo=UTC)
UK = "+442071838750"


def port(numbers: int = 2, *, long: bool = False, **changes: object) -> ManualPort:
    address = "1 High Street, London EC1A 1AA, United Kingdom"
    numbers_ = [
        ManualNumber(
            number=f"+4420718{38750 + i:05d}",
            address=("Unit 7, " * 20 + address) if long and i % 2 else None,
        )
        for i in range(numbers)
    ]
    details = ManualDetails(
        country="GB",
        country_name="United Kingdom",
        customer_name="Acme <Ltd> & Co",
        numbers=numbers_,
        service_address=address,
        losing_carrier="BT",
        documents=[
            ManualDocument(
                kind=DocumentKind.LOA,
                file_id="F1",
                name="loa.pdf",
                mimetype="application/pdf",
                size=10,
                url="https://files.example/loa.pdf",
            )
        ],
        channel_id="CPORTING",
    )
    base = ManualPort(
        id="MP" + "a" * 32,
        details=details,
        step=ManualStep.STARTED,
        filed_by="U123",
        version=3,
        created_at=NOW,
        updated_at=NOW,
        step_changed_at=NOW,
        thread=Thread("CPORTING", "1.000100"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


STEPS = {
    ManualStep.STARTED: {},
    ManualStep.SUBMITTED: {"ticket": "88123"},
    ManualStep.QUOTED: {
        "ticket": "88123",
        "quote": "GBP 120",
        "quote_deadline": NOW + timedelta(days=4),
        "approval_due": NOW + timedelta(days=5),
    },
    ManualStep.ACCEPTED: {"approval_due": NOW + timedelta(days=1)},
    ManualStep.APPROVED: {},
    ManualStep.PORT_DATE_SET: {"port_date": date(2026, 12, 8)},
    ManualStep.REJECTED: {"rejection": RejectionReason.ADDRESS},
    ManualStep.COMPLETED: {},
    ManualStep.CANCELED: {},
}


@pytest.mark.parametrize("step", list(ManualStep))
def test_the_board_at_every_step(step: ManualStep) -> None:
    p = port(step=step, **STEPS[step])  # type: ignore[arg-type]
    blocks = manual_board.board_blocks(p, NOW)
    assert message_problems(manual_board.board_text(p), blocks) == []
    shown = texts(blocks)
    assert "Acme &lt;Ltd&gt; &amp; Co" in shown  # names from elsewhere are escaped
    ids = action_ids(blocks)
    if step.closed:
        assert ids == []
    else:
        assert ids[-1] == Action.MANUAL_CANCEL and Action.MANUAL_ADD_DOCUMENTS in ids
        assert len(ids) == len(board_moves(step)) + 1
        assert "Outstanding: CSR · bill" in shown
    if step == ManualStep.QUOTED:
        assert "Twilio takes the fee quote as accepted" in shown
    if step == ManualStep.REJECTED:
        assert "Fix: Get the Customer Service Record" in shown


def test_a_quote_that_lapsed_shows_approval_next() -> None:
    p = port(step=ManualStep.QUOTED, **STEPS[ManualStep.QUOTED])  # type: ignore[arg-type]
    shown = texts(manual_board.board_blocks(p, NOW + timedelta(days=4, minutes=1)))
    assert "Twilio took the fee quote as accepted" in shown
    assert "Next: Twilio should have approved" in shown


@pytest.mark.parametrize("numbers,long", [(2, False), (150, True)])
def test_the_support_request_fits_and_lists_step_1_in_order(numbers: int, long: bool) -> None:
    p = port(numbers, long=long)
    text, blocks = manual_replies.started_reply(p)
    assert message_problems(text, blocks) == []
    assert manual_replies.request_is_long(p.details) == long
    body = manual_replies.support_request_text(p.details)
    assert body.index("1. Business name") < body.index("2. Numbers") < body.index("3. Physical")
    assert body.index("4. Losing carrier") < body.index("5. Letter") < body.index("7. Most recent")
    if long:
        assert "support-request.txt" in texts(blocks)


@pytest.mark.parametrize("move", list(ManualMove))
def test_every_move_is_announced_within_limits(move: ManualMove) -> None:
    news = ManualReply(
        manual_id="MP1",
        event="moved",
        user_id="U9",
        move=move.value,
        previous="submitted",
        ticket="88123",
        quote="GBP 120",
        quote_deadline=NOW,
        approval_due=NOW,
        port_date=date(2026, 12, 8),
        reason="pin",
        note="Postcode <mismatch>" if move == ManualMove.REJECT else None,
    )
    text, blocks = manual_replies.reply_for(port(), news)
    assert message_problems(text, blocks) == []
    if move == ManualMove.QUOTE:
        assert f"<!date^{int(NOW.timestamp())}^" in text and "2026-11-24 15:00 UTC" in text


def test_documents_and_a_copy_that_failed() -> None:
    news = ManualReply(
        manual_id="MP1", event="documents", user_id="U9", documents=("csr", "nonsense")
    )
    text, blocks = manual_replies.reply_for(port(), news)
    assert message_problems(text, blocks) == [] and "Customer Service Record" in text
    text, blocks = manual_replies.copy_failed_reply("loa.pdf", "Slack answered 404")
    assert message_problems(text, blocks) == [] and "Add documents" in text


@pytest.mark.parametrize("kind", list(ManualReminderKind))
def test_reminders(kind: ManualReminderKind) -> None:
    r = ManualReminder(
        manual_id="MP" + "a" * 32,
        kind=kind,
        due_day=NOW.date(),
        due_at=NOW,
        expires_at=None,
        mention="U123",
        country_name="United Kingdom",
        number_count=3,
        ticket="88123",
        quote="GBP 120",
        deadline=NOW,
        port_date=date(2026, 12, 8),
    )
    text, blocks = manual_reminders.reminder_message(r)
    assert message_problems(text, blocks) == [] and text.startswith(("⏰", "🧭", "📅"))
    assert "<@U123>" in text


def test_the_modals() -> None:
    view = form_modals.manual_form(
        country_name="United Kingdom",
        numbers=[UK],
        today=NOW.date(),
        porting_channel="CPORTING",
        note="Left out: something",
    )
    assert modal_problems(view) == []
    assert modal_problems(form_modals.documents_view(port(), NOW.date())) == []
    for move in ManualMove:
        if move.asks:
            p = port(step=next(s for s in ManualStep if move.allowed_from(s)))
            assert modal_problems(step_modals.step_view(p, move, today=NOW.date())) == [], move
    assert form_modals.prefill([UK] * 400) is None


def test_start_buttons_console_path_and_offer() -> None:
    groups = [
        CountryGroup("GB", "United Kingdom", (UK,)),
        CountryGroup("US", "United States", ("+18005550100",)),
    ]
    buttons = start_offer.start_buttons(groups, "c" * 32)
    assert [b.action_id for b in buttons] == [Action.MANUAL_START, Action.MANUAL_CONSOLE]
    text, blocks = start_offer.console_message(["+18005550100"])
    assert message_problems(text, blocks) == [] and "Port & Host" in texts(blocks)
    text, blocks = start_offer.manual_offer(groups, opened="port-in")
    assert message_problems(text, blocks) == []
    many = [CountryGroup("FR", "France", tuple(f"+3314268{i:04d}" for i in range(150)))]
    text, blocks = start_offer.manual_offer(many)
    assert "run /port-check" in texts(blocks)  # too many to carry in a button


def test_status_and_listing_rows() -> None:
    history = [
        AuditRecord(NOW, "U123", "manual.started", "ok"),
        AuditRecord(NOW, "U9", "manual.submit", "ok", detail="ticket 1"),
        AuditRecord(NOW, "U8", "manual.cancel", "refused"),
    ]
    p = port(150, long=True)
    blocks = manual_status.manual_status_blocks(p, NOW, permalink="https://x/y", history=history)
    assert message_problems(manual_board.board_text(p), blocks) == []
    shown = texts(blocks)
    assert "moved it: Submitted to Twilio" in shown and "was refused" in shown
    listed = ordered([p, replace(p, step=ManualStep.QUOTED, **STEPS[ManualStep.QUOTED])], NOW)
    # Both need someone: the one waiting since now before the one due in 4 days.
    assert listed[0].port.step == ManualStep.STARTED
    lines = manual_rows.manual_section(listed, "https://acme.slack.com")
    assert lines[0].startswith("🌍 *2 manual ports*")
    assert "https://acme.slack.com/archives/CPORTING/p1000100" in lines[1]
