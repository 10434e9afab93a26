"""Following requests: the one place a request's state changes.

:meth:`Requests.refresh` fetches the request from Twilio, then in one transaction (under the
request's row lock) stores what is new and queues the Slack work it causes (root message, one
reply per change set, a board edit). Webhooks (through the reconciler), the reconciler's polls,
/port-status and the buttons all end there, so each change is announced once whichever of them
sees it first.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from weakref import WeakValueDictionary

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox, reconcile, work
from bot.desk import followups
from bot.desk.changes import change_set
from bot.desk.facts import record_twilio_times
from bot.desk.followups import GoLiveQueue
from bot.desk.records import Thread
from bot.desk.types import NumberChange, RequestSnapshot, RequestUpdate, SyncPolicy
from bot.porting.client import TwilioPortingClient
from bot.porting.models import PortInNumber, PortInRequest
from bot.porting.statuses import (
    NumberStatus,
    RequestStatus,
    number_moves_back,
    number_status,
    request_moves_back,
    request_status,
    stored_status,
)
from bot.store import claims, edits, keys, poll_schedule, queue, request_state
from bot.store.db import Database
from bot.store.models import CODE_MAX, NumberState, RequestState, RequestThread, utcnow

log = logging.getLogger(__name__)


class Requests:
    """Fetches requests, applies them to what we know and queues their Slack work."""

    def __init__(
        self,
        twilio: TwilioPortingClient,
        db: Database,
        *,
        porting_channel: str,
        slack_outbox: outbox.OutboxDoor | None = None,
        policy: SyncPolicy | None = None,
        golive: GoLiveQueue | None = None,
    ) -> None:
        self.twilio = twilio
        self.db = db
        self.outbox = slack_outbox
        self.policy = policy or SyncPolicy()
        self.porting_channel = porting_channel
        self._rng = random.Random()
        # Go-live (bot.desk.golive): sets up numbers as they complete.
        self.golive = golive
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def lock(self, request_sid: str) -> asyncio.Lock:
        """The request's in-process lock; hold it around :meth:`refresh` and :meth:`apply`."""
        # In-process only: saves a second fetch when two local callers refresh one request.
        # Across processes the row lock in ``_store`` is what keeps changes single.
        lock = self._locks.get(request_sid)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[request_sid] = lock
        return lock

    async def sync(self, request_sid: str) -> tuple[RequestSnapshot, RequestUpdate]:
        """Fetch a request and apply it: what webhooks and the reconciler run."""
        async with self.lock(request_sid):
            return await self.refresh(request_sid)

    async def snapshot(self, request_sid: str) -> RequestSnapshot:
        """Fetch a request from Twilio (the source of truth) and apply it to what we know."""
        snapshot, _ = await self.sync(request_sid)
        return snapshot

    async def follow(self, request_sid: str, channel: str | None = None) -> RequestSnapshot:
        """Make sure the request has a thread (creating its root message if needed).

        Raises when Slack has not confirmed the root in time; it stays queued and appears
        when Slack answers.
        """
        async with self.lock(request_sid):
            snapshot, _ = await self.refresh(request_sid)
        if snapshot.thread is None:
            snapshot = await self.open_thread(snapshot, channel or self.porting_channel)
        return snapshot

    async def refresh_board(self, request_sid: str) -> None:
        """Queue an edit of the request's status board (no sooner than the policy's interval
        after the last one)."""
        async with self.db.session() as s:
            await poll_schedule.lock(s, request_sid, utcnow())
            await edits.touch_board(s, request_sid, self.policy.board_seconds)
            await s.commit()
        self.wake_outbox()

    async def redraw_board(self, request_sid: str) -> None:
        """Edit the request's board now, from the request as stored (someone is looking at
        it: a cancel, a filing, the Refresh button), through the outbox like every Slack
        write. Its schedule is left alone (a canceled request is no longer fetched)."""
        async with self.db.session() as s:
            await edits.touch_board(s, request_sid, 0.0)
            await s.commit()
        self.wake_outbox()

    async def discover(self, since: timedelta = reconcile.DISCOVERY_WINDOW) -> list[str]:
        """Open requests at Twilio created in the last ``since`` (the reconciler adopts the
        ones it does not know, for accounts whose webhooks cannot reach the bot)."""
        after = (utcnow() - since).date()
        listed = [
            summary
            async for summary in self.twilio.list_port_ins(created_after=after)
            if not summary.status.terminal
        ]
        # The list says what the request's own resource does not: Twilio's suggestion.
        board = self.policy.board_seconds
        if await followups.note_suggestions(self.db, listed, board, utcnow()):
            self.wake_outbox()
        return [summary.request_sid for summary in listed]

    async def open_thread(self, snapshot: RequestSnapshot, channel: str) -> RequestSnapshot:
        """Queue the request's root message and wait for Slack to confirm it.

        Raises ``outbox.DeliveryError`` when Slack refused it (it stays queued and is retried)
        or TimeoutError when Slack did not answer in time.
        """
        if self.outbox is None:
            raise RuntimeError("no outbox: the desk cannot open threads")
        sid = snapshot.request.request_sid
        root = work.Root(request_sid=sid, channel=channel)
        async with self.db.session() as s:
            await queue.add(s, root)
            await s.commit()
        await self.outbox.wait(root.key(), self.policy.thread_wait_seconds)
        snapshot.thread = Thread.of(await request_state.get_thread(self.db, sid))
        return snapshot

    def wake_outbox(self) -> None:
        """Slack work was queued: let the outbox deliver it now rather than at its next poll."""
        if self.outbox is not None:
            self.outbox.wakeup.set()

    async def refresh(self, request_sid: str) -> tuple[RequestSnapshot, RequestUpdate]:
        """Fetch the request and apply it (the caller holds :meth:`lock`)."""
        started = utcnow()
        request = await self.twilio.fetch_port_in(request_sid)
        snapshot, update, _ = await self._store(request, started)
        return snapshot, update

    async def apply(self, request: PortInRequest) -> tuple[RequestUpdate, RequestState]:
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
            sync_row = await poll_schedule.lock(s, sid, now)
            update, state = await apply_in(s, request, now)
            thread = await request_state.thread_in(s, sid)
            refiled_as = await request_state.refiled_as_in(s, sid)
            queued = await self._queue_slack_work(s, update, state, thread, now)
            going_live = await followups.queue_golive(s, update, state, self.golive)
            await poll_schedule.after_sync(
                s,
                sync_row,
                started=fetched_at,
                now=now,
                interval=self.policy.poll_seconds,
                window=self.policy.window_seconds,
                terminal=request.status.terminal,
                rng=self._rng,
            )
            await s.commit()
        if queued:
            self.wake_outbox()
        if going_live and self.golive is not None:
            self.golive.wake()
        return _snapshot(request, state, thread, refiled_as), update, state

    async def _queue_slack_work(
        self,
        s: AsyncSession,
        update: RequestUpdate,
        state: RequestState,
        thread: RequestThread | None,
        now: datetime,
    ) -> bool:
        sid = update.request.request_sid
        has_root = thread is not None or await queue.has_pending(s, work.root_key(sid))
        if not has_root and update.first_seen:
            if not self.porting_channel:
                log.warning("no PORTING_CHANNEL: request %s recorded, thread opens on Follow", sid)
                return False
            # A request the bot never saw (filed in the Console, say) is adopted. Its root
            # draws the current board; a reply follows only for what needs someone's action.
            await queue.add(s, work.Root(request_sid=sid, channel=self.porting_channel), now)
            if update.number_changes:
                await self._queue_reply(s, update, state, now)
            return True
        if not has_root or not update.has_changes:
            return False
        await self._queue_reply(s, update, state, now)
        if (checklist := followups.checklist(update, state.filed_by)) is not None:
            await queue.add(s, checklist, now)
        await edits.touch_board(s, sid, self.policy.board_seconds, now)
        return True

    async def _queue_reply(
        self, s: AsyncSession, update: RequestUpdate, state: RequestState, now: datetime
    ) -> None:
        update.canceled_by = await _cancelers(s, update)
        change = change_set(update, state.filed_by, state.status_changed_at)
        await queue.add(s, work.Reply.of(change), now)


