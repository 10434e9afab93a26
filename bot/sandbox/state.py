"""Sandbox state: the simulated clock, port-in requests and numbers, and their state machines.

Everything here is synchronous and never awaits, so one API call or one clock step is atomic
on the event loop. Transitions append :class:`SimEvent` objects to an outbox that the
:class:`~bot.sandbox.core.Sandbox` drains and hands to the webhook sender.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.porting.statuses import (
    NUMBER_STATUS_EVENT,
    REQUEST_STATUS_EVENT,
    NumberStatus,
    RequestStatus,
    WebhookEvent,
)

from .config import SANDBOX_SUBACCOUNT_SID, SandboxConfig
from .errors import SandboxError, SimulatorError, bad_request, not_found
from .numbers import NOT_PORTABLE_REASONS, REJECTION_REASONS, NumberProfile, Reason, classify
from .webhooks import SimEvent, number_payload, request_payload


def iso(when: datetime | None) -> str | None:
    """Twilio's date-time form: ``2023-09-10T06:52:21Z``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


class SimClock:
    """Simulated UTC time. It only moves forward, and only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def set(self, when: datetime) -> None:
        if when > self._now:
            self._now = when


@dataclass
class SimDocument:
    sid: str
    account_sid: str
    document_type: str
    friendly_name: str | None
    mime_type: str
    size: int
    date_created: datetime
    status: str = "uploaded"  # GUESS: the docs do not list document status values
    version: int = 1


@dataclass
class WebhookSettings:
    port_in_target_url: str | None = None
    port_out_target_url: str | None = None
    notifications_of: list[str] = field(default_factory=list)
    port_in_date_created: datetime | None = None
    port_out_date_created: datetime | None = None

    @property
    def empty(self) -> bool:
        return self.port_in_target_url is None and self.port_out_target_url is None

    def wants(self, event: WebhookEvent) -> bool:
        # An empty list means "send everything" (reference §4.1).
        return not self.notifications_of or event.value in self.notifications_of


@dataclass
class SimNumber:
    sid: str
    request_sid: str
    account_sid: str
    phone_number: str
    number_type: str
    country: str | None
    pin: str | None
    portable: bool
    not_portability_reason: str | None
    not_portability_reason_code: int | None
    planned_rejection: int | None  # what the losing carrier will answer, decided at create
    date_created: datetime
    last_updated: datetime
    status: NumberStatus = NumberStatus.IN_REVIEW
    rejection_reason: str | None = None
    rejection_reason_code: int | None = None
    port_date: datetime | None = None
    # Bumped on every status change; a scheduled job for an older version is stale.
    version: int = 0


@dataclass
class SimRequest:
    sid: str
    account_sid: str
    losing_carrier_information: dict[str, Any]
    documents: list[str]
    notification_emails: list[str] | None
    target_port_in_date: date | None
    target_port_in_time_range_start: str | None
    target_port_in_time_range_end: str | None
    bundle_sid: str | None
    portability_advance_carrier: str | None
    auto_cancel_approval_numbers: str | None
    support_ticket_id: int
    date_created: datetime
    last_updated: datetime
    signature_token: str
    numbers: list[SimNumber] = field(default_factory=list)
    status: RequestStatus = RequestStatus.IN_REVIEW
    order_cancellation_reason: str | None = None
    signature_request_url: str | None = None
    loa_sent_at: datetime | None = None
    signed_at: datetime | None = None
    cancel_requested: bool = False
    expired: bool = False

    def number(self, number_sid: str) -> SimNumber | None:
        return next((n for n in self.numbers if n.sid == number_sid), None)


@dataclass
class PlannedNumber:
    phone_number: str
    pin: str | None
    profile: NumberProfile
    # A reason that makes the number not portable; it is accepted and canceled in review.
    not_portable: Reason | None


@dataclass
class CreatePlan:
    """A validated create body (see :mod:`bot.sandbox.validation`)."""

    account_sid: str
    documents: list[str]
    losing_carrier_information: dict[str, Any]
    numbers: list[PlannedNumber]
    notification_emails: list[str] | None = None
    target_port_in_date: date | None = None
    target_port_in_time_range_start: str | None = None
    target_port_in_time_range_end: str | None = None
    bundle_sid: str | None = None
    portability_advance_carrier: str | None = None
    auto_cancel_approval_numbers: str | None = None


@dataclass
class PortabilityAnswer:
    profile: NumberProfile
    reason: Reason | None
    account_sid: str | None


class JobKind(StrEnum):
    REVIEW_DONE = "review_done"
    AUTO_SIGN = "auto_sign"
    LOA_EXPIRY = "loa_expiry"
    CARRIER_RESPONSE = "carrier_response"
    PORT = "port"
    CANCEL_DONE = "cancel_done"


@dataclass(order=True)
class _Job:
    due: datetime
    seq: int
    kind: JobKind = field(compare=False)
    request_sid: str = field(compare=False)
    number_sid: str | None = field(compare=False, default=None)
    number_version: int = field(compare=False, default=0)


_LATE_CANCEL = (NumberStatus.PORT_PENDING,)
# Request-level jobs only apply while the request is still in this status.
_REQUEST_JOB_STATUS = {
    JobKind.REVIEW_DONE: RequestStatus.IN_REVIEW,
    JobKind.AUTO_SIGN: RequestStatus.WAITING_FOR_SIGNATURE,
    JobKind.LOA_EXPIRY: RequestStatus.WAITING_FOR_SIGNATURE,
}


class PortingState:
    """All sandbox data plus the scheduler that moves requests along the simulated clock."""

    def __init__(self, config: SandboxConfig, clock: SimClock) -> None:
        self.config = config
        self.clock = clock
        self._rng: random.Random = (
            random.Random(config.seed) if config.seed is not None else random.SystemRandom()
        )
        self.requests: dict[str, SimRequest] = {}
        self.documents: dict[str, SimDocument] = {}
        self.webhook = WebhookSettings()
        # Numbers the sandbox has ported in: E.164 → owning account.
        self.owned: dict[str, str] = {}
        # Portability API calls served, so tests can assert the bot did (not) call Twilio.
        self.portability_checks = 0
        self.events: deque[SimEvent] = deque(maxlen=config.max_log_entries)
        self._outbox: list[SimEvent] = []
        self._jobs: list[_Job] = []
        self._seq = itertools.count()
        self._tickets = itertools.count(100001)

    # -- identifiers and events ---------------------------------------------------------

    def new_sid(self, prefix: str) -> str:
        return f"{prefix}{self._rng.getrandbits(128):032x}"

    def drain(self) -> list[SimEvent]:
        """Events produced since the last drain, in order."""
        out, self._outbox = self._outbox, []
        return out

    def _emit(self, event: WebhookEvent, payload: dict[str, Any]) -> None:
        sim_event = SimEvent(event, payload, self.clock.now())
        self.events.append(sim_event)
        self._outbox.append(sim_event)

    def _schedule(
        self, due: datetime, kind: JobKind, request_sid: str, number: SimNumber | None = None
    ) -> None:
        job = _Job(due, next(self._seq), kind, request_sid)
        if number is not None:
            job.number_sid, job.number_version = number.sid, number.version
        heapq.heappush(self._jobs, job)

    # -- lookups --------------------------------------------------------------------------

    def active_numbers(self) -> dict[str, SimRequest]:
        """E.164 → the request currently porting it (canceled or not portable numbers are free)."""
        return {
            number.phone_number: request
            for request in self.requests.values()
            if not request.status.terminal
            for number in request.numbers
            if number.portable and not number.status.terminal
        }

    def get_request(self, sid: str, path: str) -> SimRequest:
        request = self.requests.get(sid)
        if request is None:
            raise not_found(path)
        return request

    def portability(
        self, number: str, target_account: str, active: dict[str, SimRequest] | None = None
    ) -> PortabilityAnswer:
        """Portability of ``number`` for ``target_account``, given what the sandbox holds.

        ``active`` (from :meth:`active_numbers`) saves rebuilding the index per number.
        """
        profile = classify(number)
        if profile.error is not None:
            return PortabilityAnswer(profile, None, None)
        owner = self.owned.get(number)
        if owner is not None:
            code = 22131 if owner == target_account else 22136
            return PortabilityAnswer(profile, NOT_PORTABLE_REASONS[code], owner)
        porting = (self.active_numbers() if active is None else active).get(number)
        if porting is not None:
            code = 22131 if porting.account_sid == target_account else 22136
            return PortabilityAnswer(profile, NOT_PORTABLE_REASONS[code], None)
        reason = profile.not_portable
        account_sid = None
        if reason is not None and reason.code == 22131:
            account_sid = target_account
        elif reason is not None and reason.code == 22136:
            account_sid = SANDBOX_SUBACCOUNT_SID
        return PortabilityAnswer(profile, reason, account_sid)

    # -- create ---------------------------------------------------------------------------

    def create_request(self, plan: CreatePlan) -> SimRequest:
        now = self.clock.now()
        sid = self.new_sid("KW")
        request = SimRequest(
            sid=sid,
            account_sid=plan.account_sid,
            losing_carrier_information=plan.losing_carrier_information,
            documents=plan.documents,
            notification_emails=plan.notification_emails,
            target_port_in_date=plan.target_port_in_date,
            target_port_in_time_range_start=plan.target_port_in_time_range_start,
            target_port_in_time_range_end=plan.target_port_in_time_range_end,
            bundle_sid=plan.bundle_sid,
            portability_advance_carrier=plan.portability_advance_carrier,
            auto_cancel_approval_numbers=plan.auto_cancel_approval_numbers,
            support_ticket_id=next(self._tickets),
            date_created=now,
            last_updated=now,
            signature_token=f"{self._rng.getrandbits(96):024x}",
        )
        for planned in plan.numbers:
            reason = planned.not_portable
            request.numbers.append(
                SimNumber(
                    sid=self.new_sid("PU"),
                    request_sid=sid,
                    account_sid=plan.account_sid,
                    phone_number=planned.phone_number,
                    number_type=planned.profile.number_type,
                    country=planned.profile.country,
                    pin=planned.pin,
                    portable=reason is None,
                    not_portability_reason=reason.name if reason else None,
                    not_portability_reason_code=reason.code if reason else None,
                    planned_rejection=planned.profile.carrier_rejection(planned.pin),
                    date_created=now,
                    last_updated=now,
                )
            )
        self.requests[sid] = request
        self._schedule(now + self.config.timings.review, JobKind.REVIEW_DONE, sid)
        return request

    # -- transitions ----------------------------------------------------------------------

    def _set_number(self, number: SimNumber, status: NumberStatus) -> None:
        if number.status == status:
            return
        number.status = status
        number.version += 1
        number.last_updated = self.clock.now()
        event = NUMBER_STATUS_EVENT.get(status)
        if event is not None:
            self._emit(event, number_payload(number, event, self.clock.now()))

    def _derive(self, request: SimRequest) -> RequestStatus:
        if request.status.terminal:
            return request.status
        statuses = [n.status for n in request.numbers]
        if all(s.terminal for s in statuses):
            if request.expired:
                return RequestStatus.EXPIRED
            if request.cancel_requested:
                return RequestStatus.CANCELED
            if NumberStatus.COMPLETED in statuses:
                return RequestStatus.COMPLETED
            return RequestStatus.CANCELED
        if request.cancel_requested:
            return RequestStatus.CANCELING
        if NumberStatus.PORT_REJECTED in statuses:
            return RequestStatus.ACTION_REQUIRED
        if request.signed_at is not None:
            return RequestStatus.IN_PROGRESS
        if request.loa_sent_at is not None:
            return RequestStatus.WAITING_FOR_SIGNATURE
        return RequestStatus.IN_REVIEW

    def _refresh(self, request: SimRequest) -> None:
        status = self._derive(request)
        if status == request.status:
            return
        request.status = status
        request.last_updated = self.clock.now()
        event = REQUEST_STATUS_EVENT.get(status)
        if event is not None:
            self._emit(event, request_payload(request.sid, event, self.clock.now()))

    def _review_done(self, request: SimRequest) -> None:
        if request.status != RequestStatus.IN_REVIEW or request.cancel_requested:
            return
        now = self.clock.now()
        # Twilio builds the LOA from the portable numbers only; the rest are canceled.
        for number in request.numbers:
            if number.status == NumberStatus.IN_REVIEW and not number.portable:
                self._set_number(number, NumberStatus.CANCELED)
        waiting = [n for n in request.numbers if n.status == NumberStatus.IN_REVIEW]
        if not waiting:
            request.order_cancellation_reason = "No portable phone numbers in the request"
            self._refresh(request)
            return
        request.loa_sent_at = now
        request.signature_request_url = (
            f"{self.config.public_url.rstrip('/')}/_sim/loa/{request.sid}"
            f"?token={request.signature_token}"
        )
        for number in waiting:
            self._set_number(number, NumberStatus.WAITING_FOR_SIGNATURE)
        self._refresh(request)
        if self.config.auto_sign_loa:
            self._schedule(
                now + self.config.timings.auto_sign_after, JobKind.AUTO_SIGN, request.sid
            )
        expiry = now + timedelta(days=self.config.loa_expiry_days)
        self._schedule(expiry, JobKind.LOA_EXPIRY, request.sid)

    def sign(self, request: SimRequest) -> None:
        """The authorised representative signs the LOA; Twilio submits to the losing carrier."""
        if request.status != RequestStatus.WAITING_FOR_SIGNATURE:
            raise SimulatorError(
                f"{request.sid} is {request.status.twilio_name}, not Waiting for Signature"
            )
        now = self.clock.now()
        request.signed_at = now
        stagger = self.config.timings.carrier_response_stagger
        for number in request.numbers:
            if number.status != NumberStatus.WAITING_FOR_SIGNATURE:
                continue
            self._set_number(number, NumberStatus.PORT_SUBMITTED)
            due = now + self.config.timings.carrier_response + stagger * _last_digit(number)
            self._schedule(due, JobKind.CARRIER_RESPONSE, request.sid, number)
        self._refresh(request)

    def expire(self, request: SimRequest) -> None:
        """The LOA was not signed in time: numbers canceled, request Expired."""
        if request.status != RequestStatus.WAITING_FOR_SIGNATURE:
            raise SimulatorError(
                f"{request.sid} is {request.status.twilio_name}, not Waiting for Signature"
            )
        request.expired = True
        request.order_cancellation_reason = (
            f"The LOA was not signed within {self.config.loa_expiry_days} days"
        )
        for number in request.numbers:
            if not number.status.terminal:
                self._set_number(number, NumberStatus.CANCELED)
        self._refresh(request)

    def foc(self, request: SimRequest, number: SimNumber) -> datetime:
        """The carrier's firm order commitment: the target date or later, on a weekday.

        Numbers of one request land up to two days apart (last digit mod 3), as carriers do.
        """
        timings = self.config.timings
        now = self.clock.now()
        if request.target_port_in_date is not None:
            day = request.target_port_in_date
        else:
            day = ((request.signed_at or now) + timings.default_foc_lead).date()
        day = max(day, (now + timings.min_foc_after_response).date())
        day += timedelta(days=_last_digit(number) % 3)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        at = _port_time(request.target_port_in_time_range_start)
        return datetime.combine(day, at).astimezone(UTC)

    def _carrier_response(self, request: SimRequest, number: SimNumber) -> None:
        if number.status != NumberStatus.PORT_SUBMITTED:
            return
        if number.planned_rejection is not None:
            self._reject(request, number, number.planned_rejection)
            return
        number.port_date = self.foc(request, number)
        self._set_number(number, NumberStatus.PORT_PENDING)
        self._schedule(number.port_date, JobKind.PORT, request.sid, number)
        self._refresh(request)

    def _reject(self, request: SimRequest, number: SimNumber, code: int) -> None:
        number.rejection_reason = REJECTION_REASONS[code]
        number.rejection_reason_code = code
        number.port_date = None
        self._set_number(number, NumberStatus.PORT_REJECTED)
        self._refresh(request)

    def reject(self, request: SimRequest, number: SimNumber, code: int) -> None:
        """Admin: the losing carrier rejects (or revokes the FOC of) a number."""
        if code not in REJECTION_REASONS:
            raise SimulatorError(f"unknown rejection code {code}", 400)
        if number.status not in (NumberStatus.PORT_SUBMITTED, NumberStatus.PORT_PENDING):
            raise SimulatorError(
                f"{number.sid} is {number.status}; only submitted or pending "
                "numbers can be rejected"
            )
        self._reject(request, number, code)

    def resubmit(self, request: SimRequest, number: SimNumber) -> None:
        """Admin: the problem was fixed with Twilio support; the carrier gets the number again."""
        if number.status != NumberStatus.PORT_REJECTED:
            raise SimulatorError(f"{number.sid} is {number.status}, not port_rejected")
        number.planned_rejection = None
        number.rejection_reason = None
        number.rejection_reason_code = None
        self._set_number(number, NumberStatus.PORT_SUBMITTED)
        due = self.clock.now() + self.config.timings.carrier_response
        self._schedule(due, JobKind.CARRIER_RESPONSE, request.sid, number)
        self._refresh(request)

    def _port(self, request: SimRequest, number: SimNumber) -> None:
        if number.status != NumberStatus.PORT_PENDING:
            return
        self._set_number(number, NumberStatus.COMPLETED)
        self.owned[number.phone_number] = request.account_sid
        self._refresh(request)

    def _cancel_done(self, request: SimRequest, number: SimNumber) -> None:
        if number.status != NumberStatus.CANCELING:
            return
        self._set_number(number, NumberStatus.CANCELED)
        self._refresh(request)

    def _cancel(self, request: SimRequest, number: SimNumber) -> None:
        # After the carrier set an FOC, cancelling needs the carrier: "canceling" first.
        if number.status in _LATE_CANCEL:
            self._set_number(number, NumberStatus.CANCELING)
            due = self.clock.now() + self.config.timings.cancel_delay
            self._schedule(due, JobKind.CANCEL_DONE, request.sid, number)
        elif number.status.cancellable:
            self._set_number(number, NumberStatus.CANCELED)

    def cancel_request(self, request: SimRequest) -> None:
        # GUESS: Twilio does not document which states allow DELETE, nor the error code.
        if request.status.terminal or request.status == RequestStatus.CANCELING:
            raise bad_request(
                f"Port in request {request.sid} cannot be canceled in status "
                f"'{request.status.twilio_name}'"
            )
        request.cancel_requested = True
        request.order_cancellation_reason = "Canceled by the customer"
        for number in request.numbers:
            self._cancel(request, number)
        self._refresh(request)

    def cancel_number(self, request: SimRequest, number: SimNumber) -> None:
        if not number.status.cancellable:
            # GUESS: code 20001 / HTTP 400 (not documented).
            raise bad_request(
                f"Phone number {number.sid} cannot be canceled in status '{number.status}'"
            )
        self._cancel(request, number)
        self._refresh(request)

    # -- clock ----------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """When the next live job is due; stale jobs are dropped, so a settled sandbox says None."""
        while self._jobs and self._target(self._jobs[0]) is None:
            heapq.heappop(self._jobs)
        return self._jobs[0].due if self._jobs else None

    def run_until(self, until: datetime) -> None:
        """Run every job due up to ``until`` in time order, then set the clock to ``until``."""
        while self._jobs and self._jobs[0].due <= until:
            job = heapq.heappop(self._jobs)
            target = self._target(job)
            if target is None:
                continue
            self.clock.set(job.due)
            self._run(job, *target)
        self.clock.set(until)

    def _target(self, job: _Job) -> tuple[SimRequest, SimNumber | None] | None:
        """What a job acts on, or None when things moved on since it was scheduled."""
        request = self.requests.get(job.request_sid)
        if request is None:
            return None
        if job.number_sid is None:
            live = request.status == _REQUEST_JOB_STATUS[job.kind] and not request.cancel_requested
            return (request, None) if live else None
        number = request.number(job.number_sid)
        if number is None or number.version != job.number_version:
            return None
        return request, number

    def _run(self, job: _Job, request: SimRequest, number: SimNumber | None) -> None:
        if job.kind == JobKind.REVIEW_DONE:
            self._review_done(request)
        elif job.kind == JobKind.AUTO_SIGN:
            self.sign(request)
        elif job.kind == JobKind.LOA_EXPIRY:
            self.expire(request)
        elif number is None:
            return
        elif job.kind == JobKind.CARRIER_RESPONSE:
            self._carrier_response(request, number)
        elif job.kind == JobKind.PORT:
            self._port(request, number)
        elif job.kind == JobKind.CANCEL_DONE:
            self._cancel_done(request, number)

    # -- list -----------------------------------------------------------------------------

    def page_requests(
        self,
        token: str | None,
        size: int,
        sids: set[str] | None = None,
        status: RequestStatus | None = None,
        created_before: date | None = None,
        created_after: date | None = None,
    ) -> tuple[list[SimRequest], str | None, str | None]:
        """One page of requests in creation order: (items, next_token, previous_token).

        Tokens are the SID of the first request of a page, like the spec example.
        """
        rows = [
            r
            for r in self.requests.values()
            if (sids is None or r.sid in sids)
            and (status is None or r.status == status)
            # GUESS: both date bounds inclusive.
            and (created_before is None or r.date_created.date() <= created_before)
            and (created_after is None or r.date_created.date() >= created_after)
        ]
        start = 0
        if token:
            index = next((i for i, r in enumerate(rows) if r.sid == token), None)
            if index is None:
                raise SandboxError(400, 20001, f"Invalid Token '{token}'")
            start = index
        page = rows[start : start + size]
        next_token = rows[start + size].sid if start + size < len(rows) else None
        previous_token = rows[max(0, start - size)].sid if start > 0 else None
        return page, next_token, previous_token


def _last_digit(number: SimNumber) -> int:
    return int(number.phone_number[-1])


def _port_time(range_start: str | None) -> time:
    """Port at the start of the requested window (kept in its offset), else 00:00 UTC."""
    if range_start:
        try:
            parsed = time.fromisoformat(range_start)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return time(0, 0, tzinfo=UTC)
