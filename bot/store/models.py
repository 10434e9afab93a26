"""Tables: request → Slack thread, latest known request and number state, webhook receipts,
the sync schedule (when each request is next fetched from Twilio) and the Slack outbox.

Nothing secret is stored here: no PINs, no account numbers, no bill contents.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime

CODE_MAX = 64  # a rejection code as Twilio wrote it


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=False)


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
    status: str = Field(max_length=32, index=True)
    customer_name: str | None = None
    target_date: date | None = None
    number_count: int = 0
    filed_by: str | None = Field(default=None, max_length=32, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Twilio's own timestamps, so deadlines hold for a request the bot first saw late:
    # ``date_created``, and when the request entered its current status (the webhook's
    # ``last_date_updated``, else the numbers' ``status_last_time_updated_timestamp``, else
    # ``date_created``; ``bot.desk.schedule.status_changed_at``). None: not recorded yet.
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the bot last read the request from Twilio (changed or not): how fresh listings are.
    synced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Twilio's ``suggested_action`` from the request list (discovery), for the status the
    # request is in; cleared when the status moves (the board shows it).
    suggested_action: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The PortIn resource without its numbers (secrets already dropped, and the LOA's
    # signing link, which is fetched fresh when its filer asks), so status boards can be
    # drawn from the database when the outbox delivers them, without calling Twilio.
    request_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # What the bot filed (JSON PortInDetails: never a PIN or an account number; the bill as
    # the Twilio documents it went up as), so a rejection can be re-filed prefilled.
    filed_details: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The request this one re-files (its rejected numbers were canceled there first).
    refile_of: str | None = Field(default=None, max_length=34, index=True)
    # The go-live profile its numbers get as they port in (``bot.desk.profiles``; "none":
    # left as Twilio delivers them). None: not chosen (a request filed elsewhere): none.
    golive_profile: str | None = Field(default=None, max_length=40)


class NumberState(SQLModel, table=True):
    """The latest known state of one number in a request."""

    __tablename__ = "number_state"

    number_sid: str = Field(primary_key=True, max_length=34)
    request_sid: str = Field(index=True, max_length=34)
    phone_number: str = Field(max_length=20, index=True)  # "which request holds this number?"
    status: str = Field(max_length=32)
    port_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejection_reason: str | None = None
    # As Twilio wrote it: a string inside PortIn.phone_numbers (the spec), not always numeric.
    rejection_reason_code: str | None = Field(default=None, max_length=CODE_MAX)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Twilio's own timestamp of the number's last change: a same-rank flip (pending ↔
    # rejected) from an older read must not overwrite a newer one.
    twilio_updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookReceipt(SQLModel, table=True):
    """Every verified webhook delivery; ``dedupe_key`` makes a redelivery a no-op."""

    __tablename__ = "webhook_receipt"

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=64)
    # Not indexed: receipts are never read by request (migration 0011).
    request_sid: str = Field(max_length=34)
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


class RequestSync(SQLModel, table=True):
    """When a request is next fetched from Twilio and applied, and which process holds it.

    A webhook pulls ``due_at`` in (plus a short window, so a burst of per-number events is
    applied once); the reconciler pushes it out by the poll interval after each fetch. The
    lease keeps two processes from polling one request at once.
    """

    __tablename__ = "request_sync"

    request_sid: str = Field(primary_key=True, max_length=34)
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    # The latest webhook for the request: one arriving while a fetch is in flight may carry news
    # that fetch missed, so the next fetch stays soon instead of a poll interval away.
    nudged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = 0
    last_error: str | None = Field(default=None, max_length=300)


class OutboxItem(SQLModel, table=True):
    """One piece of Slack work (root, reply, file, board edit), written in the same transaction
    as the change that causes it and delivered by the outbox worker.

    ``key`` makes enqueueing idempotent and is stamped on the Slack message (metadata or file
    name), so an attempt whose outcome was lost can be found instead of posted twice.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "request_sid", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=128)
    request_sid: str = Field(max_length=34)
    kind: str = Field(max_length=16)  # bot.work.Work.kind
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending | done
    attempts: int = 0
    # True while an attempt may have reached Slack without us learning the outcome.
    maybe_sent: bool = False
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=300)
    result: str | None = Field(default=None, max_length=64)  # message ts or file id
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """Who filed or canceled what, when, and how it ended (every attempt, refused ones too)."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    user_id: str = Field(max_length=32)
    # port_in.filed | port_in.refiled (on the old request) | request.canceled | numbers.canceled
    action: str = Field(max_length=32)
    request_sid: str | None = Field(default=None, index=True, max_length=34)
    sids: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON: RD/PU SIDs
    numbers: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON: E.164
    outcome: str = Field(max_length=16)  # ok | partial | refused | failed
    detail: str | None = Field(default=None, max_length=500)  # never holds a PIN/account number


class ActionClaim(SQLModel, table=True):
    """A claim on one mutating action: the unique key turns a double click, a replayed form or
    a second person's simultaneous click into a no-op that can say who got there first."""

    __tablename__ = "action_claim"

    key: str = Field(primary_key=True, max_length=128)
    action: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    status: str = Field(default="in_progress", max_length=16)  # in_progress | done
    request_sid: str | None = Field(default=None, max_length=34)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class PortInDraft(SQLModel, table=True):
    """A /port-in form between its steps: the details people typed (never a PIN or an account
    number) and the portability re-check. Deleted once the request is filed."""

    __tablename__ = "port_in_draft"

    id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(max_length=32)
    details: str = Field(sa_column=Column(Text, nullable=False))  # JSON PortInDetails
    checks: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Set when the form re-files rejected numbers of this request (canceled there first).
    refile_of: str | None = Field(default=None, max_length=34)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ChannelPace(SQLModel, table=True):
    """When a Slack channel's next write may start, shared by every bot process on one
    PostgreSQL so that together they keep to Slack's per-channel limit (``bot.store.pace``)."""

    __tablename__ = "channel_pace"

    channel_id: str = Field(primary_key=True, max_length=32)
    next_at: datetime = Field(sa_column=_ts())


