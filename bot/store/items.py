"""Outbox items: their kinds and statuses, one payload model per kind (stored as JSON), the
typed items the deliverer sees, and the builders that key them (``bot.store.keys``). The queue
that stores them is ``bot.store.outbox``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from bot.porting.golive import Departure, GoLiveReport
from bot.store import keys
from bot.store.golive_items import DeparturePayload, GoLivePayload
from bot.store.manual_items import (
    ManualBoardPayload,
    ManualFilePayload,
    ManualReminderPayload,
    ManualReplyPayload,
    ManualRootPayload,
)


class OutboxKind(StrEnum):
    ROOT = "root"  # the request's thread root (its first board)
    REPLY = "reply"  # a change set, said in the thread
    FILE = "file"  # the CSV of a long reply's numbers
    BOARD = "board"  # an edit of the root's status board
    CHECKLIST = "checklist"  # the post-port checklist, once the request is Completed
    REMINDER = "reminder"  # a timed reply in the request's thread (bot.desk.schedule)
    DIGEST = "digest"  # a channel's daily digest
    DIGEST_FILE = "digest_file"  # the CSV of a long digest, in the digest's thread
    HOME = "home"  # a publish of one user's App Home
    # A manual port's thread (``bot.store.manual_items``); all are posts, ordered per port.
    MANUAL_ROOT = "manual_root"
    MANUAL_REPLY = "manual_reply"
    MANUAL_FILE = "manual_file"
    MANUAL_BOARD = "manual_board"  # one per version, so ordered after the replies before it
    MANUAL_REMINDER = "manual_remind"
    REFILED = "refiled"  # in an old request's thread: who re-filed which numbers as what
    GOLIVE = "golive"  # a go-live batch's report (bot.store.golive_items)
    DEPARTED = "departed"  # a number that left the account

    @property
    def edit(self) -> bool:
        """Draws the latest state when sent (a board, a Home tab): coalesced to one pending
        row per key, not ordered with the posts."""
        return self in _EDITS


_EDITS = frozenset({OutboxKind.BOARD, OutboxKind.HOME})


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
    # When the request entered ``status`` (Twilio's timestamps) and who signs its LOA: what
    # the Waiting for Signature reply says (the deadline, and to whom the LOA went).
    status_since: datetime | None = None
    signer: str | None = None
    signer_email: str | None = None


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


class ChecklistPayload(BaseModel):
    """The post-port checklist: the numbers that ported (E.164), how many were canceled
    instead, and whom to mention (the filer; nobody for an adopted request)."""

    ported: list[str] = []
    canceled: int = 0
    mention: str | None = None


class ReminderPayload(BaseModel):
    """A reminder as the planner keyed it; at delivery the desk decides again on fresh facts
    (``bot.desk.schedule.decide``) whether it is still due, and with what text."""

    request_sid: str
    kind: str
    due_day: date


class DigestPayload(BaseModel):
    channel_id: str
    day: date  # the business day, on the desk's clock


class DigestFilePayload(DigestPayload):
    thread_ts: str  # the digest message's
    filename: str
    content: str  # the CSV, as built with the digest (nothing secret)


class HomePayload(BaseModel):
    """A Home publish draws the user's latest agenda: it carries only who."""

    user_id: str


Payload = (
    RootPayload
    | ReplyPayload
    | FilePayload
    | BoardPayload
    | ReminderPayload
    | DigestPayload
    | DigestFilePayload
    | HomePayload
    | ChecklistPayload
    | RefiledPayload
    | ManualRootPayload
    | ManualReplyPayload
    | ManualFilePayload
    | ManualBoardPayload
    | ManualReminderPayload
    | GoLivePayload
    | DeparturePayload
)
_PAYLOADS: dict[OutboxKind, type[Payload]] = {
    OutboxKind.ROOT: RootPayload,
    OutboxKind.REPLY: ReplyPayload,
    OutboxKind.FILE: FilePayload,
    OutboxKind.BOARD: BoardPayload,
    OutboxKind.REMINDER: ReminderPayload,
    OutboxKind.DIGEST: DigestPayload,
    OutboxKind.DIGEST_FILE: DigestFilePayload,
    OutboxKind.HOME: HomePayload,
    OutboxKind.CHECKLIST: ChecklistPayload,
    OutboxKind.MANUAL_ROOT: ManualRootPayload,
    OutboxKind.MANUAL_REPLY: ManualReplyPayload,
    OutboxKind.MANUAL_FILE: ManualFilePayload,
    OutboxKind.MANUAL_BOARD: ManualBoardPayload,
    OutboxKind.MANUAL_REMINDER: ManualReminderPayload,
    OutboxKind.REFILED: RefiledPayload,
    OutboxKind.GOLIVE: GoLivePayload,
    OutboxKind.DEPARTED: DeparturePayload,
}


# -- items -------------------------------------------------------------------------------------

Fence = Callable[[], Awaitable[None]]


