"""What the desk's planners know of a request, and the policy they follow.

:class:`RequestFacts` is a small, frozen view of one request built from the store
(:func:`facts_from_store`); :func:`status_changed_at` is the one rule for when a request
entered its status by Twilio's clock (what the sync stores as ``status_changed_at``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.porting.models import PortInRequest
from bot.porting.statuses import NumberStatus, RequestStatus, number_status, request_status

if TYPE_CHECKING:  # only for annotations: facts themselves are plain values
    from bot.settings import Settings
    from bot.store.models import NumberState, RequestState

LOA_VALID = timedelta(days=30)  # Twilio cancels an unsigned request this long after the LOA


@dataclass(frozen=True)
class DeskPolicy:
    """The desk's timings (``PORTING_LOA_REMIND_DAYS``, ``PORTING_STALE_DAYS``,
    ``PORTING_DIGEST_AT``) and the fixed ones the issue names."""

    loa_remind_days: tuple[int, ...] = (7, 3, 1)
    stale_days: int = 5  # business days
    digest_at: time | None = time(9)  # None: no digest
    action_days: int = 2  # business days an Action Required may sit unanswered
    stale_every: int = 7  # calendar days between two nudges for one stale request
    loa_due_soon: timedelta = timedelta(days=3)  # "needs a person" in the digest and Home
    port_horizon: int = 3  # business days of port dates the digest shows
    quiet_digest: str = "short"  # a digest with nothing new: "short" (one line) or "skip"

    @classmethod
    def from_settings(cls, settings: Settings) -> DeskPolicy:
        return cls(
            loa_remind_days=settings.loa_remind_days,
            stale_days=settings.porting_stale_days,
            digest_at=settings.digest_time,
            quiet_digest=settings.porting_digest_when_quiet,
        )


_NOT_PORTING = (NumberStatus.PORT_REJECTED, NumberStatus.CANCELING)


@dataclass(frozen=True)
class NumberFacts:
    phone_number: str
    status: NumberStatus
    port_date: date | None = None  # the date Twilio names (its ``port_date``'s date)
    rejection_code: str | None = None
    rejection_reason: str | None = None

    @property
    def porting(self) -> bool:
        """Still on its way to a port date (not done, canceled or rejected)."""
        return not self.status.terminal and self.status not in _NOT_PORTING


@dataclass(frozen=True)
class PortDay:
    day: date
    numbers: tuple[str, ...]  # E.164


@dataclass(frozen=True)
class RequestFacts:
    """What the planner knows of one request (:func:`facts_from_store` builds it)."""

    request_sid: str
    status: RequestStatus
    status_since: datetime | None  # when it entered ``status`` (Twilio's timestamps)
    date_created: datetime | None = None
    filed_by: str | None = None  # None: adopted (filed outside the bot)
    numbers: tuple[NumberFacts, ...] = ()
    moved_at: datetime | None = None  # Twilio's latest change to it or a number

    @property
    def closed(self) -> bool:
        return self.status.terminal

    @property
    def loa_sent_at(self) -> datetime | None:
        """When the LOA went out: the move to Waiting for Signature, else ``date_created``."""
        return loa_sent_at(self.status, self.status_since, self.date_created)

    @property
    def loa_deadline(self) -> datetime | None:
        sent = self.loa_sent_at
        return loa_deadline(sent) if sent else None

    @property
    def rejections(self) -> tuple[NumberFacts, ...]:
        return tuple(n for n in self.numbers if n.status == NumberStatus.PORT_REJECTED)

    def port_days(self) -> tuple[PortDay, ...]:
        """The port dates of numbers still porting, earliest first."""
        return port_days(self.numbers)


def port_days(numbers: Iterable[NumberFacts]) -> tuple[PortDay, ...]:
    """The port dates of ``numbers`` still porting, earliest first."""
    by_day: dict[date, list[str]] = defaultdict(list)
    for n in numbers:
        if n.porting and n.port_date:
            by_day[n.port_date].append(n.phone_number)
    return tuple(PortDay(d, tuple(sorted(by_day[d]))) for d in sorted(by_day))


def loa_sent_at(
    status: RequestStatus, status_since: datetime | None, date_created: datetime | None
) -> datetime | None:
    """When a request's LOA went out, while it waits for the signature: when it entered
    Waiting for Signature (Twilio's timestamps), else its ``date_created``."""
    if status != RequestStatus.WAITING_FOR_SIGNATURE:
        return None
    return status_since or date_created


def loa_deadline(sent_at: datetime) -> datetime:
    """When Twilio cancels a request whose LOA, sent at ``sent_at``, is still unsigned."""
    return sent_at + LOA_VALID


def status_changed_at(
    request: PortInRequest, reported_at: datetime | None = None
) -> datetime | None:
    """When ``request`` entered its current status, by Twilio's clock: the webhook's
    ``last_date_updated`` (``reported_at``), else the latest
    ``status_last_time_updated_timestamp`` of its numbers, else its ``date_created``."""
    if reported_at is not None:
        return _aware(reported_at)
    stamps = [n.last_updated for n in request.phone_numbers if n.last_updated]
    if stamps:
        return max(stamps)
    return request.date_created


def record_twilio_times(
    state: RequestState, request: PortInRequest, *, status_changed: bool, now: datetime
) -> None:
    """Keep ``state``'s Twilio timestamps current on every read of ``request`` (the sync calls
    this): ``created_at`` is Twilio's ``date_created``; ``status_changed_at`` moves when the
    status does (or was never recorded), to :func:`status_changed_at`'s moment, or to ``now``
    when Twilio's copy has nothing newer than the previous status's; ``synced_at`` is now."""
    if request.date_created is not None:
        state.created_at = _aware(request.date_created)
    previous = _aware(state.status_changed_at) if state.status_changed_at else None
    if status_changed or previous is None:
        moment = status_changed_at(request)
        if previous is not None and (moment is None or moment <= previous):
            moment = now  # Twilio's stamps predate the change: we saw it now
        state.status_changed_at = moment
    state.synced_at = now


def facts_from_store(state: RequestState, numbers: Iterable[NumberState]) -> RequestFacts:
    """A request's facts from its stored rows."""
    rows = list(numbers)
    stamps = [n.twilio_updated_at for n in rows if n.twilio_updated_at]
    created = state.created_at
    since = state.status_changed_at or (max(stamps) if stamps else None) or created
    moved = max([*stamps, since]) if since else None
    return RequestFacts(
        request_sid=state.request_sid,
        status=request_status(state.status),
        status_since=since,
        date_created=created,
        filed_by=state.filed_by,
        numbers=tuple(
            NumberFacts(
                phone_number=n.phone_number,
                status=number_status(n.status),
                port_date=n.port_date.date() if n.port_date else None,
                rejection_code=n.rejection_reason_code,
                rejection_reason=n.rejection_reason,
            )
            for n in rows
        ),
        moved_at=moved,
    )


def _aware(value: datetime) -> datetime:
    """The webhook's ``last_date_updated`` is read strictly and may be naive: UTC then."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
