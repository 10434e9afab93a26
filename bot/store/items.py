"""Outbox items: their kinds and statuses, one payload model per kind (stored as JSON), the
typed items the deliverer sees, and the builders that key them (``bot.store.keys``). The queue
that stores them is ``bot.store.outbox``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from bot.store import keys


class OutboxKind(StrEnum):
    ROOT = "root"  # the request's thread root (its first board)
    REPLY = "reply"  # a change set, said in the thread
    FILE = "file"  # the CSV of a long reply's numbers
    BOARD = "board"  # an edit of the root's status board
    REFILED = "refiled"  # in an old request's thread: who re-filed which numbers as what


class ItemStatus(StrEnum):
    PENDING = "pending"  # not confirmed by Slack yet (queued, leased, or failing)
    DONE = "done"


# -- payloads ----------------------------------------------------------------------------------


class RootPayload(BaseModel):
    channel: str


class ChangedNumber(BaseModel):
    """One number of a change set, as Twilio says it now, with its status before."""

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    phone_number: str | None = None
    number_sid: str | None = None
    rejection_reason: str | None = None
    rejection_reason_code: str | None = None
    port_date: datetime | None = None
    status: str | None = Field(default=None, alias="port_in_phone_number_status")
    old: str | None = None


class ChangeSet(BaseModel):
    """What changed in a request (only the changed numbers; nothing secret), with statuses in
    Twilio's words, and who canceled and filed it."""

    request_sid: str
    status: str | None
    old_status: str | None
    numbers: list[ChangedNumber] = []
    canceled_by: dict[str, str] = {}  # "request", or a number SID -> Slack user
    filed_by: str | None = None


class ReplyPayload(ChangeSet):
    """A reply saying the change set."""


class FilePayload(ChangeSet):
    """The CSV of a reply's change set."""


class BoardPayload(BaseModel):
    """A board edit draws the latest stored state: it carries nothing."""


class RefiledPayload(BaseModel):
    """Said in the old request's thread: ``user_id`` re-filed ``numbers`` (E.164) as
    ``new_request_sid`` (the item belongs to the old request)."""

    new_request_sid: str
    numbers: list[str]
    user_id: str


Payload = RootPayload | ReplyPayload | FilePayload | BoardPayload | RefiledPayload
_PAYLOADS: dict[OutboxKind, type[Payload]] = {
    OutboxKind.ROOT: RootPayload,
    OutboxKind.REPLY: ReplyPayload,
    OutboxKind.FILE: FilePayload,
    OutboxKind.BOARD: BoardPayload,
    OutboxKind.REFILED: RefiledPayload,
}


# -- items -------------------------------------------------------------------------------------

Fence = Callable[[], Awaitable[None]]


class NewItem(BaseModel):
    """Work to queue; build it with :func:`root`, :func:`reply`, :func:`file`, :func:`board`
    or :func:`refiled`, which key it."""

    model_config = ConfigDict(frozen=True)

    kind: OutboxKind
    key: str
    payload: Payload


class Item(NewItem):
    """A claimed piece of work, as the deliverer sees it."""

    id: int
    request_sid: str
    attempts: int
    maybe_sent: bool
    created_at: datetime
    _fence: Fence | None = PrivateAttr(default=None)

    @classmethod
    def from_row(cls, row: Any) -> Item:
        """The item an ``outbox`` row holds; raises ValueError (or pydantic's
        ValidationError) for a kind or payload this code does not know."""
        kind = OutboxKind(row.kind)
        return cls(
            id=row.id,
            key=row.key,
            request_sid=row.request_sid,
            kind=kind,
            payload=_PAYLOADS[kind].model_validate_json(row.payload),
            attempts=row.attempts,
            maybe_sent=row.maybe_sent,
            created_at=row.created_at,
        )

    def fenced(self, fence: Fence) -> Item:
        """This item, with ``fence`` run by :meth:`begin` (the worker's lease check)."""
        item = self.model_copy()
        item._fence = fence
        return item

    async def begin(self) -> None:
        """Call immediately before the Slack request that may post (after any pacing wait).
        Raises ``bot.outbox.LeaseLost`` when the item is no longer this worker's: then send
        nothing."""
        if self._fence is not None:
            await self._fence()


def root(request_sid: str, channel: str) -> NewItem:
    return NewItem(
        kind=OutboxKind.ROOT, key=keys.root(request_sid), payload=RootPayload(channel=channel)
    )


def reply(change: ChangeSet) -> NewItem:
    payload = ReplyPayload.model_validate(change, from_attributes=True)
    return NewItem(kind=OutboxKind.REPLY, key=keys.reply(change.request_sid), payload=payload)


def file(reply: Item, change: ChangeSet) -> NewItem:
    """The CSV after ``reply``, of its change set."""
    payload = FilePayload.model_validate(change, from_attributes=True)
    return NewItem(kind=OutboxKind.FILE, key=keys.file(reply.key), payload=payload)


def board(request_sid: str) -> NewItem:
    return NewItem(kind=OutboxKind.BOARD, key=keys.board(request_sid), payload=BoardPayload())


def refiled(old_sid: str, new_sid: str, numbers: list[str], user_id: str) -> NewItem:
    """The old request's reply naming its re-filing (queue it under ``old_sid``)."""
    payload = RefiledPayload(new_request_sid=new_sid, numbers=numbers, user_id=user_id)
    return NewItem(kind=OutboxKind.REFILED, key=keys.refiled(old_sid, new_sid), payload=payload)
