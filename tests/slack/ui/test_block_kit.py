"""The limits checker the builders' tests rely on finds what Slack refuses."""

from __future__ import annotations

from tests.slack.ui.block_kit import message_problems, modal_problems


def test_it_finds_every_kind_of_overrun() -> None:
    def section(text: str) -> dict[str, object]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}

    button = {"type": "button", "text": {"type": "plain_text", "text": "b" * 76}, "action_id": "a"}
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
        section("s" * 3001),
        {"type": "actions", "elements": [button]},
    ] + [section("x")] * 48
    problems = message_problems("", blocks)
    assert len(problems) == 5, problems  # no text, 51 blocks, header, section, button
    modal = {
        "type": "modal",
        "callback_id": "c",
        "title": {"type": "plain_text", "text": "t" * 25},
        "private_metadata": "m" * 3001,
        "blocks": [
            {
                "type": "input",
                "block_id": "i",
                "label": {"type": "plain_text", "text": "l"},
                "element": {
                    "type": "static_select",
                    "action_id": "s",
                    "options": [
                        {"text": {"type": "plain_text", "text": "o"}, "value": str(i)}
                        for i in range(101)
                    ],
                },
            }
        ],
    }
    problems = modal_problems(modal)
    assert len(problems) == 4, problems  # title, metadata, no submit, 101 options
