"""DATABASE_URL: every spelling people write (Heroku's ``postgres://`` included) starts the real
``python -m bot`` and stores webhooks; a URL it cannot use stops start-up with one line."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.porting.signature import sign_json
from bot.sandbox import SANDBOX_AUTH_TOKEN
from bot.store.db import Database, check_schema, create_engine
from bot.store.pace import SharedPace, shared_pace
from bot.store.receipts import PostgresReceipts, SqliteReceipts, receipt_writer
from bot.store.url import DatabaseUrl, DatabaseUrlError
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET
from tests.pg import fresh_database
from tests.procs import child_env, free_port, run_bot, sandboxed_env, serving_bot

POSTGRES_SPELLINGS = [
    "postgres://",  # Heroku and most PaaS
    "postgresql://",
    "postgresql+asyncpg://",
]


# -- one parser ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", [*POSTGRES_SPELLINGS, "postgres+asyncpg://"])
def test_every_postgresql_spelling_is_one_database(scheme: str) -> None:
    url = DatabaseUrl.parse(f"{scheme}bot:p%40ss@db.example.com:6543/porting?sslmode=require")
    assert url.backend == "postgresql" and url.shared_by_processes
    assert url.dsn == "postgresql://bot:p%40ss@db.example.com:6543/porting?sslmode=require"
    assert url.engine_url.drivername == "postgresql+asyncpg"
    assert url.engine_url.password == "p@ss" and not url.engine_url.query
    assert "p%40ss" not in str(url) and "p@ss" not in str(url), "the password is never shown"


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("sqlite:///./porting.db", "./porting.db"),
        ("sqlite:///porting.db", "porting.db"),
        ("sqlite:////var/lib/bot/porting.db", "/var/lib/bot/porting.db"),
        ("sqlite+aiosqlite:///./porting.db", "./porting.db"),
        ("sqlite+pysqlite:////var/lib/bot/porting.db", "/var/lib/bot/porting.db"),
    ],
)
def test_every_sqlite_spelling_is_one_file(written: str, path: str) -> None:
    url = DatabaseUrl.parse(written)
    assert (url.backend, url.sqlite_path, url.in_memory) == ("sqlite", path, False)
    assert not url.shared_by_processes
    assert url.engine_url.drivername == "sqlite+aiosqlite" and url.engine_url.database == path


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("mysql://root@localhost/bot", "unsupported database 'mysql'"),
        ("postgresql+psycopg2://u@h/db", "write postgresql://… instead of postgresql+psycopg2"),
        ("db.example.com:5432/porting", "not a database URL"),
        ("  ", "DATABASE_URL is empty"),
    ],
)
def test_a_url_the_bot_cannot_use_is_named_with_the_fix(written: str, says: str) -> None:
    with pytest.raises(DatabaseUrlError, match=re.escape(says)) as refused:
        DatabaseUrl.parse(written)
    assert str(refused.value).startswith("DATABASE_URL")


@pytest.mark.parametrize("scheme", POSTGRES_SPELLINGS)
async def test_engine_receipts_and_pace_take_the_same_parsed_url(scheme: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    written = f"{scheme}bot@db.example.com/porting"
    db = Database.from_url(written)
    writer = receipt_writer(written)
    try:
        assert db.url == DatabaseUrl.parse(written)
        assert db.engine.dialect.name == "postgresql"
        assert isinstance(writer, PostgresReceipts)
        assert isinstance(shared_pace(db), SharedPace)
    finally:
        await writer.close()
        await db.close()
    sqlite = Database.from_url(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    local = receipt_writer(sqlite.url)
    try:
        assert isinstance(local, SqliteReceipts) and shared_pace(sqlite) is None
    finally:
        await local.close()
        await sqlite.close()


async def test_libpq_query_parameters_reach_every_postgresql_connection() -> None:
    """Hosts add ``?sslmode=require``; SQLAlchemy would hand it to asyncpg as an unknown
    keyword argument. The engine connects from the same DSN as the webhook writer."""
    async with fresh_database() as url:
        engine = create_engine(url.replace("postgresql://", "postgres://") + "?sslmode=disable")
        try:
            async with engine.connect() as conn:
                assert (await conn.exec_driver_sql("SELECT 1")).scalar() == 1
        finally:
            await engine.dispose()


# -- through python -m bot ----------------------------------------------------------------


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def _env(slack: FakeSlack, database_url: str) -> dict[str, str]:
    return child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url,
        PORTING_SANDBOX="true",
        PORTING_CHANNEL="CSTART",
        PORT=str(free_port()),
        LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        PORTING_ADMINS="*",
        TWILIO_AUTH_TOKEN=SANDBOX_AUTH_TOKEN,  # the sandbox's, chosen here to sign with
    )


async def _starts_and_stores_webhooks(slack: FakeSlack, database_url: str, cwd: Path) -> None:
    async with serving_bot(_env(slack, database_url), cwd) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            ready = (await http.get("/readyz")).json()
            assert ready["ok"] is True and ready["database"] == "ok"
            body = json.dumps(
                {
                    "port_in_request_sid": "KW" + "d" * 32,
                    "status": "PortInInProgress",
                    "last_date_updated": "2026-11-03T10:00:00.000Z",
                }
            ).encode()
            url, signature = sign_json(SANDBOX_AUTH_TOKEN, f"{base}/twilio/porting", body)
            headers = {"X-Twilio-Signature": signature, "Content-Type": "application/json"}
            first = await http.post(url.removeprefix(base), content=body, headers=headers)
            again = await http.post(url.removeprefix(base), content=body, headers=headers)
    # The webhook writer (its own connection, not the engine's) committed the receipt.
    assert (first.status_code, first.text) == (200, "ok")
    assert (again.status_code, again.text) == (200, "duplicate")


@pytest.mark.parametrize("scheme", [*POSTGRES_SPELLINGS, "postgres+sslmode"])
async def test_python_m_bot_starts_on_every_postgresql_spelling(
    scheme: str, slack: FakeSlack, tmp_path: Path
) -> None:
    async with fresh_database() as url:  # postgresql://postgres@127.0.0.1:5432/bot_…
        if scheme == "postgres+sslmode":
            written = url.replace("postgresql://", "postgres://", 1) + "?sslmode=disable"
        else:
            written = url.replace("postgresql://", scheme, 1)
        await _starts_and_stores_webhooks(slack, written, tmp_path)


@pytest.mark.parametrize("form", ["relative", "aiosqlite-absolute"])
async def test_python_m_bot_starts_on_sqlite(form: str, slack: FakeSlack, tmp_path: Path) -> None:
    if form == "relative":
        await _starts_and_stores_webhooks(slack, "sqlite:///./porting.db", tmp_path)
    else:
        await _starts_and_stores_webhooks(slack, f"sqlite+aiosqlite:///{tmp_path}/abs.db", tmp_path)
    assert (tmp_path / ("porting.db" if form == "relative" else "abs.db")).is_file()


@pytest.mark.parametrize(
    ("command", "written", "says"),
    [
        ("serve", "mysql://root@localhost/bot", "unsupported database 'mysql'"),
        ("serve", "sqlite://", "in-memory SQLite"),
        ("migrate", "mysql://root@localhost/bot", "unsupported database 'mysql'"),
    ],
)
def test_a_bad_database_url_stops_python_m_bot_with_one_line(
    command: str, written: str, says: str, tmp_path: Path
) -> None:
    done = run_bot(command, env=sandboxed_env(DATABASE_URL=written), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("porting-bot: DATABASE_URL") and says in lines[0]


async def test_python_m_bot_migrate_takes_herokus_spelling(tmp_path: Path) -> None:
    async with fresh_database() as url:
        env = child_env(DATABASE_URL=url.replace("postgresql://", "postgres://", 1))
        done = await asyncio.to_thread(run_bot, "migrate", env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        db = Database.from_url(url)
        try:
            await check_schema(db.engine)
        finally:
            await db.close()
