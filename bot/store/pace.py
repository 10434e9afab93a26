"""Write slots per Slack channel, shared by every bot process on one PostgreSQL.

Slack allows about one message per second per channel. Each process paces its own writes
(``bot.slack.pacing.ChannelPacer``); with several processes on one PostgreSQL they also take
their slots here, so that together they keep to the limit: one statement moves the channel's
``next_at`` on by the interval (from now, if it is in the past) and says how long to wait for
the slot it reserved. The database's clock is the only one used, so clock skew between
machines does not matter. SQLite serves one process, whose own pacing is enough.
"""

from __future__ import annotations

from sqlalchemy import text

from bot.store.db import Database

_RESERVE = text(
    """
    INSERT INTO channel_pace AS p (channel_id, next_at)
    VALUES (:channel, clock_timestamp() + make_interval(secs => CAST(:interval AS float8)))
    ON CONFLICT (channel_id) DO UPDATE SET next_at =
        GREATEST(p.next_at, clock_timestamp()) + make_interval(secs => CAST(:interval AS float8))
    RETURNING CAST(EXTRACT(EPOCH FROM p.next_at - clock_timestamp()) AS float8)
        - CAST(:interval AS float8) AS wait
    """
)


def shared_pace(db: Database) -> SharedPace | None:
    """The shared slots when several processes can share the database (PostgreSQL), else
    None: one SQLite process paces itself."""
    return SharedPace(db) if db.url.shared_by_processes else None


class SharedPace:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def reserve(self, channel: str, interval: float) -> float:
        """Reserve the channel's next write slot; returns the seconds until it starts."""
        async with self.db.engine.begin() as conn:
            wait = (await conn.execute(_RESERVE, {"channel": channel, "interval": interval})).one()
        return max(0.0, float(wait[0]))
