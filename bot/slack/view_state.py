"""Reading a submitted modal's state (``view.state.values``): one accessor per kind of input.

``values`` maps block_id → action_id → the element's state. Our forms give an input block's
only element the block's id (``bot.slack.ids.PortInField``), so ``element`` defaults to
``block``. A missing block or element reads as empty.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

Values = dict[str, dict[str, dict[str, Any]]]


def _state(values: Values, block: str, element: str | None) -> dict[str, Any]:
    return values.get(block, {}).get(element or block, {}) or {}


def text(values: Values, block: str, element: str | None = None) -> str:
    return str(_state(values, block, element).get("value") or "").strip()


def selected_date(values: Values, block: str, element: str | None = None) -> date | None:
    raw = _state(values, block, element).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def selected_time(values: Values, block: str, element: str | None = None) -> time | None:
    raw = _state(values, block, element).get("selected_time")
    try:
        return time.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def selected_option(values: Values, block: str, element: str | None = None) -> str | None:
    option = _state(values, block, element).get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else None


def selected_options(values: Values, block: str, element: str | None = None) -> list[str]:
    options = _state(values, block, element).get("selected_options") or []
    return [o["value"] for o in options if isinstance(o, dict) and "value" in o]


def selected_conversation(values: Values, block: str, element: str | None = None) -> str | None:
    conversation = _state(values, block, element).get("selected_conversation")
    return conversation if isinstance(conversation, str) and conversation else None


def files(values: Values, block: str, element: str | None = None) -> list[dict[str, Any]]:
    return list(_state(values, block, element).get("files") or [])


def selected_datetime(values: Values, block: str, element: str | None = None) -> datetime | None:
    """A ``datetimepicker``'s moment (Slack sends UNIX seconds), UTC."""
    raw = _state(values, block, element).get("selected_date_time")
    try:
        return datetime.fromtimestamp(int(raw), UTC) if raw is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None
