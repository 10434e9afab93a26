"""The status board (a thread's root message): structure, buttons and Slack's limits."""

from __future__ import annotations

import pytest

from bot.porting.statuses import RequestStatus
from bot.slack.carried import NumbersValue
from bot.slack.ids import Action
from bot.slack.ui import board
from tests.slack.ui.block_kit import action_ids, block_types, message_problems, texts
from tests.slack.ui.samples import MANY, SID, snapshot

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
    assert ids == [Action.REFRESH, Action.NUMBERS_CSV]


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
