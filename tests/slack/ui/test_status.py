"""/port-status: the board, who filed and canceled what, the numbers, and the CSV."""

from __future__ import annotations

import csv
import io

import pytest

from bot.slack.ids import Action
from bot.slack.ui import status
from bot.slack.ui.fmt import SECTION_TEXT_LIMIT
from tests.slack.ui.block_kit import action_ids, block_types, message_problems, texts
from tests.slack.ui.samples import AT, MANY, SID, history, snapshot


@pytest.mark.parametrize("count", [0, 1, 30, 31, MANY])
@pytest.mark.parametrize("followed", [True, False])
def test_every_status_keeps_slacks_limits(count: int, followed: bool) -> None:
    s = snapshot(count, thread=snapshot(0).thread if followed else None)
    blocks = status.status_blocks(s, permalink="https://slack.test/p/1", history=history())
    assert message_problems(f"Port-in {SID}", blocks) == []
    assert block_types(blocks)[:3] == ["section", "context", "section"]
    assert block_types(blocks)[-1] == "actions"


def test_a_request_not_followed_offers_follow_one_followed_opens_its_thread() -> None:
    unfollowed = status.status_blocks(snapshot(3, thread=None))
    assert action_ids(unfollowed) == [Action.FOLLOW, Action.NUMBERS_CSV]
    followed = status.status_blocks(snapshot(3), permalink="https://slack.test/p/1")
    assert action_ids(followed) == [Action.OPEN_LINK, Action.NUMBERS_CSV]
    assert followed[-1].to_dict()["elements"][0]["url"] == "https://slack.test/p/1"


def test_a_thousand_numbers_show_the_most_urgent_and_point_to_the_csv() -> None:
    blocks = status.status_blocks(snapshot(MANY))
    listed = blocks[-3].to_dict()["text"]["text"]
    assert len(listed) <= SECTION_TEXT_LIMIT
    assert listed.splitlines()[0].endswith("(22102)")  # rejections first, with their reason
    assert listed.splitlines()[-1] == "…and 970 more (use *Numbers as CSV*)."
    rows = list(csv.reader(io.StringIO(status.numbers_csv(snapshot(MANY).request))))
    assert len(rows) == MANY + 1 and rows[0][0] == "phone_number"


def test_history_says_who_did_what_and_elides_the_middle() -> None:
    shown = status.history_text(history())
    first = f"📝 Filed by <@UFILER> on <!date^{int(AT.timestamp())}^{{date_short}}|2026-11-02>"
    assert shown.splitlines()[0] == first
    assert "…" in shown.splitlines() and len(shown.splitlines()) == 11
    assert "Twilio refused others" in shown and "tried to cancel the request" in shown
    assert "failed" not in shown  # a filing that did not happen is not history
    assert "Filed by" in texts(status.status_blocks(snapshot(1), history=history()))


def test_rejected_numbers_get_their_playbook_in_full_when_it_fits() -> None:
    s = snapshot(2, "action_required", statuses=("rejected", "pending"))
    for n in s.request.phone_numbers:
        n.rejection_reason, n.rejection_reason_code = None, "22154"
    blocks = status.status_blocks(s)
    fixes = blocks[-2].to_dict()["text"]["text"]
    assert fixes.startswith("*How to fix*") and "INVALID_ADDRESS (22154)" in fixes
    assert "*Who acts:* the porting desk" in fixes and "1. Get the service address" in fixes
    assert Action.HOW_TO_FIX not in action_ids(blocks), "all of it is shown already"


def test_many_reasons_are_summarised_and_the_steps_are_behind_how_to_fix() -> None:
    s = snapshot(20, "action_required", statuses=("rejected",))
    for i, n in enumerate(s.request.phone_numbers):
        n.rejection_reason, n.rejection_reason_code = None, str(22150 + i % 10)
    blocks = status.status_blocks(s)
    assert message_problems(f"Port-in {SID}", blocks) == []
    fixes = blocks[-2].to_dict()["text"]["text"]
    assert "INVALID_PIN (22155)" in fixes and "Fix:" not in fixes
    assert Action.HOW_TO_FIX in action_ids(blocks)
