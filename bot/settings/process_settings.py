"""The process's own settings: where it listens and how it is reached (PORT, PUBLIC_URL, the
proxies it believes), its database and migrations, its logs and its metrics."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings


class ProcessSettings(BaseSettings):
    """PORT, PUBLIC_URL, DATABASE_URL, LOG_* and the like (one group of :class:`Settings`)."""

    public_url: str | None = None
    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'porting.db'}")
    port: int = 3000
    # Run database migrations when the server starts (off: only check the schema is current).
    migrate_on_start: bool = True
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto uvicorn believes (comma-separated IPs
    # or networks). Only what is believed is the caller's address: "*" would let anyone claim
    # to be 127.0.0.1.
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: str = "INFO"
    log_format: str = "text"  # text | json (one JSON object a line)
    # GET /metrics asks for ``Authorization: Bearer <this>`` when set; open when unset.
    metrics_token: str | None = None

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @property
    def base_url(self) -> str:
        """Where Twilio (or the sandbox) reaches this bot."""
        return self.public_url or f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/twilio/porting"
