"""Answers for finding requests by what people know (a number, a customer's name): /port-status
with a number that no request holds, with a name, with something it cannot read, and
/port-list for a number only a closed request held."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.desk.agenda import AgendaItem
from bot.desk.manual.agenda import ManualListed
from bot.porting.phone import display
from bot.slack.ui.fmt import clip, escape, plural
from bot.slack.ui.port_list_answer import list_message
from bot.slack.ui.rows import Message, customer, thread_url

ACCEPTED = (
    "a request SID (`KW…`, 34 characters), a manual port's id (`MP…`), a phone number in any "
    "format, or a customer's name"
)
LIST_HINT = (
    "To list requests by status, filer or date, use `/port-list` (`/port-list all` lists "
    "every one)."
)


class Listed(Protocol):
    """A listing as the desk answers it (``bot.desk.desk_listing.DeskListing``)."""

    @property
    def items(self) -> Sequence[AgendaItem]: ...
    @property
    def now(self) -> datetime: ...
    @property
    def oldest_sync(self) -> datetime | None: ...
    @property
    def poll(self) -> timedelta: ...
    @property
    def manual(self) -> Sequence[ManualListed]: ...


def unreadable_text(word: str) -> str:
    return f"I can't read “{escape(word[:40])}”: `/port-status` takes {ACCEPTED}. {LIST_HINT}"


def not_held_text(number: str) -> str:
    shown = display(number)
    return f"No port-in request holds {shown}. `/port-check {shown}` says whether it can port."


def named_answer(name: str, listing: Listed, workspace_url: str | None) -> dict[str, Any]:
    """/port-status <name>: every request (and manual port) for a customer whose name holds
    ``name``, most urgent first."""
    shown = escape(name[:80])
    if not listing.items and not listing.manual:
        text = f"No request for a customer named “{shown}”. {LIST_HINT}"
        return {"text": text, "response_type": "ephemeral"}
    message = list_message(
        listing.items,
        asked=f"customer “{shown}”",
        now=listing.now,
        oldest_sync=listing.oldest_sync,
        poll=listing.poll,
        workspace_url=workspace_url,
        with_csv=False,
        csv_note="narrow it with `/port-list`, or type more of the name.",
        manual=listing.manual,
    )
    return {"text": message.text, "blocks": message.blocks, "response_type": "ephemeral"}


def held_before_message(
    numbers: Sequence[str], items: Sequence[AgendaItem], workspace_url: str | None
) -> Message:
    """/port-list <number> with no open request holding it, but closed ones that did: which
    request held each, and how it ended."""
    lines = []
    for item in items:
        url = thread_url(item, workspace_url)
        name = customer(item)
        head = f"<{url}|{name}>" if url else f"*{name}*"
        held = ", ".join(display(n) for n in item.row.matched_numbers)
        sid, label = escape(item.request_sid), escape(item.label)
        lines.append(f"{held} was held by {head} (`{sid}`), now {label}.")
    asked = ", ".join(display(n) for n in numbers)
    text = f"No open request holds {asked}; {plural(len(items), 'closed request')} did."
    example = f"`/port-list all {display(numbers[0])}` lists them with the open ones."
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=clip(f"📋 {text}\n" + "\n".join(lines)))),
        ContextBlock(elements=[MarkdownTextObject(text=example)]),
    ]
    return Message(clip(f"{text} " + " ".join(lines), 3000), blocks)
