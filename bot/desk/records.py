"""What the store keeps, as the rest of the bot sees it: small frozen records.

The desk converts its rows to these where it hands them out, so the Slack side (above all the
pure Block Kit builders) never holds a table row. The ``of`` constructors take anything shaped
like the row (``bot.store.models``) without importing the store: this module, like
``bot.desk.types``, imports nothing of ``bot.store``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class _ThreadRow(Protocol):
    @property
    def channel_id(self) -> str: ...
    @property
    def thread_ts(self) -> str: ...


@dataclass(frozen=True)
class Thread:
    """Where a request's Slack thread lives (its root message is the status board)."""

    channel_id: str
    thread_ts: str

    @classmethod
    def of(cls, row: _ThreadRow | None) -> Thread | None:
        return None if row is None else cls(row.channel_id, row.thread_ts)


class _ClaimRow(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def request_sid(self) -> str | None: ...
    @property
    def updated_at(self) -> datetime: ...


@dataclass(frozen=True)
class ActionHolder:
    """Who holds (or finished) a claim on a filing or a cancel, so a second try can say who
    got there first."""

    key: str
    action: str  # port_in.file | request.canceled | numbers.canceled
    user_id: str
    status: str  # in_progress | done
    request_sid: str | None
    updated_at: datetime

    @classmethod
    def of(cls, row: _ClaimRow) -> ActionHolder:
        return cls(row.key, row.action, row.user_id, row.status, row.request_sid, row.updated_at)

    @classmethod
    def maybe(cls, row: _ClaimRow | None) -> ActionHolder | None:
        return None if row is None else cls.of(row)


class _AuditRow(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def user_id(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def numbers(self) -> str: ...  # JSON list of E.164 numbers
    @property
    def outcome(self) -> str: ...
    @property
    def detail(self) -> str | None: ...


@dataclass(frozen=True)
class AuditRecord:
    """One line of a request's history: who filed or canceled what, when, how it ended."""

    at: datetime
    user_id: str
    action: str  # port_in.filed | port_in.refiled | request.canceled | numbers.canceled
    outcome: str  # ok | partial | refused | failed
    numbers: tuple[str, ...] = ()
    detail: str | None = None  # never holds a PIN or an account number
    id: int | None = None  # the audit entry's, for telling lines apart

    @classmethod
    def of(cls, row: _AuditRow) -> AuditRecord:
        numbers = tuple(json.loads(row.numbers or "[]"))
        return cls(row.at, row.user_id, row.action, row.outcome, numbers, row.detail, row.id)
