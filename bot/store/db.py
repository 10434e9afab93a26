"""Async engine and sessions for SQLite (default, WAL) and PostgreSQL, from one DATABASE_URL;
schema migrations (Alembic) applied on start or by ``python -m bot migrate``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import PortingBotError
from bot.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.store.url import DatabaseUrl


def create_engine(url: str | DatabaseUrl) -> AsyncEngine:
    url = DatabaseUrl.parse(url)
    if url.backend == "sqlite":
        engine = create_async_engine(url.engine_url, connect_args={"timeout": 30})
        in_memory = url.in_memory

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    dsn = url.dsn  # asyncpg reads it as the webhook writer does, query parameters included

    def connect() -> Awaitable[asyncpg.Connection]:
        connection: Awaitable[asyncpg.Connection] = asyncpg.connect(dsn)
        return connection

    return create_async_engine(
        url.engine_url, async_creator=connect, pool_size=10, max_overflow=10, pool_pre_ping=True
    )


log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
# The schema that existed before Alembic: databases made by create_all are stamped with it.
BASELINE = "0001"
# Any constant works; it only has to be the same for every bot process (PostgreSQL only).
_MIGRATION_LOCK = 7_346_001


class SchemaError(PortingBotError):
    """The database schema is not the one this code expects."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _upgrade(connection: Connection) -> str | None:
    if connection.dialect.name == "postgresql":
        # Several processes may start at once; one migrates, the others wait and find head.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    before = MigrationContext.configure(connection).get_current_revision()
    config = alembic_config(connection)
    if before is None and inspect(connection).has_table("request_state"):
        command.stamp(config, BASELINE)  # made by create_all before migrations existed
        before = BASELINE
    command.upgrade(config, "head")
    return before


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the latest revision (idempotent, safe to run from every process)."""
    async with engine.begin() as conn:
        before = await conn.run_sync(_upgrade)
    head = head_revision()
    if before != head:
        log.info("database schema migrated from %s to %s", before or "empty", head)


async def check_schema(engine: AsyncEngine) -> None:
    """Raise SchemaError unless the database is at the latest revision."""
    async with engine.connect() as conn:
        current = await conn.run_sync(
            lambda c: MigrationContext.configure(c).get_current_revision()
        )
    if current != head_revision():
        raise SchemaError(
            f"The database schema is at {current or 'nothing'}, this bot needs "
            f"{head_revision()}: run `python -m bot migrate` first."
        )


async def create_tables(engine: AsyncEngine) -> None:
    """The tables straight from the models, without migrations (storage unit tests only)."""
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)


def table(name: str) -> Table:
    """A table of the models, for statements written against its columns."""
    return SQLModel.metadata.tables[name]


def upsert(dialect: str, into: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that takes ``ON CONFLICT`` clauses, for the dialect (by name) in use."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(into)


def session_upsert(session: AsyncSession, into: Table) -> postgresql.Insert | sqlite.Insert:
    """:func:`upsert` for the database ``session`` talks to."""
    return upsert(session.get_bind().dialect.name, into)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


class Database:
    """Owns the engine and hands out sessions (``async with db.session() as s``)."""

    def __init__(self, engine: AsyncEngine, url: DatabaseUrl | None = None) -> None:
        self.engine = engine
        self.url = url or DatabaseUrl.parse(engine.url.render_as_string(hide_password=False))
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str | DatabaseUrl) -> Database:
        """A database from DATABASE_URL (any spelling :class:`DatabaseUrl` accepts); raises
        DatabaseUrlError for one it does not."""
        url = DatabaseUrl.parse(url)
        return cls(create_engine(url), url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def close(self) -> None:
        await self.engine.dispose()
