"""Tables: request → Slack thread, latest known request and number state, webhook receipts.

Nothing secret is stored here: no PINs, no account numbers, no bill contents.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts() -> Column:
    return Column(DateTime(timezone=True), nullable=False)


class RequestThread(SQLModel, table=True):
    """Where a port-in request's Slack thread lives. ``thread_ts`` is a string, always."""

    __tablename__ = "request_thread"

    request_sid: str = Field(primary_key=True, max_length=34)
    channel_id: str = Field(max_length=32)
    thread_ts: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class RequestState(SQLModel, table=True):
    """The latest known state of a port-in request (from Twilio, via webhooks or fetches)."""

    __tablename__ = "request_state"

    request_sid: str = Field(primary_key=True, max_length=34)
    status: str = Field(max_length=32)
    customer_name: str | None = None
    target_date: date | None = None
    number_count: int = 0
    filed_by: str | None = Field(default=None, max_length=32)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class NumberState(SQLModel, table=True):
    """The latest known state of one number in a request."""

    __tablename__ = "number_state"

    number_sid: str = Field(primary_key=True, max_length=34)
    request_sid: str = Field(index=True, max_length=34)
    phone_number: str = Field(max_length=20)
    status: str = Field(max_length=32)
    port_date: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    rejection_reason: str | None = None
    rejection_reason_code: int | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class WebhookReceipt(SQLModel, table=True):
    """Every verified webhook delivery; ``dedupe_key`` makes a redelivery a no-op."""

    __tablename__ = "webhook_receipt"

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=64)
    request_sid: str = Field(index=True, max_length=34)
    event: str | None = Field(default=None, max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    outcome: str = Field(default="received", max_length=16)
    received_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class CheckRun(SQLModel, table=True):
    """A /port-check result kept so its owner can share it later (no secrets inside)."""

    __tablename__ = "check_run"

    id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(max_length=32)
    channel_id: str | None = Field(default=None, max_length=32)
    results: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of CheckResult
    invalid: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
