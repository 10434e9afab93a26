"""The :class:`Sandbox`: state, clock (stepped or fast), faults and webhooks behind one object."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from .actions import SandboxActions
from .clock import SimClock, WallClock
from .config import SandboxConfig
from .faults import Faults
from .machine import PortingMachine
from .scheduler import Job
from .state import PortingState
from .ticker import Ticker
from .webhooks import Delivery, SimEvent, Sleep, WebhookSender


class Sandbox(SandboxActions):
    """A simulated Twilio account with the Porting API.

    At ``pace="clock"`` time is simulated. Tests step it with :meth:`advance` (deterministic:
    every due transition runs in order and its webhooks are delivered before it returns);
    :meth:`start` lets it run at ``config.speed`` simulated seconds per real second. At
    ``pace="person"`` (local mode's demo) the calendar is the real one (``wall``), each stage
    takes seconds of real time, and :meth:`step` / :meth:`fast_forward` run a request's next
    step early instead of moving the calendar. :meth:`pause` holds every step either way.
    ``state`` holds the account's records; ``machine`` moves them; what a test or the panel
    makes happen (an LOA signed, a rejection, a failure injected) is ``SandboxActions``; the
    running clock is a ``Ticker``.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        wall: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self._wall = wall  # person pace's calendar (tests inject one)
        self.paused_at: datetime | None = None
        self.sleep = sleep  # injectable so tests can observe latency and backoff
        self._http_client = http_client
        self._lock = asyncio.Lock()
        self._ticker = Ticker(self.config, self.tick, lambda: self.paused)
        self._init_state()

    def _init_state(self) -> None:
        if self.config.pace == "person":
            self.clock: SimClock = WallClock(self._wall)
        else:
            start = self.config.start_time or datetime.now(UTC).replace(microsecond=0)
            self.clock = SimClock(start)
        self.state = PortingState(self.config, self.clock)
        self.machine = PortingMachine(self.state)
        self.faults = Faults(self.config)
        self.webhooks = WebhookSender(self.config, self._http_client, self.sleep)

    # -- views ----------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def deliveries(self) -> deque[Delivery]:
        return self.webhooks.deliveries

    @property
    def events(self) -> deque[SimEvent]:
        return self.state.events

    @property
    def running(self) -> bool:
        return self._ticker.running

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    @property
    def person_paced(self) -> bool:
        return self.config.pace == "person"

    def upcoming(self) -> dict[str, Job]:
        """Each request's next step (its earliest live job), by request SID."""
        return self.state.jobs.upcoming(lambda job: self.state.job_target(job) is not None)

    async def flush_webhooks(self) -> None:
        await self.webhooks.flush()

    # -- clock ----------------------------------------------------------------------------

    async def advance(self, delta: timedelta | float) -> datetime:
        """Move simulated time forward; run due transitions in order; deliver their webhooks."""
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        return await self.advance_to(self.clock.now() + delta)

    async def advance_to(self, when: datetime) -> datetime:
        async with self._lock:
            self.machine.run_until(when)
            self.dispatch()
        await self.webhooks.flush()
        return self.clock.now()

    async def run_until_settled(self, limit: timedelta = timedelta(days=120)) -> datetime:
        """Advance job by job until nothing is scheduled (or ``limit`` of simulated time)."""
        horizon = self.clock.now() + limit
        while (due := self.state.next_due()) is not None and due <= horizon:
            await self.advance_to(due)
        await self.webhooks.flush()
        return self.clock.now()

    def start(self) -> None:
        """Run the fast clock in the background (``config.speed`` × real time)."""
        self._ticker.start()

    async def stop(self) -> None:
        await self._ticker.stop()

    async def aclose(self) -> None:
        await self.stop()
        await self.webhooks.aclose()

    async def tick(self, step: timedelta) -> None:
        """One look of the running clock: at person pace, the steps due by the real time; else
        simulated time ``step`` on."""
        async with self._lock:
            self.machine.run_until(self.clock.now() + (timedelta(0) if self.person_paced else step))
            self.dispatch()

    # -- pause, step, fast-forward (the panel's buttons) -----------------------------------

    def pause(self) -> None:
        """Hold every step: the running clock stops (person pace: countdowns freeze)."""
        if self.paused_at is None:
            self.paused_at = self._real_now()

    def resume(self) -> None:
        """Run again; at person pace every step comes as much later as the pause lasted."""
        if self.paused_at is None:
            return
        if self.person_paced:
            self.state.jobs.shift(self._real_now() - self.paused_at)
        self.paused_at = None

    def _real_now(self) -> datetime:
        return self.clock.now() if self.person_paced else datetime.now(UTC)

    async def step(self) -> Job | None:
        """The sandbox's next step, now: the earliest scheduled one (of whichever request)."""
        due = self.state.next_due()
        if due is None:
            return None
        job = next(j for j in self.upcoming().values() if j.due == due)
        return await self.fast_forward(job.request_sid)

    async def fast_forward(self, request_sid: str) -> Job | None:
        """``request_sid``'s next step, now (every job of the same kind: all its numbers'
        carrier answers, or all its ports). At person pace the calendar stays today's; on the
        simulated clock, time moves to that step. None: nothing is scheduled for it."""
        self.request(request_sid)  # 404 for an unknown SID
        job = self.upcoming().get(request_sid)
        if job is None:
            return None
        if not self.person_paced:
            await self.advance_to(max(job.due, self.clock.now()))
            return job
        async with self._lock:
            same = self.state.jobs.take(
                lambda j: j.request_sid == request_sid and j.kind == job.kind
            )
            self.machine.run_early(same)
            self.dispatch()
        await self.webhooks.flush()
        return job

    async def reset(self) -> None:
        """Forget every request, document, webhook setting and log; restart the clock."""
        running = self.running
        await self.stop()
        await self.webhooks.aclose()
        self._init_state()
        self.paused_at = None
        if running:
            self.start()
