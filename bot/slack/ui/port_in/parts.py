"""What the /port-in form's views share: titles, limits, and the blocks they are made of."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_sdk.models.blocks import (
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)

from bot.slack.ui.fmt import clip

TITLE_1 = "New port-in (1 of 2)"
TITLE_2 = "New port-in (2 of 2)"
TITLE = "New port-in"
TEXT_LIMIT = 3000  # plain_text_input max_length
PER_NUMBER_PINS = 40  # above this, PINs go in one paste area
TIME_ZONES = (
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Arizona"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
)


def pin_layout(count: int) -> str:
    """How step 2 asks for ``count`` PINs: ``single`` (one field), ``per_number`` (one field
    for all plus one per number) or ``list`` (one field for all plus a paste area)."""
    if count <= 1:
        return "single"
    return "per_number" if count <= PER_NUMBER_PINS else "list"


def field(
    block_id: str,
    label: str,
    element: InputInteractiveElement,
    *,
    hint: str | None = None,
    optional: bool = False,
) -> InputBlock:
    """An input block whose only element has the block's id (``bot.slack.view_state``)."""
    return InputBlock(block_id=block_id, label=label, element=element, hint=hint, optional=optional)


def text_input(
    action_id: str,
    *,
    multiline: bool = False,
    max_length: int = 150,
    placeholder: str | None = None,
    initial_value: str | None = None,
) -> PlainTextInputElement:
    return PlainTextInputElement(
        action_id=action_id,
        multiline=multiline,
        max_length=max_length,
        placeholder=placeholder,
        initial_value=initial_value,
    )


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text)))


def thread_channel(block_id: str, porting_channel: str | None, *, hint: str) -> InputBlock:
    """Where the thread goes: PORTING_CHANNEL when set, else the conversation the form was
    opened in (public or private, no DMs with bots)."""
    return field(
        block_id,
        "Thread in",
        ConversationSelectElement(
            action_id=block_id,
            initial_conversation=porting_channel or None,
            default_to_current_conversation=not porting_channel,
            filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
        ),
        hint=hint,
    )


def file_input(
    block_id: str, label: str, hint: str, filetypes: Iterable[str], *, optional: bool = False
) -> dict[str, Any]:
    """One file (``filetypes``, sorted as Slack shows them); a dict, as slack_sdk has no
    file_input element."""
    block: dict[str, Any] = {"type": "input", "block_id": block_id}
    if optional:
        block["optional"] = True
    return {
        **block,
        "label": {"type": "plain_text", "text": label},
        "hint": {"type": "plain_text", "text": hint},
        "element": {
            "type": "file_input",
            "action_id": block_id,
            "filetypes": sorted(filetypes),
            "max_files": 1,
        },
    }
