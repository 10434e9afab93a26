"""Request rows shared by /port-list, the daily digest and App Home: one line per request
(status, customer, numbers, next deadline, who is on it, the thread), the CSV that holds a
list too long to show, and the :class:`Message` the builders return."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.desk.agenda import AgendaItem, Deadline, DeadlineKind, Need
from bot.slack.ui.board import status_icon
from bot.slack.ui.fmt import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_TEXT_LIMIT,
    clip,
    escape,
    plural,
    slack_date,
)
from bot.slack.ui.fmt import thread_url as _thread_url

INLINE_ROWS = 20  # past this many rows, the list goes in a CSV posted with the message


@dataclass(frozen=True)
class Message:
    """A message to post: fallback ``text`` (notifications, screen readers), ``blocks``
    within Block Kit's limits, and a CSV to post with it when the list is long."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    csv: str | None = None
    csv_name: str | None = None


def thread_url(item: AgendaItem, workspace_url: str | None) -> str | None:
    return _thread_url(workspace_url, item.row.channel_id, item.row.thread_ts)


def customer(item: AgendaItem) -> str:
    return escape(item.row.customer_name or "customer not on file")


def who(item: AgendaItem) -> str:
    return f"<@{item.row.filed_by}>" if item.row.filed_by else "adopted (no filer)"


def deadline_text(deadline: Deadline | None) -> str:
    if deadline is None:
        return "no deadline"
    if deadline.kind == DeadlineKind.LOA:
        return f"sign LOA by {slack_date(deadline.at, '{date_short_pretty} {time}')}"
    return f"ports {slack_date(deadline.day)}"


def need_text(item: AgendaItem) -> str | None:
    if item.need == Need.ACTION:
        rejected = item.row.rejected
        what = f"{plural(rejected, 'rejection')} to answer" if rejected else "rejections to answer"
        return f"{what} since {slack_date(item.row.status_since)}"
    if item.need == Need.LOA_DUE:
        return "LOA due soon"
    if item.need == Need.STALE:
        return f"no movement since {slack_date(item.row.moved_at)}"
    return None


def item_line(
    item: AgendaItem, workspace_url: str | None, *, show_need: bool = True, with_sid: bool = False
) -> str:
    """``⚠️ <link|Acme> · Action Required · 3 numbers · ports Dec 7 · <@U1> · 2 rejections…``;
    ``with_sid``: the request's SID after the name (two rows for one customer)."""
    url = thread_url(item, workspace_url)
    name = customer(item)
    head = f"<{url}|{name}>" if url else f"*{name}* (`/port-status {item.request_sid}`)"
    if with_sid and url:
        head += f" (`{escape(item.request_sid)}`)"
    parts = [f"{status_icon(item.status)} {head}", escape(item.label), numbers_text(item)]
    if item.deadline:
        parts.append(deadline_text(item.deadline))
    parts.append(who(item))
    need = need_text(item) if show_need else None
    if need:
        parts.append(f"*{need}*")
    if item.row.matched_numbers:
        parts.append("holds " + ", ".join(map(escape, item.row.matched_numbers)))
    return clip(" · ".join(parts), SECTION_TEXT_LIMIT)


def with_lines(message: Message, lines: list[str]) -> Message:
    """``message`` followed by ``lines`` (within Block Kit's limits)."""
    blocks = [*message.blocks, *line_blocks(lines)][:MESSAGE_BLOCK_LIMIT]
    text = "\n".join([message.text, *lines])[:3000]
    return Message(text, blocks, message.csv, message.csv_name)


def numbers_text(item: AgendaItem) -> str:
    """How many numbers; for a closed request, what became of them (``1 number ported · 2
    canceled``), not how many it once held."""
    row = item.row
    if not (row.closed and (row.ported or row.canceled)):
        return plural(row.number_count, "number")
    ended = [f"{plural(row.ported, 'number')} ported"] if row.ported else []
    if row.canceled:
        ended.append(
            f"{row.canceled:,} canceled" if ended else f"{plural(row.canceled, 'number')} canceled"
        )
    return " · ".join(ended)


def line_blocks(lines: Iterable[str], budget: int = MESSAGE_BLOCK_LIMIT) -> list[Block]:
    """Lines packed into as few sections as the text limit allows, at most ``budget``."""
    blocks: list[Block] = []
    chunk = ""
    for line in lines:
        line = clip(line, SECTION_TEXT_LIMIT)
        if chunk and len(chunk) + 1 + len(line) > SECTION_TEXT_LIMIT:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
    return blocks[:budget]


CSV_COLUMNS = (
    "request_sid",
    "status",
    "customer",
    "numbers",
    "next_deadline",
    "deadline_kind",
    "needs",
    "filed_by",
    "thread",
    "status_since",
    "created_at",
)


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def csv_row(item: AgendaItem, workspace_url: str | None) -> list[str]:
    d = item.deadline
    return [
        item.request_sid,
        item.label,
        item.row.customer_name or "",
        str(item.row.number_count),
        (_iso(d.at) if d.kind == DeadlineKind.LOA else d.day.isoformat()) if d else "",
        d.kind.value if d else "",
        item.need.value if item.need else "",
        item.row.filed_by or "",
        thread_url(item, workspace_url) or "",
        _iso(item.row.status_since),
        _iso(item.row.created_at),
    ]


def items_csv(
    items: Sequence[AgendaItem],
    workspace_url: str | None,
    *,
    extra: Sequence[str] = (),
    extra_values: Sequence[Sequence[str]] = (),
) -> str:
    """One row per item; ``extra`` columns (and their values per item) go first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*extra, *CSV_COLUMNS])
    for i, item in enumerate(items):
        writer.writerow([*(extra_values[i] if extra_values else ()), *csv_row(item, workspace_url)])
    return out.getvalue()
