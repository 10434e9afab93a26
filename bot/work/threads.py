"""The Slack work of a request's thread."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.work.base import Work, _last_part, _nonce, root_key


class Root(Work):
    """The request's thread root (its first board), in ``channel``."""

    kind: Literal["root"] = "root"
    OWNER_FIELD = "request_sid"
    request_sid: str
    channel: str

    def key(self) -> str:
        return root_key(self.request_sid)


class ChangedNumber(BaseModel):
    """One number of a change set, as Twilio says it now, with its status before."""

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True, frozen=True)

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

    model_config = ConfigDict(frozen=True)

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


class Reply(Work, ChangeSet):
    """A reply in the request's thread saying a change set (one per change set)."""

    kind: Literal["reply"] = "reply"
    nonce: str = Field(default_factory=_nonce)
    KEY_FIELDS = ("nonce",)

    def key(self) -> str:
        return f"reply:{self.request_sid}:{self.nonce}"

    def owner(self) -> str:
        return self.request_sid

    @classmethod
    def _from_key(cls, key: str) -> dict[str, Any]:
        return {"nonce": _last_part(key)}

    @classmethod
    def of(cls, change: ChangeSet) -> Reply:
        return cls.model_validate(change.model_dump())

    def change_set(self) -> ChangeSet:
        return ChangeSet.model_validate(self.model_dump(include=set(ChangeSet.model_fields)))


class File(Work, ChangeSet):
    """The CSV of a long reply's change set, after the reply ``reply_key``."""

    kind: Literal["file"] = "file"
    reply_key: str
    KEY_FIELDS = ("reply_key",)

    @classmethod
    def after(cls, reply: Reply) -> File:
        return cls(reply_key=reply.key(), **reply.change_set().model_dump())

    def key(self) -> str:
        return f"file:{self.reply_key}"

    def owner(self) -> str:
        return self.request_sid

    @classmethod
    def _from_key(cls, key: str) -> dict[str, Any]:
        return {"reply_key": key.removeprefix("file:")}

    def change_set(self) -> ChangeSet:
        return ChangeSet.model_validate(self.model_dump(include=set(ChangeSet.model_fields)))


class Board(Work):
    """An edit of the request's status board: it draws the latest stored state."""

    kind: Literal["board"] = "board"
    edit = True
    OWNER_FIELD = "request_sid"
    request_sid: str

    def key(self) -> str:
        return f"board:{self.request_sid}"


class Checklist(Work):
    """The post-port checklist: the numbers that ported (E.164), how many were canceled
    instead, and whom to mention (the filer; nobody for an adopted request). One per request,
    ever: queued twice, it is still posted once."""

    kind: Literal["checklist"] = "checklist"
    OWNER_FIELD = "request_sid"
    request_sid: str
    ported: list[str] = []
    canceled: int = 0
    mention: str | None = None

    def key(self) -> str:
        return f"checklist:{self.request_sid}"


class Refiled(Work):
    """Said in the old request's thread: ``user_id`` re-filed ``numbers`` (E.164) as
    ``new_request_sid``; once per re-filing."""

    kind: Literal["refiled"] = "refiled"
    OWNER_FIELD = "request_sid"
    request_sid: str  # the old request
    new_request_sid: str
    numbers: list[str]
    user_id: str

    def key(self) -> str:
        return f"refiled:{self.request_sid}:{self.new_request_sid}"
