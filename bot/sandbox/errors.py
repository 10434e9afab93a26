"""Twilio-shaped errors raised anywhere in the sandbox and rendered by the API layer."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


def more_info(code: int) -> str:
    return f"https://www.twilio.com/docs/errors/{code}"


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    """Twilio's classic error body (reference §6)."""
    return {"code": code, "message": message, "more_info": more_info(code), "status": status}


class SandboxError(Exception):
    """An API call fails the way Twilio would fail it."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status}/{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        # Extra body fields, e.g. the portability fields on a 400 not-portable answer.
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {**self.extra, **error_body(self.status, self.code, self.message)}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def bad_request(message: str, code: int = 20001) -> SandboxError:
    return SandboxError(400, code, message)


def not_found(path: str) -> SandboxError:
    return SandboxError(404, 20404, f"The requested resource {path} was not found")


class SimulatorError(Exception):
    """An admin (``/_sim``) action that does not apply in the current state."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
