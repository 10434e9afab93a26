"""Formatting shared by the builders: Slack dates, numbers, counts, text limits."""

from __future__ import annotations

import re
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
        return escape(display(phone_number))
    return f"number {escape(number_sid)}" if number_sid else "a number Twilio did not name"


def number_list(numbers: Sequence[str], limit: int = INLINE_NUMBERS) -> str:
    shown = ", ".join(escape(display(n)) for n in numbers[:limit])
    if len(numbers) > limit:
        shown += f" and {len(numbers) - limit:,} more"
    return shown


def clip(text: str, limit: int = SECTION_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# mrkdwn's formatting characters, as look-alikes Slack does not read as bold, italic, strike
# or code (mrkdwn has no escape for them). Slack reads * _ ~ as formatting only at a word's
# edge, so one between two letters or digits (PIN_MISMATCH, jane_doe@…) stays as it is;
# a backtick is always replaced.
_LOOK_ALIKE = {"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"}
_AT_AN_EDGE = re.compile(r"`|(?<![^\W_])[*_~]|[*_~](?![^\W_])")


def escape(text: str) -> str:
    """THE rule for a value from a person or from Twilio (a name, an address, an e-mail, a
    file name, a reason, a note) where it meets mrkdwn: text, never markup. ``&``, ``<`` and
    ``>`` become Slack's entities (so ``<!channel>`` pings nobody and ``<https://…|Sign>``
    draws no link) and ``*`` ``_`` ``~`` `````` that could open or close formatting (at a
    word's edge) their look-alikes (so a name opens no bold or code the bot's own text then
    closes). Every builder interpolates such values through this and nothing else;
    plain_text fields take them as they are."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _AT_AN_EDGE.sub(lambda m: _LOOK_ALIKE[m.group(0)], text)


def url(link: str | None) -> str | None:
    """A URL from elsewhere (Twilio's signing link) to show in mrkdwn: only http(s), with
    ``&``, ``<``, ``>`` as entities so it stays one link; None for anything else."""
    if not link or not link.lower().startswith(("https://", "http://")) or "|" in link:
        return None
    return link.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
