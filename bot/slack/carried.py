"""What our buttons and modals carry back to us: button values and the ``private_metadata``
of our modals (≤ 3,000 characters, no secrets), each read through one typed parser.

A value that does not read — a message posted by an older version, a value cut short — raises
:class:`Stale` with what to run instead; ``bot.slack.failures`` tells the person that. Nothing
read back from here is trusted on its own: listeners re-check permissions and re-load what
the ids point to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from bot.desk.manual.steps import ManualMove
from bot.desk.manual.types import MANUAL_ID_PATTERN
from bot.errors import Conflict
from bot.porting.phone import E164_PATTERN
from bot.slack.ids import Action

PRIVATE_METADATA_LIMIT = 3000
REQUEST_SID_PATTERN = r"^KW[0-9a-fA-F]{32}$"
ID_PATTERN = r"^[0-9A-Za-z_-]{1,64}$"  # our ids of check runs and drafts (uuid4 hex)

RequestSid = Annotated[str, StringConstraints(pattern=REQUEST_SID_PATTERN)]
StoredId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
E164 = Annotated[str, StringConstraints(pattern=E164_PATTERN)]
ManualId = Annotated[str, StringConstraints(pattern=MANUAL_ID_PATTERN)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

OLD_BUTTON = "This button is from an old message and I can no longer read it"
OLD_FORM = "This form is from an older version of me and I can no longer read it"
FOR_STATUS = (
    f"{OLD_BUTTON}. Run `/port-status KW…` with the request's SID for a fresh status board "
    "and buttons."
)
FOR_CHECK = f"{OLD_BUTTON}. Run /port-check again for fresh results."
FOR_MANUAL = (
    f"{OLD_BUTTON}. Run `/port-status MP…` with the manual port's id for a fresh board and buttons."
)


class Stale(Conflict):
    """A button or form whose value no longer reads; ``text`` says what to do instead."""

    def __init__(self, text: str, what: str) -> None:
        super().__init__(what)
        self.text = text
        self.what = what


# -- button values -------------------------------------------------------------------------

_SID: TypeAdapter[str] = TypeAdapter(RequestSid)
_ID: TypeAdapter[str] = TypeAdapter(StoredId)
_BUTTONS: dict[str, tuple[TypeAdapter[str], str]] = {
    Action.SHARE_CHECK: (_ID, FOR_CHECK),
    Action.START_PORT_IN: (_ID, FOR_CHECK),
    Action.FOLLOW: (_SID, FOR_STATUS),
    Action.REFRESH: (_SID, FOR_STATUS),
    Action.NUMBERS_CSV: (_SID, FOR_STATUS),
    Action.CANCEL_REQUEST: (_SID, FOR_STATUS),
    Action.CANCEL_NUMBERS: (_SID, FOR_STATUS),
    Action.SIGNATURE_LINK: (_SID, FOR_STATUS),
    Action.HOW_TO_FIX: (_SID, FOR_STATUS),
    Action.GO_LIVE: (_SID, FOR_STATUS),
    Action.GOLIVE_PROFILE: (_SID, FOR_STATUS),
}


def button_value(action: Mapping[str, Any]) -> str:
    """The value of one of our buttons (a request SID or a stored check's id, by action_id);
    raises :class:`Stale` when it is not one."""
    action_id = str(action.get("action_id"))
    adapter, stale = _BUTTONS[action_id]
    try:
        return adapter.validate_python(action.get("value"))
    except ValidationError:
        raise Stale(stale, f"button {action_id}") from None


BUTTON_VALUE_LIMIT = 2000
NUMBERS_PER_BUTTON = 100  # E.164 numbers one button value carries (~1,600 characters)


class NumbersValue(BaseModel):
    """A button about some numbers of a request (Re-file…, Cancel number): the numbers
    themselves, or, when more than a button holds, the rejection code they share; neither
    means every rejected number of the request."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    request_sid: RequestSid = Field(alias="r")
    numbers: list[E164] = Field(default_factory=list, alias="n", max_length=NUMBERS_PER_BUTTON)
    code: str | None = Field(default=None, alias="c", max_length=64)

    @classmethod
    def of(cls, request_sid: str, numbers: list[str], code: str | None = None) -> NumbersValue:
        if len(numbers) > NUMBERS_PER_BUTTON:
            return cls(request_sid=request_sid, code=code)
        return cls(request_sid=request_sid, numbers=numbers)

    def dump(self) -> str:
        text = self.model_dump_json(exclude_defaults=True)
        assert len(text) <= BUTTON_VALUE_LIMIT, len(text)
        return text

    @classmethod
    def read(cls, action: Mapping[str, Any]) -> NumbersValue:
        """The value of a Re-file… or Cancel number button; raises :class:`Stale`."""
        try:
            return cls.model_validate_json(str(action.get("value") or ""))
        except ValidationError:
            raise Stale(FOR_STATUS, f"button {action.get('action_id')}") from None


# -- private_metadata ----------------------------------------------------------------------


class ViewMeta(BaseModel):
    STALE: ClassVar[str] = OLD_FORM

    def dump(self) -> str:
        text = self.model_dump_json(exclude_defaults=True)
        if len(text) > PRIVATE_METADATA_LIMIT:
            raise ValueError(f"private_metadata is {len(text)} characters (limit 3,000)")
        return text

    @classmethod
    def load(cls, text: str | None) -> Self:
        """The metadata of a submitted view; raises :class:`Stale` when it does not read."""
        try:
            return cls.model_validate_json(text or "{}")
        except ValidationError:
            raise Stale(cls.STALE, f"{cls.__name__} metadata") from None


class PortInMeta(ViewMeta):
    """The /port-in form: where its numbers came from, its draft, which submission this is."""

    STALE: ClassVar[str] = f"{OLD_FORM}. Close it and run /port-in again."

    check_id: StoredId | None = None  # numbers prefilled from a stored /port-check run
    check_count: int = Field(default=0, ge=0, le=1_000_000)
    draft_id: StoredId | None = None  # set from step 2 on
    # a new attempt after a failed filing gets a new idempotency key
    attempt: int = Field(default=0, ge=0, le=10_000)
    # re-filing rejected numbers of this request (step 1; the draft keeps it from step 2 on)
    refile_of: RequestSid | None = None
    # more rejected numbers than the paste area holds: read from the request (with this code)
    refile_count: int = Field(default=0, ge=0, le=1000)
    refile_code: str | None = Field(default=None, max_length=64)


class CancelMeta(ViewMeta):
    """What a cancel modal is about: a whole request, or some of its numbers (E.164)."""

    STALE: ClassVar[str] = f"{OLD_FORM}. Close it and run `/port-cancel KW…` again."

    request_sid: RequestSid
    numbers: list[E164] = Field(default_factory=list, max_length=1000)


# -- manual ports ----------------------------------------------------------------------------

MANUAL_STEP_ACTIONS: dict[str, ManualMove] = {
    Action.MANUAL_SUBMIT: ManualMove.SUBMIT,
    Action.MANUAL_QUOTE: ManualMove.QUOTE,
    Action.MANUAL_ACCEPT: ManualMove.ACCEPT,
    Action.MANUAL_APPROVE: ManualMove.APPROVE,
    Action.MANUAL_PORT_DATE: ManualMove.PORT_DATE,
    Action.MANUAL_COMPLETE: ManualMove.COMPLETE,
    Action.MANUAL_REJECT: ManualMove.REJECT,
    Action.MANUAL_CANCEL: ManualMove.CANCEL,
}
MOVE_ACTIONS = {move: action for action, move in MANUAL_STEP_ACTIONS.items()}


class ManualAt(BaseModel):
    """A manual port as a board showed it: its id and the version drawn (a board button)."""

    manual_id: ManualId
    version: int = Field(ge=1, le=1_000_000)

    def value(self) -> str:
        return f"{self.manual_id}:{self.version}"


def manual_button(action: Mapping[str, Any]) -> ManualAt:
    """The port and version a board button was drawn for; raises :class:`Stale`."""
    raw = action.get("value")
    manual_id, _, version = str(raw or "").partition(":")
    try:
        return ManualAt(manual_id=manual_id, version=int(version))
    except (ValueError, ValidationError):
        raise Stale(FOR_MANUAL, f"button {action.get('action_id')}") from None


class ManualStart(BaseModel):
    """What a Start manual port button starts: one country's numbers of a stored /port-check
    run, or numbers carried in the button itself (from /port-in)."""

    check_id: StoredId | None = None
    country: Country | None = None
    numbers: list[E164] = Field(default_factory=list, max_length=100)

    def value(self) -> str:
        return self.model_dump_json(exclude_defaults=True)


def manual_start(action: Mapping[str, Any]) -> ManualStart:
    """The numbers a Start manual port (or Console path) button carries; raises Stale."""
    try:
        start = ManualStart.model_validate_json(str(action.get("value") or ""))
    except ValidationError:
        raise Stale(FOR_CHECK, f"button {action.get('action_id')}") from None
    if not start.numbers and not (start.check_id and start.country):
        raise Stale(FOR_CHECK, f"button {action.get('action_id')}")
    return start


class ManualStepMeta(ViewMeta):
    """A step's modal (ticket, quote, port date, reason) or the documents modal: which port,
    at which version, and which move (None: documents)."""

    STALE: ClassVar[str] = f"{OLD_FORM}. Close it and press the button on the board again."

    manual_id: ManualId
    version: int = Field(ge=1, le=1_000_000)
    move: ManualMove | None = None


class GoLiveMeta(ViewMeta):
    """The go-live profile modal: which request."""

    request_sid: RequestSid


class AcknowledgeMeta(ViewMeta):
    """The Acknowledge modal: which number, and the alert message to mark acknowledged."""

    phone_number: E164
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
