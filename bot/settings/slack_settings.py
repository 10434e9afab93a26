"""Slack's settings: the app's tokens and Web API, the porting channel, who may file and cancel
(PORTING_ADMINS), and the pace of every Slack write."""

from __future__ import annotations

import re

from pydantic import field_validator
from pydantic_settings import BaseSettings

EVERYONE = "*"  # PORTING_ADMINS for "every member may file and cancel", said explicitly
SLACK_CREDENTIALS = ("slack_bot_token", "slack_signing_secret", "slack_app_token")


class SlackSettings(BaseSettings):
    """SLACK_*, PORTING_CHANNEL and PORTING_ADMINS (one group of :class:`Settings`)."""

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    porting_channel: str | None = None
    # Slack allows about one message per second per channel; every write is paced to this.
    slack_channel_write_seconds: float = 1.0
    # Slack work whose process stopped renewing its lease this long ago (it died) is taken over.
    slack_outbox_lease_seconds: float = 120.0
    # Who may file and cancel port-ins: Slack user IDs (U…/W…) and user-group IDs (S…),
    # separated by commas or spaces, or * for everyone. A real deployment must say (local
    # mode: everyone).
    porting_admins: str | None = None

    @field_validator("slack_api_url")
    @classmethod
    def _without_api(cls, value: str | None) -> str | None:
        # "https://slack.com/api/" (slack_sdk's base_url, as GovSlack guides give it) and
        # "https://slack.com" both mean the same Web API; the client adds "/api/".
        return value.rstrip("/").removesuffix("/api").rstrip("/") if value else value

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def admin_ids(self) -> tuple[str, ...]:
        """PORTING_ADMINS as a tuple of IDs (empty: ``*`` or local mode, everyone may file
        and cancel)."""
        words = tuple(w for w in re.split(r"[\s,;]+", self.porting_admins or "") if w)
        return () if words == (EVERYONE,) else words