async def apply_in(
    s: AsyncSession, request: PortInRequest, now: datetime
) -> tuple[RequestUpdate, RequestState]:
    """Store what is new in ``request``; never move a status backwards."""
    state, numbers = await request_state.load_in(s, request.request_sid)
    stored = {n.number_sid: n for n in numbers}
    old_raw = state.status if state else None
    old_status = request_status(old_raw) if old_raw else None
    update = RequestUpdate(request, old_status, first_seen=state is None, old_raw=old_raw)

    for number in request.phone_numbers:
        if not number.number_sid:
            continue  # Twilio did not say which number this is: nothing to store it under
        row = stored.get(number.number_sid)
        if row is not None and not number.phone_number and row.phone_number:
            number.phone_number = row.phone_number  # Twilio's copy left it out
        was = row.status if row else None  # before _merged overwrites it below
        old = number_status(was) if was else None
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
            if row.status == new_raw and row.port_date == number.port_date:
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
    if new_raw != old_raw:
        state.suggested_action = None  # Twilio's suggestion was for the status it left
    # Twilio's own timestamps and when we read it, for listings and deadlines (migration 0006).
    record_twilio_times(state, request, status_changed=new_raw != old_raw, now=now)
    s.add(state)
    return update, state


async def _cancelers(s: AsyncSession, update: RequestUpdate) -> dict[str, str]:
    """Who canceled what in this change set, from the cancel claims (a claim exists only for
    a cancel Twilio accepted or one in progress): ``{"request": user}`` or by number SID."""
    going = (RequestStatus.CANCELING, RequestStatus.CANCELED)
    gone = (NumberStatus.CANCELING, NumberStatus.CANCELED)
    sid = update.request.request_sid
    canceled = {keys.cancel(sid): "request"} if update.request.status in going else {}
    for change in update.number_changes:
        if change.new in gone and change.number.number_sid:
            canceled[keys.cancel(sid, change.number.number_sid)] = change.number.number_sid
    if not canceled:
        return {}
    holders = await claims.holders_in(s, canceled)
    return {canceled[key]: user for key, user in holders.items()}


