"""The porting desk: the operations Slack listeners, webhooks and workers call.

The only module that joins Twilio (``bot.porting``), storage (``bot.store``) and Slack
(through the ``Notifier`` it is given). Listeners parse and render; the desk decides.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from weakref import WeakValueDictionary

from pydantic import BaseModel

from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError
from bot.porting.models import Portability, PortInNumber, PortInRequest, WebhookPayload
from bot.porting.statuses import NUMBER_RANK, REQUEST_RANK, NumberStatus, RequestStatus
from bot.store import queries
from bot.store.db import Database
from bot.store.models import CheckRun, NumberState, RequestState, RequestThread, utcnow

log = logging.getLogger(__name__)

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


@dataclass
class RequestUpdate:
    """What changed when a fresh copy of a request was applied to what we knew."""

    request: PortInRequest
    old_status: RequestStatus | None
    number_changes: list[NumberChange] = field(default_factory=list)
    first_seen: bool = False

    @property
    def status_changed(self) -> bool:
        return self.old_status is not None and self.old_status != self.request.status

    @property
    def has_changes(self) -> bool:
        return self.status_changed or bool(self.number_changes)


@dataclass
class RequestSnapshot:
    """A request as Twilio has it now, with what only the bot knows about it."""

    request: PortInRequest
    thread: RequestThread | None
    filed_by: str | None
    updated_at: datetime


class Notifier(Protocol):
    """How the desk talks to Slack (implemented in ``bot.slack.notifier``)."""

    async def post_root(self, channel: str, snapshot: RequestSnapshot) -> str: ...

    async def update_board(self, snapshot: RequestSnapshot) -> None: ...

    async def post_changes(self, snapshot: RequestSnapshot, update: RequestUpdate) -> None: ...


class Desk:
    def __init__(
        self,
        twilio: TwilioPortingClient,
        db: Database,
        notifier: Notifier,
        *,
        porting_channel: str,
        check_concurrency: int = 40,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.twilio = twilio
        self.db = db
        self.notifier = notifier
        self.porting_channel = porting_channel
        self.check_concurrency = check_concurrency
        self._sleep = sleep
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    # -- portability ---------------------------------------------------------------------

    async def check_portability(
        self, numbers: Sequence[str], on_progress: Progress | None = None
    ) -> list[CheckResult]:
        """Check every number with bounded concurrency; results keep the input order."""
        semaphore = asyncio.Semaphore(self.check_concurrency)
        results: list[CheckResult | None] = [None] * len(numbers)
        done = 0

        async def one(index: int, number: str) -> None:
            nonlocal done
            async with semaphore:
                results[index] = await self._check_one(number)
            done += 1
            if on_progress is not None:
                await on_progress(done, len(numbers))

        await asyncio.gather(*(one(i, n) for i, n in enumerate(numbers)))
        return [r for r in results if r is not None]

    async def _check_one(self, number: str) -> CheckResult:
        # The client already retries 429s; if Twilio keeps throttling, this batch slows down
        # further instead of failing the number.
        for attempt in range(12):
            try:
                portability = await self.twilio.check_portability(number)
                return CheckResult.from_portability(portability)
            except TwilioError as error:
                if error.status != 429 and not (error.retryable and attempt < 2):
                    return CheckResult.from_error(number, error)
                await self._sleep(min(30.0, 1.0 * 2**attempt) * random.uniform(0.5, 1.0))
        return CheckResult.from_error(
            number, TwilioError(429, 20429, "Twilio kept rate-limiting this check")
        )

    # -- requests and threads ------------------------------------------------------------

    def _lock(self, request_sid: str) -> asyncio.Lock:
        lock = self._locks.get(request_sid)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[request_sid] = lock
        return lock

    async def snapshot(self, request_sid: str) -> RequestSnapshot:
        """Fetch a request from Twilio (the source of truth) and apply it to what we know."""
        async with self._lock(request_sid):
            snapshot, update = await self._refresh(request_sid)
        if update.has_changes and snapshot.thread is not None:
            await self.notifier.post_changes(snapshot, update)
            await self.notifier.update_board(snapshot)
        return snapshot

    async def follow(self, request_sid: str, channel: str | None = None) -> RequestSnapshot:
        """Make sure the request has a thread (creating its root message if needed)."""
        async with self._lock(request_sid):
            snapshot, _ = await self._refresh(request_sid)
            if snapshot.thread is None:
                snapshot = await self._open_thread(snapshot, channel or self.porting_channel)
        return snapshot

    async def handle_webhook(self, payload: WebhookPayload) -> RequestUpdate:
        """Apply a verified webhook: re-fetch the request, record changes, tell its thread.

        A request the bot has never seen (filed in the Console, say) is adopted: it gets a
        root message in the porting channel.
        """
        async with self._lock(payload.request_sid):
            snapshot, update = await self._refresh(payload.request_sid)
            if snapshot.thread is None:
                if self.porting_channel:
                    await self._open_thread(snapshot, self.porting_channel)
                else:
                    log.warning(
                        "no PORTING_CHANNEL: request %s recorded, thread opens on Follow",
                        payload.request_sid,
                    )
                return update
        if update.has_changes:
            await self.notifier.post_changes(snapshot, update)
            await self.notifier.update_board(snapshot)
        return update

    async def _open_thread(self, snapshot: RequestSnapshot, channel: str) -> RequestSnapshot:
        ts = await self.notifier.post_root(channel, snapshot)
        await queries.save_thread(self.db, snapshot.request.request_sid, channel, ts)
        thread = await queries.get_thread(self.db, snapshot.request.request_sid)
        snapshot.thread = thread
        return snapshot

    async def _refresh(self, request_sid: str) -> tuple[RequestSnapshot, RequestUpdate]:
        request = await self.twilio.fetch_port_in(request_sid)
        update, state = await self._apply(request)
        thread = await queries.get_thread(self.db, request_sid)
        snapshot = RequestSnapshot(request, thread, state.filed_by, state.updated_at)
        return snapshot, update

    async def _apply(self, request: PortInRequest) -> tuple[RequestUpdate, RequestState]:
        """Store what is new in ``request``; never move a status backwards."""
        state, stored_numbers = await queries.load_request(self.db, request.request_sid)
        stored = {n.number_sid: n for n in stored_numbers}
        now = utcnow()
        old_status = RequestStatus(state.status) if state else None
        update = RequestUpdate(request, old_status, first_seen=state is None)

        changed_rows: list[NumberState] = []
        for number in request.phone_numbers:
            if not number.number_sid:
                continue
            row = stored.get(number.number_sid)
            old = NumberStatus(row.status) if row else None
            new = number.status
            if old is not None and NUMBER_RANK[new] < NUMBER_RANK[old]:
                continue  # an older view of the number (out-of-order delivery or stale read)
            if row is not None and old == new and _same_time(row.port_date, number.port_date):
                continue
            changed_rows.append(
                NumberState(
                    number_sid=number.number_sid,
                    request_sid=request.request_sid,
                    phone_number=number.phone_number,
                    status=new.value,
                    port_date=number.port_date,
                    rejection_reason=number.rejection_reason,
                    rejection_reason_code=number.rejection_reason_code,
                    updated_at=now,
                )
            )
            if state is not None:
                update.number_changes.append(NumberChange(number, old, new))

        new_status = request.status
        if old_status is not None and REQUEST_RANK[new_status] < REQUEST_RANK[old_status]:
            new_status = old_status
            update.old_status = old_status
            # Keep our newer request status on the model the UI renders.
            request.raw_status = old_status.value
        lci = request.losing_carrier_information
        state = RequestState(
            request_sid=request.request_sid,
            status=new_status.value,
            customer_name=lci.customer_name if lci else (state.customer_name if state else None),
            target_date=request.target_port_in_date,
            number_count=len(request.phone_numbers),
            filed_by=state.filed_by if state else None,
            updated_at=now if (update.has_changes or update.first_seen) else state.updated_at,
        )
        await queries.save_request(self.db, state, changed_rows)
        return update, state

    # -- check runs (kept so the person who asked can share them) ---------------------------

    async def save_check(
        self,
        user_id: str,
        channel_id: str | None,
        results: Sequence[CheckResult],
        invalid: Sequence[str],
    ) -> str:
        run = CheckRun(
            id=uuid.uuid4().hex,
            user_id=user_id,
            channel_id=channel_id,
            results=json.dumps([r.model_dump(mode="json") for r in results]),
            invalid=json.dumps(list(invalid)),
        )
        await queries.save_check(self.db, run)
        return run.id

    async def load_check(self, check_id: str) -> tuple[CheckRun, list[CheckResult], list[str]]:
        run = await queries.get_check(self.db, check_id)
        if run is None:
            raise LookupError(f"No check with id {check_id}")
        results = [CheckResult.model_validate(r) for r in json.loads(run.results)]
        return run, results, json.loads(run.invalid)


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    """SQLite hands back naive UTC datetimes; compare moments, not representations."""
    if a is None or b is None:
        return a is b
    return a.replace(tzinfo=a.tzinfo or UTC) == b.replace(tzinfo=b.tzinfo or UTC)
