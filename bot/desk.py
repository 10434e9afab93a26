"""The porting desk: the operations Slack listeners, webhooks and workers call.

The only module that joins Twilio (``bot.porting``), storage (``bot.store``) and Slack
(through the ``Notifier`` it is given, and the durable outbox it fills). Listeners parse and
render; the desk decides.

A request's state changes in exactly one place, :meth:`Desk._refresh`: fetch the request from
Twilio, then in one transaction (under the request's row lock) store what is new and queue the
Slack work it causes (root message, one reply per change set, a board edit). Webhooks, the
reconciler's polls, /port-status and the buttons all end there, so each change is announced
once whichever of them sees it first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeVar
from weakref import WeakValueDictionary

from pydantic import BaseModel, ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox, reconcile
from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError
from bot.porting.filing import PortInDetails, PortInSecrets, build_create, sniff_bill
from bot.porting.models import Portability, PortInNumber, PortInRequest
from bot.porting.statuses import (
    NumberStatus,
    RequestStatus,
    number_label,
    number_moves_back,
    number_status,
    request_moves_back,
    request_status,
    status_words,
    stored_status,
)
from bot.store import actions, queries
from bot.store.db import Database
from bot.store.models import (
    CODE_MAX,
    ActionClaim,
    AuditEntry,
    CheckRun,
    NumberState,
    PortInDraft,
    RequestState,
    RequestThread,
    utcnow,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int], Awaitable[None]]
T = TypeVar("T")


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

    def to_json(self) -> dict[str, Any]:
        """The change set as the outbox stores it (only the changed numbers; no secrets)."""
        return {
            "request_sid": self.request.request_sid,
            "status": status_words(self.request.status, self.request.raw_status),
            "old_status": (self.old_raw or self.old_status.value) if self.old_status else None,
            "numbers": [
                {
                    **c.number.model_dump(
                        mode="json",
                        include={
                            "phone_number",
                            "number_sid",
                            "port_date",
                            "rejection_reason",
                            "rejection_reason_code",
                        },
                    ),
                    "port_in_phone_number_status": status_words(c.new, c.number.raw_status),
                    "old": (c.was or c.old.value) if c.old else None,
                }
                for c in self.number_changes
            ],
            "canceled_by": self.canceled_by,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestUpdate:
        numbers = [PortInNumber.model_validate(n) for n in data["numbers"]]
        request = PortInRequest(
            request_sid=data["request_sid"], raw_status=data["status"], phone_numbers=numbers
        )
        changes = [
            NumberChange(
                number,
                number_status(raw["old"]) if raw["old"] else None,
                number.status,
                raw["old"],
            )
            for number, raw in zip(numbers, data["numbers"], strict=True)
        ]
        old_raw = data["old_status"]
        old = request_status(old_raw) if old_raw else None
        return cls(
            request, old, changes, canceled_by=data.get("canceled_by") or {}, old_raw=old_raw
        )


@dataclass
class RequestSnapshot:
    """A request as Twilio has it now, with what only the bot knows about it."""

    request: PortInRequest
    thread: RequestThread | None
    filed_by: str | None
    updated_at: datetime


class Notifier(Protocol):
    """How the desk talks to Slack (``bot.slack.notifier``). Thread roots, replies and board
    edits go through the outbox; ``update_board`` is the immediate edit interactive flows use."""

    async def update_board(self, snapshot: RequestSnapshot) -> None: ...


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
    CREATE = "create"
    THREAD = "thread"

    @property
    def label(self) -> str:
        return {
            FilingStep.DOWNLOAD: "Download the utility bill from Slack",
            FilingStep.UPLOAD: "Upload the bill to Twilio",
            FilingStep.CREATE: "Create the port-in request at Twilio",
            FilingStep.THREAD: "Open the request's thread in Slack",
        }[self]


StepReport = Callable[[FilingStep], Awaitable[None]]


class FilingFailed(Exception):
    """Filing stopped at ``step``; nothing was filed. ``reason`` is safe to show (scrubbed)."""

    def __init__(self, step: FilingStep, reason: str, error: TwilioError | None = None) -> None:
        super().__init__(f"{step.value}: {reason}")
        self.step = step
        self.reason = reason
        self.error = error


@dataclass
class Draft:
    """A /port-in form between its steps, with the portability re-check once it has run."""

    id: str
    user_id: str
    details: PortInDetails
    checks: list[CheckResult] | None = None

    def _results(self) -> list[CheckResult]:
        return self.checks or []

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


class CancelBusy(Exception):
    """Someone already canceled this, or is canceling it right now (``claim`` says who)."""

    def __init__(self, claim: ActionClaim) -> None:
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
    busy: list[tuple[str, ActionClaim]] = field(default_factory=list)
    failed: list[tuple[str, TwilioError]] = field(default_factory=list)


def _describe(error: Exception) -> str:
    """A short, input-free description of an unexpected error (no values echoed)."""
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
    response = getattr(error, "response", None)
    slack_error = response.get("error") if hasattr(response, "get") else None
    if slack_error:
        return f"Slack said {slack_error}"
    return str(error) or type(error).__name__


def _filing_key(draft_id: str, attempt: int) -> str:
    return f"port-in:{draft_id}:{attempt}"


def _cancel_key(request_sid: str, number_sid: str | None = None) -> str:
    return f"cancel:{request_sid}" + (f":{number_sid}" if number_sid else "")


DRAFT_TTL = timedelta(days=2)


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
        slack_outbox: outbox.Outbox | None = None,
        policy: SyncPolicy | None = None,
    ) -> None:
        self.twilio = twilio
        self.db = db
        self.notifier = notifier
        self.outbox = slack_outbox
        self.policy = policy or SyncPolicy()
        self.porting_channel = porting_channel
        self.check_concurrency = check_concurrency
        self._sleep = sleep
        self._rng = random.Random()
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
        # In-process only: saves a second fetch when two local callers refresh one request.
        # Across processes the row lock in ``_store`` is what keeps changes single.
        lock = self._locks.get(request_sid)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[request_sid] = lock
        return lock

    async def sync(self, request_sid: str) -> tuple[RequestSnapshot, RequestUpdate]:
        """Fetch a request and apply it: what webhooks and the reconciler run."""
        async with self._lock(request_sid):
            return await self._refresh(request_sid)

    async def snapshot(self, request_sid: str) -> RequestSnapshot:
        """Fetch a request from Twilio (the source of truth) and apply it to what we know."""
        snapshot, _ = await self.sync(request_sid)
        return snapshot

    async def follow(self, request_sid: str, channel: str | None = None) -> RequestSnapshot:
        """Make sure the request has a thread (creating its root message if needed).

        Raises when Slack has not confirmed the root in time; it stays queued and appears
        when Slack answers.
        """
        async with self._lock(request_sid):
            snapshot, _ = await self._refresh(request_sid)
        if snapshot.thread is None:
            snapshot = await self._open_thread(snapshot, channel or self.porting_channel)
        return snapshot

    async def refresh_board(self, request_sid: str) -> None:
        """Queue an edit of the request's status board (the Refresh button)."""
        async with self.db.session() as s:
            await reconcile.lock(s, request_sid, utcnow())
            await outbox.touch_board(s, request_sid, self.policy.board_seconds)
            await s.commit()
        self._wake_outbox()

    async def discover(self, since: timedelta = reconcile.DISCOVERY_WINDOW) -> list[str]:
        """Open requests at Twilio created in the last ``since`` (the reconciler adopts the
        ones it does not know, for accounts whose webhooks cannot reach the bot)."""
        after = (utcnow() - since).date()
        return [
            summary.request_sid
            async for summary in self.twilio.list_port_ins(created_after=after)
            if not summary.status.terminal
        ]

    async def _open_thread(self, snapshot: RequestSnapshot, channel: str) -> RequestSnapshot:
        """Queue the request's root message and wait for Slack to confirm it.

        Raises ``outbox.DeliveryError`` when Slack refused it (it stays queued and is retried)
        or TimeoutError when Slack did not answer in time.
        """
        if self.outbox is None:
            raise RuntimeError("no outbox: the desk cannot open threads")
        sid = snapshot.request.request_sid
        key = _root_key(sid)
        async with self.db.session() as s:
            await outbox.add(s, sid, outbox.NewItem(outbox.ROOT, key, {"channel": channel}))
            await s.commit()
        await self.outbox.wait(key, self.policy.thread_wait_seconds)
        snapshot.thread = await queries.get_thread(self.db, sid)
        return snapshot

    def _wake_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.wakeup.set()

    async def _refresh(self, request_sid: str) -> tuple[RequestSnapshot, RequestUpdate]:
        started = utcnow()
        request = await self.twilio.fetch_port_in(request_sid)
        snapshot, update, _ = await self._store(request, started)
        return snapshot, update

    async def _apply(self, request: PortInRequest) -> tuple[RequestUpdate, RequestState]:
        """Apply a copy of ``request`` the caller already fetched."""
        _, update, state = await self._store(request, utcnow())
        return update, state

    async def _store(
        self, request: PortInRequest, fetched_at: datetime
    ) -> tuple[RequestSnapshot, RequestUpdate, RequestState]:
        """One transaction: lock the request, store what is new, queue its Slack work and
        schedule the next fetch."""
        sid = request.request_sid
        async with self.db.session() as s:
            now = utcnow()
            sync_row = await reconcile.lock(s, sid, now)
            update, state = await self._apply_in(s, request, now)
            thread = await s.get(RequestThread, sid)
            queued = await self._queue_slack_work(s, update, state, thread, now)
            keep = reconcile.after_sync(
                sync_row,
                started=fetched_at,
                now=now,
                interval=self.policy.poll_seconds,
                window=self.policy.window_seconds,
                terminal=request.status.terminal,
                rng=self._rng,
            )
            if keep:
                s.add(sync_row)
            else:
                await s.delete(sync_row)
            await s.commit()
        if queued:
            self._wake_outbox()
        snapshot = RequestSnapshot(request, thread, state.filed_by, state.updated_at)
        return snapshot, update, state

    async def _queue_slack_work(
        self,
        s: AsyncSession,
        update: RequestUpdate,
        state: RequestState,
        thread: RequestThread | None,
        now: datetime,
    ) -> bool:
        sid = update.request.request_sid
        has_root = thread is not None or await outbox.has_pending(s, _root_key(sid))
        if not has_root and update.first_seen:
            if not self.porting_channel:
                log.warning("no PORTING_CHANNEL: request %s recorded, thread opens on Follow", sid)
                return False
            # A request the bot never saw (filed in the Console, say) is adopted. Its root
            # draws the current board; a reply follows only for what needs someone's action.
            root = outbox.NewItem(outbox.ROOT, _root_key(sid), {"channel": self.porting_channel})
            await outbox.add(s, sid, root, now)
            if update.number_changes:
                await self._queue_reply(s, update, state, now)
            return True
        if not has_root or not update.has_changes:
            return False
        await self._queue_reply(s, update, state, now)
        await outbox.touch_board(s, sid, self.policy.board_seconds, now)
        return True

    async def _queue_reply(
        self, s: AsyncSession, update: RequestUpdate, state: RequestState, now: datetime
    ) -> None:
        sid = update.request.request_sid
        update.canceled_by = await _cancelers(s, update)
        payload = {**update.to_json(), "filed_by": state.filed_by}
        reply = outbox.NewItem(outbox.REPLY, f"reply:{sid}:{uuid.uuid4().hex}", payload)
        await outbox.add(s, sid, reply, now)

    async def _apply_in(
        self, s: AsyncSession, request: PortInRequest, now: datetime
    ) -> tuple[RequestUpdate, RequestState]:
        """Store what is new in ``request``; never move a status backwards."""
        state = await s.get(RequestState, request.request_sid)
        stored = {
            n.number_sid: n
            for n in (
                await s.exec(
                    select(NumberState).where(NumberState.request_sid == request.request_sid)
                )
            ).all()
        }
        old_raw = state.status if state else None
        old_status = request_status(old_raw) if old_raw else None
        update = RequestUpdate(request, old_status, first_seen=state is None, old_raw=old_raw)

        for number in request.phone_numbers:
            if not number.number_sid:
                continue  # Twilio did not say which number this is: nothing to store it under
            row = stored.get(number.number_sid)
            if row is not None and not number.phone_number and row.phone_number:
                number.phone_number = row.phone_number  # Twilio's copy left it out
            old = number_status(row.status) if row else None
            new = number.status
            new_raw = stored_status(new, number.raw_status)
            if row is not None:
                if number_moves_back(row.status, new_raw) or _older(
                    number.last_updated, row.twilio_updated_at
                ):
                    # An older view of the number (out-of-order delivery, stale read, a status
                    # left out, or same rank but an older read): keep ours, and show it.
                    number.raw_status = row.status
                    continue
                if row.status == new_raw and _same_time(row.port_date, number.port_date):
                    if number.phone_number and not row.phone_number:
                        row.phone_number = number.phone_number  # no news, but now named
                        s.add(row)
                    continue
            s.add(
                NumberState(
                    number_sid=number.number_sid,
                    request_sid=request.request_sid,
                    phone_number=number.phone_number or "",
                    status=new_raw,
                    port_date=number.port_date,
                    rejection_reason=number.rejection_reason,
                    rejection_reason_code=_code(number.rejection_reason_code),
                    updated_at=now,
                    twilio_updated_at=number.last_updated,
                )
                if row is None
                else _merged(row, number, new_raw, now)
            )
            if state is not None or new == NumberStatus.PORT_REJECTED:
                # On first sight (a request adopted late) only rejections are news: the
                # root's board shows the rest, but a rejection needs its reason and fix.
                was = row.status if row else None
                update.number_changes.append(NumberChange(number, old, new, was))

        new_raw = update.stored_status
        if old_raw is not None and request_moves_back(old_raw, new_raw):
            new_raw = old_raw
            # Keep our newer request status on the model the UI renders.
            request.raw_status = old_raw
        lci = request.losing_carrier_information
        changed = update.has_changes or update.first_seen
        if state is None:
            state = RequestState(request_sid=request.request_sid, status=new_raw)
        state.status = new_raw
        state.customer_name = (lci.customer_name if lci else None) or state.customer_name
        state.target_date = request.target_port_in_date
        state.number_count = len(request.phone_numbers)
        state.request_json = _request_json(request)
        if changed:
            state.updated_at = now
        s.add(state)
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

    # -- filing (the /port-in form) ------------------------------------------------------

    async def save_draft(self, user_id: str, details: PortInDetails) -> str:
        """Keep a form's details between its steps (nothing secret is in them)."""
        await actions.delete_drafts_before(self.db, utcnow() - DRAFT_TTL)
        draft = PortInDraft(id=uuid.uuid4().hex, user_id=user_id, details=details.model_dump_json())
        await actions.save_draft(self.db, draft)
        return draft.id

    async def load_draft(self, draft_id: str) -> Draft | None:
        row = await actions.get_draft(self.db, draft_id)
        if row is None:
            return None
        checks = None
        if row.checks is not None:
            checks = [CheckResult.model_validate(r) for r in json.loads(row.checks)]
        return Draft(row.id, row.user_id, PortInDetails.model_validate_json(row.details), checks)

    async def check_draft(self, draft_id: str, on_progress: Progress | None = None) -> Draft:
        """Re-check the portability of a draft's numbers and keep the results with it."""
        draft = await self.load_draft(draft_id)
        if draft is None:
            raise LookupError(f"No draft {draft_id}")
        draft.checks = await self.check_portability(draft.details.numbers, on_progress)
        await actions.set_draft_checks(
            self.db, draft_id, json.dumps([r.model_dump(mode="json") for r in draft.checks])
        )
        return draft

    async def claim_filing(self, draft_id: str, attempt: int, user_id: str) -> ActionClaim | None:
        """Claim one submission of a form: None when it is ours to file, else who has it."""
        return await actions.claim(self.db, _filing_key(draft_id, attempt), "port_in.file", user_id)

    async def filing_claim(self, draft_id: str, attempt: int) -> ActionClaim | None:
        """Who holds (or finished) one submission of a form, if anyone."""
        return await actions.get_claim(self.db, _filing_key(draft_id, attempt))

    async def file_port_in(
        self,
        draft: Draft,
        secrets: PortInSecrets,
        *,
        user_id: str,
        attempt: int,
        fetch_bill: Callable[[], Awaitable[bytes]],
        on_step: StepReport | None = None,
    ) -> FiledPortIn:
        """Download the bill, upload it to Twilio, create the request, record it, open its
        thread. Call after :meth:`claim_filing` won.

        Raises FilingFailed naming the step when nothing was filed (the claim is released so
        the form can be sent again). Once Twilio accepts the request it is recorded with
        ``filed_by`` before any Slack call; a Slack failure after that is retried and, if it
        persists, reported in ``thread_error`` (the next webhook or a Follow opens the thread).
        """
        key = _filing_key(draft.id, attempt)
        details = draft.details
        numbers = draft.fileable

        async def step(which: FilingStep, work: Awaitable[T]) -> T:
            if on_step is not None:
                await on_step(which)
            try:
                return await work
            except FilingFailed:
                raise
            except TwilioError as error:
                raise FilingFailed(which, secrets.scrub(error.message), error) from None
            except Exception as error:
                raise FilingFailed(which, secrets.scrub(_describe(error))) from None

        async def download() -> bytes:
            content = await fetch_bill()
            if sniff_bill(content) is None:
                raise FilingFailed(
                    FilingStep.DOWNLOAD,
                    f"what Slack sent for {details.bill.name} is not a PDF or an image "
                    "(is the bot allowed to read files? it needs the files:read scope)",
                )
            return content

        try:
            if not numbers:
                raise FilingFailed(FilingStep.CREATE, "no portable numbers are left to file")
            content = await step(FilingStep.DOWNLOAD, download())
            document = await step(
                FilingStep.UPLOAD,
                self.twilio.upload_document(
                    content=content,
                    filename=details.bill.name,
                    content_type=sniff_bill(content) or details.bill.mimetype,
                    friendly_name=f"Utility bill: {details.customer_name}"[:64],
                ),
            )

            async def create() -> PortInRequest:
                body = build_create(
                    details,
                    secrets,
                    account_sid=self.twilio.account_sid,
                    documents=[document.sid],
                    numbers=numbers,
                )
                return await self.twilio.create_port_in(body)

            request = await step(FilingStep.CREATE, create())
        except FilingFailed as failure:
            await actions.release_claim(self.db, key)
            code = f" {failure.error.code}" if failure.error and failure.error.code else ""
            await actions.add_audit(
                self.db,
                actions.audit_entry(
                    user_id,
                    "port_in.filed",
                    "failed",
                    numbers=numbers,
                    detail=f"{failure.step.label}:{code} {failure.reason}",
                ),
            )
            log.warning("port-in filing failed at %s%s", failure.step.value, code)
            raise

        sid = request.request_sid
        log.info("port-in %s filed by %s (%d numbers)", sid, user_id, len(numbers))
        async with self._lock(sid):
            state = RequestState(
                request_sid=sid,
                status=stored_status(request.status, request.raw_status),
                customer_name=details.customer_name,
                target_date=request.target_port_in_date,
                number_count=len(request.phone_numbers),
                filed_by=user_id,
                updated_at=utcnow(),
            )
            entry = actions.audit_entry(
                user_id,
                "port_in.filed",
                "ok",
                request_sid=sid,
                sids=[document.sid, *(n.number_sid for n in request.phone_numbers if n.number_sid)],
                numbers=numbers,
            )
            await actions.record_filed(self.db, state, entry, key)
            # From here on the request exists: whatever fails is reported, never raised as
            # "not filed" (the reconciler and the outbox catch up).
            snapshot = RequestSnapshot(request, None, user_id, state.updated_at)
            thread_error = None
            try:
                _, state = await self._apply(request)
                snapshot.thread = await queries.get_thread(self.db, sid)
                if snapshot.thread is None:
                    if on_step is not None:
                        await on_step(FilingStep.THREAD)
                    thread_error = await self._open_thread_or_say_why(snapshot, details.channel_id)
                else:  # a webhook adopted it first: show who filed it on its board
                    await self.notifier.update_board(snapshot)
                await actions.delete_draft(self.db, draft.id)
            except Exception as error:
                log.warning("after filing %s: %s", sid, _describe(error), exc_info=True)
                thread_error = thread_error or _describe(error)
        return FiledPortIn(snapshot, document.sid, thread_error)

    async def _open_thread_or_say_why(self, snapshot: RequestSnapshot, channel: str) -> str | None:
        """Open the request's thread; on a Slack failure say why (the root stays queued in the
        outbox, which retries it, so it is late, not lost)."""
        try:
            await self._open_thread(snapshot, channel)
        except Exception as error:
            reason = _describe(error)
            log.warning("thread of %s not open yet: %s", snapshot.request.request_sid, reason)
            return reason
        return None

    # -- canceling -----------------------------------------------------------------------

    async def cancel_request(self, request_sid: str, user_id: str) -> CancelOutcome:
        """Cancel a whole request. Raises CancelBusy when someone else got there first and
        TwilioError when Twilio refuses (both recorded in the audit log)."""
        key = _cancel_key(request_sid)
        held = await actions.claim(self.db, key, "request.canceled", user_id, request_sid)
        if held is not None:
            raise CancelBusy(held)
        outcome = CancelOutcome(request_sid, user_id, whole_request=True)
        async with self._lock(request_sid):
            try:
                await self.twilio.cancel_port_in(request_sid)
            except TwilioError as error:
                await actions.release_claim(self.db, key)
                await self._audit_cancel(outcome, "request.canceled", error)
                raise
            await actions.finish_claim(self.db, key)
            outcome.snapshot = await self._refresh_quietly(request_sid)
            going = [
                n
                for n in (outcome.snapshot.request.phone_numbers if outcome.snapshot else [])
                if n.status in (NumberStatus.CANCELING, NumberStatus.CANCELED)
            ]
            outcome.canceled = [n.phone_number for n in going if n.phone_number]
            sids = [n.number_sid for n in going if n.number_sid]
            await self._audit_cancel(outcome, "request.canceled", sids=sids)
        await self._announce_cancel(outcome)
        return outcome

    async def cancel_numbers(
        self, request_sid: str, numbers: Sequence[str], user_id: str
    ) -> CancelOutcome:
        """Cancel some numbers (E.164) of a request, one claim per number. Numbers not in the
        request or past canceling are skipped with the reason; Twilio refusals are reported per
        number. Raises CancelBusy when the whole request is being (or was) canceled."""
        whole = await actions.get_claim(self.db, _cancel_key(request_sid))
        if whole is not None:
            raise CancelBusy(whole)
        outcome = CancelOutcome(request_sid, user_id, whole_request=False)
        canceled_sids: list[str] = []
        async with self._lock(request_sid):
            snapshot, _ = await self._refresh(request_sid)
            listed = snapshot.request.phone_numbers
            by_number = {n.phone_number: n for n in listed if n.phone_number}
            for number in numbers:
                found = by_number.get(number)
                if found is None or not found.number_sid:
                    outcome.skipped.append((number, "it is not in this request"))
                    continue
                if not found.status.cancellable:
                    outcome.skipped.append((number, f"it is already {found.status_label}"))
                    continue
                key = _cancel_key(request_sid, found.number_sid)
                held = await actions.claim(self.db, key, "numbers.canceled", user_id, request_sid)
                if held is not None:
                    outcome.busy.append((number, held))
                    continue
                try:
                    await self.twilio.cancel_number(request_sid, found.number_sid)
                except TwilioError as error:
                    await actions.release_claim(self.db, key)
                    outcome.failed.append((number, error))
                    continue
                await actions.finish_claim(self.db, key)
                outcome.canceled.append(number)
                canceled_sids.append(found.number_sid)
            outcome.snapshot = snapshot
            if outcome.canceled:
                outcome.snapshot = await self._refresh_quietly(request_sid) or snapshot
            if outcome.canceled or outcome.failed:
                await self._audit_cancel(outcome, "numbers.canceled", sids=canceled_sids)
        if outcome.canceled:
            await self._announce_cancel(outcome)
        return outcome

    async def history(self, request_sid: str) -> list[AuditEntry]:
        """Who filed and canceled what on a request, oldest first."""
        return await actions.audit_for(self.db, request_sid)

    async def _refresh_quietly(self, request_sid: str) -> RequestSnapshot | None:
        try:
            snapshot, _ = await self._refresh(request_sid)
        except TwilioError:
            log.warning("re-fetching %s after a cancel failed", request_sid, exc_info=True)
            return None
        return snapshot

    async def _audit_cancel(
        self,
        outcome: CancelOutcome,
        action: str,
        error: TwilioError | None = None,
        sids: Sequence[str] = (),
    ) -> None:
        failures = outcome.failed
        if error is not None:
            result = "refused"
            detail = f"{error.code or ''} {error.message}".strip()
        else:
            result = (
                "partial" if failures and outcome.canceled else ("refused" if failures else "ok")
            )
            detail = "; ".join(f"{n}: {e.code or ''} {e.message}".strip() for n, e in failures)
        await actions.add_audit(
            self.db,
            actions.audit_entry(
                outcome.user_id,
                action,
                result,
                request_sid=outcome.request_sid,
                sids=sids,
                numbers=outcome.canceled,
                detail=detail or None,
            ),
        )

    async def _announce_cancel(self, outcome: CancelOutcome) -> None:
        """Edit the board at once (the person is looking at it); a Slack failure is logged
        only: the cancel itself is done and recorded. The thread reply saying who canceled
        what comes through the outbox with the change (``_cancelers``), so it is as durable
        as any other, and said once."""
        snapshot = outcome.snapshot
        if snapshot is None or snapshot.thread is None:
            return
        try:
            await self.notifier.update_board(snapshot)
        except Exception:
            log.warning("announcing the cancel of %s failed", outcome.request_sid, exc_info=True)


