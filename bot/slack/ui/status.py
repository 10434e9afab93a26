"""/port-status (pure builders): a request's board, who filed and canceled what, and its
numbers, most urgent first; and all its numbers as a CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.desk.records import AuditRecord
from bot.desk.types import RequestSnapshot
from bot.porting.golive import Liveness
from bot.porting.models import PortInNumber, PortInRequest
from bot.porting.playbooks import playbook
from bot.porting.statuses import NumberStatus
from bot.slack.ids import Action
from bot.slack.ui.board import board_blocks, csv_button, how_to_fix_button
from bot.slack.ui.fmt import (
    SECTION_TEXT_LIMIT,
    clip,
    escape,
    number_list,
    number_name,
    on_day,
    slack_date,
    user,
)
from bot.slack.ui.golive_messages import liveness_text
from bot.slack.ui.playbooks import name, playbooks_text, rejected_groups

_NUMBERS_SHOWN = 30
_HISTORY_SHOWN = 10


def history_line(entry: AuditRecord) -> str | None:
    """One audit entry as people read it (filed / canceled by whom, when)."""
    who, when = user(entry.user_id), on_day(entry.at)
    numbers = entry.numbers
    refused = f" ({escape(clip(entry.detail, 200))})" if entry.detail else ""
    if entry.action == "port_in.filed":
        if entry.outcome != "ok":
            return None
        refiles = entry.detail.removeprefix("re-files ") if entry.detail else None
        return f"📝 Filed by {who} {when}" + (f", re-filing `{escape(refiles)}`" if refiles else "")
    if entry.action == "port_in.refiled":
        sid = escape(entry.detail or "")
        return f"↪️ {who} re-filed {number_list(numbers, 10)} as `{sid}` {when}"
    if entry.action == "request.canceled":
        if entry.outcome == "ok":
            return f"🚫 {who} canceled the request {when}"
        return f"⚠️ {who} tried to cancel the request {when}; Twilio refused{refused}"
    if entry.action == "numbers.canceled":
        if numbers:
            line = f"🚫 {who} canceled {number_list(numbers, 10)} {when}"
            if entry.outcome == "partial":
                line += f"; Twilio refused others{refused}"
            return line
        return f"⚠️ {who} tried to cancel numbers {when}; Twilio refused{refused}"
    return None


def history_text(history: Sequence[AuditRecord]) -> str:
    lines = [line for line in map(history_line, history) if line]
    if len(lines) > _HISTORY_SHOWN:
        lines = [*lines[: _HISTORY_SHOWN // 2], "…", *lines[-_HISTORY_SHOWN // 2 :]]
    return "\n".join(lines)


def _attention(n: PortInNumber) -> int:
    order = [
        NumberStatus.PORT_REJECTED,
        NumberStatus.PORT_PENDING,
        NumberStatus.PORT_SUBMITTED,
        NumberStatus.WAITING_FOR_SIGNATURE,
        NumberStatus.IN_REVIEW,
        NumberStatus.CANCELING,
        NumberStatus.COMPLETED,
        NumberStatus.CANCELED,
    ]
    return order.index(n.status) if n.status in order else len(order)


def number_line(n: PortInNumber, live: Liveness | None = None) -> str:
    line = f"{number_name(n.phone_number, n.number_sid)} · {escape(n.status_label)}"
    if live is not None:
        line += liveness_text(live)
    if n.port_date:
        line += f" · port date {slack_date(n.port_date)}"
    if n.status == NumberStatus.PORT_REJECTED:
        line += f" · {name(playbook(n.rejection_reason_code, n.rejection_reason))}"
    return line


def chain_line(before: Sequence[str], after: Sequence[str]) -> str | None:
    """The re-filings around a request: ``🔗 `KW…a` → *this request* → `KW…c` ``."""
    if not before and not after:
        return None
    parts = [f"`{sid}`" for sid in before] + ["*this request*"]
    if after:
        parts.append(", ".join(f"`{sid}`" for sid in after))
    return "🔗 Re-filings: " + " → ".join(parts)


def status_blocks(
    snapshot: RequestSnapshot,
    *,
    permalink: str | None = None,
    history: Sequence[AuditRecord] = (),
    chain: tuple[Sequence[str], Sequence[str]] = ((), ()),
    live: Mapping[str, Liveness] | None = None,
) -> list[Block]:
    """/port-status: the board, the chain of re-filings, who filed and canceled what, then
    the numbers, most urgent first (with ``live``: each one's go-live and whether it is in
    the account now), within Block Kit limits."""
    r = snapshot.request
    blocks = board_blocks(snapshot)[:2]
    if linked := chain_line(*chain):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(linked))))
    if who := history_text(history):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(who))))
    numbers = sorted(r.phone_numbers, key=_attention)
    lines: list[str] = []
    budget = SECTION_TEXT_LIMIT - 80  # room for the "…and N more" line
    for n in numbers[:_NUMBERS_SHOWN]:
        line = number_line(n, (live or {}).get(n.phone_number or ""))
        if sum(len(x) + 1 for x in lines) + len(line) > budget:
            break
        lines.append(line)
    if len(numbers) > len(lines):
        lines.append(f"…and {len(numbers) - len(lines):,} more (use *Numbers as CSV*).")
    if lines:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
    buttons = []
    if groups := rejected_groups(snapshot):
        fixes, complete = playbooks_text(groups, SECTION_TEXT_LIMIT - 40)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*How to fix*\n{fixes}")))
        if not complete:  # only a summary fitted: the full steps are a click away
            buttons.append(how_to_fix_button(r.request_sid))
    if snapshot.thread is None:
        buttons.append(
            ButtonElement(
                text="Follow in channel",
                action_id=Action.FOLLOW,
                value=r.request_sid,
                style="primary",
            )
        )
    elif permalink:
        buttons.append(ButtonElement(text="Open thread", action_id=Action.OPEN_LINK, url=permalink))
    buttons.append(csv_button(r.request_sid))
    blocks.append(ActionsBlock(elements=buttons))
    return blocks


def numbers_csv(request: PortInRequest) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["phone_number", "number_sid", "status", "port_date", "rejection_reason", "rejection_code"]
    )
    for n in request.phone_numbers:
        writer.writerow(
            [
                n.phone_number or "",
                n.number_sid or "",
                n.status_label,
                n.port_date.date().isoformat() if n.port_date else "",
                n.rejection_reason or "",
                n.rejection_reason_code or "",
            ]
        )
    return out.getvalue()
