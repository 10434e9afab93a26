"""What the simulated account holds: requests, documents, webhook settings, ported numbers,
the event log and the job queue, with identifiers and lookups over them.

The moves between states live in :mod:`bot.sandbox.machine`. Everything here is synchronous
and never awaits, so one API call or one clock step is atomic on the event loop.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from datetime import datetime
from typing import Any

from bot.porting.statuses import WebhookEvent

from .clock import SimClock
from .config import SandboxConfig
from .data import PortabilityAnswer, SimDocument, SimNumber, SimRequest, WebhookSettings
from .errors import not_found
from .inventory import Inventory
from .paging import Page, RequestFilter, page_requests
from .portability import portability
from .scheduler import REQUEST_JOB_STATUS, Job, Scheduler
from .webhooks import SimEvent


class PortingState:
    """All sandbox data. Transitions append :class:`SimEvent` objects to an outbox that the
    :class:`~bot.sandbox.core.Sandbox` drains and hands to the webhook sender."""

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
        # The account's own numbers (they arrive as ports complete) and Messaging Services.
        self.inventory = Inventory(self.new_sid)
        # Portability API calls served, so tests can assert the bot did (not) call Twilio.
        self.portability_checks = 0
        self.events: deque[SimEvent] = deque(maxlen=config.max_log_entries)
        self.jobs = Scheduler()
        self._outbox: list[SimEvent] = []
        self._tickets = itertools.count(100001)

    # -- identifiers and events ---------------------------------------------------------

    def new_sid(self, prefix: str) -> str:
        return f"{prefix}{self._rng.getrandbits(128):032x}"

    def new_token(self) -> str:
        """A secret for the LOA signing link."""
        return f"{self._rng.getrandbits(96):024x}"

    def new_ticket(self) -> int:
        return next(self._tickets)

    def emit(self, event: WebhookEvent, payload: dict[str, Any]) -> None:
        sim_event = SimEvent(event, payload, self.clock.now())
        self.events.append(sim_event)
        self._outbox.append(sim_event)

    def drain(self) -> list[SimEvent]:
        """Events produced since the last drain, in order."""
        out, self._outbox = self._outbox, []
        return out

    # -- records --------------------------------------------------------------------------

    def add_document(
        self,
        account_sid: str,
        document_type: str,
        friendly_name: str | None,
        mime_type: str,
        size: int,
    ) -> SimDocument:
        document = SimDocument(
            sid=self.new_sid("RD"),
            account_sid=account_sid,
            document_type=document_type,
            friendly_name=friendly_name,
            mime_type=mime_type,
            size=size,
            date_created=self.clock.now(),
        )
        self.documents[document.sid] = document
        return document

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
        return portability(
            number, target_account, self.owned, self.active_numbers() if active is None else active
        )

    def page_requests(self, token: str | None, size: int, where: RequestFilter) -> Page:
        """One page of requests in creation order (see :func:`bot.sandbox.paging.page_requests`)."""
        return page_requests(self.requests.values(), token, size, where)

    # -- jobs -----------------------------------------------------------------------------

    def job_target(self, job: Job) -> tuple[SimRequest, SimNumber | None] | None:
        """What a job acts on, or None when things moved on since it was scheduled."""
        request = self.requests.get(job.request_sid)
        if request is None:
            return None
        if job.number_sid is None:
            live = request.status == REQUEST_JOB_STATUS[job.kind] and not request.cancel_requested
            return (request, None) if live else None
        number = request.number(job.number_sid)
        if number is None or number.version != job.number_version:
            return None
        return request, number

    def next_due(self) -> datetime | None:
        """When the next live job is due; stale jobs are dropped, so a settled sandbox says None."""
        return self.jobs.next_due(lambda job: self.job_target(job) is not None)
