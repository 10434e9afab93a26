"""Alembic migrations: the same schema as the models on SQLite and PostgreSQL, databases made
before migrations are adopted, and `python -m bot migrate` runs them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from bot.store.db import (
    BASELINE,
    Database,
    SchemaError,
    alembic_config,
    check_schema,
    head_revision,
    migrate,
)
from tests.pg import fresh_database

ROOT = Path(__file__).resolve().parents[2]


async def _differences(db: Database) -> list:
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), SQLModel.metadata)
        )


async def _check(url: str) -> None:
    db = Database.from_url(url)
    try:
        with pytest.raises(SchemaError):
            await check_schema(db.engine)
        await migrate(db.engine)
        await migrate(db.engine)  # idempotent: every process runs it at start
        await check_schema(db.engine)
        assert await _differences(db) == [], (
            "the models and the migrations disagree: write a migration with "
            "`alembic revision --autogenerate -m '…'`"
        )
    finally:
        await db.close()


async def test_migrations_build_the_models_schema_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    await _check(f"sqlite:///{tmp_path}/m.db")


async def test_migrations_build_the_models_schema_on_postgresql() -> None:
    async with fresh_database() as url:
        await _check(url)


async def test_database_from_before_migrations_is_adopted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database.from_url(f"sqlite:///{tmp_path}/old.db")

    def baseline_without_alembic(connection) -> None:  # type: ignore[no-untyped-def]
        # What create_all made before migrations existed: the baseline tables, no version.
        command.upgrade(alembic_config(connection), BASELINE)
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(
            text(
                "INSERT INTO request_state (request_sid, status, number_count, updated_at) "
                "VALUES ('KW1', 'in_review', 1, '2026-11-01 00:00:00')"
            )
        )

    async with db.engine.begin() as conn:
        await conn.run_sync(baseline_without_alembic)
    await migrate(db.engine)
    async with db.engine.connect() as conn:
        revision = await conn.run_sync(
            lambda c: MigrationContext.configure(c).get_current_revision()
        )
        kept = (await conn.execute(text("SELECT status FROM request_state"))).scalar_one()
        columns = await conn.run_sync(
            lambda c: [col["name"] for col in inspect(c).get_columns("request_state")]
        )
    await db.close()
    assert revision == head_revision()
    assert kept == "in_review" and "request_json" in columns


def test_python_m_bot_migrate(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "SLACK_BOT_TOKEN": "xoxb-test",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert head_revision() in done.stdout
    db = Database.from_url(f"sqlite:///{tmp_path}/cli.db")
    asyncio.run(check_schema(db.engine))
    asyncio.run(db.close())


async def test_0007_scrubs_signing_links_from_stored_requests(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The LOA's signing link is a credential: copies stored before 0007 lose it."""
    db = Database.from_url(f"sqlite:///{tmp_path}/links.db")
    stored = {
        "request_sid": "KW1",
        "signature_request_url": "https://sign.example/KW1?token=s3cr3t",
        "support_ticket_id": 42,
    }

    def at_0006(connection) -> None:  # type: ignore[no-untyped-def]
        command.upgrade(alembic_config(connection), "0006")
        connection.execute(
            text(
                "INSERT INTO request_state (request_sid, status, number_count, updated_at, "
                "request_json) VALUES ('KW1', 'waiting_for_signature', 1, "
                "'2026-11-01 00:00:00', :body)"
            ),
            {"body": json.dumps(stored)},
        )

    async with db.engine.begin() as conn:
        await conn.run_sync(at_0006)
    await migrate(db.engine)
    async with db.engine.connect() as conn:
        body = (await conn.execute(text("SELECT request_json FROM request_state"))).scalar_one()
    await db.close()
    assert "s3cr3t" not in body
    assert json.loads(body) == {"request_sid": "KW1", "support_ticket_id": 42}
