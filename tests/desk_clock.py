"""Driving the desk's day in tests: an injected clock for reminders, digests and Home, stepped
by hand (never a sleep), with what Slack received at each step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.conftest import PORTING_CHANNEL, Bot


@dataclass
class Post:
    at: datetime  # the desk's clock when it went out
    channel: str
    thread_ts: str | None
    text: str


@dataclass
class DeskClock:
    """The desk's clock for ``bot``: every desk-day decision (planning and delivery) reads it."""

    bot: Bot
    now: datetime
    posts: list[Post] = field(default_factory=list)
    _seen: int = 0

    def __post_init__(self) -> None:
        self.bot.desk.day.clock = lambda: self.now
        self.bot.desk.listings.clock = lambda: self.now

    async def tick(self, at: datetime | None = None) -> list[Post]:
        """Set the clock to ``at``, run one planning pass and deliver what it queued; returns
        the messages Slack received meanwhile."""
        if at is not None:
            self.now = at
        await self.bot.desk.day.tick()
        if await self.bot.runtime.outbox.pending():
            await self.bot.wait_delivered()
        return self._collect()

    async def run(self, until: datetime, step: timedelta = timedelta(hours=1)) -> list[Post]:
        """Tick every ``step`` up to ``until`` (inclusive); returns what went out."""
        out = []
        while self.now + step <= until:
            out += await self.tick(self.now + step)
        return out

    def _collect(self) -> list[Post]:
        calls = self.bot.slack.calls_to("chat.postMessage")
        new = [
            Post(self.now, c.args["channel"], c.args.get("thread_ts"), c.args["text"])
            for c in calls[self._seen :]
        ]
        self._seen = len(calls)
        self.posts += new
        return new

    def skip_seen(self) -> None:
        """Forget what Slack received so far (filing, the request's own replies)."""
        self._seen = len(self.bot.slack.calls_to("chat.postMessage"))


def digests(posts: list[Post], channel: str = PORTING_CHANNEL) -> list[Post]:
    return [p for p in posts if p.channel == channel and p.thread_ts is None]
