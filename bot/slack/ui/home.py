"""The bot's App Home tab: what needs the viewer, what needs someone on the team, this week's
port dates and the viewer's recent requests, each row with its thread link and a Refresh.
Within Slack's 100 blocks for a Home view, for someone with hundreds of requests or none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.desk.agenda import AgendaItem, HomeAgenda
from bot.slack.ids import Action
from bot.slack.ui.digest import port_line
from bot.slack.ui.fmt import ago, clip, slack_date
from bot.slack.ui.golive_messages import departures_lines
from bot.slack.ui.manual.manual_rows import manual_line
from bot.slack.ui.rows import item_line, line_blocks

HOME_BLOCK_LIMIT = 100
ROWS_PER_SECTION = 15  # 4 sections of at most this many rows + headings stay under 100
RECENT_ROWS = 10
MANUAL_ROWS = 8  # yours and those waiting on a person; /port-list has them all


def _row(item: AgendaItem, workspace_url: str | None, *, show_need: bool = True) -> Block:
    return SectionBlock(
        text=MarkdownTextObject(text=clip(item_line(item, workspace_url, show_need=show_need))),
        accessory=ButtonElement(text="Refresh", action_id=Action.REFRESH, value=item.request_sid),
    )


def _section(
    title: str,
    rows: Sequence[Block],
    total: int,
    empty: str,
) -> list[Block]:
    heading = f"*{title}*" + (f" ({total:,})" if total else "")
    blocks: list[Block] = [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=heading))]
    if not rows:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=empty)]))
        return blocks
    blocks.extend(rows)
    if total > len(rows):
        more = f"…and {total - len(rows):,} more: `/port-list` shows them all."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def home_view(
    home: HomeAgenda,
    *,
    now: datetime,
    workspace_url: str | None = None,
    shown_at: datetime | None = None,
) -> View:
    """The Home tab for ``home.viewer`` (``bot.desk.agenda.build_home``), judged at ``now``
    (the desk's clock) and published at ``shown_at`` (the reader's real time; default
    ``now``: they differ only when the sandbox's fast clock drives the desk)."""
    fresh = (
        f"From the bot's store, read from Twilio {ago(now - home.oldest_sync)} or more recently"
        if home.oldest_sync
        else "From the bot's store"
    )
    updated = slack_date(shown_at or now, "{date_short_pretty} {time}")
    blocks: list[Block] = [
        HeaderBlock(text="Porting desk"),
        ActionsBlock(
            elements=[ButtonElement(text="Refresh", action_id=Action.HOME_REFRESH, value="home")]
        ),
        ContextBlock(elements=[MarkdownTextObject(text=f"{fresh} · shown {updated}.")]),
    ]
    blocks += _section(
        "Needs you",
        [_row(i, workspace_url) for i in home.needs_you[:ROWS_PER_SECTION]],
        len(home.needs_you),
        "Nothing you filed needs you right now.",
    )
    blocks += _section(
        "Needs someone",
        [_row(i, workspace_url) for i in home.needs_someone[:ROWS_PER_SECTION]],
        len(home.needs_someone),
        "Nothing needs the team right now.",
    )
    blocks += _section(
        "Port dates this week",
        [
            SectionBlock(
                text=MarkdownTextObject(text=clip(port_line(p, workspace_url))),
                accessory=ButtonElement(
                    text="Refresh", action_id=Action.REFRESH, value=p.item.request_sid
                ),
            )
            for p in home.ports_this_week[:ROWS_PER_SECTION]
        ],
        len(home.ports_this_week),
        "No port dates this week.",
    )
    if home.manual:
        blocks += _section(
            "Manual ports",
            [
                SectionBlock(text=MarkdownTextObject(text=clip(manual_line(m, workspace_url))))
                for m in home.manual[:MANUAL_ROWS]
            ],
            len(home.manual),
            "",
        )
    if departures := departures_lines(home.departures):
        blocks += [DividerBlock(), *line_blocks(departures, budget=3)]
    blocks += _section(
        "Your recent requests",
        [_row(i, workspace_url, show_need=False) for i in home.recent[:RECENT_ROWS]],
        len(home.recent),
        "You have not filed any port-ins yet: `/port-in` files one, `/port-check` checks "
        "numbers first.",
    )
    return View(type="home", blocks=blocks[:HOME_BLOCK_LIMIT])
