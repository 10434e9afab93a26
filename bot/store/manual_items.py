"""Outbox payloads of a manual port's thread (``bot.store.items`` keys and queues them): its
root, its replies, the files copied into it, its board edits and its reminders. Nothing secret
inside; a reply carries what it announces as it was when the step moved."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class ManualPayload(BaseModel):
    """Any manual port's Slack work (the notifier hands them all to one deliverer)."""


class ManualRootPayload(ManualPayload):
    channel: str


class ManualReplyPayload(ManualPayload):
    """``event``: ``started`` (the ready-to-send support request), ``moved`` (a step moved;
    ``move`` says which), ``documents`` (documents added)."""

    event: str
    user_id: str | None = None
    move: str | None = None
    previous: str | None = None  # the step before the move
    ticket: str | None = None
    quote: str | None = None
    quote_deadline: datetime | None = None
    approval_due: datetime | None = None
    port_date: date | None = None
    reason: str | None = None
    note: str | None = None
    documents: list[str] = []  # document kinds added


class ManualFilePayload(ManualPayload):
    """A document to copy into the thread (downloaded from Slack at delivery), or, with no
    ``file_id``, the support request's full text."""

    kind: str | None = None
    file_id: str | None = None
    name: str = "support-request.txt"
    url: str | None = None
    size: int = 0


class ManualBoardPayload(ManualPayload):
    """A board edit draws the latest stored state: it carries nothing."""


class ManualReminderPayload(ManualPayload):
    """``bot.desk.manual_schedule.ManualReminderRef`` as JSON."""

    manual_id: str
    kind: str
    due_day: date
