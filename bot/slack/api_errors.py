"""The one reader of what Slack answered when a Web API call failed."""

from __future__ import annotations


def error_code(error: BaseException) -> str | None:
    """Slack's error code (``not_in_channel``, ``ratelimited``…) from the answer a
    ``SlackApiError`` carries; None when ``error`` carries no Slack answer with a code."""
    read = getattr(getattr(error, "response", None), "get", None)
    code = read("error") if callable(read) else None
    return code if isinstance(code, str) and code else None


def error_name(error: BaseException) -> str:
    """Slack's error code, else the exception's type: for log lines and the reasons people
    are given (never the request's content)."""
    return error_code(error) or type(error).__name__
