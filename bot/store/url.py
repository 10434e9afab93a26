"""DATABASE_URL, read once: which database it names and how each part of the bot reaches it.

The same database is written several ways: Heroku and most PaaS set ``postgres://``,
SQLAlchemy's documentation says ``postgresql://`` or ``postgresql+asyncpg://``, and SQLite
comes as ``sqlite:///./relative.db``, ``sqlite:////absolute.db`` or ``sqlite+aiosqlite:///…``.
:meth:`DatabaseUrl.parse` is the one place that reads the string; the engine
(:mod:`bot.store.db`), the webhook receipt writer (:mod:`bot.store.receipts`, straight through
asyncpg or sqlite3), the migrations (:mod:`bot.store.migrations.env`) and the channel pace
(:mod:`bot.store.pace`) all take the parsed value, so none of them can accept a spelling that
another refuses.

PostgreSQL connections, the engine's included, are opened by asyncpg from one libpq-style DSN
(:attr:`DatabaseUrl.dsn`), so query parameters such as ``?sslmode=require`` (which many hosts
add) mean the same to every connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import Invalid

Backend = Literal["sqlite", "postgresql"]

# Every scheme accepted, and the backend it names. The bot always connects with its own
# drivers (asyncpg, aiosqlite/sqlite3); a driver suffix is only accepted when it is one of them.
SCHEMES: dict[str, Backend] = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "postgres+asyncpg": "postgresql",
    "postgresql+asyncpg": "postgresql",
    "sqlite": "sqlite",
    "sqlite+aiosqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
}
_ENGINE_DRIVERS: dict[Backend, str] = {
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}
EXAMPLES = "e.g. sqlite:///./porting.db or postgresql://user:password@host:5432/dbname"


class DatabaseUrlError(Invalid):
    """DATABASE_URL cannot be used; the message names it and says what to write instead."""


@dataclass(frozen=True)
class DatabaseUrl:
    backend: Backend
    url: URL  # as written, with the scheme reduced to the backend's plain name

    @classmethod
    def parse(cls, value: str | DatabaseUrl) -> DatabaseUrl:
        """Read DATABASE_URL; raise DatabaseUrlError naming it and the fix."""
        if isinstance(value, DatabaseUrl):
            return value
        if not value.strip():
            raise DatabaseUrlError(
                "DATABASE_URL is empty: unset it for the default SQLite file, or set it, "
                f"{EXAMPLES}."
            )
        try:
            url = make_url(value.strip())
        except ArgumentError:
            # Not echoed: a half-typed URL may hold a password.
            raise DatabaseUrlError(
                f"DATABASE_URL is not a database URL: write it as scheme://…, {EXAMPLES}."
            ) from None
        scheme = url.drivername.lower()
        backend = SCHEMES.get(scheme)
        if backend is None:
            name, _, driver = scheme.partition("+")
            if SCHEMES.get(name) is not None:
                raise DatabaseUrlError(
                    f"DATABASE_URL: the bot connects with its own driver, not {driver!r}: "
                    f"write {name}://… instead of {scheme}://…"
                )
            raise DatabaseUrlError(
                f"DATABASE_URL: unsupported database {name!r}; use sqlite or postgresql, "
                f"{EXAMPLES}."
            )
        return cls(backend, url.set(drivername=backend))

    # -- what the parts of the bot need -----------------------------------------------------

    @property
    def shared_by_processes(self) -> bool:
        """Several bot processes can share it (PostgreSQL; SQLite serves one process)."""
        return self.backend == "postgresql"

    @property
    def in_memory(self) -> bool:
        return self.backend == "sqlite" and self.url.database in (None, "", ":memory:")

    @property
    def sqlite_path(self) -> str:
        """The SQLite file (relative paths are relative to the working directory)."""
        if self.backend != "sqlite" or self.in_memory:
            raise ValueError(f"{self} is not an SQLite file")
        assert self.url.database is not None
        return self.url.database

    @property
    def dsn(self) -> str:
        """The libpq-style DSN asyncpg connects with (password and query included)."""
        if self.backend != "postgresql":
            raise ValueError(f"{self} is not a PostgreSQL database")
        return self.url.render_as_string(hide_password=False)

    @property
    def engine_url(self) -> URL:
        """The URL for SQLAlchemy's async engine. For PostgreSQL it only picks the dialect:
        the engine's connections come from :attr:`dsn` (see :func:`bot.store.db.create_engine`),
        so the query (libpq parameters such as sslmode, which SQLAlchemy would pass to asyncpg
        as unknown keyword arguments) is left out."""
        url = self.url.set(drivername=_ENGINE_DRIVERS[self.backend])
        return url.set(query={}) if self.backend == "postgresql" else url

    def require_file(self) -> DatabaseUrl:
        """Itself, unless it is an in-memory SQLite database, which the bot's several
        connections (the engine's and the webhook writer's) cannot share."""
        if self.in_memory:
            raise DatabaseUrlError(
                "DATABASE_URL: an in-memory SQLite database cannot be shared by the bot's "
                "connections; use a file, e.g. sqlite:///./porting.db"
            )
        return self

    def __str__(self) -> str:
        return self.url.render_as_string(hide_password=True)
