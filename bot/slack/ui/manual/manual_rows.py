"""Manual ports as listing rows (pure): /port-list's section of them, and the line the daily
digest and App Home can show for each (``bot.desk.manual.agenda.ManualListed``)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.desk.manual.agenda import ManualListed
from bot.porting.phone import display
from bot.slack.ui.fmt import SECTION_TEXT_LIMIT, clip, escape, plural, slack_date, thread_url
from bot.slack.ui.manual.manual_board import deadline_text
from bot.slack.ui.manual.words import STEP_ICONS, step_text

INLINE_MANUAL = 20


def manual_line(item: ManualListed, workspace_url: str | None) -> str:
    """``🌍 <link|Acme Ltd> · United Kingdom · step 2 of 6: waiting for Twilio's fee quote ·
    3 numbers · Twilio takes the fee quote as accepted on … · <@U1>``"""
    port = item.port
    thread = port.thread
    url = thread_url(
        workspace_url, thread.channel_id if thread else None, thread.thread_ts if thread else None
    )
    name = escape(port.details.customer_name)
    head = f"<{url}|{name}>" if url else f"*{name}* (`/port-status {port.id}`)"
    icon = "🌍" if not port.closed else STEP_ICONS[port.step]
    parts = [
        f"{icon} {head}",
        escape(port.details.country_name),
        step_text(port.step),
        plural(port.number_count, "number"),
    ]
    if item.deadline is not None:
        parts.append(deadline_text(item.deadline))
    parts.append(f"<@{port.filed_by}>")
    if item.needs_person:
        parts.append("*needs someone*")
    if item.matched_numbers:
        parts.append("holds " + ", ".join(escape(display(n)) for n in item.matched_numbers))
    if port.closed:
        parts.append(f"closed {slack_date(port.step_changed_at)}")
    return clip(" · ".join(parts), SECTION_TEXT_LIMIT)


def manual_section(items: Sequence[ManualListed], workspace_url: str | None) -> list[str]:
    """/port-list's lines for manual ports (at most 20, then how many more)."""
    if not items:
        return []
    lines = [f"🌍 *{plural(len(items), 'manual port')}* (support requests, moved by people)"]
    lines += [manual_line(i, workspace_url) for i in items[:INLINE_MANUAL]]
    if len(items) > INLINE_MANUAL:
        lines.append(
            f"…and {len(items) - INLINE_MANUAL:,} more manual ports: narrow the filter to see them."
        )
    return lines
