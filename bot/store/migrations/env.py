"""Alembic environment: runs on a connection the bot hands over (``bot.store.db.migrate``), or
opens the async engine for DATABASE_URL itself (``alembic upgrade head`` on the command line)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from bot.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    from bot.settings import Settings
    from bot.store.db import create_engine
    from bot.store.url import DatabaseUrl, DatabaseUrlError

    try:
        url = DatabaseUrl.parse(config.get_main_option("sqlalchemy.url") or Settings().database_url)
    except DatabaseUrlError as error:
        raise SystemExit(f"porting-bot: {error}") from None
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
connection = config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(run_from_settings())
