"""Every kind of Slack work the bot sends, as one typed list: a pydantic model per kind, each
with its ``kind`` (the outbox row's ``kind`` column), its :meth:`~Work.key` (the row's unique
key, stamped on the Slack message so a retry finds it) and its :meth:`~Work.owner` (what its
rows are ordered under: a request, a manual port, a channel's digest, a user's Home).

The desk plans with these models, the store persists them (``bot.store.outbox``) and one
handler per kind delivers them (``bot.slack.delivery``). This module imports nothing of the
bot, so every layer may use it (an import-linter contract keeps it so).

Stored rows must stay readable across versions: a model stores its fields as the payload JSON
(``stored``) except those its row already says (the owner, parts of the key), which
:meth:`Work.restore` takes back from the row; a field renamed here keeps its stored name
(``serialization_alias``). Adding a kind: one model below (in :data:`AnyWork`), one handler
(``bot.slack.delivery``), one test.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


def _nonce() -> str:
    return uuid.uuid4().hex


class Work(BaseModel):
    """One piece of Slack work (see the module's docstring)."""

    model_config = ConfigDict(frozen=True, validate_by_name=True)

    KIND: ClassVar[str]  # the ``kind`` literal, on the class
    # Draws the latest state when sent (a board, a Home tab): coalesced to one pending row per
    # key, not ordered with the posts.
    edit: ClassVar[bool] = False
    # The field the row's owner (``outbox.request_sid``) restores, not stored in the payload.
    OWNER_FIELD: ClassVar[str | None] = None

    kind: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        default = cls.model_fields["kind"].default
        if isinstance(default, str):
            cls.KIND = default

    def key(self) -> str:
        raise NotImplementedError

    def owner(self) -> str:
        """What the work's rows are ordered under (posts of one owner go out in order)."""
        assert self.OWNER_FIELD is not None
        return str(getattr(self, self.OWNER_FIELD))

    def stored(self) -> str:
        """The payload JSON the outbox row keeps (without what the row itself says)."""
        return self.model_dump_json(by_alias=True, exclude=self._unstored())

    @classmethod
    def restore(cls, payload: str, key: str, owner: str) -> Self:
        """The work a stored row holds (``payload`` as :meth:`stored` wrote it)."""
        data = TypeAdapter(dict[str, Any]).validate_json(payload)
        renamed = {
            f.serialization_alias: name
            for name, f in cls.model_fields.items()
            if f.serialization_alias
        }
        data = {renamed.get(k, k): v for k, v in data.items()}
        if cls.OWNER_FIELD is not None:
            data[cls.OWNER_FIELD] = owner
        return cls.model_validate({**data, **cls._from_key(key), "kind": cls.KIND})

    @classmethod
    def _unstored(cls) -> set[str]:
        return {"kind", *([cls.OWNER_FIELD] if cls.OWNER_FIELD else []), *cls.KEY_FIELDS}

    KEY_FIELDS: ClassVar[tuple[str, ...]] = ()  # fields :meth:`_from_key` restores

    @classmethod
    def _from_key(cls, key: str) -> dict[str, Any]:
        return {}


def _last_part(key: str) -> str:
    return key.rsplit(":", 1)[-1]


# -- keys shared by more than one kind, or looked up by the store -----------------------------


def root_key(request_sid: str) -> str:
    """A request's thread root: one per request, ever."""
    return f"root:{request_sid}"


def manual_root_key(manual_id: str) -> str:
    """A manual port's thread root (its board): one per port, ever."""
    return f"manual-root:{manual_id}"


def reminder_key(owner: str, kind: str, due_day: date) -> str:
    """A reminder in a request's or a manual port's thread: once per kind and due day (the
    desk's planners key theirs with it, so planning one again finds it)."""
    return f"remind:{owner}:{kind}:{due_day.isoformat()}"


def digest_key(channel_id: str, day: date) -> str:
    return f"digest:{channel_id}:{day.isoformat()}"


def digest_owner(channel_id: str) -> str:
    """What a channel's digest rows are ordered under (they belong to no request)."""
    return f"digest:{channel_id}"


def home_owner(user_id: str) -> str:
    return f"home:{user_id}"


# -- a request's thread ------------------------------------------------------------------------


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


# -- the desk's day ------------------------------------------------------------------------------


class Reminder(Work):
    """A reminder as the planner keyed it (``bot.desk.schedule``); at delivery the desk
    decides again on fresh facts whether it is still due, and with what text."""

    kind: Literal["reminder"] = "reminder"
    request_sid: str
    reminder: str = Field(serialization_alias="kind")  # a ``bot.desk.schedule.ReminderKind``
    due_day: date

    def key(self) -> str:
        return reminder_key(self.request_sid, self.reminder, self.due_day)

    def owner(self) -> str:
        return self.request_sid


class Digest(Work):
    """A channel's daily digest for the business ``day`` (on the desk's clock)."""

    kind: Literal["digest"] = "digest"
    channel_id: str
    day: date

    def key(self) -> str:
        return digest_key(self.channel_id, self.day)

    def owner(self) -> str:
        return digest_owner(self.channel_id)


class DigestFile(Work):
    """The CSV of a long digest, in the digest's thread (built with the digest; nothing
    secret)."""

    kind: Literal["digest_file"] = "digest_file"
    channel_id: str
    day: date
    thread_ts: str  # the digest message's
    filename: str
    content: str

    def key(self) -> str:
        return f"digest-file:{self.channel_id}:{self.day.isoformat()}"

    def owner(self) -> str:
        return digest_owner(self.channel_id)


class Home(Work):
    """A publish of ``user_id``'s App Home: it draws the user's latest agenda."""

    kind: Literal["home"] = "home"
    edit = True
    user_id: str

    def key(self) -> str:
        return f"home:{self.user_id}"

    def owner(self) -> str:
        return home_owner(self.user_id)


# -- a manual port's thread (posts, ordered per port) -------------------------------------------


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
    manual_id: str
    reminder: str = Field(serialization_alias="kind")  # a ``ManualReminderKind``
    due_day: date

    def key(self) -> str:
        return reminder_key(self.manual_id, self.reminder, self.due_day)

    def owner(self) -> str:
        return self.manual_id


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
    | ManualReminder,
    Field(discriminator="kind"),
]
"""Every kind of Slack work, told apart by ``kind``."""

KINDS: dict[str, type[Work]] = {t.KIND: t for t in get_args(get_args(AnyWork)[0])}
EDIT_KINDS = frozenset(kind for kind, t in KINDS.items() if t.edit)


def restore(kind: str, payload: str, key: str, owner: str) -> Work:
    """The work an outbox row holds; raises KeyError for a kind this code does not know, and
    pydantic's ValidationError (a ValueError) for a payload it cannot read."""
    return KINDS[kind].restore(payload, key, owner)
