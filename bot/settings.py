"""Settings from the environment and `.env`; every knob has a default or a clear start-up error."""

from __future__ import annotations

import re
import secrets
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.desk.profiles import Profiles, ProfilesError, load_profiles
from bot.errors import PortingBotError
from bot.sandbox.config import DEFAULT_SPEED, SANDBOX_ACCOUNT_SID
from bot.store.url import DatabaseUrl, DatabaseUrlError

EVERYONE = "*"  # PORTING_ADMINS for "every member may file and cancel", said explicitly
_ADMIN_ID = re.compile(r"^[UWS][A-Z0-9]{2,}$")
_SLACK_CREDENTIALS = ("slack_bot_token", "slack_signing_secret", "slack_app_token")
_TWILIO_CREDENTIALS = (
    "twilio_account_sid",
    "twilio_auth_token",
    "twilio_api_key_sid",
    "twilio_api_key_secret",
)
_LOA_DAYS = 30  # Twilio cancels a request whose LOA is not signed within 30 days (seed 001)


class SettingsError(PortingBotError):
    """A missing or contradictory setting; the message names the setting and the fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    # Slack
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str | None = None
    slack_api_url: str | None = None

    # Twilio
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_key_sid: str | None = None
    twilio_api_key_secret: str | None = None
    twilio_numbers_url: str = "https://numbers.twilio.com"
    twilio_upload_url: str = "https://numbers-upload.twilio.com"
    twilio_api_url: str = "https://api.twilio.com"  # IncomingPhoneNumbers (API 2010)
    twilio_messaging_url: str = "https://messaging.twilio.com"  # Messaging Services
    twilio_timeout_seconds: float = 10.0

    # The bot
    porting_sandbox: bool = False
    porting_channel: str | None = None
    public_url: str | None = None
    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'porting.db'}")
    port: int = 3000
    porting_check_concurrency: int = 40
    # The sandbox's fast clock: simulated seconds per real second. Unset: in local mode the
    # sandbox goes at a person's pace (today's calendar, steps seconds apart), else DEFAULT_SPEED.
    porting_sandbox_speed: float | None = Field(default=None, gt=0)
    porting_sandbox_latency_ms: float = 0.0  # injected per-call latency, for realistic demos
    # Every open request is fetched from Twilio this often (webhooks or not), spread out.
    porting_reconcile_seconds: float = 300.0
    # Webhooks for one request this close together become one change set (one thread reply).
    porting_coalesce_seconds: float = 2.0
    # A request's status board is edited at most this often, whatever the event rate.
    porting_board_seconds: float = 5.0
    # Slack allows about one message per second per channel; every write is paced to this.
    slack_channel_write_seconds: float = 1.0
    # Slack work whose process stopped renewing its lease this long ago (it died) is taken over.
    slack_outbox_lease_seconds: float = 120.0
    # Run database migrations when the server starts (off: only check the schema is current).
    migrate_on_start: bool = True
    # Who may file and cancel port-ins: Slack user IDs (U…/W…) and user-group IDs (S…),
    # separated by commas or spaces, or * for everyone. A real deployment must say (local
    # mode: everyone).
    porting_admins: str | None = None
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto uvicorn believes (comma-separated IPs
    # or networks). Only what is believed is the caller's address: "*" would let anyone claim
    # to be 127.0.0.1.
    forwarded_allow_ips: str = "127.0.0.1"
    # The porting desk's day (reminders, the daily digest): its clock and business days.
    porting_timezone: str = "UTC"  # IANA name; working hours 09:00–17:00 there
    porting_loa_remind_days: str = "7,3,1"  # days before the LOA deadline to remind
    porting_stale_days: int = 5  # business days without movement before a nudge
    porting_digest_at: str = "09:00"  # HH:MM local time on business days, or "off"
    # A digest with nothing new since the one before it: "short" (one line saying so) or
    # "skip" (not posted).
    porting_digest_when_quiet: Literal["short", "skip"] = "short"
    # How often each process looks for reminders and digests that fell due (0: never; tests
    # drive the desk's day by hand with their own clock). Exactly once whatever the count.
    porting_desk_day_seconds: float = 30.0
    # Run the desk's day from this moment (ISO 8601, e.g. 2026-11-03T09:05:00Z) instead of
    # now, at real speed: demos of a Monday morning, and tests of several real processes.
    # Unset: the sandbox's clock in sandbox mode, else the system clock.
    porting_desk_clock: AwareDatetime | None = None
    # Go-live profiles (a YAML file, ``bot.desk.profiles``): how arriving numbers are set up.
    # Unset: none (local mode uses the shipped example, examples/profiles.yml).
    porting_profiles: str | None = None
    # A number that completed but is not in the account yet is looked for again this long
    # before it is named as missing.
    porting_golive_retry_seconds: float = 3600.0
    # How often one process sweeps the account's numbers for ones that left (0: never).
    porting_inventory_seconds: float = 900.0
    log_level: str = "INFO"
    log_format: str = "text"  # text | json (one JSON object a line)
    # GET /metrics asks for ``Authorization: Bearer <this>`` when set; open when unset.
    metrics_token: str | None = None

    _local_mode: bool = PrivateAttr(default=False)
    _signs: list[str] = PrivateAttr(default_factory=list)

    @field_validator("public_url", "slack_api_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator("slack_api_url")
    @classmethod
    def _without_api(cls, value: str | None) -> str | None:
        # "https://slack.com/api/" (slack_sdk's base_url, as GovSlack guides give it) and
        # "https://slack.com" both mean the same Web API; the client adds "/api/".
        return value.removesuffix("/api").rstrip("/") if value else value

    @model_validator(mode="after")
    def _local_defaults(self) -> Settings:
        """Nothing configured at all: local mode (the sandbox, and the local workspace in
        place of Slack). Any credential, a DATABASE_URL or PORTING_SANDBOX=false means the
        operator meant a real deployment, so what is missing is refused by :meth:`check`."""
        self._signs = self._deployment_signs()
        if self._signs:
            return self
        from bot.workspace.defaults import (
            LOCAL_DATABASE,
            MOUNT,
            PORTING_CHANNEL,
            bot_token,
            signing_secret,
        )

        self._local_mode = True
        # The workspace and the sandbox start empty each time: so does the database.
        self.database_url = f"sqlite:///{Path.cwd() / LOCAL_DATABASE}"
        self.porting_sandbox = True
        self.slack_bot_token = bot_token()
        self.slack_signing_secret = signing_secret()
        self.slack_api_url = f"http://127.0.0.1:{self.port}{MOUNT}"
        self.porting_channel = self.porting_channel or PORTING_CHANNEL
        if "porting_inventory_seconds" not in self.model_fields_set:
            self.porting_inventory_seconds = 60.0  # a port-away in the panel shows soon
        if self.porting_profiles is None:
            # The shipped example: its Messaging Services are the sandbox's.
            self.porting_profiles = str(Path(__file__).parent / "workspace" / "profiles.yml")
        return self

    @model_validator(mode="after")
    def _sandbox_defaults(self) -> Settings:
        if self.porting_sandbox:
            # Per process and never published: the sandbox's API and the signatures of its
            # webhooks answer to this token only (the SID is a user name, not a secret).
            self.twilio_account_sid = self.twilio_account_sid or SANDBOX_ACCOUNT_SID
            self.twilio_auth_token = self.twilio_auth_token or secrets.token_urlsafe(24)
        return self

    @property
    def deployment_signs(self) -> list[str]:
        """The settings the operator set that say a real deployment is meant (none: local
        mode), as they were before the sandbox's defaults filled any in."""
        return list(self._signs)

    def _deployment_signs(self) -> list[str]:
        named = [
            name.upper()
            for name in (*_SLACK_CREDENTIALS, "slack_api_url", *_TWILIO_CREDENTIALS)
            if getattr(self, name)
        ]
        if "database_url" in self.model_fields_set:
            named.append("DATABASE_URL")
        if "porting_sandbox" in self.model_fields_set and not self.porting_sandbox:
            named.append("PORTING_SANDBOX=false")
        return named

    @property
    def sandbox_person_paced(self) -> bool:
        """Local mode's sandbox, unless PORTING_SANDBOX_SPEED asks for the fast clock."""
        return self._local_mode and self.porting_sandbox_speed is None

    @property
    def sandbox_speed(self) -> float:
        return self.porting_sandbox_speed or DEFAULT_SPEED

    @property
    def base_url(self) -> str:
        """Where Twilio (or the sandbox) reaches this bot."""
        return self.public_url or f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/twilio/porting"

    @property
    def local_mode(self) -> bool:
        """No Slack app configured: the bot serves its own local workspace (127.0.0.1 only)."""
        return self._local_mode

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def admin_ids(self) -> tuple[str, ...]:
        """PORTING_ADMINS as a tuple of IDs (empty: ``*`` or local mode, everyone may file
        and cancel)."""
        words = tuple(w for w in re.split(r"[\s,;]+", self.porting_admins or "") if w)
        return () if words == (EVERYONE,) else words

    @property
    def desk_timezone(self) -> ZoneInfo:
        """PORTING_TIMEZONE as a zone (raises SettingsError for a name it does not know)."""
        return _desk_timezone(self)

    @property
    def loa_remind_days(self) -> tuple[int, ...]:
        """PORTING_LOA_REMIND_DAYS, largest first (empty or ``off``: no LOA reminders)."""
        return _loa_remind_days(self)

    @property
    def digest_time(self) -> time | None:
        """PORTING_DIGEST_AT as a local time of day (None: ``off``, no digest)."""
        return _digest_time(self)

    def profiles(self) -> Profiles:
        """The go-live profiles PORTING_PROFILES names (raises SettingsError, one line per
        mistake in the file)."""
        return _profiles(self)

    @property
    def twilio_credentials(self) -> tuple[str, str]:
        if self.twilio_api_key_sid and self.twilio_api_key_secret:
            return self.twilio_api_key_sid, self.twilio_api_key_secret
        return self.twilio_account_sid or "", self.twilio_auth_token or ""

    def twilio_client_options(self) -> dict[str, Any]:
        """The keyword arguments of ``TwilioPortingClient`` that come from these settings
        (Twilio's own URLs: the in-process sandbox is wired by ``bot.runtime``)."""
        return {
            "numbers_url": self.twilio_numbers_url,
            "upload_url": self.twilio_upload_url,
            "credentials": self.twilio_credentials,
            "timeout": self.twilio_timeout_seconds,
            "account_sid": self.account_sid,
        }

    @property
    def account_sid(self) -> str:
        """The ``AC…`` account that owns the port-ins (``check`` makes sure there is one)."""
        return self.twilio_account_sid or ""

    def missing(self, *, admins: bool = True) -> list[tuple[str, str]]:
        """What this deployment lacks to start: (setting names, where to find them).
        ``admins``: whether PORTING_ADMINS is needed (to serve, not to register a webhook)."""
        return _missing(self, admins)

    def check(self, *, admins: bool = True) -> None:
        """Raise SettingsError naming what stops the bot from working: everything missing at
        once, in one line, then the first setting that is wrong."""
        _check(self, admins)