class ManualPortRow(SQLModel, table=True):
    """A manual port (numbers the Porting API cannot file: a support request to Twilio,
    ``bot.desk.manual.types``), moved step by step by people. Its thread lives in
    ``request_thread`` under its id, like a request's; its audit in ``audit_entry``.

    ``details`` is the form's JSON (names, numbers, addresses, carrier, the Slack files of its
    documents): nothing secret, no PIN, no account number, no document contents."""

    __tablename__ = "manual_port"

    id: str = Field(primary_key=True, max_length=34)
    step: str = Field(max_length=16, index=True)
    country: str = Field(max_length=8)
    customer_name: str = Field(max_length=200)
    number_count: int = 0
    channel_id: str = Field(max_length=32)
    filed_by: str = Field(max_length=32, index=True)
    details: str = Field(sa_column=Column(Text, nullable=False))
    # Bumped by every change: a button or form drawn on an older version is refused.
    version: int = 1
    ticket: str | None = Field(default=None, max_length=64)
    quote: str | None = Field(default=None, max_length=64)
    quote_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    quote_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approval_due: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    port_date: date | None = None
    rejection: str | None = Field(default=None, max_length=16)
    rejection_note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    step_changed_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ManualPortNumber(SQLModel, table=True):
    """The numbers of a manual port, so "which port holds this number?" is one lookup."""

    __tablename__ = "manual_port_number"

    manual_id: str = Field(primary_key=True, max_length=34)
    phone_number: str = Field(primary_key=True, max_length=20, index=True)


class NumberLive(SQLModel, table=True):
    """A ported number's go-live: found in the account and set up by its request's profile
    (``bot.desk.golive``). ``reported``: its outcome is said in the thread (or queued to be)."""

    __tablename__ = "number_live"

    phone_number: str = Field(primary_key=True, max_length=20)
    request_sid: str = Field(max_length=34, index=True)
    number_sid: str | None = Field(default=None, max_length=34)  # the account's PN…
    profile: str = Field(max_length=40)
    state: str = Field(default="waiting", max_length=16)  # bot.desk.golive.LiveState
    error_code: int | None = None
    detail: str | None = Field(default=None, max_length=500)  # Twilio's message, never secret
    first_tried_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    reported: bool = False


class GoLiveRun(SQLModel, table=True):
    """When a request's waiting numbers are next set up, and which process holds the run: one
    process applies a request's profile at a time, and one reply says each batch."""

    __tablename__ = "golive_run"

    request_sid: str = Field(primary_key=True, max_length=34)
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    batch: int = 0  # replies said so far (each batch's reply is keyed by its number)
    # Go live was pressed: look at every number again, not only the waiting ones.
    recheck: bool = False


class AccountNumber(SQLModel, table=True):
    """A number the account held at a sweep (``bot.desk.inventory``). ``gone_at``: a later
    sweep (or a port-out webhook) no longer found it; it stays on the desk's agenda until
    someone acknowledges it (who, when and why)."""

    __tablename__ = "account_number"

    phone_number: str = Field(primary_key=True, max_length=20)
    number_sid: str | None = Field(default=None, max_length=34)
    first_seen_at: datetime = Field(sa_column=_ts())
    last_seen_at: datetime = Field(sa_column=_ts())  # the last sweep that found it
    gone_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    request_sid: str | None = Field(default=None, max_length=34)  # the bot's port, if any
    acknowledged_by: str | None = Field(default=None, max_length=32)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_why: str | None = Field(default=None, max_length=500)


class WorkerLease(SQLModel, table=True):
    """A periodic job all processes share (the inventory sweep): who runs it now, until when,
    and when it last finished, so it runs once per interval however many processes look."""

    __tablename__ = "worker_lease"

    name: str = Field(primary_key=True, max_length=32)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
