"""Reading /port-list's filters: ``/port-list action mine since 30d``, ``/port-list <@U123>``,
``/port-list +1 415-555-0162``. Pure: text in, :class:`ListFilter` out (or
:class:`FilterError` naming the word it could not read and the words it accepts).

Filters combine (every one given must hold); status words add up (``action signature`` is
either). Without a status word the list holds open requests; ``all`` lists every status.
Mentions arrive as ``<@U123>`` or ``<@U123|name>`` (the command escapes users); phone numbers
may be written in any format, spaces included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.errors import Invalid
from bot.listed_requests import ListingQuery
from bot.porting.phone import display, parse_numbers
from bot.porting.statuses import RequestStatus

STATUS_WORDS: dict[str, frozenset[RequestStatus]] = {
    "action": frozenset({RequestStatus.ACTION_REQUIRED}),
    "signature": frozenset({RequestStatus.WAITING_FOR_SIGNATURE}),
    "progress": frozenset({RequestStatus.IN_PROGRESS}),
    "review": frozenset({RequestStatus.IN_REVIEW}),
    "completed": frozenset({RequestStatus.COMPLETED}),
    "canceled": frozenset({RequestStatus.CANCELING, RequestStatus.CANCELED, RequestStatus.EXPIRED}),
}
_ALIASES = {"cancelled": "canceled", "rejected": "action", "signing": "signature"}
ACCEPTED = (
    *STATUS_WORDS,
    "all",
    "mine",
    "@someone",
    "since 30d (or 2w, 12h, 2026-11-01)",
    "a phone number (any format)",
)

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_DURATION = re.compile(r"(\d{1,4})\s*([a-z]+)")
_UNITS = {
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "mo": timedelta(days=30),
}
_UNIT_WORDS = {
    "hour": "h",
    "hours": "h",
    "hr": "h",
    "hrs": "h",
    "day": "d",
    "days": "d",
    "week": "w",
    "weeks": "w",
    "wk": "w",
    "wks": "w",
    "month": "mo",
    "months": "mo",
}


class FilterError(Invalid):
    """``token`` is not a filter /port-list knows; ``accepted`` lists the ones it does."""

    def __init__(self, token: str, why: str | None = None) -> None:
        super().__init__(f"unreadable filter {token!r}")
        self.token = token
        self.why = why  # a more precise reason, when there is one
        self.accepted = ACCEPTED


@dataclass(frozen=True)
class Since:
    """``since 30d`` (a span back from now) or ``since 2026-11-01`` (a date)."""

    span: timedelta | None = None
    day: date | None = None
    said: str = ""

    def cutoff(self, now: datetime) -> datetime:
        if self.day is not None:
            return datetime.combine(self.day, time(0), tzinfo=now.tzinfo)
        assert self.span is not None
        return now - self.span


@dataclass(frozen=True)
class ListFilter:
    statuses: frozenset[RequestStatus] | None = None  # None: open (or every one with ``all``)
    everything: bool = False  # ``all``
    filers: frozenset[str] = frozenset()  # Slack user IDs (``mine`` is the viewer's)
    since: Since | None = None
    numbers: tuple[str, ...] = ()  # E.164, in the order given

    def query(self, now: datetime) -> ListingQuery:
        """The store query for this filter at ``now``. Pass ``now`` on the desk's clock
        (``BusinessCalendar.local(now)``): ``since 2026-11-01`` starts at midnight there."""
        return ListingQuery(
            statuses=frozenset(s.value for s in self.statuses) if self.statuses else None,
            open_only=self.statuses is None and not self.everything,
            filed_by=self.filers,
            phone_numbers=frozenset(self.numbers),
            since=self.since.cutoff(now) if self.since else None,
        )

    def describe(self) -> str:
        """The filter in words, for the answer's header (``open requests``, ``Action
        Required · filed by <@U1> · since 30d · holding +1 415-555-0162``)."""
        if self.statuses:
            parts = [" or ".join(s.label for s in _in_order(self.statuses))]
        else:
            parts = ["all requests" if self.everything else "open requests"]
        if self.filers:
            parts.append("filed by " + " or ".join(f"<@{u}>" for u in sorted(self.filers)))
        if self.since:
            parts.append(f"since {self.since.said}")
        if self.numbers:
            parts.append("holding " + ", ".join(display(n) for n in self.numbers))
        return " · ".join(parts)


def _in_order(statuses: frozenset[RequestStatus]) -> list[RequestStatus]:
    return [s for s in RequestStatus if s in statuses]


def parse_list_filter(text: str, viewer: str) -> ListFilter:
    """Read /port-list's text (``viewer``: who typed it, for ``mine``); raises FilterError."""
    filers = {m[1] for m in _MENTION.finditer(text or "")}
    tokens = _MENTION.sub(" \0 ", text or "").split()
    statuses: set[RequestStatus] = set()
    everything = False
    since: Since | None = None
    numbers: list[str] = []
    rest: list[str] = []  # consecutive words that are not filters: phone numbers, we hope
    i = 0
    while i < len(tokens):
        token = tokens[i]
        word = _ALIASES.get(token.lower().strip(",;"), token.lower().strip(",;"))
        consumed = 1
        if token == "\0":
            pass
        elif word in STATUS_WORDS:
            statuses |= STATUS_WORDS[word]
        elif word == "all":
            everything = True
        elif word == "open":
            pass
        elif word in ("mine", "me", "my"):
            filers.add(viewer)
        elif word == "since" or word.startswith("since:"):
            since, consumed = _since(tokens, i)
        elif token.startswith("@") or token.startswith("<"):
            raise FilterError(
                token, "mention someone so Slack turns it into a link (pick them from the list)"
            )
        else:
            rest.append(token)
            i += 1
            continue
        numbers.extend(_numbers(rest))
        rest = []
        i += consumed
    numbers.extend(_numbers(rest))
    return ListFilter(
        statuses=frozenset(statuses) or None,
        everything=everything,
        filers=frozenset(filers),
        since=since,
        numbers=tuple(dict.fromkeys(numbers)),
    )


def _numbers(words: list[str]) -> list[str]:
    if not words:
        return []
    parsed = parse_numbers(" ".join(words))
    if parsed.invalid:
        raise FilterError(parsed.invalid[0])
    return parsed.numbers


def _since(tokens: list[str], i: int) -> tuple[Since, int]:
    """``since 30d`` / ``since 30 days`` / ``since:2w`` / ``since 2026-11-01``: the value
    and how many tokens it took."""
    head = tokens[i]
    inline = head.split(":", 1)[1] if ":" in head else ""
    ahead = tokens[i + 1 : i + 3]
    candidates = [(inline, 1)] if inline else [(" ".join(ahead[:2]), 3), (" ".join(ahead[:1]), 2)]
    for said, taken in candidates:
        value = _read_since(said)
        if value is not None:
            return value, taken
    shown = " ".join(tokens[i : i + 2])
    raise FilterError(shown, "write since as a span back from now, such as since 30d or since 2w")


def _read_since(said: str) -> Since | None:
    text = said.strip().lower()
    if not text:
        return None
    try:
        return Since(day=date.fromisoformat(text), said=text)
    except ValueError:
        pass
    match = _DURATION.fullmatch(text)
    if not match:
        return None
    unit = _UNIT_WORDS.get(match[2], match[2])
    if unit not in _UNITS or int(match[1]) == 0:
        return None
    return Since(span=int(match[1]) * _UNITS[unit], said=f"{int(match[1])}{unit}")