class NewItem(BaseModel):
    """Work to queue; build it with :func:`root`, :func:`reply`, :func:`file`, :func:`board`,
    :func:`checklist`, :func:`refiled` and the others below, which key it."""

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
    # This claim's lease token: every change to the row while delivering it is made only while
    # the row still carries it (a re-claim, even by the same worker, gets a new one).
    lease: str = ""
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
            lease=row.lease_owner or "",
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


def reminder(key: str, request_sid: str, kind: str, due_day: date) -> NewItem:
    """A reminder under the planner's ``key`` (``bot.desk.schedule.Reminder.key``)."""
    return NewItem(
        kind=OutboxKind.REMINDER,
        key=key,
        payload=ReminderPayload(request_sid=request_sid, kind=kind, due_day=due_day),
    )


def digest(key: str, channel_id: str, day: date) -> NewItem:
    """A digest under the planner's ``key`` (``bot.desk.digest_plan.DigestSlot.key``)."""
    return NewItem(
        kind=OutboxKind.DIGEST,
        key=key,
        payload=DigestPayload(channel_id=channel_id, day=day),
    )


def digest_file(channel_id: str, day: date, thread_ts: str, filename: str, content: str) -> NewItem:
    return NewItem(
        kind=OutboxKind.DIGEST_FILE,
        key=keys.digest_file(channel_id, day),
        payload=DigestFilePayload(
            channel_id=channel_id, day=day, thread_ts=thread_ts, filename=filename, content=content
        ),
    )


def home(user_id: str) -> NewItem:
    return NewItem(
        kind=OutboxKind.HOME, key=keys.home(user_id), payload=HomePayload(user_id=user_id)
    )


def digest_owner(channel_id: str) -> str:
    """What a digest's outbox rows are ordered under (they belong to no request)."""
    return f"digest:{channel_id}"


def home_owner(user_id: str) -> str:
    return f"home:{user_id}"


def checklist(
    request_sid: str, ported: list[str], canceled: int = 0, mention: str | None = None
) -> NewItem:
    """The request's one post-port checklist (its key is the request's: queued twice, it is
    still posted once)."""
    payload = ChecklistPayload(ported=ported, canceled=canceled, mention=mention)
    return NewItem(kind=OutboxKind.CHECKLIST, key=keys.checklist(request_sid), payload=payload)


# -- a manual port's thread -------------------------------------------------------------------


def manual_root(manual_id: str, channel: str) -> NewItem:
    return NewItem(
        kind=OutboxKind.MANUAL_ROOT,
        key=keys.manual_root(manual_id),
        payload=ManualRootPayload(channel=channel),
    )


def manual_reply(manual_id: str, payload: ManualReplyPayload) -> NewItem:
    return NewItem(kind=OutboxKind.MANUAL_REPLY, key=keys.manual_reply(manual_id), payload=payload)


def manual_file(manual_id: str, payload: ManualFilePayload) -> NewItem:
    what = f"{payload.kind}:{payload.file_id}" if payload.file_id else "request"
    return NewItem(
        kind=OutboxKind.MANUAL_FILE, key=keys.manual_file(manual_id, what), payload=payload
    )


def manual_board(manual_id: str, version: int) -> NewItem:
    return NewItem(
        kind=OutboxKind.MANUAL_BOARD,
        key=keys.manual_board(manual_id, version),
        payload=ManualBoardPayload(),
    )


def manual_reminder(payload: ManualReminderPayload) -> NewItem:
    return NewItem(
        kind=OutboxKind.MANUAL_REMINDER,
        key=keys.manual_reminder(payload.manual_id, payload.kind, payload.due_day),
        payload=payload,
    )


def refiled(old_sid: str, new_sid: str, numbers: list[str], user_id: str) -> NewItem:
    """The old request's reply naming its re-filing (queue it under ``old_sid``)."""
    payload = RefiledPayload(new_request_sid=new_sid, numbers=numbers, user_id=user_id)
    return NewItem(kind=OutboxKind.REFILED, key=keys.refiled(old_sid, new_sid), payload=payload)


def golive(report: GoLiveReport, batch: int, channel: str | None = None) -> NewItem:
    """A go-live batch's reply in the request's thread (``channel``: the alert there)."""
    key = keys.golive(report.request_sid, batch, alert=channel is not None)
    payload = GoLivePayload(report=report, channel=channel)
    return NewItem(kind=OutboxKind.GOLIVE, key=key, payload=payload)


def departed(departure: Departure, channel: str | None = None) -> NewItem:
    """The alert for a number that left (``channel``: the porting channel's; None: its
    request's thread). Keyed by the number and when it left: said once."""
    key = keys.departed(departure.phone_number, departure.gone_at, thread=channel is None)
    payload = DeparturePayload(departure=departure, channel=channel)
    return NewItem(kind=OutboxKind.DEPARTED, key=key, payload=payload)


def inventory_owner() -> str:
    """What the porting channel's inventory alerts are ordered under (no request)."""
    return "inventory"
