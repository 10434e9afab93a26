"""The Slack work of a manual port's thread (posts, ordered per port)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from bot.work.base import Work, _last_part, _nonce, manual_root_key, reminder_key


class ManualRoot(Work):
    kind: Literal["manual_root"] = "manual_root"
    OWNER_FIELD = "manual_id"
    manual_id: str
    channel: str

    def key(self) -> str:
        return manual_root_key(self.manual_id)


class ManualReply(Work):
    """A reply in a manual port's thread, saying what happened as it was then. ``event``:
    ``started`` (the ready-to-send support request), ``moved`` (a step moved; ``move`` says
    which), ``documents`` (documents added)."""

    kind: Literal["manual_reply"] = "manual_reply"
    OWNER_FIELD = "manual_id"
    KEY_FIELDS = ("nonce",)
    manual_id: str
    nonce: str = Field(default_factory=_nonce)
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

    def key(self) -> str:
        return f"manual-reply:{self.manual_id}:{self.nonce}"

    @classmethod
    def _from_key(cls, key: str) -> dict[str, Any]:
        return {"nonce": _last_part(key)}


class ManualFile(Work):
    """A document to copy into the thread (downloaded from Slack at delivery), or, with no
    ``file_id``, the support request's full text."""

    kind: Literal["manual_file"] = "manual_file"
    OWNER_FIELD = "manual_id"
    manual_id: str
    document: str | None = Field(default=None, serialization_alias="kind")  # its kind
    file_id: str | None = None
    name: str = "support-request.txt"
    url: str | None = None
    size: int = 0

    def key(self) -> str:
        what = f"{self.document}:{self.file_id}" if self.file_id else "request"
        return f"manual-file:{self.manual_id}:{what}"


class ManualBoard(Work):
    """The board edit that shows ``version`` of a manual port (one per version, so ordered
    after the replies before it)."""

    kind: Literal["manual_board"] = "manual_board"
    OWNER_FIELD = "manual_id"
    KEY_FIELDS = ("version",)
    manual_id: str
    version: int

    def key(self) -> str:
        return f"manual-board:{self.manual_id}:{self.version}"

    @classmethod
    def _from_key(cls, key: str) -> dict[str, Any]:
        return {"version": int(_last_part(key))}


class ManualReminder(Work):
    """A manual port's reminder (``bot.desk.manual_schedule``), decided again at delivery."""

    kind: Literal["manual_remind"] = "manual_remind"
    ordered = False  # timed: holds back none of the port's posts
    manual_id: str
    reminder: str = Field(serialization_alias="kind")  # a ``ManualReminderKind``
    due_day: date

    def key(self) -> str:
        return reminder_key(self.manual_id, self.reminder, self.due_day)

    def owner(self) -> str:
        return self.manual_id
