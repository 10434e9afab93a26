"""Every kind of Slack work the bot sends, as one typed list: a pydantic model per kind, each
with its ``kind`` (the outbox row's ``kind`` column), its :meth:`~Work.key` (the row's unique
key, stamped on the Slack message so a retry finds it) and its :meth:`~Work.owner` (what its
rows are ordered under: a request, a manual port, a channel's digest, a user's Home).

The desk plans with these models, the store persists them (``bot.store.queue``) and one
handler per kind delivers them (``bot.slack.delivery``). This package imports nothing else of
the bot, so every layer may use it (an import-linter contract keeps it so). The kinds live by
whose thread they go to: ``threads`` (a request's), ``day`` (the desk's timed work), ``manual``
(a manual port's); ``base`` is what they share.

Stored rows must stay readable across versions: a model stores its fields as the payload JSON
(``stored``) except those its row already says (the owner, parts of the key), which
:meth:`Work.restore` takes back from the row; a field renamed here keeps its stored name
(``serialization_alias``). Adding a kind: one model (in one of those modules, named in
:data:`AnyWork` below), one handler (``bot.slack.delivery.registry``), one test.
"""

from __future__ import annotations

from typing import Annotated, get_args

from pydantic import Field

from bot.work.base import (
    Work,
    digest_key,
    digest_owner,
    home_owner,
    manual_root_key,
    reminder_key,
    root_key,
)
from bot.work.day import Digest, DigestFile, Home, Reminder
from bot.work.golive import Departed, Departure, GoLive, GoLiveReport
from bot.work.manual import ManualBoard, ManualFile, ManualReminder, ManualReply, ManualRoot
from bot.work.threads import (
    Board,
    ChangedNumber,
    ChangeSet,
    Checklist,
    File,
    Refiled,
    Reply,
    Root,
)

__all__ = [
    "EDIT_KINDS",
    "KINDS",
    "ORDERED_KINDS",
    "AnyWork",
    "Board",
    "ChangeSet",
    "ChangedNumber",
    "Checklist",
    "Departed",
    "Departure",
    "Digest",
    "DigestFile",
    "File",
    "GoLive",
    "GoLiveReport",
    "Home",
    "ManualBoard",
    "ManualFile",
    "ManualReminder",
    "ManualReply",
    "ManualRoot",
    "Refiled",
    "Reminder",
    "Reply",
    "Root",
    "Work",
    "digest_key",
    "digest_owner",
    "home_owner",
    "manual_root_key",
    "reminder_key",
    "restore",
    "root_key",
]

AnyWork = Annotated[
    Root
    | Reply
    | File
    | Board
    | Checklist
    | Refiled
    | Reminder
    | Digest
    | DigestFile
    | Home
    | ManualRoot
    | ManualReply
    | ManualFile
    | ManualBoard
    | ManualReminder
    | GoLive
    | Departed,
    Field(discriminator="kind"),
]
"""Every kind of Slack work, told apart by ``kind``."""

KINDS: dict[str, type[Work]] = {t.KIND: t for t in get_args(get_args(AnyWork)[0])}
EDIT_KINDS = frozenset(kind for kind, t in KINDS.items() if t.edit)
# Posts a later post of the same owner waits for (not edits, not timed work).
ORDERED_KINDS = frozenset(kind for kind, t in KINDS.items() if t.ordered and not t.edit)


def restore(kind: str, payload: str, key: str, owner: str) -> Work:
    """The work an outbox row holds; raises KeyError for a kind this code does not know, and
    pydantic's ValidationError (a ValueError) for a payload it cannot read."""
    return KINDS[kind].restore(payload, key, owner)
