"""Typed errors for Twilio API failures, carrying Twilio's code, message and link."""

from __future__ import annotations

from typing import Any

from bot.errors import PortingBotError


class TwilioError(PortingBotError):
    """Twilio answered with an error (classic or RFC 9457 body), or could not be reached."""

    def __init__(
        self,
        status: int,
        code: int | None,
        message: str,
        more_info: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"Twilio {status} ({code}): {message}")
        self.status = status
        self.code = code
        self.message = message
        self.more_info = more_info or (
            f"https://www.twilio.com/docs/errors/{code}" if code else None
        )
        self.details = details

    @classmethod
    def from_response(cls, status: int, body: Any) -> TwilioError:
        if not isinstance(body, dict):
            return cls(status, None, f"HTTP {status} from Twilio")
        if {"type", "title", "status", "code"} <= body.keys():  # RFC 9457 problem JSON
            return cls(
                status,
                _as_int(body.get("code")),
                str(body.get("detail") or body.get("title")),
                body.get("type"),
                body,
            )
        code = _as_int(body.get("code"))
        if code is None:
            code = _as_int(body.get("not_portable_reason_code"))
        message = body.get("message") or body.get("not_portable_reason") or f"HTTP {status}"
        return cls(status, code, str(message), body.get("more_info"), body.get("details"))

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500 or self.status == 0


class TwilioUnavailable(TwilioError):
    """Connection failures and timeouts after all retries."""

    def __init__(self, message: str) -> None:
        super().__init__(0, None, message)


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
