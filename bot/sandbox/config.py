"""Sandbox settings: credentials, pace and clock speed, stage timings, faults and webhook modes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Any well-formed AC SID works; these are easy to recognise in logs and screenshots.
SANDBOX_ACCOUNT_SID = "AC" + "5a" * 16
SANDBOX_AUTH_TOKEN = "sandbox-auth-token"
# A "sibling subaccount" the sandbox pretends also belongs to the customer (reason 22136).
SANDBOX_SUBACCOUNT_SID = "AC" + "5b" * 16
# An account the sandbox credentials may NOT act on: TargetAccountSid / account_sid → 20003.
SANDBOX_FOREIGN_ACCOUNT_SID = "AC" + "f" * 32

TWILIO_API_BASE = "https://numbers.twilio.com"
TWILIO_UPLOAD_BASE = "https://numbers-upload.twilio.com"

# 2 weeks of simulated time in 3 real minutes: 14 * 86400 / 180.
DEFAULT_SPEED = 6720.0


class Timings(BaseModel):
    """Simulated durations of each stage (porting-operations.md §4.1), before speed-up."""

    model_config = ConfigDict(frozen=True)

    # Twilio's own review ("In Review"): hours, up to ~1 business day.
    review: timedelta = timedelta(hours=4)
    # When auto_sign_loa is on: the representative signs this long after the LOA e-mail.
    auto_sign_after: timedelta = timedelta(hours=6)
    # Losing carrier answers (accept with an FOC date, or reject) after submission: 24-72 h.
    carrier_response: timedelta = timedelta(hours=36)
    # Numbers of one request get answered a little apart (× last digit of the number).
    carrier_response_stagger: timedelta = timedelta(minutes=10)
    # Without a target date the carrier offers an FOC this many days after submission.
    default_foc_lead: timedelta = timedelta(days=7)
    # FOC can never be sooner than this after the carrier's answer.
    min_foc_after_response: timedelta = timedelta(days=1)
    # A late cancel (number already port_pending) sits in "canceling" this long.
    cancel_delay: timedelta = timedelta(days=1)

    @classmethod
    def person(cls) -> Timings:
        """Person pace: each step a few seconds to a minute after the last, so a person can
        watch it (and press Sign LOA before the LOA signs itself); port dates stay real dates
        (a week out), reached by fast-forwarding the request."""
        return cls(
            review=timedelta(seconds=5),
            auto_sign_after=timedelta(minutes=2),
            carrier_response=timedelta(seconds=15),
            carrier_response_stagger=timedelta(seconds=2),
            cancel_delay=timedelta(seconds=20),
        )


class SandboxConfig(BaseModel):
    """Everything that changes how the sandbox behaves. Defaults suit a product demo."""

    model_config = ConfigDict(validate_assignment=True)

    account_sid: str = Field(default=SANDBOX_ACCOUNT_SID, pattern=r"^AC[0-9a-fA-F]{32}$")
    auth_token: str = SANDBOX_AUTH_TOKEN
    # Optional API key pair (username SK…, password = secret), as Twilio recommends.
    api_key_sid: str | None = Field(default=None, pattern=r"^SK[0-9a-fA-F]{32}$")
    api_key_secret: str | None = None

    # "clock": simulated time, stepped by tests or (``start``) run at ``speed``. "person": the
    # calendar is the real one, stages take ``timings`` (``Timings.person()``) of real time,
    # and the panel's Next step / fast-forward run a step early without moving the calendar.
    pace: Literal["clock", "person"] = "clock"
    # Fast clock: simulated seconds per real second, used only while the ticker runs.
    speed: float = Field(default=DEFAULT_SPEED, gt=0)
    tick_interval_seconds: float = Field(default=0.25, gt=0)
    # Simulated start time; None → real "now" (so "today + 7 days" means something to users).
    start_time: datetime | None = None
    # Seeds SIDs and the webhook RNG; None → random SIDs (safe across restarts).
    seed: int | None = None

    timings: Timings = Timings()
    loa_expiry_days: int = Field(default=30, ge=1)
    auto_sign_loa: bool = True
    min_target_days: int = 7

    # Where humans reach this app (signature_request_url points at its LOA page).
    public_url: str = "http://localhost:8000"
    # Hosts echoed in resource "url" fields, as Twilio does.
    api_base_url: str = TWILIO_API_BASE
    upload_base_url: str = TWILIO_UPLOAD_BASE

    # Reference §1: not-portable results come back as 200 (spec example) or 400 (docs text).
    not_portable_status_code: Literal[200, 400] = 200

    # Faults.
    latency_seconds: float = Field(default=0.0, ge=0)
    max_concurrent_calls: int | None = Field(default=None, ge=1)
    retry_after_seconds: int = Field(default=1, ge=0)
    fail_next_calls: int = Field(default=0, ge=0)
    fail_status: int = 500

    # Webhook delivery. ``webhook_targets``: the only URLs a webhook configuration may name
    # (a bot's own sandbox: its own webhook route); None: any http(s) URL.
    webhook_targets: tuple[str, ...] | None = None
    webhook_timeout_seconds: float = 10.0
    webhook_max_attempts: int = Field(default=3, ge=1)
    webhook_retry_backoff_seconds: float = Field(default=1.0, ge=0)
    webhook_duplicate_probability: float = Field(default=0.0, ge=0, le=1)
    webhook_out_of_order_probability: float = Field(default=0.0, ge=0, le=1)
    webhook_seed: int = 0

    max_document_bytes: int = 10 * 1024 * 1024
    # Bounded logs so a long-running demo sandbox does not grow without limit.
    max_log_entries: int = 10_000
