"""Twilio's settings: the account's credentials, the API hosts the client calls and the timeout
of every call."""

from __future__ import annotations

from typing import Any

from pydantic_settings import BaseSettings

TWILIO_CREDENTIALS = (
    "twilio_account_sid",
    "twilio_auth_token",
    "twilio_api_key_sid",
    "twilio_api_key_secret",
)


class TwilioSettings(BaseSettings):
    """TWILIO_* (one group of :class:`Settings`)."""

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_key_sid: str | None = None
    twilio_api_key_secret: str | None = None
    twilio_numbers_url: str = "https://numbers.twilio.com"
    twilio_upload_url: str = "https://numbers-upload.twilio.com"
    twilio_api_url: str = "https://api.twilio.com"  # IncomingPhoneNumbers (API 2010)
    twilio_messaging_url: str = "https://messaging.twilio.com"  # Messaging Services
    twilio_timeout_seconds: float = 10.0

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
