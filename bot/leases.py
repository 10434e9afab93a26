"""The leases of the outbox items one worker holds (``bot.outbox.Outbox``).

While the worker holds an item (claimed, or in flight however long it waits for its channel's
turn) its lease is renewed every third of a lease, so only the work of a dead (or cut-off)
worker is taken over. Right before the Slack request the deliverer calls ``Item.begin``: in one
statement it confirms the lease is still this worker's, renews it and marks a post
``maybe_sent``; when the lease is gone it raises :class:`LeaseLost` and nothing is sent, so an
item that changed hands is sent by its new holder only.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime, timedelta

from bot.store import outbox as queue
from bot.store.db import Database
from bot.store.items import Item
from bot.worker import PollingLoop

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker holds the item now (this one's lease ran out while it could not renew
    it): this attempt ends without sending anything and without touching the row."""


class Leases:
    def __init__(self, db: Database, owner: str, lease: timedelta) -> None:
        self.db = db
        self.owner = owner
        self.lease = lease
        # Items held, each with whether its Slack request went out in this attempt (past
        # ``Item.begin``).
        self._held: dict[int, bool] = {}
        every = lease.total_seconds() / 3
        self._renewer = PollingLoop("outbox-leases", self._renew_quietly, poll_seconds=every)

    def hold(self, item: Item) -> Item:
        """Hold a claimed item until :meth:`release`; returns it fenced (``Item.begin``)."""
        self._held[item.id] = False
        return item.fenced(functools.partial(self._begin, item.id, item.edit, item.lease))

    def release(self, item: Item) -> None:
        self._held.pop(item.id, None)

    def sent(self, item: Item) -> bool:
        """The item's Slack request went out in this attempt."""
        return self._held.get(item.id, False)

    def start(self) -> None:
        """Renew every third of a lease until :meth:`stop`."""
        self._renewer.start()

    async def stop(self) -> None:
        await self._renewer.stop()

    async def renew(self) -> int:
        """Extend the leases of the items held; returns how many were extended."""
        if not self._held:
            return 0
        until = datetime.now(UTC) + self.lease
        return await queue.renew(self.db, list(self._held), self.owner, until)

    async def _renew_quietly(self) -> None:
        try:
            await self.renew()
        except Exception as error:  # retried next round; Item.begin still checks
            log.warning("renewing Slack delivery leases failed (%s)", type(error).__name__)

    async def _begin(self, item_id: int, edit: bool, token: str) -> None:
        """``Item.begin``: the lease is still ours (renewed for the call), and a post is marked
        ``maybe_sent`` first, committed, so if we die mid-call the next attempt looks first."""
        until = datetime.now(UTC) + self.lease
        posting = not edit
        if await queue.fence(self.db, item_id, token, until, posting):
            self._held[item_id] = True
            return
        if not posting and await queue.board_taken_back(self.db, item_id):
            # A newer change took the edit back (``touch_board``) and scheduled another: this
            # one still shows more than the board does now, and it is not repeated work.
            return
        raise LeaseLost(f"outbox item {item_id} is no longer leased to {token}")
