"""A modal that only says something."""

from __future__ import annotations

from bot.slack.ui.modals import message_view
from tests.slack.ui.block_kit import modal_problems


def test_a_message_modal_clips_what_it_says_and_has_no_submit() -> None:
    view = message_view("notice", "Porting bot", "x" * 10_000, context="y" * 10_000).to_dict()
    assert modal_problems(view) == [] and "submit" not in view
    assert [b["type"] for b in view["blocks"]] == ["section", "context"]
