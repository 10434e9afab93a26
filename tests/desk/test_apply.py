"""Applying Twilio's copy of a request to what is stored (``bot.desk.apply.apply_in``), on SQLite
and PostgreSQL: times Twilio writes without an offset are UTC, so a number read again with
the same port date is no news, and an older read does not overwrite a newer one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.desk.apply import apply_in
from bot.porting.models import PortInRequest
from bot.store.db import Database
from tests.pg import migrated_database

SID = "KW" + "6" * 32
PN = "PU" + "6" * 32
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:  # type: ignore[no-untyped-def]
    async with migrated_database(request.param, tmp_path) as database:
        yield database


def _copy(status: str, port_date: str | None, last_updated: str) -> PortInRequest:
    number = {
        "phone_number": "+15555550106",
        "number_sid": PN,
        "port_in_phone_number_status": status,
        "port_date": port_date,
        "last_updated": last_updated,
    }
    return PortInRequest.model_validate(
        {"port_in_request_sid": SID, "status": "in_progress", "phone_numbers": [number]}
    )


async def _apply(db: Database, copy: PortInRequest) -> list[str]:
    async with db.session() as s:
        update, _ = await apply_in(s, copy, NOW)
        await s.commit()
    return [c.new.value for c in update.number_changes]


async def test_times_without_an_offset_are_utc(db: Database) -> None:
    assert await _apply(db, _copy("port_pending", None, "2026-12-01T09:00:00")) == []
    pending = _copy("port_pending", "2026-12-03T00:00:00", "2026-12-01T10:00:00")
    assert await _apply(db, pending) == ["port_pending"], "the port date is news"
    again = _copy("port_pending", "2026-12-03T00:00:00", "2026-12-01T10:00:00")
    assert await _apply(db, again) == [], "the same port date read again is not"
    older = _copy("port_rejected", "2026-12-03T00:00:00", "2026-12-01T09:30:00")
    assert await _apply(db, older) == [], "an older read does not overwrite a newer one"
    assert older.phone_numbers[0].raw_status == "port_pending", "and ours is shown"
