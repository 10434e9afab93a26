"""Modal views (pure)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack.ids import Block, Callback, Input
from bot.slack.ui.fmt import clip


def check_modal() -> View:
    """/port-check with no numbers: paste up to 1,000 numbers or upload a CSV."""
    return View(
        type="modal",
        callback_id=Callback.CHECK_MODAL,
        title="Check portability",
        submit="Check numbers",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Paste numbers (about 200 fit), or attach a CSV of up to 1,000 numbers. "
                    "Results come to you privately, with a CSV of every number."
                )
            ),
            InputBlock(
                block_id=Block.CHECK_TEXT,
                label="Numbers",
                optional=True,
                hint="Separate with commas, spaces or new lines: (415) 555-0100, +14155550101",
                element=PlainTextInputElement(
                    action_id=Input.CHECK_TEXT,
                    multiline=True,
                    max_length=3000,
                    placeholder="(415) 555-0100\n415.555.0101\n+1 415 555 0102",
                ),
            ),
            {
                "type": "input",
                "block_id": Block.CHECK_FILE,
                "optional": True,
                "label": {"type": "plain_text", "text": "…or a CSV file"},
                "hint": {
                    "type": "plain_text",
                    "text": "A column named phone, number or e164 is used; otherwise every cell.",
                },
                "element": {
                    "type": "file_input",
                    "action_id": Input.CHECK_FILE,
                    "filetypes": ["csv", "txt"],
                    "max_files": 1,
                },
            },
            ContextBlock(elements=[MarkdownTextObject(text="Nothing is filed with Twilio.")]),
        ],
    )


def message_view(
    callback_id: str,
    title: str,
    text: str,
    *,
    context: str | None = None,
    private_metadata: str = "",
) -> View:
    """A modal that only says something ("Filing…", an outcome): no inputs, no submit."""
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=clip(text)))]
    if context:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(context))]))
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        close="Close",
        private_metadata=private_metadata,
        blocks=blocks,
    )
