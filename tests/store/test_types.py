"""The UTC column type on SQLite (always) and PostgreSQL (when one answers): every datetime
column reads back as an aware UTC datetime, the same moment that was written, whatever time
zone it was written in; and the raw webhook writer binds it the same way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime
from sqlmodel import SQLModel, col, select

from bot.store.db import Database
from bot.store.models import NumberState, RequestSync
from bot.store.types import UTCDateTime
from tests.pg import migrated_database

SID = "KW" + "5" * 32
T0 = datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=UTC)
EAST = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:  # type: ignore[no-untyped-def]
    async with migrated_database(request.param, tmp_path) as database:
        yield database


def test_every_datetime_column_of_the_models_is_utc() -> None:
    columns = [
        f"{t.name}.{c.name}"
        for t in SQLModel.metadata.tables.values()
        for c in t.columns
        if isinstance(c.type, DateTime) and not isinstance(c.type, UTCDateTime)
    ]
    assert columns == [], "every moment is stored through UTCDateTime"


async def test_moments_read_back_aware_in_utc_whatever_zone_they_were_written_in(
    db: Database,
) -> None:
    async with db.session() as s:
        s.add(RequestSync(request_sid=SID, due_at=T0.astimezone(EAST), nudged_at=T0))
        s.add(
            NumberState(
                number_sid="PN" + "5" * 32,
                request_sid=SID,
                phone_number="+15555550100",
                status="pending",
                port_date=T0.replace(tzinfo=None),  # naive: taken as UTC
            )
        )
        await s.commit()
    async with db.session() as s:
        row = (await s.exec(select(RequestSync))).one()
        number = (await s.exec(select(NumberState))).one()
    for value in (row.due_at, row.nudged_at, number.port_date, number.updated_at):
        assert value is not None and value.tzinfo is UTC
    assert row.due_at == T0 and row.nudged_at == T0 and number.port_date == T0


async def test_moments_compare_in_queries_whatever_zone_they_were_written_in(
    db: Database,
) -> None:
    async with db.session() as s:
        s.add(RequestSync(request_sid=SID, due_at=T0.astimezone(EAST)))
        await s.commit()
    async with db.session() as s:
        due = col(RequestSync.due_at)
        just_after = T0 + timedelta(microseconds=1)
        assert (await s.exec(select(RequestSync).where(due < just_after))).all()
        assert not (await s.exec(select(RequestSync).where(due > T0))).all()
