"""The desk's shared types: what its operations take and return, and the errors they raise.

Nothing here talks to Twilio, the database or Slack, and nothing here imports the store (the
Block Kit builders take these types): listeners render them, the outbox stores a
:class:`RequestUpdate` as its change set (``bot.desk.changes``), and the Slack side words the
errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ValidationError

from bot.desk.records import ActionHolder, Thread
from bot.errors import Conflict, PortingBotError
from bot.porting.errors import TwilioError
from bot.porting.filing import PortInDetails
from bot.porting.models import Portability, PortInNumber, PortInRequest
from bot.porting.statuses import (
    NumberStatus,
    RequestStatus,
    number_label,
    stored_status,
)

Progress = Callable[[int, int], Awaitable[None]]


class CheckResult(BaseModel):
    """The portability of one number, or why it could not be checked (no secrets inside)."""

    number: str
    portable: bool = False
    number_type: str | None = None
    pin_required: bool = False
    reason_code: int | None = None
    reason: str | None = None
    error: str | None = None  # set when the check itself failed

    @classmethod
    def from_portability(cls, p: Portability) -> CheckResult:
        return cls(
            number=p.phone_number,
            portable=bool(p.portable),
            number_type=p.number_type,
            pin_required=bool(p.pin_and_account_number_required),
            reason_code=p.not_portable_reason_code,
            reason=p.not_portable_reason,
        )

    @classmethod
    def from_error(cls, number: str, error: TwilioError) -> CheckResult:
        return cls(number=number, reason_code=error.code, error=error.message)

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return "error"
        return "portable" if self.portable else "not_portable"


@dataclass
class NumberChange:
    number: PortInNumber
    old: NumberStatus | None
    new: NumberStatus
    was: str | None = None  # the previous status as stored (Twilio's words if unrecognised)

    @property
    def old_label(self) -> str | None:
        if self.old is None:
            return None
        return number_label(self.was) if self.was else self.old.label


@dataclass
class RequestUpdate:
    """What changed when a fresh copy of a request was applied to what we knew."""

    request: PortInRequest
    old_status: RequestStatus | None
    number_changes: list[NumberChange] = field(default_factory=list)
    first_seen: bool = False
    # Who canceled (Slack user IDs, from the cancel claims): "request" for the whole request,
    # else by number SID. Set when the change set holds cancels made through the bot.
    canceled_by: dict[str, str] = field(default_factory=dict)
    old_raw: str | None = None  # the previous status as stored (Twilio's words if unrecognised)

    @property
    def stored_status(self) -> str:
        """The request's status as the store keeps it."""
        return stored_status(self.request.status, self.request.raw_status)

    @property
    def status_changed(self) -> bool:
        if self.old_status is None:
            return False
        return (self.old_raw or self.old_status.value) != self.stored_status

    @property
    def has_changes(self) -> bool:
        return self.status_changed or bool(self.number_changes)


@dataclass
class RequestSnapshot:
    """A request as Twilio has it now, with what only the bot knows about it."""

    request: PortInRequest
    thread: Thread | None
    filed_by: str | None
    updated_at: datetime
    # When the request entered its status, by Twilio's timestamps (the LOA deadline's start).
    status_since: datetime | None = None
    # Twilio's suggested_action from the request list, for the status it is in now.
    suggested_action: str | None = None
    refile_of: str | None = None  # the request whose rejected numbers this one re-files
    refiled_as: tuple[str, ...] = ()  # the requests that re-file numbers of this one
    golive_profile: str | None = None  # the go-live profile its numbers get (bot.desk.profiles)


@dataclass(frozen=True)
class SyncPolicy:
    """How often requests are fetched and how their Slack work is grouped."""

    poll_seconds: float = 300.0  # the reconciler's interval per request
    window_seconds: float = 2.0  # webhooks this close together are applied as one change set
    board_seconds: float = 5.0  # at most one status-board edit per request this often
    thread_wait_seconds: float = 10.0  # how long Follow waits for Slack to confirm the root


# -- filing and canceling ------------------------------------------------------------------


