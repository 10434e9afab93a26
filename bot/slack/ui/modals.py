"""A modal that only says something (pure builder)."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.slack.ui.fmt import clip


def message_view(
    callback_id: str,
    title: str,
    text: str,
    *,
    context: str | None = None,
    private_metadata: str = "",
) -> View:
    """A modal that only says something ("Filing…", an outcome): no inputs, no submit."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=clip(text)))]
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
