"""Following requests: the one place a request's state changes.

:meth:`Requests.refresh` fetches the request from Twilio, then in one transaction (under the
request's row lock) stores what is new and queues the Slack work it causes (root message, one
reply per change set, a board edit). Webhooks (through the reconciler), the reconciler's polls,
/port-status and the buttons all end there, so each change is announced once whichever of them
sees it first. What is new is decided by ``bot.desk.apply``, what Slack is told by
``bot.desk.announce``; the snapshot returned is ``bot.desk.snapshots``'.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from weakref import WeakValueDictionary

from bot import outbox, reconcile, work
from bot.desk import followups
from bot.desk.announce import queue_slack_work
from bot.desk.apply import apply_in
from bot.desk.followups import GoLiveQueue
from bot.desk.records import Thread
from bot.desk.snapshots import snapshot_from
from bot.desk.types import RequestSnapshot, RequestUpdate, SyncPolicy
from bot.porting.client import TwilioPortingClient
from bot.porting.models import PortInRequest
from bot.store import edits, poll_schedule, queue, request_state
from bot.store.db import Database
from bot.store.models import RequestState, utcnow


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
            queued = await queue_slack_work(
                s,
                update,
                state,
                thread,
                now,
                channel=self.porting_channel,
                board_seconds=self.policy.board_seconds,
            )
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
        return snapshot_from(request, state, thread, refiled_as), update, state
