"""The desk's timed work: reminders in request threads, each channel's daily digest, and App
Home publishes, all through the durable outbox.

:class:`DeskDay` runs one loop per process (``tick``), on the desk's clock (injected: the
sandbox's when there is one, so the desk's day runs at sandbox speed; tests pass their own):

- **Reminders.** For every open request with a thread, :func:`bot.desk.schedule.
  plan_reminders` on its stored facts; each one due is queued under its key (request, kind,
  local due date). Planning again, in this process or another, after a restart or a clock
  step, finds the same key: one reminder, once. At delivery :meth:`reminder` decides again on
  the facts of then, so a reminder whose reason went away (the LOA got signed, the request
  closed) is dropped, never sent late.
- **Digests.** At ``PORTING_DIGEST_AT`` on business days one item per channel holding request
  threads (key: channel + date); built when delivered, dropped when the channel has nothing
  open.
- **App Home.** Someone opening the tab queues a publish (:meth:`open_home`); when a request
  changes, everyone who looked at their Home in the last week gets it republished, at most
  every ``home_interval`` seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot import work
from bot.desk.agenda import Digest, HomeAgenda, build_digest, build_home
from bot.desk.calendar import BusinessCalendar
from bot.desk.desk_listing import on_desk_clock, process_time
from bot.desk.digest_plan import asked_slot, decide_digest, digest_slot, due_digests
from bot.desk.facts import DeskPolicy, facts_from_store
from bot.desk.manual.manual_listing import list_manual, open_manual
from bot.desk.schedule import Decision, ReminderKind, ReminderRef, decide, plan_reminders
from bot.listed_requests import ListingQuery
from bot.porting.golive import Departure
from bot.porting.models import PortInRequest
from bot.store import desk_day, edits, request_state
from bot.store.db import Database
from bot.store.models import utcnow
from bot.store.request_listing import list_requests, thread_channels
from bot.worker import PollingLoop

log = logging.getLogger(__name__)

HOME_ACTIVE = timedelta(days=7)  # whose Home is kept current: who looked at it this recently


@dataclass(frozen=True)
class ReminderDue:
    """A reminder to send now, with what its text needs from Twilio's copy."""

    decision: Decision
    signer: str | None = None  # the LOA's authorized representative
    ticket: int | None = None  # Twilio's support ticket for the request


