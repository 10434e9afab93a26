"""Storage on SQLite (always) and PostgreSQL (when one answers): same code, same behaviour."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.store import request_state
from bot.store.db import Database, create_tables
from bot.store.models import NumberState, RequestState

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        database = Database.from_url(f"sqlite:///{tmp_path}/store.db")
        await create_tables(database.engine)
        yield database
        await database.close()
        return
    if "TEST_POSTGRES_URL" not in os.environ and not _postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (set TEST_POSTGRES_URL)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database.from_url(PG_URL)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(
        Database.from_url(PG_URL).engine.execution_options(schema_translate_map={None: schema})
    )
    await create_tables(database.engine)
    try:
        yield database
    finally:
        await database.close()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.close()


SID = "KW" + "1" * 32


async def test_thread_is_saved_once_and_ts_stays_a_string(db: Database) -> None:
    assert await request_state.save_thread(db, SID, "C1", "1700000000.000100")
    assert not await request_state.save_thread(db, SID, "C1", "1700000000.000200")
    thread = await request_state.get_thread(db, SID)
    assert thread is not None
    assert thread.thread_ts == "1700000000.000100"


async def test_request_and_numbers_upsert(db: Database) -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    state = RequestState(request_sid=SID, status="in_review", number_count=1, updated_at=now)
    number = NumberState(
        number_sid="PU" + "2" * 32,
        request_sid=SID,
        phone_number="+14155550100",
        status="in_review",
        updated_at=now,
    )
    await request_state.save_request(db, state, [number])
    number.status = "port_pending"
    number.port_date = datetime(2026, 12, 3, tzinfo=UTC)
    state.status = "in_progress"
    await request_state.save_request(db, state, [number])
    stored, numbers = await request_state.load_request(db, SID)
    assert stored is not None and stored.status == "in_progress"
    assert [(n.status, n.port_date.date().isoformat()) for n in numbers] == [
        ("port_pending", "2026-12-03")
    ]
    assert await request_state.active_request_sids(db) == [SID]