def _missing(settings: Settings, admins: bool) -> list[tuple[str, str]]:
    """What this deployment lacks to start: (setting names, where to find them).
    ``admins``: whether PORTING_ADMINS is needed (to serve, not to register a webhook)."""
    missing: list[tuple[str, str]] = []
    if not settings.slack_bot_token:
        missing.append(
            (
                "SLACK_BOT_TOKEN",
                "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & "
                "Permissions page",
            )
        )
    if not settings.socket_mode and not settings.slack_signing_secret:
        missing.append(
            (
                "SLACK_SIGNING_SECRET",
                "copy it from your Slack app's Basic Information page (or set "
                "SLACK_APP_TOKEN to use Socket Mode)",
            )
        )
    if not settings.porting_sandbox:
        for name in ("twilio_account_sid", "twilio_auth_token"):
            if not getattr(settings, name):
                missing.append(
                    (
                        name.upper(),
                        "copy them from the Twilio Console (the auth token also verifies "
                        "webhook signatures), or set PORTING_SANDBOX=true to use the "
                        "built-in simulator",
                    )
                )
    if admins and not settings.local_mode and not (settings.porting_admins or "").strip():
        missing.append(
            (
                "PORTING_ADMINS",
                "list who may file and cancel port-ins (Slack user IDs U…/W…, user-group "
                "IDs S…), or * for everyone in the workspace",
            )
        )
    return missing