def _older(incoming: datetime | None, stored: datetime | None) -> bool:
    return incoming is not None and stored is not None and incoming < stored


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


def _request_json(request: PortInRequest) -> str:
    """The request without its numbers (they have their own rows) and without secrets: no
    account number, and no LOA signing link (its filer gets it fresh from Twilio)."""
    return request.model_dump_json(
        exclude={
            "phone_numbers": True,
            "signature_request_url": True,
            "losing_carrier_information": {"account_number"},
        }
    )


def _snapshot(
    request: PortInRequest,
    state: RequestState,
    thread: RequestThread | None,
    refiled_as: Sequence[str] = (),
) -> RequestSnapshot:
    return RequestSnapshot(
        request,
        Thread.of(thread),
        state.filed_by,
        state.updated_at,
        status_since=state.status_changed_at,
        suggested_action=state.suggested_action,
        refile_of=state.refile_of,
        refiled_as=tuple(refiled_as),
        golive_profile=state.golive_profile,
    )


async def load_snapshot(db: Database, request_sid: str) -> RequestSnapshot | None:
    """The request as last stored, for drawing its board without calling Twilio."""
    stored = await request_state.load(db, request_sid)
    return None if stored is None else snapshot_of(stored)


def snapshot_of(stored: request_state.StoredRequest) -> RequestSnapshot:
    """A stored request as the snapshot its board is drawn from."""
    state = stored.state
    request_sid = state.request_sid
    numbers = [
        PortInNumber(
            phone_number=n.phone_number or None,
            number_sid=n.number_sid,
            raw_status=n.status,
            port_date=n.port_date,
            rejection_reason=n.rejection_reason,
            rejection_reason_code=n.rejection_reason_code,
        )
        for n in sorted(stored.numbers, key=lambda n: n.phone_number)
    ]
    if state.request_json:
        request = PortInRequest.model_validate_json(state.request_json)
    else:  # stored before request_json existed
        request = PortInRequest(request_sid=request_sid, target_port_in_date=state.target_date)
    # The stored status wins; request_json keeps an unrecognised one in full (the column clips).
    if stored_status(request.status, request.raw_status) != state.status:
        request.raw_status = state.status
    request.phone_numbers = numbers
    return _snapshot(request, state, stored.thread, stored.refiled_as)
