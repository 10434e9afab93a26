"""The :class:`Settings` object: its groups of fields together, and the mode they make.

Nothing configured at all is local mode (the sandbox, and the local workspace in place of
Slack); the sandbox fills in the Twilio account it answers to. Any credential, a DATABASE_URL or
PORTING_SANDBOX=false means a real deployment, whose gaps :meth:`Settings.check` refuses.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, PrivateAttr, model_validator
from pydantic_settings import SettingsConfigDict

from bot.sandbox.config import DEFAULT_SPEED, SANDBOX_ACCOUNT_SID
from bot.settings import rules
from bot.settings.desk_settings import DeskSettings
from bot.settings.process_settings import ProcessSettings
from bot.settings.slack_settings import SLACK_CREDENTIALS, SlackSettings
from bot.settings.twilio_settings import TWILIO_CREDENTIALS, TwilioSettings


class Settings(SlackSettings, TwilioSettings, DeskSettings, ProcessSettings):
    """Every setting of the bot (one field per environment name), read once at start-up."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    porting_sandbox: bool = False
    # The sandbox's fast clock: simulated seconds per real second. Unset: in local mode the
    # sandbox goes at a person's pace (today's calendar, steps seconds apart), else DEFAULT_SPEED.
    porting_sandbox_speed: float | None = Field(default=None, gt=0)
    porting_sandbox_latency_ms: float = 0.0  # injected per-call latency, for realistic demos

    _local_mode: bool = PrivateAttr(default=False)
    _signs: list[str] = PrivateAttr(default_factory=list)

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
            self.porting_profiles = str(Path(__file__).parent.parent / "workspace" / "profiles.yml")
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
            for name in (*SLACK_CREDENTIALS, "slack_api_url", *TWILIO_CREDENTIALS)
            if getattr(self, name)
        ]
        if "database_url" in self.model_fields_set:
            named.append("DATABASE_URL")
        if "porting_sandbox" in self.model_fields_set and not self.porting_sandbox:
            named.append("PORTING_SANDBOX=false")
        return named

    @property
    def local_mode(self) -> bool:
        """No Slack app configured: the bot serves its own local workspace (127.0.0.1 only)."""
        return self._local_mode

    @property
    def sandbox_person_paced(self) -> bool:
        """Local mode's sandbox, unless PORTING_SANDBOX_SPEED asks for the fast clock."""
        return self._local_mode and self.porting_sandbox_speed is None

    @property
    def sandbox_speed(self) -> float:
        return self.porting_sandbox_speed or DEFAULT_SPEED

    def missing(self, *, admins: bool = True) -> list[tuple[str, str]]:
        """What this deployment lacks to start: (setting names, where to find them).
        ``admins``: whether PORTING_ADMINS is needed (to serve, not to register a webhook)."""
        return rules.missing(self, admins)

    def check(self, *, admins: bool = True) -> None:
        """Raise SettingsError naming what stops the bot from working: everything missing at
        once, in one line, then the first setting that is wrong."""
        rules.check(self, admins)
