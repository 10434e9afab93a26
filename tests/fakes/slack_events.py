"""Events API requests (raw JSON ``event_callback`` bodies), signed like the other builders in
:mod:`tests.fakes.slack_requests` (which re-exports them)."""

from __future__ import annotations

from typing import Any

from bot.workspace import payloads
from bot.workspace.payloads import SlackRequest, action_ts
from tests.fakes.constants import ME, SIGNING_SECRET

# ---------------------------------------------------------------------- events


def event(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """An Events API ``event_callback`` wrapping ``event`` (raw JSON body).

    ``retry_num`` adds ``X-Slack-Retry-Num``/``X-Slack-Retry-Reason`` like Slack's redeliveries;
    reuse ``event_id`` to simulate a duplicate.
    """
    body = payloads.event_callback(ME, event, event_id=event_id, event_time=event_time)
    return payloads.event(
        body, secret=secret, timestamp=timestamp, retry_num=retry_num, retry_reason=retry_reason
    )


def app_mention(
    text: str,
    *,
    user_id: str = "U123",
    channel_id: str = "C123",
    ts: str = "1700000000.000100",
    thread_ts: str | None = None,
    **kwargs: Any,
) -> SlackRequest:
    """An ``app_mention`` event (``text`` should contain ``<@UBOT>``)."""
    ev: dict[str, Any] = {
        "type": "app_mention",
        "user": user_id,
        "text": text,
        "ts": ts,
        "channel": channel_id,
        "event_ts": ts,
    }
    if thread_ts is not None:
        ev["thread_ts"] = thread_ts
    return event(ev, **kwargs)


def app_home_opened(user_id: str = "U123", *, tab: str = "home", **kwargs: Any) -> SlackRequest:
    """An ``app_home_opened`` event."""
    ev = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D123",
        "tab": tab,
        "event_ts": action_ts(),
    }
    return event(ev, **kwargs)
