"""The status board (a thread's root message): structure, buttons and Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.desk.types import RequestSnapshot
from bot.porting.statuses import RequestStatus
from bot.slack.carried import NumbersValue
from bot.slack.ids import Action
from bot.slack.ui import board
from tests.slack.ui.block_kit import action_ids, block_types, message_problems, texts
from tests.slack.ui.samples import AT, MANY, SID, snapshot

STATUSES = [s.value for s in RequestStatus if s is not RequestStatus.UNKNOWN] + ["On Hold"]


@pytest.mark.parametrize("count", [0, 1, 9, MANY])
@pytest.mark.parametrize("status", STATUSES)
def test_every_board_keeps_slacks_limits(count: int, status: str) -> None:
    s = snapshot(count, status)
    text, blocks = board.board_text(s), board.board_blocks(s)
    assert message_problems(text, blocks) == []
    assert block_types(blocks) == ["section", "context", "actions"]
    assert SID in text and f"{count:,} number" in text


def test_an_open_request_offers_refresh_csv_refile_and_both_cancels() -> None:
    blocks = board.board_blocks(snapshot(9, "in_progress"))  # one of its numbers is rejected
    assert action_ids(blocks) == [
        Action.REFRESH,
        Action.HOW_TO_FIX,  # one of the nine numbers is rejected
        Action.NUMBERS_CSV,
        Action.REFILE,
        Action.CANCEL_NUMBERS,
        Action.CANCEL_REQUEST,
    ]
    elements = blocks[2].to_dict()["elements"]
    assert {e["value"] for e in elements if e["action_id"] != Action.REFILE} == {SID}
    refile = next(e for e in elements if e["action_id"] == Action.REFILE)
    assert NumbersValue.model_validate_json(refile["value"]) == NumbersValue(request_sid=SID)
    assert refile["text"]["text"] == "Re-file rejected…"


def test_refile_only_while_a_number_is_rejected() -> None:
    none_rejected = snapshot(3, "in_progress", statuses=("port_pending", "completed"))
    assert Action.REFILE not in action_ids(board.board_blocks(none_rejected))


def test_the_board_names_the_requests_either_side_of_a_refiling() -> None:
    s = snapshot(2, "in_review")
    s.refile_of, s.refiled_as = "KW" + "a" * 32, ("KW" + "b" * 32,)
    shown = texts(board.board_blocks(s))
    assert f"↪️ re-files `KW{'a' * 32}`" in shown and f"re-filed as `KW{'b' * 32}`" in shown


@pytest.mark.parametrize("status", ["completed", "canceled", "expired", "canceling"])
def test_nothing_to_cancel_once_the_request_is_over_or_going(status: str) -> None:
    ids = action_ids(board.board_blocks(snapshot(9, status)))
    assert ids == [Action.REFRESH, Action.HOW_TO_FIX, Action.NUMBERS_CSV]


def test_how_to_fix_only_while_a_number_is_rejected() -> None:
    fine = snapshot(3, "in_progress", statuses=("in_review", "pending", "completed"))
    assert Action.HOW_TO_FIX not in action_ids(board.board_blocks(fine))
    rejected = snapshot(3, "action_required", statuses=("pending", "rejected"))
    assert Action.HOW_TO_FIX in action_ids(board.board_blocks(rejected))


def test_cancel_numbers_only_while_a_number_can_still_go() -> None:
    done = snapshot(3, "in_progress", statuses=("completed", "canceled"))
    assert action_ids(board.board_blocks(done))[2:] == [Action.CANCEL_REQUEST]


def test_a_thousand_numbers_are_counted_by_status_not_listed() -> None:
    shown = texts(board.board_blocks(snapshot(MANY)))
    assert "✅ 111 ported" in shown and "❌ 111 rejected" in shown
    assert "Port Held By Carrier" in shown  # Twilio's words for a status the bot does not know
    assert "+1 415" not in shown and "(415)" not in shown


def test_board_names_who_filed_it_and_the_loa_state() -> None:
    shown = texts(board.board_blocks(snapshot(2, "waiting_for_signature")))
    assert "filed by <@UFILER>" in shown
    assert "LOA: sent to Jane Doe, waiting for signature" in shown


# -- deadlines, port dates and Twilio's notes --------------------------------------------------


def _waiting(filed_by: str | None = "UFILER") -> RequestSnapshot:
    s = snapshot(2, "waiting_for_signature", statuses=("waiting_for_signature",))
    s.filed_by = filed_by
    s.status_since = AT
    return s


def test_waiting_for_signature_shows_the_deadline_and_offers_the_signing_link() -> None:
    blocks = board.board_blocks(_waiting())
    shown = texts(blocks)
    deadline = int((AT + timedelta(days=30)).timestamp())
    assert f"<!date^{deadline}^" in shown and "Twilio cancels the request" in shown
    assert action_ids(blocks)[:3] == [Action.REFRESH, Action.SIGNATURE_LINK, Action.NUMBERS_CSV]
    assert message_problems(board.board_text(_waiting()), blocks) == []


def test_the_deadline_starts_at_date_created_when_twilio_gives_no_status_time() -> None:
    s = _waiting()
    s.status_since = None
    s.request.date_created = AT - timedelta(days=3)
    deadline = int((AT + timedelta(days=27)).timestamp())
    assert f"<!date^{deadline}^" in texts(board.board_blocks(s))


def test_no_signing_link_for_an_adopted_request_or_once_signed() -> None:
    assert Action.SIGNATURE_LINK not in action_ids(board.board_blocks(_waiting(filed_by=None)))
    signed = snapshot(2, "in_progress")
    signed.status_since = AT
    blocks = board.board_blocks(signed)
    assert Action.SIGNATURE_LINK not in action_ids(blocks)
    assert "must be signed" not in texts(blocks)


def test_port_dates_of_numbers_still_porting() -> None:
    s = snapshot(3, "in_progress", statuses=("pending", "pending", "completed"))
    day = int(datetime.combine(AT.date(), time(12), UTC).timestamp())
    assert f"📅 Port date: <!date^{day}^" in texts(board.board_blocks(s))
    done = snapshot(2, "completed", statuses=("completed",))
    assert "Port date" not in texts(board.board_blocks(done))


def test_twilios_notes_cancel_reason_only_once_canceled() -> None:
    s = snapshot(2, "in_progress")
    s.request.support_ticket_id = 4242
    s.request.order_cancellation_reason = "Canceled by the customer"
    s.suggested_action = "Review <rejected> numbers"
    shown = texts(board.board_blocks(s))
    assert "🎫 Twilio support ticket #4242" in shown
    assert "💡 Twilio suggests: Review &lt;rejected&gt; numbers" in shown
    assert "reason for canceling" not in shown
    s.request.raw_status = "canceled"
    assert "🚫 Twilio's reason for canceling: Canceled by the customer" in texts(
        board.board_blocks(s)
    )