async def _cancelers(s: AsyncSession, update: RequestUpdate) -> dict[str, str]:
    """Who canceled what in this change set, from the cancel claims (a claim exists only for
    a cancel Twilio accepted or one in progress): ``{"request": user}`` or by number SID."""
    going = (RequestStatus.CANCELING, RequestStatus.CANCELED)
    gone = (NumberStatus.CANCELING, NumberStatus.CANCELED)
    sid = update.request.request_sid
    keys = {_cancel_key(sid): "request"} if update.request.status in going else {}
    for change in update.number_changes:
        if change.new in gone and change.number.number_sid:
            keys[_cancel_key(sid, change.number.number_sid)] = change.number.number_sid
    if not keys:
        return {}
    claims = (await s.exec(select(ActionClaim).where(col(ActionClaim.key).in_(keys)))).all()
    return {keys[c.key]: c.user_id for c in claims}


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    """SQLite hands back naive UTC datetimes; compare moments, not representations."""
    if a is None or b is None:
        return a is b
    return a.replace(tzinfo=a.tzinfo or UTC) == b.replace(tzinfo=b.tzinfo or UTC)


def _older(incoming: datetime | None, stored: datetime | None) -> bool:
    if incoming is None or stored is None:
        return False
    return incoming.replace(tzinfo=incoming.tzinfo or UTC) < stored.replace(
        tzinfo=stored.tzinfo or UTC
    )


