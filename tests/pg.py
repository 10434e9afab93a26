"""PostgreSQL for tests: a fresh database per test when a server answers, else a skip."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from bot.store.db import Database, migrate

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def reachable() -> bool:
    if "TEST_POSTGRES_URL" in os.environ:
        return True
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """The URL of a new, empty database (dropped afterwards); skips without PostgreSQL."""
    if not reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (set TEST_POSTGRES_URL)")
    name = f"bot_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A new, empty database of ``backend`` ("sqlite": a file under ``tmp_path``;
    "postgresql": :func:`fresh_database`, so skipped without a server)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/{backend}.db"
        return
    async with fresh_database() as url:
        yield url


@asynccontextmanager
async def migrated_database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """:func:`database_url`'s database, migrated to the latest schema, closed afterwards."""
    async with database_url(backend, tmp_path) as url:
        database = Database.from_url(url)
        try:
            await migrate(database.engine)
            yield database
        finally:
            await database.close()
