"""The inventory: every ``PORTING_INVENTORY_SECONDS`` one process (whichever takes the shared
lease) reads all the account's numbers, page by page, and compares them with the last sweep.

A number that was there and is not any more gets one alert in the porting channel (and in its
request's thread, if the bot ported it): ported away or released. It stays on the digest and
App Home until someone acknowledges it. Numbers that arrive are recorded quietly. A port-out
webhook (where Twilio sends them) feeds the same alert through :meth:`Inventory.port_out`.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import work
from bot.porting.account import AccountNumbers
from bot.porting.errors import TwilioError
from bot.porting.golive import Departure
from bot.store import account_numbers
from bot.store.db import Database
from bot.store.models import AccountNumber
from bot.worker import PollingLoop

log = logging.getLogger(__name__)

INVENTORY = "inventory"  # what the channel's departure alerts are ordered under (no request)


@dataclass(frozen=True)
class SweepResult:
    numbers: int
    arrived: int
    left: list[str]
    compare_cpu: float  # CPU seconds the comparison took (the benchmark reports it)


def compare(found: dict[str, str], known: set[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """What arrived ((E.164, PN sid) pairs) and what left (E.164) since the last sweep."""
    arrived = [(n, sid) for n, sid in found.items() if n not in known]
    left = sorted(known.difference(found))
    return arrived, left


class Inventory:
    def __init__(
        self,
        numbers: AccountNumbers,
        db: Database,
        *,
        clock: Callable[[], datetime],
        porting_channel: str = "",
        every_seconds: float = 900.0,
        lease: timedelta = timedelta(minutes=10),
        wake_outbox: Callable[[], None] | None = None,
    ) -> None:
        self.numbers = numbers
        self.db = db
        self.clock = clock
        self.porting_channel = porting_channel
        self.every_seconds = every_seconds
        self.lease = lease
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._wake_outbox = wake_outbox or (lambda: None)
        self._threads: set[str] = set()  # requests with a thread, among the last departures'
        # Look four times per interval: the lease decides which process sweeps.
        self._loop = PollingLoop("inventory", self.tick, poll_seconds=max(every_seconds / 4, 1))

    def start(self) -> None:
        if self.every_seconds > 0:
            self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def tick(self) -> bool:
        """Sweep if it is due and no other process is sweeping; False otherwise. (Never
        truthy: the loop then waits its interval instead of sweeping again at once.)"""
        await self.sweep()
        return False

    async def sweep(self, *, force: bool = False) -> SweepResult | None:
        """One sweep, when due (``force``: due now); None when another process has it, it is
        not due, or Twilio could not be read (another look at the next poll)."""
        now = self.clock()
        every = timedelta(0) if force else timedelta(seconds=self.every_seconds)
        claimed = await account_numbers.claim(self.db, self.owner, now, every, self.lease)
        if claimed is None:
            return None
        try:
            found: dict[str, str] = {}
            async for page in self.numbers.pages():
                found.update((number, sid) for sid, number in page)
        except TwilioError as error:
            log.warning("inventory sweep failed (%s); trying again later", error)
            await account_numbers.release(self.db, self.owner)
            return None
        known = await account_numbers.present(self.db)
        started = time.process_time()
        arrived, left = compare(found, known)
        cpu = time.process_time() - started
        departures = await self._departures(left, claimed.previous, now, "sweep")
        alerts = self._alerts(departures)
        if not await account_numbers.record(self.db, self.owner, now, arrived, departures, alerts):
            log.warning("inventory sweep: lease lost, another process records it")
            return None
        if alerts:
            self._wake_outbox()
        log.info("inventory: %d numbers, %d arrived, %d left", len(found), len(arrived), len(left))
        return SweepResult(len(found), len(arrived), left, cpu)

    async def _departures(
        self, left: list[str], last_seen: datetime | None, now: datetime, source: str
    ) -> list[Departure]:
        origins = await account_numbers.origins(self.db, left)
        self._threads = {sid for sid, has_thread in origins.values() if has_thread}
        return [
            Departure(
                phone_number=number,
                last_seen=last_seen,
                gone_at=now,
                request_sid=origins[number][0] if number in origins else None,
                source=source,
            )
            for number in left
        ]

    def _alerts(self, departures: list[Departure]) -> list[work.Work]:
        """Each departure's alert in the porting channel, and in its request's thread."""
        alerts: list[work.Work] = []
        for departure in departures:
            request_sid = departure.request_sid
            has_thread = request_sid in self._threads
            if self.porting_channel:
                alerts.append(
                    work.Departed(
                        owner_id=INVENTORY, channel=self.porting_channel, departure=departure
                    )
                )
            if request_sid is not None and has_thread:
                alerts.append(work.Departed(owner_id=request_sid, departure=departure))
        return alerts

    async def port_out(self, phone_number: str) -> bool:
        """Twilio's port-out webhook for ``phone_number``: the same alert as a sweep's, once
        (False: already known to have left)."""
        now = self.clock()
        last_seen = await account_numbers.last_sweep(self.db)
        (departure,) = await self._departures([phone_number], last_seen, now, "port_out")
        alerts = self._alerts([departure])
        new = await account_numbers.record_port_out(self.db, departure, alerts, now)
        if new:
            self._wake_outbox()
        return new

    async def departures(self) -> list[Departure]:
        """Numbers that left and are not acknowledged yet (the digest, App Home)."""
        return [departure_of(row) for row in await account_numbers.departures(self.db)]

    async def acknowledge(self, phone_number: str, user_id: str, why: str) -> Departure | None:
        """``user_id`` has seen to the departure (``why``, audited); None when there is none
        waiting for that (acknowledged already, or the number is back)."""
        row = await account_numbers.acknowledge(self.db, phone_number, user_id, why, self.clock())
        return None if row is None else departure_of(row)

    async def in_account(self, numbers: list[str]) -> dict[str, bool]:
        return await account_numbers.in_account(self.db, numbers)


def departure_of(row: AccountNumber) -> Departure:
    return Departure(
        phone_number=row.phone_number,
        last_seen=row.last_seen_at,
        gone_at=row.gone_at or row.last_seen_at,
        request_sid=row.request_sid,
        acknowledged_by=row.acknowledged_by,
    )