def _code(code: str | None) -> str | None:
    return code[:CODE_MAX] if code else None


def _merged(row: NumberState, number: PortInNumber, status: str, now: datetime) -> NumberState:
    row.phone_number = number.phone_number or row.phone_number
    row.status = status
    row.port_date = number.port_date
    row.rejection_reason = number.rejection_reason
    row.rejection_reason_code = _code(number.rejection_reason_code)
    row.updated_at = now
    row.twilio_updated_at = number.last_updated or row.twilio_updated_at
    return row


def _root_key(request_sid: str) -> str:
    return f"{outbox.ROOT}:{request_sid}"


def _request_json(request: PortInRequest) -> str:
    """The request without its numbers (they have their own rows) and without secrets."""
    return request.model_dump_json(
        exclude={
            "phone_numbers": True,
            "losing_carrier_information": {"account_number"},
        }
    )


async def load_snapshot(db: Database, request_sid: str) -> RequestSnapshot | None:
    """The request as last stored, for drawing its board without calling Twilio."""
    async with db.session() as s:
        state = await s.get(RequestState, request_sid)
        if state is None:
            return None
        rows = (
            await s.exec(select(NumberState).where(NumberState.request_sid == request_sid))
        ).all()
        thread = await s.get(RequestThread, request_sid)
    numbers = [
        PortInNumber(
            phone_number=n.phone_number or None,
            number_sid=n.number_sid,
            raw_status=n.status,
            port_date=n.port_date,
            rejection_reason=n.rejection_reason,
            rejection_reason_code=n.rejection_reason_code,
        )
        for n in sorted(rows, key=lambda n: n.phone_number)
    ]
    if state.request_json:
        request = PortInRequest.model_validate_json(state.request_json)
    else:  # stored before request_json existed
        request = PortInRequest(request_sid=request_sid, target_port_in_date=state.target_date)
    # The stored status wins; request_json keeps an unrecognised one in full (the column clips).
    if stored_status(request.status, request.raw_status) != state.status:
        request.raw_status = state.status
    request.phone_numbers = numbers
    return RequestSnapshot(request, thread, state.filed_by, state.updated_at)
