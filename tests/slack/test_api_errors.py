"""The one reader of Slack's error codes."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.api_errors import error_code, error_name


def _answer(data: dict[str, object], status: int = 200) -> AsyncSlackResponse:
    return AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/chat.postMessage",
        req_args={},
        data=data,
        headers={},
        status_code=status,
    )


def test_slacks_code_else_the_exceptions_type() -> None:
    refused = SlackApiError("no", _answer({"ok": False, "error": "not_in_channel"}))
    assert error_code(refused) == "not_in_channel" and error_name(refused) == "not_in_channel"
    gateway = SlackApiError("bad gateway", _answer({"ok": False}, 502))
    assert error_code(gateway) is None and error_name(gateway) == "SlackApiError"
    assert error_code(TimeoutError()) is None and error_name(TimeoutError()) == "TimeoutError"