def _refuse_missing(settings: Settings, admins: bool) -> None:
    """Everything missing at once, in one line, with where to find each."""
    missing = _missing(settings, admins)
    if missing:
        names = [name for name, _ in missing]
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        why = (
            f" ({', '.join(settings.deployment_signs)} set, so this is a real deployment, not "
            "the local demo)"
            if settings.deployment_signs
            else ""
        )
        hints: dict[str, list[str]] = {}
        for name, hint in missing:
            hints.setdefault(hint, []).append(name)
        how = "; ".join(f"{', '.join(named)}: {hint}" for hint, named in hints.items())
        raise SettingsError(f"{listed} {'are' if len(names) > 1 else 'is'} not set{why}. {how}.")


def _check(settings: Settings, admins: bool) -> None:
    _refuse_missing(settings, admins)
    if not settings.slack_bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
    if not settings.socket_mode and not settings.slack_signing_secret:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is not set: copy it from your Slack app's Basic Information "
            "page (or set SLACK_APP_TOKEN to use Socket Mode)."
        )
    if settings.slack_app_token and not settings.slack_app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")
    if not settings.porting_sandbox:
        if bool(settings.twilio_api_key_sid) != bool(settings.twilio_api_key_secret):
            raise SettingsError(
                "TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET go together: set both or neither."
            )
    if settings.twilio_account_sid and not _is_sid(settings.twilio_account_sid, "AC"):
        raise SettingsError("TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits.")
    if settings.porting_channel and not settings.porting_channel.startswith(("C", "G")):
        raise SettingsError(
            "PORTING_CHANNEL must be a channel ID such as C0123ABCD (not a #name): open the "
            "channel details in Slack and copy the ID at the bottom."
        )
    if settings.public_url and not settings.public_url.startswith(("http://", "https://")):
        raise SettingsError("PUBLIC_URL must start with https:// (or http:// for local use).")
    try:
        DatabaseUrl.parse(settings.database_url).require_file()
    except DatabaseUrlError as error:
        raise SettingsError(str(error)) from None
    if settings.porting_check_concurrency < 1:
        raise SettingsError("PORTING_CHECK_CONCURRENCY must be at least 1.")
    if settings.porting_reconcile_seconds < 10:
        raise SettingsError(
            "PORTING_RECONCILE_SECONDS must be at least 10: every open request is fetched "
            "from Twilio that often."
        )
    if settings.porting_coalesce_seconds < 0 or settings.porting_board_seconds < 0:
        raise SettingsError("PORTING_COALESCE_SECONDS and PORTING_BOARD_SECONDS must be ≥ 0.")
    _ = (
        settings.desk_timezone,
        settings.loa_remind_days,
        settings.digest_time,
    )  # each raises if bad
    if settings.porting_stale_days < 1:
        raise SettingsError(
            "PORTING_STALE_DAYS must be at least 1: business days an open request may go "
            "without movement before the desk is nudged."
        )
    if settings.porting_inventory_seconds < 0 or 0 < settings.porting_inventory_seconds < 5:
        raise SettingsError(
            "PORTING_INVENTORY_SECONDS must be 0 (no sweeps) or at least 5: the account's "
            "numbers are swept that often (900, every 15 minutes, suits most accounts)."
        )
    settings.profiles()  # raises SettingsError naming every mistake in the file
    if settings.log_format not in ("text", "json"):
        raise SettingsError(
            f"LOG_FORMAT must be text or json (one JSON object a line), not "
            f"{settings.log_format!r}."
        )
    if EVERYONE in settings.admin_ids:
        raise SettingsError(
            f"PORTING_ADMINS mixes {EVERYONE} with IDs: {EVERYONE} alone means everyone, or "
            "list the IDs only."
        )
    bad = [i for i in settings.admin_ids if not _ADMIN_ID.match(i)]
    if bad:
        raise SettingsError(
            f"PORTING_ADMINS has {bad[0]!r}, which is not a Slack user ID (U…/W…) or "
            "user-group ID (S…): copy IDs from a profile's ⋮ menu → Copy member ID, or from "
            "the user group's page."
        )