class FilingStep(StrEnum):
    """The steps of filing a port-in, in order; a failure names the step it happened in."""

    DOWNLOAD = "download"
    UPLOAD = "upload"
    CANCEL = "cancel"  # a re-filing only: the numbers leave the old request first
    CREATE = "create"
    THREAD = "thread"

    @property
    def label(self) -> str:
        return {
            FilingStep.DOWNLOAD: "Download the utility bill from Slack",
            FilingStep.UPLOAD: "Upload the bill to Twilio",
            FilingStep.CANCEL: "Cancel the numbers in the old request",
            FilingStep.CREATE: "Create the port-in request at Twilio",
            FilingStep.THREAD: "Open the request's thread in Slack",
        }[self]


StepReport = Callable[[FilingStep], Awaitable[None]]


class FilingFailed(PortingBotError):
    """Filing stopped at ``step``; nothing was filed. ``reason`` is safe to show (scrubbed).

    For a re-filing, ``canceled`` names the numbers already canceled in the old request
    (``refile_of``): they wait, not yet re-filed, for the next press of *File*."""

    def __init__(self, step: FilingStep, reason: str, error: TwilioError | None = None) -> None:
        super().__init__(f"{step.value}: {reason}")
        self.step = step
        self.reason = reason
        self.error = error
        self.refile_of: str | None = None
        self.canceled: list[str] = []


class BillNotReadable(FilingFailed):
    """What the bill's download returned is not a PDF or an image (the chat tool sent
    something else, such as a sign-in page); the Slack side says what to check."""

    def __init__(self, bill_name: str) -> None:
        super().__init__(FilingStep.DOWNLOAD, f"{bill_name} is not a PDF or an image")
        self.bill_name = bill_name


@dataclass
class Draft:
    """A /port-in form between its steps, with the portability re-check once it has run."""

    id: str
    user_id: str
    details: PortInDetails
    checks: list[CheckResult] | None = None
    refile_of: str | None = None  # re-files rejected numbers of this request

    def _results(self) -> list[CheckResult]:
        return self.checks or []

    @property
    def steps(self) -> list[FilingStep]:
        """The filing's steps for this draft: no bill to move when Twilio holds it already,
        a cancel in the old request first when it re-files."""
        held = bool(self.details.bill.documents)
        return [
            step
            for step in FilingStep
            if not (held and step in (FilingStep.DOWNLOAD, FilingStep.UPLOAD))
            and (step != FilingStep.CANCEL or self.refile_of)
        ]

    @property
    def fileable(self) -> list[str]:
        """Numbers that can be filed (portable on the re-check), in the order given."""
        return [r.number for r in self._results() if r.portable]

    @property
    def blocked(self) -> list[CheckResult]:
        """Numbers that cannot be filed now: not portable, or the check failed."""
        return [r for r in self._results() if not r.portable]

    @property
    def pin_numbers(self) -> list[str]:
        """Fileable numbers that need a PIN (and the account number): the check says so, and
        mobile numbers always do."""
        return [
            r.number
            for r in self._results()
            if r.portable and (r.pin_required or (r.number_type or "").upper() == "MOBILE")
        ]


@dataclass
class FiledPortIn:
    snapshot: RequestSnapshot
    document_sid: str
    thread_error: str | None = None  # the request is filed; only its Slack thread is missing
    refile_of: str | None = None  # it re-files numbers of this request…
    canceled: list[str] = field(default_factory=list)  # …canceled there first


class CancelBusy(Conflict):
    """Someone already canceled this, or is canceling it right now (``claim`` says who)."""

    def __init__(self, claim: ActionHolder) -> None:
        super().__init__(f"{claim.key} claimed by {claim.user_id} ({claim.status})")
        self.claim = claim


@dataclass
class CancelOutcome:
    """What a cancel did: ``whole_request`` or the numbers asked for, one by one."""

    request_sid: str
    user_id: str
    whole_request: bool
    snapshot: RequestSnapshot | None = None  # None when the re-fetch after canceling failed
    canceled: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (number, why not tried)
    busy: list[tuple[str, ActionHolder]] = field(default_factory=list)
    failed: list[tuple[str, TwilioError]] = field(default_factory=list)


def describe_error(error: Exception) -> str:
    """A short, input-free description of an unexpected error (no values echoed). Slack's
    failures reach the desk as ``outbox.DeliveryError``, whose text is Slack's error code."""
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
    return str(error) or type(error).__name__
