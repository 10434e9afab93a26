"""The daily digest, one message per channel that holds request threads: open requests by
status, what changed since the last digest, what needs a person (who is on it, a link to
each thread) and the port dates of the next business days. Past 20 rows, every row is in a
CSV posted with it."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.desk.agenda import AgendaItem, Digest, PortEntry, StatusCount
from bot.slack.ui.board import status_icon
from bot.slack.ui.fmt import clip, escape, plural, slack_date
from bot.slack.ui.golive_messages import departures_lines
from bot.slack.ui.manual.manual_rows import manual_line
from bot.slack.ui.rows import (
    INLINE_ROWS,
    Message,
    customer,
    item_line,
    items_csv,
    line_blocks,
    thread_url,
    who,
)

MANUAL_ROWS = 10  # manual ports shown in the digest (every one is in /port-list)


def counts_line(counts: tuple[StatusCount, ...]) -> str:
    return " · ".join(f"{status_icon(c.status)} {c.count:,} {escape(c.label)}" for c in counts)


def _since(digest: Digest) -> str:
    """Since the channel's previous digest, as posted; with none, since yesterday."""
    if not digest.since_last:
        return "since yesterday"
    return f"since the last digest ({slack_date(digest.since, '{date_short_pretty} {time}')})"


def changes_line(digest: Digest) -> str:
    since = _since(digest)
    if not digest.changes:
        return f"No changes {since}."
    parts = [f"{plural(digest.new, 'new request')}"] if digest.new else []
    parts += [f"{c.count:,} now {escape(c.label)}" for c in digest.changes]
    return f"{since[0].upper()}{since[1:]}: " + " · ".join(parts)


def quiet_message(digest: Digest) -> Message:
    """A digest with nothing new since the last one: one line saying so."""
    needs = f", {len(digest.needs):,} needing a person" if digest.needs else ""
    manual = f", {plural(len(digest.manual), 'manual port')}" if digest.manual else ""
    line = (
        f"☀️ *Porting digest · {slack_date(digest.day, '{date_long_pretty}')}*: nothing new "
        f"{_since(digest)}. Still {plural(digest.open_count, 'open request')}{needs}{manual}: "
        "`/port-list` lists them."
    )
    text = (
        f"Porting digest: nothing new {_since(digest)}; "
        f"{plural(digest.open_count, 'open request')}{needs}{manual}."
    )
    return Message(text, [SectionBlock(text=MarkdownTextObject(text=clip(line)))])


def port_line(entry: PortEntry, workspace_url: str | None) -> str:
    url = thread_url(entry.item, workspace_url)
    name = customer(entry.item)
    link = f"<{url}|{name}>" if url else f"*{name}*"
    return (
        f"📅 {slack_date(entry.day)} · {link} · {plural(entry.numbers, 'number')} · "
        f"{who(entry.item)}"
    )


def digest_message(digest: Digest, *, workspace_url: str | None = None) -> Message:
    """The digest message for ``digest``'s channel (``bot.desk.agenda.build_digest``); one
    line when nothing changed since the last one."""
    if digest.quiet:
        return quiet_message(digest)
    head = (
        f"☀️ *Porting digest · {slack_date(digest.day, '{date_long_pretty}')}* · "
        f"{plural(digest.open_count, 'open request')}"
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(f"{head}\n{counts_line(digest.counts)}"))),
        ContextBlock(elements=[MarkdownTextObject(text=clip(changes_line(digest), 2000))]),
    ]
    rows = len(digest.needs) + len(digest.ports)
    budget = INLINE_ROWS
    needs = digest.needs[:budget]
    budget -= len(needs)
    ports = digest.ports[:budget]
    if digest.needs:
        lines = [f"*Needs a person* ({len(digest.needs):,})"]
        lines += [item_line(i, workspace_url) for i in needs]
        blocks += line_blocks(lines, budget=10)
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="*Needs a person*: nobody. 🎉")))
    if digest.ports:
        lines = [f"*Port dates, next business days* ({len(digest.ports):,})"]
        lines += [port_line(p, workspace_url) for p in ports]
        blocks += line_blocks(lines, budget=10)
    if digest.manual:
        shown = digest.manual[:MANUAL_ROWS]
        lines = [f"*Manual ports, moved by people* ({len(digest.manual):,})"]
        lines += [manual_line(m, workspace_url) for m in shown]
        if len(digest.manual) > len(shown):
            lines.append(f"…and {len(digest.manual) - len(shown):,} more: `/port-list` lists them.")
        blocks += line_blocks(lines, budget=6)
    if departures := departures_lines(digest.departures):
        blocks += line_blocks(departures, budget=4)
    more = rows - len(needs) - len(ports)
    if more:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"…and {more:,} more rows in the CSV below.")]
            )
        )
    text = (
        f"Porting digest: {plural(digest.open_count, 'open request')}, "
        f"{len(digest.needs):,} needing a person, {len(digest.ports):,} port dates ahead"
        + (f", {plural(len(digest.manual), 'manual port')}" if digest.manual else "")
        + (f", {plural(len(digest.departures), 'number')} left" if digest.departures else "")
        + "."
    )
    if not more:
        return Message(text, blocks)
    items: list[AgendaItem] = [*digest.needs, *(p.item for p in digest.ports)]
    sections = [["needs a person", ""] for _ in digest.needs]
    sections += [["port date", p.day.isoformat()] for p in digest.ports]
    csv_text = items_csv(
        items, workspace_url, extra=("section", "port_date"), extra_values=sections
    )
    return Message(text, blocks, csv_text, f"porting-digest-{digest.day.isoformat()}.csv")
