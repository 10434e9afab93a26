"""Requests as the sync would have stored them (thread included), for tests of listings, the
digest and App Home that need many requests in known states."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.store.models import NumberState, RequestState, RequestThread
from tests.conftest import PORTING_CHANNEL, Bot

VIEWER = "U123"  # slash_command's default user
OTHER = "U777"


@dataclass(frozen=True)
class Row:
    name: str
    status: str
    filer: str | None = None
    days_ago: float = 1  # entered its status this long ago
    numbers: tuple[str, ...] = ()
    synced_minutes_ago: float = 2
    channel: str = PORTING_CHANNEL
    port_date: date | None = None  # its numbers port that day (then they are port_pending)


async def seed(bot: Bot, *rows: Row) -> dict[str, str]:
    """Store ``rows`` as the sync would have (thread included); returns name → request SID.
    Twilio's stamps are on the desk's clock (the sandbox's), the bot's own on the process's."""
    now = bot.desk.day.clock()
    wall = datetime.now(UTC)
    sids = {}
    async with bot.runtime.db.session() as s:
        for i, row in enumerate(rows):
            sid = "KW" + hashlib.md5(row.name.encode()).hexdigest()
            since = now - timedelta(days=row.days_ago)
            s.add(
                RequestState(
                    request_sid=sid,
                    status=row.status,
                    customer_name=row.name,
                    number_count=max(len(row.numbers), 1),
                    filed_by=row.filer,
                    updated_at=wall - timedelta(days=row.days_ago),
                    created_at=since - timedelta(days=1),
                    status_changed_at=since,
                    synced_at=wall - timedelta(minutes=row.synced_minutes_ago),
                )
            )
            s.add(
                RequestThread(
                    request_sid=sid, channel_id=row.channel, thread_ts=f"17000{i:05d}.000100"
                )
            )
            for j, number in enumerate(row.numbers):
                s.add(
                    NumberState(
                        number_sid=f"PU{i:016x}{j:016x}",
                        request_sid=sid,
                        phone_number=number,
                        status=_number_status(row),
                        port_date=_midnight(row.port_date),
                        twilio_updated_at=since,
                    )
                )
            sids[row.name] = sid
        await s.commit()
    return sids


def _number_status(row: Row) -> str:
    if row.status == "action_required":
        return "port_rejected"
    return "port_pending" if row.port_date else row.status


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), UTC) if day else None


DESK = (
    Row("Acme", "action_required", VIEWER, days_ago=3, numbers=("+14155550162",)),
    Row("Bolt", "waiting_for_signature", OTHER, days_ago=2),
    Row("Cogs", "in_progress", VIEWER, days_ago=45),
    Row("Dyna", "in_review", None, days_ago=0.5),
    Row("Echo", "completed", VIEWER, days_ago=10),
    Row("Flux", "canceled", OTHER, days_ago=5),
    Row("Gale", "expired", None, days_ago=60),
    Row("Halo", "canceling", VIEWER, days_ago=1),
    Row("Iris", "action_required", OTHER, days_ago=40, synced_minutes_ago=9),
)
OPEN = {"Acme", "Bolt", "Cogs", "Dyna", "Halo", "Iris"}
EVERY = {r.name for r in DESK}
