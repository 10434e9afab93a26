"""/port-status for a manual port (pure): its board, who moved which step when, its numbers
with their addresses, its documents, and a link to its thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.desk.manual.steps import ManualMove
from bot.desk.manual.types import DocumentKind, ManualPort
from bot.desk.records import AuditRecord
from bot.porting.phone import display
from bot.slack.ui.fmt import SECTION_TEXT_LIMIT, clip, escape, on_day, user
from bot.slack.ui.manual.manual_board import board_blocks

_NUMBERS_SHOWN = 30
_HISTORY_SHOWN = 12
_DONE = {
    "manual.started": "📝 started the manual port",
    "manual.documents": "📎 added documents",
    **{move.audit_action: f"moved it: {move.label}" for move in ManualMove},
}


def history_line(entry: AuditRecord) -> str | None:
    said = _DONE.get(entry.action)
    if said is None:
        return None
    when = on_day(entry.at, "{date_short} at {time}")
    if entry.outcome != "ok":
        return f"🔒 {user(entry.user_id)} was refused ({entry.action}) {when}"
    return f"{user(entry.user_id)} {said} {when}"


def numbers_text(port: ManualPort) -> str:
    d = port.details
    lines = [f"*Service address:* {escape(d.service_address)}"]
    for n in d.numbers[:_NUMBERS_SHOWN]:
        line = display(n.number)
        if n.address:
            line += f" · {escape(n.address)}"
        lines.append(line)
    if len(d.numbers) > _NUMBERS_SHOWN:
        lines.append(f"…and {len(d.numbers) - _NUMBERS_SHOWN:,} more (every one is in the thread)")
    return clip("\n".join(lines), SECTION_TEXT_LIMIT)


def documents_text(port: ManualPort) -> str:
    lines = []
    for kind in DocumentKind:
        document = port.details.document(kind)
        if document is None:
            lines.append(f"⬜ {kind.label}: outstanding")
        else:
            lines.append(f"✅ {kind.label}: {escape(document.name)}")
    return "\n".join(lines)


def manual_status_blocks(
    port: ManualPort,
    now: datetime,
    *,
    permalink: str | None = None,
    history: Sequence[AuditRecord] = (),
) -> list[Block]:
    blocks = board_blocks(port, now)[:2]
    lines = [line for line in map(history_line, history) if line]
    if len(lines) > _HISTORY_SHOWN:
        lines = [*lines[: _HISTORY_SHOWN // 2], "…", *lines[-_HISTORY_SHOWN // 2 :]]
    if lines:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines)))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=numbers_text(port))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=documents_text(port))))
    if permalink:
        link = f"<{permalink}|Open the thread> for its replies, documents and buttons."
        blocks.append(SectionBlock(text=MarkdownTextObject(text=link)))
    return blocks
