"""Go-live: numbers that ported are found in the account and set up by their request's profile.

The sync queues completed numbers (``bot.store.golive_runs.queue_in``, under the request's row
lock); :meth:`GoLive.tick` claims due runs (one process per request, leased in the database),
looks each number up (``IncomingPhoneNumbers?PhoneNumber=``), sets what the profile says where it
differs, adds it to the profile's Messaging Service, and says the batch in one thread reply.
A number not in the account yet is looked for again every ``retry_every`` until
``retry_window`` has passed since the first look, then named missing (an alert in the porting
channel too). Applying again changes nothing Twilio already has and says nothing new.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import work
from bot.desk.profiles import NONE, Profile, Profiles
from bot.porting.account import AccountNumbers
from bot.porting.errors import TwilioError
from bot.porting.golive import GoLiveReport, LiveFailure, Liveness
from bot.store import golive_runs
from bot.store.db import Database
from bot.store.models import NumberLive
from bot.worker import PollingLoop

log = logging.getLogger(__name__)

LIVE, FAILED, MISSING = "live", "failed", "missing"
A2P_BLOCKED = "texts from these numbers will be blocked by US carriers until it is"


@dataclass
class Outcome:
    row: NumberLive
    changed: bool  # Twilio's copy changed (or the number's state did)


class GoLive:
    def __init__(
        self,
        numbers: AccountNumbers,
        db: Database,
        profiles: Profiles,
        *,
        clock: Callable[[], datetime],
        porting_channel: str = "",
        retry_window: timedelta = timedelta(hours=1),
        retry_every: timedelta = timedelta(minutes=5),
        concurrency: int = 16,
        lease: timedelta = timedelta(minutes=5),
        wake_outbox: Callable[[], None] | None = None,
    ) -> None:
        self.numbers = numbers
        self.db = db
        self.profiles = profiles
        self.clock = clock
        self.porting_channel = porting_channel
        self.retry_window = retry_window
        self.retry_every = retry_every
        self.concurrency = concurrency
        self.lease = lease
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._wake_outbox = wake_outbox or (lambda: None)
        self._loop = PollingLoop("golive", self.tick, poll_seconds=30.0)
        self.wakeup = self._loop.wakeup

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    def now(self) -> datetime:
        return self.clock()

    def wake(self) -> None:
        self.wakeup.set()

    def profile_for(self, chosen: str | None) -> str:
        """The profile a request's numbers get (a request with no choice: none)."""
        return chosen if chosen and self.profiles.known(chosen) else NONE

    async def tick(self) -> bool:
        """Run every due go-live this process could claim; True when it ran any."""
        now = self.clock()
        claimed = await golive_runs.claim_due(self.db, self.owner, now, self.lease)
        for request_sid in claimed:
            await self.run(request_sid)
        return bool(claimed)

    async def settled(self) -> bool:
        """No run is due now and none is in flight (here or elsewhere)."""
        return not await golive_runs.busy(self.db, self.clock())

    async def go_live(self, request_sid: str, profile: str | None = None) -> int:
        """Go live pressed: look at every completed number of the request again (by
        ``profile``, or the request's own); how many numbers that is (0: none ported yet)."""
        chosen = profile or await golive_runs.profile_of(self.db, request_sid)
        return await golive_runs.recheck(
            self.db, request_sid, self.profile_for(chosen), self.clock()
        )

    async def liveness(
        self, numbers: Sequence[str], in_account: dict[str, bool]
    ) -> dict[str, Liveness]:
        """Each number's go-live and presence in the account (``in_account``: the sweep's)."""
        rows = await golive_runs.of_numbers(self.db, numbers)
        found = {}
        for number in numbers:
            row = rows.get(number)
            found[number] = Liveness(
                phone_number=number,
                request_sid=row.request_sid if row else await golive_runs.holder(self.db, number),
                state=row.state if row else None,
                profile=row.profile if row else None,
                detail=row.detail if row else None,
                in_account=in_account.get(number),
            )
        return found

    async def set_profile(self, request_sid: str, profile: str) -> bool:
        """The board's choice (False: not a profile here, or the request is unknown)."""
        if not self.profiles.known(profile):
            return False
        return await golive_runs.set_profile(self.db, request_sid, profile)

    async def run(self, request_sid: str) -> None:
        """Apply the request's profile to its numbers (the lease is this process's)."""
        todo = await golive_runs.run_rows(self.db, request_sid)
        now = self.clock()
        by_profile: dict[str, list[NumberLive]] = {}
        for row in todo.rows:
            by_profile.setdefault(row.profile, []).append(row)
        outcomes: list[Outcome] = []
        report: list[work.Work] = []
        batch = todo.batch
        for name, rows in sorted(by_profile.items()):
            profile = self.profiles.get(name)
            done = await self._apply_all(rows, profile, now)
            outcomes += done
            said = await self._report(request_sid, name, profile, done, batch)
            report += said
            batch += 1 if said else 0
        waiting = [o.row for o in outcomes if o.row.state == golive_runs.WAITING]
        next_due = now + self.retry_every if waiting else None
        rows = [o.row for o in outcomes]
        if not await golive_runs.finish(
            self.db, request_sid, self.owner, rows, report, next_due, now
        ):
            log.warning("go-live of %s: lease lost, another process finishes it", request_sid)
        elif report:
            self._wake_outbox()

    async def _apply_all(
        self, rows: list[NumberLive], profile: Profile | None, now: datetime
    ) -> list[Outcome]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(row: NumberLive) -> Outcome:
            async with gate:
                return await self._apply(row, profile, now)

        return list(await asyncio.gather(*(one(r) for r in rows)))

    async def _apply(self, row: NumberLive, profile: Profile | None, now: datetime) -> Outcome:
        before = (row.state, row.error_code, row.number_sid)
        row.updated_at = now
        changed = False
        try:
            changed = await self._configure(row, profile, now)
        except TwilioError as error:
            row.state, row.error_code = FAILED, error.code
            row.detail = _detail(error)
        return Outcome(row, changed or (row.state, row.error_code, row.number_sid) != before)

    async def _configure(self, row: NumberLive, profile: Profile | None, now: datetime) -> bool:
        if row.profile != NONE and profile is None:
            row.state, row.error_code = FAILED, None
            row.detail = f"the profile `{row.profile}` is no longer in PORTING_PROFILES"
            return False
        number = await self.numbers.find(row.phone_number)
        if number is None:
            row.first_tried_at = row.first_tried_at or now
            gone_for = now - row.first_tried_at
            row.state = MISSING if gone_for >= self.retry_window else golive_runs.WAITING
            return False
        row.number_sid = number.sid
        changed = False
        if profile is not None and profile.settings.differs(number):
            await self.numbers.update(number.sid, profile.settings)
            changed = True
        if profile is not None and profile.messaging_service_sid:
            changed |= await self.numbers.add_to_service(profile.messaging_service_sid, number.sid)
        row.state, row.error_code, row.detail = LIVE, None, None
        return changed

    async def _report(
        self,
        request_sid: str,
        name: str,
        profile: Profile | None,
        done: list[Outcome],
        batch: int,
    ) -> list[work.Work]:
        """The batch's reply (and the channel's alert for missing numbers), or nothing when
        nothing changed that was not said already."""
        news = [o.row for o in done if o.changed or not o.row.reported]
        news = [r for r in news if r.state != golive_runs.WAITING or not r.reported]
        if not news:
            return []
        waiting = [r for r in news if r.state == golive_runs.WAITING]
        first_tried = min((r.first_tried_at for r in waiting if r.first_tried_at), default=None)
        report = GoLiveReport(
            request_sid=request_sid,
            profile=name,
            voice=profile.voice if profile else None,
            messaging=profile.messaging if profile else None,
            live=[r.phone_number for r in news if r.state == LIVE],
            failures=[_failure(r) for r in news if r.state == FAILED],
            waiting=[r.phone_number for r in waiting],
            waiting_until=first_tried + self.retry_window if first_tried else None,
            missing=[r.phone_number for r in news if r.state == MISSING],
        )
        if report.live and profile is not None and profile.messaging_service_sid:
            report.a2p = await self._a2p(profile.messaging_service_sid)
        for row in news:
            row.reported = True
        said: list[work.Work] = [work.GoLive(request_sid=request_sid, batch=batch, report=report)]
        if report.missing and self.porting_channel:
            alert = report.model_copy(update={"alert": True})
            said.append(
                work.GoLive(
                    request_sid=request_sid, batch=batch, channel=self.porting_channel, report=alert
                )
            )
        return said

    async def _a2p(self, service_sid: str) -> str | None:
        """Why texts from the service's numbers will be blocked (None: they will not)."""
        try:
            campaigns = await self.numbers.usa2p(service_sid)
        except TwilioError as error:
            return f"the A2P 10DLC registration could not be read ({_detail(error)})"
        if not campaigns:
            return f"Messaging Service {service_sid} has no US A2P 10DLC campaign: {A2P_BLOCKED}"
        if not any((c.campaign_status or "").upper() == "VERIFIED" for c in campaigns):
            states = ", ".join(sorted({c.campaign_status or "unknown" for c in campaigns}))
            return (
                f"Messaging Service {service_sid}'s A2P 10DLC campaign is not verified "
                f"({states}): {A2P_BLOCKED}"
            )
        return None


def _detail(error: TwilioError) -> str:
    code = f"{error.code}: " if error.code else ""
    return f"{code}{error.message}"[:500]


def _failure(row: NumberLive) -> LiveFailure:
    message = row.detail or "failed"
    if row.error_code and message.startswith(f"{row.error_code}: "):
        message = message[len(f"{row.error_code}: ") :]
    link = f"https://www.twilio.com/docs/errors/{row.error_code}" if row.error_code else None
    return LiveFailure(number=row.phone_number, code=row.error_code, message=message, link=link)
