"""What ``/metrics`` reads from the database at scrape time: the Slack work waiting, by kind,
and how far behind Twilio the oldest followed request is. Shared by every process, so each
instance reports the same values. Two grouped statements, whatever the backlog: the outbox's
pending rows (found by ``ix_outbox_pending``) and the followed requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select

from bot import work as slack_work
from bot.store.db import Database, table
from bot.store.items import ItemStatus
from bot.store.outbox import FAILING_AFTER
from bot.store.sync import DISCOVERY

OUTBOX, SYNC, REQUESTS = table("outbox"), table("request_sync"), table("request_state")


@dataclass(frozen=True)
class KindGauges:
    queued: int  # waiting for a worker (due or not)
    in_flight: int  # leased to a worker right now
    failing: int  # FAILING_AFTER attempts or more, still retried
    oldest_seconds: float  # a post: since it was queued; an edit: how overdue it is


@dataclass(frozen=True)
class Gauges:
    slack_work: dict[str, KindGauges]  # every kind (``bot.work``), zeros included
    followed: int  # requests the reconciler follows
    reconcile_lag_seconds: float  # since the least recently fetched of them was read


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


async def read(db: Database) -> Gauges:
    now = datetime.now(UTC)
    o = OUTBOX.c
    waiting = (
        select(
            o.kind,
            func.count(),
            func.sum(case((o.lease_until > now, 1), else_=0)),
            func.sum(case((o.attempts >= FAILING_AFTER, 1), else_=0)),
            func.min(o.created_at),
            func.min(o.next_attempt_at),
        )
        .where(o.status == ItemStatus.PENDING.value)
        .group_by(o.kind)
    )
    synced = func.coalesce(REQUESTS.c.synced_at, REQUESTS.c.updated_at)
    followed = (
        select(func.count(), func.min(synced))
        .select_from(SYNC.outerjoin(REQUESTS, REQUESTS.c.request_sid == SYNC.c.request_sid))
        .where(SYNC.c.request_sid != DISCOVERY)
    )
    async with db.engine.connect() as conn:
        rows = (await conn.execute(waiting)).all()
        count, oldest = (await conn.execute(followed)).one()
    work = {kind: KindGauges(0, 0, 0, 0.0) for kind in slack_work.KINDS}
    for kind, pending, in_flight, failing_count, created, due in rows:
        if kind not in slack_work.KINDS:  # a kind a newer release queued: counted once known
            continue
        # An edit (a board, a Home tab) is re-armed on its old row: its age is how overdue.
        since = due if kind in slack_work.EDIT_KINDS else created
        work[kind] = KindGauges(
            queued=pending - (in_flight or 0),
            in_flight=in_flight or 0,
            failing=failing_count or 0,
            oldest_seconds=_age(now, since),
        )
    return Gauges(work, count, _age(now, oldest))
