"""What /port-status is asked for: request SIDs, manual port ids, phone numbers (any format)
or a customer's name; and which request answers for a number (the open one first, then the
latest). Pure: text in, :class:`StatusAsk` out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.desk.agenda import AgendaItem
from bot.desk.manual.types import is_manual_id
from bot.listed_requests import ListingQuery
from bot.porting.phone import parse_numbers
from bot.slack.request_sids import parse_request_sids

_NAME = re.compile(r"[^\W\d_][\w .,&'’()-]*", re.UNICODE)


@dataclass(frozen=True)
class StatusAsk:
    sids: list[str] = field(default_factory=list)  # KW… and MP…, in the order given
    numbers: list[str] = field(default_factory=list)  # E.164
    name: str | None = None
    unreadable: str | None = None  # what could not be read as any of those


def parse_status_ask(text: str) -> StatusAsk:
    """Read /port-status's text. Words with no digit after the SIDs are a customer's name;
    the rest must be phone numbers, else the whole is unreadable."""
    sids, rest = parse_request_sids(text)
    sids += [w for w in dict.fromkeys(rest) if is_manual_id(w)]
    rest = [w for w in rest if not is_manual_id(w)]
    if not rest:
        return StatusAsk(sids=sids)
    leftover = " ".join(rest)
    if not sids and not any(c.isdigit() for c in leftover) and _NAME.fullmatch(leftover):
        return StatusAsk(name=leftover)
    parsed = parse_numbers(leftover)
    if parsed.invalid or not parsed.numbers:
        return StatusAsk(sids=sids, unreadable=(parsed.invalid or [leftover])[0])
    return StatusAsk(sids=sids, numbers=parsed.numbers)


def holder(items: Sequence[AgendaItem]) -> AgendaItem | None:
    """The request that answers for a number among those holding it: the open one first,
    then the latest filed."""
    if not items:
        return None
    return min(items, key=lambda i: (i.row.closed, -i.row.created_at.timestamp()))


@dataclass(frozen=True)
class Holding:
    """Every request, open or closed, holding any of ``numbers`` (a ``ListingAsk``)."""

    numbers: tuple[str, ...]

    def query(self, now: datetime) -> ListingQuery:
        return ListingQuery(phone_numbers=frozenset(self.numbers))


@dataclass(frozen=True)
class Named:
    """Every request whose customer's name holds ``name`` (a ``ListingAsk``)."""

    name: str

    def query(self, now: datetime) -> ListingQuery:
        return ListingQuery(customer=self.name)