class DeskDay:
    def __init__(
        self,
        db: Database,
        policy: DeskPolicy,
        calendar: BusinessCalendar,
        *,
        clock: Callable[[], datetime] = utcnow,
        poll_seconds: float = 60.0,
        home_interval: float = 30.0,
        wake: Callable[[], None] | None = None,
        planners: Sequence[Callable[[datetime], Awaitable[object]]] = (),
        one_digest_a_real_day: bool = False,
        real_clock: Callable[[], datetime] = utcnow,
        departures: Callable[[], Awaitable[list[Departure]]] | None = None,
        rate: float = 1.0,
    ) -> None:
        self.db = db
        # More timed work planned on the same tick and clock (manual ports' reminders:
        # ``bot.desk.manual.ports.ManualPorts.queue_reminders``), each queuing under its own keys.
        self.planners = tuple(planners)
        # Numbers that left the account and wait for an Acknowledge (``bot.desk.inventory``):
        # the digest and App Home list them.
        self.departures = departures
        self.policy = policy
        self.calendar = calendar
        self.clock = clock
        # The clock's seconds per real second (a demo's runs the sandbox's speed): what
        # delivery divides a wait on the desk's clock by, so every outbox wait is real time.
        self.rate = rate
        self.home_interval = home_interval
        self._wake = wake
        self.poll_seconds = poll_seconds
        self._loop = PollingLoop("desk-day", self.tick, poll_seconds=poll_seconds)
        self.wakeup = self._loop.wakeup
        self._asked: set[tuple[str, date]] = set()  # digests asked for now (channel, day)
        # Local mode: at most one day's digests a real day, however fast the sandbox's clock
        # runs (PORTING_SANDBOX_SPEED); Send digest now shows another. ``real_clock`` is the
        # system's (tests inject one).
        self.one_digest_a_real_day = one_digest_a_real_day
        self.real_clock = real_clock
        self._digested_on: date | None = None

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    # -- planning (the loop) ---------------------------------------------------------------

    async def tick(self) -> None:
        """Queue what is due at the desk's now; returns nothing so the loop naps after."""
        now = self.clock()
        work = [*await self.due_reminders(now), *await self.due_digests(now)]
        await desk_day.queue(self.db, work, utcnow())
        for plan in self.planners:
            await plan(now)
        homes = await self.rearm_homes()
        if (work or homes) and self._wake is not None:
            self._wake()

    async def due_reminders(self, now: datetime) -> list[work.Work]:
        if not self.calendar.in_working_hours(now):
            return []  # reminders go out 09:00–17:00 on the desk's clock, never at night
        due: list[work.Work] = []
        for state, numbers in await desk_day.open_threaded(self.db):
            facts = facts_from_store(state, numbers)
            for r in plan_reminders(facts, self.policy, self.calendar, now):
                ref = work.Reminder(
                    request_sid=r.request_sid, reminder=r.kind.value, due_day=r.due_day
                )
                due.append(ref)
        return due

    async def due_digests(self, now: datetime) -> list[work.Work]:
        today = digest_slot("", self.calendar.local_date(now), self.policy, self.calendar)
        if today is None or not today.sendable(now):
            return []  # no digest due at this hour: nothing to read
        real_day = self.real_clock().date()
        if self.one_digest_a_real_day and self._digested_on == real_day:
            return []
        channels = await thread_channels(self.db)
        slots = due_digests(channels, self.policy, self.calendar, now)
        if slots:
            self._digested_on = real_day
        return [work.Digest(channel_id=slot.channel_id, day=slot.day) for slot in slots]

    async def send_digest_now(self) -> int:
        """Queue today's digest now for every channel holding request threads, whatever the
        hour (the local workspace's Send digest now); returns how many channels."""
        now = self.clock()
        day = self.calendar.local_date(now)
        channels = await thread_channels(self.db)
        asked = utcnow().strftime("%Y%m%dT%H%M%S%f")
        digests = [work.Digest(channel_id=c, day=day, asked=asked) for c in channels]
        self._asked.update((c, day) for c in channels)
        await desk_day.queue(self.db, digests, utcnow())
        if digests and self._wake is not None:
            self._wake()
        return len(channels)

    async def rearm_homes(self) -> int:
        changed = await desk_day.latest_change(self.db)
        if changed is None:
            return 0
        now = utcnow()  # outbox rows keep the process's own time
        return await edits.rearm_homes(self.db, changed, now - HOME_ACTIVE, self.home_interval, now)

    async def open_home(self, user_id: str) -> None:
        """``user_id`` opened the Home tab or asked for a refresh: publish it now."""
        await desk_day.touch_home(self.db, user_id)
        if self._wake is not None:
            self._wake()

    # -- at delivery (the handlers ask: bot.slack.delivery.timed) -------------------------

    async def reminder(self, request_sid: str, kind: str, due_day: date) -> ReminderDue:
        """Whether the queued reminder goes out now, waits for working hours, or is dropped,
        decided on the request as stored now."""
        ref = ReminderRef(request_sid, ReminderKind(kind), due_day)
        stored = await request_state.load(self.db, request_sid)
        facts = facts_from_store(stored.state, stored.numbers) if stored else None
        decision = decide(ref, facts, self.policy, self.calendar, self.clock())
        if stored is None or decision.reminder is None or not stored.state.request_json:
            return ReminderDue(decision)
        twilio = PortInRequest.model_validate_json(stored.state.request_json)
        carrier = twilio.losing_carrier_information
        signer = carrier.authorized_representative if carrier else None
        return ReminderDue(decision, signer or None, twilio.support_ticket_id)

    async def digest(self, channel_id: str, day: date) -> Digest | None:
        """The channel's digest of ``day`` if it may still go out now and the channel has
        something open; None: drop it."""
        now = self.clock()
        slot = decide_digest(channel_id, day, self.policy, self.calendar, now)
        if slot is None and (channel_id, day) in self._asked:
            slot = asked_slot(channel_id, day, self.policy, self.calendar, now)
        if slot is None:
            return None
        open_rows = await list_requests(
            self.db, ListingQuery(open_only=True, channel_id=channel_id)
        )
        # "Since the last digest": the one actually posted in this channel before this one
        # (when Slack confirmed it, on the process's clock, as ``updated_at`` is); none: a day.
        posted = await desk_day.last_digest(self.db, channel_id)
        since = on_desk_clock(posted, now)
        changed_since = posted or process_time(now - timedelta(days=1), now)
        changed = await list_requests(
            self.db, ListingQuery(channel_id=channel_id, changed_since=changed_since)
        )
        manual = await list_manual(
            self.db, ListingQuery(open_only=True, channel_id=channel_id), now
        )
        digest = build_digest(
            slot, open_rows.rows, changed.rows, self.policy, self.calendar, now, manual, since=since
        )
        if digest is not None and digest.quiet and self.policy.quiet_digest == "skip":
            log.info("digest %s skipped: nothing new (PORTING_DIGEST_WHEN_QUIET=skip)", slot.key)
            return None
        return replace(digest, departures=await self._departures()) if digest else None

    async def home(self, user_id: str) -> tuple[HomeAgenda, datetime]:
        """``user_id``'s Home tab content, and the moment it was judged at."""
        now = self.clock()
        open_rows = await list_requests(self.db, ListingQuery(open_only=True))
        mine = await list_requests(self.db, ListingQuery(filed_by=frozenset({user_id})))
        home = build_home(
            user_id,
            open_rows.rows,
            mine.rows,
            self.policy,
            self.calendar,
            now,
            oldest_sync=on_desk_clock(open_rows.oldest_sync, now),
            manual=await open_manual(self.db, now),
        )
        return replace(home, departures=await self._departures()), now

    async def _departures(self) -> tuple[Departure, ...]:
        return tuple(await self.departures()) if self.departures is not None else ()
