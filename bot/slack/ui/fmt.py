"""Formatting shared by the builders: Slack dates, numbers, counts, text limits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from bot.porting.phone import display

SECTION_TEXT_LIMIT = 3000
MESSAGE_BLOCK_LIMIT = 50
INLINE_NUMBERS = 20


def slack_date(value: date | datetime | None, fmt: str = "{date_short_pretty}") -> str:
    """A date every reader sees in their own time zone, with a plain fallback."""
    if value is None:
        return "not set"
    if isinstance(value, datetime):
        moment = value  # aware: the store and the Twilio models both read times as UTC
    else:
        moment = datetime.combine(value, time(12), tzinfo=UTC)
    fallback = moment.date().isoformat()
    return f"<!date^{int(moment.timestamp())}^{fmt}|{fallback}>"


_VERBS = {"is": "are", "was": "were", "has": "have", "does": "do"}


def plural(
    count: int,
    word: str,
    many: str | None = None,
    *,
    verb: str | None = None,
    these: bool = False,
    bare: bool = False,
) -> str:
    """The one way words agree with a count: ``plural(2, "number")`` → "2 numbers";
    ``verb="ports"`` → "1 number ports" / "2 numbers port"; ``these=True`` → "this number" /
    "these 2 numbers"; ``bare=True`` leaves the count out (``plural(n, "it", "them",
    bare=True)`` → "it" / "them")."""
    noun = word if count == 1 else (many or word + "s")
    if bare:
        said = noun
    elif these:
        said = f"this {noun}" if count == 1 else f"these {count:,} {noun}"
    else:
        said = f"{count:,} {noun}"
    if verb is not None:
        said += " " + (verb if count == 1 else _VERBS.get(verb, verb.removesuffix("s")))
    return said


def on_day(value: date | datetime, fmt: str = "{date_short}") -> str:
    """ "on Dec 8, 2026" in each reader's zone: never "on today" or "on tomorrow" (what a
    ``_pretty`` date reads as near now)."""
    return f"on {slack_date(value, fmt)}"


def number_name(phone_number: str | None, number_sid: str | None = None) -> str:
    """A number as people read it; Twilio's copy of a request may leave the number out."""
    if phone_number:
        return display(phone_number)
    return f"number {number_sid}" if number_sid else "a number Twilio did not name"


def number_list(numbers: Sequence[str], limit: int = INLINE_NUMBERS) -> str:
    shown = ", ".join(display(n) for n in numbers[:limit])
    if len(numbers) > limit:
        shown += f" and {len(numbers) - limit:,} more"
    return shown


def clip(text: str, limit: int = SECTION_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Text from elsewhere (a customer's name) as Slack shows it literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "someone"


def thread_url(workspace_url: str | None, channel_id: str | None, ts: str | None) -> str | None:
    """A link to a thread's root message, from the workspace's URL (``auth.test``'s ``url``),
    without a call to Slack per message. None when any part is unknown."""
    if not (workspace_url and channel_id and ts):
        return None
    return f"{workspace_url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"


def ago(span: timedelta) -> str:
    """``timedelta(minutes=4)`` → ``4 min ago``: how old something is, roughly."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{plural(seconds // 86400, 'day')} ago"