def _is_sid(value: str, prefix: str) -> bool:
    rest = value[2:]
    return (
        value.startswith(prefix)
        and len(value) == 34
        and all(c in "0123456789abcdefABCDEF" for c in rest)
    )


def _loa_remind_days(settings: Settings) -> tuple[int, ...]:
    text = settings.porting_loa_remind_days.strip()
    if text.lower() in ("", "off"):
        return ()
    words = [w for w in re.split(r"[\s,;]+", text) if w]
    if not all(w.isascii() and w.isdigit() and int(w) < _LOA_DAYS for w in words):
        raise SettingsError(
            f"PORTING_LOA_REMIND_DAYS {settings.porting_loa_remind_days!r} must be whole days "
            f"before the LOA deadline, 0 to {_LOA_DAYS - 1}, separated by commas (such as "
            "7,3,1), or off."
        )
    return tuple(sorted({int(w) for w in words}, reverse=True))


def _digest_time(settings: Settings) -> time | None:
    text = settings.porting_digest_at.strip()
    if text.lower() == "off":
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise SettingsError(
            f"PORTING_DIGEST_AT {settings.porting_digest_at!r} must be a time of day as HH:MM "
            "(24-hour, in PORTING_TIMEZONE, such as 09:00), or off."
        )
    return time(int(match[1]), int(match[2]))


def _desk_timezone(settings: Settings) -> ZoneInfo:
    name = settings.porting_timezone.strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"PORTING_TIMEZONE {settings.porting_timezone!r} is not a time zone: use an IANA "
            "name such as America/New_York, Europe/London or UTC."
        ) from None


def _profiles(settings: Settings) -> Profiles:
    try:
        return load_profiles(settings.porting_profiles)
    except ProfilesError as error:
        raise SettingsError(
            "PORTING_PROFILES has mistakes:\n" + "\n".join(f"  - {line}" for line in error.lines)
        ) from None
