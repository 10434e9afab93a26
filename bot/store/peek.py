"""Is there anything to do? A polling worker's idle look, read-only and off the ORM.

The Slack outbox and the reconciler look for work every second in every process: work made
in another process is found no other way. Their claim is an ORM transaction around an
``UPDATE … RETURNING`` (on SQLite it takes the database's write lock even when it finds
nothing) and cost an idle process about 2.5 ms of CPU a second each, more than a third of
the bot's CPU per webhook at 100 webhooks a second (``bench/webhook_ingest.py``).

A :class:`Peek` is the claim's own selection of ready rows as one read-only ``EXISTS``,
compiled once per dialect and run on the webhook writer's connection
(:class:`bot.store.receipts.ReceiptWriter`, which holds a driver connection of its own); the
claim runs only when the peek finds a row. The selections are the claims' own (``_ready`` in
``bot.store.queue``, ``_due`` in ``bot.store.poll_schedule``), so a peek is never stricter
than its claim; ``tests/store/test_peek.py`` holds the two to the same answer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.engine import Dialect


@dataclass(frozen=True)
class Peek:
    """``statement`` answers one boolean for the bound parameter ``now``."""

    name: str
    statement: Select[Any]

    @classmethod
    def any_of(cls, name: str, *selections: Select[Any]) -> Peek:
        """True when any of ``selections`` (each a claim's selection of ready rows) has a
        row."""
        return cls(name, select(or_(*(exists(s) for s in selections))))


@functools.cache
def compiled(peek: Peek, dialect: Dialect) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The peek's SQL for ``dialect``, its parameters' names in positional order (empty for
    a named paramstyle), and the values it binds itself (all but ``now``)."""
    # The IN lists are rendered out here (each value its own parameter); ``now`` gets a
    # stand-in, replaced on each run.
    state = peek.statement.compile(dialect=dialect).construct_expanded_state({"now": None})
    own = {name: value for name, value in state.parameters.items() if name != "now"}
    return state.statement, tuple(state.positiontup or ()), own


class Peeker(Protocol):
    async def peek(self, peek: Peek, now: datetime) -> bool:
        """Whether ``peek`` finds a row at ``now``. Raises when the database cannot say
        (the worker then claims as it would have without a peek)."""
        ...
