"""/port-list's answer: open requests most urgent first (at most 20 inline, all of them in a
CSV beyond that), how fresh the store is, and the message for a filter it cannot read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.desk.agenda import AgendaItem
from bot.desk.manual.agenda import ManualListed
from bot.slack.list_filter import FilterError
from bot.slack.ui.fmt import ago, clip, escape, plural
from bot.slack.ui.manual.manual_rows import manual_section
from bot.slack.ui.rows import INLINE_ROWS, Message, item_line, items_csv, line_blocks

_HOW = (
    "Filters: `/port-list [action|signature|progress|review|completed|canceled|all] "
    "[mine|@someone] [since 30d] [phone number]`."
)


def freshness_text(oldest_sync: datetime | None, now: datetime, poll: timedelta | None) -> str:
    """How fresh the list is: the bot's own store, as last read from Twilio."""
    every = f"; every open request is re-read every {_span(poll)}" if poll else ""
    if oldest_sync is None:
        return f"From the bot's store{every}."
    return (
        f"From the bot's store, read from Twilio {ago(now - oldest_sync)} or more recently{every}."
    )


def _span(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 3600 == 0:
        return plural(seconds // 3600, "hour")
    if seconds % 60 == 0:
        return plural(seconds // 60, "minute")
    return plural(seconds, "second")


def list_message(
    items: Sequence[AgendaItem],
    *,
    asked: str,
    now: datetime,
    oldest_sync: datetime | None = None,
    poll: timedelta | None = None,
    workspace_url: str | None = None,
    with_csv: bool = True,
    csv_note: str = "every row is in the CSV below.",
    manual: Sequence[ManualListed] = (),
) -> Message:
    """The answer to /port-list: ``items`` in the order given (most urgent first, from
    ``bot.desk.agenda.agenda``), ``asked`` the filter in words (``ListFilter.describe``).
    Past 20 rows the answer says a CSV follows; ``with_csv=False`` leaves building it to
    :func:`list_csv`, so the answer need not wait for thousands of CSV rows; ``csv_note``
    then says where the CSV goes (or why it does not). ``manual``: the manual ports matching
    the same filters, in a section of their own after the requests."""
    fresh = freshness_text(oldest_sync, now, poll)
    manual_lines = manual_section(manual, workspace_url)
    if not items and manual_lines:
        only = line_blocks(manual_lines, budget=INLINE_ROWS + 5)
        only.append(ContextBlock(elements=[MarkdownTextObject(text=clip(fresh, 2000))]))
        text = f"No {asked} found as port-in requests; {plural(len(manual), 'manual port')}."
        return Message(clip(text, 3000), only)
    if not items:
        # "No open requests found."; a status filter reads "No requests found: Completed."
        listed = asked.startswith(("open requests", "all requests"))
        text = f"No {asked} found." if listed else f"No requests found: {asked}."
        return Message(
            text,
            [
                SectionBlock(text=MarkdownTextObject(text=clip(f"📋 {text}"))),
                ContextBlock(elements=[MarkdownTextObject(text=clip(f"{fresh} {_HOW}", 2000))]),
            ],
        )
    shown = items[:INLINE_ROWS]
    more = len(items) - len(shown)
    head = f"📋 *{plural(len(items), 'request')}* · {asked} · most urgent first"
    names = Counter(i.row.customer_name for i in shown)
    lines = [item_line(i, workspace_url, with_sid=names[i.row.customer_name] > 1) for i in shown]
    if more:
        lines.append(f"…and {more:,} more: {csv_note}")
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=clip(head)))]
    blocks += line_blocks(lines, budget=INLINE_ROWS + 5)
    if manual_lines:
        blocks += line_blocks(manual_lines, budget=INLINE_ROWS + 5)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(fresh, 2000))]))
    text = f"{plural(len(items), 'request')} ({asked}); most urgent: " + "; ".join(
        f"{escape(i.row.customer_name or i.request_sid)} ({escape(i.label)})" for i in shown[:3]
    )
    if manual:
        text += f"; and {plural(len(manual), 'manual port')}"
    if not (more and with_csv):
        return Message(clip(text, 3000), blocks)
    return Message(clip(text, 3000), blocks, *list_csv(items, now, workspace_url))


def list_csv(
    items: Sequence[AgendaItem], now: datetime, workspace_url: str | None = None
) -> tuple[str, str]:
    """Every row of a /port-list answer as CSV: (content, file name)."""
    return items_csv(items, workspace_url), f"port-list-{now.date().isoformat()}.csv"


def filter_error_message(error: FilterError) -> Message:
    """The ephemeral answer to a filter /port-list cannot read: the word, and what works."""
    why = f" ({escape(error.why)})" if error.why else ""
    accepted = ", ".join(f"`{w}`" for w in error.accepted)
    text = f"I can't read “{escape(error.token)}” as a filter{why}. Filters: {accepted}."
    example = "For example `/port-list action mine since 30d` or `/port-list +1 415-555-0162`."
    return Message(
        clip(text, 3000),
        [
            SectionBlock(text=MarkdownTextObject(text=clip(f"🤔 {text}"))),
            ContextBlock(elements=[MarkdownTextObject(text=example)]),
        ],
    )
