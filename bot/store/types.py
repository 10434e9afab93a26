"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A moment, always read back as an aware UTC datetime.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones and keeps the UTC wall time as
    text (so rows still sort by time). Aware values are converted to UTC before they are
    stored; a naive one is taken to be UTC already, as everything the bot writes is.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def as_utc(value: datetime) -> datetime:
    tz = value.tzinfo
    if tz is None:
        return value.replace(tzinfo=UTC)
    return value if tz is UTC else value.astimezone(UTC)
