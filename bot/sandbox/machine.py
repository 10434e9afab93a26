"""The state machine: how port-in requests and their numbers move, on API calls, admin actions
and timed jobs.

Everything here is synchronous and never awaits, so one API call or one clock step is atomic
on the event loop. Transitions emit events through :meth:`PortingState.emit`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.porting.statuses import (
    NUMBER_STATUS_EVENT,
    REQUEST_STATUS_EVENT,
    NumberStatus,
    RequestStatus,
)

from .carrier import foc, response_due
from .clock import SimClock
from .config import SandboxConfig
from .data import CreatePlan, PlannedNumber, SimNumber, SimRequest
from .errors import SimulatorError, bad_request
from .number_rules import REJECTION_REASONS
from .scheduler import Job, JobKind
from .state import PortingState
from .webhooks import number_payload, request_payload

_LATE_CANCEL = (NumberStatus.PORT_PENDING,)


def derive_status(request: SimRequest) -> RequestStatus:
    """A request's status follows from its numbers and what happened to the request."""
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


def _new_request(state: PortingState, plan: CreatePlan, now: datetime) -> SimRequest:
    return SimRequest(
        sid=state.new_sid("KW"),
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
        support_ticket_id=state.new_ticket(),
        date_created=now,
        last_updated=now,
        signature_token=state.new_token(),
    )


def _new_number(
    state: PortingState, request: SimRequest, planned: PlannedNumber, now: datetime
) -> SimNumber:
    reason = planned.not_portable
    return SimNumber(
        sid=state.new_sid("PU"),
        request_sid=request.sid,
        account_sid=request.account_sid,
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


def _not_waiting(request: SimRequest) -> SimulatorError:
    return SimulatorError(
        f"{request.sid} is {request.status.twilio_name}, not Waiting for Signature"
    )


class PortingMachine:
    """Moves the requests and numbers of a :class:`PortingState` along the simulated clock."""

    def __init__(self, state: PortingState) -> None:
        self.state = state
        self.config: SandboxConfig = state.config
        self.clock: SimClock = state.clock

    def _schedule(
        self, due: datetime, kind: JobKind, request: SimRequest, number: SimNumber | None = None
    ) -> None:
        version = (number.sid, number.version) if number is not None else None
        self.state.jobs.schedule(due, kind, request.sid, version)

    # -- create ---------------------------------------------------------------------------

    def create_request(self, plan: CreatePlan) -> SimRequest:
        now = self.clock.now()
        request = _new_request(self.state, plan, now)
        for planned in plan.numbers:
            request.numbers.append(_new_number(self.state, request, planned, now))
        self.state.requests[request.sid] = request
        self._schedule(now + self.config.timings.review, JobKind.REVIEW_DONE, request)
        return request

    # -- status changes -------------------------------------------------------------------

    def _set_number(self, number: SimNumber, status: NumberStatus) -> None:
        if number.status == status:
            return
        number.status = status
        number.version += 1
        number.last_updated = self.clock.now()
        event = NUMBER_STATUS_EVENT.get(status)
        if event is not None:
            self.state.emit(event, number_payload(number, event, self.clock.now()))

    def _refresh(self, request: SimRequest) -> None:
        status = derive_status(request)
        if status == request.status:
            return
        request.status = status
        request.last_updated = self.clock.now()
        event = REQUEST_STATUS_EVENT.get(status)
        if event is not None:
            self.state.emit(event, request_payload(request.sid, event, self.clock.now()))

    # -- review and LOA -------------------------------------------------------------------

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
            self._schedule(now + self.config.timings.auto_sign_after, JobKind.AUTO_SIGN, request)
        expiry = now + timedelta(days=self.config.loa_expiry_days)
        self._schedule(expiry, JobKind.LOA_EXPIRY, request)

    def sign(self, request: SimRequest) -> None:
        """The authorised representative signs the LOA; Twilio submits to the losing carrier."""
        if request.status != RequestStatus.WAITING_FOR_SIGNATURE:
            raise _not_waiting(request)
        now = self.clock.now()
        request.signed_at = now
        for number in request.numbers:
            if number.status != NumberStatus.WAITING_FOR_SIGNATURE:
                continue
            self._set_number(number, NumberStatus.PORT_SUBMITTED)
            due = response_due(now, number, self.config.timings)
            self._schedule(due, JobKind.CARRIER_RESPONSE, request, number)
        self._refresh(request)

    def expire(self, request: SimRequest) -> None:
        """The LOA was not signed in time: numbers canceled, request Expired."""
        if request.status != RequestStatus.WAITING_FOR_SIGNATURE:
            raise _not_waiting(request)
        request.expired = True
        request.order_cancellation_reason = (
            f"The LOA was not signed within {self.config.loa_expiry_days} days"
        )
        for number in request.numbers:
            if not number.status.terminal:
                self._set_number(number, NumberStatus.CANCELED)
        self._refresh(request)

    # -- the losing carrier ---------------------------------------------------------------

    def _carrier_response(self, request: SimRequest, number: SimNumber) -> None:
        if number.status != NumberStatus.PORT_SUBMITTED:
            return
        if number.planned_rejection is not None:
            self._reject(request, number, number.planned_rejection)
            return
        number.port_date = foc(request, number, self.config.timings, self.clock.now())
        self._set_number(number, NumberStatus.PORT_PENDING)
        self._schedule(number.port_date, JobKind.PORT, request, number)
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
        self._schedule(due, JobKind.CARRIER_RESPONSE, request, number)
        self._refresh(request)

    def _port(self, request: SimRequest, number: SimNumber) -> None:
        if number.status != NumberStatus.PORT_PENDING:
            return
        self._set_number(number, NumberStatus.COMPLETED)
        self.state.owned[number.phone_number] = request.account_sid
        self.state.inventory.arrive(number.phone_number, request.account_sid, self.clock.now())
        self._refresh(request)

    # -- cancel ---------------------------------------------------------------------------

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
            self._schedule(due, JobKind.CANCEL_DONE, request, number)
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

    def run_until(self, until: datetime) -> None:
        """Run every job due up to ``until`` in time order, then set the clock to ``until``."""
        while (job := self.state.jobs.pop_due(until)) is not None:
            target = self.state.job_target(job)
            if target is None:
                continue
            self.clock.set(job.due)
            self._run(job, *target)
        self.clock.set(until)

    def run_early(self, jobs: list[Job]) -> None:
        """Run ``jobs`` now, ahead of their time (person pace: the calendar does not move)."""
        for job in jobs:
            target = self.state.job_target(job)
            if target is not None:
                self._run(job, *target)

    def _run(self, job: Job, request: SimRequest, number: SimNumber | None) -> None:
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
